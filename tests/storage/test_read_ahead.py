"""Reading ahead, on SQLite and PostgreSQL: after one statement the home-work rules' questions
(policy, team agreement, eligibility markings, the day) get the answers they would get from the
database, without another statement; questions outside what was read still go to the database,
and a marking written in the same unit of work is seen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import event

from bot.domain.homework import TeamAgreement
from bot.domain.policy import EntityPolicy
from bot.domain.staff import Staff
from storage.uow import UnitOfWorkFactory
from tests.fakes.people import MANAGER, STAFF

MON, TUE, WED, THU, FRI = (date(2026, 11, 23 + n) for n in range(5))
NEXT_MON = date(2026, 11, 30)


@contextmanager
def statements(uow_factory: UnitOfWorkFactory) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = uow_factory.session_factory.kw["bind"].sync_engine

    def count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        if not statement.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE opens the transaction
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def _people(uow_factory: UnitOfWorkFactory) -> tuple[Staff, Staff]:
    async with uow_factory() as uow:
        staff = await uow.staff.get_by_aad(STAFF.aad_object_id)
        manager = await uow.staff.get_by_aad(MANAGER.aad_object_id)
    assert staff and manager and staff.manager_id == manager.id
    return staff, manager


async def _markings(uow_factory: UnitOfWorkFactory, staff: Staff, manager: Staff) -> dict[str, int]:
    """Tuesday to Thursday (older), Thursday alone (newer: wins on Thursday), Friday lifted."""
    async with uow_factory() as uow:
        older = await uow.registrations.add_ineligibility(
            staff_id=staff.id, reason="function", note=None, valid_from=TUE, valid_until=THU, set_by=manager.id)
        newer = await uow.registrations.add_ineligibility(
            staff_id=staff.id, reason="performance", note="x", valid_from=THU, valid_until=None, set_by=manager.id)
        lifted = await uow.registrations.add_ineligibility(
            staff_id=staff.id, reason="function", note=None, valid_from=FRI, valid_until=FRI, set_by=manager.id)
        await uow.registrations.lift_ineligibility(lifted.id, lifted_by=manager.id, at=datetime(2026, 11, 20, tzinfo=UTC))
        await uow.registrations.save_agreement(TeamAgreement(manager.id, frozenset({1}), 2))
        await uow.entities.set_policy(staff.entity_id, EntityPolicy.from_json({"homework": {"max_days_per_week": 3}}))
        await uow.commit()
    return {"older": older.id, "newer": newer.id}


async def _answers(uow, staff: Staff) -> tuple:  # noqa: ANN001
    return (
        await uow.entities.policy(staff.entity_id),
        await uow.registrations.agreement(staff.manager_id),
        [getattr(await uow.registrations.ineligibility_on(staff.id, day), "id", None) for day in (MON, TUE, WED, THU, FRI)],
    )


async def test_the_rules_of_a_registration_come_in_one_read(directory: UnitOfWorkFactory) -> None:
    staff, manager = await _people(directory)
    ids = await _markings(directory, staff, manager)
    async with directory() as uow:
        expected = await _answers(uow, staff)
    assert expected[2] == [None, ids["older"], ids["older"], ids["newer"], ids["newer"]]
    assert expected[1] == TeamAgreement(manager.id, frozenset({1}), 2)
    async with directory() as uow:
        with statements(directory) as seen:
            await uow.read_ahead_for_days(staff, MON, FRI)
            assert len(seen) == 1
            assert await _answers(uow, staff) == expected
            assert len(seen) == 1  # every answer came from the read ahead
            await uow.registrations.ineligibility_on(staff.id, NEXT_MON)
            assert len(seen) == 2  # outside the days read: asked the database


async def test_without_an_agreement_or_markings_the_answers_are_none(directory: UnitOfWorkFactory) -> None:
    staff, _ = await _people(directory)
    async with directory() as uow:
        with statements(directory) as seen:
            await uow.read_ahead_for_days(staff, MON, TUE)
            assert await uow.registrations.agreement(staff.manager_id) is None
            assert await uow.registrations.ineligibility_on(staff.id, MON) is None
            assert await uow.entities.policy(staff.entity_id) == EntityPolicy.from_json({})
            assert len(seen) == 1


async def test_a_marking_added_in_the_same_unit_of_work_is_seen(directory: UnitOfWorkFactory) -> None:
    staff, manager = await _people(directory)
    async with directory() as uow:
        await uow.read_ahead_for_days(staff, MON, FRI)
        assert await uow.registrations.ineligibility_on(staff.id, WED) is None
        added = await uow.registrations.add_ineligibility(
            staff_id=staff.id, reason="function", note=None, valid_from=WED, valid_until=WED, set_by=manager.id)
        marking = await uow.registrations.ineligibility_on(staff.id, WED)
        assert marking is not None and marking.id == added.id


async def test_a_decision_reads_the_day_its_markings_and_the_agreement_at_once(directory: UnitOfWorkFactory) -> None:
    staff, manager = await _people(directory)
    ids = await _markings(directory, staff, manager)
    async with directory() as uow:
        day = await uow.registrations.save_day(staff_id=staff.id, day=THU, place="home", part="full", status="pending")
        await uow.commit()
    async with directory() as uow:
        expected = (await uow.registrations.get(day.id), await uow.registrations.agreement(manager.id),
                    await uow.registrations.ineligibility_on(staff.id, THU))
    assert expected[2] is not None and expected[2].id == ids["newer"]
    async with directory() as uow:
        with statements(directory) as seen:
            await uow.read_ahead_for_registration(day.id)
            await uow.read_ahead_for_registration(day.id)  # known already: nothing read again
            got = (await uow.registrations.get(day.id), await uow.registrations.agreement(manager.id),
                   await uow.registrations.ineligibility_on(staff.id, THU))
            assert len(seen) == 1
    assert got == expected


async def test_an_approval_and_its_requester_come_in_one_read(directory: UnitOfWorkFactory) -> None:
    staff, manager = await _people(directory)
    async with directory() as uow:
        added = await uow.approvals.add(
            subject_type="homework_day", subject_id=1, requester_id=staff.id, approver_id=manager.id,
            created_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
        )
        await uow.commit()
    async with directory() as uow:
        expected = (await uow.approvals.get(added.id), await uow.staff.get(staff.id))
    async with directory() as uow:
        with statements(directory) as seen:
            await uow.read_ahead_for_approval(added.id, lock=True)
            got = (await uow.approvals.get(added.id, for_update=True), await uow.staff.get(staff.id))
            assert len(seen) == 1
            assert got == expected and got[1].roles == expected[1].roles
            await uow.approvals.get(added.id, for_update=True)  # answered once: the next read asks again
            assert len(seen) == 2
    async with directory() as uow:
        with statements(directory) as seen:
            await uow.read_ahead_for_approval(added.id, lock=False)
            assert await uow.approvals.get(added.id, for_update=True) == expected[0]
            assert len(seen) == 2  # read ahead without the lock: the locking read still goes to the database
            await uow.read_ahead_for_approval(10_000, lock=False)
            assert await uow.approvals.get(10_000) is None


async def test_days_with_nothing_registered_are_known_free_until_a_day_is_saved(directory: UnitOfWorkFactory) -> None:
    staff, _ = await _people(directory)
    async with directory() as uow:
        with statements(directory) as seen:
            await uow.read_ahead_for_days(staff, MON, WED)
            assert await uow.registrations.get_for_day(staff.id, TUE, for_update=True) is None
            assert len(seen) == 1  # nothing registered on those days: no locking read needed
            saved = await uow.registrations.save_day(staff_id=staff.id, day=TUE, place="home", part="full", status="registered")
            assert await uow.registrations.get_for_day(staff.id, TUE, for_update=True) == saved
            assert await uow.registrations.get_for_day(staff.id, THU) is None
            assert len(seen) == 4  # after the save, and outside the days read: the database
        await uow.commit()
    async with directory() as uow:
        with statements(directory) as seen:
            await uow.read_ahead_for_days(staff, MON, WED)  # Tuesday is registered now
            assert await uow.registrations.get_for_day(staff.id, MON, for_update=True) is None
            assert (await uow.registrations.get_for_day(staff.id, TUE, for_update=True)) == saved
            assert len(seen) == 3
