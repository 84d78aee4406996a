"""Personal data over every table: one person's export, what a manager's deputies are, and what
retention does (implemented in storage/repositories/privacy.py, driven by bot/domain/privacy.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from bot.domain.privacy import PersonalExport


class PrivacyRepository(Protocol):
    async def export_person(self, staff_id: int) -> PersonalExport | None:
        """Everything stored about one staff member; None when there is no such staff member."""
        ...

    async def deputies_on(self, manager_id: int, day: date) -> list[str]:
        """Names of a manager's deputies whose period covers the day."""
        ...

    # -- retention ----------------------------------------------------------------------------
    async def staff_to_anonymise(self, cutoff: date) -> list[int]:
        """Staff who left service before the cutoff and still carry their identity."""
        ...

    async def anonymise(self, staff_id: int) -> dict[str, int]:
        """Remove everything that identifies one person; rows changed per table."""
        ...

    async def staff_with_old_rows(self, cutoff: date, cutoff_at: datetime) -> list[int]:
        """Staff with rows older than the cutoff that still hold free text or are logs to delete."""
        ...

    async def age_out(self, staff_id: int, cutoff: date, cutoff_at: datetime) -> dict[str, int]:
        """One person's rows older than the cutoff: free text blanked, logs deleted."""
        ...

    async def strip_old_audit(self, cutoff_at: datetime) -> int:
        """Audit rows older than the cutoff lose their before/after; how many."""
        ...
