"""History import for the years before the bot: `python -m bot import-history KIND FILE`.

The caller reads the file (CSV or XLSX with a header row, staff identified by e-mail) into a
Table. The whole file is validated first; one bad row refuses it (with line numbers) and nothing
is written. Rows already imported are recognised, so importing the same file twice changes nothing.

registrations, ineligible, equipment and assignments (the entity history) are imported here;
coaching, allowances and webinars by their areas' use cases. The columns of every kind are listed
in docs/history-import.md.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.domain.directory_import import ImportRefused, Problem, Table
from bot.domain.history import (
    ASSIGNMENT_COLUMNS,
    EQUIPMENT_COLUMNS,
    INELIGIBLE_COLUMNS,
    REGISTRATION_COLUMNS,
    AssignmentLine,
    AssignmentPeriod,
    NewRegistration,
    StaffDates,
    merge_periods,
    parse_assignments,
    parse_equipment,
    parse_ineligible,
    parse_registrations,
)
from bot.services.allowances import ImportAllowanceHistory, import_allowance_history
from bot.services.attendance import ImportWebinarHistory, import_webinar_history
from bot.services.coaching import ImportCoachingHistory, import_coaching_history
from bot.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
ONE_DAY = timedelta(days=1)

KINDS = ("registrations", "allowances", "webinars", "coaching", "equipment", "ineligible", "assignments")
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
                new.append(NewRegistration(staff_id, line.day, line.place, line.part, line.status))
            elif (known.place, known.part, known.status) == (line.place, line.part, line.status):
                unchanged += 1
            elif known.source != IMPORT_SOURCE:
                problems.append(Problem(line.line, f"{line.email} registered {known.place} ({known.part}) on {line.day.isoformat()} "
                                                   "in the bot; the bot's registration is kept"))
            else:
                changed.append((known.id, line))
        _refuse_if(problems)
        await uow.history.add_registrations(new, IMPORT_SOURCE)
        for registration_id, line in changed:
            await uow.history.correct_registration(registration_id, line.place, line.part, line.status)
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
    """Past requests of one line each (a quantity of one item), delivered or not, the item looked
    up by code in the catalogue of the entity the staff member belonged to on the day requested.
    A request is recognised by (person, item, day requested): importing it again with a later
    status (ordered, then delivered) updates it, audited."""
    lines, problems = parse_equipment(table.require(EQUIPMENT_COLUMNS), today)
    _refuse_if(problems)
    async with uow:
        staff = await uow.history.staff_by_email(line.email for line in lines)
        resolved = []
        for line in lines:
            person = _check_staff(line.line, line.email, line.requested, staff, problems)
            if person is None:
                continue
            if line.delivered_on is not None and not person.in_service_on(line.delivered_on):
                problems.append(Problem(line.line, f"{line.email} was not in service on {line.delivered_on.isoformat()}"))
                continue
            entity_id = await uow.history.entity_on(person.id, line.requested)
            item = await uow.history.catalogue_item(entity_id, line.item_code)
            if item is None:
                problems.append(Problem(line.line, f"item {line.item_code!r} is not in the catalogue of {line.email}'s entity"))
                continue
            resolved.append((line, person.id, entity_id, item))
        _refuse_if(problems)
        created = updated = unchanged = 0
        for line, staff_id, entity_id, item in resolved:
            known = await uow.history.imported_request(staff_id, line.requested, item.id, IMPORT_NOTE)
            wanted = (line.status, line.delivered_on, line.quantity, line.unit_price)
            if known is None:
                await uow.history.add_request(staff_id, entity_id, line, item, IMPORT_NOTE)
                created += 1
            elif (known.status, known.delivered_on, known.quantity, known.unit_price) == wanted:
                unchanged += 1
            else:
                await uow.history.correct_request(known.id, line)
                await uow.audit.record(
                    actor, "history.equipment_corrected", "equipment_request", known.id,
                    _request_snapshot(known.status, known.delivered_on, known.quantity, known.unit_price),
                    _request_snapshot(*wanted),
                )
                updated += 1
        summary = HistorySummary("equipment", created, updated, unchanged)
        await _audit(uow, summary, actor)
        await uow.commit()
    return summary


def _request_snapshot(status: str, delivered_on: date | None, quantity: int, unit_price: Decimal) -> dict[str, Any]:
    return {"status": status, "delivered_on": delivered_on.isoformat() if delivered_on else None, "quantity": quantity,
            "unit_price": str(unit_price)}


async def _assignments(uow: UnitOfWork, table: Table, today: date, actor: str) -> HistorySummary:
    """The entity history (email, entity_code, from, until: the last day, inclusive; empty while
    current). For each person in the file the file is their history up to their current entity:
    the stored periods are replaced by the file's, and after the file's last period the person
    belongs to the entity the staff directory gives them. An open-ended period must therefore be
    in that entity."""
    lines, problems = parse_assignments(table.require(ASSIGNMENT_COLUMNS))
    _refuse_if(problems)
    async with uow:
        staff = await uow.history.staff_by_email(line.email for line in lines)
        entities = await uow.history.entity_ids({line.entity_code for line in lines})
        for line in lines:
            if line.email not in staff:
                problems.append(Problem(line.line, f"{line.email} is not in the staff directory"))
            elif line.entity_code not in entities:
                problems.append(Problem(line.line, f"entity {line.entity_code} is not known (import the staff directory first)"))
        _refuse_if(problems)
        by_person: dict[int, list[AssignmentLine]] = {}
        for line in lines:
            by_person.setdefault(staff[line.email].id, []).append(line)
        changes: list[tuple[int, list[AssignmentPeriod], list[AssignmentPeriod]]] = []
        unchanged = 0
        for staff_id, periods in by_person.items():
            current_entity = await uow.history.current_entity(staff_id)
            periods.sort(key=lambda period: period.valid_from)
            wanted = [
                AssignmentPeriod(entities[p.entity_code], p.valid_from, p.valid_until + ONE_DAY if p.valid_until else None)
                for p in periods
            ]
            last = wanted[-1]
            if last.valid_until is None and last.entity_id != current_entity:
                problems.append(Problem(periods[-1].line, f"{periods[-1].email} is in another entity than "
                                                          f"{periods[-1].entity_code} according to the staff directory"))
                continue
            if last.valid_until is not None:
                wanted.append(AssignmentPeriod(current_entity, last.valid_until, None))
            wanted = merge_periods(wanted)
            stored = await uow.history.assignments(staff_id)
            if stored == wanted:
                unchanged += 1
            else:
                changes.append((staff_id, stored, wanted))
        _refuse_if(problems)
        for staff_id, stored, wanted in changes:
            await uow.history.replace_assignments(staff_id, wanted)
            await uow.audit.record(actor, "history.assignments_replaced", "staff", staff_id,
                                   {"assignments": [p.as_json() for p in stored]}, {"assignments": [p.as_json() for p in wanted]})
        summary = HistorySummary("assignments", 0, len(changes), unchanged)
        await _audit(uow, summary, actor)
        await uow.commit()
    return summary


_IMPORTERS: dict[str, Callable[[UnitOfWork, Table, date, str], Awaitable[HistorySummary]]] = {
    "registrations": _registrations,
    "ineligible": _ineligible,
    "equipment": _equipment,
    "assignments": _assignments,
}
