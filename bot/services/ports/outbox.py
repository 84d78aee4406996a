"""The outbox: notifications recorded in a use case's transaction, delivered after its commit."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.notifications import Notice


class OutboxRepository(Protocol):
    async def add(self, recipient_id: int, notice: Notice, due_at: datetime) -> None:
        """Record that `notice` must reach staff member `recipient_id` from `due_at` on (usually
        the use case's now)."""
        ...
