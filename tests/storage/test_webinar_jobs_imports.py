"""Reminders (once, even with two instances), the YAML import, Teams attendance reports and the
history imports the reports read."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.attendance_files import load_attendance_report
from bot.domain.errors import Conflict
from bot.domain.webinars import SessionDraft, TargetGroup, WebinarDraft, WebinarReminder, WebinarStatus
from bot.i18n import Translator
from bot.services import webinar_import
from bot.services import webinars as service
from bot.services.attendance import (
    ImportAttendance,
    ImportWebinarHistory,
    import_attendance,
    import_webinar_history,
)
from bot.services.coaching import ImportCoachingHistory, import_coaching_history
from bot.services.directory import ImportRefused
from bot.tables import load_table
from dialogs.webinars import render_reminder
from storage.models.outbox import OutboxRow
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW

ZONE = ZoneInfo("Europe/Brussels")
REMINDERS = service.SendDueReminders((24, 1))


async def seated_webinar(uow_factory: UnitOfWorkFactory, starts_in: timedelta) -> int:
    draft = WebinarDraft("Focus @ home", "Focus @ home", "", "", TargetGroup.ALL, sessions=(
        SessionDraft(DEFAULT_NOW + starts_in, DEFAULT_NOW + starts_in + timedelta(hours=1), 10, "https://teams.example/j/9"),))
    async with uow_factory() as uow:
        webinar_id = await uow.webinars.add(draft, [], WebinarStatus.PUBLISHED, None)
        await uow.commit()
        session_id = (await uow.webinars.get(webinar_id)).sessions[0].id
        people = [await uow.staff.get_by_email(e) for e in ("staff@vlaanderen.be", "colleague@vlaanderen.be")]
    for person in people:
        await service.sign_up(uow_factory(), service.SignUp(person, session_id), DEFAULT_NOW)
    return session_id


async def reminders_sent(uow_factory: UnitOfWorkFactory) -> list[tuple[str, str]]:
    """Each reminder recorded for delivery: the recipient's Azure AD id and the text they get."""
    async with uow_factory() as uow:
        rows = (await uow.session.execute(
            select(OutboxRow.recipient_id, OutboxRow.payload).where(OutboxRow.kind == WebinarReminder.kind).order_by(OutboxRow.id)
        )).tuples().all()
        people = {s.id: s.aad_object_id for s in await uow.staff.list_by_ids([staff_id for staff_id, _ in rows])}
    return [(people[staff_id], render_reminder(WebinarReminder.model_validate(payload), Translator("nl")).content) for staff_id, payload in rows]


async def test_reminders_go_once_even_with_two_instances(directory: UnitOfWorkFactory) -> None:
    await seated_webinar(directory, timedelta(days=2))
    assert await service.send_due_reminders(directory(), REMINDERS, DEFAULT_NOW) == 0  # 48 h before: nothing due

    day_before = DEFAULT_NOW + timedelta(days=1, minutes=2)
    await asyncio.gather(service.send_due_reminders(directory(), REMINDERS, day_before), service.send_due_reminders(directory(), REMINDERS, day_before))
    sent = await reminders_sent(directory)
    assert len(sent) == 2
    assert "https://teams.example/j/9" in sent[0][1] and "Herinnering" in sent[0][1]
    await service.send_due_reminders(directory(), REMINDERS, day_before + timedelta(minutes=5))
    assert len(await reminders_sent(directory)) == 2

    hour_before = DEFAULT_NOW + timedelta(days=1, hours=23, minutes=5)
    await asyncio.gather(service.send_due_reminders(directory(), REMINDERS, hour_before), service.send_due_reminders(directory(), REMINDERS, hour_before))
    sent = await reminders_sent(directory)
    assert len(sent) == 4
    assert sorted(aad for aad, _ in sent) == sorted(2 * ["aaaaaaaa-0000-0000-0000-000000000003", "aaaaaaaa-0000-0000-0000-000000000004"])


async def import_webinars(uow_factory: UnitOfWorkFactory, path: Path) -> webinar_import.WebinarImportResult:
    webinars = await webinar_import.load_webinars_file(path, ZONE)
    return await webinar_import.import_webinars(uow_factory(), webinar_import.ImportWebinars(webinars, "test"), DEFAULT_NOW)


async def test_yaml_import_refuses_bad_files_with_lines_and_is_idempotent(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    good = tmp_path / "webinars.yaml"
    good.write_text(
        "webinars:\n"
        "  - title_nl: Leidinggeven op afstand\n"
        "    title_en: Leading remotely\n"
        "    target_group: managers\n"
        "    sessions:\n"
        "      - start: 2026-12-03T10:00\n"
        "        end: 2026-12-03T12:00\n"
        "        capacity: 100\n"
        "        join_url: https://teams.example/j/lead\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("capacity: 100", "capacity: many").replace("managers", "everyone"), encoding="utf-8")
    with pytest.raises(webinar_import.ImportProblem) as refused:
        await import_webinars(directory, bad)
    where = [w for w, _ in refused.value.problems]
    assert any(w.startswith("line 4 ") and "target_group" in w for w in where)
    assert any(w.startswith("line 8 ") and "capacity" in w for w in where)
    async with directory() as uow:
        assert await uow.webinars.get_by_title("Leidinggeven op afstand") is None

    first = await import_webinars(directory, good)
    second = await import_webinars(directory, good)
    assert (first.created, second.created, second.sessions_added, second.unchanged) == (1, 0, 0, 1)
    async with directory() as uow:
        webinar = await uow.webinars.get_by_title("Leidinggeven op afstand")
    assert webinar.status is WebinarStatus.PUBLISHED and webinar.target_group is TargetGroup.MANAGERS
    assert webinar.sessions[0].starts_at == DEFAULT_NOW.replace(day=3, month=12)  # 10:00 Brussels


TEAMS_REPORT = (
    "1. Summary\n"
    "Meeting title\tFocus @ home\n"
    "Attended participants\t3\n"
    "\n"
    "2. Participants\n"
    "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
    "Stan Staff\t12/3/26, 9:58:01 AM\t12/3/26, 11:01:00 AM\t1h 3m\tstaff@vlaanderen.be\tstaff@vlaanderen.be\tAttendee\n"
    "Gast Persoon\t12/3/26, 10:00:00 AM\t12/3/26, 10:30:00 AM\t30m\t\t\tAttendee\n"
    "Olga Other\t12/3/26, 10:00:00 AM\t12/3/26, 10:30:00 AM\t30m\totherstaff@vlaanderen.be\totherstaff@vlaanderen.be\tAttendee\n"
    "\n"
    "3. In-Meeting Activities\n"
    "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
)


AFTER_SESSION = DEFAULT_NOW + timedelta(days=3)


async def test_teams_attendance_report(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    session_id = await seated_webinar(directory, timedelta(days=2))
    report = tmp_path / "report.csv"
    report.write_bytes(TEAMS_REPORT.encode("utf-16"))
    table = await load_attendance_report(report)
    with pytest.raises(Conflict):  # the report of a session still to come is the wrong file
        await import_attendance(directory(), ImportAttendance(session_id, table, "test"), DEFAULT_NOW)
    result = await import_attendance(directory(), ImportAttendance(session_id, table, "test"), AFTER_SESSION)
    assert (result.attended, result.absent, result.unknown_emails, result.without_email) == (1, 1, ("otherstaff@vlaanderen.be",), 1)
    async with directory() as uow:
        marks = {p.email: p.attended for p in await uow.webinars.participants(session_id)}
    assert marks == {"staff@vlaanderen.be": True, "colleague@vlaanderen.be": False}

    broken = tmp_path / "broken.csv"
    broken.write_bytes(TEAMS_REPORT.replace("otherstaff@vlaanderen.be\t", "not-an-address\t", 1).encode("utf-16"))
    with pytest.raises(ImportRefused) as refused:
        await import_attendance(directory(), ImportAttendance(session_id, await load_attendance_report(broken), "test"), AFTER_SESSION)
    assert [p.line for p in refused.value.problems] == [9]


async def test_history_imports_refuse_bad_rows_and_are_idempotent(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    webinars = tmp_path / "webinars.csv"
    webinars.write_text(
        "webinar_title,target_group,session_start,email,attended\n"
        "Corona care: mentaal welzijn,all,2021-03-04T10:00,staff@vlaanderen.be,yes\n"
        "Corona care: mentaal welzijn,all,2021-03-04T10:00,colleague@vlaanderen.be,no\n"
        "Leidinggeven op afstand,managers,2021-05-06 14:00,manager@vlaanderen.be,yes\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(webinars.read_text().replace("managers,2021-05-06 14:00", "bosses,2021-05-06 14:00"), encoding="utf-8")
    async def history(path: Path) -> object:
        return await import_webinar_history(directory(), ImportWebinarHistory(await load_table(path), "test", ZONE), DEFAULT_NOW)

    with pytest.raises(ImportRefused) as refused:
        await history(bad)
    assert [p.line for p in refused.value.problems] == [4]

    first = await history(webinars)
    second = await history(webinars)
    assert (first.registrations_created, second.registrations_created, second.unchanged) == (3, 0, 3)
    async with directory() as uow:
        rows = await uow.webinars.participation_per_webinar()
        by_entity = await uow.webinars.participation_per_webinar(by_entity=True)
        in_may = await uow.webinars.participation_per_webinar(DEFAULT_NOW.replace(year=2021, month=5, day=1), DEFAULT_NOW.replace(year=2021, month=6, day=1))
    assert [(r.title_nl, r.target_group, r.registered, r.attended, r.sessions) for r in rows] == [
        ("Corona care: mentaal welzijn", "all", 2, 1, 1), ("Leidinggeven op afstand", "managers", 1, 1, 1),
    ]
    assert {(r.title_nl, r.entity_code) for r in by_entity} == {("Corona care: mentaal welzijn", "DWSE"), ("Leidinggeven op afstand", "DWSE")}
    assert [r.title_nl for r in in_may] == ["Leidinggeven op afstand"]

    coaching = tmp_path / "coaching.csv"
    coaching.write_text(
        "email,kind,requested_on,conversations\n"
        "staff@vlaanderen.be,resilience,2020-02-03,6\n"
        "manager@vlaanderen.be,leadership,2020-04-01,5\n"
        "manager@vlaanderen.be,resilience,2021-01-10,2\n",
        encoding="utf-8",
    )
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(coaching.read_text() + "nobody@vlaanderen.be,leadership,2020-01-01,3\nstaff@vlaanderen.be,yoga,2020-13-01,x\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        await import_coaching_history(directory(), ImportCoachingHistory(await load_table(wrong), "test"), DEFAULT_NOW)
    assert [p.line for p in refused.value.problems] == [6]  # row checks first; the directory check follows
    assert (await import_coaching_history(directory(), ImportCoachingHistory(await load_table(coaching), "test"), DEFAULT_NOW)).created == 3
    assert (await import_coaching_history(directory(), ImportCoachingHistory(await load_table(coaching), "test"), DEFAULT_NOW)).created == 0
    async with directory() as uow:
        usage = await uow.coaching.usage_per_year()
        per_entity = await uow.coaching.usage_per_year(2020, 2020, by_entity=True, by_kind=True)
    assert [(u.year, u.staff, u.requests, u.conversations) for u in usage] == [(2020, 2, 2, 11), (2021, 1, 1, 2)]
    assert [(u.entity_code, u.kind, u.staff) for u in per_entity] == [("DWSE", "leadership", 1), ("DWSE", "resilience", 1)]
