"""The figures that answer parliament: the reporting period, the definitions behind each figure,
and the figures themselves as plain dataclasses (history files: bot/domain/history.py). Every
definition is written in plain Dutch on the workbook's Definities sheet and listed per question in
docs/reports.md.

- A *home worker* in month M is a staff member with at least one registered (not pending, not
  rejected) home or satellite day in M. Home days and satellite days are counted apart: only home
  days count for the home-work allowance.
- The *denominator* of month M is every staff member in service on at least one day of M who is
  not marked ineligible for hybrid work for the whole of M (by one marking or by several in a
  row: until 15 June for one reason, from 16 June for another). A leaver counts up to their
  last day in service (`end_date`). The home workers counted are taken from that same group, so
  the percentage never exceeds 100%. The month-on-month change is a
  difference of shares (percentage points).
- Per entity, people count in the entity they belonged to at the time (the entity history): a
  home day counts for the entity of that day; someone who moved during a month counts in the
  month's denominator of both entities, and once for the whole administration. Every section lists
  the scope's lines (entity None, each person once) before the per-entity lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from bot.domain.calendar import Month
from bot.domain.equipment import Budget, applicable_budget
from bot.domain.errors import InvalidInput

Line = TypeVar("Line")

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
# Every line carries `entity`: None for the report's whole scope (the total, each person once), an
# entity for that entity's breakdown (whole-administration reports only). A section lists its
# totals first, then the per-entity lines.


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
    satellite_days: Decimal = Decimal(0)
    share: Decimal | None = None
    change: Decimal | None = None  # share minus the previous month's share (a fraction: 0.01 = 1 percentage point)
    entity: EntityRef | None = None


@dataclass(frozen=True)
class IneligibleGroup:
    entity: EntityRef | None
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
    entity: EntityRef | None = None


# The ways webinar participation is totalled: by title, by target group, by year and quarter of
# the session, and over every session of the period.
WEBINAR_TOTALS = ("title", "target_group", "year", "quarter", "all")


@dataclass(frozen=True)
class WebinarTotal:
    """Sessions of one title, target group or period (`by`; `value` its code, e.g. "2023-K1")."""

    by: str
    value: str
    sessions: int
    registered: int  # seats taken, summed over the sessions
    waitlisted: int  # waitlist places, summed over the sessions
    attended: int  # attendances, summed over the sessions
    participants: int  # distinct staff who attended at least one of the sessions
    entity: EntityRef | None = None


@dataclass(frozen=True)
class CoachingLine:
    """Coaching requested in `year` (None: the whole period) of `kind` (None: both kinds)."""

    year: int | None
    kind: str | None
    requests: int
    staff: int  # distinct staff who asked
    coached_staff: int  # distinct staff with at least one conversation
    conversations: int
    entity: EntityRef | None = None


@dataclass(frozen=True)
class InternetAllowanceLine:
    """One year and mode (None: both modes, each person once)."""

    year: int
    mode: str | None
    staff: int
    share: Decimal | None  # staff / eligible_staff
    months: int  # staff-months paid
    amount: Decimal
    eligible_staff: int = 0  # the share's denominator: eligible staff in service that year
    entity: EntityRef | None = None


@dataclass(frozen=True)
class HomeworkAllowanceMonth:
    month: Month
    staff: int
    amount: Decimal
    entity: EntityRef | None = None


@dataclass(frozen=True)
class EquipmentLine:
    year: int
    category: str
    item_code: str
    item: str
    delivered: int  # pieces
    staff: int  # distinct staff who received the item
    amount: Decimal
    entity: EntityRef | None = None


@dataclass(frozen=True)
class StaffServed:
    """Distinct staff who received any equipment in a year."""

    year: int
    staff: int
    entity: EntityRef | None = None


@dataclass(frozen=True)
class BudgetLine:
    """A category's budget against what was delivered in the years it covers: an annual budget
    covers its year; a one-off budget its year and the later years of the period that have no
    budget of their own (bot.domain.equipment.applicable_budget). `budget` None: deliveries in a
    year without any budget."""

    year: int
    category: str
    budget: Decimal | None
    spent: Decimal  # delivered in the period's part of the years covered
    last_year: int | None = None  # the last year covered; None: `year` alone
    one_off: bool = False
    entity: EntityRef | None = None

    @property
    def years(self) -> str:
        last = self.last_year or self.year
        return str(self.year) if last == self.year else f"{self.year}-{last}"

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
class BudgetGrant:
    """One budget as stored, for `budget_lines`."""

    entity: EntityRef
    category_code: str
    category: str
    year: int
    amount: Decimal
    one_off: bool


@dataclass(frozen=True)
class CategorySpending:
    entity: EntityRef
    category_code: str
    category: str
    year: int
    amount: Decimal


def budget_lines(grants: Sequence[BudgetGrant], spending: Sequence[CategorySpending], years: Sequence[int],
                 breakdown: bool) -> list[BudgetLine]:
    """Each budget against the deliveries of the years it covers within `years`, per entity: a
    year's spending goes to the budget bot.domain.equipment.applicable_budget picks, as approvals
    do. The totals add up the entities' lines of the same years, category and kind."""
    per_entity: list[BudgetLine] = []
    for entity, code in sorted({(g.entity, g.category_code) for g in grants} | {(s.entity, s.category_code) for s in spending},
                               key=lambda pair: (pair[0].code, pair[1])):
        own = [g for g in grants if (g.entity, g.category_code) == (entity, code)]
        spent = {s.year: s for s in spending if (s.entity, s.category_code) == (entity, code)}
        name = (own[0].category if own else next(iter(spent.values())).category)
        budgets = [Budget(index, 0, 0, code, g.year, g.amount, g.one_off) for index, g in enumerate(own)]
        covered: dict[int, list[int]] = defaultdict(list)
        for year in years:
            budget = applicable_budget(budgets, 0, year)
            if budget is not None:
                covered[budget.id].append(year)
            elif year in spent:
                per_entity.append(BudgetLine(year, name, None, spent[year].amount, entity=entity))
        for index, covered_years in covered.items():
            grant = own[index]
            amount = sum((spent[y].amount for y in covered_years if y in spent), Decimal("0.00"))
            last = max(covered_years) if grant.one_off else None
            per_entity.append(BudgetLine(grant.year, name, grant.amount, amount, last, grant.one_off, entity))
    totals: dict[tuple, BudgetLine] = {}
    for line in per_entity:
        key = (line.year, line.last_year, line.one_off, line.category, line.budget is None)
        seen = totals.get(key)
        if seen is None:
            totals[key] = replace(line, entity=None)
        else:
            budget = None if seen.budget is None else seen.budget + (line.budget or Decimal(0))
            totals[key] = replace(seen, budget=budget, spent=seen.spent + line.spent)

    def order(line: BudgetLine) -> tuple:
        return (line.year, line.category, line.one_off, line.last_year or 0)

    result = sorted(totals.values(), key=order)
    if breakdown:
        result += sorted(per_entity, key=lambda line: (line.entity.code if line.entity else "", *order(line)))
    return result
@dataclass(frozen=True)
class Report:
    """Every figure of one workbook. A section is None when its data is not available."""

    period: Period
    entity: EntityRef | None
    produced_at: datetime
    homework: list[HomeworkMonth]
    ineligible: list[IneligibleGroup]
    webinars: list[WebinarLine] | None = None
    webinar_totals: list[WebinarTotal] | None = None
    coaching: list[CoachingLine] | None = None
    internet_allowance: list[InternetAllowanceLine] | None = None
    homework_allowance: list[HomeworkAllowanceMonth] | None = None
    equipment: list[EquipmentLine] | None = None
    budgets: list[BudgetLine] | None = None
    staff_served: list[StaffServed] | None = None
    staff_per_year: dict[int, int] = field(default_factory=dict)
    # Cells counting fewer people than this are hidden in the workbook (None: everything shown).
    min_cell: int | None = None

    def key_figures(self) -> KeyFigures:
        return key_figures(self)


def totals(lines: Iterable[Line] | None) -> list[Line]:
    """The lines of the report's whole scope (not the per-entity breakdown)."""
    return [line for line in lines or () if line.entity is None]


def with_evolution(months: Iterable[HomeworkMonth]) -> list[HomeworkMonth]:
    """Fill in each month's share and its change against the month before (in fractions), each
    entity's months (and the total's) on their own."""
    result: list[HomeworkMonth] = []
    previous: dict[EntityRef | None, Decimal | None] = {}
    for line in months:
        share = percentage(line.home_workers, line.eligible_staff)
        before = previous.get(line.entity)
        change = share - before if share is not None and before is not None else None
        result.append(replace(line, share=share, change=change))
        previous[line.entity] = share
    return result


def quarter_label(day: date) -> str:
    """The quarter of a day as the sheets write it: 2023-K1."""
    return f"{day.year}-K{(day.month - 1) // 3 + 1}"


# Smallest and largest threshold for hiding small counts (1 would hide nothing).
MIN_CELL_RANGE = (2, 100)


def parse_min_cell(raw: str | int | None) -> int | None:
    """The small-count threshold asked for: None or 0 for none, else 2..100 people."""
    text = str(raw if raw is not None else "").strip()
    if text in ("", "0"):
        return None
    if not text.isdigit() or not MIN_CELL_RANGE[0] <= int(text) <= MIN_CELL_RANGE[1]:
        raise InvalidInput("reports.bad_min_cell", value=text[:10], low=MIN_CELL_RANGE[0], high=MIN_CELL_RANGE[1])
    return int(text)


def hidden(people: int | None, min_cell: int | None) -> bool:
    """A count of 1 to min_cell - 1 people is hidden; zero says nobody and is shown."""
    return min_cell is not None and people is not None and 0 < people < min_cell


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
    """The few figures a summary card shows (the report's whole scope); the workbook has the rest."""
    homework = totals(report.homework)
    with_share = [m for m in homework if m.share is not None]
    average = None
    if with_share:
        average = (sum((m.share for m in with_share), Decimal(0)) / len(with_share)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    coaching = [line for line in totals(report.coaching) if line.year is None and line.kind is None]
    internet = [line for line in totals(report.internet_allowance) if line.mode is None]
    return KeyFigures(
        months=len(homework),
        average_share=average,
        last_month=homework[-1] if homework else None,
        peak_month=max(with_share, key=lambda m: (m.share, m.month)) if with_share else None,
        ineligible_staff=sum(group.staff for group in totals(report.ineligible)),
        webinar_attendees=sum(line.attended for line in totals(report.webinars)) if report.webinars is not None else None,
        coaching_requests=sum(line.requests for line in coaching) if report.coaching is not None else None,
        internet_allowance_amount=sum((line.amount for line in internet), Decimal(0)) if report.internet_allowance is not None else None,
        equipment_amount=sum((line.amount for line in totals(report.equipment)), Decimal(0)) if report.equipment is not None else None,
    )
