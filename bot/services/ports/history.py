"""What the history import reads and writes (implemented in storage/repositories/history.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Protocol

from bot.domain.history import (
    CatalogueItem,
    KnownIneligibility,
    KnownRegistration,
    NewRegistration,
    StaffDates,
)


class HistoryRepository(Protocol):
    async def staff_by_email(self, emails: Iterable[str]) -> dict[str, StaffDates]:
        """The staff members with these (lower-case) e-mail addresses, by address."""
        ...

    async def registrations(self, staff_ids: list[int], first: date, last: date) -> dict[tuple[int, date], KnownRegistration]:
        """Registrations stored for these staff between first and last (inclusive), by (staff, day)."""
        ...

    async def add_registrations(self, registrations: list[NewRegistration], source: str) -> None:
        """Store days as registered (no approval: they lie in the past)."""
        ...

    async def correct_registration(self, registration_id: int, place: str, part: str) -> None: ...

    async def ineligibility(self, staff_id: int, reason: str, valid_from: date) -> KnownIneligibility | None: ...

    async def add_ineligibility(self, staff_id: int, reason: str, valid_from: date, valid_until: date | None, note: str) -> None: ...

    async def set_ineligible_until(self, ineligibility_id: int, valid_until: date | None) -> None: ...

    async def entity_on(self, staff_id: int, day: date) -> int:
        """The entity the staff member belonged to on the day (their current one without history)."""
        ...

    async def catalogue_item(self, entity_id: int, item_code: str) -> CatalogueItem | None:
        """The entity's catalogue item with this code (case-insensitive)."""
        ...

    async def has_delivery(self, staff_id: int, delivered_on: date, item_id: int, note: str) -> bool:
        """Whether a delivered request with this note, day and item exists (an earlier import)."""
        ...

    async def add_delivery(
        self, staff_id: int, entity_id: int, delivered_on: date, item: CatalogueItem, unit_price: Decimal, note: str
    ) -> None:
        """A delivered request of one line (one piece), delivered at the office."""
        ...
