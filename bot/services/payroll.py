"""Use cases of the payroll export: which entities someone may export, and the export's figures
per entity and month (bot.domain.payroll). The files are written by bot.reports.payroll."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.domain.allowances import InternetMode, choice_in_month, homework_month, internet_amount, with_default
from bot.domain.calendar import Month
from bot.domain.errors import Forbidden, InvalidInput, NotFound
from bot.domain.payroll import (
    PayrollExport,
    PayrollLine,
    ThirdPartyLine,
    exportable_entities,
    latest_month,
    may_export,
)
from bot.domain.staff import Entity, Staff
from bot.services.unit_of_work import UnitOfWork

ENTITY_CODE_MAX = 32


@dataclass(frozen=True)
class PayrollEntities:
    actor: Staff


@dataclass(frozen=True)
class ExportPayroll:
    entity_code: str
    month: Month
    actor_id: int | None = None  # the staff member exporting; None for the command line, which is trusted


async def payroll_entities(uow: UnitOfWork, query: PayrollEntities, now: datetime) -> list[Entity]:
    """The entities the actor may export (admins: all; HR: their own)."""
    async with uow:
        return exportable_entities(query.actor, await uow.entities.list_all())


async def export_payroll(uow: UnitOfWork, command: ExportPayroll, now: datetime) -> PayrollExport:
    """The export's figures. It changes nothing: a new staff member's default mode (from the
    entity's go-live date) counts as the daily job will record it. Every export is audited."""
    today, month = now.date(), command.month
    if month > latest_month(today):
        raise InvalidInput("payroll.month_in_future")
    async with uow:
        actor = await uow.staff.get(command.actor_id) if command.actor_id is not None else None
        if command.actor_id is not None and actor is None:
            raise NotFound()
        entity = await uow.entities.get_by_code(command.entity_code.strip().upper()[:ENTITY_CODE_MAX])
        if entity is None:
            raise NotFound("payroll.unknown_entity", entity=command.entity_code[:ENTITY_CODE_MAX])
        if not may_export(actor, entity):
            raise Forbidden()
        policy = (await uow.entities.policy(entity.id)).allowance
        staff_ids = await uow.allowances.staff_in_service(entity.id, month)
        staff = {person.id: person for person in await uow.staff.list_by_ids(staff_ids)}
        histories = await uow.allowances.histories(staff_ids)
        days = await uow.allowances.work_days(staff_ids, month.first, month.last)
        ineligible = await uow.allowances.ineligible_on(staff_ids, month.first)
        await uow.audit.record(
            f"staff:{actor.id}" if actor else "cli", "payroll.exported", "entity", entity.id, None, {"month": str(month)},
        )
        await uow.commit()
    lines: list[PayrollLine] = []
    third_party: list[ThirdPartyLine] = []
    for staff_id in staff_ids:
        person = staff[staff_id]
        history = with_default(histories[staff_id], staff_id, person.start_date, policy)
        choice = choice_in_month(history, month) if month.last >= policy.internet_allowance_since else None
        homework = homework_month(days[staff_id], month, policy, start=person.start_date, end=person.end_date)
        lines.append(PayrollLine(
            staff_id=staff_id, email=person.email, name=person.display_name, mode=choice.mode if choice else None,
            flat_fee=internet_amount(choice, month, policy), home_days=homework.home_days,
            working_days=homework.working_days, per_week=homework.per_week, homework_allowance=homework.amount,
            not_eligible=staff_id in ineligible,
        ))
        if choice is not None and choice.mode == InternetMode.THIRD_PARTY:
            third_party.append(ThirdPartyLine(
                staff_id=staff_id, email=person.email, name=person.display_name, provider=choice.provider,
                customer_number=choice.customer_number, monthly_cost=choice.monthly_cost or Decimal("0.00"),
            ))
    return PayrollExport(entity=entity, month=month, lines=lines, third_party=third_party)
