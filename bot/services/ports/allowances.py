"""The allowances repository as the use cases see it (implemented in storage/repositories/allowances.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from bot.domain.allowances import AllowanceChoice, RegularConfirmation, WorkDay
from bot.domain.calendar import Month


class AllowanceRepository(Protocol):
    async def lock_staff(self, staff_id: int) -> None:
        """Serialize changes to one staff member's history until the transaction ends."""
        ...

    # -- internet allowance history --------------------------------------------------------------
    async def history(self, staff_id: int) -> list[AllowanceChoice]:
        """In effect order: by date, then as recorded."""
        ...

    async def histories(self, staff_ids: Iterable[int]) -> dict[int, list[AllowanceChoice]]:
        """Every given staff member's history (empty when none), in effect order."""
        ...

    async def add(self, choice: AllowanceChoice, recorded_at: datetime) -> AllowanceChoice: ...

    async def delete_defaults(self, staff_id: int) -> list[AllowanceChoice]:
        """Remove the automatically applied defaults; returns them."""
        ...

    async def staff_without_choice(self, entity_id: int, today: date, started_since: date) -> list[int]:
        """Staff of an entity who started on or after `started_since`, in service today or later, without any choice."""
        ...

    async def staff_in_service(self, entity_id: int, month: Month) -> list[int]:
        """Staff of an entity in service on at least one day of the month, by name."""
        ...

    # -- what the rules read from other areas ----------------------------------------------------
    async def work_days(self, staff_ids: Iterable[int], first: date, last: date) -> dict[int, list[WorkDay]]:
        """Registrations between two days (any place and status: the rules filter), per staff member."""
        ...

    async def ineligible_on(self, staff_ids: Iterable[int], day: date) -> set[int]:
        """Who is marked not eligible for hybrid work on a day."""
        ...

    # -- confirmations of regular home work ------------------------------------------------------
    async def regular_confirmation(self, staff_id: int) -> RegularConfirmation | None: ...

    async def confirm_regular(self, staff_id: int, by: int, at: datetime) -> None: ...

    async def withdraw_regular(self, staff_id: int, by: int, at: datetime) -> int: ...
