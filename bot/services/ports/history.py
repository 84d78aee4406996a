"""What the history import reads and writes (implemented in storage/repositories/history.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from bot.domain.history import (
    AssignmentPeriod,
    CatalogueItem,
    EquipmentHistoryLine,
    KnownIneligibility,
    KnownRegistration,
    KnownRequest,
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
        """Store days with the status the file gives (registered, pending or rejected)."""
        ...

    async def correct_registration(self, registration_id: int, place: str, part: str, status: str) -> None: ...

    async def ineligibility(self, staff_id: int, reason: str, valid_from: date) -> KnownIneligibility | None: ...

    async def add_ineligibility(self, staff_id: int, reason: str, valid_from: date, valid_until: date | None, note: str) -> None: ...

    async def set_ineligible_until(self, ineligibility_id: int, valid_until: date | None) -> None: ...

    async def entity_on(self, staff_id: int, day: date) -> int:
        """The entity the staff member belonged to on the day (their current one without history)."""
        ...

    async def catalogue_item(self, entity_id: int, item_code: str) -> CatalogueItem | None:
        """The entity's catalogue item with this code (case-insensitive)."""
        ...

    async def imported_request(self, staff_id: int, requested_on: date, item_id: int, note: str) -> KnownRequest | None:
        """The request with this note, day requested and item (an earlier import), if any."""
        ...

    async def add_request(self, staff_id: int, entity_id: int, line: EquipmentHistoryLine, item: CatalogueItem, note: str) -> None:
        """A request of one line (the line's quantity of the item) with the line's status, at the office."""
        ...

    async def correct_request(self, request_id: int, line: EquipmentHistoryLine) -> None:
        """Status, delivery day, quantity and price as the file now gives them."""
        ...

    async def entity_ids(self, codes: Iterable[str]) -> dict[str, int]:
        """The ids of the entities with these codes, by code."""
        ...

    async def current_entity(self, staff_id: int) -> int:
        """The entity on the staff member's directory row."""
        ...

    async def assignments(self, staff_id: int) -> list[AssignmentPeriod]:
        """The stored entity history, oldest first."""
        ...

    async def replace_assignments(self, staff_id: int, periods: list[AssignmentPeriod]) -> None: ...
