"""Broadcasts and their outbox: creation, claiming under a lease, outcomes, progress, report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.broadcasts import (
    Broadcast,
    BroadcastStatus,
    ClaimedDelivery,
    Delivery,
    DeliveryStatus,
    Outcome,
    Progress,
)
from storage.models.broadcasts import BroadcastDeliveryRow, BroadcastRow
from storage.models.directory import EntityRow, StaffRow

_OPEN_DELIVERY = (DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value)
_INSERT_CHUNK = 1000


def _domain(row: BroadcastRow) -> Broadcast:
    return Broadcast(
        id=row.id, kind=row.kind, title=row.title, payload=dict(row.payload or {}), created_by=row.created_by,
        created_at=row.created_at, scheduled_at=row.scheduled_at, status=BroadcastStatus(row.status),
        started_at=row.started_at, finished_at=row.finished_at,
    )


class BroadcastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._postgres = session.bind is not None and session.bind.dialect.name == "postgresql"

    # -- the broadcast ------------------------------------------------------------------------
    async def add(
        self, *, kind: str, title: str, payload: dict[str, Any], created_by: int, created_at: datetime,
        scheduled_at: datetime | None, status: BroadcastStatus, recipient_ids: Sequence[int],
    ) -> int:
        row = BroadcastRow(
            kind=kind, title=title, payload=payload, created_by=created_by, created_at=created_at,
            scheduled_at=scheduled_at, status=status.value,
            started_at=created_at if status == BroadcastStatus.RUNNING else None,
        )
        self.session.add(row)
        await self.session.flush()
        table = BroadcastDeliveryRow.__table__
        ids = list(dict.fromkeys(recipient_ids))
        for start in range(0, len(ids), _INSERT_CHUNK):
            await self.session.execute(
                table.insert(),
                [
                    {"broadcast_id": row.id, "staff_id": staff_id, "status": DeliveryStatus.PENDING.value,
                     "claims": 0, "updated_at": created_at}
                    for staff_id in ids[start:start + _INSERT_CHUNK]
                ],
            )
        return row.id

    async def get(self, broadcast_id: int, *, for_update: bool = False) -> Broadcast | None:
        query = select(BroadcastRow).where(BroadcastRow.id == broadcast_id)
        if for_update:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return _domain(row) if row else None

    async def list_recent(self, limit: int = 10) -> list[Broadcast]:
        rows = await self.session.scalars(select(BroadcastRow).order_by(BroadcastRow.id.desc()).limit(limit))
        return [_domain(row) for row in rows]

    async def set_status(self, broadcast_id: int, status: BroadcastStatus, now: datetime) -> None:
        values: dict[str, Any] = {"status": status.value}
        if status == BroadcastStatus.RUNNING:
            values.update(started_at=now, finished_at=None)
        elif status in (BroadcastStatus.COMPLETED, BroadcastStatus.CANCELLED):
            values["finished_at"] = now
        await self.session.execute(update(BroadcastRow).where(BroadcastRow.id == broadcast_id).values(**values))

    async def start_due(self, now: datetime) -> list[int]:
        """Scheduled broadcasts whose time has come become running; returns their ids."""
        result = await self.session.execute(
            update(BroadcastRow)
            .where(BroadcastRow.status == BroadcastStatus.SCHEDULED.value, BroadcastRow.scheduled_at <= now)
            .values(status=BroadcastStatus.RUNNING.value, started_at=now)
            .returning(BroadcastRow.id)
        )
        return list(result.scalars())

    async def complete_finished(self, broadcast_ids: Sequence[int], now: datetime) -> list[int]:
        """Running broadcasts with no open delivery left become completed; returns their ids."""
        if not broadcast_ids:
            return []
        open_left = exists().where(
            BroadcastDeliveryRow.broadcast_id == BroadcastRow.id, BroadcastDeliveryRow.status.in_(_OPEN_DELIVERY)
        )
        result = await self.session.execute(
            update(BroadcastRow)
            .where(BroadcastRow.id.in_(list(set(broadcast_ids))), BroadcastRow.status == BroadcastStatus.RUNNING.value, ~open_left)
            .values(status=BroadcastStatus.COMPLETED.value, finished_at=now)
            .returning(BroadcastRow.id)
        )
        return list(result.scalars())

    # -- the outbox ---------------------------------------------------------------------------
    async def claim(self, instance: str, now: datetime, expired_before: datetime, limit: int) -> list[ClaimedDelivery]:
        """Take up to `limit` deliveries of running broadcasts: first those whose lease expired (a
        worker stopped while holding them), then pending ones in order. PostgreSQL skips rows other
        workers are claiming (FOR UPDATE SKIP LOCKED); SQLite has one writer (BEGIN IMMEDIATE)."""
        running = select(BroadcastRow.id).where(BroadcastRow.status == BroadcastStatus.RUNNING.value)
        claimed: list[ClaimedDelivery] = []
        conditions = (
            and_(BroadcastDeliveryRow.status == DeliveryStatus.SENDING.value, BroadcastDeliveryRow.claimed_at < expired_before),
            # A pending row given back unsent carries in claimed_at the time it may be claimed again.
            and_(
                BroadcastDeliveryRow.status == DeliveryStatus.PENDING.value,
                or_(BroadcastDeliveryRow.claimed_at.is_(None), BroadcastDeliveryRow.claimed_at <= now),
            ),
        )
        for condition in conditions:
            wanted = limit - len(claimed)
            if wanted <= 0:
                break
            candidates = (
                select(BroadcastDeliveryRow.id)
                .where(condition, BroadcastDeliveryRow.broadcast_id.in_(running))
                .order_by(BroadcastDeliveryRow.id)
                .limit(wanted)
            )
            if self._postgres:
                candidates = candidates.with_for_update(skip_locked=True, of=BroadcastDeliveryRow)
            result = await self.session.execute(
                update(BroadcastDeliveryRow)
                .where(BroadcastDeliveryRow.id.in_(candidates.scalar_subquery()))
                .values(
                    status=DeliveryStatus.SENDING.value, claimed_by=instance, claimed_at=now,
                    claims=BroadcastDeliveryRow.claims + 1, updated_at=now,
                )
                .returning(
                    BroadcastDeliveryRow.id, BroadcastDeliveryRow.broadcast_id, BroadcastDeliveryRow.staff_id,
                    BroadcastDeliveryRow.claims,
                )
                .execution_options(synchronize_session=False)
            )
            claimed.extend(ClaimedDelivery(*row) for row in result.tuples())
        claimed.sort(key=lambda item: item.id)
        return claimed

    async def record(self, outcomes: Sequence[tuple[ClaimedDelivery, Outcome]], instance: str, now: datetime) -> int:
        """Write final statuses. Only the claim a worker holds is written (same claim count, still
        sending), so a worker whose lease was taken over cannot overwrite the newer claim. A PENDING
        outcome gives the claim back unsent: the claim is not counted (nothing can have arrived)
        and the row waits `retry_after_seconds` before it is claimed again."""
        if not outcomes:
            return 0
        table = BroadcastDeliveryRow.__table__
        held = (table.c.id == bindparam("b_id"), table.c.claims == bindparam("b_claims"), table.c.status == DeliveryStatus.SENDING.value)
        final = [
            {
                "b_id": claim.id, "b_claims": claim.claims, "b_status": outcome.status.value,
                "b_reason": (outcome.reason or None) and outcome.reason[:500], "b_activity": outcome.activity_id,
                "b_sent_at": now if outcome.status == DeliveryStatus.SENT else None,
            }
            for claim, outcome in outcomes if outcome.status != DeliveryStatus.PENDING
        ]
        given_back = [
            {
                "b_id": claim.id, "b_claims": claim.claims, "b_uncounted": claim.claims - 1,
                "b_reason": (outcome.reason or None) and outcome.reason[:500],
                "b_not_before": now + timedelta(seconds=outcome.retry_after_seconds),
            }
            for claim, outcome in outcomes if outcome.status == DeliveryStatus.PENDING
        ]
        written = 0
        if final:
            result = await self.session.execute(
                table.update().where(*held).values(
                    status=bindparam("b_status"), reason=bindparam("b_reason"), activity_id=bindparam("b_activity"),
                    sent_at=bindparam("b_sent_at"), updated_at=now, claimed_by=instance,
                ),
                final,
            )
            written += result.rowcount if result.rowcount is not None and result.rowcount >= 0 else len(final)
        if given_back:
            result = await self.session.execute(
                table.update().where(*held).values(
                    status=DeliveryStatus.PENDING.value, reason=bindparam("b_reason"), claimed_by=None,
                    claimed_at=bindparam("b_not_before"), claims=bindparam("b_uncounted"), updated_at=now,
                ),
                given_back,
            )
            written += result.rowcount if result.rowcount is not None and result.rowcount >= 0 else len(given_back)
        return written

    async def cancel_pending(self, broadcast_id: int, now: datetime) -> int:
        result = await self.session.execute(
            update(BroadcastDeliveryRow)
            .where(BroadcastDeliveryRow.broadcast_id == broadcast_id, BroadcastDeliveryRow.status == DeliveryStatus.PENDING.value)
            .values(status=DeliveryStatus.CANCELLED.value, updated_at=now)
        )
        return result.rowcount or 0

    async def reset_failed(self, broadcast_id: int, now: datetime) -> int:
        result = await self.session.execute(
            update(BroadcastDeliveryRow)
            .where(BroadcastDeliveryRow.broadcast_id == broadcast_id, BroadcastDeliveryRow.status == DeliveryStatus.FAILED.value)
            .values(status=DeliveryStatus.PENDING.value, reason=None, claimed_at=None, updated_at=now)
        )
        return result.rowcount or 0

    async def progress(self, broadcast_id: int) -> Progress:
        rows = await self.session.execute(
            select(BroadcastDeliveryRow.status, func.count())
            .where(BroadcastDeliveryRow.broadcast_id == broadcast_id)
            .group_by(BroadcastDeliveryRow.status)
        )
        return Progress.from_counts({DeliveryStatus(status): count for status, count in rows.tuples()})

    async def list_deliveries(self, broadcast_id: int) -> list[Delivery]:
        rows = await self.session.execute(
            select(
                BroadcastDeliveryRow.staff_id, StaffRow.display_name, StaffRow.email, EntityRow.code,
                BroadcastDeliveryRow.status, BroadcastDeliveryRow.reason, BroadcastDeliveryRow.claims,
                BroadcastDeliveryRow.sent_at,
            )
            .join(StaffRow, StaffRow.id == BroadcastDeliveryRow.staff_id)
            .join(EntityRow, EntityRow.id == StaffRow.entity_id)
            .where(BroadcastDeliveryRow.broadcast_id == broadcast_id)
            .order_by(StaffRow.display_name, BroadcastDeliveryRow.id)
        )
        return [
            Delivery(staff_id, name, email, entity, DeliveryStatus(status), reason, claims, sent_at)
            for staff_id, name, email, entity, status, reason, claims, sent_at in rows.tuples()
        ]

    async def audience_of(self, staff_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """Azure AD object id and preferred language per staff id (what a worker needs to send)."""
        if not staff_ids:
            return {}
        rows = await self.session.execute(
            select(StaffRow.id, StaffRow.aad_object_id, StaffRow.language).where(StaffRow.id.in_(list(staff_ids)))
        )
        return {staff_id: (aad, language) for staff_id, aad, language in rows.tuples()}
