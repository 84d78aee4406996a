"""Staff directory import: validate the whole file, then upsert it in one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from bot.domain.directory_import import ImportRefused, Problem, check_header, parse_rows
from bot.domain.staff import StaffRecord
from bot.services.tabular import UnreadableFile, read_table
from storage.repositories.staff_org import StaffOrgRepository
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


async def read_import(
    path: Path, columns: Sequence[str] = (), *, refused: type[ImportRefused] = ImportRefused
) -> tuple[list[str], list[tuple[int, dict[str, str | None]]]]:
    """Header and rows of a CSV/XLSX import, read off the event loop. An unreadable file, or one
    without the given columns, is refused as a whole (line 1)."""
    try:
        header, rows = await asyncio.to_thread(read_table, path)
    except UnreadableFile as error:
        raise refused([Problem(1, str(error))]) from None
    missing = [column for column in columns if column not in header]
    if missing:
        raise refused([Problem(1, f"missing column(s): {', '.join(missing)}")])
    return header, rows


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


async def import_staff_file(uow_factory: UnitOfWorkFactory, path: Path, *, actor: str, today: date | None = None) -> ImportResult:
    try:
        header, rows = read_table(path)
    except UnreadableFile as error:
        raise ImportRefused([Problem(1, str(error))]) from None
    return await import_staff_rows(uow_factory, header, rows, actor=actor, today=today)


async def import_staff_rows(
    uow_factory: UnitOfWorkFactory, header: list[str], rows: list, *, actor: str, today: date | None = None
) -> ImportResult:
    """Idempotent upsert keyed by aad_object_id; a single bad row refuses the whole file."""
    problems = check_header(header)
    if problems:
        raise ImportRefused(problems)
    lines, problems = parse_rows(rows)
    if problems:
        raise ImportRefused(problems)
    today = today or date.today()
    async with uow_factory() as uow:
        file_emails = {line.email for line in lines}
        for line in lines:  # managers may be in the file or already in the directory
            if line.manager_email and line.manager_email not in file_emails and await uow.staff.get_by_email(line.manager_email) is None:
                problems.append(Problem(line.line, f"manager {line.manager_email} is neither in the file nor in the directory"))
        file_ids = {line.aad_object_id for line in lines}
        for line in lines:  # an e-mail address may only move to someone else if its owner's row changes it too
            owner = await uow.staff.get_by_email(line.email)
            if owner is not None and owner.aad_object_id != line.aad_object_id and owner.aad_object_id not in file_ids:
                problems.append(Problem(line.line, f"email {line.email} already belongs to another staff member"))
        if problems:
            raise ImportRefused(problems)
        before = {line.aad_object_id: await uow.staff.snapshot(line.aad_object_id) for line in lines}
        ids_by_email: dict[str, int] = {}
        for line in lines:
            entity, entity_created = await uow.entities.upsert(line.entity_code, line.entity_name)
            if entity_created:
                await uow.audit.record(actor, "entity.created", "entity", entity.id, None, {"code": entity.code, "name": entity.name})
            record = StaffRecord(
                aad_object_id=line.aad_object_id, email=line.email, display_name=line.display_name,
                entity_code=line.entity_code, entity_name=line.entity_name, manager_email=line.manager_email,
                start_date=line.start_date, roles=line.roles, language=line.language,
            )
            previous = before[line.aad_object_id]
            staff_id, _ = await uow.staff.upsert(record, entity.id, previous["manager_id"] if previous else None, today)
            ids_by_email[line.email] = staff_id
        for line in lines:  # second pass: a manager may come later in the file
            manager_id = None
            if line.manager_email:
                manager_id = ids_by_email.get(line.manager_email)
                if manager_id is None:
                    manager = await uow.staff.get_by_email(line.manager_email)
                    manager_id = manager.id if manager else None
            await uow.staff.set_manager(ids_by_email[line.email], manager_id)
        created = updated = unchanged = 0
        for line in lines:
            after = await uow.staff.snapshot(line.aad_object_id)
            previous = before[line.aad_object_id]
            if previous is None:
                created += 1
                await uow.audit.record(actor, "staff.created", "staff", ids_by_email[line.email], None, after)
            elif previous != after:
                updated += 1
                await uow.audit.record(actor, "staff.updated", "staff", ids_by_email[line.email], previous, after)
            else:
                unchanged += 1
        await uow.commit()
    return ImportResult(created, updated, unchanged)


class OrgLookup(Protocol):
    """What the Graph sync needs from Graph (bot.graph.GraphClient, or a fake)."""

    async def manager_and_department(self, aad_object_id: str) -> tuple[str | None, str | None]: ...


@dataclass(frozen=True)
class SyncResult:
    updated: int
    unchanged: int
    failed: int
    # Managers Graph names who are not in the directory (their staff keep the manager they had).
    unknown_managers: int


async def sync_org_from_graph(
    uow_factory: UnitOfWorkFactory, graph: OrgLookup, *, actor: str, concurrency: int = 8
) -> SyncResult:
    """Refresh every current staff member's manager and department from Graph, in one transaction.

    Graph is asked first (outside the transaction, a few requests at a time); a look-up that fails
    leaves that person as they were. A manager Graph names who is not in the directory does not
    erase the manager the directory already has."""
    async with uow_factory() as uow:
        people = await StaffOrgRepository(uow.session).list_current()
    gate = asyncio.Semaphore(concurrency)

    async def look_up(aad: str) -> tuple[str | None, str | None] | None:
        async with gate:
            try:
                return await graph.manager_and_department(aad)
            except Exception as error:  # one person's failure must not stop the others
                log.warning("Graph look-up for %s failed: %s", aad, error)
                return None

    found = await asyncio.gather(*(look_up(person.aad_object_id) for person in people))
    updated = unchanged = failed = unknown = 0
    async with uow_factory() as uow:
        org = StaffOrgRepository(uow.session)
        managers = await org.ids_by_aad(sorted({result[0] for result in found if result and result[0]}))
        for person, result in zip(people, found, strict=True):
            if result is None:
                failed += 1
                continue
            manager_aad, department = result
            manager_id = managers.get(manager_aad) if manager_aad else None
            if manager_aad and manager_id is None:
                unknown += 1
                manager_id = person.manager_id
            if manager_id == person.staff_id:
                manager_id = person.manager_id
            if (manager_id, department) == (person.manager_id, person.department):
                unchanged += 1
                continue
            await org.set(person.staff_id, manager_id, department)
            await uow.audit.record(
                actor, "staff.graph_synced", "staff", person.staff_id,
                {"manager_id": person.manager_id, "department": person.department},
                {"manager_id": manager_id, "department": department},
            )
            updated += 1
        await uow.commit()
    return SyncResult(updated, unchanged, failed, unknown)
