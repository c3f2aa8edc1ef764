"""The alert rules as data: what each rule looks at, its parameters, and the pure judgements behind it.

Four kinds (uof.models): immediate rules judge one report's content at submission; pattern rules (early
intervention) compare an officer's count of reports with set levels and with their team; workflow rules watch
reports waiting too long; digests summarise. The settings an admin changes are layered: the catalogue's
defaults, then the force-wide row, then the team's row (``AlertRuleSetting``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from uof.domain.alert_kinds import CRITICAL, DIGEST, IMMEDIATE, PATTERN, WARNING, WORKFLOW
from uof.domain.counting import (
    EARLY_INTERVENTION_CRITICAL,
    EARLY_INTERVENTION_DAYS,
    EARLY_INTERVENTION_WARNING,
    NOT_COUNTED_FOR_EARLY_INTERVENTION,
)
from uof.domain.review import REVIEW_DUE_HOURS
from uof.domain.stats import median, percentile
from uof.domain.vocabulary import CED_DISCHARGE, TACTICS

ParamValue = int | tuple[str, ...]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class NumberParam:
    """A whole number within bounds, such as a count of reports or a number of hours."""

    name: str
    label: str
    default: int
    minimum: int
    maximum: int
    hint: str = ""

    def parse(self, raw: object) -> tuple[int | None, str | None]:
        """The value and None, or None and the message for the person who typed ``raw``."""
        if isinstance(raw, bool):
            return None, f"{self.label} must be a whole number."
        if isinstance(raw, int):
            number = raw
        else:
            text = str(raw or "").strip()
            if not text:
                return None, f"Enter {self.label.lower()}."
            if not text.lstrip("-").isdigit() or len(text) > 9:
                return None, f"{self.label} must be a whole number, like {self.default}."
            number = int(text)
        if not self.minimum <= number <= self.maximum:
            return None, f"{self.label} must be between {self.minimum} and {self.maximum}."
        return number, None


@dataclass(frozen=True)
class WeekdayParam(NumberParam):
    """A day of the week, Monday being 0 as in ``datetime.weekday()``."""

    minimum: int = 0
    maximum: int = 6

    def parse(self, raw: object) -> tuple[int | None, str | None]:
        number, _ = super().parse(raw)
        return (number, None) if number is not None else (None, f"Choose {self.label.lower()}.")


@dataclass(frozen=True)
class TacticsParam:
    """A set of tactic codes from the vocabulary (an empty set is allowed)."""

    name: str
    label: str
    default: tuple[str, ...]
    hint: str = ""

    def parse(self, raw: object) -> tuple[tuple[str, ...] | None, str | None]:
        if isinstance(raw, str) or not isinstance(raw, Iterable):
            return None, f"{self.label}: choose from the listed tactics."
        chosen = set(raw)
        if any(not isinstance(code, str) or code not in TACTICS for code in chosen):
            return None, f"{self.label}: choose from the listed tactics."
        return tuple(term.code for term in TACTICS if term.code in chosen), None


Param = NumberParam | TacticsParam


@dataclass(frozen=True)
class Finding:
    """An immediate rule met by a report: how serious, and a short reason that names nobody."""

    rule: str
    severity: str
    reason: str


# An immediate rule's judgement of a report's content: (severity, reason) or None.
Judge = Callable[[Mapping[str, Any]], tuple[str, str] | None]


@dataclass(frozen=True)
class Rule:
    key: str
    kind: str
    label: str
    description: str
    severity: str
    enabled: bool = True
    params: tuple[Param, ...] = ()
    # Pairs (lower, higher) of parameters where the first must be below the second.
    ordered: tuple[tuple[str, str], ...] = ()
    # False for force-wide rules such as the governance summary, which no team setting can change.
    per_team: bool = True
    judge: Judge | None = field(default=None, compare=False)

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    @property
    def defaults(self) -> dict[str, ParamValue]:
        return {p.name: p.default for p in self.params}


# --- immediate rules: judgements of one report's content -------------------------------------------------

def _tactics(content: Mapping[str, Any]) -> set[str]:
    return {str(t.get("code")) for t in content.get("tactics") or () if isinstance(t, Mapping)}


def _used(codes: Mapping[str, str], severity: str) -> Judge:
    """A judge that fires when any of ``codes`` was used; the reason of the first in the order given."""

    def judge(content: Mapping[str, Any]) -> tuple[str, str] | None:
        used = _tactics(content)
        return next(((severity, reason) for code, reason in codes.items() if code in used), None)

    return judge


def _ced_discharge(content: Mapping[str, Any]) -> tuple[str, str] | None:
    return (WARNING, "Taser discharged") if _tactics(content) & CED_DISCHARGE else None


def _serious_injury(content: Mapping[str, Any]) -> tuple[str, str] | None:
    level = str((content.get("subject_injury") or {}).get("level"))
    return {"death": (CRITICAL, "Person died"), "severe": (CRITICAL, "Person severely injured")}.get(level)


def _hospitalised_or_died(content: Mapping[str, Any]) -> tuple[str, str] | None:
    outcomes = set(content.get("outcomes") or ())
    if "fatality" in outcomes:
        return CRITICAL, "Fatality"
    return (CRITICAL, "Person hospitalised") if "hospitalised" in outcomes else None


UNDER_18 = frozenset({"age_0_10", "age_11_17"})


def _under_18(content: Mapping[str, Any]) -> tuple[str, str] | None:
    return (WARNING, "Person under 18") if (content.get("subject") or {}).get("age_band") in UNDER_18 else None


IRRITANT_SPRAY_USED = frozenset({"irritant_spray_cs_used", "irritant_spray_pava_used"})
# Aftercare for irritant spray is recorded as medical assistance offered or provided to the person.
AFTERCARE = frozenset({"offered", "provided"})


def _spray_without_aftercare(content: Mapping[str, Any]) -> tuple[str, str] | None:
    if not _tactics(content) & IRRITANT_SPRAY_USED:
        return None
    if (content.get("subject_injury") or {}).get("medical_assistance") in AFTERCARE:
        return None
    return WARNING, "Irritant spray used without aftercare recorded"


# --- the catalogue ----------------------------------------------------------------------------------------

_DAYS = NumberParam("days", "Rolling period in days", EARLY_INTERVENTION_DAYS, 7, 730,
                    "Reports with an incident in this many days.")
_EXCLUDED = TacticsParam(
    "excluded_tactics", "Tactics not counted",
    tuple(term.code for term in TACTICS if term.code in NOT_COUNTED_FOR_EARLY_INTERVENTION),
    "A report is not counted when these are the only tactics on it.",
)

CATALOGUE: tuple[Rule, ...] = (
    Rule("ced_discharge", IMMEDIATE, "Taser (CED) discharged",
         "Fired, drive stun or angle drive stun. Drawn, aimed, red-dotted or arced does not alert.", WARNING,
         judge=_ced_discharge),
    Rule("firearm", IMMEDIATE, "Firearm aimed or fired", "Any firearm aimed or fired.", CRITICAL,
         judge=_used({"firearm_fired": "Firearm fired", "firearm_aimed": "Firearm aimed"}, CRITICAL)),
    Rule("aep", IMMEDIATE, "Attenuating energy projectile (AEP)", "An AEP aimed or fired.", WARNING,
         judge=_used({"aep_fired": "AEP fired", "aep_aimed": "AEP aimed"}, WARNING)),
    Rule("dog_bite", IMMEDIATE, "Police dog bite", "A police dog bit the person. Deployment alone does not alert.",
         WARNING, judge=_used({"dog_bite": "Police dog bite"}, WARNING)),
    Rule("baton_used", IMMEDIATE, "Baton used", "A baton used. Drawn but not used does not alert.", WARNING,
         judge=_used({"baton_used": "Baton used"}, WARNING)),
    Rule("spit_guard", IMMEDIATE, "Spit and bite guard", "A spit and bite guard was put on the person.", WARNING,
         judge=_used({"spit_guard": "Spit guard used"}, WARNING)),
    Rule("serious_injury", IMMEDIATE, "Person severely injured or died",
         "The person's injury was recorded as severe or death.", CRITICAL, judge=_serious_injury),
    Rule("hospitalised_or_fatality", IMMEDIATE, "Person hospitalised, or a fatality",
         "The outcome was hospitalisation or a fatality.", CRITICAL, judge=_hospitalised_or_died),
    Rule("under_18", IMMEDIATE, "Person under 18", "The person's age band is under 11 or 11 to 17.", WARNING,
         judge=_under_18),
    Rule("spray_without_aftercare", IMMEDIATE, "Irritant spray without aftercare",
         "CS or PAVA used and no medical assistance offered or provided.", WARNING,
         judge=_spray_without_aftercare),
    Rule("officer_report_count", PATTERN, "Officer's number of reports",
         "An officer's reports in the rolling period reach the warning or critical level. "
         "Every alert states the team's median and 95th percentile beside the officer's count.", WARNING,
         params=(
             _DAYS,
             NumberParam("warning", "Warning at", EARLY_INTERVENTION_WARNING, 1, 1000, "Reports in the period."),
             NumberParam("critical", "Critical at", EARLY_INTERVENTION_CRITICAL, 1, 1000, "Reports in the period."),
             _EXCLUDED,
         ),
         ordered=(("warning", "critical"),)),
    Rule("officer_above_team_percentile", PATTERN, "Officer above the team's percentile",
         "An officer's reports in the rolling period are above a percentile of their team's, and at least the "
         "minimum, so that a team of near-zeros does not flag one report.", WARNING,
         params=(
             _DAYS,
             NumberParam("percentile", "Percentile", 95, 50, 99),
             NumberParam("minimum", "Only from", 2, 1, 1000, "The fewest reports that can alert."),
             _EXCLUDED,
         )),
    Rule("review_overdue", WORKFLOW, "Review overdue",
         "A report not reviewed within the time alerts the team's supervisors (never the officer), then governance.",
         WARNING,
         params=(
             NumberParam("hours", "Alert supervisors after", REVIEW_DUE_HOURS, 1, 2000,
                         "Hours waiting for review."),
             NumberParam("escalate_hours", "Escalate to governance after", 120, 1, 2000,
                         "Hours waiting for review."),
         ),
         ordered=(("hours", "escalate_hours"),)),
    Rule("amendment_overdue", WORKFLOW, "Amendment not answered",
         "A report returned for amendment and not resubmitted in time alerts the officer and the supervisor who "
         "returned it.", WARNING,
         params=(NumberParam("hours", "Alert after", 72, 1, 2000, "Hours since it was returned."),)),
    Rule("daily_team_digest", DIGEST, "Daily team digest",
         "Each morning, every supervisor gets their team's figures.", "info",
         params=(NumberParam("hour", "Sent at (hour, UK time)", 7, 0, 23, "From 0 to 23."),)),
    Rule("weekly_governance_summary", DIGEST, "Weekly governance summary",
         "Force-wide figures for the last 7 days, for governance.", "info",
         params=(
             WeekdayParam("weekday", "Day", 0, hint="The summary is sent on this day."),
             NumberParam("hour", "Sent at (hour, UK time)", 8, 0, 23, "From 0 to 23."),
         ),
         per_team=False),
)

RULES: dict[str, Rule] = {rule.key: rule for rule in CATALOGUE}
KIND_LABELS = {IMMEDIATE: "Immediate: one report", PATTERN: "Early intervention: patterns",
               WORKFLOW: "Workflow: reviews and amendments", DIGEST: "Digests"}


def rules_of(kind: str) -> list[Rule]:
    return [rule for rule in CATALOGUE if rule.kind == kind]


# --- settings ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stored:
    """One stored settings row (force-wide or a team's), as plain data."""

    enabled: bool
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Effective:
    """A rule's settings in force for one scope, and where they came from."""

    rule: Rule
    enabled: bool
    params: Mapping[str, ParamValue]
    source: str  # "catalogue", "force" or "team"

    def number(self, name: str) -> int:
        value = self.params[name]
        assert isinstance(value, int)
        return value

    def codes(self, name: str) -> tuple[str, ...]:
        value = self.params[name]
        assert isinstance(value, tuple)
        return value


def _apply(params: dict[str, ParamValue], rule: Rule, stored: Mapping[str, Any]) -> None:
    """Lay stored values over ``params``; a value that is no longer valid (the catalogue changed) is ignored."""
    for param in rule.params:
        if param.name in stored:
            value, error = param.parse(stored[param.name])
            if error is None and value is not None:
                params[param.name] = value


def effective(rule: Rule, force: Stored | None = None, team: Stored | None = None) -> Effective:
    """The catalogue's defaults, then the force-wide row, then the team's row."""
    params = rule.defaults
    enabled, source = rule.enabled, "catalogue"
    layers = [(force, "force")] + ([(team, "team")] if rule.per_team else [])
    for stored, name in layers:
        if stored is not None:
            _apply(params, rule, stored.params)
            enabled, source = stored.enabled, name
    if any(params[low] >= params[high] for low, high in rule.ordered):  # type: ignore[operator]
        # Layers that are each valid can still cross (a team's warning above the force's critical).
        params.update({name: rule.defaults[name] for pair in rule.ordered for name in pair})
    return Effective(rule, enabled, params, source)


def validate_params(rule: Rule, raw: Mapping[str, object]) -> tuple[dict[str, ParamValue], dict[str, str]]:
    """Parameters typed on the admin page: the values, and an error message per parameter name."""
    values: dict[str, ParamValue] = {}
    errors: dict[str, str] = {}
    for param in rule.params:
        value, error = param.parse(raw.get(param.name))
        if error is not None or value is None:
            errors[param.name] = error or f"Enter {param.label.lower()}."
        else:
            values[param.name] = value
    for low, high in rule.ordered:
        if low in values and high in values and values[low] >= values[high]:  # type: ignore[operator]
            errors[high] = (f"{rule.param(high).label} must be more than "
                            f"{rule.param(low).label.lower()} ({values[low]}).")
    return values, errors


def as_json(params: Mapping[str, ParamValue]) -> dict[str, Any]:
    return {name: list(value) if isinstance(value, tuple) else value for name, value in params.items()}


# --- judgements -------------------------------------------------------------------------------------------

def immediate_findings(content: Mapping[str, Any], enabled: Callable[[Rule], bool]) -> list[Finding]:
    """The enabled immediate rules that a report's content meets, in catalogue order."""
    findings = []
    for rule in rules_of(IMMEDIATE):
        if rule.judge is None or not enabled(rule):
            continue
        verdict = rule.judge(content)
        if verdict is not None:
            findings.append(Finding(rule.key, *verdict))
    return findings


def count_level(count: int, warning: int, critical: int) -> str | None:
    """The level an officer's count reaches, if any."""
    if count >= critical:
        return CRITICAL
    return WARNING if count >= warning else None


@dataclass(frozen=True)
class TeamFigures:
    """A team's distribution of counts, so that no officer's count is ever shown alone."""

    size: int
    median: float | None
    p95: float | None

    @classmethod
    def of(cls, counts: Sequence[int]) -> TeamFigures:
        return cls(len(counts), median(counts), percentile(counts, 95))


def above_percentile(count: int, team_counts: Sequence[int], p: int, minimum: int) -> float | None:
    """The team's ``p``-th percentile when ``count`` is above it and at least ``minimum``; else None."""
    if count < minimum or not team_counts:
        return None
    level = percentile(team_counts, p)
    return level if level is not None and count > level else None


def period_index(epoch_days: int, days: int) -> int:
    """Which ``days``-long period a day falls in, counted from 1 January 1970: one alert per level per period."""
    return epoch_days // days


def describe(setting: Effective) -> str:
    """A rule's settings in words, for the admin page: "On; Warning at: 3; Critical at: 6; …"."""
    parts = ["On" if setting.enabled else "Off"]
    for param in setting.rule.params:
        value = setting.params[param.name]
        if isinstance(value, tuple):
            shown = ", ".join(TACTICS.label(code) for code in value) or "none"
        elif isinstance(param, WeekdayParam):
            shown = WEEKDAYS[value]
        else:
            shown = str(value)
        parts.append(f"{param.label}: {shown}")
    return "; ".join(parts)
