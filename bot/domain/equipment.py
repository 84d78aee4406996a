"""Home-office equipment: each entity's catalogue, eligibility rules, request states and budgets.

Pure rules: the staff member, their history, the clock's date and the entity policy come in as
arguments. A refusal is a `Refusal` (an i18n key and typed values) that the flow renders in the
reader's language, so dates and item names are formatted there, not here.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from bot.domain.errors import DomainError
from bot.domain.staff import Role, Staff

MAX_JUSTIFICATION = 1000
MAX_NOTE = 500
MAX_LINES = 20
MAX_QUANTITY = 10  # per item and request, even for reasonable adjustments
MAX_PRICE = Decimal("100000")
CODE_PATTERN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


class RequestStatus(StrEnum):
    PENDING = "pending"  # waiting for the manager
    APPROVED = "approved"  # budget committed, waiting for logistics
    ORDERED = "ordered"
    DELIVERED = "delivered"  # budget spent
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# A request in one of these states blocks a new request for the same item.
OPEN_STATUSES = frozenset({RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.ORDERED})
# Approved and not yet delivered: the money is committed.
COMMITTED_STATUSES = frozenset({RequestStatus.APPROVED, RequestStatus.ORDERED})
# Everything that uses budget: committed or spent.
BUDGET_STATUSES = COMMITTED_STATUSES | {RequestStatus.DELIVERED}


class Delivery(StrEnum):
    HOME = "home"
    OFFICE = "office"


class FulfilmentStep(StrEnum):
    ORDERED = "ordered"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


# What logistics may do from each state.
FULFILMENT_TRANSITIONS: Mapping[RequestStatus, frozenset[FulfilmentStep]] = {
    RequestStatus.APPROVED: frozenset({FulfilmentStep.ORDERED, FulfilmentStep.DELIVERED, FulfilmentStep.CANCELLED}),
    RequestStatus.ORDERED: frozenset({FulfilmentStep.DELIVERED, FulfilmentStep.CANCELLED}),
}


@dataclass(frozen=True)
class Names:
    """A name in both languages."""

    nl: str
    en: str

    def __call__(self, locale: str) -> str:
        return self.en if locale == "en" else self.nl


@dataclass(frozen=True)
class Category:
    id: int
    entity_id: int
    code: str
    names: Names


@dataclass(frozen=True)
class CatalogueItem:
    id: int
    entity_id: int
    code: str
    names: Names
    category_id: int
    category_code: str
    unit_price: Decimal
    min_months_in_service: int = 0
    needs_justification: bool = False
    allowed_roles: frozenset[Role] = frozenset()  # empty: everyone
    needs_approval: bool = True
    once_per_years: int | None = None  # at most one per person per N years
    max_quantity: int = 1
    available_from: date | None = None
    active: bool = True


@dataclass(frozen=True)
class Budget:
    id: int
    entity_id: int
    category_id: int
    category_code: str
    year: int
    amount: Decimal
    one_off: bool  # a one-off budget covers its year and later years until it is used up


@dataclass(frozen=True)
class RequestLine:
    item_id: int
    item_code: str
    names: Names
    category_id: int
    quantity: int
    unit_price: Decimal
    budget_id: int | None = None

    @property
    def cost(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class EquipmentRequest:
    id: int
    staff_id: int
    entity_id: int
    status: RequestStatus
    lines: tuple[RequestLine, ...]
    justification: str | None
    delivery: Delivery
    reasonable_adjustment: bool
    requested_on: date
    created_at: datetime
    decided_at: datetime | None = None
    ordered_at: datetime | None = None
    delivered_on: date | None = None
    closed_at: datetime | None = None
    note: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.cost for line in self.lines), Decimal("0"))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def snapshot(self) -> dict[str, Any]:
        """Plain values for the audit log."""
        return {
            "status": self.status.value,
            "lines": [
                {"item": line.item_code, "quantity": line.quantity, "unit_price": str(line.unit_price)}
                for line in self.lines
            ],
            "delivery": self.delivery.value,
            "reasonable_adjustment": self.reasonable_adjustment,
            "note": self.note,
        }


@dataclass(frozen=True)
class PastLine:
    """One item a staff member asked for earlier (for the open-request and once-per-period rules)."""

    item_id: int
    status: RequestStatus
    requested_on: date
    delivered_on: date | None


@dataclass(frozen=True)
class Refusal:
    """Why one item cannot be requested; `on` and `count` fill the text's {date} and {count}."""

    key: str
    item: Names
    on: date | None = None
    count: int | None = None


@dataclass(frozen=True)
class WantedLine:
    item: CatalogueItem
    quantity: int


class NotEligible(DomainError):
    """One or more items cannot be requested; the flow renders each refusal."""

    key = "equipment.not_eligible"

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        self.refusals = tuple(refusals)
        super().__init__(self.key)


# -- dates ------------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Aug + 6 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


# -- eligibility ------------------------------------------------------------------------------

def possible_from(item: CatalogueItem, staff: Staff) -> date | None:
    """The first day the item may be requested by this staff member (None: no such limit)."""
    candidates = []
    if item.available_from is not None:
        candidates.append(item.available_from)
    if item.min_months_in_service:
        candidates.append(add_months(staff.start_date, item.min_months_in_service))
    return max(candidates) if candidates else None


def check_item(
    item: CatalogueItem,
    quantity: int,
    staff: Staff,
    history: Iterable[PastLine],
    today: date,
    *,
    justification: str | None,
    reasonable_adjustment: bool = False,
) -> list[Refusal]:
    """Every rule the item breaks for this request. A reasonable adjustment (staff with a
    disability) may go beyond the general limits (service time, roles, quantity, period), never
    beyond availability, an open request or the need to explain."""
    refusals: list[Refusal] = []
    names = item.names
    if not item.active:
        return [Refusal("equipment.refused.inactive", names)]
    if item.available_from is not None and today < item.available_from:
        refusals.append(Refusal("equipment.refused.not_available", names, on=item.available_from))
    if not 1 <= quantity <= MAX_QUANTITY:
        refusals.append(Refusal("equipment.refused.quantity", names, count=min(item.max_quantity, MAX_QUANTITY)))
    elif quantity > item.max_quantity and not reasonable_adjustment:
        refusals.append(Refusal("equipment.refused.quantity", names, count=item.max_quantity))
    if item.needs_justification and not (justification or "").strip():
        refusals.append(Refusal("equipment.refused.justification", names))
    if not reasonable_adjustment:
        if item.min_months_in_service:
            eligible_on = add_months(staff.start_date, item.min_months_in_service)
            if today < eligible_on:
                refusals.append(
                    Refusal("equipment.refused.too_early", names, on=eligible_on, count=item.min_months_in_service)
                )
        if item.allowed_roles and not staff.has(*item.allowed_roles):
            refusals.append(Refusal("equipment.refused.role", names))
    past = [line for line in history if line.item_id == item.id]
    open_line = next((line for line in past if line.status in OPEN_STATUSES), None)
    if open_line is not None:
        refusals.append(Refusal("equipment.refused.open_request", names, on=open_line.requested_on))
    elif item.once_per_years and not reasonable_adjustment:
        received = [line.delivered_on for line in past if line.status == RequestStatus.DELIVERED and line.delivered_on]
        last = max(received, default=None)
        if last is not None and today < add_years(last, item.once_per_years):
            refusals.append(
                Refusal("equipment.refused.received", names, on=add_years(last, item.once_per_years), count=item.once_per_years)
            )
    return refusals


def check_request(
    lines: Sequence[WantedLine],
    staff: Staff,
    history: Iterable[PastLine],
    today: date,
    *,
    justification: str | None,
    reasonable_adjustment: bool,
) -> list[Refusal]:
    history = list(history)
    refusals: list[Refusal] = []
    if reasonable_adjustment and not (justification or "").strip():
        refusals.append(Refusal("equipment.refused.adjustment_justification", Names("", "")))
    for line in lines:
        if line.item.entity_id != staff.entity_id:
            refusals.append(Refusal("equipment.refused.inactive", line.item.names))
            continue
        refusals.extend(
            check_item(
                line.item, line.quantity, staff, history, today,
                justification=justification, reasonable_adjustment=reasonable_adjustment,
            )
        )
    return refusals


def needs_manager(lines: Sequence[WantedLine], reasonable_adjustment: bool) -> bool:
    """Items the entity lets staff take without a decision (a mouse) skip the manager, unless the
    request deviates from the general rules."""
    return reasonable_adjustment or any(line.item.needs_approval for line in lines)


# -- budgets ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class BudgetPosition:
    """One category's budget for the request's year: what is left and what the request costs."""

    category_id: int
    category: Names
    year: int
    budget_id: int | None
    amount: Decimal | None  # None: the entity has no budget for this category and year
    used: Decimal  # committed and spent so far
    cost: Decimal  # this request's lines in the category

    @property
    def remaining(self) -> Decimal:
        return (self.amount or Decimal("0")) - self.used

    @property
    def fits(self) -> bool:
        return self.cost <= self.remaining


def applicable_budget(budgets: Iterable[Budget], category_id: int, year: int) -> Budget | None:
    """The year's own budget for the category, else the newest one-off budget granted up to that year."""
    candidates = [b for b in budgets if b.category_id == category_id]
    annual = next((b for b in candidates if b.year == year and not b.one_off), None)
    if annual is not None:
        return annual
    one_offs = sorted((b for b in candidates if b.one_off and b.year <= year), key=lambda b: b.year)
    return one_offs[-1] if one_offs else None


def over_budget(positions: Iterable[BudgetPosition]) -> list[BudgetPosition]:
    return [position for position in positions if not position.fits]


# -- catalogue files --------------------------------------------------------------------------

@dataclass(frozen=True)
class FileProblem:
    line: int
    reason: str


@dataclass(frozen=True)
class CategoryLine:
    line: int
    code: str
    names: Names


@dataclass(frozen=True)
class ItemLine:
    line: int
    code: str
    names: Names
    category: str
    unit_price: Decimal
    min_months_in_service: int
    needs_justification: bool
    allowed_roles: frozenset[Role]
    needs_approval: bool
    once_per_years: int | None
    max_quantity: int
    available_from: date | None
    active: bool


@dataclass(frozen=True)
class BudgetLine:
    line: int
    entity_code: str | None
    category: str
    year: int
    amount: Decimal
    one_off: bool


@dataclass
class CatalogueFile:
    categories: list[CategoryLine] = field(default_factory=list)
    items: list[ItemLine] = field(default_factory=list)
    budgets: list[BudgetLine] = field(default_factory=list)


class _Row:
    """One row of a catalogue file, read field by field; every problem is kept with its line."""

    def __init__(self, line: int, raw: Mapping[str, Any]) -> None:
        self.line = line
        self.raw = {str(k).strip().lower(): v for k, v in raw.items() if k is not None}
        self.reasons: list[str] = []

    def _value(self, name: str) -> Any:
        value = self.raw.get(name)
        return value.strip() if isinstance(value, str) else value

    def text(self, name: str, *, required: bool = True, max_length: int = 200) -> str:
        value = self._value(name)
        if value is None or value == "":
            if required:
                self.reasons.append(f"{name} is empty")
            return ""
        value = str(value)
        if len(value) > max_length:
            self.reasons.append(f"{name} is longer than {max_length} characters")
        return value

    def code(self, name: str) -> str:
        value = self.text(name, max_length=40).lower()
        if value and not set(value) <= CODE_PATTERN_CHARS:
            self.reasons.append(f"{name} {value!r} may only hold a-z, 0-9, '-' and '_'")
        return value

    def integer(self, name: str, *, default: int | None, low: int, high: int) -> int | None:
        value = self._value(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            self.reasons.append(f"{name} is not a whole number")
            return default
        try:
            number = int(str(value))
        except ValueError:
            self.reasons.append(f"{name} {value!r} is not a whole number")
            return default
        if not low <= number <= high:
            self.reasons.append(f"{name} {number} is not between {low} and {high}")
        return number

    def money(self, name: str) -> Decimal:
        value = self._value(name)
        if value is None or value == "":
            self.reasons.append(f"{name} is empty")
            return Decimal("0")
        if isinstance(value, float):
            value = repr(value)  # YAML floats: keep the written digits
        try:
            amount = Decimal(str(value).replace(",", "."))
        except InvalidOperation:
            self.reasons.append(f"{name} {value!r} is not an amount")
            return Decimal("0")
        if not amount.is_finite() or amount < 0 or amount > MAX_PRICE * 100:
            self.reasons.append(f"{name} {value!r} is not a sensible amount")
            return Decimal("0")
        if amount != amount.quantize(Decimal("0.01")):
            self.reasons.append(f"{name} {value!r} has more than two decimals")
        return amount.quantize(Decimal("0.01"))

    def flag(self, name: str, *, default: bool) -> bool:
        value = self._value(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        lowered = str(value).lower()
        if lowered in ("true", "yes", "ja", "1", "y"):
            return True
        if lowered in ("false", "no", "nee", "0", "n"):
            return False
        self.reasons.append(f"{name} {value!r} is not yes or no")
        return default

    def day(self, name: str) -> date | None:
        value = self._value(name)
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.reasons.append(f"{name} {value!r} is not YYYY-MM-DD")
            return None

    def roles(self, name: str) -> frozenset[Role]:
        value = self._value(name)
        if value is None or value == "":
            return frozenset()
        names = value if isinstance(value, list) else str(value).replace(",", ";").split(";")
        roles = set()
        for role_name in (str(n).strip().lower() for n in names):
            if not role_name:
                continue
            try:
                roles.add(Role(role_name))
            except ValueError:
                self.reasons.append(f"unknown role {role_name!r}")
        return frozenset(roles)

    def problem(self) -> FileProblem | None:
        return FileProblem(self.line, "; ".join(self.reasons)) if self.reasons else None


def parse_catalogue(
    categories: Iterable[tuple[int, Mapping[str, Any]]],
    items: Iterable[tuple[int, Mapping[str, Any]]],
    budgets: Iterable[tuple[int, Mapping[str, Any]]] = (),
    *,
    known_categories: Iterable[str] = (),
    budget_entity_required: bool = False,
) -> tuple[CatalogueFile, list[FileProblem]]:
    """Validate a catalogue (and/or budget) file's rows; returns the lines or the problems."""
    result = CatalogueFile()
    problems: list[FileProblem] = []
    seen_categories: dict[str, int] = {}
    for line, raw in categories:
        row = _Row(line, raw)
        code = row.code("code")
        names = Names(row.text("name_nl"), row.text("name_en"))
        if code in seen_categories:
            row.reasons.append(f"category {code!r} repeats line {seen_categories[code]}")
        if (problem := row.problem()) is not None:
            problems.append(problem)
            continue
        seen_categories[code] = line
        result.categories.append(CategoryLine(line, code, names))
    category_codes = set(seen_categories) | {code.lower() for code in known_categories}
    seen_items: dict[str, int] = {}
    for line, raw in items:
        row = _Row(line, raw)
        code = row.code("code")
        names = Names(row.text("name_nl"), row.text("name_en"))
        category = row.code("category")
        if category and category not in category_codes:
            row.reasons.append(f"unknown category {category!r}")
        price = row.money("unit_price")
        if price > MAX_PRICE:
            row.reasons.append(f"unit_price {price} is above {MAX_PRICE}")
        item = ItemLine(
            line=line, code=code, names=names, category=category, unit_price=price,
            min_months_in_service=row.integer("min_months_in_service", default=0, low=0, high=120) or 0,
            needs_justification=row.flag("needs_justification", default=False),
            allowed_roles=row.roles("roles"),
            needs_approval=row.flag("needs_approval", default=True),
            once_per_years=row.integer("once_per_years", default=None, low=1, high=20),
            max_quantity=row.integer("max_quantity", default=1, low=1, high=MAX_QUANTITY) or 1,
            available_from=row.day("available_from"),
            active=row.flag("active", default=True),
        )
        if code in seen_items:
            row.reasons.append(f"item {code!r} repeats line {seen_items[code]}")
        if (problem := row.problem()) is not None:
            problems.append(problem)
            continue
        seen_items[code] = line
        result.items.append(item)
    seen_budgets: dict[tuple[str | None, str, int], int] = {}
    for line, raw in budgets:
        row = _Row(line, raw)
        entity_code = row.text("entity", required=budget_entity_required, max_length=32).upper() or None
        category = row.code("category")
        if category and not budget_entity_required and category not in category_codes:
            row.reasons.append(f"unknown category {category!r}")
        year = row.integer("year", default=None, low=2000, high=2100)
        if year is None and row.raw.get("year") in (None, ""):
            row.reasons.append("year is empty")
        amount = row.money("amount")
        kind = row.text("kind", required=False, max_length=20).lower() or "annual"
        if kind not in ("annual", "one_off", "one-off"):
            row.reasons.append(f"kind {kind!r} is not annual or one_off")
        key = (entity_code, category, year or 0)
        if key in seen_budgets:
            row.reasons.append(f"budget repeats line {seen_budgets[key]}")
        if (problem := row.problem()) is not None:
            problems.append(problem)
            continue
        seen_budgets[key] = line
        result.budgets.append(BudgetLine(line, entity_code, category, year or 0, amount, kind != "annual"))
    problems.sort(key=lambda p: p.line)
    return result, problems
