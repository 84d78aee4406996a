"""Broadcasts: one stored job, one delivery row per recipient, sent later by background workers
(bot/broadcast_worker.py). HR follows the progress, cancels, resends to the failed and downloads
the delivery report; the workers claim deliveries, find who and what to send, and record outcomes
through the use cases at the end of this module."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.domain import broadcasts as rules
from bot.domain.broadcasts import (
    Broadcast,
    BroadcastPayload,
    BroadcastStatus,
    ClaimedDelivery,
    Delivery,
    Outcome,
    Progress,
)
from bot.domain.conversations import StoredReference
from bot.domain.errors import Forbidden, InvalidInput, NotFound
from bot.domain.staff import Staff
from bot.services.unit_of_work import UnitOfWork

Payload = TypeVar("Payload", bound=BroadcastPayload)


def _actor(staff: Staff) -> str:
    return f"staff:{staff.id}"


def _require_hr(staff: Staff) -> None:
    if not staff.is_hr:
        raise Forbidden()


# -- creating (a step of the use case that owns the message, e.g. a webinar invitation) ----------
@dataclass(frozen=True)
class CreateBroadcast:
    actor: Staff
    payload: BroadcastPayload
    title: str
    recipient_ids: Sequence[int]
    scheduled_at: datetime | None = None


async def add_broadcast(uow: UnitOfWork, command: CreateBroadcast, now: datetime) -> int:
    """Store a broadcast and its deliveries (one pending row per distinct recipient), audited, in
    the caller's open unit of work (the caller commits).

    Workers send it, at `scheduled_at` when that lies in the future. Raises Forbidden for anyone
    but HR or an admin, InvalidInput for an empty or oversized audience, unknown recipients or a
    bad schedule.
    """
    actor, payload, scheduled_at = command.actor, command.payload, command.scheduled_at
    _require_hr(actor)
    recipients = list(dict.fromkeys(command.recipient_ids))
    rules.check_new_broadcast(command.title, recipients, now, scheduled_at)
    known = await uow.broadcasts.audience_of(recipients)
    if len(known) != len(recipients):
        raise InvalidInput("broadcasts.unknown_recipients", count=len(recipients) - len(known))
    status = rules.initial_status(now, scheduled_at)
    title = command.title.strip()
    broadcast_id = await uow.broadcasts.add(
        kind=payload.kind, title=title, payload=payload.model_dump(mode="json"), created_by=actor.id, created_at=now,
        scheduled_at=scheduled_at, status=status, recipient_ids=recipients,
    )
    await uow.audit.record(
        _actor(actor), "broadcast.created", "broadcast", broadcast_id, None,
        {"kind": payload.kind, "title": title, "recipients": len(recipients), "status": status.value,
         "scheduled_at": scheduled_at.isoformat() if scheduled_at else None},
    )
    return broadcast_id


async def create_broadcast(uow: UnitOfWork, command: CreateBroadcast, now: datetime) -> int:
    """A broadcast on its own, in a transaction of its own; returns its id."""
    async with uow:
        broadcast_id = await add_broadcast(uow, command, now)
        await uow.commit()
    return broadcast_id


# -- HR follows, cancels, resends ---------------------------------------------------------------
@dataclass(frozen=True)
class BroadcastOverview:
    broadcast: Broadcast
    progress: Progress
    in_progress: bool  # scheduled or running: the figures still change
    can_cancel: bool
    can_resend: bool


@dataclass(frozen=True)
class ShowBroadcast:
    actor: Staff
    broadcast_id: int


@dataclass(frozen=True)
class RecentBroadcasts:
    actor: Staff
    limit: int = 10


@dataclass(frozen=True)
class CancelBroadcast:
    actor: Staff
    broadcast_id: int


@dataclass(frozen=True)
class ResendFailed:
    actor: Staff
    broadcast_id: int


async def _overview(uow: UnitOfWork, broadcast: Broadcast) -> BroadcastOverview:
    progress = await uow.broadcasts.progress(broadcast.id)
    return BroadcastOverview(
        broadcast, progress, broadcast.is_open, rules.may_cancel(broadcast), rules.may_resend_failed(broadcast, progress)
    )


async def _found(uow: UnitOfWork, broadcast_id: int) -> BroadcastOverview:
    broadcast = await uow.broadcasts.get(broadcast_id)
    if broadcast is None:
        raise NotFound()
    return await _overview(uow, broadcast)


async def overview(uow: UnitOfWork, command: ShowBroadcast, now: datetime) -> BroadcastOverview:
    _require_hr(command.actor)
    async with uow:
        return await _found(uow, command.broadcast_id)


async def recent(uow: UnitOfWork, command: RecentBroadcasts, now: datetime) -> list[BroadcastOverview]:
    _require_hr(command.actor)
    async with uow:
        return [await _overview(uow, b) for b in await uow.broadcasts.list_recent(command.limit)]


async def cancel_broadcast(uow: UnitOfWork, command: CancelBroadcast, now: datetime) -> BroadcastOverview:
    """Stop a scheduled or running broadcast: unsent deliveries are cancelled; the few already in
    a worker's hands finish and record their outcome."""
    actor, broadcast_id = command.actor, command.broadcast_id
    _require_hr(actor)
    async with uow:
        broadcast = await uow.broadcasts.get(broadcast_id, for_update=True)
        if broadcast is None:
            raise NotFound()
        rules.check_cancel(broadcast)
        cancelled = await uow.broadcasts.cancel_pending(broadcast_id, now)
        await uow.broadcasts.set_status(broadcast_id, BroadcastStatus.CANCELLED, now)
        await uow.audit.record(
            _actor(actor), "broadcast.cancelled", "broadcast", broadcast_id,
            {"status": broadcast.status.value}, {"status": BroadcastStatus.CANCELLED.value, "deliveries_cancelled": cancelled},
        )
        found = await _found(uow, broadcast_id)
        await uow.commit()
    return found


async def resend_failed(uow: UnitOfWork, command: ResendFailed, now: datetime) -> BroadcastOverview:
    """Put the failed deliveries of a finished broadcast back in the queue (the sent ones are left
    alone, so nobody gets the message twice)."""
    actor, broadcast_id = command.actor, command.broadcast_id
    _require_hr(actor)
    async with uow:
        broadcast = await uow.broadcasts.get(broadcast_id, for_update=True)
        if broadcast is None:
            raise NotFound()
        rules.check_resend_failed(broadcast, await uow.broadcasts.progress(broadcast_id))
        count = await uow.broadcasts.reset_failed(broadcast_id, now)
        await uow.broadcasts.set_status(broadcast_id, BroadcastStatus.RUNNING, now)
        await uow.audit.record(
            _actor(actor), "broadcast.resend_failed", "broadcast", broadcast_id,
            {"status": broadcast.status.value}, {"status": BroadcastStatus.RUNNING.value, "deliveries_requeued": count},
        )
        found = await _found(uow, broadcast_id)
        await uow.commit()
    return found


# -- the delivery report (rendered by dialogs/broadcasts.py) ---------------------------------------
@dataclass(frozen=True)
class DeliveryReport:
    actor_id: int  # who follows the download link
    broadcast_id: int


@dataclass(frozen=True)
class DeliveryReportView:
    broadcast: Broadcast
    deliveries: list[Delivery]


async def delivery_report(uow: UnitOfWork, command: DeliveryReport, now: datetime) -> DeliveryReportView:
    """Every recipient's delivery, for HR."""
    async with uow:
        actor = await uow.staff.get(command.actor_id)
        if actor is None:
            raise Forbidden()
        _require_hr(actor)
        broadcast = await uow.broadcasts.get(command.broadcast_id)
        if broadcast is None:
            raise NotFound()
        return DeliveryReportView(broadcast, await uow.broadcasts.list_deliveries(broadcast.id))


# -- what the workers run -------------------------------------------------------------------------
@dataclass(frozen=True)
class StartDueBroadcasts:
    pass


@dataclass(frozen=True)
class ClaimDeliveries:
    instance: str
    lease: timedelta
    limit: int


@dataclass(frozen=True)
class DeliveryRecipients:
    claims: Sequence[ClaimedDelivery]


@dataclass(frozen=True)
class Recipients:
    """Who and what a batch of claims is for."""

    broadcasts: dict[int, Broadcast]
    staff: dict[int, Staff]
    references: dict[str, StoredReference]  # by Azure AD object id


@dataclass(frozen=True)
class BroadcastContent(Generic[Payload]):
    """The command of a kind's content query: what the cards of these recipients need."""

    payload: Payload
    recipients: Sequence[Staff]


@dataclass(frozen=True)
class SenderReference:
    broadcast_id: int


@dataclass(frozen=True)
class RecordOutcomes:
    outcomes: Sequence[tuple[ClaimedDelivery, Outcome]]
    instance: str


async def start_due(uow: UnitOfWork, command: StartDueBroadcasts, now: datetime) -> list[int]:
    """Scheduled broadcasts whose time has come start running."""
    async with uow:
        started = await uow.broadcasts.start_due(now)
        for broadcast_id in started:
            await uow.audit.record(
                "system", "broadcast.started", "broadcast", broadcast_id,
                {"status": BroadcastStatus.SCHEDULED.value}, {"status": BroadcastStatus.RUNNING.value},
            )
        await uow.commit()
    return started


async def claim_deliveries(uow: UnitOfWork, command: ClaimDeliveries, now: datetime) -> list[ClaimedDelivery]:
    """A batch of deliveries for one worker, under a lease."""
    if command.limit <= 0:
        return []
    async with uow:
        claims = await uow.broadcasts.claim(command.instance, now, rules.lease_expired_before(now, command.lease), command.limit)
        await uow.commit()
    return claims


async def delivery_recipients(uow: UnitOfWork, command: DeliveryRecipients, now: datetime) -> Recipients:
    """The broadcasts, recipients and their conversation references of a batch of claims."""
    async with uow:
        broadcasts: dict[int, Broadcast] = {}
        for broadcast_id in sorted({c.broadcast_id for c in command.claims}):
            broadcast = await uow.broadcasts.get(broadcast_id)
            if broadcast is not None:
                broadcasts[broadcast_id] = broadcast
        staff = {s.id: s for s in await uow.staff.list_by_ids(sorted({c.staff_id for c in command.claims}))}
        references = await uow.conversations.get_many([s.aad_object_id for s in staff.values()])
    return Recipients(broadcasts, staff, references)


async def sender_reference(uow: UnitOfWork, command: SenderReference, now: datetime) -> StoredReference | None:
    """Service URL, bot and tenant for new conversations: those of the HR member who created the
    broadcast (they used the bot to do it)."""
    async with uow:
        broadcast = await uow.broadcasts.get(command.broadcast_id)
        creator = await uow.staff.get(broadcast.created_by) if broadcast else None
        return await uow.conversations.get(creator.aad_object_id) if creator else None


async def record_outcomes(uow: UnitOfWork, command: RecordOutcomes, now: datetime) -> list[int]:
    """Write the outcomes a worker holds; broadcasts with nothing left to send complete (audited
    with their figures). Returns the completed broadcasts' ids."""
    async with uow:
        await uow.broadcasts.record(command.outcomes, command.instance, now)
        done = await uow.broadcasts.complete_finished([claim.broadcast_id for claim, _ in command.outcomes], now)
        for broadcast_id in done:
            progress = await uow.broadcasts.progress(broadcast_id)
            await uow.audit.record(
                "system", "broadcast.completed", "broadcast", broadcast_id, {"status": BroadcastStatus.RUNNING.value},
                {"status": BroadcastStatus.COMPLETED.value, "sent": progress.sent, "failed": progress.failed,
                 "unreachable": progress.unreachable, "cancelled": progress.cancelled},
            )
        await uow.commit()
    return done
