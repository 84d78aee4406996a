"""Demo data for equipment: requests in every state, stored as they would be after their steps,
and the form a demo staff member would send (submitted through the real use case)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from bot.domain import equipment as rules
from bot.domain.equipment import Delivery, RequestLine, RequestStatus
from bot.services.equipment import AUDIT_SUBJECT, SubmitRequest, budget_positions
from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DemoRequest:
    email: str
    codes: tuple[str, ...]  # one of each item
    status: RequestStatus
    requested_on: date
    delivered_on: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class LoadDemoRequests:
    requests: Sequence[DemoRequest]


async def load_demo_requests(uow: UnitOfWork, command: LoadDemoRequests, now: datetime) -> int:
    """Store each request whose staff member and items exist; returns how many were stored."""
    stored = 0
    async with uow:
        for spec in command.requests:
            stored += await _store(uow, spec, now)
        await uow.commit()
    return stored


async def _store(uow: UnitOfWork, spec: DemoRequest, now: datetime) -> int:
    staff = await uow.staff.get_by_email(spec.email)
    if staff is None:
        return 0
    items = {item.code: item for item in await uow.equipment.list_items(staff.entity_id)}
    lines = [
        RequestLine(items[c].id, c, items[c].names, items[c].category_id, 1, items[c].unit_price) for c in spec.codes if c in items
    ]
    if not lines:
        return 0
    moment = datetime.combine(spec.requested_on, time.min, tzinfo=now.tzinfo)
    request_id = await uow.equipment.add_request(
        staff_id=staff.id, entity_id=staff.entity_id, status=spec.status, lines=lines, justification=None,
        delivery=Delivery.HOME, reasonable_adjustment=False, requested_on=spec.requested_on, created_at=moment,
    )
    request = await uow.equipment.get_request(request_id)
    assert request is not None
    values: dict[str, Any] = {"decided_at": moment, "decided_by": staff.manager_id, "note": spec.note}
    if spec.status in rules.BUDGET_STATUSES:
        positions = await budget_positions(uow, request, lock=False)
        await uow.equipment.charge_lines(request_id, {p.category_id: p.budget_id for p in positions})
    if spec.status == RequestStatus.ORDERED:
        values["ordered_at"] = moment
    if spec.status in (RequestStatus.DELIVERED, RequestStatus.REJECTED, RequestStatus.CANCELLED):
        values["closed_at"] = moment
        values["delivered_on"] = spec.delivered_on
    await uow.equipment.update_request(request_id, **values)
    await uow.audit.record("demo", f"equipment.{spec.status.value}", AUDIT_SUBJECT, request_id, None, request.snapshot())
    return 1


@dataclass(frozen=True)
class DemoSubmission:
    email: str
    codes: tuple[str, ...]
    justification: str


async def demo_submission(uow: UnitOfWork, command: DemoSubmission, now: datetime) -> SubmitRequest | None:
    """What the staff member's form would send for one of each item, with the catalogue's prices;
    None when they are not in the directory."""
    async with uow:
        staff = await uow.staff.get_by_email(command.email)
        if staff is None:
            return None
        items = {item.code: item for item in await uow.equipment.list_items(staff.entity_id)}
    wanted = [items[code] for code in command.codes if code in items]
    return SubmitRequest(
        actor=staff, quantities={item.id: 1 for item in wanted}, prices_seen={item.id: item.unit_price for item in wanted},
        justification=command.justification,
    )
