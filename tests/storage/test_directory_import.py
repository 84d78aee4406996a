"""`import-staff`: CSV and XLSX, every kind of bad row with its line number, nothing written on
refusal, idempotent re-import, managers later in the file, entity moves kept in history, audit."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.services.directory import ImportRefused, ImportResult, ImportStaff, import_staff
from bot.tables import load_table
from storage.models.directory import AuditRow, StaffAssignmentRow, StaffRow
from storage.uow import UnitOfWorkFactory
from tests.fakes.people import HEADER, ROWS

TODAY = date(2026, 11, 22)
COLUMNS = HEADER.split(",")


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


async def import_staff_file(uow_factory: UnitOfWorkFactory, path: Path, *, actor: str, today: date) -> ImportResult:
    """What `import-staff` does: the file read into a Table, then the use case."""
    return await import_staff(uow_factory(), ImportStaff(await load_table(path), actor), datetime.combine(today, time(12), UTC))


async def count(uow_factory: UnitOfWorkFactory, model) -> int:  # noqa: ANN001
    async with uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def test_csv_import_then_idempotent_second_import(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "staff.csv", ROWS)
    first = await import_staff_file(uow_factory, path, actor="cli", today=TODAY)
    assert (first.created, first.updated, first.unchanged) == (len(ROWS), 0, 0)
    audits = await count(uow_factory, AuditRow)
    second = await import_staff_file(uow_factory, path, actor="cli", today=TODAY)
    assert (second.created, second.updated, second.unchanged) == (0, 0, len(ROWS))
    assert await count(uow_factory, StaffRow) == len(ROWS)
    assert await count(uow_factory, AuditRow) == audits  # nothing changed, nothing audited
    async with uow_factory() as uow:
        staff = await uow.staff.get_by_email("staff@vlaanderen.be")
        manager = await uow.staff.get_by_email("manager@vlaanderen.be")
        created = [(r.actor, r.subject_id) for r in await uow.audit.list_by_action("staff.created")]
        entities = [r.after["code"] for r in await uow.audit.list_by_action("entity.created")]
    assert staff is not None and manager is not None
    assert staff.manager_id == manager.id
    assert ("cli", str(staff.id)) in created and len(created) == len(ROWS)
    assert sorted(entities) == ["DV", "DWSE"]


async def test_xlsx_import_with_real_dates(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in ROWS:
        values: list[object] = row.split(",")
        values[6] = date.fromisoformat(str(values[6]))  # Excel stores dates as dates
        sheet.append(values)
    path = tmp_path / "staff.xlsx"
    workbook.save(path)
    result = await import_staff_file(uow_factory, path, actor="cli", today=TODAY)
    assert result.created == len(ROWS)
    async with uow_factory() as uow:
        colleague = await uow.staff.get_by_email("colleague@vlaanderen.be")
    assert colleague is not None
    assert (colleague.start_date, colleague.language) == (date(2026, 6, 14), "en")


async def test_manager_later_in_the_file(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "staff.csv", list(reversed(ROWS)))
    await import_staff_file(uow_factory, path, actor="cli", today=TODAY)
    async with uow_factory() as uow:
        staff = await uow.staff.get_by_email("otherstaff@vlaanderen.be")
        boss = await uow.staff.get_by_email("othermanager@vlaanderen.be")
    assert staff is not None and boss is not None and staff.manager_id == boss.id


BAD_ROWS = [
    ("aaaaaaaa-0000-0000-0000-00000000000a,,Geen Mail,DWSE,Dept,,2020-01-01,staff,nl", "empty email"),
    ("not a guid!,x@vlaanderen.be,X,DWSE,Dept,,2020-01-01,staff,nl", "aad_object_id is not an object id"),
    ("aaaaaaaa-0000-0000-0000-00000000000b,geen-mail,X,DWSE,Dept,,2020-01-01,staff,nl", "is not an e-mail address"),
    ("aaaaaaaa-0000-0000-0000-00000000000c,c@vlaanderen.be,X,DWSE,Dept,,01/02/2020,staff,nl", "is not YYYY-MM-DD"),
    ("aaaaaaaa-0000-0000-0000-00000000000d,d@vlaanderen.be,X,DWSE,Dept,,2020-01-01,staff;boss,nl", "unknown role(s): boss"),
    ("aaaaaaaa-0000-0000-0000-00000000000e,e@vlaanderen.be,X,DWSE,Dept,,2020-01-01,staff,fr", "language 'fr' is not nl or en"),
    ("aaaaaaaa-0000-0000-0000-000000000001,dup@vlaanderen.be,X,DWSE,Dept,,2020-01-01,staff,nl", "aad_object_id repeats line 2"),
    ("aaaaaaaa-0000-0000-0000-00000000000f,staff@vlaanderen.be,X,DWSE,Dept,,2020-01-01,staff,nl", "email repeats line 4"),
    ("aaaaaaaa-0000-0000-0000-000000000010,m@vlaanderen.be,X,DWSE,Dept,nobody@vlaanderen.be,2020-01-01,staff,nl", "manager nobody@vlaanderen.be is neither in the file"),
]


@pytest.mark.parametrize(("bad_row", "reason"), BAD_ROWS, ids=[reason for _, reason in BAD_ROWS])
async def test_a_bad_row_refuses_the_whole_file(uow_factory: UnitOfWorkFactory, tmp_path: Path, bad_row: str, reason: str) -> None:
    path = write_csv(tmp_path / "staff.csv", [*ROWS, bad_row])
    with pytest.raises(ImportRefused) as refused:
        await import_staff_file(uow_factory, path, actor="cli", today=TODAY)
    assert [problem.line for problem in refused.value.problems] == [len(ROWS) + 2]
    assert reason in refused.value.problems[0].reason
    assert await count(uow_factory, StaffRow) == 0
    assert await count(uow_factory, AuditRow) == 0


async def test_missing_columns_and_unreadable_files(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "staff.csv", ["a,b"], header="aad_object_id,email")
    with pytest.raises(ImportRefused, match="line 1: missing column"):
        await import_staff_file(uow_factory, path, actor="cli", today=TODAY)
    bogus = tmp_path / "staff.xlsx"
    bogus.write_bytes(b"not a workbook")
    with pytest.raises(ImportRefused, match="not a readable xlsx"):
        await import_staff_file(uow_factory, bogus, actor="cli", today=TODAY)
    assert await count(uow_factory, StaffRow) == 0


async def test_email_taken_by_someone_outside_the_file_is_refused(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    await import_staff_file(uow_factory, write_csv(tmp_path / "a.csv", ROWS), actor="cli", today=TODAY)
    newcomer = "aaaaaaaa-0000-0000-0000-000000000099,staff@vlaanderen.be,Nieuw,DWSE,Dept,,2026-01-01,staff,nl"
    with pytest.raises(ImportRefused) as refused:
        await import_staff_file(uow_factory, write_csv(tmp_path / "b.csv", [newcomer]), actor="cli", today=TODAY)
    assert refused.value.problems[0].line == 2
    assert "already belongs to another staff member" in refused.value.problems[0].reason


async def test_move_to_another_entity_keeps_history_and_is_audited(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    await import_staff_file(uow_factory, write_csv(tmp_path / "a.csv", ROWS), actor="cli", today=TODAY)
    moved = [row.replace(",DWSE,Departement Werk en Sociale Economie,manager@", ",DV,Agentschap Digitaal Vlaanderen,othermanager@")
             if row.startswith("aaaaaaaa-0000-0000-0000-000000000003") else row for row in ROWS]
    result = await import_staff_file(uow_factory, write_csv(tmp_path / "b.csv", moved), actor="hr-import", today=date(2026, 12, 1))
    assert (result.created, result.updated, result.unchanged) == (0, 1, len(ROWS) - 1)
    async with uow_factory() as uow:
        staff = await uow.staff.get_by_email("staff@vlaanderen.be")
        assert staff is not None and staff.entity_code == "DV"
        history = (await uow.session.execute(
            select(StaffAssignmentRow.entity_id, StaffAssignmentRow.valid_from, StaffAssignmentRow.valid_until)
            .where(StaffAssignmentRow.staff_id == staff.id).order_by(StaffAssignmentRow.valid_from)
        )).all()
        dwse = await uow.entities.get_by_code("DWSE")
        dv = await uow.entities.get_by_code("DV")
        updates = await uow.audit.list_by_action("staff.updated")
        audit = [(row.actor, row.before["entity_id"], row.after["entity_id"]) for row in updates]
    assert dwse is not None and dv is not None
    assert [tuple(row) for row in history] == [
        (dwse.id, date(2020, 5, 1), date(2026, 12, 1)),
        (dv.id, date(2026, 12, 1), None),
    ]
    assert audit == [("hr-import", dwse.id, dv.id)]


def test_cli_reports_line_numbers_and_writes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "cli.db"
    path = write_csv(tmp_path / "staff.csv", [*ROWS, BAD_ROWS[4][0]])
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}", "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-m", "bot"]
    assert subprocess.run([*run, "migrate"], cwd=tmp_path, env=env, capture_output=True, timeout=120, check=False).returncode == 0
    refused = subprocess.run([*run, "import-staff", str(path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert refused.returncode == 1
    assert f"line {len(ROWS) + 2}: unknown role(s): boss" in refused.stderr
    assert "nothing was written" in refused.stderr
    good = write_csv(tmp_path / "good.csv", ROWS)
    done = subprocess.run([*run, "import-staff", str(good)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert f"{len(ROWS)} created, 0 updated, 0 unchanged" in done.stdout
