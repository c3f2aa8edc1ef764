"""UK local time: times are stored in UTC and typed and shown in Europe/London, with the clock changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask

from uof.domain.validation import parse_datetime

LONDON = ZoneInfo("Europe/London")
# Spelt out rather than strftime("%b") so that the server's locale cannot change what officers read.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def to_london(value: datetime | str | None) -> datetime | None:
    """An aware datetime or an ISO 8601 string with a zone, in UK local time; None if it is neither."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None or moment.tzinfo is None:
        return None
    return moment.astimezone(LONDON)


def uk_date(value: datetime | str | None) -> str:
    """Like "26 Nov 2026"; empty when there is no date."""
    local = to_london(value)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}" if local else ""


def uk_datetime(value: datetime | str | None) -> str:
    """Like "26 Nov 2026, 22:40"; empty when there is no date."""
    local = to_london(value)
    return f"{uk_date(local)}, {local:%H:%M}" if local else ""


class NoSuchLocalTime(ValueError):
    """A wall-clock time that did not happen in the UK: skipped when the clocks went forward."""


def local_to_utc(local: datetime) -> datetime:
    """The UTC instant of a naive UK wall-clock time.

    A time skipped when the clocks go forward does not come back unchanged and is refused; an hour repeated
    when they go back is taken as its first occurrence (British Summer Time), which is zoneinfo's fold=0.
    """
    moment = local.replace(tzinfo=LONDON).astimezone(UTC)
    if moment.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NoSuchLocalTime(
            f"There was no {local:%H:%M} on {uk_date(local.replace(tzinfo=LONDON))} in the UK: the clocks went "
            "forward an hour. Check the time."
        )
    return moment


def init_app(app: Flask) -> None:
    app.add_template_filter(uk_date)
    app.add_template_filter(uk_datetime)
