"""The home-work repository on SQLite and PostgreSQL, and concurrent registrations on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from bot.domain.approvals import ApprovalStatus
from bot.domain.homework import TeamAgreement
from bot.i18n import Translator
from bot.services.homework import RegisterDays, is_eligible, register_in
from bot.services.homework_approvals import HomeworkDaySubject
from dialogs.cards.homework_approvals import homework_day_text
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW
from tests.fakes.people import MANAGER, STAFF

MON, TUE = date(2026, 11, 23), date(2026, 11, 24)


async def _ids(uow_factory: UnitOfWorkFactory) -> tuple[int, int]:
    async with uow_factory() as uow:
        staff = await uow.staff.get_by_aad(STAFF.aad_object_id)
        manager = await uow.staff.get_by_aad(MANAGER.aad_object_id)
    assert staff and manager
    return staff.id, manager.id


async def test_save_day_changes_the_one_row_of_a_day(directory: UnitOfWorkFactory) -> None:
    staff_id, _ = await _ids(directory)
    async with directory() as uow:
        # As the service does: what the day was before is read under a lock, then the day is saved.
        before = await uow.registrations.get_for_day(staff_id, MON, for_update=True)
        first = await uow.registrations.save_day(staff_id=staff_id, day=MON, place="home", part="full", status="registered")
        assert before is None
        before = await uow.registrations.get_for_day(staff_id, MON, for_update=True)
        second = await uow.registrations.save_day(staff_id=staff_id, day=MON, place="satellite", part="am", status="pending", satellite_location="Gent")
        assert before == first and second.id == first.id
        await uow.registrations.save_day(staff_id=staff_id, day=TUE, place="home", part="pm", status="registered")
        await uow.commit()
    async with directory() as uow:
        days = await uow.registrations.list_for_staff(staff_id, MON, TUE)
        assert [(r.day, r.place, r.part, r.status, r.satellite_location) for r in days] == [
            (MON, "satellite", "am", "pending", "Gent"), (TUE, "home", "pm", "registered", None),
        ]
        assert await uow.registrations.list_for_staff(staff_id, TUE, TUE) == days[1:]
        assert await uow.registrations.set_status(days[0].id, "registered", only_if="pending")
        assert not await uow.registrations.set_status(days[0].id, "rejected", only_if="pending")
        assert await uow.registrations.delete(days[1].id)
        await uow.commit()
    async with directory() as uow:
        assert [(r.day, r.status) for r in await uow.registrations.list_for_staff(staff_id, MON, TUE)] == [(MON, "registered")]


async def test_a_saved_day_reads_back_changed_in_the_same_unit_of_work(directory: UnitOfWorkFactory) -> None:
    # save_day writes with one statement, outside the ORM; later reads in the same transaction see it.
    staff_id, _ = await _ids(directory)
    async with directory() as uow:
        await uow.registrations.save_day(staff_id=staff_id, day=MON, place="home", part="full", status="registered")
        loaded = await uow.registrations.get_for_day(staff_id, MON, for_update=True)
        saved = await uow.registrations.save_day(staff_id=staff_id, day=MON, place="satellite", part="pm", status="pending", satellite_location="Gent")
        assert saved.id == loaded.id and (saved.place, saved.part, saved.status) == ("satellite", "pm", "pending")
        assert await uow.registrations.list_for_staff(staff_id, MON, MON) == [saved]
        assert await uow.registrations.get_for_day(staff_id, MON) == saved
        await uow.commit()


async def test_eligibility_queries(directory: UnitOfWorkFactory) -> None:
    staff_id, manager_id = await _ids(directory)
    async with directory() as uow:
        old = await uow.registrations.add_ineligibility(staff_id=staff_id, reason="financial", note=None, valid_from=date(2026, 1, 1), valid_until=date(2026, 3, 31), set_by=manager_id)
        current = await uow.registrations.add_ineligibility(staff_id=staff_id, reason="abuse", note="n", valid_from=date(2026, 11, 1), valid_until=None, set_by=manager_id)
        await uow.commit()
    async with directory() as uow:
        assert (await uow.registrations.ineligibility_on(staff_id, date(2026, 2, 1))).id == old.id
        assert await uow.registrations.ineligibility_on(staff_id, date(2026, 6, 1)) is None
        assert (await uow.registrations.ineligibility_on(staff_id, date(2027, 6, 1))).id == current.id
        assert [m.id for m in await uow.registrations.ineligibilities_for([staff_id], active_on=date(2026, 11, 22))] == [current.id]
        assert [m.staff_id for m in await uow.registrations.list_ineligible(date(2026, 11, 22))] == [staff_id]
        assert not await is_eligible(uow, staff_id, date(2026, 11, 23))
        assert await uow.registrations.lift_ineligibility(current.id, lifted_by=manager_id, at=datetime.now(UTC))
        assert not await uow.registrations.lift_ineligibility(current.id, lifted_by=manager_id, at=datetime.now(UTC))
        await uow.commit()
    async with directory() as uow:
        assert await is_eligible(uow, staff_id, date(2026, 11, 23))


async def test_team_agreement_is_replaced(directory: UnitOfWorkFactory) -> None:
    _, manager_id = await _ids(directory)
    async with directory() as uow:
        assert await uow.registrations.save_agreement(TeamAgreement(manager_id, frozenset({1}), 2)) is None
        previous = await uow.registrations.save_agreement(TeamAgreement(manager_id, frozenset({0, 3}), 3))
        await uow.commit()
    assert previous == TeamAgreement(manager_id, frozenset({1}), 2)
    async with directory() as uow:
        assert await uow.registrations.agreement(manager_id) == TeamAgreement(manager_id, frozenset({0, 3}), 3)


async def test_approval_subject_describes_and_decides(directory: UnitOfWorkFactory) -> None:
    staff_id, manager_id = await _ids(directory)
    async with directory() as uow:
        await uow.registrations.save_agreement(TeamAgreement(manager_id, frozenset({1}), 0))
        registration = await uow.registrations.save_day(staff_id=staff_id, day=TUE, place="home", part="am", status="pending")
        await uow.commit()
    subject = HomeworkDaySubject()
    async with directory() as uow:
        summary = await subject.describe(uow, registration.id)
        view = homework_day_text(summary, Translator("nl"))
        manager = await uow.staff.get(manager_id)
        assert view.title == "Thuiswerk van Stan Staff op dinsdag 24 november 2026"
        assert ("Duur", "voormiddag") in view.facts and summary.requester_id == staff_id
        assert view.warning is not None and "ankerdag" in view.warning
        english = homework_day_text(await subject.describe(uow, registration.id), Translator("en"))
        assert english.title == "Home work for Stan Staff on Tuesday 24 November 2026"
        await subject.before_approve(uow, registration.id, confirmed=False)
        await subject.on_decided(uow, registration.id, ApprovalStatus.APPROVED, manager, None, DEFAULT_NOW)
        await uow.commit()
    async with directory() as uow:
        assert (await uow.registrations.get(registration.id)).status == "registered"
        audited = [(row.action, row.before, row.after) for row in await uow.audit.list_for_subject("work_registration", registration.id)]
        # A second decision (a stale card, the other manager) changes nothing and audits nothing.
        await subject.on_decided(uow, registration.id, ApprovalStatus.REJECTED, manager, None, DEFAULT_NOW)
        assert (await uow.registrations.get(registration.id)).status == "registered"
        assert len(await uow.audit.list_for_subject("work_registration", registration.id)) == 1
    [(action, before, after)] = audited
    assert action == "homework.approved" and before["status"] == "pending" and after["status"] == "registered"
    assert {k: v for k, v in before.items() if k != "status"} == {k: v for k, v in after.items() if k != "status"}
    assert after["part"] == "am" and after["day"] == TUE.isoformat()


async def test_register_in_refuses_per_day_and_never_half_writes(directory: UnitOfWorkFactory) -> None:
    async with directory() as uow:
        staff = await uow.staff.get_by_aad(STAFF.aad_object_id)
        result = await register_in(uow, RegisterDays(staff, (MON, date(2026, 11, 28), date(2026, 12, 25)), "home"), DEFAULT_NOW, "test")
        # Leaving without commit: nothing stays.
    assert [(d.day, d.outcome) for d in result.days] == [(MON, "registered"), (date(2026, 11, 28), "refused"), (date(2026, 12, 25), "refused")]
    assert [d.refusal.key for d in result.days if d.refusal] == ["homework.refused_weekend", "homework.refused_holiday"]
    async with directory() as uow:
        assert await uow.registrations.list_for_staff(staff.id, MON, date(2026, 12, 31)) == []


async def test_concurrent_first_registrations_of_a_day_make_one_row(pg_directory: UnitOfWorkFactory) -> None:
    staff_id, _ = await _ids(pg_directory)

    async def register(part: str) -> None:
        async with pg_directory() as uow:
            await uow.registrations.get_for_day(staff_id, MON, for_update=True)  # as the service does
            await uow.registrations.save_day(staff_id=staff_id, day=MON, place="home", part=part, status="registered")
            await asyncio.sleep(0.05)  # hold the transaction open so both overlap
            await uow.commit()

    await asyncio.gather(*(register(part) for part in ("full", "am", "pm", "full", "am")))
    async with pg_directory() as uow:
        days = await uow.registrations.list_for_staff(staff_id, MON, MON)
    assert len(days) == 1
