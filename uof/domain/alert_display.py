"""How an alert reads to the person it is for: its kind and severity in words, and the numbers behind it.

The rules that raise alerts put their figures in ``Alert.detail`` (a pattern alert: the officer's count beside
the team's median and 95th percentile; a digest: the day's numbers). This turns them into labelled rows, so
that the inbox never shows a raw count without what it is compared with, and a new figure shows up readably
without a change here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from uof.domain.alert_kinds import CRITICAL, DIGEST, IMMEDIATE, INFO, PATTERN, TEST, WARNING, WORKFLOW

KIND_LABELS = {
    IMMEDIATE: "Use of force",
    PATTERN: "Early intervention",
    WORKFLOW: "Review workflow",
    DIGEST: "Digest",
    TEST: "Test",
}
SEVERITY_LABELS = {CRITICAL: "Critical", WARNING: "Warning", INFO: "Information"}
SEVERITY_TAGS = {CRITICAL: "tag tag--red", WARNING: "tag tag--yellow", INFO: "tag tag--grey"}

# Labels for the figures the rules are known to give; anything else is labelled from its key.
FIGURE_LABELS = {
    "count": "Reports in the period",
    "officer_count": "Officer's reports in the period",
    "reports": "Reports",
    "team_median": "Team median",
    "median": "Team median",
    "team_p95": "Team 95th percentile",
    "p95": "Team 95th percentile",
    "percentile": "Percentile compared with",
    "percentile_value": "Team value at that percentile",
    "team_size": "Officers in the team",
    "period_days": "Period (days)",
    "days": "Period (days)",
    "level": "Level reached",
    "threshold": "Threshold",
    "warning": "Warning level",
    "critical": "Critical level",
    "hours": "Hours allowed",
    "returned_on": "Returned on",
    "report_version": "Report version",
    "reason": "Why",
    "team": "Team comparison",
    "waiting_hours": "Hours waiting",
    "reports_24h": "Reports in the last 24 hours",
    "reports_7d": "Reports in the last 7 days",
    "awaiting_review": "Awaiting review",
    "overdue": "Overdue for review",
    "open_alerts": "Open alerts",
    "returned": "Returned for amendment",
    "approved": "Approved",
    "referred": "Referred",
}
# Keys that say which objects an alert is about: shown as links and facts elsewhere, not as figures.
NOT_FIGURES = frozenset({"report_id", "officer_id", "team_id", "review_id", "rule"})


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


def label_for(key: str) -> str:
    return FIGURE_LABELS.get(key) or key.replace("_", " ").strip().capitalize() or key


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return f"{value:,.1f}".removesuffix(".0")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    if value is None:
        return "None"
    return str(value)


def figures(detail: Mapping[str, Any] | None, *, prefix: str = "") -> list[Figure]:
    """The detail's figures in the order the rule gave them; a nested group's labels name their group."""
    rows: list[Figure] = []
    for key, value in (detail or {}).items():
        if not isinstance(key, str) or key in NOT_FIGURES:
            continue
        label = f"{prefix}{label_for(key)}"
        if isinstance(value, Mapping):
            rows.extend(figures(value, prefix=f"{label}: "))
        else:
            rows.append(Figure(label, _text(value)))
    return rows
