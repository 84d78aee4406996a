"""The outbox: add in a use case's transaction; claim, finish and retry in the dispatcher's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Integer, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.notifications import ClaimedNotification, DeliveryStatus, Notice, Sent, UnsentNotice
from storage.models.base import utcnow
from storage.models.outbox import OutboxRow
from storage.repositories.core import CoreStatements, PendingInsert

N = TypeVar("N", bound=Notice)

# The dispatcher's statements, built once: each notification's delivery runs them, and building an
# UPDATE from the mapped attributes cost more than executing it.
_OUTBOX = OutboxRow.__table__
_DUE = (
    select(_OUTBOX.c.id)
    .where(
        _OUTBOX.c.status == DeliveryStatus.PENDING.value, _OUTBOX.c.due_at <= bindparam("now"),
        or_(_OUTBOX.c.claimed_until.is_(None), _OUTBOX.c.claimed_until < bindparam("now")),
    )
    .order_by(_OUTBOX.c.id)
    .limit(bindparam("limit", type_=Integer))
    .with_for_update(skip_locked=True)
)
_CLAIM = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(_DUE))
    .values(claimed_by=bindparam("instance", type_=_OUTBOX.c.claimed_by.type), claimed_until=bindparam("lease_until", type_=_OUTBOX.c.claimed_until.type))
    .returning(_OUTBOX.c.id, _OUTBOX.c.recipient_id, _OUTBOX.c.kind, _OUTBOX.c.payload, _OUTBOX.c.attempts, _OUTBOX.c.correlation_id)
)
_FINISH = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("notification_id"), _OUTBOX.c.claimed_by == bindparam("instance"))
    .values(
        status=bindparam("outcome", type_=_OUTBOX.c.status.type), sent_at=bindparam("delivered_at", type_=_OUTBOX.c.sent_at.type),
        activity_id=bindparam("delivered_activity_id", type_=_OUTBOX.c.activity_id.type),
        last_error=bindparam("error", type_=_OUTBOX.c.last_error.type),
        claimed_by=None, claimed_until=None, attempts=_OUTBOX.c.attempts + 1,
    )
)


class OutboxRepository:
    """Notices are written with the unit of work's commit (`PendingInsert`)."""

    def __init__(self, session: AsyncSession, correlation_id: str | None = None, sql: CoreStatements | None = None) -> None:
        self.session = session
        self.correlation_id = correlation_id
        self.sql = sql or CoreStatements(session)
        self.added = 0
        self._pending = PendingInsert(OutboxRow.__table__, self.sql)

    async def add(self, recipient_id: int, notice: Notice, due_at: datetime) -> None:
        self._pending.add({
            "kind": notice.kind, "recipient_id": recipient_id, "payload": notice.model_dump(mode="json"),
            "status": DeliveryStatus.PENDING.value, "due_at": due_at, "created_at": utcnow(), "attempts": 0,
            "correlation_id": self.correlation_id,
        })
        self.added += 1

    async def flush(self) -> None:
        """Write what was recorded (the unit of work calls this before it commits)."""
        await self._pending.flush()

    def discard(self) -> None:
        self._pending.discard()
        self.added = 0

    async def unsent(self, notice_type: type[N], recipient_ids: Sequence[int], now: datetime) -> list[UnsentNotice[N]]:
        if not recipient_ids:
            return []
        rows = await self.session.scalars(
            select(OutboxRow)
            .where(
                OutboxRow.kind == notice_type.kind, OutboxRow.recipient_id.in_(list(recipient_ids)),
                OutboxRow.status == DeliveryStatus.PENDING, OutboxRow.attempts == 0,
                or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now),
            )
            .order_by(OutboxRow.id)
            .with_for_update(skip_locked=True)
        )
        return [UnsentNotice(row.id, row.recipient_id, notice_type.model_validate(row.payload), row.due_at) for row in rows]

    async def withdraw(self, notification_ids: Sequence[int]) -> None:
        if notification_ids:
            await self.session.execute(
                delete(OutboxRow).where(OutboxRow.id.in_(list(notification_ids)), OutboxRow.status == DeliveryStatus.PENDING)
            )

    async def claim(self, instance: str, now: datetime, lease: timedelta, limit: int) -> list[ClaimedNotification]:
        """Take a lease on up to `limit` due rows nobody else holds, in one statement (an UPDATE of
        the rows a SKIP LOCKED sub-select picks on PostgreSQL), so it needs no transaction of its
        own."""
        claimed = await self.sql.execute(_CLAIM, {"instance": instance, "now": now, "lease_until": now + lease, "limit": limit})
        return sorted((ClaimedNotification(*row) for row in claimed), key=lambda item: item.id)

    async def finish(
        self, notification_id: int, instance: str, status: DeliveryStatus, now: datetime, *,
        sent: Sent | None = None, error: str | None = None,
    ) -> bool:
        """Record the outcome; False when this instance no longer holds the lease."""
        result = await self.sql.execute(_FINISH, {
            "notification_id": notification_id, "instance": instance, "outcome": status.value,
            "delivered_at": now if status == DeliveryStatus.SENT else None, "delivered_activity_id": sent.activity_id if sent else None,
            "error": error[:500] if error else None,
        })
        return bool(result.rowcount)

    async def retry_later(self, notification_id: int, instance: str, due_at: datetime, error: str) -> None:
        await self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == notification_id, OutboxRow.claimed_by == instance)
            .values(due_at=due_at, last_error=error[:500], claimed_by=None, claimed_until=None, attempts=OutboxRow.attempts + 1)
        )

    async def release(self, instance: str) -> None:
        """Give back every lease this instance holds (a clean shutdown)."""
        await self.session.execute(
            update(OutboxRow).where(OutboxRow.claimed_by == instance, OutboxRow.status == DeliveryStatus.PENDING)
            .values(claimed_by=None, claimed_until=None)
        )

    async def count_waiting(self, now: datetime) -> int:
        """Rows due now that are not delivered yet (claimed or not)."""
        return await self.session.scalar(
            select(func.count()).select_from(OutboxRow)
            .where(and_(OutboxRow.status == DeliveryStatus.PENDING, OutboxRow.due_at <= now))
        ) or 0

    async def next_due(self) -> datetime | None:
        return await self.session.scalar(
            select(func.min(OutboxRow.due_at)).where(OutboxRow.status == DeliveryStatus.PENDING)
        )
