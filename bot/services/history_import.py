"""History import for the years before the bot: `python -m bot import-history KIND FILE`.

Every kind reads a CSV (or XLSX) with a header row, staff identified by e-mail. The whole file is
validated first; one bad row refuses it (with line numbers) and nothing is written. Rows already
imported are recognised, so importing the same file twice changes nothing.

registrations, ineligible and equipment are imported here; allowances, webinars and coaching
belong to their areas' services, which this module calls.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update

from bot.domain.reports import (
    EQUIPMENT_COLUMNS,
    INELIGIBLE_COLUMNS,
    REGISTRATION_COLUMNS,
    Problem,
    missing_columns,
    parse_equipment,
    parse_ineligible,
    parse_registrations,
)
from bot.services.directory import ImportRefused, read_import
from bot.services.tabular import load_table
from storage.models.directory import StaffAssignmentRow, StaffRow
from storage.models.equipment import EquipmentItemRow, EquipmentRequestLineRow, EquipmentRequestRow
from storage.models.homework import IneligibilityRow, WorkRegistrationRow
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

KINDS = ("registrations", "allowances", "webinars", "coaching", "equipment", "ineligible")
IMPORT_SOURCE = "import"
IMPORT_NOTE = "history import"
CHUNK = 5000


@dataclass(frozen=True)
class HistorySummary:
    kind: str
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class _StaffDates:
    id: int
    start_date: date
    end_date: date | None


async def import_history(
    uow_factory: UnitOfWorkFactory, kind: str, path: Path, *, actor: str, today: date
) -> HistorySummary | Any:
    """Import one history file; raises ImportRefused (problems with line numbers) for a bad file."""
    if kind not in KINDS:
        raise ImportRefused([Problem(0, f"unknown kind {kind!r}; one of {', '.join(KINDS)}")])
    if kind == "coaching":
        from bot.services.coaching import ImportCoachingHistory, import_coaching_history

        table = await load_table(path)
        return await import_coaching_history(uow_factory(), ImportCoachingHistory(table, actor), datetime.now(UTC))
    if kind == "allowances":
        from bot.services.allowances import ImportAllowanceHistory, import_allowance_history

        table = await load_table(path)
        return await import_allowance_history(uow_factory(), ImportAllowanceHistory(table, actor), datetime.now(UTC))
    if kind == "webinars":
        from bot.clock import SystemClock
        from bot.services.attendance import ImportWebinarHistory, import_webinar_history

        table = await load_table(path)
        now = SystemClock().now()  # session starts without an offset are read in the clock's zone
        return await import_webinar_history(uow_factory(), ImportWebinarHistory(table, actor, now.tzinfo), now)
    header, rows = await read_import(path)
    importer = {"registrations": _registrations, "ineligible": _ineligible, "equipment": _equipment}[kind]
    summary = await importer(uow_factory, header, rows, today, actor)
    log.info("history %s from %s: %s", kind, path.name, summary)
    return summary


def describe(summary: Any) -> str:
    """One line for the command line, whatever the area's summary looks like."""
    values = asdict(summary) if is_dataclass(summary) and not isinstance(summary, type) else {"result": summary}
    return ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in values.items() if key != "kind")


async def _staff_by_email(uow: UnitOfWork, emails: Iterable[str]) -> dict[str, _StaffDates]:
    found: dict[str, _StaffDates] = {}
    wanted = sorted(set(emails))
    for i in range(0, len(wanted), CHUNK):
        rows = await uow.session.execute(
            select(func.lower(StaffRow.email), StaffRow.id, StaffRow.start_date, StaffRow.end_date)
            .where(func.lower(StaffRow.email).in_(wanted[i : i + CHUNK]))
        )
        for email, staff_id, start, end in rows:
            found[email] = _StaffDates(staff_id, start, end)
    return found


def _check_staff(line_no: int, email: str, day: date, staff: dict[str, _StaffDates], problems: list[Problem]) -> _StaffDates | None:
    person = staff.get(email)
    if person is None:
        problems.append(Problem(line_no, f"{email} is not in the staff directory"))
        return None
    if day < person.start_date or (person.end_date is not None and day > person.end_date):
        problems.append(Problem(line_no, f"{email} was not in service on {day.isoformat()}"))
        return None
    return person


def _refuse_if(problems: list[Problem]) -> None:
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: p.line))


async def _audit(uow: UnitOfWork, kind: str, summary: HistorySummary, actor: str) -> None:
    await uow.audit.record(actor, "history.imported", "history", kind, None, asdict(summary))


async def _registrations(
    uow_factory: UnitOfWorkFactory, header: list[str], rows: list, today: date, actor: str
) -> HistorySummary:
    _refuse_if(missing_columns(header, REGISTRATION_COLUMNS))
    lines, problems = parse_registrations(rows, today)
    _refuse_if(problems)
    async with uow_factory() as uow:
        staff = await _staff_by_email(uow, (line.email for line in lines))
        wanted = []
        for line in lines:
            person = _check_staff(line.line, line.email, line.day, staff, problems)
            if person is not None:
                wanted.append((line, person.id))
        _refuse_if(problems)
        existing: dict[tuple[int, date], tuple[int, str, str, str]] = {}
        ids = sorted({staff_id for _, staff_id in wanted})
        if wanted:
            first, last = min(line.day for line, _ in wanted), max(line.day for line, _ in wanted)
            for i in range(0, len(ids), CHUNK):
                for row in await uow.session.execute(
                    select(WorkRegistrationRow.id, WorkRegistrationRow.staff_id, WorkRegistrationRow.day,
                           WorkRegistrationRow.place, WorkRegistrationRow.part, WorkRegistrationRow.source)
                    .where(WorkRegistrationRow.staff_id.in_(ids[i : i + CHUNK]), WorkRegistrationRow.day.between(first, last))
                ):
                    existing[(row.staff_id, row.day)] = (row.id, row.place, row.part, row.source)
        new, changed, unchanged = [], [], 0
        for line, staff_id in wanted:
            known = existing.get((staff_id, line.day))
            if known is None:
                new.append({"staff_id": staff_id, "day": line.day, "place": line.place, "part": line.part,
                            "status": "registered", "source": IMPORT_SOURCE})
            elif (known[1], known[2]) == (line.place, line.part):
                unchanged += 1
            elif known[3] != IMPORT_SOURCE:
                problems.append(Problem(line.line, f"{line.email} registered {known[1]} ({known[2]}) on {line.day.isoformat()} in the bot; "
                                                   "the bot's registration is kept"))
            else:
                changed.append((known[0], line))
        _refuse_if(problems)
        for i in range(0, len(new), CHUNK):
            await uow.session.execute(insert(WorkRegistrationRow), new[i : i + CHUNK])
        for registration_id, line in changed:
            await uow.session.execute(
                update(WorkRegistrationRow).where(WorkRegistrationRow.id == registration_id).values(place=line.place, part=line.part)
            )
        summary = HistorySummary("registrations", len(new), len(changed), unchanged)
        await _audit(uow, "registrations", summary, actor)
        await uow.commit()
    return summary


async def _ineligible(
    uow_factory: UnitOfWorkFactory, header: list[str], rows: list, today: date, actor: str
) -> HistorySummary:
    _refuse_if(missing_columns(header, INELIGIBLE_COLUMNS))
    lines, problems = parse_ineligible(rows)
    _refuse_if(problems)
    async with uow_factory() as uow:
        staff = await _staff_by_email(uow, (line.email for line in lines))
        created = updated = unchanged = 0
        checked = []
        for line in lines:
            person = staff.get(line.email)
            if person is None:
                problems.append(Problem(line.line, f"{line.email} is not in the staff directory"))
            else:
                checked.append((line, person.id))
        _refuse_if(problems)
        for line, staff_id in checked:
            row = await uow.session.scalar(
                select(IneligibilityRow).where(
                    IneligibilityRow.staff_id == staff_id, IneligibilityRow.reason == line.reason,
                    IneligibilityRow.valid_from == line.valid_from,
                )
            )
            if row is None:
                uow.session.add(IneligibilityRow(staff_id=staff_id, reason=line.reason, note=IMPORT_NOTE,
                                                 valid_from=line.valid_from, valid_until=line.valid_until))
                created += 1
            elif row.valid_until == line.valid_until:
                unchanged += 1
            else:
                row.valid_until = line.valid_until
                updated += 1
        summary = HistorySummary("ineligible", created, updated, unchanged)
        await _audit(uow, "ineligible", summary, actor)
        await uow.commit()
    return summary


async def _equipment(
    uow_factory: UnitOfWorkFactory, header: list[str], rows: list, today: date, actor: str
) -> HistorySummary:
    """Past deliveries as delivered requests of one line each, the item looked up by code in the
    catalogue of the entity the staff member belonged to on the delivery day."""
    _refuse_if(missing_columns(header, EQUIPMENT_COLUMNS))
    lines, problems = parse_equipment(rows, today)
    _refuse_if(problems)
    async with uow_factory() as uow:
        staff = await _staff_by_email(uow, (line.email for line in lines))
        resolved = []
        for line in lines:
            person = _check_staff(line.line, line.email, line.delivered_on, staff, problems)
            if person is None:
                continue
            entity_id = await uow.session.scalar(
                select(StaffAssignmentRow.entity_id).where(
                    StaffAssignmentRow.staff_id == person.id, StaffAssignmentRow.valid_from <= line.delivered_on,
                    or_(StaffAssignmentRow.valid_until.is_(None), StaffAssignmentRow.valid_until > line.delivered_on),
                ).order_by(StaffAssignmentRow.valid_from.desc()).limit(1)
            ) or await uow.session.scalar(select(StaffRow.entity_id).where(StaffRow.id == person.id))
            item = (await uow.session.execute(
                select(EquipmentItemRow.id, EquipmentItemRow.category_id).where(
                    EquipmentItemRow.entity_id == entity_id, func.lower(EquipmentItemRow.code) == line.item_code.lower()
                )
            )).first()
            if item is None:
                problems.append(Problem(line.line, f"item {line.item_code!r} is not in the catalogue of {line.email}'s entity"))
                continue
            resolved.append((line, person.id, entity_id, item.id, item.category_id))
        _refuse_if(problems)
        created = unchanged = 0
        for line, staff_id, entity_id, item_id, category_id in resolved:
            known = await uow.session.scalar(
                select(EquipmentRequestRow.id)
                .join(EquipmentRequestLineRow, EquipmentRequestLineRow.request_id == EquipmentRequestRow.id)
                .where(and_(EquipmentRequestRow.staff_id == staff_id, EquipmentRequestRow.delivered_on == line.delivered_on,
                            EquipmentRequestRow.note == IMPORT_NOTE, EquipmentRequestLineRow.item_id == item_id))
                .limit(1)
            )
            if known is not None:
                unchanged += 1
                continue
            request = EquipmentRequestRow(
                staff_id=staff_id, entity_id=entity_id, status="delivered", delivery="office", requested_on=line.delivered_on,
                delivered_on=line.delivered_on, note=IMPORT_NOTE,
            )
            uow.session.add(request)
            await uow.session.flush()
            uow.session.add(EquipmentRequestLineRow(request_id=request.id, item_id=item_id, category_id=category_id,
                                                    quantity=1, unit_price=line.unit_price))
            created += 1
        summary = HistorySummary("equipment", created, 0, unchanged)
        await _audit(uow, "equipment", summary, actor)
        await uow.commit()
    return summary
