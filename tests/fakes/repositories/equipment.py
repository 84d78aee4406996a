"""The equipment catalogue, budgets and requests in memory, as rows of plain column values (like
the tables), read back as the domain objects the SQL repository returns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bot.domain.equipment import (
    BUDGET_STATUSES,
    COMMITTED_STATUSES,
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
from bot.domain.staff import Role

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase

# The columns update_request may set (a typo in a use case fails here, as it would in SQL).
REQUEST_COLUMNS = frozenset({"status", "note", "decided_at", "decided_by", "ordered_at", "delivered_on", "closed_at", "handled_by"})


class FakeEquipmentRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _table(self, name: str) -> dict[int, Any]:
        return self.db.table(f"equipment_{name}")

    # -- catalogue ------------------------------------------------------------------------------
    async def list_categories(self, entity_id: int) -> list[Category]:
        return sorted((c for c in self._table("categories").values() if c.entity_id == entity_id), key=lambda c: c.code)

    def _item(self, row: dict[str, Any]) -> CatalogueItem:
        category = self._table("categories")[row["category_id"]]
        return CatalogueItem(
            id=row["id"], entity_id=row["entity_id"], code=row["code"], names=Names(row["name_nl"], row["name_en"]),
            category_id=row["category_id"], category_code=category.code, unit_price=row["unit_price"],
            min_months_in_service=row["min_months_in_service"], needs_justification=row["needs_justification"],
            allowed_roles=frozenset(Role(name) for name in row["allowed_roles"] or ()), needs_approval=row["needs_approval"],
            once_per_years=row["once_per_years"], max_quantity=row["max_quantity"], available_from=row["available_from"],
            active=row["active"],
        )

    async def list_items(self, entity_id: int, *, active_only: bool = True) -> list[CatalogueItem]:
        items = [
            self._item(row) for row in self._table("items").values()
            if row["entity_id"] == entity_id and (row["active"] or not active_only)
        ]
        return sorted(items, key=lambda i: (i.category_code, i.names.nl))

    async def items_by_ids(self, ids: Iterable[int]) -> dict[int, CatalogueItem]:
        rows = self._table("items")
        return {item_id: self._item(rows[item_id]) for item_id in ids if item_id in rows}

    async def upsert_category(self, entity_id: int, code: str, names: Names) -> tuple[Category, dict[str, Any] | None]:
        existing = next((c for c in self._table("categories").values() if (c.entity_id, c.code) == (entity_id, code)), None)
        before = None if existing is None else {"name_nl": existing.names.nl, "name_en": existing.names.en}
        category_id = existing.id if existing else self.db.next_id("equipment_categories")
        category = Category(category_id, entity_id, code, names)
        self._table("categories")[category_id] = category
        return category, before

    async def upsert_item(self, entity_id: int, code: str, values: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        rows = self._table("items")
        existing = next((r for r in rows.values() if (r["entity_id"], r["code"]) == (entity_id, code)), None)
        if existing is None:
            item_id = self.db.next_id("equipment_items")
            rows[item_id] = {"id": item_id, "entity_id": entity_id, "code": code, **values}
            return item_id, None
        before = {key: existing[key] for key in values}
        existing.update(values)
        return existing["id"], before

    async def deactivate_except(self, entity_id: int, codes: Iterable[str]) -> list[str]:
        keep = set(codes)
        gone = [r for r in self._table("items").values() if r["entity_id"] == entity_id and r["active"] and r["code"] not in keep]
        for row in gone:
            row["active"] = False
        return sorted(row["code"] for row in gone)

    # -- budgets --------------------------------------------------------------------------------
    def _budget(self, row: dict[str, Any]) -> Budget:
        category = self._table("categories")[row["category_id"]]
        return Budget(row["id"], row["entity_id"], row["category_id"], category.code, row["year"], row["amount"], row["one_off"])

    async def list_budgets(self, entity_id: int) -> list[Budget]:
        rows = sorted((r for r in self._table("budgets").values() if r["entity_id"] == entity_id), key=lambda r: (r["year"], r["id"]))
        return [self._budget(row) for row in rows]

    async def lock_budgets(self, budget_ids: Iterable[int]) -> list[Budget]:
        rows = self._table("budgets")
        return [self._budget(rows[budget_id]) for budget_id in sorted(set(budget_ids)) if budget_id in rows]

    async def used_by_budget(self, budget_ids: Iterable[int]) -> dict[int, Decimal]:
        used = {budget_id: Decimal("0") for budget_id in set(budget_ids)}
        requests = self._table("requests")
        for line in self._table("request_lines").values():
            if line["budget_id"] in used and requests[line["request_id"]]["status"] in BUDGET_STATUSES:
                used[line["budget_id"]] += line["unit_price"] * line["quantity"]
        return used

    async def upsert_budget(
        self, entity_id: int, category_id: int, year: int, amount: Decimal, one_off: bool
    ) -> tuple[int, dict[str, Any] | None]:
        rows = self._table("budgets")
        existing = next((r for r in rows.values() if (r["entity_id"], r["category_id"], r["year"]) == (entity_id, category_id, year)), None)
        if existing is None:
            budget_id = self.db.next_id("equipment_budgets")
            rows[budget_id] = {"id": budget_id, "entity_id": entity_id, "category_id": category_id, "year": year, "amount": amount, "one_off": one_off}
            return budget_id, None
        before = {"amount": str(existing["amount"]), "one_off": existing["one_off"]}
        existing.update(amount=amount, one_off=one_off)
        return existing["id"], before

    # -- requests -------------------------------------------------------------------------------
    async def add_request(
        self, *, staff_id: int, entity_id: int, status: RequestStatus, lines: Sequence[RequestLine],
        justification: str | None, delivery: Delivery, reasonable_adjustment: bool, requested_on: date,
        created_at: datetime,
    ) -> int:
        request_id = self.db.next_id("equipment_requests")
        self._table("requests")[request_id] = {
            "id": request_id, "staff_id": staff_id, "entity_id": entity_id, "status": RequestStatus(status),
            "justification": justification, "delivery": Delivery(delivery), "reasonable_adjustment": reasonable_adjustment,
            "requested_on": requested_on, "created_at": created_at, **dict.fromkeys(REQUEST_COLUMNS - {"status"}),
        }
        for line in lines:
            line_id = self.db.next_id("equipment_request_lines")
            self._table("request_lines")[line_id] = {
                "id": line_id, "request_id": request_id, "item_id": line.item_id, "category_id": line.category_id,
                "quantity": line.quantity, "unit_price": line.unit_price, "budget_id": None,
            }
        return request_id

    def _request(self, row: dict[str, Any]) -> EquipmentRequest:
        items = self._table("items")
        lines = tuple(
            RequestLine(
                item_id=line["item_id"], item_code=items[line["item_id"]]["code"],
                names=Names(items[line["item_id"]]["name_nl"], items[line["item_id"]]["name_en"]),
                category_id=line["category_id"], quantity=line["quantity"], unit_price=line["unit_price"], budget_id=line["budget_id"],
            )
            for line in sorted(self._table("request_lines").values(), key=lambda line: line["id"]) if line["request_id"] == row["id"]
        )
        return EquipmentRequest(
            id=row["id"], staff_id=row["staff_id"], entity_id=row["entity_id"], status=row["status"], lines=lines,
            justification=row["justification"], delivery=row["delivery"], reasonable_adjustment=row["reasonable_adjustment"],
            requested_on=row["requested_on"], created_at=row["created_at"], decided_at=row["decided_at"],
            ordered_at=row["ordered_at"], delivered_on=row["delivered_on"], closed_at=row["closed_at"], note=row["note"],
        )

    def row(self, request_id: int) -> dict[str, Any]:
        """The stored columns of one request (for tests: who decided or handled it)."""
        return self._table("requests")[request_id]

    async def get_request(self, request_id: int, *, for_update: bool = False) -> EquipmentRequest | None:
        row = self._table("requests").get(request_id)
        return self._request(row) if row else None

    async def update_request(self, request_id: int, **values: Any) -> None:
        unknown = set(values) - REQUEST_COLUMNS
        if unknown:
            raise KeyError(f"equipment_requests has no column(s) {sorted(unknown)}")
        if "status" in values:
            values["status"] = RequestStatus(values["status"])
        self._table("requests")[request_id].update(values)

    async def charge_lines(self, request_id: int, budget_by_category: dict[int, int | None]) -> None:
        for line in self._table("request_lines").values():
            if line["request_id"] == request_id and line["category_id"] in budget_by_category:
                line["budget_id"] = budget_by_category[line["category_id"]]

    async def history(self, staff_id: int) -> list[PastLine]:
        requests = self._table("requests")
        return [
            PastLine(line["item_id"], requests[line["request_id"]]["status"], requests[line["request_id"]]["requested_on"],
                     requests[line["request_id"]]["delivered_on"])
            for line in self._table("request_lines").values() if requests[line["request_id"]]["staff_id"] == staff_id
        ]

    async def list_for_staff(self, staff_id: int, limit: int = 20) -> list[EquipmentRequest]:
        rows = sorted((r for r in self._table("requests").values() if r["staff_id"] == staff_id),
                      key=lambda r: (r["created_at"], r["id"]), reverse=True)
        return [self._request(row) for row in rows[:limit]]

    async def list_to_fulfil(self, entity_id: int | None, limit: int = 25) -> list[EquipmentRequest]:
        rows = [
            r for r in self._table("requests").values()
            if r["status"] in COMMITTED_STATUSES and (entity_id is None or r["entity_id"] == entity_id)
        ]
        rows.sort(key=lambda r: (r["decided_at"] is None, r["decided_at"] or datetime.min, r["id"]))
        return [self._request(row) for row in rows[:limit]]
