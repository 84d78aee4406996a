"""The figures of the parliamentary report, each counted by the database (implemented in
storage/repositories/reports.py). `entity_id` None: the whole administration."""

from __future__ import annotations

from datetime import tzinfo
from typing import Protocol

from bot.domain.reports import (
    BudgetLine,
    CoachingLine,
    EntityHomeworkMonth,
    EntityRef,
    EquipmentLine,
    HomeworkAllowanceMonth,
    HomeworkMonth,
    IneligibleGroup,
    InternetAllowanceLine,
    Period,
    WebinarLine,
)


class ReportRepository(Protocol):
    async def prepare(self) -> None:
        """Ready the transaction for heavy aggregation (e.g. more working memory)."""
        ...

    async def entity(self, code: str) -> tuple[int, EntityRef] | None: ...
    async def entities(self) -> list[EntityRef]: ...

    async def homework_months(self, period: Period, entity_id: int | None) -> list[HomeworkMonth]:
        """Home workers, eligible staff and home days per month of the period (no shares yet)."""
        ...

    async def homework_months_by_entity(self, period: Period) -> list[EntityHomeworkMonth]: ...
    async def staff_per_year(self, period: Period, entity_id: int | None) -> dict[int, int]: ...
    async def ineligible_groups(self, period: Period, entity_id: int | None) -> list[IneligibleGroup]: ...

    async def webinar_lines(self, period: Period, entity_id: int | None, tz: tzinfo, locale: str = "nl") -> list[WebinarLine]:
        """Sessions starting in the period, its days taken in `tz`; session starts given in `tz`."""
        ...

    async def coaching_lines(self, period: Period, entity_id: int | None) -> list[CoachingLine]: ...

    async def internet_allowance_lines(
        self, period: Period, entity_id: int | None, staff_per_year: dict[int, int]
    ) -> list[InternetAllowanceLine]: ...

    async def homework_allowance_months(self, period: Period, entity_id: int | None) -> list[HomeworkAllowanceMonth]: ...
    async def equipment_lines(self, period: Period, entity_id: int | None, locale: str = "nl") -> list[EquipmentLine]: ...
    async def equipment_staff_per_year(self, period: Period, entity_id: int | None) -> dict[int, int]: ...
    async def budget_lines(self, period: Period, entity_id: int | None, locale: str = "nl") -> list[BudgetLine]: ...
