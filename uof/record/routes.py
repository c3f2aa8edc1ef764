"""The officer's recording journey as server-rendered pages that work without JavaScript.

Start → one page per section → check your answers → submit, with the draft saved on the server at every
step; the officer's own reports; a report's page with its history; and the amendment of a returned report.
The device form (``/record/device``) puts the same sections on one page for recording with no signal: its
scripts keep the draft and the outbox on the phone, and it sends through the JSON API.
Every rule comes from the domain validator through ``uof.services.reports``: a page shows the errors whose
paths belong to its fields.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from uof.domain.policy import OPTIONAL, PRESET_DESCRIPTIONS, REQUIRED, Policy
from uof.domain.validation import NARRATIVE_MAX, Errors
from uof.domain.vocabulary import TACTIC_GROUPS, TACTICS, Tactic
from uof.extensions import db
from uof.models import (
    APPROVED,
    RECORDING_ROLES,
    REFERRED,
    RESUBMITTED,
    RETURNED,
    SUBMITTED,
    UNDER_REVIEW,
    Draft,
    Report,
)
from uof.record import bp, drafts
from uof.record.answers import QUESTIONS, answers, describe_diff
from uof.record.forms import AmendmentForm, FormContext, SectionForm
from uof.record.sections import BY_SLUG, SECTIONS, Section, errors_by_field, following, locate, position, preceding
from uof.security import roles_required
from uof.services import audit, policy, reports

RECORDERS = tuple(sorted(RECORDING_ROLES))
# The session key that carries a submission's confirmation to the report's page, shown once.
CONFIRMATION = "record.confirmation"
# ?return=check on a section: the officer came from check your answers and goes back there.
RETURN_TO_CHECK = "check"
# The recording duty before any tactic is ticked.
NO_TACTICS_YET = "none"
DUTY_MESSAGES = {
    REQUIRED: "You must record this use of force: at least one tactic you ticked is required by the force's "
              "recording policy.",
    OPTIONAL: "Recording this is voluntary: the force's recording policy does not require any of the tactics "
              "you ticked. You may still record it.",
    NO_TACTICS_YET: "Tick the tactics you used to see whether the force's recording policy requires you to "
                    "record them.",
}
STATUS_TAGS = {
    SUBMITTED: "tag",
    UNDER_REVIEW: "tag tag--yellow",
    APPROVED: "tag tag--green",
    RETURNED: "tag tag--red",
    RESUBMITTED: "tag",
    REFERRED: "tag tag--red",
}


@bp.context_processor
def record_globals() -> dict[str, Any]:
    return {"status_tags": STATUS_TAGS, "duty_messages": DUTY_MESSAGES, "no_tactics_yet": NO_TACTICS_YET,
            "questions": QUESTIONS, "narrative_max": NARRATIVE_MAX}


@dataclass(frozen=True)
class ErrorLink:
    """One line of an error summary: the message and where the field to fix it is."""

    message: str
    href: str


@dataclass(frozen=True)
class TacticChoice:
    code: str
    label: str
    level: str


def _own_draft(draft_id: uuid.UUID) -> Draft:
    draft = drafts.find(current_user, draft_id)
    if draft is None:
        abort(404)
    return draft


def _section_url(draft: Draft, section: Section, *, back_to_check: bool = False, field: str | None = None) -> str:
    values: dict[str, Any] = {"draft_id": draft.client_id, "slug": section.slug}
    if back_to_check:
        values["return"] = RETURN_TO_CHECK
    return url_for("record.section", _anchor=field, **values)


def _duty(recording_policy: Policy, codes: list[str]) -> str:
    return recording_policy.recording_duty(codes) or NO_TACTICS_YET


@bp.get("/")
def home() -> str | Response:
    """Officers and supervisors start at their reports; everyone else is told what they can do here."""
    if current_user.can_record:
        return redirect(url_for("record.my_reports"))
    return render_template("record/home.html")


@bp.get("/record")
@roles_required(*RECORDERS)
def start() -> str:
    """Before a word is typed: which tactics the force's recording policy does not require."""
    active = policy.active()
    not_required = active.not_required()
    return render_template(
        "record/start.html",
        policy=active,
        preset_description=PRESET_DESCRIPTIONS.get(active.preset, ""),
        optional=[tactic for tactic in not_required if active.level(tactic.code) == OPTIONAL],
        excluded=[tactic for tactic in not_required if active.level(tactic.code) != OPTIONAL],
        draft_count=drafts.count_of(current_user),
    )


@bp.post("/record")
@roles_required(*RECORDERS)
def create() -> Response:
    """Start a new report: a draft on the server with a fresh client_id."""
    draft = drafts.start(current_user)
    db.session.commit()
    return redirect(_section_url(draft, SECTIONS[0]), code=303)


@bp.get("/record/device")
@roles_required(*RECORDERS)
def device() -> str:
    """Every section on one page, for recording on the phone with or without a signal.

    The service worker caches this page and a phone may be shared, so it is user-neutral: nothing in it names
    the officer or carries a token the scripts rely on (``user_neutral`` tells the layout). Every current tactic
    is rendered with its level under the active policy, and device-form.js applies the cached policy of
    GET /api/v1/form over it (hiding excluded tactics), as the page may be older than the policy.
    """
    active = policy.active()
    every_tactic = {"tactics": [{"code": tactic.code} for tactic in TACTICS.current]}
    context = FormContext(every_tactic, active, reports.known_areas())
    forms = {each.slug: each.form.make(context, data={}) for each in SECTIONS}
    return render_template(
        "record/device.html",
        user_neutral=True,
        sections=SECTIONS,
        forms=forms,
        policy=active,
        tactic_groups=_tactic_groups(active, offered_only=False),
        duty=NO_TACTICS_YET,
    )


@bp.get("/record/<uuid:draft_id>")
@roles_required(*RECORDERS)
def resume(draft_id: uuid.UUID) -> Response:
    """Carry on with a draft where it needs an answer, or at check your answers."""
    draft = _own_draft(draft_id)
    section = drafts.resume_section(draft)
    if section is None:
        return redirect(url_for("record.check", draft_id=draft.client_id))
    return redirect(_section_url(draft, section))


@bp.route("/record/<uuid:draft_id>/<slug>", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def section(draft_id: uuid.UUID, slug: str) -> str | Response:
    """One section: a POST saves what was entered (errors and all), then moves on only when it is right."""
    draft = _own_draft(draft_id)
    current = BY_SLUG.get(slug)
    if current is None:
        abort(404)
    back_to_check = request.args.get("return") == RETURN_TO_CHECK
    content, state = drafts.content_of(draft), drafts.state_of(draft)
    context = FormContext(content, drafts.recording_policy(draft), reports.known_areas())
    if request.method == "POST":
        form = current.form.make(context)
        form.save(content, state)
        done = set(drafts.visited(draft)) | {current.slug}
        state["visited"] = [each.slug for each in SECTIONS if each.slug in done]
        drafts.store(draft, content, state)
        found = errors_by_field(current, drafts.errors(draft), content)
        db.session.commit()
        if "save_and_exit" in request.form:
            flash("Your draft is saved. Continue it from My reports when you are ready.")
            return redirect(url_for("record.my_reports"), code=303)
        if not found:
            return redirect(_after(draft, current, back_to_check), code=303)
    else:
        form = current.form.make(context, data=current.form.initial(content, state))
        # Errors appear once a section has been answered, so that a first visit is not a page of red.
        answered = current.slug in drafts.visited(draft)
        found = errors_by_field(current, drafts.errors(draft), content) if answered else {}
    return _render_section(draft, current, form, found, context, back_to_check)


def _after(draft: Draft, current: Section, back_to_check: bool) -> str:
    following_section = following(current)
    # Newly ticked tactics need their effectiveness answered before going back to check your answers.
    if current.slug == "tactics" and following_section is not None:
        return _section_url(draft, following_section, back_to_check=back_to_check)
    if back_to_check or following_section is None:
        return url_for("record.check", draft_id=draft.client_id)
    return _section_url(draft, following_section)


def _render_section(draft: Draft, current: Section, form: SectionForm, found: Mapping[str, list[str]],
                    context: FormContext, back_to_check: bool) -> str:
    for name, messages in found.items():
        if name in form:
            form[name].errors = list(messages)
    error_links = [ErrorLink(message, f"#{field.id}") for field in form for message in field.errors]
    previous = preceding(current)
    if back_to_check:
        back_url = url_for("record.check", draft_id=draft.client_id)
    elif previous is not None:
        back_url = _section_url(draft, previous)
    else:
        back_url = url_for("record.my_reports")
    codes = drafts.ticked_codes(context.content)
    return render_template(
        current.template,
        draft=draft,
        section=current,
        form=form,
        error_links=error_links,
        step=position(current) + 1,
        steps=len(SECTIONS),
        back_url=back_url,
        policy=context.policy,
        tactic_groups=_tactic_groups(context.policy),
        duty=_duty(context.policy, codes),
    )


def _tactic_groups(recording_policy: Policy, *, offered_only: bool = True) -> list[tuple[str, list[TacticChoice]]]:
    """The offered tactics (or every current one) under the Home Office types of force, in the order of its
    tables."""
    tactics = recording_policy.offered() if offered_only else [
        tactic for tactic in TACTICS.current if isinstance(tactic, Tactic)]
    offered = sorted(tactics, key=lambda tactic: TACTIC_GROUPS.index(tactic.group))
    return [
        (group, [TacticChoice(t.code, t.label, recording_policy.level(t.code)) for t in tactics])
        for group, tactics in groupby(offered, key=lambda tactic: tactic.group)
    ]


@bp.get("/record/<uuid:draft_id>/check")
@roles_required(*RECORDERS)
def check(draft_id: uuid.UUID) -> str:
    """Check your answers: every answer with a link to change it, every remaining error, any duplicate."""
    draft = _own_draft(draft_id)
    reason = drafts.state_of(draft).get("reason")
    form = AmendmentForm(data={"reason": reason if isinstance(reason, str) else ""})
    return _render_check(draft, drafts.errors(draft), form)


def _error_links(draft: Draft, found: Errors) -> list[ErrorLink]:
    """Each error with a link to the section and field that fix it, in the order of the journey."""
    content = drafts.content_of(draft)
    placed: list[tuple[int, ErrorLink]] = []
    for path, messages in found.items():
        # The amendment service reports the report's fields under "changes."; they are fixed the same way.
        place = locate(path.removeprefix("changes."), content)
        if place is not None:
            where, field = place
            order, href = position(where), _section_url(draft, where, back_to_check=True, field=field)
        else:
            order, href = len(SECTIONS), "#reason" if path == "reason" else "#answers"
        placed.extend((order, ErrorLink(message, href)) for message in messages)
    return [link for _, link in sorted(placed, key=lambda item: item[0])]


def _render_check(draft: Draft, found: Errors, form: AmendmentForm) -> str:
    content = drafts.content_of(draft)
    recording_policy = drafts.recording_policy(draft)
    form.reason.errors = list(found.get("reason", []))
    incident_reference = content.get("incident_reference")
    return render_template(
        "record/check.html",
        draft=draft,
        form=form,
        error_links=_error_links(draft, found),
        summaries=[
            (each, answers(content, each.answers), _section_url(draft, each, back_to_check=True))
            for each in SECTIONS
        ],
        warnings=reports.duplicate_warnings(
            current_user, incident_reference.strip() if isinstance(incident_reference, str) else "",
            exclude_id=draft.amends_report_id,
        ),
        policy=recording_policy,
        duty=_duty(recording_policy, drafts.ticked_codes(content)),
    )


@bp.post("/record/<uuid:draft_id>/submit")
@roles_required(*RECORDERS)
def submit(draft_id: uuid.UUID) -> str | Response:
    """Submit through the same service as the JSON API; a repeated submission goes to the report."""
    draft = drafts.find(current_user, draft_id)
    if draft is None:
        # Already submitted (a double click, or the form sent again): the report carries the draft's client_id.
        existing = db.session.scalar(select(Report).where(
            Report.officer_id == current_user.id, Report.client_id == str(draft_id)))
        if existing is None:
            abort(404)
        return redirect(url_for("record.report", report_id=existing.id), code=303)
    if draft.amends_report_id is not None:
        return _submit_amendment(draft)
    submission = reports.submit(current_user, drafts.report_body(draft))
    if submission.outcome == "invalid":
        db.session.rollback()
        return _render_check(draft, submission.errors, AmendmentForm())
    if submission.outcome == "conflict":
        db.session.rollback()
        assert submission.report is not None
        return _render_check(draft, {"client_id": [
            f"This draft was already submitted as {submission.report.reference} with different answers. "
            f"Open {submission.report.reference} from My reports, or delete this draft."
        ]}, AmendmentForm())
    assert submission.report is not None
    report = submission.report
    _close(draft)
    db.session.commit()
    if submission.outcome == "created":
        _confirm(report, f"Report submitted. Your reference is {report.reference}.", submission.warnings)
    return redirect(url_for("record.report", report_id=report.id), code=303)


def _submit_amendment(draft: Draft) -> str | Response:
    report = draft.amends
    assert report is not None
    form = AmendmentForm()
    reason = form.reason.data or ""
    amendment = reports.amend(report, current_user, {"reason": reason, "changes": drafts.report_body(draft)})
    if amendment.outcome == "amended":
        _close(draft)
        db.session.commit()
        _confirm(report, f"Amendment submitted. {report.reference} is now at version {report.version}.", [])
        return redirect(url_for("record.report", report_id=report.id), code=303)
    db.session.rollback()
    if amendment.outcome == "not_returned":
        found: Errors = {"report": [
            f"{report.reference} is no longer returned for amendment (it is {report.status_label.lower()}), "
            "so it cannot be amended. Delete this draft from My reports."
        ]}
    else:
        found = amendment.errors
    # The reason is kept with the draft, like every other answer, so that nothing typed is lost.
    content, state = drafts.content_of(draft), drafts.state_of(draft)
    state["reason"] = reason
    drafts.store(draft, content, state)
    db.session.commit()
    return _render_check(draft, found, form)


def _close(draft: Draft) -> None:
    """Delete the draft in the submission's transaction; a bulk delete, so that a concurrent double
    submission that already removed it is not an error."""
    db.session.execute(delete(Draft).where(Draft.id == draft.id))


def _confirm(report: Report, message: str, warnings: list[str]) -> None:
    session[CONFIRMATION] = {"report_id": report.id, "message": message, "warnings": warnings}


@bp.post("/record/<uuid:draft_id>/delete")
@roles_required(*RECORDERS)
def delete_draft(draft_id: uuid.UUID) -> Response:
    _close(_own_draft(draft_id))
    db.session.commit()
    flash("The draft was deleted.")
    return redirect(url_for("record.my_reports"), code=303)


@bp.get("/reports")
@roles_required(*RECORDERS)
def my_reports() -> str:
    """The officer's drafts, then the submitted reports, newest first."""
    return render_template(
        "record/my_reports.html",
        drafts=drafts.of_officer(current_user),
        reports=reports.mine(current_user),
    )


@bp.get("/reports/<int:report_id>")
def report(report_id: int) -> str:
    """Every answer, the status, and the history of versions and reviews; each view is audited."""
    shown = reports.visible(current_user, report_id) or abort(404)
    audit.record("report.view", actor=current_user, object_type="report", object_id=shown.id)
    db.session.commit()
    confirmation = session.get(CONFIRMATION)
    if isinstance(confirmation, dict) and confirmation.get("report_id") == shown.id:
        session.pop(CONFIRMATION)
    else:
        confirmation = None
    is_officer = shown.officer_id == current_user.id
    content = shown.content
    return render_template(
        "record/report.html",
        report=shown,
        confirmation=confirmation,
        summaries=[(each, answers(content, each.answers)) for each in SECTIONS],
        versions=[(version, describe_diff(version.diff)) for version in reversed(shown.versions)],
        can_amend=is_officer and shown.status == RETURNED,
        open_amendment=drafts.amendment_of(shown, current_user) if is_officer else None,
    )


@bp.post("/reports/<int:report_id>/amend")
@roles_required(*RECORDERS)
def amend(report_id: int) -> Response:
    """Open the amendment of a returned report (or carry on with the one already open)."""
    shown = reports.visible(current_user, report_id) or abort(404)
    if shown.officer_id != current_user.id:
        abort(404)
    if shown.status != RETURNED:
        flash(f"{shown.reference} can be amended only while it is returned for amendment.")
        return redirect(url_for("record.report", report_id=shown.id), code=303)
    draft = drafts.amendment_of(shown, current_user)
    if draft is None:
        try:
            with db.session.begin_nested():
                draft = drafts.start_amendment(shown, current_user)
        except IntegrityError:
            # A second click committed the same draft first: carry on with that one.
            draft = drafts.amendment_of(shown, current_user)
            if draft is None:
                raise
        db.session.commit()
    return redirect(_section_url(draft, SECTIONS[0]), code=303)
