"""Chart geometry: bar lengths in percent of the width, rows in pixels, values and flags placed to stay on screen."""

from __future__ import annotations

import pytest

from uof.dashboards.charts import (
    BAR_HEIGHT,
    FLAG_LINE,
    INLINE,
    PADDING,
    ROW_HEIGHT,
    STACKED,
    Row,
    bar_chart,
    fit,
    number,
    percent,
)


def test_percent_and_number_are_short_and_stable():
    assert [percent(v) for v in (0, 37.5, 78, 33.33333)] == ["0%", "37.5%", "78%", "33.33%"]
    assert [number(v) for v in (3, 3.0, 4.56, 0)] == ["3", "3", "4.6", "0"]


def test_fit_cuts_long_labels_with_an_ellipsis():
    assert fit("Non-compliant handcuffing", 40) == "Non-compliant handcuffing"
    assert fit("Non-compliant handcuffing", 10) == "Non-compl…"
    assert len(fit("x" * 50, 36)) == 36
    assert fit("anything", 0) == ""


def test_stacked_bars_scale_to_the_largest_value():
    chart = bar_chart([Row("A", 4), Row("B", 2), Row("C", 0)])
    assert [bar.width for bar in chart.bars] == ["96%", "48%", "0%"]
    assert [bar.x for bar in chart.bars] == ["0%", "0%", "0%"]
    assert [bar.value_text for bar in chart.bars] == ["4", "2", "0"]
    # Long bars carry their value inside their end, short ones after it where half the width is free.
    assert [bar.value_inside for bar in chart.bars] == [True, False, False]
    assert [bar.label.y for bar in chart.bars] == [PADDING + 14, PADDING + 14 + 46, PADDING + 14 + 92]
    assert chart.height == PADDING + 3 * ROW_HEIGHT[STACKED] + PADDING
    assert chart.label_x > 0  # clear of the axis


def test_inline_bars_leave_a_column_for_short_labels():
    chart = bar_chart([Row("3 Mar", 1), Row("10 Mar", 2), Row("A very long label", 0)], layout=INLINE)
    assert [bar.x for bar in chart.bars] == ["24%", "24%", "24%"]
    assert [bar.width for bar in chart.bars] == ["36%", "72%", "0%"]
    assert [bar.value_x for bar in chart.bars] == ["60%", "96%", "24%"]
    assert chart.bars[2].label.text == "A very…"
    assert chart.baseline_x == "24%"
    assert chart.height == PADDING + 3 * ROW_HEIGHT[INLINE] + PADDING


def test_flags_get_lines_of_their_own_and_push_the_rows_below_down():
    chart = bar_chart([Row("Alice", 3, flags=("at warning level", "above team 95th percentile")), Row("Bob", 1)])
    alice, bob = chart.bars
    assert [flag.text for flag in alice.flags] == ["at warning level", "above team 95th percentile"]
    assert [flag.y for flag in alice.flags] == [alice.label.y + FLAG_LINE, alice.label.y + 2 * FLAG_LINE]
    assert alice.y == alice.flags[-1].y + 6
    assert bob.label.y == alice.label.y + ROW_HEIGHT[STACKED] + 2 * FLAG_LINE
    assert chart.height == PADDING + 2 * ROW_HEIGHT[STACKED] + 2 * FLAG_LINE + PADDING
    assert alice.value_y == alice.y + BAR_HEIGHT - 5


def test_markers_share_the_scale_and_can_be_the_largest_value():
    chart = bar_chart([Row("A", 2), Row("B", 1)], markers=[("Median", 1.5), ("Warning level", 4)])
    assert [bar.width for bar in chart.bars] == ["48%", "24%"]
    assert [(m.name, m.x) for m in chart.markers] == [("Median", "36%"), ("Warning level", "96%")]


def test_percentages_are_drawn_against_a_full_bar_of_100():
    chart = bar_chart([Row("Worn", 80, "80% (4 of 5)"), Row("Recording", 60)], full=100)
    assert [bar.width for bar in chart.bars] == ["76.8%", "57.6%"]
    assert chart.bars[0].value_text == "80% (4 of 5)"


def test_nothing_to_draw_draws_empty_bars():
    chart = bar_chart([Row("A", 0), Row("B", 0)])
    assert [bar.width for bar in chart.bars] == ["0%", "0%"]
    assert bar_chart([]).bars == ()


@pytest.mark.parametrize(("rows", "options", "message"), [
    ([Row("A", -1)], {}, "negative"),
    ([Row("A", 1)], {"markers": [("M", -2)]}, "negative"),
    ([Row("A", 120)], {"full": 100}, "at least the largest"),
    ([Row("A", 1)], {"full": 0}, "at least the largest"),
    ([Row("A", 1, flags=("x",))], {"layout": INLINE}, "only the stacked layout"),
    ([Row("A", 1)], {"layout": "columns"}, "unknown layout"),
])
def test_impossible_charts_are_refused(rows, options, message):
    with pytest.raises(ValueError, match=message):
        bar_chart(rows, **options)

