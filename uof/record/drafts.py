"""Drafts on the server: their content in the API shape, the form's own state beside it, and checking them.

``Draft.content`` holds the report as the JSON API would receive it, plus one key, ``FORM_STATE``, for what
only the form needs: the date and time exactly as typed (so that "31 2 2026" is shown again rather than
lost), the sections the officer has been through, and an amendment's reason. That key never reaches the
validator or the submission service.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from uof.domain.policy import Policy
from uof.domain.validation import Errors, parse_datetime
from uof.extensions import db
from uof.models import Draft, Report, User, utcnow
from uof.record.forms import Content, State, tactic_items
from uof.record.sections import SECTIONS, Section, errors_by_field
from uof.services import policy, reports

FORM_STATE = "_form"


def content_of(draft: Draft) -> Content:
    """A copy of the draft's report content, to change and store back (the JSON column is not tracked)."""
    return {key: copy.deepcopy(value) for key, value in (draft.content or {}).items() if key != FORM_STATE}


def state_of(draft: Draft) -> State:
    state = (draft.content or {}).get(FORM_STATE)
    return copy.deepcopy(state) if isinstance(state, dict) else {}


def store(draft: Draft, content: Content, state: State) -> None:
    draft.content = content | {FORM_STATE: state}
    draft.updated_at = utcnow()


def report_body(draft: Draft) -> dict[str, Any]:
    """The draft as the body that the JSON API's submission takes."""
    return content_of(draft) | {"client_id": draft.client_id}


def find(officer: User, client_id: uuid.UUID) -> Draft | None:
    """The officer's own draft; someone else's is not found."""
    return db.session.scalar(select(Draft).where(Draft.officer_id == officer.id, Draft.client_id == str(client_id)))


def of_officer(officer: User) -> list[Draft]:
    return list(db.session.scalars(
        select(Draft).where(Draft.officer_id == officer.id).options(joinedload(Draft.amends))
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
    ))


def count_of(officer: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Draft).where(Draft.officer_id == officer.id)) or 0


def amendment_of(report: Report, officer: User) -> Draft | None:
    return db.session.scalar(
        select(Draft).where(Draft.amends_report_id == report.id, Draft.officer_id == officer.id)
    )


def start(officer: User) -> Draft:
    """A new report's draft, in the officer's team area unless they choose another."""
    area = officer.team.area if officer.team else None
    content: Content = {"area": area} if area in reports.known_areas() else {}
    draft = Draft(client_id=str(uuid.uuid4()), officer_id=officer.id)
    store(draft, content, {})
    db.session.add(draft)
    return draft


def start_amendment(report: Report, officer: User) -> Draft:
    """A draft holding the report's current version, every section already answered.

    It takes the report's client_id: the submission service requires it unchanged, and the drafts table's
    unique (officer, client_id) then allows only one open amendment per report.
    """
    draft = Draft(client_id=report.client_id, officer_id=officer.id, amends_report_id=report.id)
    content = copy.deepcopy(report.content)
    content.pop("client_id", None)
    store(draft, content, {"visited": [section.slug for section in SECTIONS]})
    db.session.add(draft)
    return draft


def recording_policy(draft: Draft) -> Policy:
    """The policy the draft is recorded under: an amendment keeps its report's; a new report takes the one
    in force at the incident's time, or the active one until the date is entered."""
    if draft.amends is not None:
        return policy.by_version(draft.amends.policy_version)
    incident_at = parse_datetime(draft.content.get("incident_at"))
    return policy.policy_at(incident_at) if incident_at else policy.active()


def errors(draft: Draft) -> Errors:
    """Every error in the draft: the domain validator's, with what could not be read as typed instead of
    "enter a date" where the officer did type something."""
    found = dict(reports.validate(report_body(draft)).errors)
    state = state_of(draft)
    for section in SECTIONS:
        found.update(section.form.typing_errors(state))
    return found


def visited(draft: Draft) -> list[str]:
    return [slug for slug in state_of(draft).get("visited", []) if isinstance(slug, str)]


def resume_section(draft: Draft) -> Section | None:
    """Where to carry on: the first section not yet answered or still with errors; None when all are done."""
    found, done, content = errors(draft), set(visited(draft)), content_of(draft)
    for section in SECTIONS:
        if section.slug not in done or errors_by_field(section, found, content):
            return section
    return None


def ticked_codes(content: Mapping[str, Any]) -> list[str]:
    return [item["code"] for item in tactic_items(content)]
