"""A small force for the scrutiny tests: officers with names and force numbers, reports of every type of force in
the first quarter of 2025/26, a few just outside it, and one report whose free text is hostile."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import Maker, Person

HOSTILE_AREA = '=HYPERLINK("http://x.example","Smith PC4521")'
HOSTILE_BWV = '=HYPERLINK("x","Alice Smith PC4521 CAD-777-HOSTILE")'
HOSTILE_REFERENCE = "CAD-777-HOSTILE"
PERIOD = {"date_from": "2025-04-01", "date_to": "2025-06-30"}


def tactics(*codes: str) -> list[dict[str, object]]:
    return [{"code": code, "effective": True} for code in codes]


@dataclass(frozen=True)
class World:
    officer: Person
    other: Person
    governance: Person
    # Report ids in the period, by their most serious type of force.
    restraint: int
    less_lethal: int
    unarmed: int
    other_force: int
    firearms: int
    hostile: int
    first_minute: int  # 00:30 BST on 1 April: in the period
    # Outside the period.
    after: int
    before: int

    @property
    def in_period(self) -> set[int]:
        return {self.restraint, self.less_lethal, self.unarmed, self.other_force, self.firearms, self.hostile,
                self.first_minute}


@pytest.fixture
def world(make: Maker) -> World:
    make.team("Birmingham Central A", "Birmingham")
    make.team("Coventry Response", "Coventry")
    make.team("Hostile Team", HOSTILE_AREA)
    officer = make.user("alice.smith@example.org", "officer", teams=("Birmingham Central A",),
                        force_number="PC4521", name="Alice Smith")
    other = make.user("bob.jones@example.org", "officer", teams=("Coventry Response",),
                      force_number="PC9876", name="Bob Jones")
    make.user("sergeant@example.org", "supervisor", "officer", teams=("Birmingham Central A",))
    governance = make.user("acc@example.org", "governance", name="Assistant Chief Constable")
    make.user("admin@example.org", "admin")
    make.user("auditor@example.org", "auditor")

    def report(officer: Person, when: str, *codes: str, **overrides: object) -> int:
        return make.report(officer, incident_at=when, tactics=tactics(*codes), ced_carried=True, **overrides)

    return World(
        officer=officer, other=other, governance=governance,
        restraint=report(officer, "2025-04-10T10:00:00Z", "non_compliant_handcuffing", area="Birmingham"),
        less_lethal=report(officer, "2025-05-02T21:15:00Z", "ced_drawn", "ced_fired", "non_compliant_handcuffing",
                           area="Birmingham"),
        unarmed=report(other, "2025-05-20T12:00:00Z", "unarmed_skills", area="Coventry"),
        other_force=report(other, "2025-06-01T08:00:00Z", "dog_bite", "baton_used", area="Coventry"),
        firearms=report(other, "2025-06-15T02:00:00Z", "firearm_aimed", "ced_aimed", area="Coventry"),
        hostile=report(officer, "2025-06-20T18:00:00Z", "ground_restraint", area=HOSTILE_AREA,
                       incident_reference=HOSTILE_REFERENCE,
                       bwv={"worn": True, "recording": True, "reference": HOSTILE_BWV,
                            "viewed_before_account": False}),
        first_minute=report(officer, "2025-03-31T23:30:00Z", "compliant_handcuffing", area="Birmingham"),
        after=report(officer, "2025-06-30T23:30:00Z", "unarmed_skills", area="Birmingham"),
        before=report(officer, "2025-03-31T22:59:00Z", "unarmed_skills", area="Birmingham"),
    )
