"""The equipment repository as the use cases see it (implemented in storage/repositories/equipment.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from bot.domain.equipment import (
    Budget,
    CatalogueItem,
    Category,
    Delivery,
    EquipmentRequest,
    Names,
    PastLine,
    RequestLine,
    RequestStatus,
)


class EquipmentRepository(Protocol):
    # -- catalogue --------------------------------------------------------------------------------
    async def list_categories(self, entity_id: int) -> list[Category]:
        """By code."""
        ...

    async def list_items(self, entity_id: int, *, active_only: bool = True) -> list[CatalogueItem]:
        """By category code, then Dutch name."""
        ...

    async def items_by_ids(self, ids: Iterable[int]) -> dict[int, CatalogueItem]:
        """Whichever of `ids` exist, of any entity and active or not."""
        ...

    async def upsert_category(self, entity_id: int, code: str, names: Names) -> tuple[Category, dict[str, Any] | None]:
        """Create or rename; returns the category and its previous names (None when created)."""
        ...

    async def upsert_item(self, entity_id: int, code: str, values: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        """Create or update an item by code; returns its id and its previous values (None when created)."""
        ...

    async def deactivate_except(self, entity_id: int, codes: Iterable[str]) -> list[str]:
        """Deactivate the entity's active items whose code is not in `codes`; returns their codes, sorted."""
        ...

    # -- budgets ----------------------------------------------------------------------------------
    async def list_budgets(self, entity_id: int) -> list[Budget]: ...

    async def lock_budgets(self, budget_ids: Iterable[int]) -> list[Budget]:
        """The budgets, locked until the transaction ends (in id order, so two approvals never
        wait on each other in a cycle)."""
        ...

    async def used_by_budget(self, budget_ids: Iterable[int]) -> dict[int, Decimal]:
        """Money committed or spent against each budget (0 for a budget nothing uses)."""
        ...

    async def upsert_budget(
        self, entity_id: int, category_id: int, year: int, amount: Decimal, one_off: bool
    ) -> tuple[int, dict[str, Any] | None]:
        """Returns the budget's id and its previous amount and kind (None when created)."""
        ...

    # -- requests ---------------------------------------------------------------------------------
    async def add_request(
        self, *, staff_id: int, entity_id: int, status: RequestStatus, lines: Sequence[RequestLine],
        justification: str | None, delivery: Delivery, reasonable_adjustment: bool, requested_on: date,
        created_at: datetime,
    ) -> int: ...

    async def get_request(self, request_id: int, *, for_update: bool = False) -> EquipmentRequest | None:
        """`for_update` locks it, so two clicks on the same request run one after the other."""
        ...

    async def update_request(self, request_id: int, **values: Any) -> None:
        """Columns: status, note, decided_at, decided_by, ordered_at, delivered_on, closed_at, handled_by."""
        ...

    async def charge_lines(self, request_id: int, budget_by_category: dict[int, int | None]) -> None:
        """Point each line at the budget it is committed against."""
        ...

    async def history(self, staff_id: int) -> list[PastLine]:
        """Every item the staff member asked for, in any state."""
        ...

    async def list_for_staff(self, staff_id: int, limit: int = 20) -> list[EquipmentRequest]:
        """Newest first."""
        ...

    async def list_to_fulfil(self, entity_id: int | None, limit: int = 25) -> list[EquipmentRequest]:
        """Approved and ordered requests, oldest decision first; `entity_id` None: every entity."""
        ...
