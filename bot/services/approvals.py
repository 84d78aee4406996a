"""Generic approvals: one mechanism (and one card family) for every subject that needs a manager's yes.

A subject area (home-work days, equipment requests) registers an ApprovalSubject and calls
`request_approval` in its own transaction; that records the approval card for the approver (and
their active deputies) as notices, delivered after the commit. Decisions come from the approval
card (Action.Execute), the pending list or a bulk approve, and all go through `decide`: one
transaction that locks the approval, checks from the database who may decide, records the
decision only while pending, lets the subject react and records what the requester (and the
approver's stored card) must be told. Deputies: approval_deputies.py; reminders and escalations:
approval_reminders.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain import approvals as rules
from bot.domain.approvals import (
    MAX_BULK,
    MAX_REFRESH_USERS,
    Approval,
    ApprovalCardOutdated,
    ApprovalCardSent,
    ApprovalDecided,
    ApprovalStatus,
    ApprovalView,
    NeedsConfirmation,
    ReasonRequired,
    SkipReason,
    SubjectSummary,
    Verdict,
)
from bot.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from bot.domain.notifications import Sent
from bot.domain.staff import Role, Staff
from bot.services.ports.approvals import ApprovalSubject
from bot.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

SUBJECT = "approval"  # audit subject type


def _snapshot(approval: Approval) -> dict[str, Any]:
    return {
        "subject_type": approval.subject_type, "subject_id": approval.subject_id, "status": approval.status.value,
        "approver_id": approval.approver_id, "decided_by": approval.decided_by, "comment": approval.comment,
    }


def _actor(staff: Staff) -> str:
    return f"staff:{staff.id}"


def subject_of(uow: UnitOfWork, subject_type: str) -> ApprovalSubject:
    subject = uow.approval_subjects.get(subject_type)
    if subject is None:
        raise LookupError(f"no approval subject registered for {subject_type!r}")
    return subject


# -- what a card shows, and the card notices ---------------------------------------------------------
async def _people(uow: UnitOfWork, ids: Iterable[int], known: dict[int, Staff]) -> list[Staff]:
    """These people, read only when the caller does not have them already."""
    wanted = sorted(set(ids))
    missing = [i for i in wanted if i not in known]
    found = {staff.id: staff for staff in await uow.staff.list_by_ids(missing)} if missing else {}
    return [person for i in wanted if (person := known.get(i) or found.get(i)) is not None]


async def _refresh_user_ids(uow: UnitOfWork, approval: Approval, requester: Staff, today: date) -> tuple[str, ...]:
    """Teams user ids (29:...) of everyone who may decide by position, plus their active deputies:
    their clients refresh the card and get the buttons; everyone else sees the status."""
    user_ids = await uow.conversations.teams_user_ids(rules.deciders_of(approval, requester), with_deputies_on=today, excluding=requester.id)
    return tuple(sorted(set(user_ids))[:MAX_REFRESH_USERS])


async def _view(
    uow: UnitOfWork, approval: Approval, requester: Staff, today: date, *, can_decide: bool,
    summary: SubjectSummary | None = None, known: Iterable[Staff] = (),
) -> ApprovalView:
    """The card's data; `known` are people the caller already read (the decider), not read again."""
    if summary is None:
        summary = await subject_of(uow, approval.subject_type).describe(uow, approval.subject_id)
    people = {staff.id: staff for staff in (requester, *known)}
    names = {
        staff.id: staff.display_name
        for staff in await _people(uow, [i for i in (approval.approver_id, approval.decided_by) if i is not None], people)
    }
    return ApprovalView(
        approval_id=approval.id, summary=summary, requester_name=requester.display_name,
        approver_name=names.get(approval.approver_id, "?"), status=approval.status, requested_at=approval.created_at,
        can_decide=can_decide and approval.is_pending, escalated=approval.escalated_at is not None,
        decided_by_name=names.get(approval.decided_by) if approval.decided_by else None,
        decided_at=approval.decided_at, comment=approval.comment,
        refresh_user_ids=await _refresh_user_ids(uow, approval, requester, today),
        reason_required=can_decide and approval.is_pending
        and (await uow.entities.policy(requester.entity_id)).approvals.reject_reason_required,
    )


async def record_cards(uow: UnitOfWork, approval: Approval, requester: Staff, now: datetime, *, reminder: bool = False) -> None:
    """Record the approval card for the approver and a copy for each of their active deputies.
    The approver's copy is kept (its activity id, after delivery), except for a reminder."""
    today = now.date()
    view = await _view(uow, approval, requester, today, can_decide=True)
    deputies = await uow.approvals.active_deputies([approval.approver_id], today)
    await uow.outbox.add(
        approval.approver_id, ApprovalCardSent(card=view, keep_for=None if reminder else approval.approver_id, reminder=reminder), now
    )
    for deputy_id in sorted({d.deputy_id for d in deputies} - {requester.id, approval.approver_id}):
        await uow.outbox.add(deputy_id, ApprovalCardSent(card=view, reminder=reminder), now)


async def keep_card(uow: UnitOfWork, notice: ApprovalCardSent, sent: Sent, now: datetime) -> None:
    """After delivery (in the dispatcher's transaction): keep the approver's card, so a decision
    made elsewhere can update it in place."""
    if notice.keep_for is not None:
        await uow.approvals.set_card(notice.card.approval_id, sent.activity_id, sent.conversation_id, approver_id=notice.keep_for)


# -- requesting (inside the subject area's transaction) ----------------------------------------------
async def fallback_approver(uow: UnitOfWork, *, excluding: Iterable[int]) -> Staff | None:
    """An admin decides when nobody above exists (no manager in the directory)."""
    skip = set(excluding)
    admins = sorted(await uow.staff.list_by_role(Role.ADMIN), key=lambda staff: staff.id)
    return next((admin for admin in admins if admin.id not in skip), None)


async def request_approval(
    uow: UnitOfWork, *, subject_type: str, subject_id: int, requester: Staff, actor: str, now: datetime
) -> int:
    """Create a pending approval for the requester's manager (an admin without a manager), audit
    it and record its card for the approver; a subject that already waits returns its pending
    approval. Runs in the caller's transaction: the caller commits."""
    subject_of(uow, subject_type)
    existing = await uow.approvals.pending_for_subject(subject_type, subject_id)
    if existing is not None:
        return existing.id
    approver_id = requester.manager_id
    if approver_id is None or approver_id == requester.id:
        admin = await fallback_approver(uow, excluding=[requester.id])
        if admin is None:
            raise DomainError("approvals.no_approver")
        approver_id = admin.id
    approval = await uow.approvals.add(
        subject_type=subject_type, subject_id=subject_id, requester_id=requester.id, approver_id=approver_id, created_at=now
    )
    await uow.audit.record(actor, "approval.requested", SUBJECT, approval.id, None, _snapshot(approval))
    await record_cards(uow, approval, requester, now)
    return approval.id


async def pending_for_subject(uow: UnitOfWork, subject_type: str, subject_id: int) -> int | None:
    """In the caller's transaction: the approval the subject waits for, if any."""
    approval = await uow.approvals.pending_for_subject(subject_type, subject_id)
    return approval.id if approval else None


async def cancel_for_subject(uow: UnitOfWork, *, subject_type: str, subject_id: int, actor: Staff, now: datetime) -> None:
    """The requester withdraws while pending; nothing happens when nothing waits. Runs in the
    caller's transaction: the caller commits."""
    approval = await uow.approvals.pending_for_subject(subject_type, subject_id)
    if approval is None:
        return
    if actor.id != approval.requester_id and not actor.has(Role.ADMIN):
        raise Forbidden("approvals.not_yours")
    status = ApprovalStatus.CANCELLED
    after = await uow.approvals.decide(approval.id, status=status, decided_by=actor.id, decided_at=now, comment=None)
    if after is None:
        return
    await subject_of(uow, subject_type).on_decided(uow, subject_id, status, actor, None, now)
    await uow.audit.record(_actor(actor), "approval.cancelled", SUBJECT, approval.id, _snapshot(approval), _snapshot(after))


# -- who may decide ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Access:
    approval: Approval
    requester: Staff
    may_decide: bool


async def _access(uow: UnitOfWork, approval_id: int, actor: Staff, today: date, *, lock: bool = False) -> _Access:
    await uow.read_ahead_for_approval(approval_id, lock=lock)  # the approval and its requester in one read
    approval = await uow.approvals.get(approval_id, for_update=lock)
    if approval is None:
        raise NotFound()
    requester = await uow.staff.get(approval.requester_id)
    if requester is None:
        raise NotFound()
    may_decide = rules.decides_without_deputies(actor, approval, requester)
    if may_decide is None:  # only then does it matter whom the actor stands in for today
        may_decide = rules.may_decide(actor, approval, requester, await uow.approvals.deputised_for(actor.id, today))
    return _Access(approval, requester, may_decide)


async def _refuse(uow: UnitOfWork, actor: Staff, approval_id: int, attempt: str, now: datetime) -> Forbidden:
    """Audit, in a transaction of its own, which approval someone tried to act on (the router's
    audit only knows the verb)."""
    log.warning("refused %s on approval %s for staff %s", attempt, approval_id, actor.id)
    async with uow:
        await uow.audit.record(_actor(actor), "approval.refused", SUBJECT, approval_id, None, {"attempt": attempt})
        await uow.commit()
    return Forbidden("approvals.not_yours")


# -- the card for one viewer -------------------------------------------------------------------------
@dataclass(frozen=True)
class ShowApproval:
    actor: Staff
    approval_id: int


async def show_approval(uow: UnitOfWork, command: ShowApproval, now: datetime) -> ApprovalView:
    """The card as the viewer should see it now: buttons for whoever may decide while pending, the
    status for the requester, the outcome for everyone after a decision. Others are refused."""
    actor = command.actor
    async with uow:
        access = await _access(uow, command.approval_id, actor, now.date())
        if access.may_decide or actor.id == access.approval.requester_id:
            return await _view(uow, access.approval, access.requester, now.date(), can_decide=access.may_decide)
    raise await _refuse(uow, actor, command.approval_id, "view", now)


# -- deciding ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DecideApproval:
    actor: Staff
    approval_id: int
    verdict: Verdict
    comment: str | None = None
    confirmed: bool = False  # "approve anyway" after the subject's warning
    shown_activity_id: str | None = None  # the card the click came from: its invoke response replaces it


@dataclass(frozen=True)
class Decision:
    approval: Approval
    changed: bool  # False: decided before (second click, stale card, the other manager was first)
    card: ApprovalView  # the card as the decider sees it now


async def decide(uow: UnitOfWork, command: DecideApproval, now: datetime) -> Decision:
    """Approve or reject in one transaction, only while pending; the requester is told, and the
    approver's stored card is updated when the click came from elsewhere.

    Raises Forbidden (audited with the approval id) for anyone but the manager, the approver, their
    active deputies and admins; NeedsConfirmation (with the card to show) when the subject wants
    an "approve anyway"; ReasonRequired (with the card) for a rejection without the reason the
    requester's entity asks for; another DomainError when the subject blocks the approval.
    """
    actor, status = command.actor, command.verdict.status
    comment = rules.check_comment(command.comment)
    today = now.date()
    async with uow:
        access = await _access(uow, command.approval_id, actor, today, lock=True)
        approval, requester = access.approval, access.requester
        if access.may_decide:
            if not approval.is_pending:
                return Decision(approval, False, await _view(uow, approval, requester, today, can_decide=True, known=(actor,)))
            if rules.lacks_reason(command.verdict, comment) and rules.reason_required(
                command.verdict, comment, await uow.entities.policy(requester.entity_id)
            ):
                missing = ReasonRequired()
                missing.card = await _view(uow, approval, requester, today, can_decide=True)
                raise missing
            subject = subject_of(uow, approval.subject_type)
            if status is ApprovalStatus.APPROVED:
                try:
                    await subject.before_approve(uow, approval.subject_id, confirmed=command.confirmed)
                except NeedsConfirmation as warning:
                    warning.card = await _view(uow, approval, requester, today, can_decide=True, known=(actor,))
                    raise
            decided = await uow.approvals.decide(approval.id, status=status, decided_by=actor.id, decided_at=now, comment=comment)
            if decided is None:
                current = await uow.approvals.get(approval.id) or approval
                return Decision(current, False, await _view(uow, current, requester, today, can_decide=True, known=(actor,)))
            # The subject reacts to the decision; the approval row itself is as `decide` returned it.
            await subject.on_decided(uow, approval.subject_id, status, actor, comment, now)
            await uow.audit.record(_actor(actor), "approval.decided", SUBJECT, approval.id, _snapshot(approval), _snapshot(decided))
            card = await _view(uow, decided, requester, today, can_decide=False, known=(actor,))
            await _announce(uow, decided, card, actor, command.shown_activity_id, now)
            await uow.commit()
            return Decision(decided, True, card)
    raise await _refuse(uow, actor, command.approval_id, f"decide:{command.verdict.value}", now)


async def _announce(
    uow: UnitOfWork, approval: Approval, card: ApprovalView, decider: Staff, shown_activity_id: str | None, now: datetime
) -> None:
    """Tell the requester; bring the approver's stored card up to date when the decision was made
    elsewhere (pending list, bulk approve, a deputy's or an admin's card)."""
    await uow.outbox.add(
        approval.requester_id,
        ApprovalDecided(
            approval_id=approval.id, summary=card.summary, status=approval.status, decided_by_name=decider.display_name,
            comment=approval.comment,
        ),
        now,
    )
    if approval.card_activity_id and approval.card_conversation_id and approval.card_activity_id != shown_activity_id:
        await uow.outbox.add(
            approval.approver_id,
            ApprovalCardOutdated(card=card, conversation_id=approval.card_conversation_id, activity_id=approval.card_activity_id),
            now,
        )


# -- pending list and bulk approve ---------------------------------------------------------------------
@dataclass(frozen=True)
class PendingApprovals:
    actor: Staff


@dataclass(frozen=True)
class PendingItem:
    approval_id: int
    summary: SubjectSummary
    requester_name: str
    requested_at: datetime


async def list_decidable(uow: UnitOfWork, command: PendingApprovals, now: datetime) -> list[PendingItem]:
    """Pending approvals the viewer may decide: their own team's, those assigned to them, those of
    the managers they deputise for today and, for admins, those that fell back to an admin."""
    viewer = command.actor
    async with uow:
        deputised = await uow.approvals.deputised_for(viewer.id, now.date())
        deciders = {viewer.id, *deputised}
        if viewer.has(Role.ADMIN):
            deciders |= {admin.id for admin in await uow.staff.list_by_role(Role.ADMIN)}
        approvals = await uow.approvals.list_pending_for_deciders(deciders, limit=MAX_BULK)
        requesters = {s.id: s for s in await uow.staff.list_by_ids(sorted({a.requester_id for a in approvals}))}
        items = []
        for approval in approvals:
            requester = requesters.get(approval.requester_id)
            if requester is None or not rules.may_decide(viewer, approval, requester, deputised):
                continue
            subject = uow.approval_subjects.get(approval.subject_type)
            if subject is None:
                continue
            summary = await subject.describe(uow, approval.subject_id)
            items.append(PendingItem(approval.id, summary, requester.display_name, approval.created_at))
    return items


@dataclass(frozen=True)
class BulkApprove:
    actor: Staff
    approval_ids: tuple[int, ...]
    attempt: str = "bulk"  # what the refusal audit names when some approval was not the actor's


@dataclass(frozen=True)
class BulkResult:
    approved: list[int]
    skipped: list[tuple[int, SkipReason]]


async def bulk_approve(uow: UnitOfWork, command: BulkApprove, now: datetime) -> BulkResult:
    """Approve each through `decide`, one transaction per approval: a request that is blocked or
    needs an explicit confirmation is skipped without holding back the others, and no single
    approval is ever half-applied."""
    ids = list(dict.fromkeys(command.approval_ids))
    if len(ids) > MAX_BULK:
        raise InvalidInput("approvals.bulk_too_many", limit=MAX_BULK)
    approved: list[int] = []
    skipped: list[tuple[int, SkipReason]] = []
    for approval_id in ids:
        try:
            outcome = await decide(uow, DecideApproval(command.actor, approval_id, Verdict.APPROVE), now)
        except NeedsConfirmation:
            skipped.append((approval_id, SkipReason.NEEDS_CONFIRMATION))
        except Forbidden:
            skipped.append((approval_id, SkipReason.NOT_YOURS))
        except DomainError as error:
            log.info("bulk approve skipped approval %s: %s", approval_id, error.key)
            skipped.append((approval_id, SkipReason.BLOCKED))
        else:
            if outcome.changed:
                approved.append(approval_id)
            else:
                skipped.append((approval_id, SkipReason.ALREADY_DECIDED))
    if any(reason is SkipReason.NOT_YOURS for _, reason in skipped):
        # Like the router's refusals: the attempt as a whole (each approval was audited by decide).
        async with uow:
            await uow.audit.record(_actor(command.actor), "refused", "action", command.attempt)
            await uow.commit()
    return BulkResult(approved, skipped)
