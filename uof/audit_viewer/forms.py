"""The audit log's filters, sent by GET so that a filtered view can be bookmarked and exported."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from uof.services import audit_log
from uof.services.reports import MAX_ID

_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_UK = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_uk_date(text: str) -> date:
    """26/11/2026 (UK order) or 2026-11-26 (a date picker's value)."""
    value = text.strip()
    try:
        if _ISO.match(value):
            return datetime.strptime(value, "%Y-%m-%d").date()
        if match := _UK.match(value):
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
    except ValueError:
        pass
    raise ValueError("not a date")


class UKDateField(StringField):
    """A date typed in the UK order; ``parsed`` holds the date once valid."""

    parsed: date | None = None

    def pre_validate(self, form: Any) -> None:
        self.parsed = None
        if not self.data or not self.data.strip():
            return
        try:
            self.parsed = parse_uk_date(self.data)
        except ValueError:
            raise ValidationError(f"{self.label.text} must be a real date, like 26/11/2026.") from None
        if self.parsed.year < 2000:
            raise ValidationError(f"{self.label.text} must be in or after 2000.")


def _object(form: Any, field: Field) -> None:
    if field.data and field.data.strip():
        try:
            audit_log.parse_object(field.data)
        except audit_log.BadObject as error:
            raise ValidationError(str(error)) from None


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    user = StringField("User", validators=[Optional(), Length(max=254, message="Enter at most 254 characters.")])
    action = SelectField("Action", choices=[SelectChoice("", "Any action")], default="")
    object = StringField("Object", validators=[Optional(), Length(max=80, message="Enter at most 80 characters."),
                                               _object])
    date_from = UKDateField("From")
    date_to = UKDateField("To")
    before = IntegerField("Older than entry", validators=[Optional(), NumberRange(1, MAX_ID)])
    after = IntegerField("Newer than entry", validators=[Optional(), NumberRange(0, MAX_ID)])

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action.choices = [SelectChoice("", "Any action"), *(SelectChoice(name, name) for name in actions)]

    def validate_date_to(self, field: UKDateField) -> None:
        start = self.date_from.parsed
        if start is not None and field.parsed is not None and field.parsed < start:
            raise ValidationError("To must be the same as or after From.")

    def filters(self) -> audit_log.Filters:
        """The filters of a validated form."""
        obj = self.object.data.strip() if self.object.data else ""
        return audit_log.Filters(
            user=(self.user.data or "").strip() or None,
            action=self.action.data or None,
            object=audit_log.parse_object(obj) if obj else None,
            date_from=self.date_from.parsed,
            date_to=self.date_to.parsed,
        )
