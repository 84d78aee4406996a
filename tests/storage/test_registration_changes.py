"""What a registration replaced, kept for Undo, on SQLite and PostgreSQL: stored and read back as
it was, undone once only, and two Undo clicks at the same time restore the day once."""

from __future__ import annotations

import asyncio
from datetime import date

from bot.domain.errors import DomainError
from bot.domain.homework import ChangedDay
from bot.services.homework import RegisterDays, UndoChange, register_days, undo_change
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW
from tests.fakes.people import STAFF

DEC_9 = date(2026, 12, 9)
OFFICE_PM = {"staff_id": 0, "day": "2026-12-09", "place": "office", "part": "pm", "status": "registered",
             "satellite_location": None, "source": "bot"}


async def test_a_change_is_read_back_as_it_was_and_undone_once(directory: UnitOfWorkFactory) -> None:
    async with directory() as uow:
        staff = await uow.staff.get_by_aad(STAFF.aad_object_id)
        assert staff is not None
        change = await uow.registration_changes.add(staff.id, [ChangedDay(DEC_9, OFFICE_PM, None)], DEFAULT_NOW)
        await uow.commit()
    async with directory() as uow:
        stored = await uow.registration_changes.get(change.id, for_update=True)
        assert stored is not None and stored.staff_id == staff.id and stored.undone_at is None
        assert stored.entries == (ChangedDay(DEC_9, OFFICE_PM, None),)
        assert await uow.registration_changes.mark_undone(change.id, DEFAULT_NOW)
        assert not await uow.registration_changes.mark_undone(change.id, DEFAULT_NOW)
        await uow.commit()
    async with directory() as uow:
        undone = await uow.registration_changes.get(change.id)
        assert undone is not None and undone.undone_at == DEFAULT_NOW


async def test_two_undo_clicks_at_once_restore_the_day_once(directory: UnitOfWorkFactory) -> None:
    async with directory() as uow:
        staff = await uow.staff.get_by_aad(STAFF.aad_object_id)
    assert staff is not None
    await register_days(directory(), RegisterDays(staff, (DEC_9,), "office", "pm"), DEFAULT_NOW)
    changed = await register_days(directory(), RegisterDays(staff, (DEC_9,), "home"), DEFAULT_NOW)
    assert changed.change_id is not None
    outcomes = await asyncio.gather(
        *(undo_change(directory(), UndoChange(staff, changed.change_id), DEFAULT_NOW) for _ in range(2)), return_exceptions=True
    )
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == 1 and refused[0].key == "homework.undo_already_done", outcomes
    async with directory() as uow:
        (day,) = await uow.registrations.list_for_staff(staff.id, DEC_9, DEC_9)
        assert (day.place, day.part) == ("office", "pm")
        actions = [row.action for row in await uow.audit.list_by_action("homework.undone")]
    assert len(actions) == 2  # the day, and the change as a whole: once

