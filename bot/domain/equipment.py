"""Home-office equipment: each entity's catalogue, eligibility rules, request states and budgets.

Pure rules: the staff member, their history, the clock's date and the entity policy come in as
arguments. A refusal is a `Refusal` (an i18n key and typed values) that the flow renders in the
reader's language, so dates and item names are formatted there, not here. What the requester is
told after logistics moves a request on is a `FulfilmentRecorded` notice. Catalogue and budget
files are checked in bot/domain/equipment_catalogue.py.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.domain.errors import Conflict, DomainError, Forbidden, InvalidInput
from bot.domain.notifications import Notice
from bot.domain.staff import Role, Staff

MAX_JUSTIFICATION = 1000
MAX_NOTE = 500
MAX_LINES = 20
MAX_QUANTITY = 10  # per item and request, even for reasonable adjustments
MAX_PRICE = Decimal("100000")


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
# The state each step leaves the request in.
FULFILMENT_RESULT: Mapping[FulfilmentStep, RequestStatus] = {
    FulfilmentStep.ORDERED: RequestStatus.ORDERED,
    FulfilmentStep.DELIVERED: RequestStatus.DELIVERED,
    FulfilmentStep.CANCELLED: RequestStatus.CANCELLED,
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


def quantity_limit(item: CatalogueItem, *, reasonable_adjustment: bool) -> int:
    """The most of one item a request may hold: the item's own limit, or for a reasonable
    adjustment the general one."""
    return MAX_QUANTITY if reasonable_adjustment else min(item.max_quantity, MAX_QUANTITY)


def check_justification(justification: str | None) -> str | None:
    """The justification as stored (stripped, None when empty), or InvalidInput when too long."""
    text = (justification or "").strip() or None
    if text and len(text) > MAX_JUSTIFICATION:
        raise InvalidInput("equipment.justification_too_long", limit=MAX_JUSTIFICATION)
    return text


# -- after the request: cancelling and fulfilment ----------------------------------------------

def may_cancel(request: EquipmentRequest, staff: Staff) -> bool:
    """The requester may withdraw a request while the manager has not decided."""
    return request.staff_id == staff.id and request.status is RequestStatus.PENDING


def check_cancel(request: EquipmentRequest, staff: Staff) -> None:
    if request.staff_id != staff.id:
        raise Forbidden("equipment.not_yours")
    if request.status is not RequestStatus.PENDING:
        raise Conflict("equipment.cannot_cancel")


def logistics_scope(actor: Staff) -> int | None:
    """The entity whose requests the actor fulfils: logistics its own, an admin every one (None)."""
    if actor.has(Role.ADMIN):
        return None
    if actor.has(Role.LOGISTICS):
        return actor.entity_id
    raise Forbidden()


def check_logistics_access(actor: Staff, request: EquipmentRequest) -> None:
    scope = logistics_scope(actor)
    if scope is not None and request.entity_id != scope:
        raise Forbidden("equipment.not_your_entity")


def fulfilment_steps(request: EquipmentRequest) -> tuple[FulfilmentStep, ...]:
    """What logistics can do next, in the order a card offers it (none once delivered or cancelled)."""
    possible = FULFILMENT_TRANSITIONS.get(request.status, frozenset())
    return tuple(step for step in FulfilmentStep if step in possible)


class ConfirmDeliveryWithoutOrder(DomainError):
    """Marking an approved request delivered skips "ordered": logistics confirms it first (one
    stray click would close the request and spend its budget)."""

    key = "equipment.confirm_delivered_unordered"


def needs_confirmation(request: EquipmentRequest, step: FulfilmentStep) -> bool:
    """Whether taking this step needs an explicit second click."""
    return step is FulfilmentStep.DELIVERED and request.status is RequestStatus.APPROVED


def check_fulfilment(request: EquipmentRequest, step: FulfilmentStep, note: str | None, *, confirmed: bool = False) -> str | None:
    """The note as stored (stripped, None when empty) when `step` is possible now; a cancellation
    needs a note, so the staff member knows why; delivering what was never ordered needs
    `confirmed`."""
    text = (note or "").strip() or None
    if text and len(text) > MAX_NOTE:
        raise InvalidInput("equipment.note_too_long", limit=MAX_NOTE)
    if step not in fulfilment_steps(request):
        raise Conflict("equipment.step_not_possible")
    if step is FulfilmentStep.CANCELLED and not text:
        raise InvalidInput("equipment.cancel_needs_note")
    if needs_confirmation(request, step) and not confirmed:
        raise ConfirmDeliveryWithoutOrder()
    return text


class RequestedItem(BaseModel):
    """One line of a request as a notice carries it: enough to name it in either language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    names: Names
    quantity: int


class FulfilmentRecorded(Notice, kind="equipment.fulfilment"):
    """Logistics ordered, delivered or cancelled a request; told to the requester."""

    request_id: int
    status: RequestStatus
    items: tuple[RequestedItem, ...]
    note: str | None = None

    @classmethod
    def of(cls, request: EquipmentRequest) -> FulfilmentRecorded:
        items = tuple(RequestedItem(names=line.names, quantity=line.quantity) for line in request.lines)
        return cls(request_id=request.id, status=request.status, items=items, note=request.note)


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
