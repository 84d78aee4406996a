"""History import for the years before the bot: `python -m bot import-history KIND FILE`.

The caller reads the file (CSV or XLSX with a header row, staff identified by e-mail) into a
Table. The whole file is validated first; one bad row refuses it (with line numbers) and nothing
is written. Rows already imported are recognised, so importing the same file twice changes nothing.

registrations, ineligible and equipment are imported here; coaching, allowances and webinars
by their areas' use cases.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date, datetime
from typing import Any

from bot.domain.directory_import import ImportRefused, Problem, Table
from bot.domain.history import (
    EQUIPMENT_COLUMNS,
    INELIGIBLE_COLUMNS,
    REGISTRATION_COLUMNS,
    NewRegistration,
    StaffDates,
    parse_equipment,
    parse_ineligible,
    parse_registrations,
)
from bot.services.allowances import ImportAllowanceHistory, import_allowance_history
from bot.services.attendance import ImportWebinarHistory, import_webinar_history
from bot.services.coaching import ImportCoachingHistory, import_coaching_history
from bot.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

KINDS = ("registrations", "allowances", "webinars", "coaching", "equipment", "ineligible")
IMPORT_SOURCE = "import"
IMPORT_NOTE = "history import"


@dataclass(frozen=True)
class HistorySummary:
    kind: str
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class ImportHistory:
    kind: str
    table: Table
    actor: str


async def import_history(uow: UnitOfWork, command: ImportHistory, now: datetime) -> HistorySummary | Any:
    """Import one history file; raises ImportRefused (problems with line numbers) for a bad file."""
    kind = command.kind
    if kind == "coaching":
        return await import_coaching_history(uow, ImportCoachingHistory(command.table, command.actor), now)
    if kind == "allowances":
        return await import_allowance_history(uow, ImportAllowanceHistory(command.table, command.actor), now)
    if kind == "webinars":
        # Session starts written without an offset are read in the service's zone (that of now).
        return await import_webinar_history(uow, ImportWebinarHistory(command.table, command.actor, now.tzinfo), now)
    importer = _IMPORTERS.get(kind)
    if importer is None:
        raise ImportRefused([Problem(0, f"unknown kind {kind!r}; one of {', '.join(KINDS)}")])
    summary = await importer(uow, command.table, now.date(), command.actor)
    log.info("history %s: %s", kind, summary)
    return summary


def describe(summary: Any) -> str:
    """One line for the command line, whatever the area's summary looks like."""
    values = asdict(summary) if is_dataclass(summary) and not isinstance(summary, type) else {"result": summary}
    return ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in values.items() if key != "kind")


def _check_staff(line_no: int, email: str, day: date, staff: dict[str, StaffDates], problems: list[Problem]) -> StaffDates | None:
    person = staff.get(email)
    if person is None:
        problems.append(Problem(line_no, f"{email} is not in the staff directory"))
        return None
    if not person.in_service_on(day):
        problems.append(Problem(line_no, f"{email} was not in service on {day.isoformat()}"))
        return None
    return person


def _refuse_if(problems: list[Problem]) -> None:
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: p.line))


async def _audit(uow: UnitOfWork, summary: HistorySummary, actor: str) -> None:
    await uow.audit.record(actor, "history.imported", "history", summary.kind, None, asdict(summary))


async def _registrations(uow: UnitOfWork, table: Table, today: date, actor: str) -> HistorySummary:
    lines, problems = parse_registrations(table.require(REGISTRATION_COLUMNS), today)
    _refuse_if(problems)
    async with uow:
        staff = await uow.history.staff_by_email(line.email for line in lines)
        wanted = []
        for line in lines:
            person = _check_staff(line.line, line.email, line.day, staff, problems)
            if person is not None:
                wanted.append((line, person.id))
        _refuse_if(problems)
        existing = {}
        if wanted:
            days = [line.day for line, _ in wanted]
            existing = await uow.history.registrations([staff_id for _, staff_id in wanted], min(days), max(days))
        new, changed, unchanged = [], [], 0
        for line, staff_id in wanted:
            known = existing.get((staff_id, line.day))
            if known is None:
                new.append(NewRegistration(staff_id, line.day, line.place, line.part))
            elif (known.place, known.part) == (line.place, line.part):
                unchanged += 1
            elif known.source != IMPORT_SOURCE:
                problems.append(Problem(line.line, f"{line.email} registered {known.place} ({known.part}) on {line.day.isoformat()} "
                                                   "in the bot; the bot's registration is kept"))
            else:
                changed.append((known.id, line))
        _refuse_if(problems)
        await uow.history.add_registrations(new, IMPORT_SOURCE)
        for registration_id, line in changed:
            await uow.history.correct_registration(registration_id, line.place, line.part)
        summary = HistorySummary("registrations", len(new), len(changed), unchanged)
        await _audit(uow, summary, actor)
        await uow.commit()
    return summary


async def _ineligible(uow: UnitOfWork, table: Table, today: date, actor: str) -> HistorySummary:
    lines, problems = parse_ineligible(table.require(INELIGIBLE_COLUMNS))
    _refuse_if(problems)
    async with uow:
        staff = await uow.history.staff_by_email(line.email for line in lines)
        checked = []
        for line in lines:
            person = staff.get(line.email)
            if person is None:
                problems.append(Problem(line.line, f"{line.email} is not in the staff directory"))
            else:
                checked.append((line, person.id))
        _refuse_if(problems)
        created = updated = unchanged = 0
        for line, staff_id in checked:
            known = await uow.history.ineligibility(staff_id, line.reason, line.valid_from)
            if known is None:
                await uow.history.add_ineligibility(staff_id, line.reason, line.valid_from, line.valid_until, IMPORT_NOTE)
                created += 1
            elif known.valid_until == line.valid_until:
                unchanged += 1
            else:
                await uow.history.set_ineligible_until(known.id, line.valid_until)
                updated += 1
        summary = HistorySummary("ineligible", created, updated, unchanged)
        await _audit(uow, summary, actor)
        await uow.commit()
    return summary


async def _equipment(uow: UnitOfWork, table: Table, today: date, actor: str) -> HistorySummary:
    """Past deliveries as delivered requests of one line each, the item looked up by code in the
    catalogue of the entity the staff member belonged to on the delivery day."""
    lines, problems = parse_equipment(table.require(EQUIPMENT_COLUMNS), today)
    _refuse_if(problems)
    async with uow:
        staff = await uow.history.staff_by_email(line.email for line in lines)
        resolved = []
        for line in lines:
            person = _check_staff(line.line, line.email, line.delivered_on, staff, problems)
            if person is None:
                continue
            entity_id = await uow.history.entity_on(person.id, line.delivered_on)
            item = await uow.history.catalogue_item(entity_id, line.item_code)
            if item is None:
                problems.append(Problem(line.line, f"item {line.item_code!r} is not in the catalogue of {line.email}'s entity"))
                continue
            resolved.append((line, person.id, entity_id, item))
        _refuse_if(problems)
        created = unchanged = 0
        for line, staff_id, entity_id, item in resolved:
            if await uow.history.has_delivery(staff_id, line.delivered_on, item.id, IMPORT_NOTE):
                unchanged += 1
                continue
            await uow.history.add_delivery(staff_id, entity_id, line.delivered_on, item, line.unit_price, IMPORT_NOTE)
            created += 1
        summary = HistorySummary("equipment", created, 0, unchanged)
        await _audit(uow, summary, actor)
        await uow.commit()
    return summary


_IMPORTERS: dict[str, Callable[[UnitOfWork, Table, date, str], Awaitable[HistorySummary]]] = {
    "registrations": _registrations,
    "ineligible": _ineligible,
    "equipment": _equipment,
}
