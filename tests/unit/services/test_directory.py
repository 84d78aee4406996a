"""Directory use cases on the in-memory unit of work: the directory file (whole or nothing,
idempotent, audited) and Graph's managers and departments written back."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.directory_import import ImportRefused, Table
from bot.domain.staff import Role
from bot.domain.staff_org import GraphOrg, StaffOrg
from bot.services import directory as service
from bot.tables import csv_table
from tests.fakes.people import CSV, HEADER, ROWS
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


async def _import(db: FakeDatabase, table: Table, actor: str = "cli") -> service.ImportResult:
    return await service.import_staff(FakeUnitOfWork(db), service.ImportStaff(table, actor), NOW)


def _csv(rows: list[str]) -> Table:
    return csv_table("\n".join([HEADER, *rows]) + "\n")


async def test_the_directory_is_created_with_managers_then_a_second_import_changes_nothing(db: FakeDatabase) -> None:
    first = await _import(db, csv_table(CSV))
    assert (first.created, first.updated, first.unchanged) == (len(ROWS), 0, 0)
    staff = {s.email: s for s in db.table("staff").values()}
    assert staff["staff@vlaanderen.be"].manager_id == staff["manager@vlaanderen.be"].id
    assert staff["hr@vlaanderen.be"].roles == frozenset({Role.STAFF, Role.HR, Role.COACH})
    assert staff["colleague@vlaanderen.be"].language == "en"
    assert sorted(e.code for e in db.table("entities").values()) == ["DV", "DWSE"]
    assert sorted(row["after"]["code"] for row in db.audit("entity.created")) == ["DV", "DWSE"]
    assert len(db.audit("staff.created")) == len(ROWS) and {row["actor"] for row in db.audit()} == {"cli"}
    audited = len(db.audit())
    second = await _import(db, csv_table(CSV))
    assert (second.created, second.updated, second.unchanged) == (0, 0, len(ROWS))
    assert len(db.audit()) == audited
    assert db.commits == 2


async def test_a_manager_later_in_the_file_is_found(db: FakeDatabase) -> None:
    await _import(db, _csv(list(reversed(ROWS))))
    staff = {s.email: s for s in db.table("staff").values()}
    assert staff["otherstaff@vlaanderen.be"].manager_id == staff["othermanager@vlaanderen.be"].id


async def test_a_change_is_audited_with_before_and_after(db: FakeDatabase) -> None:
    await _import(db, csv_table(CSV))
    renamed = [row.replace("Stan Staff", "Stan Staf") for row in ROWS]
    result = await _import(db, _csv(renamed), actor="hr-import")
    assert (result.created, result.updated, result.unchanged) == (0, 1, len(ROWS) - 1)
    [update] = db.audit("staff.updated")
    assert (update["actor"], update["before"]["display_name"], update["after"]["display_name"]) == ("hr-import", "Stan Staff", "Stan Staf")


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        ("aaaaaaaa-0000-0000-0000-00000000000d,d@vlaanderen.be,X,DWSE,Dept,,2020-01-01,staff;boss,nl", "unknown role(s): boss"),
        ("aaaaaaaa-0000-0000-0000-000000000010,m@vlaanderen.be,X,DWSE,Dept,nobody@vlaanderen.be,2020-01-01,staff,nl",
         "manager nobody@vlaanderen.be is neither in the file nor in the directory"),
    ],
)
async def test_one_bad_row_refuses_the_whole_file(db: FakeDatabase, bad_row: str, reason: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        await _import(db, _csv([*ROWS, bad_row]))
    assert [(p.line, reason in p.reason) for p in refused.value.problems] == [(len(ROWS) + 2, True)]
    assert (db.commits, db.table("staff"), db.audit()) == (0, {}, [])


async def test_missing_columns_refuse_at_line_one(db: FakeDatabase) -> None:
    with pytest.raises(ImportRefused) as refused:
        await _import(db, Table(["aad_object_id", "email"], [(2, {"aad_object_id": "a", "email": "b"})]))
    assert refused.value.problems[0].line == 1 and "missing column(s)" in refused.value.problems[0].reason
    assert db.commits == 0


async def test_an_email_of_someone_outside_the_file_is_refused(db: FakeDatabase) -> None:
    await _import(db, csv_table(CSV))
    newcomer = "aaaaaaaa-0000-0000-0000-000000000099,staff@vlaanderen.be,Nieuw,DWSE,Dept,,2026-01-01,staff,nl"
    with pytest.raises(ImportRefused) as refused:
        await _import(db, _csv([newcomer]))
    assert [(p.line, p.reason) for p in refused.value.problems] == [(2, "email staff@vlaanderen.be already belongs to another staff member")]
    assert db.commits == 1 and len(db.table("staff")) == len(ROWS)


# -- Graph ------------------------------------------------------------------------------------------
@pytest.fixture
def org(db: FakeDatabase) -> dict:
    dirk = db.add_staff("Dirk Directeur")
    mia = db.add_staff("Mia Manager", manager=dirk)
    olaf = db.add_staff("Olaf Other")
    stan = db.add_staff("Stan Staff", manager=mia)
    db.add_staff("Greta Gone", manager=mia, end_date=date(2025, 1, 31))
    db.table("departments")[stan.id] = "Team Data"
    return {"dirk": dirk, "mia": mia, "olaf": olaf, "stan": stan}


async def test_current_org_lists_everyone_in_service(db: FakeDatabase, org: dict) -> None:
    people = await service.current_org(FakeUnitOfWork(db), service.CurrentOrg(), NOW)
    assert [(p.aad_object_id, p.manager_id, p.department) for p in people] == [
        (org["dirk"].aad_object_id, None, None), (org["mia"].aad_object_id, org["dirk"].id, None),
        (org["olaf"].aad_object_id, None, None), (org["stan"].aad_object_id, org["mia"].id, "Team Data"),
    ]


async def test_graphs_answers_are_written_and_audited(db: FakeDatabase, org: dict) -> None:
    people = {p.staff_id: p for p in await service.current_org(FakeUnitOfWork(db), service.CurrentOrg(), NOW)}
    dirk, mia, olaf, stan = (people[org[name].id] for name in ("dirk", "mia", "olaf", "stan"))
    answers: list[tuple[StaffOrg, GraphOrg | None]] = [
        (stan, GraphOrg(org["olaf"].aad_object_id, "Team Data")),  # moved to another manager
        (mia, GraphOrg("not-in-directory", "Afdeling Werk")),       # keeps her manager
        (dirk, GraphOrg(org["dirk"].aad_object_id, None)),          # named as his own manager: ignored
        (olaf, None),                                               # the look-up failed
    ]
    result = await service.apply_graph_org(FakeUnitOfWork(db), service.ApplyGraphOrg(answers, "cli:sync-graph"), NOW)
    assert result == service.SyncResult(updated=2, unchanged=1, failed=1, unknown_managers=1)
    assert db.table("staff")[stan.staff_id].manager_id == org["olaf"].id
    assert (db.table("staff")[mia.staff_id].manager_id, db.table("departments")[mia.staff_id]) == (org["dirk"].id, "Afdeling Werk")
    assert [(row["actor"], row["subject_id"], row["before"], row["after"]) for row in db.audit("staff.graph_synced")] == [
        ("cli:sync-graph", str(stan.staff_id), {"manager_id": org["mia"].id, "department": "Team Data"},
         {"manager_id": org["olaf"].id, "department": "Team Data"}),
        ("cli:sync-graph", str(mia.staff_id), {"manager_id": org["dirk"].id, "department": None},
         {"manager_id": org["dirk"].id, "department": "Afdeling Werk"}),
    ]
    assert db.commits == 1


async def test_graph_without_a_manager_clears_it_and_an_unchanged_answer_writes_nothing(db: FakeDatabase, org: dict) -> None:
    [stan] = [p for p in await service.current_org(FakeUnitOfWork(db), service.CurrentOrg(), NOW) if p.staff_id == org["stan"].id]
    same = await service.apply_graph_org(FakeUnitOfWork(db), service.ApplyGraphOrg([(stan, GraphOrg(org["mia"].aad_object_id, "Team Data"))], "t"), NOW)
    assert (same.updated, same.unchanged, db.audit()) == (0, 1, [])
    cleared = await service.apply_graph_org(FakeUnitOfWork(db), service.ApplyGraphOrg([(stan, GraphOrg(None, None))], "t"), NOW)
    assert cleared.updated == 1 and db.table("staff")[stan.staff_id].manager_id is None
