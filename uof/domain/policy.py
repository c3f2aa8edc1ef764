"""The force's recording policy: how much force must be recorded.

Each tactic has a level: ``required`` (must be recorded), ``optional`` (may be recorded) or ``excluded`` (not
offered). A policy is a preset plus any per-tactic overrides; the stored versions live in the database and
this module only reasons about one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from uof.domain.vocabulary import TACTICS, Tactic

REQUIRED = "required"
OPTIONAL = "optional"
EXCLUDED = "excluded"
LEVELS = (REQUIRED, OPTIONAL, EXCLUDED)

NATIONAL = "national"
DEROGATED = "derogated"
PRESETS = (NATIONAL, DEROGATED)

PRESET_DESCRIPTIONS = {
    NATIONAL: "The full national (NPCC / Home Office) standard: every use of force must be recorded.",
    DEROGATED: (
        "Lower-level force (tactical communication, compliant handcuffing, a baton or irritant spray drawn "
        "but not used, a dog deployed without a bite) may be recorded but is not required."
    ),
}


def preset_level(preset: str, tactic: Tactic) -> str:
    if preset == DEROGATED and tactic.lower_level:
        return OPTIONAL
    return REQUIRED


def preset_tactics(preset: str) -> dict[str, str]:
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}")
    return {t.code: preset_level(preset, t) for t in TACTICS.current if isinstance(t, Tactic)}


@dataclass(frozen=True)
class Policy:
    version: int
    preset: str
    overrides: Mapping[str, str] = field(default_factory=dict)

    def level(self, code: str) -> str:
        """A tactic's level; codes added to the vocabulary after this version fall back to the preset."""
        if code in self.overrides:
            return self.overrides[code]
        term = TACTICS.get(code)
        return preset_level(self.preset, term) if isinstance(term, Tactic) else EXCLUDED

    @property
    def tactics(self) -> dict[str, str]:
        return {t.code: self.level(t.code) for t in TACTICS.current}

    def offered(self) -> list[Tactic]:
        return [t for t in TACTICS.current if isinstance(t, Tactic) and self.level(t.code) != EXCLUDED]

    def not_required(self) -> list[Tactic]:
        return [t for t in TACTICS.current if isinstance(t, Tactic) and self.level(t.code) != REQUIRED]

    def recording_duty(self, codes: Iterable[str]) -> str | None:
        """Whether a report with these tactics must be recorded: ``required``, ``optional`` or None if empty."""
        levels = {self.level(code) for code in codes}
        if not levels:
            return None
        return REQUIRED if REQUIRED in levels else OPTIONAL

    def as_json(self) -> dict[str, object]:
        return {"version": self.version, "preset": self.preset, "tactics": self.tactics}


# A change takes effect now or later: a back-dated version would re-judge incidents already recorded.
BACKDATE_TOLERANCE = timedelta(minutes=5)


def effective_from_error(effective_from: datetime, now: datetime) -> str | None:
    if effective_from < now - BACKDATE_TOLERANCE:
        return "The effective time must be now or later."
    return None


def overrides_for(preset: str, tactics: Mapping[str, str]) -> dict[str, str]:
    """The per-tactic levels that differ from the preset, validated; raises ValueError on bad input."""
    base = preset_tactics(preset)
    overrides: dict[str, str] = {}
    for code, level in tactics.items():
        if code not in base:
            raise ValueError(f"unknown tactic {code!r}")
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r} for {code}")
        if level != base[code]:
            overrides[code] = level
    return overrides
