"""The broadcasts repository as the use cases see it (implemented in storage/repositories/broadcasts.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.domain.broadcasts import Broadcast, BroadcastStatus, ClaimedDelivery, Delivery, Outcome, Progress


class BroadcastRepository(Protocol):
    # -- the broadcast ------------------------------------------------------------------------
    async def add(
        self, *, kind: str, title: str, payload: dict[str, Any], created_by: int, created_at: datetime,
        scheduled_at: datetime | None, status: BroadcastStatus, recipient_ids: Sequence[int],
    ) -> int:
        """The broadcast and one pending delivery per distinct recipient; returns its id."""
        ...

    async def get(self, broadcast_id: int, *, for_update: bool = False) -> Broadcast | None: ...

    async def list_recent(self, limit: int = 10) -> list[Broadcast]:
        """Newest first."""
        ...

    async def set_status(self, broadcast_id: int, status: BroadcastStatus, now: datetime) -> None: ...

    async def start_due(self, now: datetime) -> list[int]:
        """Scheduled broadcasts whose time has come become running; returns their ids."""
        ...

    async def complete_finished(self, broadcast_ids: Sequence[int], now: datetime) -> list[int]:
        """Running broadcasts with no open delivery left become completed; returns their ids."""
        ...

    # -- the deliveries -----------------------------------------------------------------------
    async def claim(self, instance: str, now: datetime, expired_before: datetime, limit: int) -> list[ClaimedDelivery]:
        """Up to `limit` deliveries of running broadcasts, those whose lease expired first."""
        ...

    async def record(self, outcomes: Sequence[tuple[ClaimedDelivery, Outcome]], instance: str, now: datetime) -> int:
        """Final statuses, written only for the claim each worker still holds."""
        ...

    async def cancel_pending(self, broadcast_id: int, now: datetime) -> int: ...

    async def reset_failed(self, broadcast_id: int, now: datetime) -> int: ...

    async def progress(self, broadcast_id: int) -> Progress: ...

    async def list_deliveries(self, broadcast_id: int) -> list[Delivery]:
        """One line per recipient, by name."""
        ...

    async def audience_of(self, staff_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """Azure AD object id and preferred language of the staff ids that exist."""
        ...
