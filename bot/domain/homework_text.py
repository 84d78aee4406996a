"""Short registration texts in Dutch or English: "thuis morgen", "thuis ma en do", "satelliet dinsdag
Gent", "home every mon and thu for 8 weeks". A small tokenizer recognises the place, part-of-day and
repetition words; dates and weekdays are left to dateparser and Babel's day names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import dateparser
from babel.dates import get_day_names

from bot.domain.homework import LOCATION_MAX_LENGTH, FormRequest, Missing, Part, Place, recurring_days

PLACE_WORDS: dict[str, Place] = {
    "thuis": "home", "thuiswerk": "home", "thuiswerken": "home", "thuiswerkdag": "home", "telewerk": "home",
    "home": "home", "remote": "home", "wfh": "home", "homework": "home",
    "satelliet": "satellite", "satellietkantoor": "satellite", "satellietwerkplek": "satellite", "satellite": "satellite",
    "kantoor": "office", "office": "office",
}
PART_WORDS: dict[str, Part] = {
    "voormiddag": "am", "ochtend": "am", "vm": "am", "morning": "am",
    "namiddag": "pm", "nm": "pm", "afternoon": "pm",
    "_fullday": "full",
}
HALF_DAY = "_halfday"
PHRASES = (
    (re.compile(r"\b(halve|half)[ -]?dag\b|\bhalf[ -]day\b"), HALF_DAY),
    (re.compile(r"\b(hele|volledige|volle)[ -]?dag\b|\b(full|whole)[ -]day\b"), "_fullday"),
    (re.compile(r"\bday after tomorrow\b"), "overmorgen"),
)
REPEAT_WORDS = frozenset({"elke", "iedere", "telkens", "wekelijks", "every", "each", "weekly"})
WEEK_WORDS = frozenset({"week", "weken", "weeks", "wk", "wkn"})
FILLER_WORDS = frozenset({
    "en", "and", "op", "on", "de", "het", "ik", "werk", "werken", "work", "working", "from", "van", "te", "in",
    "at", "voor", "for", "the", "next", "volgende", "komende", "coming", "mijn", "my", "i", "gedurende", "dag",
    "day", "ook", "also", "tot", "me", "a", "een", "s",
})
_NUMERIC_DATE = re.compile(r"^\d{1,2}[/.-]\d{1,2}([/.-]\d{2,4})?$")
_SPLIT = re.compile(r"[\s,;&+]+")
_DATEPARSER_LANGUAGES = ["nl", "en"]
# A registration is a short sentence ("thuis elke maandag en donderdag gedurende 8 weken"). Each
# date-like word costs dateparser over a millisecond of CPU on the event loop, so a longer text is
# not read word by word: it gets the form, pre-filled with its place, and the start of it quoted.
MAX_WORDS = 24
QUOTED_WORDS = 5


@dataclass(frozen=True)
class ParsedRequest:
    """What a short text asked for; `complete` says whether it can be registered as it is."""

    place: Place | None = None
    part: Part | None = None
    days: tuple[date, ...] = ()
    weekdays: tuple[int, ...] = ()
    weeks: int | None = None
    repeat: bool = False
    location: str | None = None
    unknown: tuple[str, ...] = ()
    half_day_unspecified: bool = False

    @property
    def complete(self) -> bool:
        if self.place is None or self.unknown or self.half_day_unspecified:
            return False
        if self.repeat:
            return bool(self.weekdays) and self.weeks is not None
        return bool(self.days)

    @property
    def missing(self) -> Missing | None:
        """What to ask for first when the text cannot be registered as it is."""
        if self.complete:
            return None
        if self.unknown:
            return Missing.UNKNOWN_WORDS
        if self.half_day_unspecified:
            return Missing.WHICH_HALF
        if self.repeat and not self.weekdays:
            return Missing.WEEKDAYS
        if self.repeat and self.weeks is None:
            return Missing.WEEKS
        if self.place is None:
            return Missing.PLACE
        return Missing.DAY

    def days_from(self, today: date) -> list[date]:
        """The days asked for (a complete request only): a weekly pattern starts today."""
        return recurring_days(today, self.weekdays, self.weeks or 0) if self.repeat else list(self.days)

    def as_form(self) -> FormRequest:
        """The registration form pre-filled with what was understood."""
        return FormRequest(
            place=self.place or "home", part=self.part or "full",
            day=self.days[0] if self.days and not self.repeat else None, location=self.location,
            weekdays=self.weekdays if self.repeat else (), weeks=self.weeks,
        )


@cache
def _weekday_names() -> dict[str, int]:
    """Dutch abbreviations exactly (ma, di, ...), full day names in both languages."""
    names: dict[str, int] = {}
    for locale in ("nl_BE", "en_GB"):
        for width in ("wide", "abbreviated"):
            for number, name in get_day_names(width, locale=locale).items():
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


def _parse_date(words: str, now: datetime) -> date | None:
    parsed = dateparser.parse(
        words,
        languages=_DATEPARSER_LANGUAGES,
        settings={"RELATIVE_BASE": now.replace(tzinfo=None), "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY"},
    )
    return parsed.date() if parsed else None


def _nearest_year(day: date, today: date) -> date:
    """A date typed without a year ("24/11", "3 december") means the nearest such date: last week's
    Friday for a late registration, next January in December."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(day.replace(year=year))
        except ValueError:  # 29 February
            continue
    return min(candidates, key=lambda candidate: abs((candidate - today).days))


def _next_weekday(weekday: int, today: date) -> date:
    """The next such weekday after today, as dateparser reads "vrijdag" with future dates preferred."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def tokens(text: str) -> list[str]:
    lowered = text.lower().strip()
    for pattern, replacement in PHRASES:
        lowered = pattern.sub(f" {replacement} ", lowered)
    lowered = lowered.replace("'s ", " ")
    return [token.strip(".!?:()") for token in _SPLIT.split(lowered) if token.strip(".!?:()")]


def parse_request(text: str, now: datetime) -> ParsedRequest:
    """Read a registration text; `now` anchors relative words such as "morgen" and "vrijdag"."""
    today = now.date()
    words = tokens(text)
    if len(words) > MAX_WORDS:
        return _too_long(words)
    place: Place | None = None
    part: Part | None = None
    half_day = False
    repeat = False
    weeks: int | None = None
    days: list[date] = []
    weekdays: list[int] = []
    leftovers: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else None
        index += 1
        if word in PLACE_WORDS:
            place = place or PLACE_WORDS[word]
        elif word in PART_WORDS:
            part = PART_WORDS[word]
        elif word == HALF_DAY:
            half_day = True
        elif word in REPEAT_WORDS:
            repeat = True
        elif word in WEEK_WORDS or word in FILLER_WORDS:
            continue
        elif word.isdigit() and following in WEEK_WORDS:
            weeks = int(word)
            index += 1
        elif word.isdigit() and following is not None and (day := _parse_date(f"{word} {following}", now)) is not None and not following.isdigit():
            days.append(_nearest_year(day, today))
            index += 1
        elif (weekday := weekday_of(word)) is not None:
            weekdays.append(weekday)
            days.append(_parse_date(word, now) or _next_weekday(weekday, today))
        elif _NUMERIC_DATE.match(word) and (day := _parse_date(word, now)) is not None:
            has_year = word.count("/") + word.count("-") + word.count(".") > 1
            days.append(day if has_year else _nearest_year(day, today))
        elif word.isalpha() and (day := _parse_date(word, now)) is not None:
            days.append(day)  # vandaag, morgen, overmorgen, today, tomorrow
        else:
            leftovers.append(word)
    location = None
    if place == "satellite" and leftovers:
        location = " ".join(leftovers).title()[:LOCATION_MAX_LENGTH]
        leftovers = []
    if half_day and part in ("am", "pm"):
        half_day = False
    return ParsedRequest(
        place=place, part=part or (None if half_day else "full"), days=tuple(sorted(set(days))),
        weekdays=tuple(sorted(set(weekdays))), weeks=weeks, repeat=repeat, location=location,
        unknown=tuple(leftovers), half_day_unspecified=half_day,
    )


def _too_long(words: list[str]) -> ParsedRequest:
    """Not understood: only the place (a dictionary look-up per word) is read, no date."""
    place = next((PLACE_WORDS[word] for word in words if word in PLACE_WORDS), None)
    quoted = [word for word in words if word not in PLACE_WORDS][:QUOTED_WORDS]
    return ParsedRequest(place=place, unknown=(*quoted, "…"))
