"""Reminders and escalations of approvals that wait too long, each sent once.

Two scheduled jobs (registered in bot/wiring.py) find what is due and then handle each approval
in a transaction of its own; a conditional update claims the reminder or the escalation, so two
instances (or two runs) never send one twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.domain import approvals as rules
from bot.domain.approvals import ApprovalEscalated, EscalatedTo
from bot.domain.policy import EntityPolicy
from bot.services.approvals import SUBJECT, fallback_approver, record_cards, subject_of
from bot.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from bot.runner import UseCaseRunner

log = logging.getLogger(__name__)


class Step(StrEnum):
    REMIND = "remind"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class Overdue:
    step: Step


@dataclass(frozen=True)
class Remind:
    approval_id: int


@dataclass(frozen=True)
class Escalate:
    approval_id: int


async def overdue(uow: UnitOfWork, command: Overdue, now: datetime) -> list[int]:
    """Pending approvals that waited the working days their entity's policy sets for this step."""
    today = now.date()
    async with uow:
        pending = await uow.approvals.list_pending()
        requesters = {s.id: s for s in await uow.staff.list_by_ids(sorted({a.requester_id for a in pending}))}
        policies: dict[int, EntityPolicy] = {}
        due = []
        for approval in pending:
            requester = requesters.get(approval.requester_id)
            if requester is None:
                continue
            if requester.entity_id not in policies:
                policies[requester.entity_id] = await uow.entities.policy(requester.entity_id)
            remind_after, escalate_after = rules.thresholds(policies[requester.entity_id], approval.subject_type)
            created_on = approval.created_at.astimezone(now.tzinfo).date()
            if command.step is Step.REMIND:
                is_due = rules.reminder_due(approval, today, created_on, remind_after)
            else:
                is_due = rules.escalation_due(approval, today, created_on, escalate_after)
            if is_due:
                due.append(approval.id)
    return due


async def remind(uow: UnitOfWork, command: Remind, now: datetime) -> bool:
    """Remind the approver (and their deputies) once, with the card; False when it was done."""
    async with uow:
        if not await uow.approvals.claim_reminder(command.approval_id, now):
            return False
        approval = await uow.approvals.get(command.approval_id)
        requester = await uow.staff.get(approval.requester_id) if approval else None
        if approval is None or requester is None:
            return False
        await uow.audit.record("system", "approval.reminded", SUBJECT, approval.id, None, {"approver_id": approval.approver_id})
        await record_cards(uow, approval, requester, now, reminder=True)
        await uow.commit()
    return True


async def escalate(uow: UnitOfWork, command: Escalate, now: datetime) -> bool:
    """Hand a request that waited too long to the approver's own manager (an admin at the top),
    who gets the card; the first approver, who keeps the right to decide, and the requester are
    told. Each approval escalates once; False when nothing happened."""
    async with uow:
        approval = await uow.approvals.get(command.approval_id, for_update=True)
        if approval is None or not approval.is_pending:
            return False
        approver = await uow.staff.get(approval.approver_id)
        requester = await uow.staff.get(approval.requester_id)
        if approver is None or requester is None:
            return False
        target_id = approver.manager_id
        if target_id is None or target_id in (requester.id, approver.id):
            admin = await fallback_approver(uow, excluding=[requester.id, approver.id])
            target_id = admin.id if admin else None
        if target_id is None:
            log.warning("approval %s is overdue but has nobody to escalate to", approval.id)
            return False
        if not await uow.approvals.claim_escalation(approval.id, target_id, now):
            return False
        await uow.audit.record(
            "system", "approval.escalated", SUBJECT, approval.id, {"approver_id": approver.id}, {"approver_id": target_id}
        )
        escalated = await uow.approvals.get(approval.id)
        target = await uow.staff.get(target_id)
        assert escalated is not None
        await record_cards(uow, escalated, requester, now)
        summary = await subject_of(uow, approval.subject_type).describe(uow, approval.subject_id)
        target_name = target.display_name if target else "?"
        for person, recipient in ((approver, EscalatedTo.APPROVER), (requester, EscalatedTo.REQUESTER)):
            notice = ApprovalEscalated(approval_id=approval.id, summary=summary, recipient=recipient, target_name=target_name)
            await uow.outbox.add(person.id, notice, now)
        await uow.commit()
    return True


# -- the scheduled jobs -----------------------------------------------------------------------------
async def run_reminders(runner: UseCaseRunner, now: datetime) -> int:
    """Remind each approval that became due; returns how many were reminded."""
    reminded = 0
    for approval_id in await runner.run(overdue, Overdue(Step.REMIND)):
        reminded += await runner.run(remind, Remind(approval_id))
    return reminded


async def run_escalations(runner: UseCaseRunner, now: datetime) -> int:
    """Escalate each approval that became due; returns how many were escalated."""
    escalated = 0
    for approval_id in await runner.run(overdue, Overdue(Step.ESCALATE)):
        escalated += await runner.run(escalate, Escalate(approval_id))
    return escalated
