"""Where staff sit in the organisation (manager and department) as Microsoft Graph reports it."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.staff_org import StaffOrg
from storage.models.directory import StaffRow


class StaffOrgRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_current(self) -> list[StaffOrg]:
        """Everyone still in service, by id."""
        rows = await self.session.execute(
            select(StaffRow.id, StaffRow.aad_object_id, StaffRow.manager_id, StaffRow.department)
            .where(StaffRow.end_date.is_(None))
            .order_by(StaffRow.id)
        )
        return [StaffOrg(*row) for row in rows]

    async def ids_by_aad(self, aad_object_ids: list[str]) -> dict[str, int]:
        if not aad_object_ids:
            return {}
        rows = await self.session.execute(
            select(StaffRow.aad_object_id, StaffRow.id).where(StaffRow.aad_object_id.in_(aad_object_ids))
        )
        return {aad: staff_id for aad, staff_id in rows}

    async def set(self, staff_id: int, manager_id: int | None, department: str | None) -> None:
        await self.session.execute(
            update(StaffRow).where(StaffRow.id == staff_id).values(manager_id=manager_id, department=department)
        )
