"""The report's figures in memory: a test seeds what the database would count, per query and
scope (`seed(db, "homework", [...], entity_id=...)`, entity None: the whole administration); the
fake answers for the period asked, as the SQL does (months and years outside it left out, empty
months as zero lines, webinar sessions by local day in the zone asked, titles in the locale)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any

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
    percentage,
)

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase

TABLE = "report_figures"


@dataclass(frozen=True)
class SeededSession:
    """A webinar session as stored: both titles, the start in UTC."""

    title_nl: str
    title_en: str
    target_group: str
    starts_at: datetime
    registered: int
    waitlisted: int = 0
    attended: int = 0


def seed(db: FakeDatabase, kind: str, lines: Any, *, entity_id: int | None = None) -> None:
    """What the database would count for `kind` (the repository method's name without the verb)."""
    db.table(TABLE)[(kind, entity_id)] = lines


class FakeReportRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self.prepared = 0

    def _seeded(self, kind: str, entity_id: int | None, default: Any = ()) -> Any:
        return self.db.table(TABLE).get((kind, entity_id), default)

    async def prepare(self) -> None:
        self.prepared += 1

    async def entity(self, code: str) -> tuple[int, EntityRef] | None:
        found = next((e for e in self.db.table("entities").values() if e.code == code), None)
        return (found.id, EntityRef(found.code, found.name)) if found else None

    async def entities(self) -> list[EntityRef]:
        return [EntityRef(e.code, e.name) for e in sorted(self.db.table("entities").values(), key=lambda e: e.code)]

    def _lines(self, kind: str, entity_id: int | None, breakdown: bool) -> list[Any]:
        """The scope's seeded lines, then (with `breakdown`) those seeded as `<kind>_by_entity`."""
        return list(self._seeded(kind, entity_id)) + (list(self._seeded(f"{kind}_by_entity", None)) if breakdown else [])

    async def homework_months(self, period: Period, entity_id: int | None, breakdown: bool = False) -> list[HomeworkMonth]:
        seeded = {line.month: line for line in self._seeded("homework", entity_id)}
        result = [seeded.get(month, HomeworkMonth(month, 0, 0, Decimal(0))) for month in period.months()]
        if breakdown:
            result += [line for line in self._seeded("homework_by_entity", None) if period.start <= line.month <= period.end]
        return result

    async def staff_per_year(self, period: Period, entity_id: int | None) -> dict[int, int]:
        seeded = self._seeded("staff_per_year", entity_id, {})
        return {year: seeded.get(year, 0) for year in period.years()}

    async def eligible_staff_per_year(
        self, period: Period, entity_id: int | None, breakdown: bool = False
    ) -> dict[tuple[int, int | None], int]:
        seeded = self._seeded("eligible_staff_per_year", entity_id, {})
        return {(year, None): seeded.get(year, 0) for year in period.years()}

    async def ineligible_groups(self, period: Period, entity_id: int | None, breakdown: bool = False) -> list[IneligibleGroup]:
        return self._lines("ineligible", entity_id, breakdown)

    async def webinar_lines(
        self, period: Period, entity_id: int | None, tz: tzinfo, locale: str = "nl", breakdown: bool = False
    ) -> list[WebinarLine]:
        start = datetime.combine(period.first_day, time(0), tz)
        end = datetime.combine(period.last_day + timedelta(days=1), time(0), tz)
        sessions: list[SeededSession] = self._seeded("webinars", entity_id)
        return [
            WebinarLine(s.title_en if locale == "en" else s.title_nl, s.target_group, s.starts_at.astimezone(tz),
                        s.registered, s.waitlisted, s.attended)
            for s in sorted(sessions, key=lambda s: s.starts_at) if start <= s.starts_at < end
        ]

    async def webinar_totals(
        self, period: Period, entity_id: int | None, tz: tzinfo, locale: str = "nl", breakdown: bool = False
    ) -> list[WebinarTotal]:
        return self._lines("webinar_totals", entity_id, breakdown)

    def _in_years(self, kind: str, period: Period, entity_id: int | None, breakdown: bool = False) -> list[Any]:
        return [line for line in self._lines(kind, entity_id, breakdown) if line.year is None or line.year in period.years()]

    async def coaching_lines(self, period: Period, entity_id: int | None, breakdown: bool = False) -> list[CoachingLine]:
        return self._in_years("coaching", period, entity_id, breakdown)

    async def internet_allowance_lines(
        self, period: Period, entity_id: int | None, eligible: dict[tuple[int, int | None], int], breakdown: bool = False
    ) -> list[InternetAllowanceLine]:
        # The share is of the eligible staff that year, which the caller hands in.
        def with_share(line: InternetAllowanceLine) -> InternetAllowanceLine:
            denominator = eligible.get((line.year, None), 0)
            return replace(line, share=percentage(line.staff, denominator), eligible_staff=denominator)

        return [with_share(line) for line in self._in_years("internet_allowance", period, entity_id, breakdown)]

    async def homework_allowance_months(
        self, period: Period, entity_id: int | None, breakdown: bool = False
    ) -> list[HomeworkAllowanceMonth]:
        seeded = {line.month: line for line in self._seeded("homework_allowance", entity_id)}
        return [seeded.get(month, HomeworkAllowanceMonth(month, 0, Decimal("0.00"))) for month in period.months()]

    async def equipment_lines(
        self, period: Period, entity_id: int | None, locale: str = "nl", breakdown: bool = False
    ) -> list[EquipmentLine]:
        return self._in_years("equipment", period, entity_id, breakdown)

    async def staff_served(self, period: Period, entity_id: int | None, breakdown: bool = False) -> list[StaffServed]:
        return self._in_years("staff_served", period, entity_id, breakdown)

    async def budget_lines(self, period: Period, entity_id: int | None, locale: str = "nl", breakdown: bool = False) -> list[BudgetLine]:
        return self._in_years("budgets", period, entity_id, breakdown)
