"""Reading the date and time an officer types, in UK local time, into a UTC instant."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from uof.uktime import NoSuchLocalTime, local_to_utc, to_london

TIME_PATTERN = re.compile(r"(\d{1,2})[:.]?(\d{2})")


@dataclass(frozen=True)
class TypedDateTime:
    """The date and time exactly as the officer typed them into the form."""

    day: str = ""
    month: str = ""
    year: str = ""
    time: str = ""

    @property
    def blank(self) -> bool:
        return not (self.day or self.month or self.year or self.time)

    @classmethod
    def of(cls, moment: datetime | str | None) -> TypedDateTime:
        local = to_london(moment)
        if local is None:
            return cls()
        return cls(str(local.day), str(local.month), str(local.year), f"{local:%H:%M}")


class NotADateTime(ValueError):
    """What was typed is not a real UK date and time; the message says what to fix."""


def to_utc(typed: TypedDateTime) -> datetime:
    """The UTC instant of a UK local date and time; raises NotADateTime with a message for the officer."""
    time = TIME_PATTERN.fullmatch(typed.time.strip())
    if not (typed.day.isdecimal() and typed.month.isdecimal() and len(typed.year) == 4 and typed.year.isdecimal()):
        raise NotADateTime("Enter a real date, for example 26 11 2026.")
    if time is None:
        raise NotADateTime("Enter the time on the 24-hour clock, for example 22:40.")
    try:
        local = datetime(int(typed.year), int(typed.month), int(typed.day), int(time[1]), int(time[2]))
    except (ValueError, OverflowError) as error:
        raise NotADateTime("Enter a real date and time, for example 26 11 2026 and 22:40.") from error
    try:
        return local_to_utc(local)
    except NoSuchLocalTime as error:
        raise NotADateTime(str(error)) from error
