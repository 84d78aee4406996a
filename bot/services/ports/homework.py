"""The homework repository as the use cases see it (implemented in storage/repositories/homework.py):
registrations, the hybrid-work eligibility registry and team agreements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from bot.domain.homework import Ineligibility, Registration, RegistrationStatus, TeamAgreement


class RegistrationRepository(Protocol):
    # -- registrations (one per staff member and day) -------------------------------------------
    async def get(self, registration_id: int, *, for_update: bool = False) -> Registration | None: ...

    async def get_for_day(self, staff_id: int, day: date, *, for_update: bool = False) -> Registration | None: ...

    async def list_for_staff(self, staff_id: int, start: date, end: date) -> list[Registration]:
        """One staff member's registrations from `start` to `end`, both inclusive, by day."""
        ...

    async def list_for_staff_ids(self, staff_ids: list[int], start: date, end: date) -> list[Registration]: ...

    async def save_day(
        self, *, staff_id: int, day: date, place: str, part: str, status: RegistrationStatus | str,
        satellite_location: str | None = None, source: str = "bot",
    ) -> Registration:
        """Create or change the one registration of a staff member on a day."""
        ...

    async def set_status(
        self, registration_id: int, status: RegistrationStatus | str, *, only_if: RegistrationStatus | str | None = None
    ) -> bool: ...

    async def change_status(
        self, registration_id: int, status: RegistrationStatus, *, only_if: RegistrationStatus
    ) -> Registration | None:
        """Set the status only while it is `only_if`; the registration as it is now, or None when
        it is gone or in another status (nothing changed)."""
        ...

    async def delete(self, registration_id: int) -> bool: ...

    # -- eligibility registry -------------------------------------------------------------------
    async def ineligibility_on(self, staff_id: int, day: date) -> Ineligibility | None:
        """The marking (not lifted) that covers `day`, if any; the most recent wins."""
        ...

    async def ineligibilities_for(self, staff_ids: list[int], *, active_on: date | None = None) -> list[Ineligibility]:
        """Markings that are not lifted; with `active_on`, only those not yet ended on that day."""
        ...

    async def get_ineligibility(self, ineligibility_id: int, *, for_update: bool = False) -> Ineligibility | None: ...

    async def add_ineligibility(
        self, *, staff_id: int, reason: str, note: str | None, valid_from: date, valid_until: date | None, set_by: int | None
    ) -> Ineligibility: ...

    async def lift_ineligibility(self, ineligibility_id: int, *, lifted_by: int, at: datetime) -> bool:
        """Lift a marking once; False when it was already lifted."""
        ...

    async def record_cancelled_days(self, ineligibility_id: int, days: Sequence[Registration]) -> None:
        """Keep on the marking the registered days it cancelled, as they were, so that lifting it
        can give them back (`Ineligibility.cancelled_days`)."""
        ...

    # -- team agreements ------------------------------------------------------------------------
    async def agreement(self, manager_id: int) -> TeamAgreement | None: ...

    async def save_agreement(self, agreement: TeamAgreement) -> TeamAgreement | None:
        """Create or replace a manager's agreement; returns the previous one."""
        ...
