"""The history import's look-ups and writes in memory, in tables of its own (plain dicts):
"history_registrations" {"staff_id", "day", "place", "part", "status", "source"},
"history_ineligibility" {"staff_id", "reason", "valid_from", "valid_until", "note"},
"history_deliveries" {"staff_id", "entity_id", "status", "requested_on", "delivered_on", "item_id", "category_id",
"quantity", "unit_price", "note"} (requests of the past, delivered or not),
"history_catalogue" {(entity_id, code in lower case): CatalogueItem} and
"history_assignments" {"staff_id", "entity_id", "valid_from", "valid_until"} (the entity history;
without one a person belongs to the entity on their staff row)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

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
            (row["staff_id"], row["day"]): KnownRegistration(row_id, row["place"], row["part"], row["source"], row.get("status", "registered"))
            for row_id, row in self.db.table("history_registrations").items()
            if row["staff_id"] in set(staff_ids) and first <= row["day"] <= last
        }

    async def add_registrations(self, registrations: list[NewRegistration], source: str) -> None:
        for r in registrations:
            self._add("history_registrations", {"staff_id": r.staff_id, "day": r.day, "place": r.place, "part": r.part,
                                                "status": r.status, "source": source})

    async def correct_registration(self, registration_id: int, place: str, part: str, status: str) -> None:
        self.db.table("history_registrations")[registration_id].update(place=place, part=part, status=status)

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

    async def imported_request(self, staff_id: int, requested_on: date, item_id: int, note: str) -> KnownRequest | None:
        return next(
            (KnownRequest(row_id, row["status"], row["delivered_on"], row["quantity"], row["unit_price"])
             for row_id, row in self.db.table("history_deliveries").items()
             if (row["staff_id"], row["requested_on"], row["item_id"], row["note"]) == (staff_id, requested_on, item_id, note)),
            None,
        )

    async def add_request(self, staff_id: int, entity_id: int, line: EquipmentHistoryLine, item: CatalogueItem, note: str) -> None:
        self._add("history_deliveries", {"staff_id": staff_id, "entity_id": entity_id, "status": line.status,
                                         "requested_on": line.requested, "delivered_on": line.delivered_on,
                                         "item_id": item.id, "category_id": item.category_id, "quantity": line.quantity,
                                         "unit_price": line.unit_price, "note": note})

    async def correct_request(self, request_id: int, line: EquipmentHistoryLine) -> None:
        self.db.table("history_deliveries")[request_id].update(
            status=line.status, delivered_on=line.delivered_on, quantity=line.quantity, unit_price=line.unit_price,
        )

    async def entity_ids(self, codes: Iterable[str]) -> dict[str, int]:
        wanted = set(codes)
        return {entity.code: entity.id for entity in self.db.table("entities").values() if entity.code in wanted}

    async def current_entity(self, staff_id: int) -> int:
        return self.db.table("staff")[staff_id].entity_id

    async def assignments(self, staff_id: int) -> list[AssignmentPeriod]:
        rows = [row for row in self.db.table("history_assignments").values() if row["staff_id"] == staff_id]
        return [AssignmentPeriod(row["entity_id"], row["valid_from"], row["valid_until"])
                for row in sorted(rows, key=lambda row: row["valid_from"])]

    async def replace_assignments(self, staff_id: int, periods: list[AssignmentPeriod]) -> None:
        table = self.db.table("history_assignments")
        for row_id in [row_id for row_id, row in table.items() if row["staff_id"] == staff_id]:
            del table[row_id]
        for period in periods:
            self._add("history_assignments", {"staff_id": staff_id, "entity_id": period.entity_id,
                                              "valid_from": period.valid_from, "valid_until": period.valid_until})
