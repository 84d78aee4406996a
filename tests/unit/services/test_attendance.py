"""Attendance from a Teams report and the participation history, on the in-memory unit of work:
the whole file refused with line numbers, nothing half-written, a second import a no-op."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.attendance_files import read_attendance_report
from bot.domain.directory_import import ImportRefused, Table
from bot.domain.errors import Forbidden, NotFound
from bot.domain.staff import Role
from bot.domain.webinars import RegistrationStatus, SessionDraft, TargetGroup, WebinarDraft, WebinarStatus
from bot.services import attendance as service
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

ZONE = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)

REPORT = [
    ["1. Summary"], ["Meeting title", "Focus @ home"], ["Attended participants", "3"], [],
    ["2. Participants"],
    ["Name", "First Join", "Last Leave", "Email", "Participant ID (UPN)", "Role"],
    ["Stan Staff", "9:58", "11:01", "Stan.Staff@vlaanderen.be", "stan.staff@vlaanderen.be", "Attendee"],
    ["Gast Persoon", "10:00", "10:30", "", "", "Attendee"],
    ["Olga Other", "10:00", "10:30", "olga.other@vlaanderen.be", "olga.other@vlaanderen.be", "Attendee"],
    [],
    ["3. In-Meeting Activities"],
    ["Name", "Join Time", "Leave Time", "Email", "Role"],
    ["Cato Collega", "10:00", "10:10", "cato.collega@vlaanderen.be", "Attendee"],
]


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def people(db: FakeDatabase) -> dict:
    return {
        "hilde": db.add_staff("Hilde HR", roles=(Role.HR,)),
        "stan": db.add_staff("Stan Staff"),
        "cato": db.add_staff("Cato Collega"),
        "olga": db.add_staff("Olga Other"),
        "mia": db.add_staff("Mia Manager", roles=(Role.MANAGER,)),
    }


async def seated_session(db: FakeDatabase, *people) -> tuple[int, dict[str, int]]:  # noqa: ANN002
    repository = FakeUnitOfWork(db).webinars
    draft = WebinarDraft("Focus @ home", "Focus @ home", "", "", TargetGroup.ALL, sessions=(
        SessionDraft(NOW - timedelta(days=1), NOW - timedelta(days=1) + timedelta(hours=1), 10, "https://teams.example/j"),))
    webinar_id = await repository.add(draft, [], WebinarStatus.PUBLISHED, None)
    session_id = (await repository.get(webinar_id)).sessions[0].id
    registrations = {}
    for person in people:
        registration = await repository.add_registration(webinar_id, session_id, person.id, RegistrationStatus.SEATED, NOW - timedelta(days=5))
        registrations[person.display_name] = registration.id
    return session_id, registrations


async def marks(db: FakeDatabase, session_id: int) -> dict[str, bool | None]:
    return {p.display_name: p.attended for p in await FakeUnitOfWork(db).webinars.participants(session_id)}


def test_the_participant_table_is_found_after_the_summary_and_ends_at_the_next_section() -> None:
    table = service.attendance_table(REPORT)
    assert table.header[:2] == ["name", "first join"]
    assert [line for line, _ in table.rows] == [7, 8, 9]
    lines, without_email = service.parse_attendance_rows(table)
    assert [(line.line, line.name, line.email) for line in lines] == [
        (7, "Stan Staff", "stan.staff@vlaanderen.be"), (9, "Olga Other", "olga.other@vlaanderen.be"),
    ]
    assert without_email == 1
    with pytest.raises(ImportRefused) as refused:
        service.attendance_table([["Meeting Summary"], ["no", "participants"]])
    assert [p.line for p in refused.value.problems] == [1]


def test_malformed_rows_are_refused_with_their_lines() -> None:
    rows = [*REPORT[:6], ["Stan Staff", "9:58"], ["Olga Other", "10:00", "10:30", "not-an-address", "", "Attendee"]]
    with pytest.raises(ImportRefused) as refused:
        service.parse_attendance_rows(service.attendance_table(rows))
    assert [(p.line, p.reason) for p in refused.value.problems] == [
        (7, "expected at least 4 columns, found 2"), (8, "'not-an-address' is not an e-mail address"),
    ]


def test_a_report_is_read_from_a_utf16_tab_separated_file(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes("\n".join("\t".join(row) for row in REPORT).encode("utf-16"))
    table = read_attendance_report(path)
    assert [row["email"] for _, row in table.rows] == ["Stan.Staff@vlaanderen.be", "", "olga.other@vlaanderen.be"]
    with pytest.raises(ImportRefused) as refused:
        read_attendance_report(tmp_path / "missing.csv")
    assert [p.line for p in refused.value.problems] == [1]


async def test_the_report_marks_the_seated_and_lists_who_was_not_signed_up(db: FakeDatabase, people: dict) -> None:
    session_id, registrations = await seated_session(db, people["stan"], people["cato"])
    command = service.ImportAttendance(session_id, service.attendance_table(REPORT), people["hilde"], source="report.csv")
    result = await service.import_attendance(FakeUnitOfWork(db), command, NOW)
    assert (result.attended, result.absent, result.unknown_emails, result.without_email) == (1, 1, ("olga.other@vlaanderen.be",), 1)
    assert await marks(db, session_id) == {"Stan Staff": True, "Cato Collega": False}
    audits = db.audit("webinar.attendance")
    assert sorted((a["subject_id"], a["after"]["attended"]) for a in audits) == [
        (str(registrations["Stan Staff"]), True), (str(registrations["Cato Collega"]), False),
    ]
    assert {a["actor"] for a in audits} == {f"staff:{people['hilde'].id}"} and audits[0]["after"]["source"] == "report.csv"

    again = await service.import_attendance(FakeUnitOfWork(db), command, NOW)
    assert again == result and len(db.audit("webinar.attendance")) == 2  # nothing changed, nothing audited


async def test_attendance_refusals_write_nothing(db: FakeDatabase, people: dict) -> None:
    session_id, _ = await seated_session(db, people["stan"])
    table = service.attendance_table(REPORT)
    before = (db.commits, len(db.audit()), repr(db.state.get("webinar_registrations")))
    with pytest.raises(Forbidden):
        await service.import_attendance(FakeUnitOfWork(db), service.ImportAttendance(session_id, table, people["stan"]), NOW)
    with pytest.raises(NotFound):
        await service.import_attendance(FakeUnitOfWork(db), service.ImportAttendance(999, table, "cli"), NOW)
    broken = service.attendance_table([*REPORT[:6], ["Stan Staff", "", "", "x@", "", ""]])
    with pytest.raises(ImportRefused):
        await service.import_attendance(FakeUnitOfWork(db), service.ImportAttendance(session_id, broken, "cli"), NOW)
    assert (db.commits, len(db.audit()), repr(db.state.get("webinar_registrations"))) == before
    assert await marks(db, session_id) == {"Stan Staff": None}


# -- history ---------------------------------------------------------------------------------------
HEADER = ["webinar_title", "target_group", "session_start", "email", "attended"]


def history(*rows: tuple[str, ...]) -> Table:
    return Table(HEADER, [(line, dict(zip(HEADER, row, strict=True))) for line, row in enumerate(rows, start=2)])


GOOD = (
    ("Corona care", "all", "2021-03-04T10:00", "stan.staff@vlaanderen.be", "yes"),
    ("Corona care", "all", "2021-03-04T10:00", "cato.collega@vlaanderen.be", "nee"),
    ("Leidinggeven op afstand", "managers", "2021-05-06 14:00", "mia.manager@vlaanderen.be", "ja"),
)


async def import_history(db: FakeDatabase, table: Table) -> service.HistoryResult:
    return await service.import_webinar_history(FakeUnitOfWork(db), service.ImportWebinarHistory(table, "test", ZONE), NOW)


async def test_history_creates_webinars_sessions_and_registrations_once(db: FakeDatabase, people: dict) -> None:
    first = await import_history(db, history(*GOOD))
    assert first == service.HistoryResult(webinars_created=2, sessions_created=2, registrations_created=3, unchanged=0)
    assert await import_history(db, history(*GOOD)) == service.HistoryResult(0, 0, 0, 3)
    uow = FakeUnitOfWork(db)
    corona = await uow.webinars.get_by_title("corona care")
    assert corona.target_group is TargetGroup.ALL and corona.status is WebinarStatus.PUBLISHED
    # A start without an offset is local time in the command's zone (10:00 in Brussels in March).
    assert corona.sessions[0].starts_at == datetime(2021, 3, 4, 9, 0, tzinfo=UTC)
    assert corona.sessions[0].seats_taken == 2
    assert await marks(db, corona.sessions[0].id) == {"Cato Collega": False, "Stan Staff": True}
    leading = await uow.webinars.get_by_title("Leidinggeven op afstand")
    assert leading.target_group is TargetGroup.MANAGERS and leading.sessions[0].starts_at == datetime(2021, 5, 6, 12, 0, tzinfo=UTC)
    assert [a["action"] for a in db.audit()].count("webinar.registration_imported") == 3


async def test_a_bad_history_file_is_refused_whole(db: FakeDatabase, people: dict) -> None:
    bad = history(*GOOD, ("", "everyone", "yesterday", "nobody", "maybe"), ("Corona care", "all", "2021-03-04T10:00", "ghost@vlaanderen.be", "yes"))
    with pytest.raises(ImportRefused) as refused:
        await import_history(db, bad)
    assert [p.line for p in refused.value.problems] == [5]  # row checks first; the directory follows
    assert refused.value.problems[0].reason.count(";") == 4  # all five fields named at once
    with pytest.raises(ImportRefused) as refused:
        await import_history(db, history(*GOOD, ("Corona care", "all", "2021-03-04T10:00", "ghost@vlaanderen.be", "yes")))
    assert [(p.line, p.reason) for p in refused.value.problems] == [(5, "ghost@vlaanderen.be is not in the staff directory")]
    with pytest.raises(ImportRefused) as refused:
        await import_history(db, Table(HEADER[:4], []))
    assert [p.line for p in refused.value.problems] == [1]
    assert db.commits == 0 and db.audit() == [] and db.state.get("webinars", {}) == {}
