"""The coaching repository as the use cases see it (implemented in storage/repositories/webinars.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from bot.domain.coaching import CoachingKind, CoachingRequest, CoachingStatus


class CoachingRepository(Protocol):
    async def add(
        self, staff_id: int, kind: CoachingKind, note: str, now: datetime, requested_on: date, *, source: str = "bot",
        status: CoachingStatus = CoachingStatus.OPEN, conversations: int = 0,
    ) -> CoachingRequest: ...

    async def get(self, request_id: int, *, lock: bool = False) -> CoachingRequest | None: ...

    async def find(self, staff_id: int, kind: CoachingKind, requested_on: date) -> CoachingRequest | None: ...

    async def list_for_staff(self, staff_id: int) -> list[CoachingRequest]:
        """Newest first."""
        ...

    async def list_queue(self, *, coach_id: int | None = None, limit: int = 30) -> list[CoachingRequest]:
        """Open and assigned requests, oldest first; only one coach's when `coach_id` is given."""
        ...

    async def update(self, request_id: int, **values: object) -> None: ...
