"""Approval rules: who may decide, deputies' validity, working days for reminders and escalation."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.calendar import working_days_between
from bot.domain.errors import InvalidInput
from bot.domain.policy import EntityPolicy
from bot.domain.staff import Role, Staff

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
CANCELLED = "cancelled"
STATUSES = (PENDING, APPROVED, REJECTED, CANCELLED)
DECISIONS = {"approve": APPROVED, "reject": REJECTED}

MAX_COMMENT_LENGTH = 1000
MAX_DEPUTY_DAYS = 366


@dataclass(frozen=True)
class Approval:
    id: int
    subject_type: str
    subject_id: int
    requester_id: int
    approver_id: int
    status: str
    created_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None
    comment: str | None = None
    escalated_at: datetime | None = None
    reminded_at: datetime | None = None
    card_activity_id: str | None = None
    card_conversation_id: str | None = None

    @property
    def is_pending(self) -> bool:
        return self.status == PENDING


@dataclass(frozen=True)
class Deputy:
    id: int
    manager_id: int
    deputy_id: int
    valid_from: date
    valid_until: date  # inclusive

    def active_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


def deciders_of(approval: Approval, requester: Staff) -> set[int]:
    """The people who decide by position: the current approver and the requester's own manager.
    Their active deputies and admins may decide too (see may_decide)."""
    ids = {approval.approver_id}
    if requester.manager_id is not None:
        ids.add(requester.manager_id)
    return ids


def may_decide(actor: Staff, approval: Approval, requester: Staff, deputised_for: Container[int]) -> bool:
    """Only the manager (or the approver after escalation), an active deputy of one of them, or an
    admin may decide; nobody decides their own request."""
    if actor.id == approval.requester_id:
        return False
    if actor.has(Role.ADMIN):
        return True
    return any(person == actor.id or person in deputised_for for person in deciders_of(approval, requester))


def may_view(actor: Staff, approval: Approval, requester: Staff, deputised_for: Container[int]) -> bool:
    return actor.id == approval.requester_id or may_decide(actor, approval, requester, deputised_for)


def check_comment(comment: str | None) -> str | None:
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput("approvals.comment_too_long", limit=MAX_COMMENT_LENGTH)
    return comment or None


def check_deputy(manager: Staff, deputy: Staff, valid_from: date, valid_until: date, today: date) -> None:
    """A deputy is another colleague in service, for a period that has not ended and is at most a year."""
    if deputy.id == manager.id:
        raise InvalidInput("approvals.deputy_self")
    if not deputy.in_service_on(today):
        raise InvalidInput("approvals.deputy_not_in_service")
    if valid_until < valid_from:
        raise InvalidInput("approvals.deputy_dates_order")
    if valid_until < today:
        raise InvalidInput("approvals.deputy_in_past")
    if (valid_until - valid_from).days >= MAX_DEPUTY_DAYS:
        raise InvalidInput("approvals.deputy_too_long", days=MAX_DEPUTY_DAYS)


def thresholds(policy: EntityPolicy, subject_type: str) -> tuple[int, int]:
    """(remind after, escalate after) in working days; home-work days keep their own settings."""
    if subject_type == "homework_day":
        return policy.homework.reminder_after_working_days, policy.homework.escalate_after_working_days
    return policy.approvals.reminder_after_working_days, policy.approvals.escalate_after_working_days


def reminder_due(approval: Approval, today: date, created_on: date, after_days: int) -> bool:
    return (
        approval.is_pending and approval.reminded_at is None and after_days > 0
        and working_days_between(created_on, today) >= after_days
    )


def escalation_due(approval: Approval, today: date, created_on: date, after_days: int) -> bool:
    return (
        approval.is_pending and approval.escalated_at is None and after_days > 0
        and working_days_between(created_on, today) >= after_days
    )
