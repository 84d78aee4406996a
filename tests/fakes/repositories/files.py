"""Files offered for consent, in memory."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.files import PendingFile

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase


class FakePendingFileRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _rows(self) -> dict[str, PendingFile]:
        return self.db.table("pending_files")

    async def add(
        self, public_id: str, staff_id: int, filename: str, content_type: str, content: bytes, expires_at: datetime
    ) -> PendingFile:
        pending = PendingFile(self.db.next_id("pending_files"), public_id, staff_id, filename, content_type, content, expires_at)
        self._rows()[public_id] = pending
        return pending

    async def get(self, public_id: str) -> PendingFile | None:
        return self._rows().get(public_id)

    async def remove(self, public_id: str) -> None:
        self._rows().pop(public_id, None)

    async def delete_expired(self, now: datetime) -> int:
        expired = [key for key, pending in self._rows().items() if pending.expires_at < now]
        for key in expired:
            del self._rows()[key]
        return len(expired)
