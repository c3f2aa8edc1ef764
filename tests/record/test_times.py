from __future__ import annotations

from datetime import UTC, datetime

import pytest

from uof.record.times import NotADateTime, TypedDateTime, to_utc
from uof.uktime import uk_date, uk_datetime


@pytest.mark.parametrize(("typed", "expected"), [
    (TypedDateTime("26", "11", "2026", "22:40"), datetime(2026, 11, 26, 22, 40, tzinfo=UTC)),
    (TypedDateTime("1", "7", "2025", "22.40"), datetime(2025, 7, 1, 21, 40, tzinfo=UTC)),
    (TypedDateTime("01", "07", "2025", "0930"), datetime(2025, 7, 1, 8, 30, tzinfo=UTC)),
    # The hour repeated when the clocks go back is taken as its first, summer-time occurrence.
    (TypedDateTime("26", "10", "2025", "01:30"), datetime(2025, 10, 26, 0, 30, tzinfo=UTC)),
])
def test_uk_local_time_to_utc(typed: TypedDateTime, expected: datetime) -> None:
    assert to_utc(typed) == expected


@pytest.mark.parametrize(("typed", "message"), [
    (TypedDateTime("31", "2", "2026", "22:40"), "Enter a real date and time"),
    (TypedDateTime("x", "2", "2026", "22:40"), "Enter a real date"),
    (TypedDateTime("1", "2", "26", "22:40"), "Enter a real date"),
    (TypedDateTime("1", "2", "2026", "25:00"), "Enter a real date and time"),
    (TypedDateTime("1", "2", "2026", "evening"), "Enter the time on the 24-hour clock"),
    (TypedDateTime("9" * 30, "2", "2026", "22:40"), "Enter a real date and time"),
    (TypedDateTime("29", "3", "2026", "01:30"), "There was no 01:30 on 29 Mar 2026"),
])
def test_what_is_not_a_uk_date_and_time(typed: TypedDateTime, message: str) -> None:
    with pytest.raises(NotADateTime, match=message):
        to_utc(typed)


def test_uk_formats() -> None:
    assert uk_datetime(datetime(2026, 11, 26, 22, 40, tzinfo=UTC)) == "26 Nov 2026, 22:40"
    assert uk_datetime("2025-07-01T21:40:00Z") == "1 Jul 2025, 22:40"
    assert uk_date("2025-07-01T23:30:00Z") == "2 Jul 2025"
    assert uk_datetime(None) == ""
    assert uk_datetime("not a date") == ""
    assert TypedDateTime.of("2025-07-01T21:40:00Z") == TypedDateTime("1", "7", "2025", "22:40")
