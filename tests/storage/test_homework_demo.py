"""The home-work demo data loads on both databases and follows the rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.demo import load_staff_directory
from bot.services.homework import LoadHomeworkDemo, is_eligible, load_demo
from storage.uow import UnitOfWorkFactory

TODAY = date(2026, 11, 22)


async def test_demo_policies_agreement_eligibility_and_days(uow_factory: UnitOfWorkFactory) -> None:
    await load_staff_directory(uow_factory, TODAY)
    await load_demo(uow_factory(), LoadHomeworkDemo(), datetime(2026, 11, 22, 9, tzinfo=UTC))
    async with uow_factory() as uow:
        dwse = await uow.entities.get_by_code("DWSE")
        dv = await uow.entities.get_by_code("DV")
        assert not (await uow.entities.policy(dwse.id)).homework.needs_approval
        assert (await uow.entities.policy(dwse.id)).homework.anchor_day_home_work == "warn"
        assert (await uow.entities.policy(dv.id)).homework.needs_approval
        megan = await uow.staff.get_by_email("meganb@example.com")
        assert (await uow.registrations.agreement(megan.id)).anchor_weekdays == frozenset({1})
        sander = await uow.staff.get_by_email("sander.coppens@vlaanderen.be")
        assert not await is_eligible(uow, sander.id, TODAY)
        marking = await uow.registrations.ineligibility_on(sander.id, TODAY)
        assert marking.reason == "function" and marking.set_by == sander.manager_id
        alex = await uow.staff.get_by_email("alexw@example.com")
        alex_days = await uow.registrations.list_for_staff(alex.id, date(2026, 11, 23), date(2026, 12, 6))
        assert [(r.day, r.status) for r in alex_days] == [
            (date(2026, 11, 23), "registered"), (date(2026, 11, 26), "registered"),
            (date(2026, 11, 30), "registered"), (date(2026, 12, 3), "registered"),
        ]
        fien = await uow.staff.get_by_email("fien.aerts@vlaanderen.be")
        fien_days = await uow.registrations.list_for_staff(fien.id, date(2026, 11, 23), date(2026, 12, 6))
        assert len(fien_days) == 4 and {r.status for r in fien_days} == {"pending"}
        assert await uow.approvals.pending_for_subject("homework_day", fien_days[0].id) is not None
