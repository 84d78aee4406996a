"""The figures that answer parliament: the reporting period, the definitions behind each figure,
the figures themselves as plain dataclasses, and the validation of history files.

Definitions (also written on the workbook's first sheet):
- A *home worker* in month M is a staff member with at least one registered (not pending, not
  rejected) home or satellite day in M.
- The *denominator* of month M is every staff member in service on at least one day of M who is
  not marked ineligible for hybrid work for the whole of M. The home workers counted are taken
  from that same group, so the percentage never exceeds 100%.
- Per entity, people count in the entity they belonged to at the time (the entity history): a
  home day counts for the entity of that day; someone who moved during a month counts in the
  month's denominator of both entities, and once for the whole administration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from bot.domain.calendar import Month
from bot.domain.errors import InvalidInput

# Longest period one report may cover: ten years of months.
MAX_MONTHS = 120
HOME_PLACES = ("home", "satellite")
REGISTERED = "registered"
INELIGIBILITY_REASONS = ("organisational", "financial", "competence", "abuse", "function")



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


# -- history files: validation of rows (pure; the services look up staff and write) -------------


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str


@dataclass(frozen=True)
class RegistrationLine:
    line: int
    email: str
    day: date
    place: str
    part: str


@dataclass(frozen=True)
class IneligibleLine:
    line: int
    email: str
    reason: str
    valid_from: date
    valid_until: date | None


@dataclass(frozen=True)
class EquipmentHistoryLine:
    line: int
    email: str
    item_code: str
    delivered_on: date
    unit_price: Decimal


REGISTRATION_COLUMNS = ("email", "date", "place", "part")
INELIGIBLE_COLUMNS = ("email", "reason", "from", "until")
EQUIPMENT_COLUMNS = ("email", "item_code", "delivered_on", "unit_price")
PLACES = ("home", "satellite", "office")
PARTS = ("full", "am", "pm")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_PRICE = Decimal("100000")

Row = Mapping[str, str | None]


def missing_columns(header: Iterable[str], columns: Iterable[str]) -> list[Problem]:
    names = {name.strip().lower() for name in header}
    missing = [column for column in columns if column not in names]
    return [Problem(1, f"missing column(s): {', '.join(missing)}")] if missing else []


def _clean(raw: Row) -> dict[str, str]:
    return {key.strip().lower(): (value or "").strip() for key, value in raw.items() if key}


def _day(value: str, column: str, reasons: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        reasons.append(f"{column} {value[:30]!r} is not YYYY-MM-DD")
        return None


def _email(value: str, reasons: list[str]) -> str:
    email = value.lower()
    if not _EMAIL.match(email) or len(email) > 320:
        reasons.append(f"email {value[:60]!r} is not an e-mail address")
    return email


def _rows(rows: Iterable[tuple[int, Row]]) -> Iterator[tuple[int, dict[str, str]]]:
    for line_no, raw in rows:
        row = _clean(raw)
        if any(row.values()):
            yield line_no, row


def parse_registrations(rows: Iterable[tuple[int, Row]], today: date) -> tuple[list[RegistrationLine], list[Problem]]:
    lines: list[RegistrationLine] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, date], int] = {}
    for line_no, row in _rows(rows):
        reasons: list[str] = []
        email = _email(row.get("email", ""), reasons)
        day = _day(row.get("date", ""), "date", reasons)
        place = row.get("place", "").lower()
        part = (row.get("part") or "full").lower()
        if place not in PLACES:
            reasons.append(f"place {place[:20]!r} is not one of {', '.join(PLACES)}")
        if part not in PARTS:
            reasons.append(f"part {part[:20]!r} is not one of {', '.join(PARTS)}")
        if day is not None and day > today:
            reasons.append(f"date {day.isoformat()} is in the future")
        if day is not None and (email, day) in seen:
            reasons.append(f"{email} on {day.isoformat()} repeats line {seen[(email, day)]}")
        if reasons:
            problems.append(Problem(line_no, "; ".join(reasons)))
            continue
        assert day is not None
        seen[(email, day)] = line_no
        lines.append(RegistrationLine(line_no, email, day, place, part))
    return lines, problems


def parse_ineligible(rows: Iterable[tuple[int, Row]]) -> tuple[list[IneligibleLine], list[Problem]]:
    lines: list[IneligibleLine] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str, date], int] = {}
    for line_no, row in _rows(rows):
        reasons: list[str] = []
        email = _email(row.get("email", ""), reasons)
        reason = row.get("reason", "").lower()
        if reason not in INELIGIBILITY_REASONS:
            reasons.append(f"reason {reason[:30]!r} is not one of {', '.join(INELIGIBILITY_REASONS)}")
        start = _day(row.get("from", ""), "from", reasons)
        until = _day(row["until"], "until", reasons) if row.get("until") else None
        if start is not None and until is not None and until < start:
            reasons.append(f"until {until.isoformat()} is before from {start.isoformat()}")
        if start is not None and (email, reason, start) in seen:
            reasons.append(f"repeats line {seen[(email, reason, start)]}")
        if reasons:
            problems.append(Problem(line_no, "; ".join(reasons)))
            continue
        assert start is not None
        seen[(email, reason, start)] = line_no
        lines.append(IneligibleLine(line_no, email, reason, start, until))
    return lines, problems


def parse_equipment(rows: Iterable[tuple[int, Row]], today: date) -> tuple[list[EquipmentHistoryLine], list[Problem]]:
    lines: list[EquipmentHistoryLine] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str, date], int] = {}
    for line_no, row in _rows(rows):
        reasons: list[str] = []
        email = _email(row.get("email", ""), reasons)
        item_code = row.get("item_code", "")
        if not item_code or len(item_code) > 64:
            reasons.append("item_code is empty or too long")
        delivered = _day(row.get("delivered_on", ""), "delivered_on", reasons)
        if delivered is not None and delivered > today:
            reasons.append(f"delivered_on {delivered.isoformat()} is in the future")
        price = None
        try:
            price = Decimal(row.get("unit_price", "").replace(",", "."))
            if not price.is_finite() or price < 0 or price > MAX_PRICE or price != price.quantize(Decimal("0.01")):
                raise ValueError
        except (ArithmeticError, ValueError):
            reasons.append(f"unit_price {row.get('unit_price', '')[:20]!r} is not an amount in euro (e.g. 24.99)")
        key = (email, item_code.lower(), delivered)
        if delivered is not None and key in seen:
            reasons.append(f"repeats line {seen[key]}")
        if reasons:
            problems.append(Problem(line_no, "; ".join(reasons)))
            continue
        assert delivered is not None and price is not None
        seen[key] = line_no
        lines.append(EquipmentHistoryLine(line_no, email, item_code, delivered, price))
    return lines, problems
