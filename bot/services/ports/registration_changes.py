"""What registrations and cancellations changed, kept for Undo (implemented in
storage/repositories/registration_changes.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.homework import ChangedDay, RegistrationChange


class RegistrationChangeRepository(Protocol):
    async def add(self, staff_id: int, entries: list[ChangedDay], made_at: datetime) -> RegistrationChange: ...

    async def get(self, change_id: int, *, for_update: bool = False) -> RegistrationChange | None: ...

    async def mark_undone(self, change_id: int, at: datetime) -> bool:
        """Mark a change undone once; False when it already was."""
        ...
