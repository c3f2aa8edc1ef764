"""The counting rules and the dashboard's pure computations, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from uof.domain.counting import (
    NOT_COUNTED_FOR_EARLY_INTERVENTION,
    category_order,
    force_categories,
)
from uof.models import PolicyVersion
from uof.services.team_stats import (
    DEFAULT_EARLY_INTERVENTION,
    Officer,
    compare_officers,
    ordinal,
    period_ending,
    policies_in_period,
    share,
    status_counts,
    tactic_codes,
    tactic_mix,
    weekly_counts,
)


def test_each_category_is_counted_once_per_report():
    assert force_categories(["irritant_spray_cs_drawn", "irritant_spray_pava_drawn"]) == ["Irritant spray - drawn"]
    assert force_categories(["firearm_aimed", "firearm_fired"]) == ["Firearms"]


def test_taser_is_counted_at_its_highest_level_only():
    assert force_categories(["ced_drawn", "ced_aimed", "ced_red_dot", "non_compliant_handcuffing"]) == [
        "Non-compliant handcuffing", "CED Red-dot"]
    assert force_categories(["ced_fired", "ced_drawn"]) == ["CED Fired"]


def test_tactical_communication_is_never_counted_as_force():
    assert force_categories(["tactical_communication", "compliant_handcuffing"]) == ["Compliant handcuffing"]
    assert force_categories(["tactical_communication"]) == []
    assert "Tactical communication (with other tactic)" not in category_order()


def test_unknown_codes_are_skipped_and_the_order_is_the_home_offices():
    assert force_categories(["no_such_tactic", "dog_bite", "compliant_handcuffing"]) == [
        "Compliant handcuffing", "Dog bite"]
    order = category_order()
    assert order[:3] == ["Compliant handcuffing", "Non-compliant handcuffing", "Limb / Body restraints"]
    assert len(order) == len(set(order))


def test_the_dashboard_leaves_out_what_the_rule_leaves_out_by_default():
    assert DEFAULT_EARLY_INTERVENTION.not_counted == NOT_COUNTED_FOR_EARLY_INTERVENTION


def test_periods_are_whole_uk_weeks_ending_with_this_one():
    period = period_ending(datetime(2025, 10, 27, 0, 30, tzinfo=UTC), 4)  # Monday 00:30 GMT, after the change
    assert period.mondays == (date(2025, 10, 6), date(2025, 10, 13), date(2025, 10, 20), date(2025, 10, 27))
    assert period.start == datetime(2025, 10, 5, 23, 0, tzinfo=UTC)  # Monday 6 October, 00:00 BST
    assert period.end == datetime(2025, 11, 3, 0, 0, tzinfo=UTC)  # Monday 3 November, 00:00 GMT
    assert period.last_day == date(2025, 11, 2)
    with pytest.raises(ValueError, match="weeks"):
        period_ending(datetime(2025, 10, 27, tzinfo=UTC), 5)


def test_weekly_counts_follow_uk_local_dates_and_fill_empty_weeks():
    period = period_ending(datetime(2025, 10, 29, 12, 0, tzinfo=UTC), 4)
    incidents = [
        datetime(2025, 10, 19, 23, 30, tzinfo=UTC),  # Monday 20 October, 00:30 BST
        datetime(2025, 10, 26, 23, 30, tzinfo=UTC),  # Sunday 26 October, 23:30 GMT: clocks went back that day
        datetime(2025, 9, 1, 12, 0, tzinfo=UTC),  # before the period: not in any of its weeks
    ]
    assert [(week.monday, week.reports) for week in weekly_counts(incidents, period)] == [
        (date(2025, 10, 6), 0), (date(2025, 10, 13), 0), (date(2025, 10, 20), 2), (date(2025, 10, 27), 0),
    ]


def test_tactic_mix_shares_are_of_all_reports():
    mix = tactic_mix([["ced_drawn", "ced_fired"], ["ced_fired"], ["compliant_handcuffing"], []])
    assert [(item.category, item.reports, item.share) for item in mix] == [
        ("CED Fired", 2, 50.0), ("Compliant handcuffing", 1, 25.0)]
    assert tactic_mix([]) == []


def test_tactic_codes_read_the_stored_list_and_nothing_else():
    assert tactic_codes([{"code": "shield", "effective": True}, {"effective": True}, "x"]) == ["shield"]
    assert tactic_codes(None) == []
    assert tactic_codes({"code": "shield"}) == []


def test_status_counts_list_every_status():
    counts = status_counts({"approved": 3})
    assert [(item.label, item.reports) for item in counts] == [
        ("Submitted", 0), ("Under review", 0), ("Approved", 3), ("Returned for amendment", 0), ("Resubmitted", 0),
        ("Referred to professional standards", 0)]


def test_share_of_nothing_is_not_a_number():
    assert share(1, 4) == 25.0
    assert share(0, 0) is None


def test_officers_against_median_95th_percentile_and_levels():
    officers = [Officer(n, name, None) for n, name in enumerate(["Ann", "Ben", "Cat", "Dan", "Eve"], start=1)]
    comparison = compare_officers(officers, {1: 7, 2: 1, 3: 1, 4: 2})
    assert comparison.median == 1.0  # 0, 1, 1, 2, 7
    assert comparison.percentile_level == pytest.approx(6.0)  # 2 + 0.8 × (7 − 2)
    assert [(row.officer.name, row.reports, row.flags) for row in comparison.officers] == [
        ("Ann", 7, ["at critical level", "above team 95th percentile"]),
        ("Dan", 2, []),
        ("Ben", 1, []),
        ("Cat", 1, []),
        ("Eve", 0, []),
    ]


def test_one_report_above_a_team_of_zeros_is_not_an_outlier():
    officers = [Officer(n, f"PC {n}", None) for n in range(1, 6)]
    comparison = compare_officers(officers, {1: 1})
    assert comparison.flagged == []  # above the 95th percentile (0.8) but below the rule's minimum of 2


def test_a_team_with_no_officers_has_no_median():
    comparison = compare_officers([], {})
    assert comparison.officers == []
    assert comparison.median is None
    assert comparison.percentile_level is None


def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 95, 99, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "95th", "99th", "111th"]


def _version(version: int, preset: str, effective_from: datetime) -> PolicyVersion:
    return PolicyVersion(version=version, preset=preset, overrides={}, effective_from=effective_from)


def test_policy_versions_in_force_over_a_period():
    v1 = _version(1, "national", datetime(2017, 4, 1, tzinfo=UTC))
    v2 = _version(2, "derogated", datetime(2025, 10, 15, 9, 0, tzinfo=UTC))
    v3 = _version(3, "national", datetime(2026, 1, 1, tzinfo=UTC))  # scheduled, after the period
    spanning = policies_in_period([v3, v2, v1], {1: 4, 2: 1}, period_ending(datetime(2025, 10, 29, tzinfo=UTC), 4))
    assert spanning.spans_change
    assert [(v.version, v.preset, v.until, v.reports) for v in spanning.versions] == [
        (1, "national", v2.effective_from, 4), (2, "derogated", v3.effective_from, 1)]

    before = policies_in_period([v1, v2, v3], {}, period_ending(datetime(2025, 9, 29, tzinfo=UTC), 4))
    assert not before.spans_change
    assert [v.version for v in before.versions] == [1]


def test_of_two_versions_effective_at_once_the_later_one_is_in_force():
    when = datetime(2025, 10, 15, tzinfo=UTC)
    rows = [_version(1, "national", datetime(2017, 4, 1, tzinfo=UTC)), _version(2, "derogated", when),
            _version(3, "national", when)]
    summary = policies_in_period(rows, {}, period_ending(datetime(2025, 10, 29, tzinfo=UTC), 4))
    assert [v.version for v in summary.versions] == [1, 3]
