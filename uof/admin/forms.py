from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from uof.domain.policy import LEVELS, PRESET_DESCRIPTIONS, PRESETS
from uof.domain.vocabulary import TACTICS

LEVEL_LABELS = {"required": "Required", "optional": "Optional (not required)", "excluded": "Not recorded"}


class NewVersionForm(FlaskForm):
    """What every policy change records: when it takes effect and why."""

    effective_from = DateTimeLocalField(
        "Effective from (UK time)", format="%Y-%m-%dT%H:%M", validators=[Optional()],
        description="Leave blank for now. A future time schedules the change.",
    )
    note = TextAreaField("Reason for the change", validators=[InputRequired("Give the reason for the change."),
                                                             Length(max=500)])


class PresetForm(NewVersionForm):
    preset = RadioField(
        "Preset",
        choices=[SelectChoice(preset, f"{preset.title()}: {PRESET_DESCRIPTIONS[preset]}") for preset in PRESETS],
        validators=[InputRequired("Choose a preset.")],
    )


def tactic_field_name(code: str) -> str:
    return f"tactic_{code}"


def tactic_levels_form() -> type[NewVersionForm]:
    """A form with one level per tactic in the vocabulary, on top of the active preset."""
    fields = {
        tactic_field_name(tactic.code): SelectField(
            tactic.label, choices=[SelectChoice(level, LEVEL_LABELS[level]) for level in LEVELS]
        )
        for tactic in TACTICS.current
    }
    return type("TacticLevelsForm", (NewVersionForm,), fields)
