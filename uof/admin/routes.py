"""Force administration: the recording policy."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from uof.admin import bp
from uof.admin.forms import NewVersionForm, PresetForm, tactic_field_name, tactic_levels_form
from uof.domain.policy import effective_from_error
from uof.domain.vocabulary import TACTIC_GROUPS, TACTICS
from uof.extensions import db
from uof.security import roles_required
from uof.services import policy
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
