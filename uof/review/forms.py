"""The decision form. It carries the answers and the CSRF token; the rules are uof.domain.review's, as for the API."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField

from uof.domain.review import APPROVE, BWV_REFERENCE_MAX, COMMENT_MAX, REFER, RETURN

DECISION_CHOICES = [
    SelectChoice(APPROVE, "Approve"),
    SelectChoice(RETURN, "Return to the officer for amendment"),
    SelectChoice(REFER, "Refer to professional standards"),
]


class ReviewForm(FlaskForm):
    decision = RadioField("Your decision", choices=DECISION_CHOICES, validate_choice=False)
    comment = TextAreaField(
        "Comment",
        description=f"Required when you return or refer the report: say what the officer must amend, or why you "
                    f"refer it. The officer sees this comment. At most {COMMENT_MAX:,} characters.",
    )
    bwv_reviewed = BooleanField("I have reviewed the body-worn video")
    bwv_reference = StringField(
        "Footage reference",
        description=f"The reference of the footage you reviewed. At most {BWV_REFERENCE_MAX} characters.",
    )
    debrief_held = BooleanField("Debrief held with the officer")

    def decision_body(self) -> dict[str, Any]:
        """The form's answers in the API's shape; the reference counts only with the video reviewed."""
        reviewed = bool(self.bwv_reviewed.data)
        return {
            "decision": self.decision.data or None,
            "comment": self.comment.data or None,
            "bwv_reviewed": reviewed,
            "bwv_reference": (self.bwv_reference.data or None) if reviewed else None,
            "debrief_held": bool(self.debrief_held.data),
        }
