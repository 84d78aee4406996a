"""Seats, waitlist and cancellation on SQLite and PostgreSQL; 300 concurrent sign-ups on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.domain.errors import Conflict, Forbidden
from bot.domain.staff import Role, StaffRecord
from bot.domain.webinars import (
    PromotedFromWaitlist,
    RegistrationStatus,
    SessionDraft,
    TargetGroup,
    WebinarDraft,
    WebinarStatus,
)
from bot.services import webinars as service
from storage.models.outbox import OutboxRow
from storage.models.webinars import WebinarRegistrationRow, WebinarSessionRow
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW

NOW = DEFAULT_NOW


def draft(capacity: int = 2, group: TargetGroup = TargetGroup.ALL, sessions: int = 1) -> WebinarDraft:
    return WebinarDraft(
        title_nl="Focus @ home", title_en="Focus @ home", description_nl="Over focus", description_en="On focus",
        target_group=group,
        sessions=tuple(
            SessionDraft(NOW + timedelta(days=7 + i), NOW + timedelta(days=7 + i, hours=1), capacity, "https://teams.example/join")
            for i in range(sessions)
        ),
    )


async def published(uow_factory: UnitOfWorkFactory, webinar: WebinarDraft) -> tuple[int, list[int]]:
    async with uow_factory() as uow:
        webinar_id = await uow.webinars.add(webinar, [], WebinarStatus.PUBLISHED, None)
        await uow.commit()
        found = await uow.webinars.get(webinar_id)
    assert found is not None
    return webinar_id, [s.id for s in found.sessions]


async def staff(uow_factory: UnitOfWorkFactory, email: str):  # noqa: ANN201
    async with uow_factory() as uow:
        person = await uow.staff.get_by_email(email)
    assert person is not None
    return person


async def sign_up(uow_factory: UnitOfWorkFactory, person, session_id: int, now=NOW, *, waitlist: bool = False):  # noqa: ANN001, ANN201
    return await service.sign_up(uow_factory(), service.SignUp(person, session_id, accept_waitlist=waitlist), now)


async def cancel(uow_factory: UnitOfWorkFactory, person, registration_id: int):  # noqa: ANN001, ANN201
    return await service.cancel(uow_factory(), service.CancelRegistration(person, registration_id), NOW)


async def told_of_promotion(uow_factory: UnitOfWorkFactory) -> list[int]:
    """The staff ids the promotion notice is recorded for, oldest first."""
    async with uow_factory() as uow:
        return list(await uow.session.scalars(
            select(OutboxRow.recipient_id).where(OutboxRow.kind == PromotedFromWaitlist.kind).order_by(OutboxRow.id)
        ))


async def test_seats_then_waitlist_then_promotion(directory: UnitOfWorkFactory) -> None:
    _, (session_id,) = await published(directory, draft(capacity=2))
    stan, cato, olga, mia = [await staff(directory, f"{n}@vlaanderen.be") for n in ("staff", "colleague", "otherstaff", "manager")]

    first = await sign_up(directory, stan, session_id)
    second = await sign_up(directory, cato, session_id)
    assert first.seated and second.seated
    with pytest.raises(service.SessionFull) as full:
        await sign_up(directory, olga, session_id)
    assert full.value.params["position"] == 1
    third = await sign_up(directory, olga, session_id, waitlist=True)
    fourth = await sign_up(directory, mia, session_id, waitlist=True)
    assert (third.seated, third.position) == (False, 1)
    assert (fourth.seated, fourth.position) == (False, 2)

    with pytest.raises(Conflict):
        await sign_up(directory, stan, session_id)
    with pytest.raises(Forbidden):  # someone else's registration
        await cancel(directory, cato, first.registration.id)

    result = await cancel(directory, stan, first.registration.id)
    assert result.promoted is not None and result.promoted.staff_id == olga.id
    assert await told_of_promotion(directory) == [olga.id]
    async with directory() as uow:
        session = await uow.webinars.get_session(session_id)
        waitlist = await uow.webinars.waitlist(session_id)
        promoted = await uow.webinars.registration_of(result.cancelled.webinar_id, olga.id)
        audit = await uow.audit.list_by_action("webinar.promoted")
    assert session is not None and session.seats_taken == 2
    assert [r.staff_id for r in waitlist] == [mia.id]
    assert waitlist[0].waitlist_position == 1
    assert promoted is not None and promoted.status is RegistrationStatus.SEATED and promoted.seated_at == NOW
    assert len(audit) == 1

    # A waitlisted person cancelling frees no seat; a seated one with an empty waitlist does.
    await cancel(directory, mia, fourth.registration.id)
    none = await cancel(directory, cato, second.registration.id)
    assert none.promoted is None and await told_of_promotion(directory) == [olga.id]
    async with directory() as uow:
        session = await uow.webinars.get_session(session_id)
    assert session is not None and session.seats_taken == 1


async def test_one_registration_per_webinar_across_sessions(directory: UnitOfWorkFactory) -> None:
    _, (first, second) = await published(directory, draft(capacity=5, sessions=2))
    stan = await staff(directory, "staff@vlaanderen.be")
    await sign_up(directory, stan, first)
    with pytest.raises(Conflict):
        await sign_up(directory, stan, second)


async def test_target_group_and_started_sessions_are_enforced(directory: UnitOfWorkFactory) -> None:
    _, (session_id,) = await published(directory, draft(group=TargetGroup.MANAGERS))
    stan, mia = await staff(directory, "staff@vlaanderen.be"), await staff(directory, "manager@vlaanderen.be")
    assert Role.MANAGER in mia.roles
    with pytest.raises(Forbidden):
        await sign_up(directory, stan, session_id)
    with pytest.raises(Conflict):
        await sign_up(directory, mia, session_id, NOW + timedelta(days=8))
    assert (await sign_up(directory, mia, session_id)).seated


async def test_draft_webinars_take_no_sign_ups(directory: UnitOfWorkFactory) -> None:
    hr = await staff(directory, "hr@vlaanderen.be")
    webinar_id = await service.create_webinar(directory(), service.CreateWebinar(hr, draft()), NOW)
    webinar = (await service.webinar_for_hr(directory(), service.ShowWebinarForHr(hr, webinar_id), NOW)).state.webinar
    with pytest.raises(Forbidden):
        await sign_up(directory, await staff(directory, "staff@vlaanderen.be"), webinar.sessions[0].id)


async def test_three_hundred_concurrent_sign_ups_for_a_hundred_seats(pg_directory: UnitOfWorkFactory) -> None:
    uow_factory = pg_directory
    async with uow_factory() as uow:
        entity, _ = await uow.entities.upsert("DWSE", "Departement Werk en Sociale Economie")
        ids = []
        for n in range(300):
            record = StaffRecord(
                aad_object_id=f"cccccccc-0000-0000-0000-{n:012d}", email=f"person{n}@vlaanderen.be", display_name=f"Person {n}",
                entity_code="DWSE", entity_name=entity.name, manager_email=None, start_date=NOW.date() - timedelta(days=400),
                roles=frozenset({Role.STAFF}), language="nl",
            )
            staff_id, _ = await uow.staff.upsert(record, entity.id, None, NOW.date())
            ids.append(staff_id)
        await uow.commit()
        people = await uow.staff.list_by_ids(ids)
    _, (session_id,) = await published(uow_factory, draft(capacity=100))

    # As many sign-ups in flight as the pool has connections (20 + 20 overflow): every one of them
    # races for the session's seats, and none waits out the pool's 30 s checkout timeout on a
    # loaded machine.
    in_flight = asyncio.Semaphore(40)

    async def signing_up(person):  # noqa: ANN001, ANN202
        async with in_flight:
            return await sign_up(uow_factory, person, session_id, waitlist=True)

    results = await asyncio.gather(*(signing_up(person) for person in people))

    assert sum(r.seated for r in results) == 100
    async with uow_factory() as uow:
        seats_taken = await uow.session.scalar(select(WebinarSessionRow.seats_taken).where(WebinarSessionRow.id == session_id))
        rows = (await uow.session.scalars(select(WebinarRegistrationRow).order_by(WebinarRegistrationRow.id))).all()
        waitlist = await uow.webinars.waitlist(session_id)
        rows = [(r.id, r.staff_id, r.status) for r in rows]
    assert seats_taken == 100
    assert len(rows) == 300 and len({staff_id for _, staff_id, _ in rows}) == 300
    assert sum(status == "seated" for _, _, status in rows) == 100
    assert [r.waitlist_position for r in waitlist] == list(range(1, 201))
    # Positions follow the commit order: the ids were handed out under the session lock, and each
    # person's reported position is their place in that order.
    reported = {r.registration.id: r.position for r in results if not r.seated}
    assert [reported[r.id] for r in waitlist] == list(range(1, 201))
    # Every seat went to someone who signed up before everyone on the waitlist.
    seated_ids = [row_id for row_id, _, status in rows if status == "seated"]
    assert max(seated_ids) < min(r.id for r in waitlist)
