"""Coaching use cases on the in-memory unit of work: who is told, who may act, what is stored."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.coaching import CoachAssigned, CoachingKind, CoachingRequested, CoachingStatus
from bot.domain.directory_import import ImportRefused, Table
from bot.domain.errors import Conflict, DomainError, Forbidden, InvalidInput
from bot.domain.staff import Role
from bot.services import coaching as service
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def people(db: FakeDatabase) -> dict:
    hilde = db.add_staff("Hilde HR", roles=(Role.HR,))
    henk = db.add_staff("Henk HR", roles=(Role.HR,))
    carla = db.add_staff("Carla Coach", roles=(Role.COACH,))
    mia = db.add_staff("Mia Manager", roles=(Role.MANAGER,))
    stan = db.add_staff("Stan Staff", manager=mia)
    return {"hilde": hilde, "henk": henk, "carla": carla, "mia": mia, "stan": stan}


async def _request(db: FakeDatabase, staff, kind=CoachingKind.RESILIENCE, note="Moeilijke periode"):  # noqa: ANN001, ANN202
    return await service.request_coaching(FakeUnitOfWork(db), service.RequestCoaching(staff, kind, note), NOW)


async def test_a_request_tells_every_hr_member_once_and_is_audited(db: FakeDatabase, people: dict) -> None:
    request = await _request(db, people["stan"])
    assert request.status is CoachingStatus.OPEN and request.note == "Moeilijke periode"
    assert db.outbox_for(people["hilde"].id) == [CoachingRequested(request_id=request.id)]
    assert db.outbox_for(people["henk"].id) == [CoachingRequested(request_id=request.id)]
    assert db.outbox_for(people["mia"].id) == []  # the line manager is never told
    assert [row["action"] for row in db.audit()] == ["coaching.requested"]
    assert "Moeilijke" not in str(db.audit())  # the note stays out of the audit trail


async def test_hr_asking_for_coaching_is_not_told_about_their_own_request(db: FakeDatabase, people: dict) -> None:
    await _request(db, people["hilde"])
    assert db.outbox_for(people["hilde"].id) == [] and len(db.outbox_for(people["henk"].id)) == 1


async def test_a_second_open_request_of_the_same_kind_writes_nothing(db: FakeDatabase, people: dict) -> None:
    await _request(db, people["stan"])
    before = (db.commits, len(db.outbox()), len(db.audit()))
    with pytest.raises(DomainError):
        await _request(db, people["stan"])
    assert (db.commits, len(db.outbox()), len(db.audit())) == before
    assert len(db.table("coaching_requests")) == 1


async def test_assigning_tells_the_coach_and_the_coach_sees_only_their_queue(db: FakeDatabase, people: dict) -> None:
    first = await _request(db, people["stan"])
    other = await _request(db, people["mia"], CoachingKind.LEADERSHIP, "")
    after, coach = await service.assign(FakeUnitOfWork(db), service.AssignCoach(people["hilde"], first.id, people["carla"].id), NOW)
    assert after.status is CoachingStatus.ASSIGNED and coach.id == people["carla"].id
    assert db.outbox_for(people["carla"].id) == [CoachAssigned(request_id=first.id)]
    queue = await service.queue(FakeUnitOfWork(db), service.CoachingQueue(people["carla"]), NOW)
    assert [item.request.id for item in queue] == [first.id]
    hr_queue = await service.queue(FakeUnitOfWork(db), service.CoachingQueue(people["hilde"]), NOW)
    assert [item.request.id for item in hr_queue] == [first.id, other.id]


async def test_only_hr_assigns_and_only_to_a_coach(db: FakeDatabase, people: dict) -> None:
    request = await _request(db, people["stan"])
    with pytest.raises(Forbidden):
        await service.assign(FakeUnitOfWork(db), service.AssignCoach(people["carla"], request.id, people["carla"].id), NOW)
    with pytest.raises(InvalidInput):
        await service.assign(FakeUnitOfWork(db), service.AssignCoach(people["hilde"], request.id, people["mia"].id), NOW)
    assert db.outbox_for(people["carla"].id) == [] and db.outbox_for(people["mia"].id) == []


async def test_the_manager_never_sees_a_request(db: FakeDatabase, people: dict) -> None:
    request = await _request(db, people["stan"])
    with pytest.raises(Forbidden):
        await service.show_request(FakeUnitOfWork(db), service.ShowCoachingRequest(people["mia"], request.id), NOW)
    with pytest.raises(Forbidden):
        await service.queue(FakeUnitOfWork(db), service.CoachingQueue(people["mia"]), NOW)


async def test_follow_up_is_offered_to_hr_and_the_assigned_coach_until_closed(db: FakeDatabase, people: dict) -> None:
    request = await _request(db, people["stan"])
    await service.assign(FakeUnitOfWork(db), service.AssignCoach(people["hilde"], request.id, people["carla"].id), NOW)
    detail = await service.show_request(FakeUnitOfWork(db), service.ShowCoachingRequest(people["carla"], request.id), NOW)
    assert detail.can_follow_up and detail.coaches == []  # a coach cannot reassign
    await service.record_conversations(FakeUnitOfWork(db), service.RecordConversations(people["carla"], request.id, 5), NOW)
    closed = await service.close(FakeUnitOfWork(db), service.CloseCoachingRequest(people["carla"], request.id), NOW)
    assert closed.status is CoachingStatus.CLOSED and closed.conversations == 5
    detail = await service.show_request(FakeUnitOfWork(db), service.ShowCoachingRequest(people["hilde"], request.id), NOW)
    assert not detail.can_follow_up
    with pytest.raises(Conflict):
        await service.close(FakeUnitOfWork(db), service.CloseCoachingRequest(people["hilde"], request.id), NOW)


async def test_conversations_out_of_range_are_refused(db: FakeDatabase, people: dict) -> None:
    request = await _request(db, people["stan"])
    with pytest.raises(InvalidInput):
        await service.record_conversations(FakeUnitOfWork(db), service.RecordConversations(people["hilde"], request.id, 51), NOW)
    assert (await FakeUnitOfWork(db).coaching.get(request.id)).conversations == 0


async def test_history_import_refuses_a_bad_file_whole_and_is_idempotent(db: FakeDatabase, people: dict) -> None:
    header = ["email", "kind", "requested_on", "conversations"]
    good = [(2, {"email": "stan.staff@vlaanderen.be", "kind": "resilience", "requested_on": "2021-02-01", "conversations": "5"}),
            (3, {"email": "mia.manager@vlaanderen.be", "kind": "leadership", "requested_on": "2021-03-01", "conversations": "6"})]
    bad = [*good, (4, {"email": "nobody@vlaanderen.be", "kind": "yoga", "requested_on": "2021-13-01", "conversations": "x"})]
    with pytest.raises(ImportRefused) as refused:
        await service.import_coaching_history(FakeUnitOfWork(db), service.ImportCoachingHistory(Table(header, bad), "test"), NOW)
    assert [p.line for p in refused.value.problems] == [4]
    assert db.table("coaching_requests") == {}
    first = await service.import_coaching_history(FakeUnitOfWork(db), service.ImportCoachingHistory(Table(header, good), "test"), NOW)
    again = await service.import_coaching_history(FakeUnitOfWork(db), service.ImportCoachingHistory(Table(header, good), "test"), NOW)
    assert (first.created, again.created, again.unchanged) == (2, 0, 2)
    assert db.outbox() == []  # imported history tells nobody
