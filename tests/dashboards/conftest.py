"""A small team with hand-countable reports around the UK clock change of Sunday 30 March 2025.

``NOW`` is Wednesday 2 April 2025, 13:00 BST. The four-week period runs from Monday 10 March (GMT) to Sunday
6 April (BST). The force moved from the national to the derogated recording policy on 20 March 2025.

|    | officer | incident, UTC    | UK week    | tactics                                     | BWV            | status |
|----|---------|------------------|------------|---------------------------------------------|----------------|--------|
| r1 | alice   | Tue 11 Mar 10:00 | 10 Mar     | non-compliant handcuffing, tactical comm.   | worn, rec, ref | done   |
| r2 | alice   | Sat 22 Mar 23:30 | 17 Mar     | Taser drawn, aimed, fired                   | worn, rec      | ret.   |
| r3 | alice   | Sun 30 Mar 23:30 | 31 Mar (*) | CS drawn, PAVA drawn, compliant handcuffing | not worn       | sub.   |
| r4 | bob     | Sat 29 Mar 12:00 | 24 Mar     | compliant handcuffing, tactical comm.       | worn           | ref.   |
| r5 | bob     | Wed 5 Mar 12:00  | 3 Mar      | unarmed skills (before the four weeks)      | worn, rec, ref | sub.   |
| r6 | carol   | Tue 1 Apr 08:00  | 31 Mar     | Taser red-dot, non-compliant handcuffing    | worn, rec, ref | sub.   |
| r7 | eve     | Wed 12 Mar 12:00 | 10 Mar     | (another team)                              | worn, rec, ref | sub.   |

(*) Sunday 23:30 UTC is Monday 00:30 BST. Statuses: sub(mitted), done (approved), ret(urned), ref(erred).

dave is in the team with no reports; the sergeant supervises it and, recording force too, is counted with the
officers (with no reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from tests.factories import Maker, Person
from uof.extensions import db
from uof.models import Report
from uof.services import policy

TEAM = "Birmingham Central A"
OTHER_TEAM = "Coventry Response"
NOW = datetime(2025, 4, 2, 12, 0, tzinfo=UTC)
POLICY_CHANGE = datetime(2025, 3, 20, 0, 0, tzinfo=UTC)


def tactics(*codes: str) -> list[dict[str, Any]]:
    return [{"code": code, "effective": True} for code in codes]


def bwv(worn: bool, recording: bool = False, reference: str | None = None) -> dict[str, Any]:
    return {"worn": worn, "recording": recording, "reference": reference, "viewed_before_account": False}


@dataclass(frozen=True)
class Seeded:
    team_id: int
    other_team_id: int
    reports: dict[str, int]
    sergeant: Person
    other_sergeant: Person
    alice: Person
    bob: Person
    carol: Person
    dave: Person


def set_waiting(app: Flask, report_id: int, since: datetime | None) -> None:
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report is not None
        report.awaiting_review_since = since
        db.session.commit()


@pytest.fixture
def seeded(app: Flask, make: Maker) -> Seeded:
    team_id = make.team(TEAM, "Birmingham")
    other_team_id = make.team(OTHER_TEAM, "Coventry")
    with app.app_context():
        policy.set_policy("derogated", actor=None, effective_from=POLICY_CHANGE, note="Derogation")
        db.session.commit()
    sergeant = make.user("sergeant.a@example.org", "supervisor", teams=(TEAM,), name="Sam Sergeant")
    other_sergeant = make.user("sergeant.b@example.org", "supervisor", teams=(OTHER_TEAM,), name="Olu Other")
    alice = make.user("alice@example.org", "officer", teams=(TEAM,), force_number="A1", name="Alice Able")
    bob = make.user("bob@example.org", "officer", teams=(TEAM,), force_number="B2", name="Bob Baker")
    carol = make.user("carol@example.org", "officer", teams=(TEAM,), force_number="C3", name="Carol Cole")
    dave = make.user("dave@example.org", "officer", teams=(TEAM,), force_number="D4", name="Dave Dunn")
    eve = make.user("eve@example.org", "officer", teams=(OTHER_TEAM,), force_number="E5", name="Eve Evans")
    taser = {"ced_carried": True, "ced_trained": True}
    reports = {
        "r1": make.report(alice, incident_at="2025-03-11T10:00:00Z",
                          tactics=tactics("tactical_communication", "non_compliant_handcuffing"),
                          bwv=bwv(True, True, "BWV-1")),
        "r2": make.report(alice, incident_at="2025-03-22T23:30:00Z",
                          tactics=tactics("ced_drawn", "ced_aimed", "ced_fired"), bwv=bwv(True, True), **taser),
        "r3": make.report(alice, incident_at="2025-03-30T23:30:00Z",
                          tactics=tactics("irritant_spray_cs_drawn", "irritant_spray_pava_drawn",
                                          "compliant_handcuffing"),
                          bwv=bwv(False)),
        "r4": make.report(bob, incident_at="2025-03-29T12:00:00Z",
                          tactics=tactics("compliant_handcuffing", "tactical_communication"), bwv=bwv(True)),
        "r5": make.report(bob, incident_at="2025-03-05T12:00:00Z", tactics=tactics("unarmed_skills")),
        "r6": make.report(carol, incident_at="2025-04-01T08:00:00Z",
                          tactics=tactics("ced_red_dot", "non_compliant_handcuffing"), bwv=bwv(True, True, "BWV-6"),
                          **taser),
        "r7": make.report(eve, incident_at="2025-03-12T12:00:00Z"),
    }
    make.set_status(reports["r1"], "approved")
    make.set_status(reports["r2"], "returned")
    make.set_status(reports["r4"], "referred")
    for name in ("r1", "r2", "r4"):
        set_waiting(app, reports[name], None)
    set_waiting(app, reports["r3"], datetime(2025, 3, 31, 8, 0, tzinfo=UTC))   # 52 hours before NOW
    set_waiting(app, reports["r5"], datetime(2025, 3, 6, 12, 0, tzinfo=UTC))   # 648 hours
    set_waiting(app, reports["r6"], datetime(2025, 3, 29, 10, 0, tzinfo=UTC))  # 98 hours
    set_waiting(app, reports["r7"], datetime(2025, 3, 13, 12, 0, tzinfo=UTC))  # the other team's
    return Seeded(team_id, other_team_id, reports, sergeant, other_sergeant, alice, bob, carol, dave)
