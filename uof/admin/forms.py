from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from uof.domain.alert_rules import WEEKDAYS, Param, Rule, TacticsParam, WeekdayParam
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


# --- alert rules ---

USE_FORCE_DEFAULT = "force"
SET_FOR_TEAM = "team"
ON, OFF = "on", "off"


def rule_field_name(rule: Rule, part: str) -> str:
    """The form field of one part of a rule: "mode", "enabled" or a parameter's name."""
    return f"{rule.key}__{part}"


def _param_field(param: Param) -> Field:
    if isinstance(param, TacticsParam):
        return SelectMultipleField(
            param.label, choices=[SelectChoice(t.code, t.label) for t in TACTICS.current], validate_choice=False,
            description=param.hint,
        )
    if isinstance(param, WeekdayParam):
        return SelectField(param.label, choices=[SelectChoice(str(n), day) for n, day in enumerate(WEEKDAYS)],
                           description=param.hint)
    # Text, not IntegerField: the rule's own validation words the error ("Warning at must be between 1 and 1000").
    return StringField(param.label, description=param.hint, render_kw={"inputmode": "numeric"})


def alert_rules_form(rules: list[Rule], *, for_team: bool) -> type[FlaskForm]:
    """One form for every rule in a scope: on or off and the parameters, and for a team whether it overrides."""
    fields: dict[str, Field] = {}
    for rule in rules:
        if for_team:
            fields[rule_field_name(rule, "mode")] = RadioField(
                "For this team", choices=[SelectChoice(USE_FORCE_DEFAULT, "Use the force default"),
                                          SelectChoice(SET_FOR_TEAM, "Set for this team")],
                validators=[InputRequired("Choose whether this team uses the force default.")],
            )
        fields[rule_field_name(rule, "enabled")] = RadioField(
            "Alerts", choices=[SelectChoice(ON, "On"), SelectChoice(OFF, "Off")],
            validators=[InputRequired(f"Choose whether {rule.label} is on or off.")],
        )
        for param in rule.params:
            fields[rule_field_name(rule, param.name)] = _param_field(param)
    return type("AlertRulesForm", (FlaskForm,), fields)
