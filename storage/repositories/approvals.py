"""Approvals and deputies. State changes on an approval are conditional updates (only while
pending, only once per reminder or escalation), so concurrent clicks and two bot instances agree."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.approvals import Approval, ApprovalStatus, Deputy
from storage.models.approvals import ApprovalRow, DeputyRow
from storage.models.directory import StaffRow
from storage.repositories.core import CoreStatements


def _approval(row: ApprovalRow | Row) -> Approval:
    return Approval(
        id=row.id, subject_type=row.subject_type, subject_id=row.subject_id, requester_id=row.requester_id,
        approver_id=row.approver_id, status=ApprovalStatus(row.status), created_at=row.created_at, decided_by=row.decided_by,
        decided_at=row.decided_at, comment=row.comment, escalated_at=row.escalated_at, reminded_at=row.reminded_at,
        card_activity_id=row.card_activity_id, card_conversation_id=row.card_conversation_id,
    )


# The decision path's statements, built once (SQLAlchemy keeps their compiled form) and on the
# table rather than ORM entities: no identity map or unit-of-work bookkeeping for a row that is
# read, updated and returned within one turn.
_APPROVALS = ApprovalRow.__table__
_APPROVAL_BY_ID = select(*_APPROVALS.columns).where(_APPROVALS.c.id == bindparam("approval_id"))
_APPROVAL_BY_ID_LOCKED = _APPROVAL_BY_ID.with_for_update()
_DECIDE = (
    update(_APPROVALS)
    .where(_APPROVALS.c.id == bindparam("approval_id"), _APPROVALS.c.status == ApprovalStatus.PENDING.value)
    .values(status=bindparam("new_status"), decided_by=bindparam("by"), decided_at=bindparam("at"), comment=bindparam("note"))
    .returning(*_APPROVALS.columns)
)


_DEPUTIES = DeputyRow.__table__
_ACTIVE_DEPUTIES = select(*_DEPUTIES.columns).where(
    _DEPUTIES.c.manager_id.in_(bindparam("manager_ids", expanding=True)),
    _DEPUTIES.c.valid_from <= bindparam("day"), _DEPUTIES.c.valid_until >= bindparam("day"),
)
_DEPUTISED_FOR = select(_DEPUTIES.c.manager_id).where(
    _DEPUTIES.c.deputy_id == bindparam("deputy_id"),
    _DEPUTIES.c.valid_from <= bindparam("day"), _DEPUTIES.c.valid_until >= bindparam("day"),
)


def _deputy(row: DeputyRow | Row) -> Deputy:
    return Deputy(row.id, row.manager_id, row.deputy_id, row.valid_from, row.valid_until)


class ApprovalRepository:
    def __init__(self, session: AsyncSession, sql: CoreStatements | None = None) -> None:
        self.session = session
        self.sql = sql or CoreStatements(session)
        self._ahead: dict[int, tuple[Approval, bool]] = {}

    # -- approvals ------------------------------------------------------------------------------
    async def add(
        self, *, subject_type: str, subject_id: int, requester_id: int, approver_id: int, created_at: datetime
    ) -> Approval:
        row = ApprovalRow(
            subject_type=subject_type, subject_id=subject_id, requester_id=requester_id, approver_id=approver_id,
            status=ApprovalStatus.PENDING, created_at=created_at,
        )
        self.session.add(row)
        await self.session.flush()
        return _approval(row)

    def remember(self, approval: Approval, *, locked: bool) -> None:
        """An approval read ahead (storage.repositories.read_ahead), locked or not: the next `get`
        of it is answered from here once, a locking one only when the read ahead locked."""
        self._ahead[approval.id] = (approval, locked)

    async def get(self, approval_id: int, *, for_update: bool = False) -> Approval | None:
        """With for_update, PostgreSQL locks the row until the transaction ends (SQLite already
        serialises writers with BEGIN IMMEDIATE)."""
        ahead = self._ahead.pop(approval_id, None)
        if ahead is not None and (ahead[1] or not for_update):
            return ahead[0]
        statement = _APPROVAL_BY_ID_LOCKED if for_update else _APPROVAL_BY_ID
        row = (await self.sql.execute(statement, {"approval_id": approval_id})).first()
        return _approval(row) if row else None

    async def pending_for_subject(self, subject_type: str, subject_id: int) -> Approval | None:
        row = await self.session.scalar(
            select(ApprovalRow)
            .where(ApprovalRow.subject_type == subject_type, ApprovalRow.subject_id == subject_id, ApprovalRow.status == ApprovalStatus.PENDING)
            .order_by(ApprovalRow.id.desc())
            .limit(1)
        )
        return _approval(row) if row else None

    async def decide(
        self, approval_id: int, *, status: ApprovalStatus, decided_by: int, decided_at: datetime, comment: str | None
    ) -> Approval | None:
        """Record a decision only while the approval is pending: the decided approval, or None when
        someone was first."""
        result = await self.sql.execute(
            _DECIDE, {"approval_id": approval_id, "new_status": status.value, "by": decided_by, "at": decided_at, "note": comment}
        )
        row = result.first()
        return _approval(row) if row else None

    async def set_card(self, approval_id: int, activity_id: str | None, conversation_id: str | None, *, approver_id: int) -> None:
        """Keep the approver's card; a card delivered after an escalation changed the approver is
        not theirs to keep."""
        await self.session.execute(
            update(ApprovalRow)
            .where(ApprovalRow.id == approval_id, ApprovalRow.approver_id == approver_id)
            .values(card_activity_id=activity_id, card_conversation_id=conversation_id)
        )

    async def claim_reminder(self, approval_id: int, now: datetime) -> bool:
        """Mark the reminder sent; only the first caller (instance, run) gets True."""
        result = await self.session.execute(
            update(ApprovalRow)
            .where(ApprovalRow.id == approval_id, ApprovalRow.status == ApprovalStatus.PENDING, ApprovalRow.reminded_at.is_(None))
            .values(reminded_at=now)
        )
        return result.rowcount == 1

    async def claim_escalation(self, approval_id: int, new_approver_id: int, now: datetime) -> bool:
        """Hand the approval to the escalation approver; only the first caller gets True. A fresh
        card goes to the new approver, so its activity id replaces the old one."""
        result = await self.session.execute(
            update(ApprovalRow)
            .where(ApprovalRow.id == approval_id, ApprovalRow.status == ApprovalStatus.PENDING, ApprovalRow.escalated_at.is_(None))
            .values(approver_id=new_approver_id, escalated_at=now)
        )
        return result.rowcount == 1

    async def list_pending(self, *, limit: int = 500) -> list[Approval]:
        rows = await self.session.scalars(
            select(ApprovalRow).where(ApprovalRow.status == ApprovalStatus.PENDING).order_by(ApprovalRow.created_at, ApprovalRow.id).limit(limit)
        )
        return [_approval(row) for row in rows]

    async def list_pending_for_deciders(self, decider_ids: Iterable[int], *, limit: int = 50) -> list[Approval]:
        """Pending approvals assigned to one of these people or requested by one of their reports."""
        ids = list(set(decider_ids))
        if not ids:
            return []
        reports = select(StaffRow.id).where(StaffRow.manager_id.in_(ids))
        rows = await self.session.scalars(
            select(ApprovalRow)
            .where(ApprovalRow.status == ApprovalStatus.PENDING, or_(ApprovalRow.approver_id.in_(ids), ApprovalRow.requester_id.in_(reports)))
            .order_by(ApprovalRow.created_at, ApprovalRow.id)
            .limit(limit)
        )
        return [_approval(row) for row in rows]

    # -- deputies -------------------------------------------------------------------------------
    async def add_deputy(self, manager_id: int, deputy_id: int, valid_from: date, valid_until: date, now: datetime) -> Deputy:
        row = DeputyRow(manager_id=manager_id, deputy_id=deputy_id, valid_from=valid_from, valid_until=valid_until, created_at=now)
        self.session.add(row)
        await self.session.flush()
        return _deputy(row)

    async def get_deputy(self, deputy_row_id: int) -> Deputy | None:
        row = await self.session.get(DeputyRow, deputy_row_id)
        return _deputy(row) if row else None

    async def remove_deputy(self, deputy_row_id: int) -> bool:
        result = await self.session.execute(delete(DeputyRow).where(DeputyRow.id == deputy_row_id))
        return result.rowcount == 1

    async def list_deputies(self, manager_id: int, *, current_on: date | None = None) -> list[Deputy]:
        """A manager's deputies; with current_on, those whose period has not ended by that day."""
        query = select(DeputyRow).where(DeputyRow.manager_id == manager_id)
        if current_on is not None:
            query = query.where(DeputyRow.valid_until >= current_on)
        rows = await self.session.scalars(query.order_by(DeputyRow.valid_from, DeputyRow.id))
        return [_deputy(row) for row in rows]

    async def active_deputies(self, manager_ids: Iterable[int], day: date) -> list[Deputy]:
        ids = list(set(manager_ids))
        if not ids:
            return []
        rows = await self.sql.execute(_ACTIVE_DEPUTIES, {"manager_ids": ids, "day": day})
        return [_deputy(row) for row in rows]

    async def deputised_for(self, deputy_id: int, day: date) -> set[int]:
        """The managers for whom this person is an active deputy on `day`."""
        return set((await self.sql.execute(_DEPUTISED_FOR, {"deputy_id": deputy_id, "day": day})).scalars())
