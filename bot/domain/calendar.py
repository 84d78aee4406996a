"""The calendar every rule shares: months, working days and Belgian public holidays.

One definition each: home-work registration, allowances, approvals' reminder deadlines and the
reports all count working days the same way (Monday to Friday, minus Belgian public holidays).
The holiday tables come from the `holidays` package (its Belgian module alone, see `_belgium`);
`preload_holidays` builds the years a service needs at start-up, so no turn pays for it.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path

import holidays

from bot.domain.errors import InvalidInput

WORKING_WEEKDAYS = frozenset(range(5))  # Monday .. Friday
_HOLIDAY_LANGUAGE = {"nl": "nl", "en": "en_US"}
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


class BadMonth(InvalidInput, ValueError):
    """A month that is not written YYYY-MM (callers that only know ValueError catch it too)."""

    key = "reports.bad_month"


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise ValueError(f"not a month: {self.year}-{self.month}")

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, value: str) -> Month:
        """A month written as YYYY-MM; BadMonth otherwise."""
        match = _MONTH.match(value or "")
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise BadMonth(value=(value or "")[:20])
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return self.next().first - timedelta(days=1)

    # The report code reads better with these names; they are the same days.
    first_day = first
    last_day = last

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.last.day)]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_between(first: Month, last: Month) -> list[Month]:
    """Every month from `first` to `last`, both included."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month.next()
    return months


_BELGIUM_MODULE = "holidays.countries.belgium"


@cache
def _belgium() -> type[holidays.HolidayBase]:
    """The Belgian holiday class, its module loaded by itself.

    `holidays.country_holidays("BE")` imports the package `holidays.countries`, whose __init__
    imports every country's module (some 280 modules, about 6 MiB resident) to reach one. The
    Belgian module imports none of the others, so it is loaded from its file on its own; when the
    package or the module is already imported, that class is used.
    """
    package = sys.modules.get("holidays.countries")
    if package is not None:
        return package.Belgium
    module = sys.modules.get(_BELGIUM_MODULE)
    if module is None:
        spec = importlib.util.spec_from_file_location(_BELGIUM_MODULE, Path(holidays.__file__).with_name("countries") / "belgium.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[_BELGIUM_MODULE] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[_BELGIUM_MODULE]
            raise
    return module.Belgium


# Holiday tables kept: 32 years in both languages. The year comes from what people type (a report
# month runs to 9999), so the cache is bounded; a table not kept is rebuilt in half a millisecond.
HOLIDAY_TABLES_KEPT = 64


@lru_cache(maxsize=HOLIDAY_TABLES_KEPT)
def _holidays(year: int, language: str) -> dict[date, str]:
    # As holidays.country_holidays("BE", years=year, language=language) builds it.
    return dict(_belgium()(years=year, language=language).items())


def preload_holidays(years: Iterable[int]) -> None:
    """Build the holiday tables of these years now (start-up), in both languages."""
    for year in years:
        for language in _HOLIDAY_LANGUAGE.values():
            _holidays(year, language)


def belgian_holidays(year: int) -> frozenset[date]:
    return frozenset(_holidays(year, "nl"))


def holiday_name(day: date, locale: str = "nl") -> str | None:
    """The Belgian public holiday on `day`, named in the given language, or None."""
    return _holidays(day.year, _HOLIDAY_LANGUAGE.get(locale, "nl")).get(day)


def is_working_day(day: date, extra_holidays: Collection[date] = ()) -> bool:
    """Monday to Friday, not a Belgian public holiday (nor one of `extra_holidays`)."""
    return day.weekday() in WORKING_WEEKDAYS and day not in _holidays(day.year, "nl") and day not in extra_holidays


def working_days(month: Month, start: date | None = None, end: date | None = None) -> list[date]:
    """The working days of a month, within [start, end] when given (a part month in service)."""
    return [
        day for day in month.days()
        if is_working_day(day) and (start is None or day >= start) and (end is None or day <= end)
    ]


def working_days_between(start: date, end: date, extra_holidays: Collection[date] = ()) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if is_working_day(day, extra_holidays):
            count += 1
        day += timedelta(days=1)
    return count
