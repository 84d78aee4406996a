"""Short registration texts in Dutch or English: "thuis morgen", "thuis ma en do", "satelliet dinsdag
Gent", "thuis volgende week woensdag", "home 7-11 dec", "home every mon and thu for 8 weeks".

A small tokenizer recognises places, parts of the day, repetition, week references and ranges.
The common date forms (dd/mm, "3 december", weekday names, morgen/overmorgen) are read here
directly; dateparser only sees a word nothing else understood.

How relative days are read (Flemish usage; the tests pin each reading on several weekdays):
- "vrijdag", "komende vrijdag", "deze vrijdag": the first Friday after today.
- "volgende week vrijdag" / "vrijdag volgende week" / "next week friday": the Friday of the next
  calendar week (on Saturday and Sunday: the week that starts on the coming Monday).
- "deze week vrijdag" / "this week friday": the Friday of the current calendar week; on a
  weekend "this week" can mean the week ending or the week starting, so the bot asks.
- "over twee weken dinsdag" / "in two weeks tuesday": the Tuesday of the calendar week two weeks on.
- "volgende vrijdag" / "next friday": the first Friday after today when that lies in a later work
  week; when that Friday is still in the current work week (on a Thursday: tomorrow) people mean
  either one, so the bot asks with both days on the card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

import dateparser
from babel.dates import get_day_names, get_month_names

from bot.domain.errors import DomainError
from bot.domain.homework import (
    LOCATION_MAX_LENGTH,
    FormRequest,
    InvalidDate,
    Missing,
    Part,
    Place,
    date_range,
    recurring_days,
    week_start,
    work_week_start,
)

# The one bound on a typed registration text: longer texts are not read at all (a registration
# is a few words; reading a page of text would only burn CPU).
MAX_REGISTRATION_TEXT_LENGTH = 200

PLACE_WORDS: dict[str, Place] = {
    "thuis": "home", "thuiswerk": "home", "thuiswerken": "home", "thuiswerkdag": "home", "telewerk": "home",
    "home": "home", "remote": "home", "wfh": "home", "homework": "home",
    "satelliet": "satellite", "satellietkantoor": "satellite", "satellietwerkplek": "satellite", "satellite": "satellite",
    "kantoor": "office", "office": "office",
}
PART_WORDS: dict[str, Part] = {
    "voormiddag": "am", "ochtend": "am", "vm": "am", "morning": "am", "morgens": "am", "voormiddags": "am",
    "namiddag": "pm", "nm": "pm", "afternoon": "pm", "middag": "pm", "namiddags": "pm", "middags": "pm",
    "_fullday": "full",
}
# Only glued to a day ("maandagmorgen"): on its own, "morgen" is tomorrow.
GLUED_PART_WORDS: dict[str, Part] = {**PART_WORDS, "morgen": "am"}
HALF_DAY = "_halfday"
RANGE_TO = "_to"
PHRASES = (
    (re.compile(r"\b(halve|half)[ -]?dag\b|\bhalf[ -]day\b"), HALF_DAY),
    (re.compile(r"\b(hele|volledige|volle)[ -]?dag\b|\b(full|whole)[ -]day\b"), "_fullday"),
    (re.compile(r"\bday after tomorrow\b"), "overmorgen"),
    (re.compile(r"\btot en met\b|\bt/m\b|\bt\.e\.m\.?|\btem\b"), RANGE_TO),
)
REPEAT_WORDS = frozenset({"elke", "iedere", "telkens", "wekelijks", "every", "each", "weekly"})
WEEK_WORDS = frozenset({"week", "weken", "weeks", "wk", "wkn"})
RANGE_WORDS = frozenset({RANGE_TO, "tot", "to", "till", "until", "through", "thru", "-"})
# Words that point at a week or a weekday: "volgende week", "next friday", "deze week".
NEXT_WORDS = frozenset({"volgende", "next"})
COMING_WORDS = frozenset({"komende", "coming", "deze", "this"})
THIS_WEEK_WORDS = frozenset({"deze", "this"})
SHIFT_WORDS = frozenset({"over", "in"})  # "over twee weken", "in two weeks"
NUMBER_WORDS: dict[str, int] = {
    "een": 1, "één": 1, "a": 1, "one": 1, "twee": 2, "two": 2, "drie": 3, "three": 3, "vier": 4, "four": 4,
    "vijf": 5, "five": 5, "zes": 6, "six": 6,
}
RELATIVE_DAYS: dict[str, int] = {
    "vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2,
    "gisteren": -1, "yesterday": -1, "eergisteren": -2,
}
FILLER_WORDS = frozenset({
    "en", "and", "op", "on", "de", "het", "ik", "werk", "werken", "work", "working", "from", "van", "te", "in",
    "at", "voor", "for", "the", "mijn", "my", "i", "gedurende", "dag", "day", "ook", "also", "me", "een", "a",
    "s", "vanaf", "starting",
})
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|e|ste|de)$")
_DAY_RANGE = re.compile(r"\b(\d{1,2})\s*-\s*(\d{1,2})\s+([a-z]+)")  # "7-11 dec"
_DATE_RANGE = re.compile(r"\b(\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?)\s*-\s*(\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?)\b")
_MONTH_DAY_RANGE = re.compile(r"\b([a-z]+)\s+(\d{1,2})\s*-\s*(\d{1,2})\b")  # "december 7-11"
_WORD_RANGE = re.compile(r"\b([a-z]{2,9})-([a-z]{2,9})\b")  # "mon-wed", "ma-wo"
_SPLIT = re.compile(r"[\s,;&+]+")
_DATEPARSER_LANGUAGES = ["nl", "en"]
_BABEL_LOCALES = ("nl_BE", "en_GB")


@dataclass(frozen=True)
class ParsedRequest:
    """What a short text asked for; `complete` says whether it can be registered as it is."""

    place: Place | None = None
    part: Part | None = None
    days: tuple[date, ...] = ()
    ranges: tuple[tuple[date, date], ...] = ()
    weekdays: tuple[int, ...] = ()
    weeks: int | None = None
    repeat: bool = False
    location: str | None = None
    unknown: tuple[str, ...] = ()
    half_day_unspecified: bool = False
    # Two readings of the text, each a set of days ("volgende vrijdag" on a Thursday).
    alternatives: tuple[tuple[date, ...], ...] = ()
    invalid_date: InvalidDate | None = None
    open_until: date | None = None  # "tot vrijdag": the last day without a first one
    too_long: bool = False

    @property
    def complete(self) -> bool:
        return self.missing is None

    @property
    def missing(self) -> Missing | None:
        """What to ask for first when the text cannot be registered as it is."""
        if self.too_long:
            return Missing.TOO_LONG
        if self.invalid_date is not None:
            return Missing.INVALID_DATE
        if self.unknown:
            return Missing.UNKNOWN_WORDS
        if self.alternatives:
            return Missing.AMBIGUOUS_DAY
        if self.half_day_unspecified:
            return Missing.WHICH_HALF
        if self.repeat and not self.weekdays:
            return Missing.WEEKDAYS
        if self.repeat and self.weeks is None:
            return Missing.WEEKS
        if self.place is None:
            return Missing.PLACE
        if self.repeat or self.days or self.ranges:
            return None
        return Missing.DAY

    def days_from(self, today: date) -> list[date]:
        """The days asked for (a complete request only): a weekly pattern starts today."""
        if self.repeat:
            return recurring_days(today, self.weekdays, self.weeks or 0)
        days = set(self.days)
        for start, until in self.ranges:
            days.update(date_range(start, until))
        return sorted(days)

    def as_form(self) -> FormRequest:
        """The registration form pre-filled with what was understood (a day only when the text named
        exactly one day or one range; the use case drops a day that would be refused)."""
        day = until = None
        if not self.repeat and not self.alternatives:
            if len(self.days) == 1 and not self.ranges:
                day = self.days[0]
            elif len(self.ranges) == 1 and not self.days:
                day, until = self.ranges[0]
            elif not self.days and not self.ranges:
                until = self.open_until
        return FormRequest(
            place=self.place or "home", part=self.part or "full", day=day, until=until, location=self.location,
            weekdays=self.weekdays if self.repeat else (), weeks=self.weeks,
        )


# -- words ----------------------------------------------------------------------------------------
@cache
def _weekday_names() -> dict[str, int]:
    """Dutch abbreviations exactly (ma, di, ...), full day names in both languages."""
    names: dict[str, int] = {}
    for locale in _BABEL_LOCALES:
        for width in ("wide", "abbreviated"):
            for number, name in get_day_names(width, locale=locale).items():
                names[name.lower().rstrip(".")] = number
    return names


@cache
def _full_weekday_names() -> tuple[tuple[str, int], ...]:
    """Full day names, longest first: a glued "donderdagnamiddag" starts with one of them."""
    names = {name.lower(): number for locale in _BABEL_LOCALES for number, name in get_day_names("wide", locale=locale).items()}
    return tuple(sorted(names.items(), key=lambda item: -len(item[0])))


@cache
def _month_names() -> dict[str, int]:
    """Month names and abbreviations in both languages: "december", "dec", "okt", "sept"."""
    names: dict[str, int] = {"sept": 9}
    for locale in _BABEL_LOCALES:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                names[name.lower().rstrip(".")] = number
    return names


def weekday_of(token: str) -> int | None:
    """The weekday a token names ("do", "donderdag", "thu", "thurs"), or None."""
    names = _weekday_names()
    if token in names:
        return names[token]
    if len(token) >= 3:
        matches = {number for name, number in names.items() if len(name) > 3 and name.startswith(token)}
        if len(matches) == 1:
            return matches.pop()
    return None


def month_of(token: str) -> int | None:
    return _month_names().get(token.rstrip("."))


def _number(token: str | None) -> int | None:
    if token is None:
        return None
    if token.isdigit():
        return int(token)
    return NUMBER_WORDS.get(token)


def _ordinal(token: str | None) -> int | None:
    """A day of the month: "7", "7th", "7de"."""
    if token is None:
        return None
    if token.isdigit() and len(token) <= 2:
        return int(token)
    match = _ORDINAL.match(token)
    return int(match.group(1)) if match else None


def _split_glued(token: str) -> list[str]:
    """"donderdagnamiddag" -> ["donderdag", "namiddag"]; "morgenvoormiddag" -> ["morgen", "voormiddag"]."""
    if token in _weekday_names() or token in RELATIVE_DAYS or token in PART_WORDS:
        return [token]
    heads = [*(name for name, _ in _full_weekday_names()), "overmorgen", "morgen", "vandaag", "today", "tomorrow"]
    for head in heads:
        if token.startswith(head) and token[len(head):] in GLUED_PART_WORDS:
            return [head, "_part_" + token[len(head):]]
    return [token]


def _ranges_marked(text: str) -> str:
    def word_range(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        if weekday_of(left) is not None and weekday_of(right) is not None:
            return f"{left} {RANGE_TO} {right}"
        return match.group(0)

    def day_range(match: re.Match[str]) -> str:
        if month_of(match.group(3)) is None:
            return match.group(0)
        return f"{match.group(1)} {RANGE_TO} {match.group(2)} {match.group(3)}"

    def month_day_range(match: re.Match[str]) -> str:
        if month_of(match.group(1)) is None:
            return match.group(0)
        return f"{match.group(1)} {match.group(2)} {RANGE_TO} {match.group(3)}"

    text = _DATE_RANGE.sub(rf"\1 {RANGE_TO} \2", text)
    text = _MONTH_DAY_RANGE.sub(month_day_range, text)
    text = _DAY_RANGE.sub(day_range, text)
    return _WORD_RANGE.sub(word_range, text)


def tokens(text: str) -> list[str]:
    lowered = text.lower().strip()
    for pattern, replacement in PHRASES:
        lowered = pattern.sub(f" {replacement} ", lowered)
    lowered = _ranges_marked(lowered.replace("'s ", " ").replace("’s ", " "))
    words = [token.strip(".!?:()") for token in _SPLIT.split(lowered)]
    return [part for word in words if word for part in _split_glued(word)]


# -- dates ------------------------------------------------------------------------------------------
def _nearest_year(month: int, day: int, today: date) -> date | None:
    """A date typed without a year ("24/11", "3 december") means the nearest such date: last week's
    Friday for a late registration, next January in December. None when it exists in none of them."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:  # 29 February, 31 April
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda candidate: abs((candidate - today).days))


def _nearest_month_year(month: int, today: date) -> int:
    """The year in which the nearest such month lies (to word a date that does not exist)."""
    return min((today.year - 1, today.year, today.year + 1), key=lambda year: abs((date(year, month, 15) - today).days))


def _full_year(text: str | None) -> int | None:
    if text is None:
        return None
    return 2000 + int(text) if len(text) == 2 else int(text)


def _calendar_date(day: int, month: int, year: int | None, typed: str, today: date) -> date | InvalidDate:
    if not 1 <= month <= 12:
        return InvalidDate(typed, None, year or today.year)
    if year is None:
        found = _nearest_year(month, day, today)
        return found if found is not None else InvalidDate(typed, month, _nearest_month_year(month, today))
    try:
        return date(year, month, day)
    except ValueError:
        return InvalidDate(typed, month, year)


# The words nothing else understood are given to dateparser as one phrase ("3rd of december",
# "over 3 dagen") when they are this few; a day and a month are required, so that a month alone
# ("maart") or a time of day ("noon") never becomes a day.
DATEPARSER_MAX_WORDS = 6


def _dateparser_date(words: str, now: datetime) -> date | None:
    parsed = dateparser.parse(
        words,
        languages=_DATEPARSER_LANGUAGES,
        settings={
            "RELATIVE_BASE": now.replace(tzinfo=None), "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY",
            "REQUIRE_PARTS": ["day", "month"],
        },
    )
    return parsed.date() if parsed else None


def _first_after(weekday: int, today: date) -> date:
    """The first such weekday after today: "vrijdag" said on a Friday is next week's."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


# -- the reading --------------------------------------------------------------------------------------
@dataclass
class _Weekday:
    weekday: int
    modifier: str | None = None  # "next" ("volgende vrijdag") or "coming" ("komende vrijdag")


@dataclass
class _DayOfMonth:
    """A bare "7" in "7 tot 11 december": the month comes from the other end of the range."""

    day: int


_Item = date | _Weekday | _DayOfMonth | InvalidDate


@dataclass
class _Reading:
    place: Place | None = None
    part: Part | None = None
    half_day: bool = False
    repeat: bool = False
    weeks: int | None = None
    week_shift: int | None = None  # 0: this week, 1: next week, 2: in two weeks
    items: list[_Item | str] = field(default_factory=list)  # str: RANGE_TO between two items
    leftovers: list[str] = field(default_factory=list)


def _read(words: list[str], now: datetime) -> _Reading:
    today = now.date()
    reading = _Reading()
    index = 0

    def at(offset: int) -> str | None:
        position = index + offset
        return words[position] if 0 <= position < len(words) else None

    while index < len(words):
        word, following = words[index], at(1)
        step = 1
        if word in PLACE_WORDS:
            reading.place = reading.place or PLACE_WORDS[word]
        elif word.startswith("_part_"):
            reading.part = GLUED_PART_WORDS[word.removeprefix("_part_")]
        elif word in PART_WORDS:
            reading.part = PART_WORDS[word]
        elif word == HALF_DAY:
            reading.half_day = True
        elif word in REPEAT_WORDS:
            reading.repeat = True
        elif word in RANGE_WORDS and reading.items:
            reading.items.append(RANGE_TO)
        elif word in RANGE_WORDS and word != "-" and following is not None:
            reading.items.append(RANGE_TO)  # "tot vrijdag": a last day without a first one
        elif (word in NEXT_WORDS or word in COMING_WORDS) and following in WEEK_WORDS:
            reading.week_shift = 0 if word in THIS_WEEK_WORDS else 1
            step = 2
        elif word in SHIFT_WORDS and _number(following) is not None and at(2) in WEEK_WORDS:
            reading.week_shift = _number(following)
            step = 3
        elif (word in NEXT_WORDS or word in COMING_WORDS) and following is not None and weekday_of(following) is not None:
            modifier = "next" if word in NEXT_WORDS else "coming"
            reading.items.append(_Weekday(weekday_of(following), modifier))  # type: ignore[arg-type]
            step = 2
        elif word.isdigit() and following in WEEK_WORDS:
            reading.weeks = int(word)
            step = 2
        elif word in WEEK_WORDS or word in FILLER_WORDS or word in NEXT_WORDS or word in COMING_WORDS:
            pass
        elif (day := _ordinal(word)) is not None and following is not None and (month := month_of(following)) is not None:
            year = _full_year(at(2)) if at(2) is not None and re.fullmatch(r"\d{4}", at(2) or "") else None
            reading.items.append(_calendar_date(day, month, year, f"{word} {following}", today))
            step = 3 if year is not None else 2
        elif (month := month_of(word)) is not None and (day := _ordinal(following)) is not None:
            year = _full_year(at(2)) if re.fullmatch(r"\d{4}", at(2) or "") else None
            reading.items.append(_calendar_date(day, month, year, f"{word} {following}", today))
            step = 3 if year is not None else 2
        elif (match := _NUMERIC_DATE.match(word)) is not None:
            day, month = int(match.group(1)), int(match.group(2))
            reading.items.append(_calendar_date(day, month, _full_year(match.group(3)), word, today))
        elif (weekday := weekday_of(word)) is not None:
            reading.items.append(_Weekday(weekday))
        elif word in RELATIVE_DAYS:
            reading.items.append(today + timedelta(days=RELATIVE_DAYS[word]))
        elif (day := _ordinal(word)) is not None and (following in RANGE_WORDS or reading.items[-1:] == [RANGE_TO]):
            reading.items.append(_DayOfMonth(day))  # "7 tot 11 december", "7 december tot 11"
        else:
            reading.leftovers.append(word)
        index += step
    return reading


@dataclass
class _Resolved:
    days: list[date] = field(default_factory=list)
    ranges: list[tuple[date, date]] = field(default_factory=list)
    other_reading: dict[date, date] = field(default_factory=dict)  # a day -> what else it could mean
    weekdays: list[int] = field(default_factory=list)
    invalid: InvalidDate | None = None
    open_until: date | None = None


def _resolve_weekday(item: _Weekday, week_shift: int | None, today: date, resolved: _Resolved) -> date:
    resolved.weekdays.append(item.weekday)
    if week_shift is not None:
        day = week_start(today) + timedelta(weeks=week_shift, days=item.weekday)
        if week_shift == 0 and today.weekday() >= 5:  # "deze week" on a weekend: ending or starting?
            resolved.other_reading[day] = day + timedelta(weeks=1)
        return day
    day = _first_after(item.weekday, today)
    if item.modifier == "next" and week_start(day) == work_week_start(today):
        resolved.other_reading[day] = day + timedelta(weeks=1)
    return day


def _resolve(reading: _Reading, today: date) -> _Resolved:
    resolved = _Resolved()
    items = reading.items

    def single(item: _Item | str, after: date | None = None) -> date | None:
        if isinstance(item, date):
            return item
        if isinstance(item, InvalidDate):
            resolved.invalid = resolved.invalid or item
            return None
        if isinstance(item, _Weekday) and after is not None:  # "ma t/m wo": ends in the week it starts
            return after + timedelta(days=(item.weekday - after.weekday()) % 7)
        if isinstance(item, _Weekday):
            return _resolve_weekday(item, reading.week_shift, today, resolved)
        if isinstance(item, _DayOfMonth) and after is not None:  # "7 december tot 11"
            return _day_of_month_after(item.day, after, resolved)
        return None

    index = 0
    while index < len(items):
        item = items[index]
        if item == RANGE_TO:
            if index == 0 and index + 1 < len(items):  # "tot vrijdag": the last day only
                resolved.open_until = single(items[index + 1])
                index += 1
            index += 1
            continue
        if index + 2 < len(items) and items[index + 1] == RANGE_TO:
            right = items[index + 2]
            if isinstance(item, _DayOfMonth):  # "7 tot 11 december"
                end = single(right)
                start = _day_of_month_before(item.day, end, resolved) if end is not None else None
            else:
                start = single(item)
                end = single(right, after=start) if start is not None else None
            if isinstance(item, _Weekday) and isinstance(right, _Weekday):  # "elke ma t/m wo": every day between
                resolved.weekdays += [(item.weekday + n) % 7 for n in range((right.weekday - item.weekday) % 7 + 1)]
            if start is not None and end is not None:
                resolved.ranges.append((start, end))
            index += 3
            continue
        day = single(item)
        following = items[index + 1] if index + 1 < len(items) else None
        if isinstance(item, _Weekday) and day is not None and isinstance(following, date):
            index += 1  # "woensdag 9 december": the weekday names the date
            resolved.other_reading.pop(day, None)
            if following.weekday() != item.weekday:  # "dinsdag 9 december" while the 9th is a Wednesday
                resolved.other_reading[following] = day
            day = following
        elif isinstance(item, date) and isinstance(following, _Weekday) and following.weekday == item.weekday():
            index += 1  # "9 december woensdag"
        if day is not None:
            resolved.days.append(day)
        index += 1
    return resolved


def _day_of_month_before(day: int, end: date, resolved: _Resolved) -> date | None:
    """The start of "7 tot 11 december": in the month of the end, or the month before it."""
    month_start = end.replace(day=1)
    for first in (month_start, (month_start - timedelta(days=1)).replace(day=1)):
        try:
            start = first.replace(day=day)
        except ValueError:
            resolved.invalid = resolved.invalid or InvalidDate(str(day), first.month, first.year)
            return None
        if start <= end:
            return start
    return None


def _day_of_month_after(day: int, start: date, resolved: _Resolved) -> date | None:
    """The end of "7 december tot 11": in the month of the start, or the month after it."""
    first = start.replace(day=1)
    for month_first in (first, (first + timedelta(days=32)).replace(day=1)):
        try:
            end = month_first.replace(day=day)
        except ValueError:
            resolved.invalid = resolved.invalid or InvalidDate(str(day), month_first.month, month_first.year)
            return None
        if end >= start:
            return end
    return None


def _every_day(start: date, end: date) -> list[date]:
    try:
        return date_range(start, end)
    except DomainError:  # the use case words what is wrong with the range
        return [start, end]


def _alternatives(resolved: _Resolved) -> tuple[tuple[date, ...], ...]:
    """Both readings of an ambiguous text, each as the full set of days it means."""
    if not resolved.other_reading:
        return ()
    other = resolved.other_reading
    first = set(resolved.days)
    second = {other.get(day, day) for day in resolved.days}
    for start, end in resolved.ranges:
        shift = other.get(start, start) - start
        first.update(_every_day(start, end))
        second.update(day + shift for day in _every_day(start, end))
    return (tuple(sorted(first)), tuple(sorted(second))) if first != second else ()


def parse_request(text: str, now: datetime) -> ParsedRequest:
    """Read a registration text; `now` anchors relative words such as "morgen" and "vrijdag"."""
    if len(text) > MAX_REGISTRATION_TEXT_LENGTH:
        return ParsedRequest(too_long=True)
    today = now.date()
    reading = _read(tokens(text), now)
    if reading.leftovers and len(reading.leftovers) <= DATEPARSER_MAX_WORDS:
        found = _dateparser_date(" ".join(reading.leftovers), now)
        if found is not None:
            reading.items.append(found)
            reading.leftovers = []
    resolved = _resolve(reading, today)
    leftovers = reading.leftovers
    location = None
    if reading.place == "satellite" and leftovers:
        location = " ".join(leftovers).title()[:LOCATION_MAX_LENGTH]
        leftovers = []
    half_day = reading.half_day and reading.part not in ("am", "pm")
    return ParsedRequest(
        place=reading.place, part=reading.part or (None if half_day else "full"), days=tuple(sorted(set(resolved.days))),
        ranges=tuple(resolved.ranges), weekdays=tuple(sorted(set(resolved.weekdays))), weeks=reading.weeks,
        repeat=reading.repeat, location=location, unknown=tuple(leftovers), half_day_unspecified=half_day,
        alternatives=_alternatives(resolved), invalid_date=resolved.invalid, open_until=resolved.open_until,
    )
