"""Where staff sit in the organisation, in memory: managers on the staff rows, departments in
the "departments" table (staff id -> name)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.domain.staff_org import StaffOrg

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase


class FakeStaffOrgRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def list_current(self) -> list[StaffOrg]:
        departments = self.db.table("departments")
        return [
            StaffOrg(s.id, s.aad_object_id, s.manager_id, departments.get(s.id))
            for s in sorted(self.db.table("staff").values(), key=lambda s: s.id) if s.end_date is None
        ]

    async def ids_by_aad(self, aad_object_ids: list[str]) -> dict[str, int]:
        wanted = set(aad_object_ids)
        return {s.aad_object_id: s.id for s in self.db.table("staff").values() if s.aad_object_id in wanted}

    async def set(self, staff_id: int, manager_id: int | None, department: str | None) -> None:
        staff = self.db.table("staff")
        staff[staff_id] = replace(staff[staff_id], manager_id=manager_id)
        self.db.table("departments")[staff_id] = department
