"""The rules of a scrutiny sample: what may be asked for, the panel's grades, and what the panel may not learn.

A panel grades each report green (the force used was appropriate and well recorded), amber (some concern or
learning) or red (serious concern), with optional feedback; a grade may be changed until the sample is closed.

The panel sees no officer, incident reference or report id. The few free-text fields it does see (the body-worn
video reference, which it needs to find the footage, and the area) are typed by officers, so any identifier of
the report's officer or incident found in them is blanked out (``redact``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from uof.domain.validation import Errors, has_control_characters

GREEN, AMBER, RED = "green", "amber", "red"
GRADES = (GREEN, AMBER, RED)
GRADE_LABELS = {GREEN: "Green", AMBER: "Amber", RED: "Red"}
GRADE_MEANINGS = {
    GREEN: "The force used was appropriate and well recorded",
    AMBER: "Some concern, or learning for the force",
    RED: "Serious concern",
}
UNGRADED_LABEL = "Not graded yet"
# The rows of a table of grades: each grade, then the items not graded yet.
GRADE_ROWS: tuple[tuple[str | None, str], ...] = (*GRADE_LABELS.items(), (None, UNGRADED_LABEL))

OPEN, CLOSED = "open", "closed"
STATUS_LABELS = {OPEN: "Open for grading", CLOSED: "Closed"}

SIZE_MAX = 500
# The seed is stored in a 32-bit integer column.
SEED_MAX = 2**31 - 1
TITLE_MAX = 120
FEEDBACK_MAX = 2000

REDACTED = "[removed]"
# Shorter identifiers would blank out ordinary words and numbers; force numbers and references are longer.
IDENTIFIER_MIN = 3


def check_grading(grade: object, feedback: object) -> Errors:
    """Errors in a grading, by field (``grade``, ``feedback``); none when it may be recorded."""
    errors: Errors = {}
    if grade not in GRADES:
        errors["grade"] = ["Choose green, amber or red."]
    if feedback is not None and not isinstance(feedback, str):
        errors["feedback"] = ["Feedback must be text."]
    elif feedback:
        if len(feedback) > FEEDBACK_MAX:
            errors["feedback"] = [f"Feedback must be at most {FEEDBACK_MAX:,} characters; it has {len(feedback):,}."]
        elif has_control_characters(feedback):
            errors["feedback"] = ["Feedback cannot contain control characters: type it again as plain text."]
    return errors


def check_title(title: str) -> str | None:
    """What is wrong with a sample's title, or None."""
    if not title.strip():
        return "Give the sample a title, such as the panel's name and the date it meets."
    if len(title) > TITLE_MAX:
        return f"The title must be at most {TITLE_MAX} characters."
    if has_control_characters(title):
        return "The title cannot contain control characters."
    return None


@dataclass(frozen=True)
class Identifiers:
    """What would identify the officer or the incident of one report."""

    officer_name: str
    force_number: str | None
    email: str
    incident_reference: str
    report_reference: str


def redact(text: str, who: Identifiers) -> str:
    """``text`` with every identifier of ``who`` replaced by ``[removed]``, ignoring case.

    The name, whole and each part of it, counts only as a word of its own (not inside a longer word, so that
    an officer called Lee leaves Leeds alone); the force number, the email address and its user name, and the
    references count wherever they appear, so a footage reference such as BWV-PC4521-01 loses the force number.
    """
    words = {part.strip() for part in (who.officer_name, *who.officer_name.split())}
    anywhere = {item.strip() for item in (who.force_number or "", who.email, who.email.split("@")[0],
                                          who.incident_reference, who.report_reference)}
    # Longest first, so that a whole name or an email address is replaced before any part of it.
    kept = sorted({item for item in words | anywhere if len(item) >= IDENTIFIER_MIN},
                  key=lambda item: (-len(item), item))
    if not kept:
        return text
    patterns = [re.escape(item) if item in anywhere else rf"(?<![^\W_]){re.escape(item)}(?![^\W_])" for item in kept]
    return re.sub("|".join(patterns), REDACTED, text, flags=re.IGNORECASE)


@dataclass(frozen=True)
class Tally:
    """The grades of some items: counts, and each as a share of all the items."""

    counts: dict[str | None, int]  # every grade, then None (not graded yet)
    total: int

    @property
    def graded(self) -> int:
        return self.total - self.counts[None]

    def share(self, grade: str | None) -> float:
        """Percent of all the items, 0 when there are none."""
        return 100 * self.counts[grade] / self.total if self.total else 0.0


def tally(grades: Iterable[str | None]) -> Tally:
    counted = Counter(grades)
    unknown = set(counted) - {*GRADES, None}
    if unknown:
        raise ValueError(f"unknown grades: {sorted(map(str, unknown))}")
    counts: dict[str | None, int] = {grade: counted[grade] for grade in (*GRADES, None)}
    return Tally(counts, sum(counts.values()))
