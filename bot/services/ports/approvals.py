"""The approvals repository as the use cases see it (implemented in storage/repositories/approvals.py),
and what an area whose requests need a manager's yes provides (an approval subject)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from bot.domain.approvals import Approval, ApprovalStatus, Deputy, SubjectSummary
from bot.domain.staff import Staff

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitOfWork


class ApprovalRepository(Protocol):
    async def add(
        self, *, subject_type: str, subject_id: int, requester_id: int, approver_id: int, created_at: datetime
    ) -> Approval: ...

    async def get(self, approval_id: int, *, for_update: bool = False) -> Approval | None:
        """With for_update, the row stays locked until the transaction ends."""
        ...

    async def pending_for_subject(self, subject_type: str, subject_id: int) -> Approval | None: ...

    async def decide(
        self, approval_id: int, *, status: ApprovalStatus, decided_by: int, decided_at: datetime, comment: str | None
    ) -> Approval | None:
        """Record a decision only while the approval is pending: the decided approval, or None
        when someone was first."""
        ...

    async def set_card(self, approval_id: int, activity_id: str | None, conversation_id: str | None, *, approver_id: int) -> None:
        """Keep the approver's card, unless the approval has another approver by now."""
        ...

    async def claim_reminder(self, approval_id: int, now: datetime) -> bool:
        """Mark the reminder sent; only the first caller gets True."""
        ...

    async def claim_escalation(self, approval_id: int, new_approver_id: int, now: datetime) -> bool:
        """Hand the approval to the escalation approver; only the first caller gets True."""
        ...

    async def list_pending(self, *, limit: int = 500) -> list[Approval]: ...

    async def list_pending_for_deciders(self, decider_ids: Iterable[int], *, limit: int = 50) -> list[Approval]:
        """Pending approvals assigned to one of these people or requested by one of their reports."""
        ...

    async def add_deputy(self, manager_id: int, deputy_id: int, valid_from: date, valid_until: date, now: datetime) -> Deputy: ...

    async def get_deputy(self, deputy_row_id: int) -> Deputy | None: ...

    async def remove_deputy(self, deputy_row_id: int) -> bool: ...

    async def list_deputies(self, manager_id: int, *, current_on: date | None = None) -> list[Deputy]:
        """A manager's deputies; with current_on, those whose period has not ended by that day."""
        ...

    async def active_deputies(self, manager_ids: Iterable[int], day: date) -> list[Deputy]: ...

    async def deputised_for(self, deputy_id: int, day: date) -> set[int]:
        """The managers for whom this person is an active deputy on `day`."""
        ...


class ApprovalSubject(Protocol):
    """What an area that needs a manager's yes (home-work days, equipment) tells the approvals.

    Registered on the registry (`registry.approval_subject(...)` in bot/wiring.py); use cases find
    it as `uow.approval_subjects[subject_type]`. All three run inside the approval's transaction.
    """

    subject_type: str

    async def describe(self, uow: UnitOfWork, subject_id: int) -> SubjectSummary:
        """The facts the approval card shows (no text: the card words them)."""
        ...

    async def before_approve(self, uow: UnitOfWork, subject_id: int, *, confirmed: bool) -> None:
        """Refuse an approval with a DomainError, or ask for an "approve anyway" with
        NeedsConfirmation unless `confirmed`."""
        ...

    async def on_decided(
        self, uow: UnitOfWork, subject_id: int, status: ApprovalStatus, actor: Staff, comment: str | None, now: datetime
    ) -> None:
        """Apply the decision (approved, rejected or cancelled) to the subject."""
        ...
