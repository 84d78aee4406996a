"""Registration texts in Dutch and English, read against the tests' fixed clock (Sunday 22 Nov 2026)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.domain.homework_text import parse_request, weekday_of
from tests.conftest import DEFAULT_NOW

MON, TUE, WED, THU, FRI = (date(2026, 11, 23) + timedelta(days=n) for n in range(5))


@pytest.mark.parametrize(
    ("text", "place", "part", "days"),
    [
        ("thuis morgen", "home", "full", (MON,)),
        ("thuiswerk vrijdag", "home", "full", (FRI,)),
        ("thuis 24/11", "home", "full", (TUE,)),
        ("thuis ma en do", "home", "full", (MON, THU)),
        ("satelliet dinsdag Gent", "satellite", "full", (TUE,)),
        ("home tomorrow", "home", "full", (MON,)),
        ("vandaag thuis", "home", "full", (date(2026, 11, 22),)),
        ("thuis overmorgen voormiddag", "home", "am", (TUE,)),
        ("thuis woensdag namiddag", "home", "pm", (WED,)),
        ("home friday afternoon", "home", "pm", (FRI,)),
        ("home mon morning", "home", "am", (MON,)),
        ("remote thurs", "home", "full", (THU,)),
        ("home day after tomorrow", "home", "full", (TUE,)),
        ("thuis 3 december", "home", "full", (date(2026, 12, 3),)),
        ("thuis 24/11/2026", "home", "full", (TUE,)),
        ("morgen thuis", "home", "full", (MON,)),
        ("kantoor morgen", "office", "full", (MON,)),
        ("thuis ma, di & wo", "home", "full", (MON, TUE, WED)),
    ],
)
def test_single_and_several_days(text: str, place: str, part: str, days: tuple[date, ...]) -> None:
    parsed = parse_request(text, DEFAULT_NOW)
    assert parsed.complete, parsed
    assert (parsed.place, parsed.part, parsed.days, parsed.repeat) == (place, part, days, False)


def test_satellite_office_name_is_kept() -> None:
    parsed = parse_request("satelliet dinsdag Gent", DEFAULT_NOW)
    assert parsed.location == "Gent"
    assert parse_request("satelliet morgen in sint-niklaas", DEFAULT_NOW).location == "Sint-Niklaas"
    assert parse_request("thuis dinsdag", DEFAULT_NOW).location is None


@pytest.mark.parametrize(
    "text", ["thuis elke ma en do 8 weken", "home every mon and thu for 8 weeks", "thuis iedere maandag en donderdag 8 weken"]
)
def test_recurring_pattern(text: str) -> None:
    parsed = parse_request(text, DEFAULT_NOW)
    assert parsed.complete
    assert parsed.repeat and parsed.weekdays == (0, 3) and parsed.weeks == 8 and parsed.place == "home"


def test_date_without_year_means_the_nearest_one() -> None:
    # Last Friday (late registration), not next year's; early January means next year.
    assert parse_request("thuis 20/11", DEFAULT_NOW).days == (date(2026, 11, 20),)
    assert parse_request("thuis 5/1", DEFAULT_NOW).days == (date(2027, 1, 5),)


def test_today_moves_with_the_clock() -> None:
    monday = DEFAULT_NOW + timedelta(days=1)
    assert parse_request("vandaag thuis", monday).days == (MON,)
    assert parse_request("thuis morgen", monday).days == (TUE,)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("thuis blabla", "unknown"),
        ("thuis morgen halve dag", "half"),
        ("thuis elke ma en do", "weeks"),
        ("thuis", "day"),
        ("home", "day"),
    ],
)
def test_incomplete_texts_are_not_registered(text: str, why: str) -> None:
    parsed = parse_request(text, DEFAULT_NOW)
    assert not parsed.complete
    if why == "unknown":
        assert parsed.unknown == ("blabla",)
    elif why == "half":
        assert parsed.half_day_unspecified and parsed.days == (MON,)
    elif why == "weeks":
        assert parsed.repeat and parsed.weekdays == (0, 3) and parsed.weeks is None
    else:
        assert parsed.days == ()


def test_half_day_with_the_half_named_is_complete() -> None:
    parsed = parse_request("thuis morgen halve dag namiddag", DEFAULT_NOW)
    assert parsed.complete and parsed.part == "pm"


def test_weekday_words() -> None:
    assert [weekday_of(w) for w in ("ma", "di", "wo", "do", "vr", "maandag", "mon", "tue", "wed", "thu", "fri", "thurs")] == [
        0, 1, 2, 3, 4, 0, 0, 1, 2, 3, 4, 3,
    ]
    assert weekday_of("gent") is None and weekday_of("we") is None


def test_late_evening_still_reads_tomorrow_as_the_next_day() -> None:
    aware = datetime(2026, 11, 22, 23, 30, tzinfo=DEFAULT_NOW.tzinfo)
    assert parse_request("thuis morgen", aware).days == (MON,)
