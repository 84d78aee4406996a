"""Approval rules: who may decide, deputies' validity, working days for reminders and escalation;
what an approval card shows (language-free) and the notices the approvals record."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ModelWrapValidatorHandler, SerializeAsAny, model_validator

from bot.domain.calendar import working_days_between
from bot.domain.equipment import Delivery, Names
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.homework import Part, Place
from bot.domain.notifications import Notice
from bot.domain.policy import EntityPolicy
from bot.domain.staff import Role, Staff

MAX_COMMENT_LENGTH = 1000
MAX_DEPUTY_DAYS = 366
MAX_BULK = 50
MAX_REFRESH_USERS = 60  # Teams' limit for refresh.userIds

# The subject types the approvals know a summary for (each subject registers under its type).
HOMEWORK_DAY = "homework_day"
EQUIPMENT_REQUEST = "equipment_request"


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Verdict(StrEnum):
    """What a decider chooses on the card."""

    APPROVE = "approve"
    REJECT = "reject"

    @property
    def status(self) -> ApprovalStatus:
        return ApprovalStatus.APPROVED if self is Verdict.APPROVE else ApprovalStatus.REJECTED


class NeedsConfirmation(DomainError):
    """Raised by a subject's before_approve when approving needs an explicit "approve anyway"
    click. `decide` attaches the card the decider should see then (`card`)."""

    key = "approvals.needs_confirmation"
    card: ApprovalView | None = None


class ReasonRequired(InvalidInput):
    """Rejecting needs a reason in the requester's entity. `decide` attaches the card to show again."""

    key = "approvals.reason_required"
    card: ApprovalView | None = None


def lacks_reason(verdict: Verdict, comment: str | None) -> bool:
    """A rejection without a reason: only then does the entity's policy matter (`reason_required`)."""
    return verdict is Verdict.REJECT and not comment


def reason_required(verdict: Verdict, comment: str | None, policy: EntityPolicy) -> bool:
    """Whether this decision still lacks the reason the entity asks for."""
    return lacks_reason(verdict, comment) and policy.approvals.reject_reason_required


class SkipReason(StrEnum):
    """Why a bulk approve left one approval alone (the i18n key of the reason)."""

    ALREADY_DECIDED = "approvals.skipped_already_decided"
    NEEDS_CONFIRMATION = "approvals.skipped_needs_confirmation"
    NOT_YOURS = "approvals.skipped_not_yours"
    BLOCKED = "approvals.skipped_blocked"


@dataclass(frozen=True)
class Approval:
    id: int
    subject_type: str
    subject_id: int
    requester_id: int
    approver_id: int
    status: ApprovalStatus
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
        return self.status == ApprovalStatus.PENDING


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
    known = decides_without_deputies(actor, approval, requester)
    if known is not None:
        return known
    return any(person in deputised_for for person in deciders_of(approval, requester))


def decides_without_deputies(actor: Staff, approval: Approval, requester: Staff) -> bool | None:
    """`may_decide` when the answer does not depend on whom the actor deputises for (the requester,
    an admin, the manager or approver themselves), else None: then the deputies have to be read."""
    if actor.id == approval.requester_id:
        return False
    if actor.has(Role.ADMIN) or actor.id in deciders_of(approval, requester):
        return True
    return None


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
    if subject_type == HOMEWORK_DAY:
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


# -- what an approval card shows, without words ---------------------------------------------------
class SubjectSummary(BaseModel):
    """What an approval is about, as facts (dates, places, items, amounts, warnings as codes),
    never text: stored inside notices and worded in the reader's language by `dialogs/cards`.

    Each subject type has its own subclass with `subject_type: Literal["..."] = "..."`; a summary
    read back from JSON becomes that subclass again.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject_type: str
    requester_id: int

    @model_validator(mode="wrap")
    @classmethod
    def _as_its_own_type(cls, value: Any, handler: ModelWrapValidatorHandler[SubjectSummary]) -> SubjectSummary:
        if cls is SubjectSummary and isinstance(value, dict):
            kind = _summary_type(value.get("subject_type"))
            if kind is not None:
                return kind.model_validate(value)
        return handler(value)


def _summary_type(subject_type: object) -> type[SubjectSummary] | None:
    pending = list(SubjectSummary.__subclasses__())
    while pending:
        kind = pending.pop()
        if kind.model_fields["subject_type"].default == subject_type:
            return kind
        pending.extend(kind.__subclasses__())
    return None


class HomeworkDaySummary(SubjectSummary):
    """A home (or satellite) day waiting for the manager."""

    subject_type: Literal["homework_day"] = "homework_day"
    staff_name: str
    day: date
    place: Place
    part: Part
    location: str | None = None
    anchor_day: bool = False  # the team's anchor day
    office_days_left: Decimal | None = None  # set when the week falls below the team's minimum
    minimum_office_days: int | None = None


class EquipmentLineFact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    names: Names
    quantity: int
    unit_price: Decimal
    cost: Decimal


class BudgetFact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    category: Names
    year: int
    amount: Decimal | None  # None: no budget for this category and year
    remaining: Decimal


class EquipmentRequestSummary(SubjectSummary):
    """An equipment request waiting for the manager, with the budget while it waits."""

    subject_type: Literal["equipment_request"] = "equipment_request"
    lines: tuple[EquipmentLineFact, ...]
    total: Decimal
    justification: str | None = None
    delivery: Delivery
    reasonable_adjustment: bool = False
    budgets: tuple[BudgetFact, ...] = ()
    over_budget: tuple[Names, ...] = ()  # the categories this request no longer fits in


class ApprovalView(BaseModel):
    """Everything one approval card shows one viewer (or one recipient of a notice)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    approval_id: int
    summary: SerializeAsAny[SubjectSummary]
    requester_name: str
    approver_name: str
    status: ApprovalStatus
    requested_at: datetime
    can_decide: bool = False
    escalated: bool = False
    decided_by_name: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None
    # Teams user ids whose clients refresh the card (and get the buttons while it is pending).
    refresh_user_ids: tuple[str, ...] = ()
    reason_required: bool = False  # rejecting needs a reason (the requester's entity asks for one)


# -- notices (rendered in the recipient's language by dialogs/approvals.py) ------------------------
class ApprovalCardSent(Notice, kind="approval.card"):
    """To the approver and their active deputies: the card with the buttons. The approver's copy
    (`keep_for` = the approver) is kept, so a decision made elsewhere can update it."""

    card: ApprovalView
    keep_for: int | None = None
    reminder: bool = False  # a reminder line on top: the request still waits


class ApprovalDecided(Notice, kind="approval.decided"):
    """To the requester: their request was approved, rejected or cancelled."""

    approval_id: int
    summary: SerializeAsAny[SubjectSummary]
    status: ApprovalStatus
    decided_by_name: str
    comment: str | None = None


class ApprovalCardOutdated(Notice, kind="approval.card_outdated"):
    """To the approver: the card they were sent earlier, updated in place after a decision made
    elsewhere (pending list, bulk approve, a deputy's or an admin's card)."""

    card: ApprovalView
    conversation_id: str
    activity_id: str


class EscalatedTo(StrEnum):
    APPROVER = "approver"
    REQUESTER = "requester"


class ApprovalEscalated(Notice, kind="approval.escalated"):
    """To the first approver and to the requester: the request went to `target_name` as well."""

    approval_id: int
    summary: SerializeAsAny[SubjectSummary]
    recipient: EscalatedTo
    target_name: str
