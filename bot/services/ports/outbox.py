"""The outbox: notifications recorded in a use case's transaction, delivered after its commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from bot.domain.notifications import Notice, UnsentNotice

N = TypeVar("N", bound=Notice)


class OutboxRepository(Protocol):
    async def add(self, recipient_id: int, notice: Notice, due_at: datetime) -> None:
        """Record that `notice` must reach staff member `recipient_id` from `due_at` on (usually
        the use case's now)."""
        ...

    async def unsent(self, notice_type: type[N], recipient_ids: Sequence[int], now: datetime) -> list[UnsentNotice[N]]:
        """Notices of one kind to these recipients that no dispatcher has taken yet, oldest first,
        locked until the transaction ends (a dispatcher skips them meanwhile)."""
        ...

    async def withdraw(self, notification_ids: Sequence[int]) -> None:
        """Drop notices returned by `unsent` (replaced by a newer one) before anyone sends them."""
        ...
