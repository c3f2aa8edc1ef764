"""The disproportionality arithmetic, with worked examples computed by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from uof.domain import disproportionality as dp

SHIPPED = Path(__file__).resolve().parents[2] / "uof" / "data" / "census2021-ethnicity-west-midlands.csv"
BIRMINGHAM = {"white": 556608, "black": 125760, "asian": 355384, "mixed": 55205, "other": 51965}


def test_rate_per_1000():
    # 40 reports among 125,760 residents: 40 × 1,000 / 125,760 = 0.31807 per 1,000.
    assert dp.rate_per_1000(40, 125760) == pytest.approx(0.318066, abs=1e-6)
    assert dp.rate_per_1000(0, 125760) == 0
    with pytest.raises(ValueError, match="population must be positive"):
        dp.rate_per_1000(1, 0)


def test_rate_ratio_worked_example():
    # Group: 30 reports / 100,000 residents = 0.30 per 1,000; White: 60 / 400,000 = 0.15 per 1,000; RR = 2.
    # Variance of ln RR = 1/30 − 1/100,000 + 1/60 − 1/400,000 = 0.0499875; its root 0.223579; × 1.96 = 0.438214.
    # ln 2 = 0.693147, so the interval is exp(0.254933) = 1.2904 to exp(1.131361) = 3.0999.
    result = dp.rate_ratio(30, 100000, 60, 400000)
    assert result is not None
    assert result.ratio == pytest.approx(2.0)
    assert result.lower == pytest.approx(1.2904, abs=1e-4)
    assert result.upper == pytest.approx(3.0999, abs=1e-4)


def test_rate_ratio_birmingham_example():
    # Black 40 / 125,760 = 0.318066; White 100 / 556,608 = 0.179660; RR = 1.7704.
    # Variance = 1/40 − 1/125,760 + 1/100 − 1/556,608 = 0.0349903; root 0.187057; × 1.96 = 0.366632.
    # ln 1.770382 = 0.571195: interval exp(0.204563) = 1.2270 to exp(0.937827) = 2.5544.
    result = dp.rate_ratio(40, 125760, 100, 556608)
    assert result is not None
    assert result.ratio == pytest.approx(1.7704, abs=1e-4)
    assert (result.lower, result.upper) == (pytest.approx(1.2270, abs=1e-4), pytest.approx(2.5544, abs=1e-4))
    assert math.log(result.ratio) == pytest.approx((math.log(result.lower) + math.log(result.upper)) / 2)


def test_rate_ratio_with_a_zero_count_is_not_calculable():
    assert dp.rate_ratio(0, 1000, 10, 1000) is None
    assert dp.rate_ratio(10, 1000, 0, 1000) is None


def test_area_figures_suppresses_small_counts_and_explains_missing_ratios():
    counts = {"white": 100, "black": 40, "asian": 9, "mixed": 0, "other": 10}
    area = dp.area_figures("Birmingham", counts, BIRMINGHAM, not_recorded=3)
    rows = {row.group: row for row in area.groups}
    assert [row.group for row in area.groups] == list(dp.GROUPS)
    assert rows["white"].ratio is None
    assert rows["white"].ratio_note == "reference group"
    assert rows["white"].rate == pytest.approx(0.179660, abs=1e-6)
    assert rows["black"].ratio is not None
    assert rows["black"].ratio.ratio == pytest.approx(1.7704, abs=1e-4)
    # 9 is below the threshold of 10: no rate, no ratio.
    assert rows["asian"].suppressed
    assert rows["asian"].rate is None
    assert rows["asian"].ratio is None
    assert rows["asian"].ratio_note == "not given: small number"
    # 0 identifies nobody: shown, with a rate of 0, but no ratio.
    assert not rows["mixed"].suppressed
    assert rows["mixed"].rate == 0
    assert rows["mixed"].ratio_note == "not calculable: no reports"
    # 10 is shown: 10 × 1,000 / 51,965 = 0.192437.
    assert not rows["other"].suppressed
    assert rows["other"].rate == pytest.approx(0.192437, abs=1e-6)
    assert area.not_recorded_suppressed


def test_no_ratios_against_a_suppressed_or_empty_white_count():
    few_white = dp.area_figures("Coventry", {"white": 4, "black": 20}, BIRMINGHAM)
    black = next(row for row in few_white.groups if row.group == "black")
    assert black.ratio is None
    assert black.ratio_note == "not given: small number for White"
    no_white = dp.area_figures("Coventry", {"black": 20}, BIRMINGHAM)
    black = next(row for row in no_white.groups if row.group == "black")
    assert black.ratio is None
    assert black.ratio_note == "not calculable: no reports for White"


def test_threshold_is_configurable():
    area = dp.area_figures("Birmingham", {"white": 5, "black": 5}, BIRMINGHAM, threshold=5)
    black = next(row for row in area.groups if row.group == "black")
    assert not black.suppressed
    assert black.ratio is not None
    with pytest.raises(ValueError, match="at least 1"):
        dp.area_figures("Birmingham", {}, BIRMINGHAM, threshold=0)


def test_ethnicity_mapping():
    for code in dp.GROUPS:
        assert dp.census_group(code) == code
    assert dp.census_group("chinese") == "asian"
    assert dp.census_group("not_reported") is None
    assert dp.census_group("dont_know") is None
    assert dp.census_group(None) is None


def test_the_shipped_census_file_parses():
    rows = dp.parse_baselines(SHIPPED.read_text(encoding="utf-8"))
    assert len(rows) == 9 * 5
    birmingham = {row.group: row.population for row in rows if row.area == "Birmingham"}
    assert birmingham == BIRMINGHAM


GOOD = "area_code,area_name,ethnic_group,population\n" + "".join(
    f"E08000026,Coventry,{group},{value}\n" for group, value in
    (("white", 226246), ("black", 30723), ("asian", 63915), ("mixed", 11731), ("other", 12706), ("total", 345321))
)


@pytest.mark.parametrize(("text", "message"), [
    ("", "line 1: the header"),
    ("code,name,group,people\n", "line 1: the header"),
    (GOOD.replace("E08000026,Coventry,white", "E99999999,Coventry,white"), "line 2: unknown area code"),
    (GOOD.replace("Coventry,white", "Dudley,white"), "line 2: area E08000026 is 'Coventry', not 'Dudley'"),
    (GOOD.replace(",white,", ",whyte,"), "line 2: unknown ethnic group 'whyte'"),
    (GOOD.replace("226246", "22,6246"), "line 2: expected 4 columns"),
    (GOOD.replace("226246", "-5"), "line 2: population '-5' is not a positive whole number"),
    (GOOD.replace("226246", "lots"), "line 2: population 'lots'"),
    (GOOD.replace("black,30723", "white,30723"), "line 3: a second white figure for Coventry"),
    (GOOD.replace("E08000026,Coventry,mixed,11731\n", ""), "Coventry: no figure for mixed"),
    (GOOD.replace("345321", "345322"), "Coventry: the groups add up to 345321, but the total is 345322"),
    ("area_code,area_name,ethnic_group,population\n", "the file has no figures"),
])
def test_bad_files_are_refused_with_the_line(text, message):
    with pytest.raises(dp.BaselineError, match=message):
        dp.parse_baselines(text)


def test_a_good_file_with_a_byte_order_mark_and_blank_lines():
    rows = dp.parse_baselines("\ufeff" + GOOD + "\n")
    assert [(row.area, row.group) for row in rows] == [("Coventry", group) for group in dp.GROUPS]
