"""How times and dates are shown: UK local time (Europe/London, clock changes handled), UK date order."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

LONDON = ZoneInfo("Europe/London")


def uk_date(value: datetime | None) -> str:
    """26 Nov 2026"""
    return value.astimezone(LONDON).strftime("%-d %b %Y") if value else ""


def uk_datetime(value: datetime | None) -> str:
    """26 Nov 2026, 22:40 (in UK local time)"""
    return value.astimezone(LONDON).strftime("%-d %b %Y, %H:%M") if value else ""


def init_app(app: Flask) -> None:
    app.add_template_filter(uk_date)
    app.add_template_filter(uk_datetime)
