"""Internet allowance history, confirmations of regular home work, and the aggregations the
reports need (per mode per year, per month for the home-work allowance).

The aggregations attribute a staff member to their current entity and count a month when the
staff member was in service on at least one day of it; the mode of a month is the choice in
effect on its first day (see bot.domain.allowances).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Integer, and_, delete, distinct, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.allowances import (
    HOMEWORK_ALLOWANCE,
    AllowanceChoice,
    ChoiceSource,
    InternetMode,
    RegularConfirmation,
    WorkDay,
    allowance_exists,
)
from bot.domain.calendar import Month, months_between, working_days
from bot.domain.policy import EntityPolicy
from bot.domain.policy_sections import AllowancePolicy
from storage.models.allowances import AllowanceChoiceRow, RegularHomeworkConfirmationRow
from storage.models.directory import EntityRow, StaffRow
from storage.models.homework import IneligibilityRow, WorkRegistrationRow
from storage.repositories import homework_allowance


@dataclass(frozen=True)
class ModeYearCount:
    """Staff who had a mode for at least one month of a year (a switcher counts in both modes)."""

    year: int
    mode: InternetMode
    staff_count: int


@dataclass(frozen=True)
class ModeYearAmount:
    """What a mode cost in a year: flat fee months x the entity's amount; third party: the sum
    of the monthly costs of the months in effect."""

    year: int
    mode: InternetMode
    months: int
    amount: Decimal


@dataclass(frozen=True)
class HomeworkAllowanceTotal:
    """How many staff received the home-work allowance for a month, and what it cost."""

    month: Month
    staff_count: int
    amount: Decimal


def _choice(row: AllowanceChoiceRow) -> AllowanceChoice:
    return AllowanceChoice(
        id=row.id, staff_id=row.staff_id, mode=InternetMode(row.mode), effective_from=row.effective_from,
        source=ChoiceSource(row.source), provider=row.provider, customer_number=row.customer_number,
        monthly_cost=row.monthly_cost, recorded_at=row.recorded_at, recorded_by=row.recorded_by,
    )


def _months_cte(months: Sequence[Month], name: str = "months"):  # noqa: ANN202
    """A small calendar table (first day, first day of the next month, year), portable to SQLite."""
    selects = [
        select(
            literal(month.first, Date).label("first"),
            literal(month.next().first, Date).label("after"),
            literal(month.year, Integer).label("year"),
        )
        for month in months
    ]
    return union_all(*selects).cte(name)


class AllowanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_staff(self, staff_id: int) -> None:
        """Serialize changes to one staff member's history (a row lock on PostgreSQL; SQLite
        already allows one writer at a time)."""
        await self.session.execute(select(StaffRow.id).where(StaffRow.id == staff_id).with_for_update())

    # -- history --------------------------------------------------------------------------------
    async def history(self, staff_id: int) -> list[AllowanceChoice]:
        rows = await self.session.scalars(
            select(AllowanceChoiceRow).where(AllowanceChoiceRow.staff_id == staff_id)
            .order_by(AllowanceChoiceRow.effective_from, AllowanceChoiceRow.id)
        )
        return [_choice(row) for row in rows]

    async def histories(self, staff_ids: Iterable[int]) -> dict[int, list[AllowanceChoice]]:
        ids = list(staff_ids)
        found: dict[int, list[AllowanceChoice]] = {staff_id: [] for staff_id in ids}
        if not ids:
            return found
        rows = await self.session.scalars(
            select(AllowanceChoiceRow).where(AllowanceChoiceRow.staff_id.in_(ids))
            .order_by(AllowanceChoiceRow.effective_from, AllowanceChoiceRow.id)
        )
        for row in rows:
            found[row.staff_id].append(_choice(row))
        return found

    async def add(self, choice: AllowanceChoice, recorded_at: datetime) -> AllowanceChoice:
        row = AllowanceChoiceRow(
            staff_id=choice.staff_id, mode=choice.mode.value, effective_from=choice.effective_from,
            provider=choice.provider, customer_number=choice.customer_number, monthly_cost=choice.monthly_cost,
            source=choice.source.value, recorded_by=choice.recorded_by, recorded_at=recorded_at,
        )
        self.session.add(row)
        await self.session.flush()
        return _choice(row)

    async def delete_defaults(self, staff_id: int) -> list[AllowanceChoice]:
        """Remove the automatically applied defaults (an imported history replaces them)."""
        rows = list(await self.session.scalars(
            select(AllowanceChoiceRow).where(
                AllowanceChoiceRow.staff_id == staff_id, AllowanceChoiceRow.source == ChoiceSource.DEFAULT.value
            )
        ))
        if rows:
            await self.session.execute(delete(AllowanceChoiceRow).where(AllowanceChoiceRow.id.in_([r.id for r in rows])))
        return [_choice(row) for row in rows]

    async def staff_without_choice(self, entity_id: int, today: date, started_since: date) -> list[int]:
        """Staff of an entity who started on or after `started_since`, in service today or later,
        without any internet allowance choice."""
        has_choice = select(AllowanceChoiceRow.id).where(AllowanceChoiceRow.staff_id == StaffRow.id).exists()
        rows = await self.session.scalars(
            select(StaffRow.id).where(
                StaffRow.entity_id == entity_id, ~has_choice, StaffRow.start_date >= started_since,
                or_(StaffRow.end_date.is_(None), StaffRow.end_date >= today),
            ).order_by(StaffRow.id)
        )
        return list(rows)

    async def staff_in_service(self, entity_id: int, month: Month) -> list[int]:
        """Staff of an entity in service on at least one day of the month."""
        rows = await self.session.scalars(
            select(StaffRow.id).where(
                StaffRow.entity_id == entity_id, StaffRow.start_date <= month.last,
                or_(StaffRow.end_date.is_(None), StaffRow.end_date >= month.first),
            ).order_by(StaffRow.display_name, StaffRow.id)
        )
        return list(rows)

    # -- what the rules read from other areas ----------------------------------------------------
    async def work_days(self, staff_ids: Iterable[int], first: date, last: date) -> dict[int, list[WorkDay]]:
        """Registered work days (any place and status; the rules filter) between two days."""
        ids = list(staff_ids)
        found: dict[int, list[WorkDay]] = {staff_id: [] for staff_id in ids}
        if not ids:
            return found
        rows = await self.session.execute(
            select(WorkRegistrationRow.staff_id, WorkRegistrationRow.day, WorkRegistrationRow.place,
                   WorkRegistrationRow.part, WorkRegistrationRow.status)
            .where(WorkRegistrationRow.staff_id.in_(ids), WorkRegistrationRow.day >= first, WorkRegistrationRow.day <= last)
            .order_by(WorkRegistrationRow.day)
        )
        for staff_id, day, place, part, status in rows:
            found[staff_id].append(WorkDay(day=day, place=place, part=part, status=status))
        return found

    async def ineligible_on(self, staff_ids: Iterable[int], day: date) -> set[int]:
        """Who is marked not eligible for hybrid work on a day (a lifted marking no longer counts)."""
        ids = list(staff_ids)
        if not ids:
            return set()
        rows = await self.session.execute(
            select(IneligibilityRow.staff_id, IneligibilityRow.lifted_at).where(
                IneligibilityRow.staff_id.in_(ids), IneligibilityRow.valid_from <= day,
                or_(IneligibilityRow.valid_until.is_(None), IneligibilityRow.valid_until >= day),
            )
        )
        return {staff_id for staff_id, lifted_at in rows if lifted_at is None or lifted_at.date() > day}

    # -- confirmations of regular home work ------------------------------------------------------
    async def regular_confirmation(self, staff_id: int) -> RegularConfirmation | None:
        row = await self.session.scalar(
            select(RegularHomeworkConfirmationRow)
            .where(RegularHomeworkConfirmationRow.staff_id == staff_id, RegularHomeworkConfirmationRow.withdrawn_at.is_(None))
            .order_by(RegularHomeworkConfirmationRow.id.desc()).limit(1)
        )
        return RegularConfirmation(row.staff_id, row.confirmed_by, row.confirmed_at) if row else None

    async def confirm_regular(self, staff_id: int, by: int, at: datetime) -> None:
        self.session.add(RegularHomeworkConfirmationRow(staff_id=staff_id, confirmed_by=by, confirmed_at=at))
        await self.session.flush()

    async def withdraw_regular(self, staff_id: int, by: int, at: datetime) -> int:
        rows = list(await self.session.scalars(
            select(RegularHomeworkConfirmationRow).where(
                RegularHomeworkConfirmationRow.staff_id == staff_id, RegularHomeworkConfirmationRow.withdrawn_at.is_(None)
            )
        ))
        for row in rows:
            row.withdrawn_at = at
            row.withdrawn_by = by
        await self.session.flush()
        return len(rows)

    # -- aggregations for the reports ------------------------------------------------------------
    async def _mode_months(self, years: Sequence[int], entity_id: int | None):  # noqa: ANN202
        """Per (entity, year, mode): distinct staff, staff-months and third-party cost in cents."""
        if not years:
            return []
        months = _months_cte([m for year in sorted(set(years)) for m in months_between(Month(year, 1), Month(year, 12))])
        choice = AllowanceChoiceRow
        spans = select(
            choice.staff_id, choice.mode, choice.monthly_cost, choice.effective_from,
            func.lead(choice.effective_from).over(partition_by=choice.staff_id, order_by=(choice.effective_from, choice.id)).label("until"),
        ).cte("spans")
        query = (
            select(
                StaffRow.entity_id, months.c.year, spans.c.mode,
                func.count(distinct(spans.c.staff_id)), func.count(),
                func.sum(func.round(func.coalesce(spans.c.monthly_cost, 0) * 100)),
            )
            .select_from(months)
            .join(spans, and_(spans.c.effective_from <= months.c.first, or_(spans.c.until.is_(None), spans.c.until > months.c.first)))
            .join(StaffRow, StaffRow.id == spans.c.staff_id)
            .where(StaffRow.start_date < months.c.after, or_(StaffRow.end_date.is_(None), StaffRow.end_date >= months.c.first))
            .group_by(StaffRow.entity_id, months.c.year, spans.c.mode)
        )
        if entity_id is not None:
            query = query.where(StaffRow.entity_id == entity_id)
        return list(await self.session.execute(query))

    async def _policies(self, entity_ids: Iterable[int]) -> dict[int, AllowancePolicy]:
        ids = list(set(entity_ids))
        if not ids:
            return {}
        rows = await self.session.execute(select(EntityRow.id, EntityRow.policy).where(EntityRow.id.in_(ids)))
        return {entity: EntityPolicy.from_json(policy).allowance for entity, policy in rows}

    async def staff_per_mode_per_year(self, years: Sequence[int], entity_id: int | None = None) -> list[ModeYearCount]:
        """Staff per internet allowance mode per year; None for the whole administration."""
        counts: dict[tuple[int, InternetMode], int] = defaultdict(int)
        for _entity, year, mode, staff_count, _months, _cents in await self._mode_months(years, entity_id):
            counts[(int(year), InternetMode(mode))] += int(staff_count)
        return [ModeYearCount(year, mode, count) for (year, mode), count in sorted(counts.items())]

    async def amount_per_mode_per_year(self, years: Sequence[int], entity_id: int | None = None) -> list[ModeYearAmount]:
        """Budget spent per mode per year: flat fee months x each entity's configured amount;
        third party: the monthly costs of the months in effect. Exact decimals."""
        rows = await self._mode_months(years, entity_id)
        policies = await self._policies(row[0] for row in rows)
        months: dict[tuple[int, InternetMode], int] = defaultdict(int)
        amounts: dict[tuple[int, InternetMode], Decimal] = defaultdict(lambda: Decimal("0.00"))
        for entity, year, mode, _staff, month_count, cents in rows:
            key = (int(year), InternetMode(mode))
            months[key] += int(month_count)
            if key[1] == InternetMode.FLAT_FEE:
                amounts[key] += policies.get(entity, AllowancePolicy()).flat_fee_amount * int(month_count)
            else:
                amounts[key] += Decimal(int(cents or 0)) / 100
        return [ModeYearAmount(year, mode, months[(year, mode)], amounts[(year, mode)].quantize(Decimal("0.01")))
                for (year, mode) in sorted(months)]

    async def homework_allowance_per_month(self, months: Sequence[Month], entity_id: int | None = None) -> list[HomeworkAllowanceTotal]:
        """Staff who received the home-work allowance per month, and its cost (each entity's amount).

        The database sums each staff member's home days per month (storage/repositories/
        homework_allowance.py); the rule then decides per staff member with the working days
        they were in service (bot.domain.allowances.HOMEWORK_ALLOWANCE)."""
        if not months:
            return []
        ordered = sorted(set(months))
        calendar = _months_cte(ordered, "hw_months")
        query = (
            select(calendar.c.first, WorkRegistrationRow.staff_id, StaffRow.entity_id, StaffRow.start_date,
                   StaffRow.end_date, func.sum(homework_allowance.home_halves()))
            .select_from(calendar)
            .join(WorkRegistrationRow, and_(WorkRegistrationRow.day >= calendar.c.first, WorkRegistrationRow.day < calendar.c.after))
            .join(StaffRow, StaffRow.id == WorkRegistrationRow.staff_id)
            .where(*homework_allowance.counted_home_days(ordered[0].first, ordered[-1].last))
            .group_by(calendar.c.first, WorkRegistrationRow.staff_id, StaffRow.entity_id, StaffRow.start_date, StaffRow.end_date)
        )
        if entity_id is not None:
            query = query.where(StaffRow.entity_id == entity_id)
        rows = list(await self.session.execute(query))
        policies = await self._policies(row[2] for row in rows)
        counts: dict[Month, int] = dict.fromkeys(ordered, 0)
        amounts: dict[Month, Decimal] = dict.fromkeys(ordered, Decimal("0.00"))
        for first, _staff_id, entity, start, end, halves in rows:
            month = Month.of(first if isinstance(first, date) else date.fromisoformat(str(first)))
            policy = policies.get(entity, AllowancePolicy())
            if allowance_exists(month, policy) and HOMEWORK_ALLOWANCE.due(int(halves), len(working_days(month, start, end))):
                counts[month] += 1
                amounts[month] += policy.homework_allowance_amount
        return [HomeworkAllowanceTotal(month, counts[month], amounts[month]) for month in ordered]
