"""The figures that answer parliament: the reporting period, the definitions behind each figure,
and the figures themselves as plain dataclasses (history files: bot/domain/history.py).

Definitions (also written on the workbook's first sheet):
- A *home worker* in month M is a staff member with at least one registered (not pending, not
  rejected) home or satellite day in M.
- The *denominator* of month M is every staff member in service on at least one day of M who is
  not marked ineligible for hybrid work for the whole of M (by one marking or by several in a
  row: until 15 June for one reason, from 16 June for another). A leaver counts up to their
  last day in service (`end_date`). The home workers counted are taken from that same group, so
  the percentage never exceeds 100%.
- Per entity, people count in the entity they belonged to at the time (the entity history): a
  home day counts for the entity of that day; someone who moved during a month counts in the
  month's denominator of both entities, and once for the whole administration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from bot.domain.calendar import Month
from bot.domain.errors import InvalidInput

# Longest period one report may cover: ten years of months.
MAX_MONTHS = 120
HOME_PLACES = ("home", "satellite")
REGISTERED = "registered"



@dataclass(frozen=True)
class Period:
    """From the first day of `start` to the last day of `end`, both months included."""

    start: Month
    end: Month

    @classmethod
    def between(cls, start: Month, end: Month) -> Period:
        if end < start:
            raise InvalidInput("reports.period_reversed", start=str(start), end=str(end))
        period = cls(start, end)
        if len(period.months()) > MAX_MONTHS:
            raise InvalidInput("reports.period_too_long", months=MAX_MONTHS)
        return period

    @classmethod
    def parse(cls, start: str, end: str) -> Period:
        return cls.between(Month.parse(start), Month.parse(end))

    @property
    def first_day(self) -> date:
        return self.start.first_day

    @property
    def last_day(self) -> date:
        return self.end.last_day

    def months(self) -> list[Month]:
        months, current = [], self.start
        while current <= self.end:
            months.append(current)
            current = current.next()
        return months

    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    def year_bounds(self, year: int) -> tuple[date, date]:
        """The part of `year` inside the period (first and last day, inclusive)."""
        return max(date(year, 1, 1), self.first_day), min(date(year, 12, 31), self.last_day)

    def __str__(self) -> str:
        return f"{self.start} - {self.end}"


def percentage(part: int, whole: int) -> Decimal | None:
    """A share as a fraction with four decimals (0.1234 = 12.34%); None without a denominator."""
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


# -- the figures, one dataclass per sheet line --------------------------------------------------


@dataclass(frozen=True)
class EntityRef:
    code: str
    name: str


@dataclass(frozen=True)
class HomeworkMonth:
    month: Month
    home_workers: int
    eligible_staff: int
    home_days: Decimal  # of the home workers counted; half days count 0.5
    share: Decimal | None = None
    change: Decimal | None = None  # share minus the previous month's share


@dataclass(frozen=True)
class EntityHomeworkMonth:
    month: Month
    entity: EntityRef
    home_workers: int
    eligible_staff: int
    share: Decimal | None


@dataclass(frozen=True)
class IneligibleGroup:
    entity: EntityRef
    reason: str
    staff: int
    at_period_end: int  # of whom still ineligible on the period's last day


@dataclass(frozen=True)
class WebinarLine:
    """One session of a webinar: seats taken (registered), waitlisted and attended."""

    title: str
    target_group: str
    session_start: datetime
    registered: int
    waitlisted: int
    attended: int


@dataclass(frozen=True)
class CoachingLine:
    year: int
    kind: str
    requests: int
    staff: int  # distinct staff who asked
    coached_staff: int  # distinct staff with at least one conversation
    conversations: int


@dataclass(frozen=True)
class InternetAllowanceLine:
    year: int
    mode: str
    staff: int
    share: Decimal | None  # of the staff in service that year
    months: int  # staff-months paid
    amount: Decimal


@dataclass(frozen=True)
class HomeworkAllowanceMonth:
    month: Month
    staff: int
    amount: Decimal


@dataclass(frozen=True)
class EquipmentLine:
    year: int
    category: str
    item_code: str
    item: str
    delivered: int  # pieces
    staff: int  # distinct staff who received the item
    amount: Decimal


@dataclass(frozen=True)
class BudgetLine:
    year: int
    category: str
    budget: Decimal | None  # None: no budget set for that year
    spent: Decimal  # delivered in the period's part of that year

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.spent

    @property
    def used(self) -> Decimal | None:
        return percentage_of(self.spent, self.budget)


def percentage_of(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if whole is None or whole <= 0:
        return None
    return (part / whole).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Report:
    """Every figure of one workbook. A section is None when its data is not available."""

    period: Period
    entity: EntityRef | None
    produced_at: datetime
    homework: list[HomeworkMonth]
    homework_by_entity: list[EntityHomeworkMonth]
    ineligible: list[IneligibleGroup]
    webinars: list[WebinarLine] | None = None
    coaching: list[CoachingLine] | None = None
    internet_allowance: list[InternetAllowanceLine] | None = None
    homework_allowance: list[HomeworkAllowanceMonth] | None = None
    equipment: list[EquipmentLine] | None = None
    budgets: list[BudgetLine] | None = None
    equipment_staff_per_year: dict[int, int] | None = None
    staff_per_year: dict[int, int] = field(default_factory=dict)

    def key_figures(self) -> KeyFigures:
        return key_figures(self)


def with_evolution(months: Iterable[HomeworkMonth]) -> list[HomeworkMonth]:
    """Fill in each month's share and its change against the month before (in fractions)."""
    result: list[HomeworkMonth] = []
    previous: Decimal | None = None
    for line in months:
        share = percentage(line.home_workers, line.eligible_staff)
        change = share - previous if share is not None and previous is not None else None
        result.append(HomeworkMonth(line.month, line.home_workers, line.eligible_staff, line.home_days, share, change))
        previous = share
    return result


@dataclass(frozen=True)
class KeyFigures:
    months: int
    average_share: Decimal | None
    last_month: HomeworkMonth | None
    peak_month: HomeworkMonth | None
    ineligible_staff: int
    webinar_attendees: int | None
    coaching_requests: int | None
    internet_allowance_amount: Decimal | None
    equipment_amount: Decimal | None


def key_figures(report: Report) -> KeyFigures:
    """The few figures a summary card shows; the workbook has the rest."""
    with_share = [m for m in report.homework if m.share is not None]
    average = None
    if with_share:
        average = (sum((m.share for m in with_share), Decimal(0)) / len(with_share)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return KeyFigures(
        months=len(report.homework),
        average_share=average,
        last_month=report.homework[-1] if report.homework else None,
        peak_month=max(with_share, key=lambda m: (m.share, m.month)) if with_share else None,
        ineligible_staff=sum(group.staff for group in report.ineligible),
        webinar_attendees=sum(line.attended for line in report.webinars) if report.webinars is not None else None,
        coaching_requests=sum(line.requests for line in report.coaching) if report.coaching is not None else None,
        internet_allowance_amount=(
            sum((line.amount for line in report.internet_allowance), Decimal(0)) if report.internet_allowance is not None else None
        ),
        equipment_amount=sum((line.amount for line in report.equipment), Decimal(0)) if report.equipment is not None else None,
    )
