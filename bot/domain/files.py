"""Files offered to a staff member: kept until they accept the upload to their OneDrive, decline
(then fetched through a signed link) or the offer expires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PendingFile:
    id: int
    public_id: str  # random: a consent card's context must not reveal or let anyone guess other files
    staff_id: int
    filename: str
    content_type: str
    content: bytes
    expires_at: datetime

    def available_to(self, staff_id: int, now: datetime) -> bool:
        return self.staff_id == staff_id and now < self.expires_at
