"""Files offered to a user and waiting for their consent (or fetched through a signed link)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.files import PendingFile
from storage.models.files import PendingFileRow


class PendingFileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _domain(row: PendingFileRow) -> PendingFile:
        return PendingFile(row.id, row.public_id, row.staff_id, row.filename, row.content_type, row.content, row.expires_at)

    async def add(
        self, public_id: str, staff_id: int, filename: str, content_type: str, content: bytes, expires_at: datetime
    ) -> PendingFile:
        row = PendingFileRow(
            public_id=public_id, staff_id=staff_id, filename=filename, content_type=content_type,
            content=content, expires_at=expires_at,
        )
        self.session.add(row)
        await self.session.flush()
        return self._domain(row)

    async def get(self, public_id: str) -> PendingFile | None:
        row = await self.session.scalar(select(PendingFileRow).where(PendingFileRow.public_id == public_id))
        return self._domain(row) if row else None

    async def remove(self, public_id: str) -> None:
        await self.session.execute(delete(PendingFileRow).where(PendingFileRow.public_id == public_id))

    async def delete_expired(self, now: datetime) -> int:
        result = await self.session.execute(delete(PendingFileRow).where(PendingFileRow.expires_at < now))
        return result.rowcount or 0
