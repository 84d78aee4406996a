"""The history import's look-ups and writes in memory, in tables of its own (plain dicts):
"history_registrations" {"staff_id", "day", "place", "part", "status", "source"},
"history_ineligibility" {"staff_id", "reason", "valid_from", "valid_until", "note"},
"history_deliveries" {"staff_id", "entity_id", "delivered_on", "item_id", "category_id", "unit_price", "note"},
"history_catalogue" {(entity_id, code in lower case): CatalogueItem} and
"history_assignments" {"staff_id", "entity_id", "valid_from", "valid_until"} (the entity history;
without one a person belongs to the entity on their staff row)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bot.domain.history import (
    CatalogueItem,
    KnownIneligibility,
    KnownRegistration,
    NewRegistration,
    StaffDates,
)

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase


class FakeHistoryRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _add(self, table: str, row: dict[str, Any]) -> None:
        self.db.table(table)[self.db.next_id(table)] = row

    async def staff_by_email(self, emails: Iterable[str]) -> dict[str, StaffDates]:
        wanted = set(emails)
        return {
            s.email.lower(): StaffDates(s.id, s.start_date, s.end_date)
            for s in self.db.table("staff").values() if s.email.lower() in wanted
        }

    async def registrations(self, staff_ids: list[int], first: date, last: date) -> dict[tuple[int, date], KnownRegistration]:
        return {
            (row["staff_id"], row["day"]): KnownRegistration(row_id, row["place"], row["part"], row["source"])
            for row_id, row in self.db.table("history_registrations").items()
            if row["staff_id"] in set(staff_ids) and first <= row["day"] <= last
        }

    async def add_registrations(self, registrations: list[NewRegistration], source: str) -> None:
        for r in registrations:
            self._add("history_registrations", {"staff_id": r.staff_id, "day": r.day, "place": r.place, "part": r.part,
                                                "status": "registered", "source": source})

    async def correct_registration(self, registration_id: int, place: str, part: str) -> None:
        self.db.table("history_registrations")[registration_id].update(place=place, part=part)

    async def ineligibility(self, staff_id: int, reason: str, valid_from: date) -> KnownIneligibility | None:
        return next(
            (KnownIneligibility(row_id, row["valid_until"]) for row_id, row in self.db.table("history_ineligibility").items()
             if (row["staff_id"], row["reason"], row["valid_from"]) == (staff_id, reason, valid_from)),
            None,
        )

    async def add_ineligibility(self, staff_id: int, reason: str, valid_from: date, valid_until: date | None, note: str) -> None:
        self._add("history_ineligibility", {"staff_id": staff_id, "reason": reason, "valid_from": valid_from,
                                            "valid_until": valid_until, "note": note})

    async def set_ineligible_until(self, ineligibility_id: int, valid_until: date | None) -> None:
        self.db.table("history_ineligibility")[ineligibility_id]["valid_until"] = valid_until

    async def entity_on(self, staff_id: int, day: date) -> int:
        for row in self.db.table("history_assignments").values():
            if row["staff_id"] == staff_id and row["valid_from"] <= day and (row["valid_until"] is None or day < row["valid_until"]):
                return row["entity_id"]
        return self.db.table("staff")[staff_id].entity_id

    async def catalogue_item(self, entity_id: int, item_code: str) -> CatalogueItem | None:
        return self.db.table("history_catalogue").get((entity_id, item_code.lower()))

    async def has_delivery(self, staff_id: int, delivered_on: date, item_id: int, note: str) -> bool:
        return any(
            (row["staff_id"], row["delivered_on"], row["item_id"], row["note"]) == (staff_id, delivered_on, item_id, note)
            for row in self.db.table("history_deliveries").values()
        )

    async def add_delivery(
        self, staff_id: int, entity_id: int, delivered_on: date, item: CatalogueItem, unit_price: Decimal, note: str
    ) -> None:
        self._add("history_deliveries", {"staff_id": staff_id, "entity_id": entity_id, "delivered_on": delivered_on,
                                         "item_id": item.id, "category_id": item.category_id, "unit_price": unit_price,
                                         "note": note})
