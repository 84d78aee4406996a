"""The start of a turn on the in-memory unit of work: the staff member, and the reference saved
(and committed) only when it changed, and only for someone in the directory."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.conversations import StoredReference
from bot.services.turns import StartTurn, start_turn
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))


def _reference(aad: str, conversation: str = "a:stan") -> StoredReference:
    return StoredReference(aad, "29:stan", "Stan", conversation, "https://smba.example", "tenant", "msteams", "28:bot", None, "nl-BE", True)


async def test_the_staff_member_and_a_new_reference_are_found_and_saved() -> None:
    db = FakeDatabase()
    stan = db.add_staff("Stan Staff")
    reference = _reference(stan.aad_object_id)
    assert await start_turn(FakeUnitOfWork(db), StartTurn(stan.aad_object_id, reference), NOW) == stan
    assert db.table("conversations") == {stan.aad_object_id: reference} and db.commits == 1


async def test_an_unchanged_reference_commits_nothing_a_changed_one_does() -> None:
    db = FakeDatabase()
    stan = db.add_staff("Stan Staff")
    reference = _reference(stan.aad_object_id)
    await start_turn(FakeUnitOfWork(db), StartTurn(stan.aad_object_id, reference), NOW)
    await start_turn(FakeUnitOfWork(db), StartTurn(stan.aad_object_id, reference), NOW)
    assert db.commits == 1
    moved = replace(reference, conversation_id="a:stan-new")
    await start_turn(FakeUnitOfWork(db), StartTurn(stan.aad_object_id, moved), NOW)
    assert db.commits == 2 and db.table("conversations")[stan.aad_object_id].conversation_id == "a:stan-new"


async def test_someone_outside_the_directory_is_none_and_nothing_is_stored() -> None:
    db = FakeDatabase()
    stranger = _reference("ffffffff-0000", "a:stranger")
    assert await start_turn(FakeUnitOfWork(db), StartTurn("ffffffff-0000", stranger), NOW) is None
    assert db.table("conversations") == {} and db.commits == 0
    assert await start_turn(FakeUnitOfWork(db), StartTurn(None), NOW) is None


async def test_an_activity_without_a_locale_keeps_the_one_last_seen() -> None:
    db = FakeDatabase()
    stan = db.add_staff("Stan Staff")
    reference = replace(_reference(stan.aad_object_id), locale="en-GB")
    await start_turn(FakeUnitOfWork(db), StartTurn(stan.aad_object_id, reference), NOW)
    await start_turn(FakeUnitOfWork(db), StartTurn(stan.aad_object_id, replace(reference, locale=None)), NOW)
    assert db.table("conversations")[stan.aad_object_id].locale == "en-GB" and db.commits == 1
