"""Approvals and deputies in memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.domain.approvals import Approval, ApprovalStatus, Deputy

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase


class FakeApprovalRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _approvals(self) -> dict[int, Approval]:
        return self.db.table("approvals")

    def _deputies(self) -> dict[int, Deputy]:
        return self.db.table("deputies")

    def _pending(self) -> list[Approval]:
        return sorted((a for a in self._approvals().values() if a.is_pending), key=lambda a: (a.created_at, a.id))

    def _update(self, approval_id: int, **values: object) -> None:
        self._approvals()[approval_id] = replace(self._approvals()[approval_id], **values)  # type: ignore[arg-type]

    # -- approvals ------------------------------------------------------------------------------
    async def add(
        self, *, subject_type: str, subject_id: int, requester_id: int, approver_id: int, created_at: datetime
    ) -> Approval:
        approval = Approval(
            id=self.db.next_id("approvals"), subject_type=subject_type, subject_id=subject_id, requester_id=requester_id,
            approver_id=approver_id, status=ApprovalStatus.PENDING, created_at=created_at,
        )
        self._approvals()[approval.id] = approval
        return approval

    async def get(self, approval_id: int, *, for_update: bool = False) -> Approval | None:
        return self._approvals().get(approval_id)

    async def pending_for_subject(self, subject_type: str, subject_id: int) -> Approval | None:
        found = [a for a in self._pending() if (a.subject_type, a.subject_id) == (subject_type, subject_id)]
        return max(found, key=lambda a: a.id) if found else None

    async def decide(
        self, approval_id: int, *, status: ApprovalStatus, decided_by: int, decided_at: datetime, comment: str | None
    ) -> Approval | None:
        approval = self._approvals().get(approval_id)
        if approval is None or not approval.is_pending:
            return None
        self._update(approval_id, status=status, decided_by=decided_by, decided_at=decided_at, comment=comment)
        return self._approvals()[approval_id]

    async def set_card(self, approval_id: int, activity_id: str | None, conversation_id: str | None, *, approver_id: int) -> None:
        approval = self._approvals().get(approval_id)
        if approval is not None and approval.approver_id == approver_id:
            self._update(approval_id, card_activity_id=activity_id, card_conversation_id=conversation_id)

    async def claim_reminder(self, approval_id: int, now: datetime) -> bool:
        approval = self._approvals().get(approval_id)
        if approval is None or not approval.is_pending or approval.reminded_at is not None:
            return False
        self._update(approval_id, reminded_at=now)
        return True

    async def claim_escalation(self, approval_id: int, new_approver_id: int, now: datetime) -> bool:
        approval = self._approvals().get(approval_id)
        if approval is None or not approval.is_pending or approval.escalated_at is not None:
            return False
        self._update(approval_id, approver_id=new_approver_id, escalated_at=now)
        return True

    async def list_pending(self, *, limit: int = 500) -> list[Approval]:
        return self._pending()[:limit]

    async def list_pending_for_deciders(self, decider_ids: Iterable[int], *, limit: int = 50) -> list[Approval]:
        ids = set(decider_ids)
        reports = {s.id for s in self.db.table("staff").values() if s.manager_id in ids}
        return [a for a in self._pending() if a.approver_id in ids or a.requester_id in reports][:limit]

    # -- deputies -------------------------------------------------------------------------------
    async def add_deputy(self, manager_id: int, deputy_id: int, valid_from: date, valid_until: date, now: datetime) -> Deputy:
        deputy = Deputy(self.db.next_id("deputies"), manager_id, deputy_id, valid_from, valid_until)
        self._deputies()[deputy.id] = deputy
        return deputy

    async def get_deputy(self, deputy_row_id: int) -> Deputy | None:
        return self._deputies().get(deputy_row_id)

    async def remove_deputy(self, deputy_row_id: int) -> bool:
        return self._deputies().pop(deputy_row_id, None) is not None

    async def list_deputies(self, manager_id: int, *, current_on: date | None = None) -> list[Deputy]:
        found = [
            d for d in self._deputies().values()
            if d.manager_id == manager_id and (current_on is None or d.valid_until >= current_on)
        ]
        return sorted(found, key=lambda d: (d.valid_from, d.id))

    async def active_deputies(self, manager_ids: Iterable[int], day: date) -> list[Deputy]:
        ids = set(manager_ids)
        return [d for d in self._deputies().values() if d.manager_id in ids and d.active_on(day)]

    async def deputised_for(self, deputy_id: int, day: date) -> set[int]:
        return {d.manager_id for d in self._deputies().values() if d.deputy_id == deputy_id and d.active_on(day)}
