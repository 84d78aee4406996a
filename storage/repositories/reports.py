"""SQL aggregation behind the parliamentary report: every figure is counted by the database,
rows are never loaded into Python. Each query takes the period and the entity (or None for the
whole administration) and returns plain dataclasses from bot.domain.reports.

Entity membership follows the entity history (staff_assignments, valid_until exclusive): people
count in the entity they belonged to at the time."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from sqlalchemy import (
    Date,
    Integer,
    and_,
    case,
    distinct,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Subquery
from sqlalchemy.sql.functions import FunctionElement

from bot.domain import allowances as allowance_rules
from bot.domain import calendar
from bot.domain.policy import EntityPolicy
from bot.domain.policy_sections import AllowancePolicy
from bot.domain.reports import (
    HOME_PLACES,
    REGISTERED,
    BudgetLine,
    CoachingLine,
    EntityHomeworkMonth,
    EntityRef,
    EquipmentLine,
    HomeworkAllowanceMonth,
    HomeworkMonth,
    IneligibleGroup,
    InternetAllowanceLine,
    Month,
    Period,
    WebinarLine,
    percentage,
)
from storage.models.allowances import AllowanceChoiceRow
from storage.models.directory import EntityRow, StaffAssignmentRow, StaffRow
from storage.models.equipment import (
    EquipmentBudgetRow,
    EquipmentCategoryRow,
    EquipmentItemRow,
    EquipmentRequestLineRow,
    EquipmentRequestRow,
)
from storage.models.homework import IneligibilityRow, WorkRegistrationRow
from storage.models.webinars import CoachingRequestRow, WebinarRegistrationRow, WebinarRow, WebinarSessionRow
from storage.repositories import homework_allowance


class month_start(FunctionElement):  # noqa: N801 - reads as the SQL function it is
    """The first day of a date's month: cheap per row, so grouping two million rows stays fast."""

    type = Date()
    inherit_cache = True


@compiles(month_start, "postgresql")
def _month_start_postgresql(element: month_start, compiler, **kw) -> str:  # noqa: ANN001
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_start)
def _month_start_sqlite(element: month_start, compiler, **kw) -> str:  # noqa: ANN001
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


def months_table(months: list[Month], working_days: list[int] | None = None) -> Subquery:
    """The period's months as a derived table (idx, year, first_day, last_day, working_days),
    portable to SQLite."""
    selects = [
        select(
            literal(index, Integer).label("idx"),
            literal(month.year, Integer).label("year"),
            literal(month.month, Integer).label("month"),
            literal(month.first_day, Date).label("first_day"),
            literal(month.last_day, Date).label("last_day"),
            literal(working_days[index] if working_days else 0, Integer).label("working_days"),
        )
        for index, month in enumerate(months)
    ]
    return (selects[0] if len(selects) == 1 else union_all(*selects)).subquery("months")


def ineligible_until(ineligibility=IneligibilityRow) -> ColumnElement:  # noqa: ANN001
    """Last day of an ineligibility (inclusive): its end date, or the day it was lifted if earlier."""
    lifted = func.date(ineligibility.lifted_at)
    return case(
        (ineligibility.lifted_at.is_(None), ineligibility.valid_until),
        (and_(ineligibility.valid_until.is_not(None), ineligibility.valid_until < lifted), ineligibility.valid_until),
        else_=lifted,
    )


class day_after(FunctionElement):  # noqa: N801 - reads as the SQL function it is
    type = Date()
    inherit_cache = True


@compiles(day_after, "postgresql")
def _day_after_postgresql(element: day_after, compiler, **kw) -> str:  # noqa: ANN001
    return f"CAST(({compiler.process(element.clauses, **kw)}) + 1 AS DATE)"


@compiles(day_after)
def _day_after_sqlite(element: day_after, compiler, **kw) -> str:  # noqa: ANN001
    return f"date({compiler.process(element.clauses, **kw)}, '+1 day')"


def _ineligible_on(staff_id: ColumnElement, day: ColumnElement | date) -> ColumnElement:
    marking = IneligibilityRow.__table__.alias()
    until = ineligible_until(marking.c)
    return exists().where(marking.c.staff_id == staff_id, marking.c.valid_from <= day, or_(until.is_(None), until >= day))


def ineligible_whole_month(staff_id: ColumnElement, first: ColumnElement | date, last: ColumnElement | date) -> ColumnElement:
    """Not eligible on every day of [first, last], by one marking or by several in a row (until
    15 June for one reason, from 16 June for another): the first day is covered, and no marking
    ends inside the month without another one covering the day after it."""
    ending = IneligibilityRow.__table__.alias()
    until = ineligible_until(ending.c)
    gap = exists().where(
        ending.c.staff_id == staff_id, ending.c.valid_from <= last, until.is_not(None), until >= first, until < last,
        ~_ineligible_on(ending.c.staff_id, day_after(until)),
    )
    return and_(_ineligible_on(staff_id, first), ~gap)


def in_service(first: ColumnElement | date, last: ColumnElement | date) -> ColumnElement:
    return and_(StaffRow.start_date <= last, or_(StaffRow.end_date.is_(None), StaffRow.end_date >= first))


def assigned(assignment, first: ColumnElement | date, last: ColumnElement | date) -> ColumnElement:  # noqa: ANN001
    """The assignment overlaps [first, last]."""
    return and_(assignment.valid_from <= last, or_(assignment.valid_until.is_(None), assignment.valid_until > first))


def assigned_on(assignment, day: ColumnElement | date) -> ColumnElement:  # noqa: ANN001
    return and_(assignment.valid_from <= day, or_(assignment.valid_until.is_(None), assignment.valid_until > day))


REPORT_WORK_MEM = "64MB"


def half_days() -> ColumnElement:
    return case((WorkRegistrationRow.part == "full", 2), else_=1)


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def prepare(self) -> None:
        """Reporting sorts and hashes a year of registrations: on PostgreSQL give this transaction
        enough working memory to do that in memory rather than on disk."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))

    async def entity(self, code: str) -> tuple[int, EntityRef] | None:
        row = (await self.session.execute(select(EntityRow.id, EntityRow.code, EntityRow.name).where(EntityRow.code == code))).first()
        return (row.id, EntityRef(row.code, row.name)) if row else None

    async def entities(self) -> list[EntityRef]:
        rows = await self.session.execute(select(EntityRow.code, EntityRow.name).order_by(EntityRow.code))
        return [EntityRef(code, name) for code, name in rows]

    # -- home work per month --------------------------------------------------------------------
    def _home_per_staff_month(self, period: Period, with_entity: bool) -> Subquery:
        """One pass over the registrations: per (month, staff[, entity of the day]) the registered
        home and satellite half days."""
        registration = WorkRegistrationRow
        month = month_start(registration.day)
        query = select(month.label("first_day"), registration.staff_id.label("staff_id"), func.sum(half_days()).label("halves")).where(
            registration.day >= period.first_day, registration.day <= period.last_day,
            registration.place.in_(HOME_PLACES), registration.status == REGISTERED,
        )
        group = [month, registration.staff_id]
        if with_entity:
            query = query.add_columns(StaffAssignmentRow.entity_id.label("entity_id")).join(
                StaffAssignmentRow,
                and_(StaffAssignmentRow.staff_id == registration.staff_id, assigned_on(StaffAssignmentRow, registration.day)),
            )
            group.append(StaffAssignmentRow.entity_id)
        return query.group_by(*group).subquery("home")

    def _monthly_counts(self, period: Period, entity_id: int | None, by_entity: bool):  # noqa: ANN202
        """Per month (and entity): eligible staff, home workers among them and their home days."""
        months = months_table(period.months())
        per_entity = entity_id is not None or by_entity
        home = self._home_per_staff_month(period, per_entity)
        eligible = ~ineligible_whole_month(StaffRow.id, months.c.first_day, months.c.last_day)
        query = select(months.c.idx).select_from(months).join(StaffRow, in_service(months.c.first_day, months.c.last_day))
        home_on = [home.c.staff_id == StaffRow.id, home.c.first_day == months.c.first_day]
        if per_entity:
            assignment = StaffAssignmentRow.__table__.alias("a")
            conditions = [assignment.c.staff_id == StaffRow.id, assigned(assignment.c, months.c.first_day, months.c.last_day)]
            if entity_id is not None:
                conditions.append(assignment.c.entity_id == entity_id)
            query = query.join(assignment, and_(*conditions))
            home_on.append(home.c.entity_id == assignment.c.entity_id)
        query = query.outerjoin(home, and_(*home_on)).where(eligible).add_columns(
            func.count(distinct(StaffRow.id)).label("eligible_staff"),
            func.count(distinct(home.c.staff_id)).label("home_workers"),
            func.coalesce(func.sum(home.c.halves), 0).label("halves"),
        )
        if by_entity:
            return query.add_columns(assignment.c.entity_id).group_by(months.c.idx, assignment.c.entity_id)
        return query.group_by(months.c.idx)

    async def homework_months(self, period: Period, entity_id: int | None) -> list[HomeworkMonth]:
        """Home workers, eligible staff and their home days per month (shares are the domain's)."""
        counts = {row.idx: row for row in await self.session.execute(self._monthly_counts(period, entity_id, by_entity=False))}
        result = []
        for i, month in enumerate(period.months()):
            row = counts.get(i)
            result.append(
                HomeworkMonth(month, int(row.home_workers), int(row.eligible_staff), Decimal(int(row.halves)) / 2)
                if row is not None else HomeworkMonth(month, 0, 0, Decimal(0))
            )
        return result

    async def homework_months_by_entity(self, period: Period) -> list[EntityHomeworkMonth]:
        months = period.months()
        names = {row.id: EntityRef(row.code, row.name) for row in await self.session.execute(select(EntityRow.id, EntityRow.code, EntityRow.name))}
        rows = await self.session.execute(self._monthly_counts(period, None, by_entity=True))
        lines = [
            EntityHomeworkMonth(months[row.idx], names[row.entity_id], int(row.home_workers), int(row.eligible_staff),
                                percentage(int(row.home_workers), int(row.eligible_staff)))
            for row in rows
        ]
        return sorted(lines, key=lambda line: (line.month, line.entity.code))

    # -- staff counts ---------------------------------------------------------------------------
    async def staff_in_service(self, first: date, last: date, entity_id: int | None) -> int:
        """Staff in service on at least one day of [first, last] (in the entity at that time)."""
        query = select(func.count(distinct(StaffRow.id))).where(in_service(first, last))
        if entity_id is not None:
            query = query.join(
                StaffAssignmentRow,
                and_(StaffAssignmentRow.staff_id == StaffRow.id, StaffAssignmentRow.entity_id == entity_id,
                     assigned(StaffAssignmentRow, first, last)),
            )
        return int(await self.session.scalar(query) or 0)

    async def staff_per_year(self, period: Period, entity_id: int | None) -> dict[int, int]:
        return {year: await self.staff_in_service(*period.year_bounds(year), entity_id) for year in period.years()}

    # -- staff not eligible for hybrid work ---------------------------------------------------------
    async def ineligible_groups(self, period: Period, entity_id: int | None) -> list[IneligibleGroup]:
        """Staff ineligible at some time in the period, per entity (of that time) and reason."""
        first, last = period.first_day, period.last_day
        until = ineligible_until()
        assignment = StaffAssignmentRow
        overlaps = and_(
            IneligibilityRow.valid_from <= last, or_(until.is_(None), until >= first),
            assigned(assignment, first, last),
            # the ineligibility and the assignment share at least one day
            or_(assignment.valid_until.is_(None), IneligibilityRow.valid_from < assignment.valid_until),
            or_(until.is_(None), assignment.valid_from <= until),
            in_service(first, last),
        )
        still = and_(
            or_(until.is_(None), until >= last), assigned_on(assignment, last),
            or_(StaffRow.end_date.is_(None), StaffRow.end_date >= last),
        )
        query = (
            select(
                EntityRow.code, EntityRow.name, IneligibilityRow.reason,
                func.count(distinct(IneligibilityRow.staff_id)).label("staff"),
                func.count(distinct(case((still, IneligibilityRow.staff_id)))).label("at_end"),
            )
            .join(StaffRow, StaffRow.id == IneligibilityRow.staff_id)
            .join(assignment, assignment.staff_id == IneligibilityRow.staff_id)
            .join(EntityRow, EntityRow.id == assignment.entity_id)
            .where(overlaps)
            .group_by(EntityRow.code, EntityRow.name, IneligibilityRow.reason)
            .order_by(EntityRow.code, IneligibilityRow.reason)
        )
        if entity_id is not None:
            query = query.where(assignment.entity_id == entity_id)
        return [
            IneligibleGroup(EntityRef(row.code, row.name), row.reason, int(row.staff), int(row.at_end))
            for row in await self.session.execute(query)
        ]

    # -- webinars and coaching ------------------------------------------------------------------
    async def webinar_lines(self, period: Period, entity_id: int | None, tz: tzinfo, locale: str = "nl") -> list[WebinarLine]:
        """Per session starting in the period: seats taken, waitlisted and attended (participants
        counted in the entity they belonged to on the session's day)."""
        start = datetime.combine(period.first_day, time(0), tz)
        end = datetime.combine(period.last_day + timedelta(days=1), time(0), tz)
        registration = WebinarRegistrationRow
        join_on = [registration.session_id == WebinarSessionRow.id]
        if entity_id is not None:
            on_day = exists().where(
                StaffAssignmentRow.staff_id == registration.staff_id, StaffAssignmentRow.entity_id == entity_id,
                StaffAssignmentRow.valid_from <= func.date(WebinarSessionRow.starts_at),
                or_(StaffAssignmentRow.valid_until.is_(None), StaffAssignmentRow.valid_until > func.date(WebinarSessionRow.starts_at)),
            )
            join_on.append(on_day)
        seated = registration.status == "seated"
        title = WebinarRow.title_en if locale == "en" else WebinarRow.title_nl
        # A session's own target group (history files give one per session), else the webinar's.
        target_group = func.coalesce(WebinarSessionRow.target_group, WebinarRow.target_group)
        query = (
            select(
                title.label("title"), target_group.label("target_group"), WebinarSessionRow.starts_at,
                func.count(case((seated, registration.id))).label("registered"),
                func.count(case((registration.status == "waitlisted", registration.id))).label("waitlisted"),
                func.count(case((and_(seated, registration.attended.is_(True)), registration.id))).label("attended"),
            )
            .select_from(WebinarSessionRow)
            .join(WebinarRow, WebinarRow.id == WebinarSessionRow.webinar_id)
            .outerjoin(registration, and_(*join_on))
            .where(WebinarSessionRow.starts_at >= start, WebinarSessionRow.starts_at < end)
            .group_by(WebinarSessionRow.id, title, target_group, WebinarSessionRow.starts_at)
            .order_by(WebinarSessionRow.starts_at, title)
        )
        return [
            WebinarLine(row.title, row.target_group, row.starts_at.astimezone(tz), int(row.registered), int(row.waitlisted), int(row.attended))
            for row in await self.session.execute(query)
        ]

    async def coaching_lines(self, period: Period, entity_id: int | None) -> list[CoachingLine]:
        """Coaching requested in the period, per year and kind (entity of the day of the request)."""
        request = CoachingRequestRow
        year = extract("year", request.requested_on)
        query = (
            select(
                year.label("year"), request.kind, func.count(request.id).label("requests"),
                func.count(distinct(request.staff_id)).label("staff"),
                func.count(distinct(case((request.conversations > 0, request.staff_id)))).label("coached"),
                func.coalesce(func.sum(request.conversations), 0).label("conversations"),
            )
            .where(request.requested_on >= period.first_day, request.requested_on <= period.last_day)
            .group_by(year, request.kind)
            .order_by(year, request.kind)
        )
        if entity_id is not None:
            query = query.join(
                StaffAssignmentRow,
                and_(StaffAssignmentRow.staff_id == request.staff_id, StaffAssignmentRow.entity_id == entity_id,
                     assigned_on(StaffAssignmentRow, request.requested_on)),
            )
        return [
            CoachingLine(int(row.year), row.kind, int(row.requests), int(row.staff), int(row.coached), int(row.conversations))
            for row in await self.session.execute(query)
        ]

    # -- allowances -----------------------------------------------------------------------------
    async def _policies(self) -> dict[int, AllowancePolicy]:
        return {
            entity_id: EntityPolicy.from_json(policy).allowance
            for entity_id, policy in await self.session.execute(select(EntityRow.id, EntityRow.policy))
        }

    async def internet_allowance_lines(
        self, period: Period, entity_id: int | None, staff_per_year: dict[int, int]
    ) -> list[InternetAllowanceLine]:
        """Per year and mode: staff with that mode in at least one month (a switcher counts in both),
        staff-months and the amount (flat fee: months x the entity's amount from the day the
        allowance exists; third party: the monthly costs of the months in effect)."""
        months = months_table(period.months())
        choice = AllowanceChoiceRow
        # Each choice lasts until the next one of the same person (same date: the one recorded last wins).
        history = select(
            choice.staff_id, choice.mode, choice.monthly_cost, choice.effective_from,
            func.lead(choice.effective_from).over(partition_by=choice.staff_id, order_by=(choice.effective_from, choice.id)).label("until"),
        ).subquery("history")
        assignment = StaffAssignmentRow.__table__.alias("a")
        spans = (
            select(months.c.year, months.c.last_day, history.c.staff_id, history.c.mode, history.c.monthly_cost,
                   assignment.c.entity_id)
            .select_from(months)
            .join(history, and_(history.c.effective_from <= months.c.first_day,
                                or_(history.c.until.is_(None), history.c.until > months.c.first_day)))
            .join(StaffRow, StaffRow.id == history.c.staff_id)
            .outerjoin(assignment, and_(assignment.c.staff_id == StaffRow.id, assigned_on(assignment.c, months.c.last_day)))
            .where(in_service(months.c.first_day, months.c.last_day))
            .subquery("spans")
        )
        query = (
            select(
                spans.c.year, spans.c.mode, spans.c.entity_id, spans.c.last_day,
                func.count(distinct(spans.c.staff_id)).label("staff"), func.count().label("months"),
                func.sum(func.coalesce(spans.c.monthly_cost, 0)).label("cost"),
            )
            .group_by(spans.c.year, spans.c.mode, spans.c.entity_id, spans.c.last_day)
        )
        staff_query = select(spans.c.year, spans.c.mode, func.count(distinct(spans.c.staff_id))).group_by(spans.c.year, spans.c.mode)
        if entity_id is not None:
            query = query.where(spans.c.entity_id == entity_id)
            staff_query = staff_query.where(spans.c.entity_id == entity_id)
        policies = await self._policies()
        months_paid: dict[tuple[int, str], int] = defaultdict(int)
        amounts: dict[tuple[int, str], Decimal] = defaultdict(lambda: Decimal("0.00"))
        for row in await self.session.execute(query):
            key = (int(row.year), row.mode)
            policy = policies.get(row.entity_id, AllowancePolicy())
            if _as_date(row.last_day) < policy.internet_allowance_since:
                continue
            months_paid[key] += int(row.months)
            if row.mode == "flat_fee":
                amounts[key] += policy.flat_fee_amount * int(row.months)
            else:
                amounts[key] += Decimal(row.cost or 0)
        staff = {(int(year), mode): int(count) for year, mode, count in await self.session.execute(staff_query)}
        return [
            InternetAllowanceLine(year, mode, staff.get((year, mode), 0), percentage(staff.get((year, mode), 0), staff_per_year.get(year, 0)),
                                  months_paid[(year, mode)], amounts[(year, mode)].quantize(Decimal("0.01")))
            for year, mode in sorted(months_paid)
        ]

    async def homework_allowance_months(self, period: Period, entity_id: int | None) -> list[HomeworkAllowanceMonth]:
        """Per month: staff due the home-work allowance (bot.domain.allowances.HOMEWORK_ALLOWANCE:
        on average at least one home day a week of the working days in service) and its cost.
        The database sums the home days; staff in service the whole month are decided there too,
        the few who started or left during a month with their own working days in Python."""
        months = period.months()
        counts = [len(calendar.working_days(month)) for month in months]
        table = months_table(months, counts)
        registration = WorkRegistrationRow
        month = month_start(registration.day)
        home = (
            select(month.label("first_day"), registration.staff_id, func.sum(homework_allowance.home_halves()).label("halves"))
            .join(StaffRow, StaffRow.id == registration.staff_id)
            .where(*homework_allowance.counted_home_days(period.first_day, period.last_day))
            .group_by(month, registration.staff_id)
            .subquery("home")
        )
        assignment = StaffAssignmentRow.__table__.alias("a")
        per_staff = (
            select(
                table.c.idx, table.c.working_days, StaffRow.start_date, StaffRow.end_date, assignment.c.entity_id, home.c.halves,
                case((and_(StaffRow.start_date <= table.c.first_day,
                           or_(StaffRow.end_date.is_(None), StaffRow.end_date >= table.c.last_day)), 1), else_=0).label("whole"),
            )
            .select_from(home)
            .join(table, table.c.first_day == home.c.first_day)
            .join(StaffRow, StaffRow.id == home.c.staff_id)
            .outerjoin(assignment, and_(assignment.c.staff_id == StaffRow.id, assigned_on(assignment.c, table.c.last_day)))
            .cte("per_staff")  # read twice below, computed once
        )
        scope = [] if entity_id is None else [per_staff.c.entity_id == entity_id]
        whole_months = (
            select(per_staff.c.idx, per_staff.c.entity_id, func.count().label("staff"), literal(None, Date).label("start_date"),
                   literal(None, Date).label("end_date"), literal(None, Integer).label("halves"))
            .where(per_staff.c.whole == 1, homework_allowance.due(per_staff.c.halves, per_staff.c.working_days), *scope)
            .group_by(per_staff.c.idx, per_staff.c.entity_id)
        )
        partial = select(
            per_staff.c.idx, per_staff.c.entity_id, literal(0, Integer).label("staff"), per_staff.c.start_date, per_staff.c.end_date,
            per_staff.c.halves,
        ).where(per_staff.c.whole == 0, *scope)
        due: dict[tuple[int, int], int] = defaultdict(int)
        for row in await self.session.execute(union_all(whole_months, partial)):
            if row.halves is None:
                due[(row.idx, row.entity_id)] += int(row.staff)
                continue
            in_service = calendar.working_days(months[row.idx], _as_date(row.start_date), _as_date(row.end_date) if row.end_date else None)
            if allowance_rules.HOMEWORK_ALLOWANCE.due(int(row.halves), len(in_service)):
                due[(row.idx, row.entity_id)] += 1
        policies = await self._policies()
        result = []
        for idx, month in enumerate(months):
            staff = 0
            amount = Decimal("0.00")
            for (line_idx, line_entity), count in due.items():
                policy = policies.get(line_entity, AllowancePolicy())
                if line_idx != idx or not allowance_rules.allowance_exists(month, policy):
                    continue
                staff += count
                amount += policy.homework_allowance_amount * count
            result.append(HomeworkAllowanceMonth(month, staff, amount.quantize(Decimal("0.01"))))
        return result

    # -- equipment --------------------------------------------------------------------------------
    async def equipment_lines(self, period: Period, entity_id: int | None, locale: str = "nl") -> list[EquipmentLine]:
        """Delivered in the period, per year of delivery and item (entity of the request)."""
        request, line = EquipmentRequestRow, EquipmentRequestLineRow
        year = extract("year", request.delivered_on)
        item_name = EquipmentItemRow.name_en if locale == "en" else EquipmentItemRow.name_nl
        category_name = EquipmentCategoryRow.name_en if locale == "en" else EquipmentCategoryRow.name_nl
        query = (
            select(
                year.label("year"), category_name.label("category"), EquipmentItemRow.code, item_name.label("item"),
                func.sum(line.quantity).label("pieces"), func.count(distinct(request.staff_id)).label("staff"),
                func.sum(line.unit_price * line.quantity).label("amount"),
            )
            .select_from(line)
            .join(request, request.id == line.request_id)
            .join(EquipmentItemRow, EquipmentItemRow.id == line.item_id)
            .join(EquipmentCategoryRow, EquipmentCategoryRow.id == line.category_id)
            .where(*self._delivered(period, entity_id))
            .group_by(year, category_name, EquipmentItemRow.code, item_name)
            .order_by(year, category_name, EquipmentItemRow.code)
        )
        return [
            EquipmentLine(int(row.year), row.category, row.code, row.item, int(row.pieces), int(row.staff), Decimal(row.amount or 0).quantize(Decimal("0.01")))
            for row in await self.session.execute(query)
        ]

    @staticmethod
    def _delivered(period: Period, entity_id: int | None) -> list[ColumnElement]:
        request = EquipmentRequestRow
        conditions = [request.status == "delivered", request.delivered_on >= period.first_day, request.delivered_on <= period.last_day]
        if entity_id is not None:
            conditions.append(request.entity_id == entity_id)
        return conditions

    async def equipment_staff_per_year(self, period: Period, entity_id: int | None) -> dict[int, int]:
        year = extract("year", EquipmentRequestRow.delivered_on)
        query = (
            select(year.label("year"), func.count(distinct(EquipmentRequestRow.staff_id)))
            .where(*self._delivered(period, entity_id))
            .group_by(year)
        )
        return {int(y): int(count) for y, count in await self.session.execute(query)}

    async def budget_lines(self, period: Period, entity_id: int | None, locale: str = "nl") -> list[BudgetLine]:
        """Per year and category: the budgets granted that year and what was delivered in the
        period's part of that year. Categories are matched by code across entities."""
        category_name = EquipmentCategoryRow.name_en if locale == "en" else EquipmentCategoryRow.name_nl
        years = period.years()
        budgets = (
            select(EquipmentBudgetRow.year, EquipmentCategoryRow.code, func.min(category_name), func.sum(EquipmentBudgetRow.amount))
            .join(EquipmentCategoryRow, EquipmentCategoryRow.id == EquipmentBudgetRow.category_id)
            .where(EquipmentBudgetRow.year >= years[0], EquipmentBudgetRow.year <= years[-1])
            .group_by(EquipmentBudgetRow.year, EquipmentCategoryRow.code)
        )
        if entity_id is not None:
            budgets = budgets.where(EquipmentBudgetRow.entity_id == entity_id)
        year = extract("year", EquipmentRequestRow.delivered_on)
        spent = (
            select(year.label("year"), EquipmentCategoryRow.code, func.min(category_name),
                   func.sum(EquipmentRequestLineRow.unit_price * EquipmentRequestLineRow.quantity))
            .select_from(EquipmentRequestLineRow)
            .join(EquipmentRequestRow, EquipmentRequestRow.id == EquipmentRequestLineRow.request_id)
            .join(EquipmentCategoryRow, EquipmentCategoryRow.id == EquipmentRequestLineRow.category_id)
            .where(*self._delivered(period, entity_id))
            .group_by(year, EquipmentCategoryRow.code)
        )
        figures: dict[tuple[int, str], list] = {}
        for y, code, name, amount in await self.session.execute(budgets):
            figures[(int(y), code)] = [name, Decimal(amount).quantize(Decimal("0.01")), Decimal("0.00")]
        for y, code, name, amount in await self.session.execute(spent):
            figures.setdefault((int(y), code), [name, None, Decimal("0.00")])[2] = Decimal(amount or 0).quantize(Decimal("0.01"))
        return [BudgetLine(y, values[0], values[1], values[2]) for (y, _code), values in sorted(figures.items())]


def _as_date(value: date | str) -> date:
    """SQLite hands back dates computed in a query as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
