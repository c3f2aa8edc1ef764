"""Force administration: the recording policy and the alert rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from uof.admin import bp
from uof.admin.forms import (
    OFF,
    ON,
    SET_FOR_TEAM,
    USE_FORCE_DEFAULT,
    NewVersionForm,
    PresetForm,
    alert_rules_form,
    rule_field_name,
    tactic_field_name,
    tactic_levels_form,
)
from uof.domain.alert_rules import (
    CATALOGUE,
    KIND_LABELS,
    Param,
    Rule,
    TacticsParam,
    WeekdayParam,
    describe,
    validate_params,
)
from uof.domain.policy import effective_from_error
from uof.domain.vocabulary import TACTIC_GROUPS, TACTICS
from uof.extensions import db
from uof.models import Team
from uof.security import roles_required
from uof.services import alert_rules as rule_service
from uof.services import policy
from uof.services.reports import MAX_ID
from uof.uktime import NoSuchLocalTime, local_to_utc, uk_datetime


def _effective(form: NewVersionForm) -> tuple[bool, datetime | None]:
    """Whether the effective time is acceptable, and that time in UTC (None meaning now)."""
    local = form.effective_from.data
    if local is None:
        return True, None
    try:
        when = local_to_utc(local)
    except NoSuchLocalTime as error:
        problem: str | None = str(error)
    else:
        problem = effective_from_error(when, datetime.now(UTC))
    if problem:
        form.effective_from.errors = [*form.effective_from.errors, problem]
        return False, None
    return True, when


@bp.route("/policy", methods=["GET", "POST"], endpoint="policy")
@roles_required("admin")
def policy_page() -> str | Response:
    """The recording threshold: the version in force, its history, and forms for a new version."""
    active = policy.active()
    # Two forms on one page, told apart by their field prefixes; only the one submitted is bound.
    change = next((name for name in ("preset", "levels") if f"{name}-note" in request.form), None)
    preset_form = PresetForm(prefix="preset", data={"preset": active.preset},
                             **({} if change == "preset" else {"formdata": None}))
    levels_form = tactic_levels_form()(
        prefix="levels", data={tactic_field_name(code): level for code, level in active.tactics.items()},
        **({} if change == "levels" else {"formdata": None}),
    )
    row = None
    if change == "preset" and preset_form.validate_on_submit():
        acceptable, effective = _effective(preset_form)
        if acceptable:
            row = policy.set_policy(preset_form.preset.data or "", actor=current_user, effective_from=effective,
                                    note=preset_form.note.data)
    elif change == "levels" and levels_form.validate_on_submit():
        acceptable, effective = _effective(levels_form)
        if acceptable:
            levels = {t.code: levels_form[tactic_field_name(t.code)].data for t in TACTICS.current}
            row = policy.set_policy(active.preset, actor=current_user, tactics=levels, effective_from=effective,
                                    note=levels_form.note.data)
    if row is None:
        groups = [(group, [t for t in TACTICS.current if t.group == group]) for group in TACTIC_GROUPS]
        return render_template("admin/policy.html", active=active, history=policy.history(), groups=groups,
                               preset_form=preset_form, levels_form=levels_form, field_name=tactic_field_name)
    db.session.commit()
    flash(f"Recording policy version {row.version} ({row.preset}) saved, effective {uk_datetime(row.effective_from)}.")
    return redirect(url_for("admin.policy"))


# --- alert rules ---

def _chosen_team() -> Team | None:
    """The team named by ``?team=``, None for the force-wide settings; 404 for a team that does not exist."""
    team_id = request.args.get("team", type=int)
    if team_id is None:
        return None
    team = db.session.get(Team, team_id) if 0 < team_id <= MAX_ID else None
    if team is None:
        abort(404)
    return team


def _form_data(rules: list[Rule], settings: rule_service.RuleSettings, team: Team | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    team_id = team.id if team else None
    for rule in rules:
        setting = settings.of(rule.key, team_id)
        if team is not None:
            overridden = settings.stored(rule.key, team.id) is not None
            data[rule_field_name(rule, "mode")] = SET_FOR_TEAM if overridden else USE_FORCE_DEFAULT
        data[rule_field_name(rule, "enabled")] = ON if setting.enabled else OFF
        for name, value in setting.params.items():
            data[rule_field_name(rule, name)] = list(value) if isinstance(value, tuple) else str(value)
    return data


@dataclass(frozen=True)
class _Change:
    rule: Rule
    use_force_default: bool
    enabled: bool = False
    params: dict[str, object] = field(default_factory=dict)


def _changes(form: FlaskForm, rules: list[Rule], team: Team | None) -> tuple[list[_Change], bool]:
    """What the form asks for, rule by rule, and whether every parameter is valid (errors go on the fields)."""
    changes, valid = [], True
    for rule in rules:
        if team is not None and form[rule_field_name(rule, "mode")].data == USE_FORCE_DEFAULT:
            changes.append(_Change(rule, use_force_default=True))
            continue
        raw = {param.name: form[rule_field_name(rule, param.name)].data for param in rule.params}
        _, errors = validate_params(rule, raw)
        for name, message in errors.items():
            param_field = form[rule_field_name(rule, name)]
            param_field.errors = [*param_field.errors, message]
            valid = False
        changes.append(_Change(rule, False, form[rule_field_name(rule, "enabled")].data == ON, raw))
    return changes, valid


def _apply(changes: list[_Change], team: Team | None) -> int:
    changed = 0
    for change in changes:
        if change.use_force_default:
            assert team is not None
            changed += rule_service.use_force_default(change.rule.key, team_id=team.id, actor=current_user)
        else:
            result = rule_service.save(change.rule.key, team_id=team.id if team else None, enabled=change.enabled,
                                       params=change.params, actor=current_user)
            assert not result.errors, result.errors
            changed += result.changed
    return changed


@bp.route("/alert-rules", methods=["GET", "POST"], endpoint="alert_rules")
@roles_required("admin")
def alert_rules_page() -> str | Response:
    """Every alert rule's force-wide settings, or one team's overrides of them (``?team=<id>``)."""
    team = _chosen_team()
    rules = [rule for rule in CATALOGUE if team is None or rule.per_team]
    settings = rule_service.load()
    form = alert_rules_form(rules, for_team=team is not None)(data=_form_data(rules, settings, team))
    if form.is_submitted():
        fields_valid = form.validate()
        changes, params_valid = _changes(form, rules, team)
        if fields_valid and params_valid:
            changed = _apply(changes, team)
            db.session.commit()
            scope = team.name if team else "the force"
            flash(f"Alert rules for {scope} saved: {changed} rule(s) changed." if changed
                  else f"No changes to the alert rules for {scope}.")
            return redirect(url_for("admin.alert_rules", team=team.id if team else None))
    groups = [(KIND_LABELS[kind], [rule for rule in rules if rule.kind == kind]) for kind in KIND_LABELS]
    return render_template(
        "admin/alert_rules.html", form=form, team=team, groups=[g for g in groups if g[1]],
        teams=db.session.scalars(select(Team).order_by(Team.name)).all(), settings=settings,
        force_only=[rule for rule in CATALOGUE if not rule.per_team] if team else [],
        field_name=rule_field_name, describe=describe, param_kind=_param_kind,
    )


def _param_kind(param: Param) -> str:
    if isinstance(param, TacticsParam):
        return "tactics"
    return "weekday" if isinstance(param, WeekdayParam) else "number"
