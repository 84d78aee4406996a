"""Home-work day rules: weekends, Belgian holidays, late registration, recurrence, anchor days,
minimum office days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.domain.errors import DomainError
from bot.domain.homework import (
    DayRefused,
    Registration,
    TeamAgreement,
    below_minimum,
    check_day,
    date_range,
    decide_day,
    earliest_registrable,
    holiday_name,
    make_agreement,
    period_range,
    recurring_days,
    validate_ineligibility,
)
from bot.domain.policy_sections import HomeworkPolicy

TODAY = date(2026, 11, 22)  # a Sunday
POLICY = HomeworkPolicy()


def refusal(day: date, policy: HomeworkPolicy = POLICY) -> str | None:
    try:
        check_day(day, TODAY, policy)
    except DayRefused as error:
        return error.key
    return None


def test_weekends_and_holidays_are_refused() -> None:
    assert refusal(date(2026, 11, 28)) == "homework.refused_weekend"
    assert refusal(date(2026, 11, 22)) == "homework.refused_weekend"
    assert refusal(date(2026, 12, 25)) == "homework.refused_holiday"
    assert refusal(date(2026, 11, 23)) is None


def test_belgian_holidays_in_both_languages() -> None:
    assert holiday_name(date(2026, 12, 25), "nl") == "Kerstmis"
    assert holiday_name(date(2026, 12, 25), "en") == "Christmas Day"
    assert holiday_name(date(2026, 11, 11), "nl") == "Wapenstilstand"
    assert holiday_name(date(2026, 11, 12)) is None


def test_late_registration_window_follows_the_policy() -> None:
    assert earliest_registrable(TODAY, POLICY) == date(2026, 10, 1)
    assert refusal(date(2026, 10, 1)) is None
    assert refusal(date(2026, 9, 30)) == "homework.refused_too_late"
    strict = HomeworkPolicy(late_registration_months=0)
    assert refusal(date(2026, 10, 30), strict) == "homework.refused_too_late"
    assert refusal(date(2026, 11, 2), strict) is None
    assert earliest_registrable(date(2027, 1, 15), HomeworkPolicy(late_registration_months=2)) == date(2026, 11, 1)


def test_too_far_ahead_is_refused() -> None:
    assert refusal(date(2027, 6, 1)) == "homework.refused_too_far"


def test_recurring_mondays_and_thursdays_for_eight_weeks() -> None:
    days = recurring_days(date(2026, 11, 23), (0, 3), 8)
    assert len(days) == 16
    assert days[0] == date(2026, 11, 23) and days[-1] == date(2027, 1, 14)
    assert {d.weekday() for d in days} == {0, 3}


def test_recurring_limits() -> None:
    with pytest.raises(DomainError) as error:
        recurring_days(TODAY, (0,), 27)
    assert error.value.key == "homework.weeks_out_of_range"
    with pytest.raises(DomainError):
        recurring_days(TODAY, (), 4)
    assert len(recurring_days(TODAY, (4,), 26)) == 26


def test_date_range() -> None:
    assert len(date_range(date(2026, 11, 23), date(2026, 11, 29))) == 7
    with pytest.raises(DomainError):
        date_range(date(2026, 11, 29), date(2026, 11, 23))


def test_periods() -> None:
    # On a Sunday "this week" is the week about to start.
    assert period_range("week", TODAY) == (date(2026, 11, 23), date(2026, 11, 29))
    assert period_range("week", date(2026, 11, 27)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert period_range("month", TODAY) == (date(2026, 11, 1), date(2026, 11, 30))
    assert period_range("next_month", TODAY) == (date(2026, 12, 1), date(2026, 12, 31))
    assert period_range("next_month", date(2026, 12, 5)) == (date(2027, 1, 1), date(2027, 1, 31))


def test_approval_from_policy_and_anchor_day() -> None:
    agreement = TeamAgreement(1, frozenset({1}), 2)
    tuesday, wednesday = date(2026, 11, 24), date(2026, 11, 25)
    assert decide_day(tuesday, "home", POLICY, agreement).anchor_day
    assert not decide_day(tuesday, "home", POLICY, agreement).needs_approval
    strict_anchor = HomeworkPolicy(anchor_day_home_work="approval")
    assert decide_day(tuesday, "home", strict_anchor, agreement).needs_approval
    assert not decide_day(wednesday, "home", strict_anchor, agreement).needs_approval
    assert decide_day(wednesday, "satellite", HomeworkPolicy(needs_approval=True), None).needs_approval
    assert not decide_day(tuesday, "office", HomeworkPolicy(needs_approval=True), agreement).needs_approval


def _home(day: date, part: str = "full", status: str = "registered") -> Registration:
    return Registration(id=day.day, staff_id=1, day=day, place="home", part=part, status=status)  # type: ignore[arg-type]


def test_minimum_office_days() -> None:
    agreement = TeamAgreement(1, frozenset(), 3)
    week = [_home(date(2026, 11, 23)), _home(date(2026, 11, 24))]
    assert below_minimum(date(2026, 11, 23), week, agreement) is None  # 3 office days left
    week.append(_home(date(2026, 11, 25), part="am"))
    assert below_minimum(date(2026, 11, 23), week, agreement) == Decimal("2.5")
    rejected = [*week[:2], _home(date(2026, 11, 25), status="rejected")]
    assert below_minimum(date(2026, 11, 23), rejected, agreement) is None
    assert below_minimum(date(2026, 11, 23), week, None) is None


def test_minimum_in_a_week_with_a_holiday() -> None:
    # Christmas week 2026: Friday 25 December is a holiday, four working days.
    agreement = TeamAgreement(1, frozenset(), 4)
    assert below_minimum(date(2026, 12, 21), [], agreement) is None
    assert below_minimum(date(2026, 12, 21), [_home(date(2026, 12, 21))], agreement) == Decimal(3)


def test_agreement_and_ineligibility_validation() -> None:
    assert make_agreement(5, [1, 3], 2).anchor_weekdays == frozenset({1, 3})
    for anchors, minimum in (([5], 1), ([1], 6), ([1], -1)):
        with pytest.raises(DomainError):
            make_agreement(5, anchors, minimum)
    validate_ineligibility("function", TODAY, None, None)
    for reason, until, note in (("lazy", None, None), ("abuse", date(2026, 1, 1), None), ("abuse", None, "x" * 501)):
        with pytest.raises(DomainError):
            validate_ineligibility(reason, TODAY, until, note)


def test_an_anchor_day_in_the_past_is_not_warned_about() -> None:
    agreement = TeamAgreement(1, frozenset({1}), 0)
    tuesday, later = date(2026, 11, 17), date(2026, 11, 22)
    past = decide_day(tuesday, "home", HomeworkPolicy(), agreement, later)
    ahead = decide_day(tuesday, "home", HomeworkPolicy(), agreement, tuesday)
    assert (past.anchor_day, past.warn_anchor_day) == (True, False)
    assert (ahead.anchor_day, ahead.warn_anchor_day) == (True, True)


def test_the_holiday_tables_kept_stay_bounded() -> None:
    """A year comes from what people type (a report month runs to 9999): the tables kept are bounded."""
    from bot.domain import calendar

    for year in range(1901, 1901 + 3 * calendar.HOLIDAY_TABLES_KEPT):  # the years the library knows
        assert calendar.is_working_day(date(year, 12, 25)) is False
        assert calendar.holiday_name(date(year, 1, 1), "en") == "New Year's Day"
    assert calendar._holidays.cache_info().currsize <= calendar.HOLIDAY_TABLES_KEPT
    assert holiday_name(date(2026, 12, 25), "nl") == "Kerstmis"  # rebuilt when asked again
    assert calendar.belgian_holidays(2026) == frozenset(calendar._holidays(2026, "nl"))
