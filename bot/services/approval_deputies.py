"""Deputies: a manager names a colleague who decides their team's approvals for a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain import approvals as rules
from bot.domain.approvals import Deputy
from bot.domain.errors import Forbidden, InvalidInput, NotFound
from bot.domain.staff import Staff
from bot.services.unit_of_work import UnitOfWork

AUDIT_SUBJECT = "deputy"


def _snapshot(deputy: Deputy) -> dict:
    return {"manager_id": deputy.manager_id, "deputy_id": deputy.deputy_id, "valid_from": deputy.valid_from.isoformat(),
            "valid_until": deputy.valid_until.isoformat()}


@dataclass(frozen=True)
class DeputyItem:
    id: int
    name: str
    email: str
    valid_from: date
    valid_until: date
    active: bool


@dataclass(frozen=True)
class Deputies:
    current: list[DeputyItem]  # whose period has not ended
    candidates: list[Staff]  # whom the manager would pick: peers and reports
    today: date


@dataclass(frozen=True)
class ShowDeputies:
    actor: Staff


@dataclass(frozen=True)
class SetDeputy:
    """Name `deputy_id` or the colleague with `deputy_email` (the e-mail wins) from valid_from to
    valid_until, both inclusive."""

    actor: Staff
    valid_from: date
    valid_until: date
    deputy_id: int | None = None
    deputy_email: str | None = None


@dataclass(frozen=True)
class RemoveDeputy:
    actor: Staff
    deputy_row_id: int


async def _candidates(uow: UnitOfWork, manager: Staff, today: date) -> list[Staff]:
    peers = await uow.staff.list_reports(manager.manager_id) if manager.manager_id else []
    reports = await uow.staff.list_reports(manager.id)
    seen: dict[int, Staff] = {}
    for person in [*peers, *reports]:
        if person.id != manager.id and person.in_service_on(today) and person.entity_id == manager.entity_id:
            seen.setdefault(person.id, person)
    return sorted(seen.values(), key=lambda person: person.display_name)


async def deputies(uow: UnitOfWork, command: ShowDeputies, now: datetime) -> Deputies:
    """A manager's current deputies and the colleagues they would pick from."""
    manager, today = command.actor, now.date()
    async with uow:
        rows = await uow.approvals.list_deputies(manager.id, current_on=today)
        people = {s.id: s for s in await uow.staff.list_by_ids([d.deputy_id for d in rows])}
        candidates = await _candidates(uow, manager, today)
    current = [
        DeputyItem(d.id, people[d.deputy_id].display_name, people[d.deputy_id].email, d.valid_from, d.valid_until, d.active_on(today))
        for d in rows if d.deputy_id in people
    ]
    return Deputies(current, candidates, today)


async def set_deputy(uow: UnitOfWork, command: SetDeputy, now: datetime) -> Deputy:
    """A colleague of the same entity, in service, for a period that has not ended (at most a year)."""
    manager = command.actor
    async with uow:
        if command.deputy_email:
            deputy = await uow.staff.get_by_email(command.deputy_email)
        elif command.deputy_id is not None:
            deputy = await uow.staff.get(command.deputy_id)
        else:
            raise InvalidInput("approvals.deputy_missing")
        if deputy is None:
            raise InvalidInput("approvals.deputy_unknown")
        if deputy.entity_id != manager.entity_id:
            raise InvalidInput("approvals.deputy_other_entity")
        rules.check_deputy(manager, deputy, command.valid_from, command.valid_until, now.date())
        row = await uow.approvals.add_deputy(manager.id, deputy.id, command.valid_from, command.valid_until, now)
        await uow.audit.record(f"staff:{manager.id}", "deputy.set", AUDIT_SUBJECT, row.id, None, _snapshot(row))
        await uow.commit()
    return row


async def remove_deputy(uow: UnitOfWork, command: RemoveDeputy, now: datetime) -> None:
    """A manager removes one of their own deputies; someone else's is refused."""
    manager = command.actor
    async with uow:
        deputy = await uow.approvals.get_deputy(command.deputy_row_id)
        if deputy is None:
            raise NotFound()
        if deputy.manager_id != manager.id:
            raise Forbidden("approvals.not_your_deputy")
        await uow.approvals.remove_deputy(deputy.id)
        await uow.audit.record(f"staff:{manager.id}", "deputy.removed", AUDIT_SUBJECT, deputy.id, _snapshot(deputy), None)
        await uow.commit()
