"""What registrations and cancellations changed, in memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.homework import ChangedDay, RegistrationChange

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase


class FakeRegistrationChangeRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _changes(self) -> dict[int, RegistrationChange]:
        return self.db.table("registration_changes")

    async def add(self, staff_id: int, entries: list[ChangedDay], made_at: datetime) -> RegistrationChange:
        change = RegistrationChange(self.db.next_id("registration_changes"), staff_id, made_at, tuple(entries))
        self._changes()[change.id] = change
        return change

    async def get(self, change_id: int, *, for_update: bool = False) -> RegistrationChange | None:
        return self._changes().get(change_id)

    async def mark_undone(self, change_id: int, at: datetime) -> bool:
        change = self._changes().get(change_id)
        if change is None or change.undone_at is not None:
            return False
        self._changes()[change_id] = replace(change, undone_at=at)
        return True
