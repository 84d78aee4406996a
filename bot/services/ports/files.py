"""Files waiting for the user's consent (implemented in storage/repositories/files.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.files import PendingFile


class PendingFileRepository(Protocol):
    async def add(
        self, public_id: str, staff_id: int, filename: str, content_type: str, content: bytes, expires_at: datetime
    ) -> PendingFile: ...

    async def get(self, public_id: str) -> PendingFile | None: ...

    async def remove(self, public_id: str) -> None: ...

    async def delete_expired(self, now: datetime) -> int: ...
