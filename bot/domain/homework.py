"""Home-work day rules: which days may be registered, recurring patterns, anchor days, the minimum
office days of a team agreement and the hybrid-work eligibility registry. Pure: the day "today",
the entity policy and the team agreement come in as arguments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from bot.domain.calendar import holiday_name, is_working_day
from bot.domain.errors import DomainError
from bot.domain.policy_sections import HomeworkPolicy

Place = Literal["home", "satellite", "office"]
Part = Literal["full", "am", "pm"]
Status = Literal["registered", "pending", "rejected"]
IneligibilityReason = Literal["organisational", "financial", "competence", "abuse", "function"]
Period = Literal["week", "month", "next_month"]

PLACES: tuple[Place, ...] = ("home", "satellite", "office")
AWAY_PLACES: frozenset[str] = frozenset({"home", "satellite"})
PARTS: tuple[Part, ...] = ("full", "am", "pm")
INELIGIBILITY_REASONS: tuple[IneligibilityReason, ...] = ("organisational", "financial", "competence", "abuse", "function")
PERIODS: tuple[Period, ...] = ("week", "month", "next_month")
WORKING_WEEKDAYS: tuple[int, ...] = (0, 1, 2, 3, 4)
MAX_RECURRING_WEEKS = 26
# A recurring pattern of 26 weeks is the furthest anyone plans; single days follow the same limit.
MAX_DAYS_AHEAD = MAX_RECURRING_WEEKS * 7
LOCATION_MAX_LENGTH = 100
NOTE_MAX_LENGTH = 500


@dataclass(frozen=True)
class Registration:
    id: int
    staff_id: int
    day: date
    place: Place
    part: Part
    status: Status
    satellite_location: str | None = None
    source: str = "bot"

    @property
    def away_share(self) -> Decimal:
        """How much of the day is spent away from the office (a half day counts half)."""
        if self.place not in AWAY_PLACES or self.status == "rejected":
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


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def period_range(period: Period, today: date) -> tuple[date, date]:
    """The first and last day (inclusive) of this week, this month or next month."""
    if period == "week":
        monday = work_week_start(today)
        return monday, monday + timedelta(days=6)
    start = _month_start(today, -1 if period == "next_month" else 0)
    return start, _month_start(start, -1) - timedelta(days=1)


def earliest_registrable(today: date, policy: HomeworkPolicy) -> date:
    """Late registration: the current month and `late_registration_months` months before it."""
    return _month_start(today, max(policy.late_registration_months, 0))


def latest_registrable(today: date) -> date:
    return today + timedelta(days=MAX_DAYS_AHEAD)


def check_day(day: date, today: date, policy: HomeworkPolicy) -> None:
    """Raise DayRefused when `day` cannot be registered at all."""
    if day.weekday() not in WORKING_WEEKDAYS:
        raise DayRefused("homework.refused_weekend", day=day)
    name = holiday_name(day)
    if name is not None:
        raise DayRefused("homework.refused_holiday", day=day)
    earliest = earliest_registrable(today, policy)
    if day < earliest:
        raise DayRefused("homework.refused_too_late", day=day, earliest=earliest)
    if day > latest_registrable(today):
        raise DayRefused("homework.refused_too_far", day=day, latest=latest_registrable(today))


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


# -- approvals, anchor days and the minimum office days --------------------------------------------


@dataclass(frozen=True)
class DayDecision:
    """What registering one day means under the entity policy and the team agreement."""

    needs_approval: bool
    anchor_day: bool


def decide_day(day: date, place: str, policy: HomeworkPolicy, agreement: TeamAgreement | None) -> DayDecision:
    if place not in AWAY_PLACES:
        return DayDecision(needs_approval=False, anchor_day=False)
    anchor = agreement is not None and agreement.is_anchor_day(day)
    needs_approval = policy.needs_approval or (anchor and policy.anchor_day_home_work == "approval")
    return DayDecision(needs_approval=needs_approval, anchor_day=anchor)


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
        raise DomainError("team.min_office_out_of_range", maximum=len(WORKING_WEEKDAYS))
    return TeamAgreement(manager_id, anchors, min_office_days)


def validate_ineligibility(reason: str, valid_from: date, valid_until: date | None, note: str | None) -> None:
    if reason not in INELIGIBILITY_REASONS:
        raise DomainError("team.eligibility_reason_unknown")
    if valid_until is not None and valid_until < valid_from:
        raise DomainError("team.eligibility_until_before_from")
    if note is not None and len(note) > NOTE_MAX_LENGTH:
        raise DomainError("team.eligibility_note_too_long", maximum=NOTE_MAX_LENGTH)
