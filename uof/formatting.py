"""How times are shown: stored in UTC, shown in UK local time (Europe/London, clock changes handled)."""

from __future__ import annotations

from datetime import datetime
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


def init_app(app: Flask) -> None:
    app.add_template_filter(uk_date)
    app.add_template_filter(uk_datetime)
