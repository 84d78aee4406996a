"""Broadcasts and their deliveries in memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.domain.broadcasts import (
    Broadcast,
    BroadcastStatus,
    ClaimedDelivery,
    Delivery,
    DeliveryStatus,
    Outcome,
    Progress,
)
from bot.domain.staff import Staff

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase

_OPEN = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


@dataclass(frozen=True)
class DeliveryRow:
    """One recipient's delivery as the table holds it."""

    id: int
    broadcast_id: int
    staff_id: int
    status: DeliveryStatus
    claims: int = 0
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    reason: str | None = None
    activity_id: str | None = None
    sent_at: datetime | None = None


class FakeBroadcastRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _broadcasts(self) -> dict[int, Broadcast]:
        return self.db.table("broadcasts")

    def _deliveries(self) -> dict[int, DeliveryRow]:
        return self.db.table("broadcast_deliveries")

    def _update(self, row: DeliveryRow, **values: Any) -> None:
        self._deliveries()[row.id] = replace(row, **values)

    # -- the broadcast ------------------------------------------------------------------------
    async def add(
        self, *, kind: str, title: str, payload: dict[str, Any], created_by: int, created_at: datetime,
        scheduled_at: datetime | None, status: BroadcastStatus, recipient_ids: Sequence[int],
    ) -> int:
        broadcast = Broadcast(
            id=self.db.next_id("broadcasts"), kind=kind, title=title, payload=dict(payload), created_by=created_by,
            created_at=created_at, scheduled_at=scheduled_at, status=status,
            started_at=created_at if status is BroadcastStatus.RUNNING else None,
        )
        self._broadcasts()[broadcast.id] = broadcast
        for staff_id in dict.fromkeys(recipient_ids):
            row = DeliveryRow(self.db.next_id("broadcast_deliveries"), broadcast.id, staff_id, DeliveryStatus.PENDING)
            self._deliveries()[row.id] = row
        return broadcast.id

    async def get(self, broadcast_id: int, *, for_update: bool = False) -> Broadcast | None:
        return self._broadcasts().get(broadcast_id)

    async def list_recent(self, limit: int = 10) -> list[Broadcast]:
        return sorted(self._broadcasts().values(), key=lambda b: -b.id)[:limit]

    async def set_status(self, broadcast_id: int, status: BroadcastStatus, now: datetime) -> None:
        values: dict[str, Any] = {"status": status}
        if status is BroadcastStatus.RUNNING:
            values.update(started_at=now, finished_at=None)
        elif status in (BroadcastStatus.COMPLETED, BroadcastStatus.CANCELLED):
            values["finished_at"] = now
        self._broadcasts()[broadcast_id] = replace(self._broadcasts()[broadcast_id], **values)

    async def start_due(self, now: datetime) -> list[int]:
        started = []
        for broadcast in sorted(self._broadcasts().values(), key=lambda b: b.id):
            if broadcast.status is BroadcastStatus.SCHEDULED and broadcast.scheduled_at is not None and broadcast.scheduled_at <= now:
                self._broadcasts()[broadcast.id] = replace(broadcast, status=BroadcastStatus.RUNNING, started_at=now)
                started.append(broadcast.id)
        return started

    async def complete_finished(self, broadcast_ids: Sequence[int], now: datetime) -> list[int]:
        done = []
        for broadcast_id in sorted(set(broadcast_ids)):
            broadcast = self._broadcasts()[broadcast_id]
            open_left = any(d.broadcast_id == broadcast_id and d.status in _OPEN for d in self._deliveries().values())
            if broadcast.status is BroadcastStatus.RUNNING and not open_left:
                self._broadcasts()[broadcast_id] = replace(broadcast, status=BroadcastStatus.COMPLETED, finished_at=now)
                done.append(broadcast_id)
        return done

    # -- the deliveries -----------------------------------------------------------------------
    async def claim(self, instance: str, now: datetime, expired_before: datetime, limit: int) -> list[ClaimedDelivery]:
        running = {b.id for b in self._broadcasts().values() if b.status is BroadcastStatus.RUNNING}
        rows = sorted((d for d in self._deliveries().values() if d.broadcast_id in running), key=lambda d: d.id)
        expired = [d for d in rows if d.status is DeliveryStatus.SENDING and d.claimed_at is not None and d.claimed_at < expired_before]
        pending = [d for d in rows if d.status is DeliveryStatus.PENDING and (d.claimed_at is None or d.claimed_at <= now)]
        claimed = []
        for row in (expired + pending)[:limit]:
            self._update(row, status=DeliveryStatus.SENDING, claimed_by=instance, claimed_at=now, claims=row.claims + 1)
            claimed.append(ClaimedDelivery(row.id, row.broadcast_id, row.staff_id, row.claims + 1))
        return sorted(claimed, key=lambda c: c.id)

    async def record(self, outcomes: Sequence[tuple[ClaimedDelivery, Outcome]], instance: str, now: datetime) -> int:
        written = 0
        for claim, outcome in outcomes:
            row = self._deliveries().get(claim.id)
            if row is None or row.claims != claim.claims or row.status is not DeliveryStatus.SENDING:
                continue  # another worker holds a newer claim
            if outcome.status is DeliveryStatus.PENDING:  # given back unsent
                self._update(
                    row, status=DeliveryStatus.PENDING, reason=outcome.reason or None, claimed_by=None,
                    claimed_at=now + timedelta(seconds=outcome.retry_after_seconds), claims=row.claims - 1,
                )
                written += 1
                continue
            self._update(
                row, status=outcome.status, reason=outcome.reason or None, activity_id=outcome.activity_id, claimed_by=instance,
                sent_at=now if outcome.status is DeliveryStatus.SENT else None,
            )
            written += 1
        return written

    async def cancel_pending(self, broadcast_id: int, now: datetime) -> int:
        pending = [d for d in self._deliveries().values() if d.broadcast_id == broadcast_id and d.status is DeliveryStatus.PENDING]
        for row in pending:
            self._update(row, status=DeliveryStatus.CANCELLED)
        return len(pending)

    async def reset_failed(self, broadcast_id: int, now: datetime) -> int:
        failed = [d for d in self._deliveries().values() if d.broadcast_id == broadcast_id and d.status is DeliveryStatus.FAILED]
        for row in failed:
            self._update(row, status=DeliveryStatus.PENDING, reason=None, claimed_at=None)
        return len(failed)

    async def progress(self, broadcast_id: int) -> Progress:
        return Progress.from_counts(Counter(d.status for d in self._deliveries().values() if d.broadcast_id == broadcast_id))

    async def list_deliveries(self, broadcast_id: int) -> list[Delivery]:
        staff: dict[int, Staff] = self.db.table("staff")
        rows = [d for d in self._deliveries().values() if d.broadcast_id == broadcast_id and d.staff_id in staff]
        rows.sort(key=lambda d: (staff[d.staff_id].display_name, d.id))
        return [
            Delivery(d.staff_id, staff[d.staff_id].display_name, staff[d.staff_id].email, staff[d.staff_id].entity_code,
                     d.status, d.reason, d.claims, d.sent_at)
            for d in rows
        ]

    async def audience_of(self, staff_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        staff: dict[int, Staff] = self.db.table("staff")
        return {i: (staff[i].aad_object_id, staff[i].language) for i in staff_ids if i in staff}
