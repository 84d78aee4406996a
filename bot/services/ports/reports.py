"""The figures of the parliamentary report, each counted by the database (implemented in
storage/repositories/reports.py). `entity_id` None: the whole administration. With `breakdown`
a method returns the scope's lines (entity None, each person once) followed by every entity's."""

from __future__ import annotations

from datetime import tzinfo
from typing import Protocol

from bot.domain.reports import (
    BudgetLine,
    CoachingLine,
    EntityRef,
    EquipmentLine,
    HomeworkAllowanceMonth,
    HomeworkMonth,
    IneligibleGroup,
    InternetAllowanceLine,
    Period,
    StaffServed,
    WebinarLine,
    WebinarTotal,
)


class ReportRepository(Protocol):
    async def prepare(self) -> None:
        """Ready the transaction for heavy aggregation (e.g. more working memory)."""
        ...

    async def entity(self, code: str) -> tuple[int, EntityRef] | None: ...
    async def entities(self) -> list[EntityRef]: ...

    async def homework_months(self, period: Period, entity_id: int | None, breakdown: bool = False) -> list[HomeworkMonth]:
        """Home workers, eligible staff, home and satellite days per month of the period (no shares yet)."""
        ...

    async def staff_per_year(self, period: Period, entity_id: int | None) -> dict[int, int]: ...

    async def eligible_staff_per_year(
        self, period: Period, entity_id: int | None, breakdown: bool = False
    ) -> dict[tuple[int, int | None], int]:
        """(year, entity id or None for the scope) -> staff in the home-work denominator of at least one month."""
        ...

    async def ineligible_groups(self, period: Period, entity_id: int | None, breakdown: bool = False) -> list[IneligibleGroup]: ...

    async def webinar_lines(
        self, period: Period, entity_id: int | None, tz: tzinfo, locale: str = "nl", breakdown: bool = False
    ) -> list[WebinarLine]:
        """Sessions starting in the period, its days taken in `tz`; session starts given in `tz`."""
        ...

    async def webinar_totals(
        self, period: Period, entity_id: int | None, tz: tzinfo, locale: str = "nl", breakdown: bool = False
    ) -> list[WebinarTotal]: ...

    async def coaching_lines(self, period: Period, entity_id: int | None, breakdown: bool = False) -> list[CoachingLine]: ...

    async def internet_allowance_lines(
        self, period: Period, entity_id: int | None, eligible: dict[tuple[int, int | None], int], breakdown: bool = False
    ) -> list[InternetAllowanceLine]: ...

    async def homework_allowance_months(
        self, period: Period, entity_id: int | None, breakdown: bool = False
    ) -> list[HomeworkAllowanceMonth]: ...

    async def equipment_lines(
        self, period: Period, entity_id: int | None, locale: str = "nl", breakdown: bool = False
    ) -> list[EquipmentLine]: ...

    async def staff_served(self, period: Period, entity_id: int | None, breakdown: bool = False) -> list[StaffServed]: ...
    async def budget_lines(self, period: Period, entity_id: int | None, locale: str = "nl", breakdown: bool = False) -> list[BudgetLine]: ...
