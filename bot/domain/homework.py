"""Home-work day rules: which days may be registered, recurring patterns, anchor days, the minimum
office days of a team agreement and the hybrid-work eligibility registry; and what a registration
request, its result and the overview of one's days hold. Pure: the day "today", the entity policy
and the team agreement come in as arguments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from bot.domain import calendar
from bot.domain.calendar import Month, holiday_name, is_working_day
from bot.domain.errors import DomainError
from bot.domain.policy_sections import HomeworkPolicy

Place = Literal["home", "satellite", "office"]
Part = Literal["full", "am", "pm"]
IneligibilityReason = Literal["organisational", "financial", "competence", "abuse", "function"]
Period = Literal["week", "month", "next_month"]

PLACES: tuple[Place, ...] = ("home", "satellite", "office")
AWAY_PLACES: frozenset[str] = frozenset({"home", "satellite"})
PARTS: tuple[Part, ...] = ("full", "am", "pm")
INELIGIBILITY_REASONS: tuple[IneligibilityReason, ...] = ("organisational", "financial", "competence", "abuse", "function")
PERIODS: tuple[Period, ...] = ("week", "month", "next_month")
WORKING_WEEKDAYS: tuple[int, ...] = tuple(sorted(calendar.WORKING_WEEKDAYS))
MAX_RECURRING_WEEKS = 26
# A recurring pattern of 26 weeks is the furthest anyone plans; single days follow the same limit.
MAX_DAYS_AHEAD = MAX_RECURRING_WEEKS * 7
LOCATION_MAX_LENGTH = 100
NOTE_MAX_LENGTH = 500


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    PENDING = "pending"    # waiting for the manager's approval
    REJECTED = "rejected"  # the manager said no: an office day


class Outcome(StrEnum):
    """What registering one day came to."""

    REGISTERED = "registered"
    PENDING = "pending"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


SAVED_OUTCOMES = frozenset({Outcome.REGISTERED, Outcome.PENDING, Outcome.UNCHANGED})


@dataclass(frozen=True)
class Registration:
    id: int
    staff_id: int
    day: date
    place: Place
    part: Part
    status: RegistrationStatus
    satellite_location: str | None = None
    source: str = "bot"

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", RegistrationStatus(self.status))

    @property
    def away_share(self) -> Decimal:
        """How much of the day is spent away from the office (a half day counts half)."""
        if self.place not in AWAY_PLACES or self.status is RegistrationStatus.REJECTED:
            return Decimal(0)
        return Decimal(1) if self.part == "full" else Decimal("0.5")

    def same_as(self, place: str, part: str, location: str | None) -> bool:
        return self.place == place and self.part == part and (self.satellite_location or None) == (location or None)


@dataclass(frozen=True)
class Ineligibility:
    id: int
    staff_id: int
    reason: IneligibilityReason
    note: str | None
    valid_from: date
    valid_until: date | None
    set_by: int | None
    lifted_at: datetime | None = None
    lifted_by: int | None = None
    cancelled_days: tuple[Registration, ...] = ()  # what marking it cancelled, as it was

    def covers(self, day: date) -> bool:
        return self.lifted_at is None and self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class TeamAgreement:
    manager_id: int
    anchor_weekdays: frozenset[int] = field(default_factory=frozenset)
    min_office_days_per_week: int = 0

    def is_anchor_day(self, day: date) -> bool:
        return day.weekday() in self.anchor_weekdays


class DayRefused(DomainError):
    """One day cannot be registered (weekend, holiday, too late, too far ahead)."""

    key = "homework.refused"


class NotEligible(DomainError):
    key = "homework.not_eligible"


# -- calendar --------------------------------------------------------------------------------------
def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def work_week_start(today: date) -> date:
    """The Monday of "this week": on Saturday and Sunday the week that is about to start."""
    return week_start(today + timedelta(days=2))


def week_days(day: date) -> list[date]:
    """Monday to Friday of the week holding `day`."""
    monday = week_start(day)
    return [monday + timedelta(days=offset) for offset in WORKING_WEEKDAYS]


def first_working_day(day: date) -> date:
    """`day` itself, or the next working day after it: what the registration form suggests."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def period_range(period: Period, today: date) -> tuple[date, date]:
    """The first and last day (inclusive) of this week, this month or next month."""
    if period == "week":
        monday = work_week_start(today)
        return monday, monday + timedelta(days=6)
    month = Month.of(today).next() if period == "next_month" else Month.of(today)
    return month.first, month.last


def earliest_registrable(today: date, policy: HomeworkPolicy) -> date:
    """Late registration: the current month and `late_registration_months` months before it."""
    month = Month.of(today)
    for _ in range(max(policy.late_registration_months, 0)):
        month = month.previous()
    return month.first


def latest_registrable(today: date) -> date:
    return today + timedelta(days=MAX_DAYS_AHEAD)


def check_day(day: date, today: date, policy: HomeworkPolicy) -> None:
    """Raise DayRefused when `day` cannot be registered at all."""
    if day.weekday() not in WORKING_WEEKDAYS:
        raise DayRefused("homework.refused_weekend", day=day)
    if holiday_name(day) is not None:
        raise DayRefused("homework.refused_holiday", day=day)
    check_changeable(day, today, policy)
    if day > latest_registrable(today):
        raise DayRefused("homework.refused_too_far", day=day, latest=latest_registrable(today))


def check_changeable(day: date, today: date, policy: HomeworkPolicy) -> None:
    """A registered day can be changed or cancelled as long as it could still be registered."""
    earliest = earliest_registrable(today, policy)
    if day < earliest:
        raise DayRefused("homework.refused_too_late", day=day, earliest=earliest)


def recurring_days(start: date, weekdays: Iterable[int], weeks: int) -> list[date]:
    """Every chosen weekday from `start` (inclusive) for `weeks` weeks, in order."""
    if not 1 <= weeks <= MAX_RECURRING_WEEKS:
        raise DomainError("homework.weeks_out_of_range", maximum=MAX_RECURRING_WEEKS)
    chosen = set(weekdays)
    if not chosen or not chosen <= set(range(7)):
        raise DomainError("homework.no_weekdays")
    return [start + timedelta(days=offset) for offset in range(weeks * 7) if (start + timedelta(days=offset)).weekday() in chosen]


def date_range(start: date, until: date) -> list[date]:
    """Every day from `start` to `until`, both inclusive (weekends are refused later, with a reason)."""
    if until < start:
        raise DomainError("homework.until_before_start")
    if (until - start).days > MAX_DAYS_AHEAD:
        raise DomainError("homework.range_too_long", maximum=MAX_RECURRING_WEEKS)
    return [start + timedelta(days=offset) for offset in range((until - start).days + 1)]


# -- what someone asks for -------------------------------------------------------------------------
class Missing(StrEnum):
    """What a request still lacks before it can be registered; the form asks for it."""

    TOO_LONG = "too_long"
    INVALID_DATE = "invalid_date"
    UNKNOWN_WORDS = "unknown_words"
    AMBIGUOUS_DAY = "ambiguous_day"
    WHICH_HALF = "which_half"
    WEEKDAYS = "weekdays"
    WEEKS = "weeks"
    PLACE = "place"
    DAY = "day"


@dataclass(frozen=True)
class InvalidDate:
    """A date as typed that does not exist ("31/04", "29/02" in a year that is not a leap year)."""

    typed: str
    month: int | None  # None: not even the month exists ("12/13")
    year: int


def registrable(day: date, today: date, policy: HomeworkPolicy) -> bool:
    """Whether `day` could be registered at all: what a pre-filled form may show."""
    try:
        check_day(day, today, policy)
    except DayRefused:
        return False
    return True


@dataclass(frozen=True)
class FormRequest:
    """What the registration form holds: one day, a range of days (day to until) or a weekly
    pattern (weekdays for a number of weeks from day, or from today)."""

    place: Place | None = None
    part: Part | None = None
    day: date | None = None
    until: date | None = None
    location: str | None = None
    weekdays: tuple[int, ...] = ()
    weeks: int | None = None

    @property
    def missing(self) -> Missing | None:
        if self.place is None or self.part is None:
            return Missing.PLACE
        if self.weekdays or self.weeks is not None:
            if not self.weekdays:
                return Missing.WEEKDAYS
            if self.weeks is None:
                return Missing.WEEKS
            return None
        return Missing.DAY if self.day is None else None

    def days_from(self, today: date) -> list[date]:
        """The days asked for (a complete request only)."""
        if self.weekdays:
            return recurring_days(self.day or today, self.weekdays, self.weeks or 0)
        assert self.day is not None
        return date_range(self.day, self.until) if self.until else [self.day]

    def as_form(self) -> FormRequest:
        """The form as it comes back when something is missing: a place and a part always chosen."""
        return replace(self, place=self.place or "home", part=self.part or "full")

    def with_suggested_day(self, today: date) -> FormRequest:
        """A form without a day (and without a weekly pattern) suggests the first working day."""
        if self.day is not None or self.weekdays:
            return self
        return replace(self, day=first_working_day(today))


# -- approvals, anchor days and the minimum office days --------------------------------------------
@dataclass(frozen=True)
class DayDecision:
    """What registering one day means under the entity policy and the team agreement."""

    needs_approval: bool
    anchor_day: bool
    warn_anchor_day: bool = False  # an anchor day still ahead: a past one is a fact, not a plan to warn about


def decide_day(
    day: date, place: str, policy: HomeworkPolicy, agreement: TeamAgreement | None, today: date | None = None
) -> DayDecision:
    if place not in AWAY_PLACES:
        return DayDecision(needs_approval=False, anchor_day=False)
    anchor = agreement is not None and agreement.is_anchor_day(day)
    needs_approval = policy.needs_approval or (anchor and policy.anchor_day_home_work == "approval")
    warn = anchor and (today is None or day >= today)
    return DayDecision(needs_approval=needs_approval, anchor_day=anchor, warn_anchor_day=warn)


def office_days(week_of: date, registrations: Sequence[Registration]) -> Decimal:
    """Office days left in a week: its working days minus the time registered away."""
    days = [day for day in week_days(week_of) if is_working_day(day)]
    away = sum((r.away_share for r in registrations if r.day in days), Decimal(0))
    return Decimal(len(days)) - away


def below_minimum(week_of: date, registrations: Sequence[Registration], agreement: TeamAgreement | None) -> Decimal | None:
    """The office days left when a week drops below the team's minimum, else None."""
    if agreement is None or agreement.min_office_days_per_week <= 0:
        return None
    working = sum(1 for day in week_days(week_of) if is_working_day(day))
    # A week with fewer working days than the minimum (holidays) only asks for what is possible.
    required = min(agreement.min_office_days_per_week, working)
    left = office_days(week_of, registrations)
    return left if left < required else None


def make_agreement(manager_id: int, anchor_weekdays: Iterable[int], min_office_days: int) -> TeamAgreement:
    anchors = frozenset(anchor_weekdays)
    if not anchors <= set(WORKING_WEEKDAYS):
        raise DomainError("team.anchor_not_weekday")
    if not 0 <= min_office_days <= len(WORKING_WEEKDAYS):
        raise DomainError("team.min_office_out_of_range", value=min_office_days, minimum=0, maximum=len(WORKING_WEEKDAYS))
    return TeamAgreement(manager_id, anchors, min_office_days)


def validate_ineligibility(reason: str, valid_from: date, valid_until: date | None, note: str | None) -> None:
    if reason not in INELIGIBILITY_REASONS:
        raise DomainError("team.eligibility_reason_unknown")
    if valid_until is not None and valid_until < valid_from:
        raise DomainError("team.eligibility_until_before_from")
    if note is not None and len(note) > NOTE_MAX_LENGTH:
        raise DomainError("team.eligibility_note_too_long", maximum=NOTE_MAX_LENGTH)


# -- what the use cases return ---------------------------------------------------------------------
@dataclass(frozen=True)
class DayState:
    """A day as registered, for the answer that says what changed; None stands for nothing registered."""

    place: Place
    part: Part
    status: RegistrationStatus
    location: str | None = None

    @classmethod
    def of(cls, state: dict | None) -> DayState | None:
        if state is None:
            return None
        return cls(state["place"], state["part"], RegistrationStatus(state["status"]), state.get("satellite_location"))


@dataclass(frozen=True)
class ChangedDay:
    """One day of a registration change: its state before and after (snapshots; None: nothing registered)."""

    day: date
    before: dict | None
    after: dict | None

    @property
    def was(self) -> DayState | None:
        return DayState.of(self.before)

    @property
    def now(self) -> DayState | None:
        return DayState.of(self.after)


@dataclass(frozen=True)
class RegistrationChange:
    """What one registration or cancellation changed, kept so that Undo restores the days before."""

    id: int
    staff_id: int
    made_at: datetime
    entries: tuple[ChangedDay, ...]
    undone_at: datetime | None = None


@dataclass(frozen=True)
class DayResult:
    day: date
    outcome: Outcome
    registration: Registration | None = None
    refusal: DomainError | None = None
    anchor_day: bool = False
    previous: Registration | None = None  # what the day held before, when this replaced it

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome", Outcome(self.outcome))


@dataclass(frozen=True)
class WeekWarning:
    week_of: date
    office_days_left: Decimal
    minimum: int


@dataclass
class RegistrationResult:
    place: Place
    part: Part
    location: str | None
    days: list[DayResult] = field(default_factory=list)
    below_minimum: list[WeekWarning] = field(default_factory=list)
    approver_name: str | None = None
    approval_ids: list[int] = field(default_factory=list)
    anchor_policy: Literal["warn", "approval"] = "warn"
    change_id: int | None = None  # set when a day held something else before: the answer offers Undo

    def with_outcome(self, *outcomes: Outcome) -> list[DayResult]:
        return [result for result in self.days if result.outcome in outcomes]

    @property
    def replaced(self) -> list[DayResult]:
        """Saved days that held a different registration before."""
        return [r for r in self.days if r.previous is not None and r.outcome in (Outcome.REGISTERED, Outcome.PENDING)]

    @property
    def anchor_days(self) -> list[DayResult]:
        """Saved days that fall on the team's anchor day (warned about, or waiting for approval)."""
        return [r for r in self.days if r.anchor_day and r.outcome in SAVED_OUTCOMES]

    @property
    def anchor_needs_approval(self) -> bool:
        return self.anchor_policy == "approval"

    @property
    def single_refusal(self) -> DomainError | None:
        """The reason when the request was for one day only and that day was refused."""
        if len(self.days) == 1 and self.days[0].outcome is Outcome.REFUSED:
            return self.days[0].refusal
        return None


@dataclass(frozen=True)
class RegistrationFormView:
    """The registration form: the days it allows, what it shows pre-filled and what it asks for."""

    earliest: date
    latest: date
    request: FormRequest
    missing: Missing | None = None
    unknown_words: tuple[str, ...] = ()
    alternatives: tuple[tuple[date, ...], ...] = ()  # two readings of the text, to choose from
    invalid_date: InvalidDate | None = None
    # A refusal shown next to the input it is about ("day", "until", "weeks", "weekdays").
    errors: tuple[tuple[str, DomainError], ...] = ()


@dataclass(frozen=True)
class Overview:
    period: Period
    start: date
    end: date
    registrations: list[Registration]
    earliest_changeable: date

    def changeable(self, registration: Registration) -> bool:
        """Whether the day may still be changed or cancelled (see check_changeable)."""
        return registration.day >= self.earliest_changeable
