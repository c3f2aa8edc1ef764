from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf

from uof.services.team_stats import DEFAULT_WEEKS, PERIOD_WEEKS

PERIOD_CHOICES = [str(weeks) for weeks in PERIOD_WEEKS]


class PeriodForm(FlaskForm):
    """The dashboard's period, sent by GET: a link to a period can be shared and bookmarked."""

    class Meta:
        csrf = False

    weeks = SelectField(
        "Period",
        choices=[SelectChoice(weeks, f"Last {weeks} weeks") for weeks in PERIOD_CHOICES],
        default=str(DEFAULT_WEEKS),
        validate_choice=False,
        validators=[AnyOf(PERIOD_CHOICES, message="Choose a period of 4, 12, 26 or 52 weeks.")],
    )
