"""Broadcast rules: states of a broadcast and of each delivery, what HR may do when, and progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from bot.domain.errors import Conflict, InvalidInput

MAX_RECIPIENTS = 50_000
MAX_TITLE_LENGTH = 200
# How far ahead HR may schedule a broadcast.
MAX_SCHEDULE_AHEAD = timedelta(days=366)


class BroadcastStatus(StrEnum):
    SCHEDULED = "scheduled"  # waiting for scheduled_at
    RUNNING = "running"  # workers are sending
    COMPLETED = "completed"  # every delivery has a final status
    CANCELLED = "cancelled"  # HR stopped it; unsent deliveries were cancelled


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker under a lease
    SENT = "sent"
    FAILED = "failed"  # the connector refused or kept failing; reason says why
    UNREACHABLE = "unreachable"  # no usable conversation and no proactive installation
    CANCELLED = "cancelled"


class BroadcastPayload(BaseModel):
    """What one kind of broadcast carries for its card: facts, never text. One subclass per kind,

        class InvitationPayload(BroadcastPayload, kind="webinar.invitation"):
            webinar_id: int

    stored as JSON with the broadcast and validated again when a worker reads it back (the kinds
    are registered with their renderer on the registry built in `create_app`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ClassVar[str]

    def __init_subclass__(cls, kind: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if kind is not None:
            cls.kind = kind


OPEN_BROADCAST = frozenset({BroadcastStatus.SCHEDULED, BroadcastStatus.RUNNING})


@dataclass(frozen=True)
class Broadcast:
    id: int
    kind: str
    title: str
    payload: dict[str, Any]  # as stored; the worker validates it with the kind's payload model
    created_by: int
    created_at: datetime
    scheduled_at: datetime | None
    status: BroadcastStatus
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_BROADCAST


@dataclass(frozen=True)
class Progress:
    total: int = 0
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    cancelled: int = 0
    pending: int = 0  # pending and sending

    @classmethod
    def from_counts(cls, counts: dict[DeliveryStatus, int]) -> Progress:
        return cls(
            total=sum(counts.values()),
            sent=counts.get(DeliveryStatus.SENT, 0),
            failed=counts.get(DeliveryStatus.FAILED, 0),
            unreachable=counts.get(DeliveryStatus.UNREACHABLE, 0),
            cancelled=counts.get(DeliveryStatus.CANCELLED, 0),
            pending=counts.get(DeliveryStatus.PENDING, 0) + counts.get(DeliveryStatus.SENDING, 0),
        )

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else (self.total - self.pending) * 100 // self.total


@dataclass(frozen=True)
class Delivery:
    """One recipient's line in the delivery report."""

    staff_id: int
    display_name: str
    email: str
    entity_code: str
    status: DeliveryStatus
    reason: str | None
    claims: int
    sent_at: datetime | None


@dataclass(frozen=True)
class ClaimedDelivery:
    """An outbox row a worker holds under a lease."""

    id: int
    broadcast_id: int
    staff_id: int
    # More than one claim means an earlier worker stopped while holding it: it may have been sent.
    claims: int


@dataclass(frozen=True)
class Outcome:
    """A worker's final word on one claimed delivery."""

    delivery_id: int
    status: DeliveryStatus
    reason: str | None = None
    activity_id: str | None = None
    # PENDING gives the claim back unsent (the lease would end first): claimable again after this.
    retry_after_seconds: float = 0.0


def initial_status(now: datetime, scheduled_at: datetime | None) -> BroadcastStatus:
    return BroadcastStatus.SCHEDULED if scheduled_at is not None and scheduled_at > now else BroadcastStatus.RUNNING


def check_new_broadcast(title: str, recipient_ids: list[int], now: datetime, scheduled_at: datetime | None) -> None:
    """Refuse an empty or oversized audience, a blank title and a schedule in the past or too far ahead."""
    if not title.strip() or len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput("broadcasts.bad_title")
    if not recipient_ids:
        raise InvalidInput("broadcasts.no_recipients")
    if len(recipient_ids) > MAX_RECIPIENTS:
        raise InvalidInput("broadcasts.too_many_recipients", limit=MAX_RECIPIENTS)
    if scheduled_at is not None:
        if scheduled_at.tzinfo is None:
            raise InvalidInput("broadcasts.bad_schedule")
        if scheduled_at > now + MAX_SCHEDULE_AHEAD:
            raise InvalidInput("broadcasts.bad_schedule")


def may_cancel(broadcast: Broadcast) -> bool:
    """A scheduled or running broadcast can be stopped."""
    return broadcast.is_open


def may_resend_failed(broadcast: Broadcast, progress: Progress) -> bool:
    return broadcast.status is BroadcastStatus.COMPLETED and progress.failed > 0


def check_cancel(broadcast: Broadcast) -> None:
    if not may_cancel(broadcast):
        raise Conflict("broadcasts.not_cancellable")


def check_resend_failed(broadcast: Broadcast, progress: Progress) -> None:
    """Resending to the failed is for a finished broadcast (a running one still retries on its own)."""
    if broadcast.status is not BroadcastStatus.COMPLETED:
        raise Conflict("broadcasts.resend_not_finished")
    if progress.failed == 0:
        raise Conflict("broadcasts.nothing_to_resend")


def lease_expired_before(now: datetime, lease: timedelta) -> datetime:
    """A delivery claimed before this moment by a worker that never reported is claimable again."""
    return now - lease
