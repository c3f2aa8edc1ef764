"""uof.domain.alert_display: an alert's figures as labelled rows, whatever the rule put in its detail."""

from __future__ import annotations

from uof.domain.alert_display import Figure, figures, label_for


def test_known_figures_get_their_labels_in_the_rules_order():
    rows = figures({"count": 7, "team_median": 2.0, "team_p95": 5.45, "period_days": 90})
    assert rows == [
        Figure("Reports in the period", "7"),
        Figure("Team median", "2"),
        Figure("Team 95th percentile", "5.5"),
        Figure("Period (days)", "90"),
    ]


def test_unknown_figures_are_labelled_from_their_keys_and_ids_are_left_out():
    rows = figures({"report_id": 4, "officer_id": 9, "reports_last_month": 1200, "flagged": True,
                    "areas": ["Birmingham", "Coventry"], "note": None})
    assert rows == [
        Figure("Reports last month", "1,200"),
        Figure("Flagged", "Yes"),
        Figure("Areas", "Birmingham, Coventry"),
        Figure("Note", "None"),
    ]


def test_a_nested_group_names_its_rows():
    rows = figures({"force": {"reports_7d": 31, "overdue": 2}})
    assert rows == [Figure("Force: Reports in the last 7 days", "31"), Figure("Force: Overdue for review", "2")]


def test_no_detail_has_no_figures():
    assert figures(None) == []
    assert figures({}) == []
    assert label_for("_") == "_"
