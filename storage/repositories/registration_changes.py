"""What registrations and cancellations changed (registration_changes), for Undo."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.homework import ChangedDay, RegistrationChange
from storage.models.registration_changes import RegistrationChangeRow


def _change(row: RegistrationChangeRow) -> RegistrationChange:
    entries = tuple(ChangedDay(date.fromisoformat(e["day"]), e["before"], e["after"]) for e in row.entries)
    return RegistrationChange(row.id, row.staff_id, row.made_at, entries, row.undone_at)


class RegistrationChangeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, staff_id: int, entries: list[ChangedDay], made_at: datetime) -> RegistrationChange:
        row = RegistrationChangeRow(
            staff_id=staff_id, made_at=made_at,
            entries=[{"day": e.day.isoformat(), "before": e.before, "after": e.after} for e in entries],
        )
        self.session.add(row)
        await self.session.flush()
        return _change(row)

    async def get(self, change_id: int, *, for_update: bool = False) -> RegistrationChange | None:
        query = select(RegistrationChangeRow).where(RegistrationChangeRow.id == change_id)
        if for_update:
            query = query.with_for_update()
        row = await self.session.scalar(query.execution_options(populate_existing=True))
        return _change(row) if row else None

    async def mark_undone(self, change_id: int, at: datetime) -> bool:
        result = await self.session.execute(
            update(RegistrationChangeRow)
            .where(RegistrationChangeRow.id == change_id, RegistrationChangeRow.undone_at.is_(None))
            .values(undone_at=at)
        )
        return (result.rowcount or 0) == 1
