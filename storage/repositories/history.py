"""History from before the bot: the look-ups and writes of the history import, in bulk where a
file has many rows (staff by e-mail and registrations in chunks, new days in one INSERT each)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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
from storage.models.directory import EntityRow, StaffAssignmentRow, StaffRow
from storage.models.equipment import EquipmentItemRow, EquipmentRequestLineRow, EquipmentRequestRow
from storage.models.homework import IneligibilityRow, WorkRegistrationRow

# Rows per statement: keeps IN lists and multi-row inserts under the drivers' parameter limits.
CHUNK = 5000


class HistoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def staff_by_email(self, emails: Iterable[str]) -> dict[str, StaffDates]:
        found: dict[str, StaffDates] = {}
        wanted = sorted(set(emails))
        for i in range(0, len(wanted), CHUNK):
            rows = await self.session.execute(
                select(func.lower(StaffRow.email), StaffRow.id, StaffRow.start_date, StaffRow.end_date)
                .where(func.lower(StaffRow.email).in_(wanted[i : i + CHUNK]))
            )
            for email, staff_id, start, end in rows:
                found[email] = StaffDates(staff_id, start, end)
        return found

    async def registrations(self, staff_ids: list[int], first: date, last: date) -> dict[tuple[int, date], KnownRegistration]:
        known: dict[tuple[int, date], KnownRegistration] = {}
        ids = sorted(set(staff_ids))
        registration = WorkRegistrationRow
        for i in range(0, len(ids), CHUNK):
            for row in await self.session.execute(
                select(registration.id, registration.staff_id, registration.day, registration.place, registration.part,
                       registration.source, registration.status)
                .where(registration.staff_id.in_(ids[i : i + CHUNK]), registration.day.between(first, last))
            ):
                known[(row.staff_id, row.day)] = KnownRegistration(row.id, row.place, row.part, row.source, row.status)
        return known

    async def add_registrations(self, registrations: list[NewRegistration], source: str) -> None:
        values = [
            {"staff_id": r.staff_id, "day": r.day, "place": r.place, "part": r.part, "status": r.status, "source": source}
            for r in registrations
        ]
        for i in range(0, len(values), CHUNK):
            await self.session.execute(insert(WorkRegistrationRow), values[i : i + CHUNK])

    async def correct_registration(self, registration_id: int, place: str, part: str, status: str) -> None:
        await self.session.execute(
            update(WorkRegistrationRow).where(WorkRegistrationRow.id == registration_id).values(place=place, part=part, status=status)
        )

    async def ineligibility(self, staff_id: int, reason: str, valid_from: date) -> KnownIneligibility | None:
        row = (await self.session.execute(
            select(IneligibilityRow.id, IneligibilityRow.valid_until).where(
                IneligibilityRow.staff_id == staff_id, IneligibilityRow.reason == reason, IneligibilityRow.valid_from == valid_from,
            )
        )).first()
        return KnownIneligibility(row.id, row.valid_until) if row else None

    async def add_ineligibility(self, staff_id: int, reason: str, valid_from: date, valid_until: date | None, note: str) -> None:
        self.session.add(IneligibilityRow(staff_id=staff_id, reason=reason, note=note, valid_from=valid_from, valid_until=valid_until))

    async def set_ineligible_until(self, ineligibility_id: int, valid_until: date | None) -> None:
        await self.session.execute(
            update(IneligibilityRow).where(IneligibilityRow.id == ineligibility_id).values(valid_until=valid_until)
        )

    async def entity_on(self, staff_id: int, day: date) -> int:
        assignment = StaffAssignmentRow
        entity_id = await self.session.scalar(
            select(assignment.entity_id).where(
                assignment.staff_id == staff_id, assignment.valid_from <= day,
                or_(assignment.valid_until.is_(None), assignment.valid_until > day),
            ).order_by(assignment.valid_from.desc()).limit(1)
        )
        return entity_id or await self.session.scalar(select(StaffRow.entity_id).where(StaffRow.id == staff_id))

    async def catalogue_item(self, entity_id: int, item_code: str) -> CatalogueItem | None:
        row = (await self.session.execute(
            select(EquipmentItemRow.id, EquipmentItemRow.category_id).where(
                EquipmentItemRow.entity_id == entity_id, func.lower(EquipmentItemRow.code) == item_code.lower()
            )
        )).first()
        return CatalogueItem(row.id, row.category_id) if row else None

    async def imported_request(self, staff_id: int, requested_on: date, item_id: int, note: str) -> KnownRequest | None:
        request, line = EquipmentRequestRow, EquipmentRequestLineRow
        row = (await self.session.execute(
            select(request.id, request.status, request.delivered_on, line.quantity, line.unit_price)
            .join(line, line.request_id == request.id)
            .where(and_(request.staff_id == staff_id, request.requested_on == requested_on, request.note == note,
                        line.item_id == item_id))
            .order_by(request.id)
            .limit(1)
        )).first()
        return KnownRequest(row.id, row.status, row.delivered_on, row.quantity, row.unit_price) if row else None

    async def add_request(self, staff_id: int, entity_id: int, line: EquipmentHistoryLine, item: CatalogueItem, note: str) -> None:
        request = EquipmentRequestRow(
            staff_id=staff_id, entity_id=entity_id, status=line.status, delivery="office", requested_on=line.requested,
            delivered_on=line.delivered_on, note=note,
        )
        self.session.add(request)
        await self.session.flush()
        self.session.add(EquipmentRequestLineRow(request_id=request.id, item_id=item.id, category_id=item.category_id,
                                                 quantity=line.quantity, unit_price=line.unit_price))

    async def correct_request(self, request_id: int, line: EquipmentHistoryLine) -> None:
        await self.session.execute(
            update(EquipmentRequestRow).where(EquipmentRequestRow.id == request_id)
            .values(status=line.status, delivered_on=line.delivered_on)
        )
        await self.session.execute(
            update(EquipmentRequestLineRow).where(EquipmentRequestLineRow.request_id == request_id)
            .values(quantity=line.quantity, unit_price=line.unit_price)
        )

    async def entity_ids(self, codes: Iterable[str]) -> dict[str, int]:
        wanted = sorted(set(codes))
        rows = await self.session.execute(select(EntityRow.code, EntityRow.id).where(EntityRow.code.in_(wanted)))
        return {code: entity_id for code, entity_id in rows}

    async def current_entity(self, staff_id: int) -> int:
        return int(await self.session.scalar(select(StaffRow.entity_id).where(StaffRow.id == staff_id)))

    async def assignments(self, staff_id: int) -> list[AssignmentPeriod]:
        assignment = StaffAssignmentRow
        rows = await self.session.execute(
            select(assignment.entity_id, assignment.valid_from, assignment.valid_until)
            .where(assignment.staff_id == staff_id).order_by(assignment.valid_from, assignment.id)
        )
        return [AssignmentPeriod(entity_id, start, until) for entity_id, start, until in rows]

    async def replace_assignments(self, staff_id: int, periods: list[AssignmentPeriod]) -> None:
        await self.session.execute(delete(StaffAssignmentRow).where(StaffAssignmentRow.staff_id == staff_id))
        self.session.add_all([
            StaffAssignmentRow(staff_id=staff_id, entity_id=p.entity_id, valid_from=p.valid_from, valid_until=p.valid_until)
            for p in periods
        ])
        await self.session.flush()
