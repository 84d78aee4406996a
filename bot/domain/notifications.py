"""Notifications: what a use case decides to tell someone else, recorded in its own transaction
and delivered after the commit by the dispatcher (`bot/notifications.py`).

A notice is a typed fact ("approval 7 was approved by Mia"), never text: the recipient's language
is only known at delivery, where `dialogs/` renders it. Each kind is one subclass:

    class ApprovalDecided(Notice, kind="approval.decided"):
        approval_id: int
        status: ApprovalStatus

The kinds are registered, with their renderer, on the registry built in `create_app`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict


class Notice(BaseModel):
    """The payload of one notification; stored as JSON in the outbox."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ClassVar[str]

    def __init_subclass__(cls, kind: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if kind is not None:
            cls.kind = kind


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    UNREACHABLE = "unreachable"  # no usable conversation reference: nothing more to try
    FAILED = "failed"            # retries exhausted


@dataclass(frozen=True)
class Message:
    """Send a new message (text or Adaptive Card) to the recipient's personal chat."""

    content: str | dict[str, Any]


@dataclass(frozen=True)
class CardUpdate:
    """Replace a card sent earlier in the recipient's personal chat (e.g. an approval card after
    a decision made elsewhere)."""

    conversation_id: str
    activity_id: str
    card: dict[str, Any]


Outgoing = Message | CardUpdate


@dataclass(frozen=True)
class Sent:
    """What a delivery produced: the connector's ids of the message (for later updates)."""

    activity_id: str | None
    conversation_id: str | None


@dataclass(frozen=True)
class ClaimedNotification:
    """An outbox row one dispatcher holds a lease on, about to deliver it."""

    id: int
    recipient_id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    correlation_id: str | None


N = TypeVar("N", bound=Notice)


@dataclass(frozen=True)
class UnsentNotice(Generic[N]):
    """A notice recorded earlier that no dispatcher has taken yet: a later change may still
    replace it (one message for several quick changes instead of one per click)."""

    id: int
    recipient_id: int
    notice: N
    due_at: datetime
