"""The allowance rules at month and year edges: effective dates, switching, defaults, the
average-one-day-a-week rule (holidays, half days, short months, months starting on a weekend)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import holidays
import pytest

from bot.domain.allowances import (
    AllowanceChoice,
    ChoiceProblem,
    ChoiceRefusal,
    ChoiceSource,
    InternetMode,
    Month,
    WorkDay,
    check_choice,
    choice_in_month,
    choice_on,
    default_choice,
    effective_date_of_change,
    home_days,
    homework_month,
    internet_amount,
    may_choose,
    modes_in_year,
    pending_choice,
    statement,
    working_days,
    working_weeks,
)
from bot.domain.policy_sections import AllowancePolicy

POLICY = AllowancePolicy(default_mode_since=date(2000, 1, 1))  # the default applies to everyone here
FLAT = InternetMode.FLAT_FEE
THIRD = InternetMode.THIRD_PARTY


def choice(mode: InternetMode, effective: date, id_: int, cost: str | None = None) -> AllowanceChoice:
    return AllowanceChoice(
        id=id_, staff_id=1, mode=mode, effective_from=effective, monthly_cost=Decimal(cost) if cost else None,
        provider="Proximus" if mode == THIRD else None, customer_number="C-1" if mode == THIRD else None,
    )


def home(*days: date, part: str = "full", place: str = "home", status: str = "registered") -> list[WorkDay]:
    return [WorkDay(day=d, place=place, part=part, status=status) for d in days]


def weekdays(month: Month, count: int, skip: set[date] | None = None) -> list[date]:
    found = [d for d in working_days(month) if d not in (skip or set())]
    return found[:count]


# -- month arithmetic -------------------------------------------------------------------------------

def test_month_edges() -> None:
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2027, 1).previous() == Month(2026, 12)
    assert Month(2028, 2).last == date(2028, 2, 29)
    assert Month(2026, 2).last == date(2026, 2, 28)
    assert Month.parse("2026-10") == Month(2026, 10)
    for bad in ("2026-13", "2026/10", "26-10", ""):
        with pytest.raises(ValueError):
            Month.parse(bad)


# -- effective dates -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("requested", "effective"),
    [
        (date(2026, 11, 1), date(2026, 11, 1)),
        (date(2026, 11, 9), date(2026, 11, 1)),  # before the cut-off day (10): this month
        (date(2026, 11, 10), date(2026, 12, 1)),  # on the cut-off day: next month
        (date(2026, 11, 30), date(2026, 12, 1)),
        (date(2026, 12, 9), date(2026, 12, 1)),
        (date(2026, 12, 22), date(2027, 1, 1)),  # over the year boundary
        (date(2026, 12, 31), date(2027, 1, 1)),
        (date(2027, 1, 1), date(2027, 1, 1)),
        (date(2028, 2, 29), date(2028, 3, 1)),  # leap day
    ],
)
def test_change_takes_effect_per_cutoff_day(requested: date, effective: date) -> None:
    assert effective_date_of_change(requested, POLICY) == effective


def test_cutoff_day_is_configuration() -> None:
    early = AllowancePolicy(payroll_cutoff_day=1)
    late = AllowancePolicy(payroll_cutoff_day=28)
    assert effective_date_of_change(date(2026, 11, 1), early) == date(2026, 12, 1)
    assert effective_date_of_change(date(2026, 11, 27), late) == date(2026, 11, 1)


def test_switching_twice_in_a_year_counts_in_both_modes() -> None:
    history = [
        choice(FLAT, date(2021, 9, 1), 1),
        choice(THIRD, date(2026, 3, 1), 2, "41.50"),
        choice(FLAT, date(2026, 8, 1), 3),
    ]
    assert choice_in_month(history, Month(2026, 2)).mode == FLAT
    assert choice_in_month(history, Month(2026, 3)).mode == THIRD
    assert choice_in_month(history, Month(2026, 7)).mode == THIRD
    assert choice_in_month(history, Month(2026, 8)).mode == FLAT
    assert modes_in_year(history, 2026) == {FLAT, THIRD}
    assert modes_in_year(history, 2025) == {FLAT}
    assert modes_in_year(history, 2027) == {FLAT}
    assert modes_in_year(history, 2020) == set()
    # the history keeps every entry: the third party months stay visible after switching back
    assert [c.mode for c in history] == [FLAT, THIRD, FLAT]


def test_switch_at_year_boundary() -> None:
    history = [choice(THIRD, date(2025, 1, 1), 1, "30.00"), choice(FLAT, date(2026, 1, 1), 2)]
    assert modes_in_year(history, 2025) == {THIRD}
    assert modes_in_year(history, 2026) == {FLAT}
    assert choice_on(history, date(2025, 12, 31)).mode == THIRD
    assert choice_on(history, date(2026, 1, 1)).mode == FLAT


def test_later_recorded_choice_wins_at_the_same_date() -> None:
    history = [choice(FLAT, date(2026, 1, 1), 1), choice(THIRD, date(2026, 12, 1), 2, "40.00"), choice(FLAT, date(2026, 12, 1), 3)]
    assert choice_in_month(history, Month(2026, 12)).id == 3
    assert pending_choice(history, date(2026, 11, 22)).id == 3
    assert pending_choice(history, date(2026, 12, 1)) is None


def test_staff_out_of_service_do_not_count() -> None:
    history = [choice(FLAT, date(2021, 9, 1), 1), choice(THIRD, date(2026, 6, 1), 2, "40.00")]
    assert modes_in_year(history, 2026, in_service=(date(2010, 1, 1), date(2026, 5, 31))) == {FLAT}


# -- new staff defaults ----------------------------------------------------------------------------

def test_default_for_new_staff_is_flat_fee_from_the_start_month() -> None:
    default = default_choice(7, date(2026, 6, 14), POLICY, date(2026, 11, 22))
    assert default is not None
    assert (default.mode, default.effective_from, default.source) == (FLAT, date(2026, 6, 1), ChoiceSource.DEFAULT)


def test_default_never_before_the_internet_allowance_existed() -> None:
    default = default_choice(7, date(2015, 3, 2), POLICY, date(2026, 11, 22))
    assert default.effective_from == date(2021, 9, 1)


def test_entity_without_default_mode() -> None:
    assert default_choice(7, date(2026, 6, 14), POLICY.model_copy(update={"default_mode_for_new_staff": None}), date(2026, 11, 22)) is None
    third = default_choice(7, date(2026, 6, 14), POLICY.model_copy(update={"default_mode_for_new_staff": "third_party_payer"}), date(2026, 11, 22))
    assert third.mode == THIRD


def test_the_default_applies_only_to_who_starts_on_or_after_the_go_live_date() -> None:
    live = AllowancePolicy(default_mode_since=date(2026, 6, 1))
    assert default_choice(7, date(2026, 5, 31), live, date(2026, 11, 22)) is None  # the imported history is the truth
    assert default_choice(7, date(2026, 6, 1), live, date(2026, 11, 22)).effective_from == date(2026, 6, 1)
    assert default_choice(7, date(2026, 6, 14), AllowancePolicy(), date(2026, 11, 22)) is None  # no go-live date: no default


# -- who may choose ---------------------------------------------------------------------------------

def test_not_eligible_staff_may_never_choose() -> None:
    assert may_choose(ineligible=True, recent_home_days=Decimal(20), confirmed_by_manager=True, policy=POLICY) == ChoiceRefusal.NOT_ELIGIBLE


@pytest.mark.parametrize(
    ("basis", "days", "confirmed", "allowed"),
    [
        ("either", Decimal(4), False, True),
        ("either", Decimal("3.5"), False, False),
        ("either", Decimal(0), True, True),
        ("registrations", Decimal(0), True, False),
        ("registrations", Decimal(4), False, True),
        ("manager", Decimal(30), False, False),
        ("manager", Decimal(0), True, True),
    ],
)
def test_regular_home_work_basis(basis: str, days: Decimal, confirmed: bool, allowed: bool) -> None:
    policy = AllowancePolicy(regular_homework_basis=basis)
    refusal = may_choose(ineligible=False, recent_home_days=days, confirmed_by_manager=confirmed, policy=policy)
    assert (refusal is None) is allowed
    if not allowed:
        assert refusal == ChoiceRefusal.NOT_REGULAR


def test_third_party_details_are_checked() -> None:
    history = [choice(FLAT, date(2021, 9, 1), 1)]
    base = dict(staff_id=1, mode=THIRD, effective_from=date(2026, 12, 1))
    assert check_choice(AllowanceChoice(**base, customer_number="1", monthly_cost=Decimal(40)), history, POLICY) == ChoiceProblem.MISSING_PROVIDER
    assert check_choice(AllowanceChoice(**base, provider="P", monthly_cost=Decimal(40)), history, POLICY) == ChoiceProblem.MISSING_CUSTOMER_NUMBER
    assert check_choice(AllowanceChoice(**base, provider="P", customer_number="1"), history, POLICY) == ChoiceProblem.BAD_COST
    assert check_choice(AllowanceChoice(**base, provider="P", customer_number="1", monthly_cost=Decimal("40.005")), history, POLICY) == ChoiceProblem.BAD_COST
    assert check_choice(AllowanceChoice(**base, provider="P", customer_number="1", monthly_cost=Decimal("-1")), history, POLICY) == ChoiceProblem.BAD_COST
    assert check_choice(AllowanceChoice(**base, provider="P", customer_number="1", monthly_cost=Decimal("150.01")), history, POLICY) == ChoiceProblem.COST_TOO_HIGH
    assert check_choice(AllowanceChoice(**base, provider="P", customer_number="1", monthly_cost=Decimal("41.50")), history, POLICY) is None


def test_same_mode_again_is_unchanged_but_new_costs_are_a_change() -> None:
    history = [choice(FLAT, date(2021, 9, 1), 1), choice(THIRD, date(2026, 3, 1), 2, "41.50")]
    again = AllowanceChoice(staff_id=1, mode=THIRD, effective_from=date(2026, 12, 1), provider="Proximus", customer_number="C-1", monthly_cost=Decimal("41.50"))
    assert check_choice(again, history, POLICY) == ChoiceProblem.UNCHANGED
    dearer = AllowanceChoice(staff_id=1, mode=THIRD, effective_from=date(2026, 12, 1), provider="Proximus", customer_number="C-1", monthly_cost=Decimal("45.00"))
    assert check_choice(dearer, history, POLICY) is None
    flat = AllowanceChoice(staff_id=1, mode=FLAT, effective_from=date(2026, 12, 1))
    assert check_choice(flat, history, POLICY) is None


# -- working weeks ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("month", "days", "holidays_excluded"),
    [
        (Month(2026, 2), 20, []),  # starts on a Sunday, short month
        (Month(2028, 2), 21, []),  # leap year
        (Month(2026, 4), 21, [date(2026, 4, 6)]),  # Easter Monday
        (Month(2026, 5), 18, [date(2026, 5, 1), date(2026, 5, 14), date(2026, 5, 25)]),  # 1 May, Ascension, Whit Monday
        (Month(2026, 8), 21, []),  # starts on a Saturday; 15 August is a Saturday
        (Month(2026, 11), 20, [date(2026, 11, 11)]),  # All Saints on a Sunday, Armistice on a Wednesday
        (Month(2025, 12), 22, [date(2025, 12, 25)]),
    ],
)
def test_working_days_exclude_weekends_and_belgian_holidays(month: Month, days: int, holidays_excluded: list[date]) -> None:
    found = working_days(month)
    assert len(found) == days
    assert all(d.weekday() < 5 for d in found)
    assert not set(holidays_excluded) & set(found)
    assert working_weeks(month) == Decimal(days) / 5


# -- the average-one-day-a-week rule ------------------------------------------------------------------

def test_february_needs_four_days() -> None:
    month = Month(2026, 2)
    assert not homework_month(home(*weekdays(month, 3)), month, POLICY).due
    four = homework_month(home(*weekdays(month, 4)), month, POLICY)
    assert four.due and four.amount == Decimal("20.00") and four.per_week == Decimal("1.0")


def test_easter_monday_lowers_the_bar() -> None:
    month = Month(2026, 4)  # 21 working days = 4.2 weeks
    assert not homework_month(home(*weekdays(month, 4)), month, POLICY).due
    days = weekdays(month, 5)
    half = home(*days[:4]) + home(days[4], part="am")  # 4.5 days
    assert homework_month(half, month, POLICY).due


def test_home_day_on_a_holiday_does_not_count() -> None:
    month = Month(2026, 5)  # 18 working days = 3.6 weeks
    on_holidays = home(date(2026, 5, 1), date(2026, 5, 14), date(2026, 5, 25), date(2026, 5, 2))
    assert home_days(on_holidays, month) == 0
    assert not homework_month(home(*weekdays(month, 3)) + on_holidays, month, POLICY).due
    assert homework_month(home(*weekdays(month, 4)), month, POLICY).due


def test_half_days_count_half() -> None:
    month = Month(2026, 11)  # 20 working days: exactly 4 needed
    days = weekdays(month, 8)
    eight_halves = home(*days[:4], part="am") + home(*days[4:], part="pm")
    assert home_days(eight_halves, month) == Decimal(4)
    assert homework_month(eight_halves, month, POLICY).due
    assert not homework_month(eight_halves[:7], month, POLICY).due


def test_satellite_pending_and_rejected_days_are_not_home_days() -> None:
    month = Month(2026, 11)
    days = weekdays(month, 12)
    mixed = home(*days[:3]) + home(*days[3:6], place="satellite") + home(*days[6:9], status="pending") + home(*days[9:], status="rejected")
    assert home_days(mixed, month) == Decimal(3)
    assert not homework_month(mixed, month, POLICY).due


def test_days_of_another_month_do_not_count() -> None:
    month = Month(2026, 11)
    october = home(*weekdays(Month(2026, 10), 10))
    assert home_days(october, month) == 0


def test_issue_example_october() -> None:
    month = Month(2026, 10)  # 22 working days = 4.4 weeks
    days = weekdays(month, 4)
    registered = home(*days[:3]) + home(days[3], part="pm")
    result = homework_month(registered, month, POLICY)
    assert (result.home_days, result.per_week, result.due) == (Decimal("3.5"), Decimal("0.8"), False)


def test_new_staff_month_counts_only_days_in_service() -> None:
    month = Month(2026, 6)
    start = date(2026, 6, 15)  # 12 working days left = 2.4 weeks
    later = [d for d in working_days(month) if d >= start]
    assert homework_month(home(*later[:2]), month, POLICY, start=start).due is False
    result = homework_month(home(*later[:2]) + home(later[2], part="am"), month, POLICY, start=start)
    assert result.working_days == 12 and result.due
    # days registered before the start date do not count
    early = home(*weekdays(month, 5))
    assert not homework_month(early, month, POLICY, start=start).due


def test_no_home_work_allowance_before_2023() -> None:
    december = Month(2022, 12)
    every_day = home(*working_days(december))
    result = homework_month(every_day, december, POLICY)
    assert not result.due and result.before_start and result.amount == 0
    january = Month(2023, 1)
    assert homework_month(home(*working_days(january)), january, POLICY).due


def test_amounts_are_configuration() -> None:
    policy = AllowancePolicy(homework_allowance_amount=Decimal("22.50"), flat_fee_amount=Decimal("21.00"))
    month = Month(2026, 11)
    assert homework_month(home(*weekdays(month, 4)), month, policy).amount == Decimal("22.50")
    assert internet_amount(choice(FLAT, date(2026, 1, 1), 1), month, policy) == Decimal("21.00")
    assert internet_amount(choice(THIRD, date(2026, 1, 1), 1, "40.00"), month, policy) == 0
    assert internet_amount(None, month, policy) == 0


def test_statement_combines_both_allowances() -> None:
    month = Month(2026, 11)
    history = [choice(FLAT, date(2021, 9, 1), 1)]
    row = statement(month, home(*weekdays(month, 4)), history, POLICY, date(2026, 11, 22))
    assert row.total == Decimal("40.00") and row.in_progress
    past = statement(Month(2026, 10), [], history, POLICY, date(2026, 11, 22))
    assert past.total == Decimal("20.00") and not past.in_progress
    before = statement(Month(2021, 8), [], history, POLICY, date(2026, 11, 22))
    assert before.internet is None and before.total == 0


def test_every_day_of_several_years_is_classified_once() -> None:
    """Working weeks add up over a year: no day is counted twice or lost at month edges."""
    for year in (2023, 2024, 2025, 2026):
        total = sum(len(working_days(Month(year, m))) for m in range(1, 13))
        day, expected = date(year, 1, 1), 0
        while day.year == year:
            expected += day.weekday() < 5 and day not in holidays.country_holidays("BE", years=year)
            day += timedelta(days=1)
        assert total == expected
