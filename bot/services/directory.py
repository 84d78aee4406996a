"""Staff directory use cases: the directory file (validated whole, then upserted in one
transaction) and the managers and departments Microsoft Graph reports.

The Graph refresh is two use cases with Graph asked in between, outside any transaction
(`bot.graph.sync_org_from_graph`): `current_org` reads who to ask, `apply_graph_org` writes the
answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.directory_import import ImportRefused, Problem, Table, check_header, parse_rows
from bot.domain.staff import StaffRecord
from bot.domain.staff_org import GraphOrg, StaffOrg, org_update
from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ImportStaff:
    table: Table
    actor: str
    # The file is the whole directory of the entities in it: who is missing from it is reported ...
    full: bool = False
    # ... and, only when asked, ended (last day in service: the day before the import).
    end_missing: bool = False


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    missing: tuple[str, ...] = ()  # e-mail addresses of staff in service missing from a full file
    ended: int = 0


async def import_staff(uow: UnitOfWork, command: ImportStaff, now: datetime) -> ImportResult:
    """Idempotent upsert keyed by aad_object_id; a single bad row refuses the whole file
    (ImportRefused with line numbers, nothing written). A move to another entity takes effect on
    the row's `effective_from`, else on the day of the import. Nobody is ever deleted: staff in
    service missing from a full file are reported, and ended only with `end_missing`."""
    actor, today = command.actor, now.date()
    problems = check_header(command.table.header)
    if problems:
        raise ImportRefused(problems)
    lines, problems = parse_rows(command.table.rows, today)
    if problems:
        raise ImportRefused(problems)
    async with uow:
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
                end_date=line.end_date, keep_end_date=not line.end_date_given,
            )
            previous = before[line.aad_object_id]
            staff_id, _ = await uow.staff.upsert(
                record, entity.id, previous["manager_id"] if previous else None, line.effective_from or today,
            )
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
        missing: list[str] = []
        ended = 0
        if command.full or command.end_missing:
            in_file = {line.aad_object_id for line in lines}
            entity_ids = {(await uow.entities.get_by_code(line.entity_code)).id for line in lines}  # type: ignore[union-attr]
            for person in await uow.staff.list_in_service(sorted(entity_ids), today):
                if person.aad_object_id in in_file:
                    continue
                missing.append(person.email)
                if command.end_missing:
                    last_day = max(person.start_date, today - timedelta(days=1))
                    await uow.staff.set_end_date(person.id, last_day)
                    await uow.audit.record(actor, "staff.ended", "staff", person.id, {"end_date": None},
                                           {"end_date": last_day.isoformat(), "reason": "missing from the directory file"})
                    ended += 1
        await uow.commit()
    return ImportResult(created, updated, unchanged, tuple(sorted(missing)), ended)


# -- managers and departments from Graph ----------------------------------------------------------
@dataclass(frozen=True)
class CurrentOrg:
    """Everyone still in service, with the manager and department the directory holds."""


async def current_org(uow: UnitOfWork, command: CurrentOrg, now: datetime) -> list[StaffOrg]:
    async with uow:
        return await uow.staff_org.list_current()


@dataclass(frozen=True)
class ApplyGraphOrg:
    # Each person as `current_org` read them, with Graph's answer (None: the look-up failed).
    answers: Sequence[tuple[StaffOrg, GraphOrg | None]]
    actor: str


@dataclass(frozen=True)
class SyncResult:
    updated: int
    unchanged: int
    failed: int
    # Managers Graph names who are not in the directory (their staff keep the manager they had).
    unknown_managers: int


async def apply_graph_org(uow: UnitOfWork, command: ApplyGraphOrg, now: datetime) -> SyncResult:
    """Write Graph's answers in one transaction, each change audited; a failed look-up leaves that
    person as they were."""
    updated = unchanged = failed = unknown = 0
    async with uow:
        named = sorted({answer.manager_aad for _, answer in command.answers if answer and answer.manager_aad})
        manager_ids = await uow.staff_org.ids_by_aad(named)
        for person, answer in command.answers:
            if answer is None:
                failed += 1
                continue
            change = org_update(person, answer, manager_ids)
            unknown += change.unknown_manager
            if (change.manager_id, change.department) == (person.manager_id, person.department):
                unchanged += 1
                continue
            await uow.staff_org.set(person.staff_id, change.manager_id, change.department)
            await uow.audit.record(
                command.actor, "staff.graph_synced", "staff", person.staff_id,
                {"manager_id": person.manager_id, "department": person.department},
                {"manager_id": change.manager_id, "department": change.department},
            )
            updated += 1
        await uow.commit()
    return SyncResult(updated, unchanged, failed, unknown)
