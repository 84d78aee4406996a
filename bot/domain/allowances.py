"""Internet allowance and home-work allowance (thuiswerkvergoeding): the rules, as pure functions.

Internet allowance
    One mode at a time: the flat fee (paid with the salary) or the third-party payer (the employer
    pays the provider). The history is a list of choices, each effective from the first day of a
    month; nothing is ever overwritten. The mode of a month is the choice in effect on the month's
    first day: the latest `effective_from` on or before it, and among choices with the same date
    the one made last. A person who switched during a year therefore counts in both modes.

    One rule for the day a choice takes effect (`choice_takes_effect`), used by the live bot and
    by the history import alike and worded once ("allowance.month_rule", shown on the card and on
    the workbook's Definities sheet): a choice made on day D of a month takes effect on the first
    day of that month when D is before the entity's payroll cut-off day, otherwise on the first
    day of the next month; choices made in the month the allowance began (September 2021) take
    effect in that month. A choice dated before the allowance existed (17 September 2021) is refused.

Home-work allowance
    Due for a month in which the staff member worked from home on average at least one day a week,
    from the policy's start date (1 January 2023) on. Definitions:

    * working days of a month: Monday to Friday, minus Belgian public holidays (the `holidays`
      library's calendar for Belgium), limited to the days the staff member was in service;
    * working weeks of a month: working days / 5 (e.g. 20 working days = 4 weeks);
    * home days: registrations with status "registered" and place "home" on working days; a full
      day counts 1, a morning or an afternoon 0.5. A satellite office is not home: the sectoral
      agreement covers the costs of working from home;
    * due when home days / working weeks >= 1, computed exactly as home days * 5 >= working days.

    `HOMEWORK_ALLOWANCE` holds these definitions as numbers: the Python below and the SQL that
    aggregates the allowance for the reports are both built from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from bot.domain.calendar import Month, is_working_day, months_between, working_days
from bot.domain.directory_import import ImportRefused
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.policy_sections import AllowancePolicy
from bot.domain.staff import Staff

WEEK = 5  # working days in a working week
ZERO = Decimal("0.00")
HALF = Decimal("0.5")


class InternetMode(StrEnum):
    FLAT_FEE = "flat_fee"
    THIRD_PARTY = "third_party_payer"


class ChoiceSource(StrEnum):
    BOT = "bot"
    IMPORT = "import"
    DEFAULT = "default"  # the entity's default for new staff, applied automatically


# -- internet allowance ---------------------------------------------------------------------------

@dataclass(frozen=True)
class AllowanceChoice:
    """One entry of a staff member's internet allowance history."""

    staff_id: int
    mode: InternetMode
    effective_from: date  # always the first day of a month
    source: ChoiceSource = ChoiceSource.BOT
    provider: str | None = None
    customer_number: str | None = None
    monthly_cost: Decimal | None = None
    recorded_at: datetime | None = None
    recorded_by: str = "system"
    id: int | None = None

    def same_terms(self, other: AllowanceChoice) -> bool:
        """Same mode, date and third-party terms (used to make imports and double clicks idempotent)."""
        return (
            self.mode == other.mode
            and self.effective_from == other.effective_from
            and (self.monthly_cost or ZERO) == (other.monthly_cost or ZERO)
            and (self.provider or "") == (other.provider or "")
            and (self.customer_number or "") == (other.customer_number or "")
        )


def _order(choice: AllowanceChoice) -> tuple[date, int]:
    return (choice.effective_from, choice.id if choice.id is not None else 0)


def ordered(history: Iterable[AllowanceChoice]) -> list[AllowanceChoice]:
    """The history in effect order: by date, and at the same date in the order recorded."""
    return sorted(history, key=_order)


def choice_on(history: Iterable[AllowanceChoice], day: date) -> AllowanceChoice | None:
    """The choice in effect on a day (None before the first choice)."""
    current = None
    for choice in ordered(history):
        if choice.effective_from <= day:
            current = choice
    return current


def choice_in_month(history: Iterable[AllowanceChoice], month: Month) -> AllowanceChoice | None:
    return choice_on(history, month.first)


def pending_choice(history: Iterable[AllowanceChoice], today: date) -> AllowanceChoice | None:
    """The last recorded choice that takes effect after today, if any."""
    future = [choice for choice in ordered(history) if choice.effective_from > today]
    return future[-1] if future else None


def choice_takes_effect(made_on: date, policy: AllowancePolicy) -> date:
    """The day a choice made on `made_on` takes effect: the first of that month before the payroll
    cut-off day, else the first of the next month; in the month the allowance began, that month."""
    month = Month.of(made_on)
    if month == Month.of(policy.internet_allowance_since):
        return month.first
    return month.first if made_on.day < policy.payroll_cutoff_day else month.next().first


def effective_date_of_change(requested_on: date, policy: AllowancePolicy) -> date:
    """When a change requested in the bot today takes effect (`choice_takes_effect`)."""
    return choice_takes_effect(requested_on, policy)


def modes_in_year(history: Iterable[AllowanceChoice], year: int, in_service: tuple[date, date | None] | None = None) -> set[InternetMode]:
    """Every mode in effect for at least one month of the year (a switcher counts in both)."""
    modes: set[InternetMode] = set()
    for month in months_between(Month(year, 1), Month(year, 12)):
        if in_service is not None and not _in_service(month, *in_service):
            continue
        choice = choice_in_month(history, month)
        if choice is not None:
            modes.add(choice.mode)
    return modes


def default_applies(start_date: date, policy: AllowancePolicy) -> bool:
    """Whether a staff member without any choice gets the entity's default: only who started on or
    after the entity's go-live date (`default_mode_since`); before it the imported history is the truth."""
    return (
        policy.default_mode_for_new_staff is not None and policy.default_mode_since is not None
        and start_date >= policy.default_mode_since
    )


def default_choice(staff_id: int, start_date: date, policy: AllowancePolicy, today: date) -> AllowanceChoice | None:
    """The entity's default mode for a new staff member without any choice, from the month they
    started; None when the entity has no default or the person started before its go-live date."""
    if not default_applies(start_date, policy):
        return None
    since = max(start_date, policy.internet_allowance_since)
    return AllowanceChoice(
        staff_id=staff_id, mode=InternetMode(policy.default_mode_for_new_staff),
        effective_from=Month.of(since).first, source=ChoiceSource.DEFAULT, recorded_by="system",
    )


def with_default(history: Sequence[AllowanceChoice], staff_id: int, start_date: date, policy: AllowancePolicy) -> list[AllowanceChoice]:
    """The history as the payroll reads it: a new staff member's default counts even before the
    daily job has recorded it (the same choice the job will record), so an export writes nothing."""
    if history:
        return list(history)
    choice = default_choice(staff_id, start_date, policy, start_date)
    return [choice] if choice is not None else []


def _in_service(month: Month, start: date, end: date | None) -> bool:
    return start <= month.last and (end is None or end >= month.first)


def internet_amount(choice: AllowanceChoice | None, month: Month, policy: AllowancePolicy) -> Decimal:
    """The flat fee paid with the salary for a month (third-party costs are paid to the provider)."""
    if choice is None or choice.mode != InternetMode.FLAT_FEE or month.last < policy.internet_allowance_since:
        return ZERO
    return policy.flat_fee_amount


class ChoiceRefusal(StrEnum):
    """Why a staff member may not choose an internet allowance mode."""

    NOT_ELIGIBLE = "not_eligible"  # marked not eligible for hybrid work
    NOT_REGULAR = "not_regular"  # no regular and structural home work (registrations or manager)


def may_choose(*, ineligible: bool, recent_home_days: Decimal, confirmed_by_manager: bool, policy: AllowancePolicy) -> ChoiceRefusal | None:
    """None when the staff member may choose a mode, else why not."""
    if ineligible:
        return ChoiceRefusal.NOT_ELIGIBLE
    by_registrations = recent_home_days >= policy.regular_homework_min_days
    regular = {
        "registrations": by_registrations,
        "manager": confirmed_by_manager,
        "either": by_registrations or confirmed_by_manager,
    }[policy.regular_homework_basis]
    return None if regular else ChoiceRefusal.NOT_REGULAR


def regular_homework_window(today: date, policy: AllowancePolicy) -> tuple[date, date]:
    """The last M weeks up to and including today."""
    return today - timedelta(weeks=policy.regular_homework_weeks) + timedelta(days=1), today


def recent_home_days(days: Iterable[WorkDay], today: date, policy: AllowancePolicy) -> Decimal:
    """Home days registered in the regular-home-work window (the days are those of the window)."""
    first, last = regular_homework_window(today, policy)
    days = list(days)
    return sum((home_days(days, month) for month in months_between(Month.of(first), Month.of(last))), Decimal(0))


class MayNotChoose(DomainError):
    """The staff member may not choose an internet allowance mode (with the reason as the key)."""

    key = "allowance.refused_not_regular"


REFUSAL_KEYS = {
    ChoiceRefusal.NOT_ELIGIBLE: "allowance.refused_not_eligible",
    ChoiceRefusal.NOT_REGULAR: "allowance.refused_not_regular",
}


def refuse(refusal: ChoiceRefusal, policy: AllowancePolicy) -> MayNotChoose:
    return MayNotChoose(REFUSAL_KEYS[refusal], days=policy.regular_homework_min_days, weeks=policy.regular_homework_weeks)


def parse_cost(value: str | None) -> Decimal | None:
    """A monthly cost as typed ("41,50" or "41.50"); None when empty; InvalidInput when not a number."""
    text = (value or "").strip().replace("€", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("allowance.invalid_cost") from None
    if not amount.is_finite():
        raise InvalidInput("allowance.invalid_cost")
    return amount


class ChoiceProblem(StrEnum):
    MISSING_PROVIDER = "missing_provider"
    MISSING_CUSTOMER_NUMBER = "missing_customer_number"
    BAD_COST = "bad_cost"
    COST_TOO_HIGH = "cost_too_high"
    UNCHANGED = "unchanged"


def check_choice(
    new: AllowanceChoice, history: Sequence[AllowanceChoice], policy: AllowancePolicy, *, require_details: bool = True
) -> ChoiceProblem | None:
    """Validate a new choice against the policy and the history (None when it may be recorded)."""
    if new.mode == InternetMode.THIRD_PARTY:
        if require_details and not (new.provider or "").strip():
            return ChoiceProblem.MISSING_PROVIDER
        if require_details and not (new.customer_number or "").strip():
            return ChoiceProblem.MISSING_CUSTOMER_NUMBER
        if new.monthly_cost is None or new.monthly_cost <= 0 or new.monthly_cost.as_tuple().exponent < -2:
            return ChoiceProblem.BAD_COST
        if new.monthly_cost > policy.third_party_max_monthly_cost:
            return ChoiceProblem.COST_TOO_HIGH
    current = choice_on(history, new.effective_from)
    if current is not None and current.same_terms(replace(new, effective_from=current.effective_from)):
        return ChoiceProblem.UNCHANGED
    return None


PROBLEM_KEYS = {
    ChoiceProblem.MISSING_PROVIDER: "allowance.invalid_provider",
    ChoiceProblem.MISSING_CUSTOMER_NUMBER: "allowance.invalid_customer_number",
    ChoiceProblem.BAD_COST: "allowance.invalid_cost",
    ChoiceProblem.COST_TOO_HIGH: "allowance.cost_too_high",
    ChoiceProblem.UNCHANGED: "allowance.unchanged",
}


@dataclass(frozen=True)
class RegularConfirmation:
    """A manager's (or HR's) confirmation that a staff member works from home regularly and structurally."""

    staff_id: int
    confirmed_by: int
    confirmed_at: datetime


def may_confirm_regular(actor: Staff, member: Staff) -> bool:
    """The member's manager, or HR of the member's entity, confirms regular home work."""
    return member.manager_id == actor.id or (actor.is_hr and actor.entity_id == member.entity_id)


@dataclass(frozen=True)
class InternetAllowanceView:
    """What the internet allowance card shows to one staff member."""

    staff: Staff
    current: AllowanceChoice | None
    pending: AllowanceChoice | None
    history: list[AllowanceChoice]  # newest first
    refusal: ChoiceRefusal | None
    change_from: date
    recent_home_days: Decimal
    confirmed_by_manager: bool
    policy: AllowancePolicy


@dataclass(frozen=True)
class RegularHomeworkView:
    """A team member as the manager's confirmation card shows them."""

    staff: Staff
    confirmed: bool
    recent_home_days: Decimal
    policy: AllowancePolicy


class AllowanceImportRefused(ImportRefused):
    """A history file with at least one bad row; nothing of it was written."""


# -- home-work allowance --------------------------------------------------------------------------

class Place(StrEnum):
    HOME = "home"
    SATELLITE = "satellite"
    OFFICE = "office"


FULL_DAY = "full"  # a registration's part: full, or am / pm for half a day
REGISTERED = "registered"  # a registration's status that counts (not pending, not rejected)


@dataclass(frozen=True)
class WorkDay:
    """A registered working day as the allowance sees it."""

    day: date
    place: str  # home / satellite / office
    part: str = FULL_DAY  # full / am / pm
    status: str = REGISTERED  # registered / pending / rejected


@dataclass(frozen=True)
class HomeworkAllowanceRule:
    """"On average at least one day a week from home", as numbers.

    Counted in half days, so the decision stays in whole numbers in Python and in the SQL that
    aggregates it for the reports (storage/repositories/homework_allowance.py builds its query
    from these fields; tests/storage/test_homework_allowance_property.py proves both agree):

        due  <=>  working days > 0  and  home halves * days_per_week >= working days * halves_per_day * home_days_per_week

    Only a day with `status`, at `place`, on a working day (bot.domain.calendar: Monday to
    Friday, not a Belgian public holiday) while in service counts; a full day is
    `halves_per_day` halves, a morning or an afternoon one.
    """

    place: str = Place.HOME.value  # a satellite office is not home
    status: str = REGISTERED
    full_day: str = FULL_DAY
    halves_per_day: int = 2
    halves_per_part_day: int = 1
    days_per_week: int = WEEK
    home_days_per_week: int = 1

    def counts(self, work_day: WorkDay, start: date | None = None, end: date | None = None) -> bool:
        """Whether a registration counts as (part of) a home day, for someone in service [start, end]."""
        return (
            work_day.status == self.status and work_day.place == self.place and is_working_day(work_day.day)
            and (start is None or work_day.day >= start) and (end is None or work_day.day <= end)
        )

    def halves(self, part: str) -> int:
        return self.halves_per_day if part == self.full_day else self.halves_per_part_day

    def due(self, home_halves: int, working_days: int) -> bool:
        return working_days > 0 and home_halves * self.days_per_week >= working_days * self.halves_per_day * self.home_days_per_week


HOMEWORK_ALLOWANCE = HomeworkAllowanceRule()


def allowance_exists(month: Month, policy: AllowancePolicy) -> bool:
    """The home-work allowance exists for a month that ends on or after the policy's start date."""
    return month.last >= policy.homework_allowance_since


def working_weeks(month: Month, start: date | None = None, end: date | None = None) -> Decimal:
    """Working days / 5, exact."""
    return Decimal(len(working_days(month, start, end))) / WEEK


def home_halves(
    days: Iterable[WorkDay], month: Month, start: date | None = None, end: date | None = None,
    rule: HomeworkAllowanceRule = HOMEWORK_ALLOWANCE,
) -> int:
    """Half days at home on working days of the month (in service [start, end]); one per day."""
    total = 0
    seen: set[date] = set()
    for work_day in days:
        if Month.of(work_day.day) != month or work_day.day in seen or not rule.counts(work_day, start, end):
            continue
        seen.add(work_day.day)
        total += rule.halves(work_day.part)
    return total


def home_days(days: Iterable[WorkDay], month: Month) -> Decimal:
    """Registered home days on working days of the month; a half day counts half."""
    return Decimal(home_halves(days, month)) / HOMEWORK_ALLOWANCE.halves_per_day


@dataclass(frozen=True)
class HomeworkMonth:
    """The home-work allowance for one staff member and one month, with the figures behind it."""

    month: Month
    home_days: Decimal
    working_days: int
    due: bool
    amount: Decimal
    before_start: bool = False  # the month lies before the allowance existed

    @property
    def per_week(self) -> Decimal:
        """Average home days a week, one decimal (display only; `due` is computed exactly)."""
        if not self.working_days:
            return Decimal("0.0")
        return (self.home_days * WEEK / self.working_days).quantize(Decimal("0.1"))


def homework_month(
    days: Iterable[WorkDay], month: Month, policy: AllowancePolicy, *, start: date | None = None, end: date | None = None
) -> HomeworkMonth:
    """Whether the home-work allowance is due for a month, and the figures that decide it."""
    rule = HOMEWORK_ALLOWANCE
    count = len(working_days(month, start, end))
    halves = home_halves(days, month, start, end, rule)
    before_start = not allowance_exists(month, policy)
    due = not before_start and rule.due(halves, count)
    return HomeworkMonth(
        month=month, home_days=Decimal(halves) / rule.halves_per_day, working_days=count, due=due,
        amount=policy.homework_allowance_amount if due else ZERO, before_start=before_start,
    )


@dataclass(frozen=True)
class MonthStatement:
    """What a staff member receives for a month and why."""

    month: Month
    homework: HomeworkMonth
    internet: AllowanceChoice | None
    internet_amount: Decimal
    in_progress: bool  # the month is not over yet: figures may still change

    @property
    def total(self) -> Decimal:
        return self.homework.amount + self.internet_amount


def statement(
    month: Month, days: Sequence[WorkDay], history: Sequence[AllowanceChoice], policy: AllowancePolicy,
    today: date, *, start: date | None = None, end: date | None = None,
) -> MonthStatement:
    choice = choice_in_month(history, month) if month.last >= policy.internet_allowance_since else None
    return MonthStatement(
        month=month, homework=homework_month(days, month, policy, start=start, end=end), internet=choice,
        internet_amount=internet_amount(choice, month, policy), in_progress=today <= month.last,
    )
