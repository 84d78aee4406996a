"""The YAML import of webinars and the demo webinars, on the in-memory unit of work."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.staff import Role
from bot.domain.webinars import TargetGroup, WebinarStatus
from bot.services import webinar_import as service
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

ZONE = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)

FILE = """\
webinars:
  - title_nl: Leidinggeven op afstand
    title_en: Leading remotely
    target_group: managers
    sessions:
      - start: 2026-12-03T10:00
        end: 2026-12-03T12:00
        capacity: 100
        join_url: https://teams.example/j/lead
"""
SECOND_SESSION = """\
      - start: 2026-12-10T10:00
        end: 2026-12-10T12:00
        capacity: 50
        join_url: https://teams.example/j/lead2
"""


@pytest.fixture
def db() -> FakeDatabase:
    db = FakeDatabase()
    db.add_entity("DWSE", "Departement Werk en Sociale Economie")
    return db


async def import_text(db: FakeDatabase, text: str) -> service.WebinarImportResult:
    return await service.import_webinars(FakeUnitOfWork(db), service.ImportWebinars(service.parse_webinars_yaml(text, ZONE), "test"), NOW)


def test_the_file_is_checked_with_lines_and_paths() -> None:
    bad = FILE.replace("capacity: 100", "capacity: many").replace("managers", "everyone")
    with pytest.raises(service.ImportProblem) as refused:
        service.parse_webinars_yaml(bad, ZONE)
    where = [w for w, _ in refused.value.problems]
    assert any(w.startswith("line 4 ") and "target_group" in w for w in where)
    assert any(w.startswith("line 8 ") and "capacity" in w for w in where)
    for text, problem in (("", ("line 1", "the file is empty")), ("webinars: [", ("line 1", "not valid YAML"))):
        with pytest.raises(service.ImportProblem) as refused:
            service.parse_webinars_yaml(text, ZONE)
        assert refused.value.problems == [problem]


async def test_import_publishes_then_adds_only_new_sessions(db: FakeDatabase) -> None:
    first = await import_text(db, FILE)
    assert (first.created, first.sessions_added, first.unchanged) == (1, 0, 0)
    again = await import_text(db, FILE)
    assert (again.created, again.sessions_added, again.unchanged) == (0, 0, 1)
    more = await import_text(db, FILE + SECOND_SESSION)
    assert (more.created, more.sessions_added, more.unchanged) == (0, 1, 0)
    webinar = await FakeUnitOfWork(db).webinars.get_by_title("Leidinggeven op afstand")
    assert webinar.status is WebinarStatus.PUBLISHED and webinar.target_group is TargetGroup.MANAGERS
    assert [s.starts_at for s in webinar.sessions] == [datetime(2026, 12, 3, 10, 0, tzinfo=ZONE), datetime(2026, 12, 10, 10, 0, tzinfo=ZONE)]
    assert [a["action"] for a in db.audit()] == ["webinar.created", "webinar.session_added"]
    assert db.audit()[0]["actor"] == "test"


async def test_a_webinar_that_breaks_a_rule_refuses_the_whole_file(db: FakeDatabase) -> None:
    past = FILE + FILE.split("webinars:\n", 1)[1].replace("Leidinggeven", "Oud").replace("2026-12-03", "2026-11-01")
    with pytest.raises(service.ImportProblem) as refused:
        await import_text(db, past)
    assert refused.value.problems == [("line 14 (webinars[1].sessions[0])", "starts in the past")]
    assert db.commits == 0 and db.state.get("webinars", {}) == {}


async def test_demo_webinars_are_upcoming_with_a_few_sign_ups(db: FakeDatabase) -> None:
    people = [db.add_staff(f"Person {n}") for n in range(5)] + [db.add_staff("Mia Manager", roles=(Role.MANAGER,))]
    today = date(2026, 11, 23)
    await service.load_demo(FakeUnitOfWork(db), service.LoadDemoWebinars(service.read_demo_file(), today), NOW)
    uow = FakeUnitOfWork(db)
    upcoming = await uow.webinars.list_upcoming(NOW)
    assert len(upcoming) == len(service.read_demo_file()["webinars"])
    first = upcoming[0].sessions[0]
    assert first.starts_at.date() > today and first.starts_at.utcoffset() == NOW.utcoffset()
    assert first.seats_taken == 6 and upcoming[1].sessions[0].seats_taken == 6
    assert [r.kind.value for r in await uow.coaching.list_for_staff(people[-1].id)] == ["resilience"]
