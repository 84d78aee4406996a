"""Equipment requests: the catalogue a staff member sees, requesting, the manager's approval with
the budget check, and fulfilment by logistics. Loading catalogues and budgets is in
bot/services/equipment_catalogue.py.

Prices always come from the catalogue in the database; a card only echoes the prices it showed,
so a changed or forged price is noticed and refused.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bot.domain import equipment as rules
from bot.domain.equipment import (
    MAX_LINES,
    BudgetPosition,
    CatalogueItem,
    Delivery,
    EquipmentRequest,
    FulfilmentRecorded,
    FulfilmentStep,
    Names,
    NotEligible,
    Refusal,
    RequestLine,
    RequestStatus,
    WantedLine,
)
from bot.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from bot.domain.staff import Staff
from bot.services import approvals
from bot.services.approvals import NeedsConfirmation
from bot.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    pass  # only the approval subject below renders (its card text)

log = logging.getLogger(__name__)

SUBJECT_TYPE = "equipment_request"
AUDIT_SUBJECT = "equipment_request"


def _actor(staff: Staff) -> str:
    return f"staff:{staff.id}"


async def _get(uow: UnitOfWork, request_id: int, *, for_update: bool = False) -> EquipmentRequest:
    request = await uow.equipment.get_request(request_id, for_update=for_update)
    if request is None:
        raise NotFound()
    return request


# -- the catalogue as a staff member sees it ---------------------------------------------------
@dataclass(frozen=True)
class EquipmentForm:
    actor: Staff
    reasonable_adjustment: bool = False  # the form comes back with the toggle on: the general limits apply


@dataclass(frozen=True)
class OfferedItem:
    item: CatalogueItem
    category: Names
    refusals: tuple[Refusal, ...]  # why it cannot be requested now (empty: it can)
    max_quantity: int  # the most the form lets the staff member ask for


async def offered_items(uow: UnitOfWork, command: EquipmentForm, now: datetime) -> list[OfferedItem]:
    """The entity's catalogue as the form lists it: items on offer today, each with what keeps the
    staff member from asking for it now (the justification is only asked for on sending)."""
    staff, today = command.actor, now.date()
    async with uow:
        items = await uow.equipment.list_items(staff.entity_id)
        categories = {c.id: c.names for c in await uow.equipment.list_categories(staff.entity_id)}
        history = await uow.equipment.history(staff.id)
    offered = []
    for item in items:
        if item.available_from is not None and today < item.available_from:
            continue  # not on offer yet
        refusals = [
            r for r in rules.check_item(item, 1, staff, history, today, justification="-")
            if r.key != "equipment.refused.quantity"
        ]
        offered.append(
            OfferedItem(
                item, categories.get(item.category_id, Names(item.category_code, item.category_code)), tuple(refusals),
                rules.quantity_limit(item, reasonable_adjustment=command.reasonable_adjustment),
            )
        )
    return offered


class PriceChanged(Conflict):
    """The card showed another price than the catalogue holds now (changed since, or forged)."""

    key = "equipment.price_changed"

    def __init__(self, item: Names) -> None:
        super().__init__(item=item.nl)
        self.item = item


# -- requesting -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SubmitRequest:
    actor: Staff
    quantities: Mapping[int, int]  # item id -> quantity (0 or absent: not wanted)
    prices_seen: Mapping[int, Decimal]  # item id -> the unit price the card showed
    justification: str | None = None
    delivery: Delivery = Delivery.HOME
    reasonable_adjustment: bool = False
    unreadable_quantities: int = 0  # quantity inputs that held no whole number from 0 to MAX_QUANTITY


@dataclass(frozen=True)
class Submitted:
    request: EquipmentRequest
    approval_id: int | None  # None: approved at once (items that need no decision, budget available)
    can_cancel: bool


async def submit_request(uow: UnitOfWork, command: SubmitRequest, now: datetime) -> Submitted:
    """Check everything before anything is stored, then store the request and ask the manager
    (or approve it at once when no item needs a decision and the budget allows). A refused
    request is audited with what was sent (a forged price, quantity or item shows there)."""
    staff, today = command.actor, now.date()
    async with uow:
        try:
            lines, justification = await _checked_lines(uow, command, today)
        except DomainError as refused:
            await uow.audit.record(_actor(staff), "equipment.request_refused", "staff", staff.id, None, _attempt(command, refused))
            await uow.commit()
            raise
        request_lines = [
            RequestLine(line.item.id, line.item.code, line.item.names, line.item.category_id, line.quantity, line.item.unit_price)
            for line in lines
        ]
        request_id = await uow.equipment.add_request(
            staff_id=staff.id, entity_id=staff.entity_id, status=RequestStatus.PENDING, lines=request_lines,
            justification=justification, delivery=command.delivery, reasonable_adjustment=command.reasonable_adjustment,
            requested_on=today, created_at=now,
        )
        request = await _get(uow, request_id)
        await uow.audit.record(_actor(staff), "equipment.requested", AUDIT_SUBJECT, request_id, None, request.snapshot())
        positions = None if rules.needs_manager(lines, command.reasonable_adjustment) else await budget_positions(uow, request, lock=True)
        if positions is not None and not rules.over_budget(positions):
            await _commit_budget(uow, request, positions, decided_by=None, now=now, actor="system")
            approval_id = None
        else:  # the manager decides (over budget: and sees the budget on the card)
            approval_id = await approvals.request_approval(
                uow, subject_type=SUBJECT_TYPE, subject_id=request_id, requester=staff, actor=_actor(staff), now=now
            )
        stored = await _get(uow, request_id)
        await uow.commit()
    return Submitted(stored, approval_id, rules.may_cancel(stored, staff))


async def _checked_lines(uow: UnitOfWork, command: SubmitRequest, today: date) -> tuple[list[WantedLine], str | None]:
    """The lines to store and the justification, or the DomainError that refuses the request."""
    staff = command.actor
    if command.unreadable_quantities:
        raise InvalidInput("equipment.bad_quantity")
    wanted = {item_id: qty for item_id, qty in command.quantities.items() if qty}
    if not wanted:
        raise InvalidInput("equipment.nothing_chosen")
    if len(wanted) > MAX_LINES:
        raise InvalidInput("equipment.too_many_lines", limit=MAX_LINES)
    justification = rules.check_justification(command.justification)
    items = await uow.equipment.items_by_ids(wanted)
    for item_id in wanted:
        item = items.get(item_id)
        if item is None or item.entity_id != staff.entity_id or not item.active:
            log.warning("staff %s asked for item %s outside their catalogue", staff.id, item_id)
            raise Conflict("equipment.item_unknown")
        seen = command.prices_seen.get(item_id)
        if seen is None or seen != item.unit_price:
            log.warning("staff %s sent price %r for item %s (catalogue %s)", staff.id, seen, item_id, item.unit_price)
            raise PriceChanged(item.names)
    lines = [WantedLine(items[item_id], qty) for item_id, qty in sorted(wanted.items())]
    history = await uow.equipment.history(staff.id)
    refusals = rules.check_request(
        lines, staff, history, today, justification=justification, reasonable_adjustment=command.reasonable_adjustment
    )
    if refusals:
        raise NotEligible(refusals)
    return lines, justification


def _attempt(command: SubmitRequest, refused: DomainError) -> dict[str, Any]:
    """What a refused request asked for, as the audit keeps it."""
    reasons = [r.key for r in refused.refusals] if isinstance(refused, NotEligible) else [refused.key]
    return {
        "reasons": reasons,
        "quantities": {str(item_id): qty for item_id, qty in command.quantities.items()},
        "prices_seen": {str(item_id): str(price) for item_id, price in command.prices_seen.items()},
        "unreadable_quantities": command.unreadable_quantities,
        "reasonable_adjustment": command.reasonable_adjustment,
    }


@dataclass(frozen=True)
class CancelRequest:
    actor: Staff
    request_id: int


async def cancel_request(uow: UnitOfWork, command: CancelRequest, now: datetime) -> EquipmentRequest:
    """The staff member withdraws a request while the manager has not decided; the approval is
    cancelled with it."""
    staff = command.actor
    async with uow:
        request = await _get(uow, command.request_id, for_update=True)
        rules.check_cancel(request, staff)
        await approvals.cancel_for_subject(uow, subject_type=SUBJECT_TYPE, subject_id=request.id, actor=staff, now=now)
        current = await _get(uow, request.id)
        if current.status == RequestStatus.PENDING:  # no approval waited (should not happen): close it here
            await _close(uow, current, RequestStatus.CANCELLED, staff, None, now)
            current = await _get(uow, request.id)
        await uow.commit()
    return current


@dataclass(frozen=True)
class MyRequests:
    actor: Staff


@dataclass(frozen=True)
class OwnRequest:
    request: EquipmentRequest
    can_cancel: bool


async def my_requests(uow: UnitOfWork, command: MyRequests, now: datetime) -> list[OwnRequest]:
    """The staff member's latest requests, newest first."""
    async with uow:
        requests = await uow.equipment.list_for_staff(command.actor.id)
    return [OwnRequest(request, rules.may_cancel(request, command.actor)) for request in requests]


@dataclass(frozen=True)
class MyRequest:
    actor: Staff
    request_id: int


async def my_request(uow: UnitOfWork, command: MyRequest, now: datetime) -> OwnRequest:
    """One of the staff member's own requests as it stands now: their request card shows it again
    whenever Teams refreshes it, so a decision or a delivery never leaves a stale "Withdraw"."""
    async with uow:
        request = await _get(uow, command.request_id)
    if request.staff_id != command.actor.id:
        raise Forbidden("equipment.not_yours")
    return OwnRequest(request, rules.may_cancel(request, command.actor))


# -- budgets --------------------------------------------------------------------------------------
async def budget_positions(uow: UnitOfWork, request: EquipmentRequest, *, lock: bool) -> list[BudgetPosition]:
    """Per category of the request: the budget of the request's year, what is used and what this
    request costs. With `lock`, the budget rows are locked until the transaction ends, so
    concurrent approvals against one budget run one after the other."""
    year = request.requested_on.year
    budgets = await uow.equipment.list_budgets(request.entity_id)
    categories = {c.id: c for c in await uow.equipment.list_categories(request.entity_id)}
    cost: dict[int, Decimal] = {}
    for line in request.lines:
        cost[line.category_id] = cost.get(line.category_id, Decimal("0")) + line.cost
    chosen = {category_id: rules.applicable_budget(budgets, category_id, year) for category_id in cost}
    ids = [budget.id for budget in chosen.values() if budget is not None]
    if lock:
        locked = {budget.id: budget for budget in await uow.equipment.lock_budgets(ids)}
        chosen = {c: (locked.get(b.id) if b else None) for c, b in chosen.items()}
    used = await uow.equipment.used_by_budget(ids)
    positions = []
    for category_id, amount in sorted(cost.items()):
        budget = chosen[category_id]
        category = categories.get(category_id)
        positions.append(
            BudgetPosition(
                category_id=category_id, category=category.names if category else Names("?", "?"), year=year,
                budget_id=budget.id if budget else None, amount=budget.amount if budget else None,
                used=used.get(budget.id, Decimal("0")) if budget else Decimal("0"), cost=amount,
            )
        )
    return positions


async def _commit_budget(
    uow: UnitOfWork, request: EquipmentRequest, positions: Sequence[BudgetPosition], *, decided_by: int | None,
    now: datetime, actor: str,
) -> None:
    await uow.equipment.charge_lines(request.id, {p.category_id: p.budget_id for p in positions})
    await uow.equipment.update_request(request.id, status=RequestStatus.APPROVED, decided_at=now, decided_by=decided_by)
    after = await _get(uow, request.id)
    await uow.audit.record(actor, "equipment.approved", AUDIT_SUBJECT, request.id, request.snapshot(), after.snapshot())
    for position in positions:
        await uow.audit.record(
            actor, "equipment.budget_committed", "equipment_budget", position.budget_id or "none", None,
            {"request_id": request.id, "category_id": position.category_id, "year": position.year,
             "amount": str(position.cost), "remaining_before": str(position.remaining)},
        )


def _over_budget_error(over: BudgetPosition, cls: type[DomainError]) -> DomainError:
    return cls(
        "equipment.over_budget_confirm" if cls is NeedsConfirmation else "equipment.over_budget_blocked",
        year=over.year, category=over.category,
        remaining=f"{max(over.remaining, Decimal('0')):.2f}", cost=f"{over.cost:.2f}",
    )


async def _close(
    uow: UnitOfWork, request: EquipmentRequest, status: RequestStatus, actor: Staff, note: str | None, now: datetime,
    *, decided: bool = False,
) -> None:
    values: dict[str, Any] = {"status": status, "closed_at": now}
    if note is not None:
        values["note"] = note
    if decided:
        values.update(decided_at=now, decided_by=actor.id)
    await uow.equipment.update_request(request.id, **values)
    after = await _get(uow, request.id)
    await uow.audit.record(_actor(actor), f"equipment.{status.value}", AUDIT_SUBJECT, request.id, request.snapshot(), after.snapshot())


# -- fulfilment -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeliveryItem:
    """A request as logistics sees it, with what they can do next."""

    request: EquipmentRequest
    requester: Staff | None  # None: no longer in the directory
    entity_code: str | None
    steps: tuple[FulfilmentStep, ...]


@dataclass(frozen=True)
class DeliveryQueue:
    actor: Staff


@dataclass(frozen=True)
class ShowDeliveryRequest:
    actor: Staff
    request_id: int


@dataclass(frozen=True)
class FulfilRequest:
    actor: Staff
    request_id: int
    step: FulfilmentStep
    note: str | None = None
    confirmed: bool = False  # the second click for a step that needs one (delivered, never ordered)


async def _delivery_items(uow: UnitOfWork, requests: Sequence[EquipmentRequest]) -> list[DeliveryItem]:
    people = {s.id: s for s in await uow.staff.list_by_ids(sorted({r.staff_id for r in requests}))}
    entities = {e.id: e.code for e in await uow.entities.list_all()}
    return [
        DeliveryItem(r, people.get(r.staff_id), entities.get(r.entity_id), rules.fulfilment_steps(r)) for r in requests
    ]


async def delivery_queue(uow: UnitOfWork, command: DeliveryQueue, now: datetime) -> list[DeliveryItem]:
    """Approved and ordered requests, oldest first: logistics sees its own entity's, an admin all."""
    scope = rules.logistics_scope(command.actor)
    async with uow:
        return await _delivery_items(uow, await uow.equipment.list_to_fulfil(scope))


async def delivery_request(uow: UnitOfWork, command: ShowDeliveryRequest, now: datetime) -> DeliveryItem:
    """One request for logistics of its entity (or an admin)."""
    rules.logistics_scope(command.actor)
    async with uow:
        request = await _get(uow, command.request_id)
        rules.check_logistics_access(command.actor, request)
        return (await _delivery_items(uow, [request]))[0]


async def fulfil(uow: UnitOfWork, command: FulfilRequest, now: datetime) -> DeliveryItem:
    """Ordered, delivered or cancelled, with a note; delivery spends the committed budget and a
    cancellation releases it. The staff member is told."""
    actor, step = command.actor, command.step
    rules.logistics_scope(actor)
    async with uow:
        request = await _get(uow, command.request_id, for_update=True)
        rules.check_logistics_access(actor, request)
        note = rules.check_fulfilment(request, step, command.note, confirmed=command.confirmed)
        values: dict[str, Any] = {"handled_by": actor.id, "status": rules.FULFILMENT_RESULT[step]}
        if note is not None:
            values["note"] = note
        if step is FulfilmentStep.ORDERED:
            values["ordered_at"] = now
        elif step is FulfilmentStep.DELIVERED:
            values.update(delivered_on=now.date(), closed_at=now)
        else:
            values["closed_at"] = now
        await uow.equipment.update_request(request.id, **values)
        after = await _get(uow, request.id)
        await uow.audit.record(_actor(actor), f"equipment.{after.status.value}", AUDIT_SUBJECT, request.id, request.snapshot(), after.snapshot())
        await uow.outbox.add(after.staff_id, FulfilmentRecorded.of(after), now)
        item = (await _delivery_items(uow, [after]))[0]
        await uow.commit()
    return item
