"""Coaching requests in memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.domain.coaching import CoachingKind, CoachingRequest, CoachingStatus

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase


class FakeCoachingRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _rows(self) -> dict[int, CoachingRequest]:
        return self.db.table("coaching_requests")

    async def add(
        self, staff_id: int, kind: CoachingKind, note: str, now: datetime, requested_on: date, *, source: str = "bot",
        status: CoachingStatus = CoachingStatus.OPEN, conversations: int = 0,
    ) -> CoachingRequest:
        request = CoachingRequest(
            id=self.db.next_id("coaching_requests"), staff_id=staff_id, kind=kind, note=note, status=status,
            requested_on=requested_on, requested_at=now, conversations=conversations,
            closed_at=now if status is CoachingStatus.CLOSED else None,
        )
        self._rows()[request.id] = request
        return request

    async def get(self, request_id: int, *, lock: bool = False) -> CoachingRequest | None:
        return self._rows().get(request_id)

    async def find(self, staff_id: int, kind: CoachingKind, requested_on: date) -> CoachingRequest | None:
        return next(
            (r for r in sorted(self._rows().values(), key=lambda r: r.id)
             if (r.staff_id, r.kind, r.requested_on) == (staff_id, kind, requested_on)),
            None,
        )

    async def list_for_staff(self, staff_id: int) -> list[CoachingRequest]:
        return sorted((r for r in self._rows().values() if r.staff_id == staff_id), key=lambda r: -r.id)

    async def list_queue(self, *, coach_id: int | None = None, limit: int = 30) -> list[CoachingRequest]:
        open_requests = [
            r for r in self._rows().values()
            if r.status is not CoachingStatus.CLOSED and (coach_id is None or r.coach_id == coach_id)
        ]
        return sorted(open_requests, key=lambda r: (r.requested_at, r.id))[:limit]

    async def update(self, request_id: int, **values: object) -> None:
        request = self._rows()[request_id]
        if "status" in values:
            values["status"] = CoachingStatus(values["status"])
        values.pop("assigned_at", None)  # not part of the domain object
        self._rows()[request_id] = replace(request, **values)  # type: ignore[arg-type]
