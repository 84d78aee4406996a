"""Registration texts in Dutch and English, read against the tests' fixed clock (Sunday 22 Nov 2026)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.homework import Missing
from bot.domain.homework_text import MAX_REGISTRATION_TEXT_LENGTH, parse_request, weekday_of
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


# -- relative weeks, glued parts, ranges, dates that do not exist (read on several weekdays) ---------
def on(day: date, hour: int = 9) -> datetime:
    """The clock on a given day, in Brussels time like the tests' fixed clock."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=DEFAULT_NOW.tzinfo)


NEXT_MON, NEXT_TUE, NEXT_WED, NEXT_THU, NEXT_FRI = (date(2026, 11, 30) + timedelta(days=n) for n in range(5))
SAT, SUN = date(2026, 11, 28), date(2026, 11, 29)


@pytest.mark.parametrize("today", [MON, TUE, WED, THU, FRI, SAT, SUN])
@pytest.mark.parametrize(
    "text",
    [
        "thuis volgende week woensdag", "thuis woensdag volgende week", "volgende week woensdag thuis",
        "home next week wednesday", "home wednesday next week", "next week wednesday home",
        "kantoor volgende week woensdag", "office wednesday next week", "satelliet volgende week woensdag",
        "thuis komende week woensdag",
    ],
)
def test_next_week_weekday_is_in_the_next_calendar_week(text: str, today: date) -> None:
    parsed = parse_request(text, on(today))  # on Saturday and Sunday "next week" starts on the coming Monday
    assert parsed.complete, parsed
    assert parsed.days == (NEXT_WED,)


@pytest.mark.parametrize("text", ["thuis volgende week woensdag", "home next week wednesday"])
def test_next_week_on_the_sunday_before_is_the_coming_week(text: str) -> None:
    assert parse_request(text, on(date(2026, 11, 22))).days == (WED,)


@pytest.mark.parametrize("text", ["thuis volgende vrijdag", "home next friday", "volgende vrijdag kantoor"])
def test_next_weekday_still_in_this_work_week_asks_which_one(text: str) -> None:
    # On a Thursday "volgende vrijdag" may be tomorrow or the Friday after: the card asks.
    parsed = parse_request(text, on(THU))
    assert not parsed.complete and parsed.missing is Missing.AMBIGUOUS_DAY
    assert parsed.alternatives == ((FRI,), (NEXT_FRI,))
    assert parsed.as_form().day is None  # no guess pre-filled
    # Said on a Monday about Friday as well: still this week, still two readings.
    assert parse_request(text, on(MON)).alternatives == ((FRI,), (NEXT_FRI,))


@pytest.mark.parametrize("text", ["thuis volgende woensdag", "home next wednesday"])
def test_next_weekday_already_past_this_week_is_next_weeks(text: str) -> None:
    parsed = parse_request(text, on(THU))  # Wednesday is behind us: only one reading
    assert parsed.complete and parsed.days == (NEXT_WED,)


@pytest.mark.parametrize("text", ["thuis komende vrijdag", "home this friday", "thuis deze vrijdag", "home coming friday"])
def test_coming_weekday_is_the_first_one(text: str) -> None:
    assert parse_request(text, on(THU)).days == (FRI,)
    assert parse_request(text, on(SAT)).days == (date(2026, 12, 4),)


@pytest.mark.parametrize("today", [MON, WED, FRI])
@pytest.mark.parametrize(
    "text", ["thuis over twee weken dinsdag", "thuis dinsdag over twee weken", "home in two weeks tuesday",
             "home tuesday in 2 weeks", "over 2 weken dinsdag thuis"],
)
def test_in_two_weeks(text: str, today: date) -> None:
    assert parse_request(text, on(today)).days == (date(2026, 12, 8),)


@pytest.mark.parametrize("today", [MON, WED, FRI])
@pytest.mark.parametrize("text", ["thuis deze week vrijdag", "thuis vrijdag deze week", "home this week friday", "home friday this week"])
def test_this_week(text: str, today: date) -> None:
    assert parse_request(text, on(today)).days == (FRI,)


@pytest.mark.parametrize("text", ["thuis deze week vrijdag", "home this week friday"])
def test_this_week_on_a_weekend_asks(text: str) -> None:
    parsed = parse_request(text, on(SAT))
    assert parsed.missing is Missing.AMBIGUOUS_DAY and parsed.alternatives == ((FRI,), (date(2026, 12, 4),))


@pytest.mark.parametrize(
    ("text", "day", "part"),
    [
        ("thuis donderdagnamiddag", THU, "pm"), ("thuis vrijdagvoormiddag", FRI, "am"), ("thuis dinsdagochtend", TUE, "am"),
        ("thuis maandagmorgen", MON, "am"), ("thuis woensdagmiddag", WED, "pm"), ("donderdagnamiddag thuis", THU, "pm"),
        ("thuis donderdag namiddag", THU, "pm"), ("home thursday afternoon", THU, "pm"), ("home friday morning", FRI, "am"),
        ("thuis morgennamiddag", MON, "pm"), ("thuis volgende week donderdagnamiddag", date(2026, 11, 26), "pm"),
        ("satelliet donderdagnamiddag Gent", THU, "pm"), ("kantoor vrijdagvoormiddag", FRI, "am"),
        ("thuis donderdag 's namiddags", THU, "pm"),
    ],
)
def test_day_and_part_of_day(text: str, day: date, part: str) -> None:
    parsed = parse_request(text, DEFAULT_NOW)  # Sunday 22 November
    assert parsed.complete, parsed
    assert (parsed.days, parsed.part) == ((day,), part)


DEC_7_TO_11 = [date(2026, 12, d) for d in range(7, 12)]


@pytest.mark.parametrize(
    "text",
    [
        "thuis 7 tot 11 december", "thuis van 7 tot 11 december", "thuis 7 t/m 11 december", "thuis 7 tot en met 11 december",
        "thuis 7 december tot 11 december", "thuis 7/12 - 11/12", "thuis 7/12-11/12", "home 7-11 dec", "home 7 - 11 december",
        "home from 7 to 11 december", "home december 7-11", "home dec 7 to 11", "7 tot 11 december thuis",
    ],
)
def test_ranges_of_dates(text: str) -> None:
    parsed = parse_request(text, DEFAULT_NOW)
    assert parsed.complete, parsed
    assert parsed.days_from(DEFAULT_NOW.date()) == DEC_7_TO_11
    assert parsed.as_form().day == date(2026, 12, 7) and parsed.as_form().until == date(2026, 12, 11)


@pytest.mark.parametrize(
    "text", ["thuis ma t/m wo", "thuis maandag tot en met woensdag", "thuis maandag tot woensdag", "home mon-wed",
             "home monday to wednesday", "ma-wo thuis", "home mon - wed", "thuis ma tem wo"],
)
def test_ranges_of_weekdays(text: str) -> None:
    parsed = parse_request(text, DEFAULT_NOW)
    assert parsed.complete, parsed
    assert parsed.days_from(DEFAULT_NOW.date()) == [MON, TUE, WED]


def test_range_of_weekdays_next_week() -> None:
    parsed = parse_request("thuis volgende week ma t/m wo", on(WED))
    assert parsed.days_from(WED) == [NEXT_MON, NEXT_TUE, NEXT_WED]


def test_range_over_the_new_year() -> None:
    parsed = parse_request("thuis 28 dec t/m 3 jan", DEFAULT_NOW)
    assert parsed.ranges == ((date(2026, 12, 28), date(2027, 1, 3)),)


@pytest.mark.parametrize(
    ("text", "month", "year"),
    [("thuis 29/02", 2, 2027), ("thuis 31/04", 4, 2027), ("home 31 april", 4, 2027), ("thuis 30 februari", 2, 2027),
     ("thuis 29/02/2027", 2, 2027), ("thuis 31/11", 11, 2026), ("thuis 12/13", None, 2026), ("29/02 thuis", 2, 2027)],
)
def test_dates_that_do_not_exist_are_named(text: str, month: int | None, year: int) -> None:
    parsed = parse_request(text, DEFAULT_NOW)
    assert parsed.missing is Missing.INVALID_DATE
    assert parsed.invalid_date is not None and (parsed.invalid_date.month, parsed.invalid_date.year) == (month, year)


def test_29_february_in_a_leap_year_exists() -> None:
    assert parse_request("thuis 29/02", on(date(2028, 1, 10))).days == (date(2028, 2, 29),)


def test_weekday_that_names_the_date_is_one_day_and_a_mismatch_asks() -> None:
    assert parse_request("thuis woensdag 9 december", DEFAULT_NOW).days == (date(2026, 12, 9),)
    assert parse_request("thuis 9 december woensdag", DEFAULT_NOW).days == (date(2026, 12, 9),)
    assert parse_request("thuis dinsdag 9 december", DEFAULT_NOW).missing is Missing.AMBIGUOUS_DAY


def test_until_without_a_first_day_asks_for_it() -> None:
    parsed = parse_request("thuis tot vrijdag", DEFAULT_NOW)
    assert parsed.missing is Missing.DAY and parsed.as_form().until == FRI and parsed.as_form().day is None


def test_a_long_text_is_not_read() -> None:
    long_text = "thuis morgen " + "en ook " * (MAX_REGISTRATION_TEXT_LENGTH // 7 + 1)
    parsed = parse_request(long_text, DEFAULT_NOW)
    assert parsed.missing is Missing.TOO_LONG and parsed.days == ()


def test_common_forms_do_not_need_dateparser(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.domain.homework_text as homework_text

    def no_dateparser(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("dateparser called for a common form")

    monkeypatch.setattr(homework_text.dateparser, "parse", no_dateparser)
    for text in ("thuis 24/11", "thuis morgen", "thuis overmorgen", "home friday", "thuis 3 december", "thuis ma en do",
                 "thuis volgende week woensdag", "home 7-11 dec"):
        assert parse_request(text, DEFAULT_NOW).complete, text


@pytest.mark.parametrize(
    ("text", "day"),
    [("home 3rd of december", date(2026, 12, 3)), ("thuis over 3 dagen", date(2026, 11, 25)), ("home in 3 days", date(2026, 11, 25)),
     ("thuis eergisteren", date(2026, 11, 20))],
)
def test_other_forms_go_to_dateparser(text: str, day: date) -> None:
    parsed = parse_request(text, DEFAULT_NOW)
    assert parsed.complete and parsed.days == (day,), parsed


@pytest.mark.parametrize("text", ["thuis maart", "home noon", "home march"])
def test_a_month_or_a_time_alone_is_not_a_day(text: str) -> None:
    parsed = parse_request(text, DEFAULT_NOW)
    assert not parsed.complete and parsed.days == ()


@pytest.mark.parametrize("text", ["thuis elke ma t/m wo 4 weken", "home every mon-wed for 4 weeks"])
def test_a_weekly_range_of_weekdays(text: str) -> None:
    parsed = parse_request(text, DEFAULT_NOW)
    assert parsed.complete and parsed.repeat and parsed.weekdays == (0, 1, 2) and parsed.weeks == 4


_WORDS = ["thuis", "home", "volgende", "next", "week", "weken", "tot", "-", "t/m", "7", "11", "december", "ma", "wo",
          "over", "twee", "in", "deze", "komende", "elke", "8", "donderdagnamiddag", "29/02", "31", "april", "Gent",
          "satelliet", "1/1/2027", "mon-wed", "7-11", "dec", "blabla", "halve", "dag"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12), st.integers(min_value=0, max_value=6))
def test_any_mix_of_the_words_is_read_without_an_error(words: list[str], weekday_offset: int) -> None:
    parsed = parse_request(" ".join(words), DEFAULT_NOW + timedelta(days=weekday_offset))
    assert parsed.complete == (parsed.missing is None)
    assert len(parsed.alternatives) in (0, 2)
