"""Internet allowance history, confirmations of regular home work, and what the allowance rules
read from other areas (registered days, ineligibility), in memory.

The other areas' rows are seeded with `add_work_days` and `mark_ineligible`, as the allowance
repository reads them: a work day per (staff, day), an ineligibility from a day, maybe lifted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.domain.allowances import AllowanceChoice, ChoiceSource, RegularConfirmation, WorkDay, ordered
from bot.domain.calendar import Month

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase

CHOICES = "allowance_choices"
WORK_DAYS = "allowance_work_days"
INELIGIBLE = "allowance_ineligibility"
CONFIRMATIONS = "regular_homework_confirmations"


@dataclass(frozen=True)
class _Ineligibility:
    staff_id: int
    valid_from: date
    valid_until: date | None = None
    lifted_on: date | None = None


@dataclass(frozen=True)
class _Confirmation:
    staff_id: int
    confirmed_by: int
    confirmed_at: datetime
    withdrawn_by: int | None = None
    withdrawn_at: datetime | None = None


def add_work_days(
    db: FakeDatabase, staff_id: int, days: Iterable[date], *, place: str = "home", part: str = "full",
    status: str = "registered",
) -> None:
    """Registrations as the homework area stores them: one per staff member and day."""
    for day in days:
        db.table(WORK_DAYS)[(staff_id, day)] = WorkDay(day=day, place=place, part=part, status=status)


def mark_ineligible(db: FakeDatabase, staff_id: int, since: date, *, until: date | None = None, lifted_on: date | None = None) -> None:
    db.table(INELIGIBLE)[db.next_id(INELIGIBLE)] = _Ineligibility(staff_id, since, until, lifted_on)


class FakeAllowanceRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def lock_staff(self, staff_id: int) -> None:
        return None  # one writer at a time in memory

    # -- history --------------------------------------------------------------------------------
    def _choices(self) -> dict[int, AllowanceChoice]:
        return self.db.table(CHOICES)

    async def history(self, staff_id: int) -> list[AllowanceChoice]:
        return ordered(c for c in self._choices().values() if c.staff_id == staff_id)

    async def histories(self, staff_ids: Iterable[int]) -> dict[int, list[AllowanceChoice]]:
        return {staff_id: await self.history(staff_id) for staff_id in staff_ids}

    async def add(self, choice: AllowanceChoice, recorded_at: datetime) -> AllowanceChoice:
        stored = replace(choice, id=self.db.next_id(CHOICES), recorded_at=recorded_at)
        self._choices()[stored.id] = stored
        return stored

    async def delete_defaults(self, staff_id: int) -> list[AllowanceChoice]:
        removed = [c for c in await self.history(staff_id) if c.source is ChoiceSource.DEFAULT]
        for choice in removed:
            del self._choices()[choice.id]
        return removed

    def _staff(self, entity_id: int) -> list:
        return [s for s in self.db.table("staff").values() if s.entity_id == entity_id]

    async def staff_without_choice(self, entity_id: int, today: date, started_since: date) -> list[int]:
        with_choice = {c.staff_id for c in self._choices().values()}
        return sorted(
            s.id for s in self._staff(entity_id)
            if s.id not in with_choice and s.start_date >= started_since and (s.end_date is None or s.end_date >= today)
        )

    async def staff_in_service(self, entity_id: int, month: Month) -> list[int]:
        in_service = [
            s for s in self._staff(entity_id) if s.start_date <= month.last and (s.end_date is None or s.end_date >= month.first)
        ]
        return [s.id for s in sorted(in_service, key=lambda s: (s.display_name, s.id))]

    # -- what the rules read from other areas ----------------------------------------------------
    async def work_days(self, staff_ids: Iterable[int], first: date, last: date) -> dict[int, list[WorkDay]]:
        found: dict[int, list[WorkDay]] = {staff_id: [] for staff_id in staff_ids}
        for (staff_id, day), work_day in sorted(self.db.table(WORK_DAYS).items()):
            if staff_id in found and first <= day <= last:
                found[staff_id].append(work_day)
        return found

    async def ineligible_on(self, staff_ids: Iterable[int], day: date) -> set[int]:
        wanted = set(staff_ids)
        return {
            row.staff_id for row in self.db.table(INELIGIBLE).values()
            if row.staff_id in wanted and row.valid_from <= day and (row.valid_until is None or row.valid_until >= day)
            and (row.lifted_on is None or row.lifted_on > day)
        }

    # -- confirmations of regular home work ------------------------------------------------------
    def _active(self, staff_id: int) -> list[tuple[int, _Confirmation]]:
        return sorted(
            (key, row) for key, row in self.db.table(CONFIRMATIONS).items() if row.staff_id == staff_id and row.withdrawn_at is None
        )

    async def regular_confirmation(self, staff_id: int) -> RegularConfirmation | None:
        active = self._active(staff_id)
        if not active:
            return None
        row = active[-1][1]
        return RegularConfirmation(row.staff_id, row.confirmed_by, row.confirmed_at)

    async def confirm_regular(self, staff_id: int, by: int, at: datetime) -> None:
        self.db.table(CONFIRMATIONS)[self.db.next_id(CONFIRMATIONS)] = _Confirmation(staff_id, by, at)

    async def withdraw_regular(self, staff_id: int, by: int, at: datetime) -> int:
        active = self._active(staff_id)
        for key, row in active:
            self.db.table(CONFIRMATIONS)[key] = replace(row, withdrawn_by=by, withdrawn_at=at)
        return len(active)
