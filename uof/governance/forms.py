"""Governance forms. They carry the answers and the CSRF token; the rules are ``uof.services.scrutiny``'s and
``uof.domain.scrutiny``'s, which say what is wrong field by field."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from uof.domain import scrutiny as rules
from uof.domain.validation import Errors

ALL_AREAS = ""


class DrawSampleForm(FlaskForm):
    """A new scrutiny sample: its title, the period and area its reports come from, its size and seed."""

    title = StringField("Title or panel name", description=f"At most {rules.TITLE_MAX} characters.")
    # Text, not a date field: uof.services.exports.parse_period words the errors as the exports do.
    date_from = StringField("From", render_kw={"type": "date"})
    date_to = StringField("To", render_kw={"type": "date"})
    area = SelectField("Area", validate_choice=False, default=ALL_AREAS)
    size = StringField("Number of reports", default="20", render_kw={"inputmode": "numeric"},
                       description=f"From 1 to {rules.SIZE_MAX}. If the period has fewer reports, every one of them "
                                   "is in the sample.")
    seed = StringField("Seed (optional)", render_kw={"inputmode": "numeric"},
                       description="Leave empty for a new random seed. The same seed over the same reports draws the "
                                   "same sample, so anyone can check the draw.")
    stratified = BooleanField("Share the sample among the types of force", default=True,
                              description="In proportion to how often each Home Office type of force was the most "
                                          "serious in a report, with at least one report of each when the sample is "
                                          "large enough.")

    def __init__(self, *args: Any, areas: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.area.choices = [SelectChoice(ALL_AREAS, "All areas"), *(SelectChoice(area, area) for area in areas)]

    def answers(self) -> dict[str, Any]:
        return {name: self[name].data for name in ("title", "date_from", "date_to", "area", "size", "seed",
                                                   "stratified")}


class GradeForm(FlaskForm):
    """The panel's grade of one sampled report; each report's form has its own prefix, so ids stay unique."""

    grade = RadioField(
        "Panel grade",
        choices=[SelectChoice(grade, f"{rules.GRADE_LABELS[grade]}: {rules.GRADE_MEANINGS[grade].lower()}")
                 for grade in rules.GRADES],
        validate_choice=False,
    )
    feedback = TextAreaField("Panel feedback (optional)",
                             description=f"At most {rules.FEEDBACK_MAX:,} characters. Do not name anyone.",
                             render_kw={"rows": 3})


def show_errors(form: FlaskForm, errors: Errors) -> list[dict[str, str]]:
    """Put the service's errors beside the form's fields; the links for the page's error summary."""
    links: list[dict[str, str]] = []
    for name, messages in errors.items():
        field = form[name]
        field.errors = [*field.errors, *messages]
        links.extend({"message": message, "href": f"#{field.id}"} for message in messages)
    return links
