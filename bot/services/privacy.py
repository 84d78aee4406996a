"""Privacy use cases: a staff member's own data (rendered as a file by bot/reports/personal_export.py),
and what their line manager can see about them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain import privacy as rules
from bot.domain.errors import NotFound
from bot.domain.privacy import PersonalExport
from bot.domain.staff import Staff
from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ExportPersonalData:
    actor: Staff


async def export_personal_data(uow: UnitOfWork, command: ExportPersonalData, now: datetime) -> PersonalExport:
    """Everything held about the actor, in one transaction; the export is audited."""
    staff = command.actor
    async with uow:
        export = await uow.privacy.export_person(staff.id)
        if export is None:
            raise NotFound()
        await uow.audit.record(
            f"staff:{staff.id}", "privacy.exported", "staff", staff.id, None, {"at": now.isoformat(), "tables": sorted(export.tables)}
        )
        await uow.commit()
    return export


@dataclass(frozen=True)
class WhatMyManagerSees:
    actor: Staff


async def manager_view(uow: UnitOfWork, command: WhatMyManagerSees, now: datetime) -> rules.ManagerView:
    """Who the actor's manager is (and any deputy today), with what they can see."""
    staff = command.actor
    async with uow:
        manager = await uow.staff.get(staff.manager_id) if staff.manager_id else None
        deputies = await uow.privacy.deputies_on(manager.id, now.date()) if manager else []
    return rules.manager_view(manager.display_name if manager else None, tuple(deputies))
