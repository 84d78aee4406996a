"""SQL aggregation behind the parliamentary report: every figure is counted by the database,
rows are never loaded into Python. Each query takes the period and the entity (or None for the
whole administration) and returns plain dataclasses from bot.domain.reports.

Entity membership follows the entity history (staff_assignments, valid_until exclusive): people
count in the entity they belonged to at the time."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from sqlalchemy import (
    Date,
    Integer,
    Numeric,
    String,
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
    BudgetGrant,
    BudgetLine,
    CategorySpending,
    CoachingLine,
    EntityRef,
    EquipmentLine,
    HomeworkAllowanceMonth,
    HomeworkMonth,
    IneligibleGroup,
    InternetAllowanceLine,
    Month,
    Period,
    StaffServed,
    WebinarLine,
    WebinarTotal,
    budget_lines,
    percentage,
    quarter_label,
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


def eligible_whole_month(first_day: ColumnElement, last_day: ColumnElement) -> ColumnElement:
    """The staff member (StaffRow) is not marked ineligible for the whole month [first_day, last_day]."""
    return ~ineligible_whole_month(StaffRow.id, first_day, last_day)


def session_target_group() -> ColumnElement:
    """A session's own target group (history files give one per session), else the webinar's."""
    return func.coalesce(WebinarSessionRow.target_group, WebinarRow.target_group)


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

    async def entity_refs(self) -> dict[int, EntityRef]:
        return {row.id: EntityRef(row.code, row.name) for row in await self.session.execute(select(EntityRow.id, EntityRow.code, EntityRow.name))}

    async def _entities_in_period(self, period: Period) -> set[int]:
        """Entities with staff assigned on at least one day of the period."""
        query = select(distinct(StaffAssignmentRow.entity_id)).where(assigned(StaffAssignmentRow, period.first_day, period.last_day))
        return {int(entity) for entity in await self.session.scalars(query)}

    # -- home work per month --------------------------------------------------------------------
    def _home_per_staff_month(self, period: Period) -> Subquery:
        """One pass over the registrations: per (month, staff, entity of the day) the registered
        home and satellite half days (entity 0: a day without an assignment)."""
        registration = WorkRegistrationRow
        month = month_start(registration.day)
        entity = func.coalesce(StaffAssignmentRow.entity_id, 0)
        return (
            select(
                month.label("first_day"), registration.staff_id.label("staff_id"), entity.label("entity_id"),
                func.sum(case((registration.place == "home", half_days()), else_=0)).label("home_halves"),
                func.sum(case((registration.place == "satellite", half_days()), else_=0)).label("satellite_halves"),
            )
            .outerjoin(
                StaffAssignmentRow,
                and_(StaffAssignmentRow.staff_id == registration.staff_id, assigned_on(StaffAssignmentRow, registration.day)),
            )
            .where(
                registration.day >= period.first_day, registration.day <= period.last_day,
                registration.place.in_(HOME_PLACES), registration.status == REGISTERED,
            )
            .group_by(month, registration.staff_id, entity)
            .subquery("home")
        )

    def _monthly_counts(self, period: Period, entity_id: int | None, breakdown: bool):  # noqa: ANN202
        """Per month, for the scope (entity_id 0 in the result) and with `breakdown` per entity:
        eligible staff, home workers among them and their home and satellite days. The registrations
        are read once: per (month, eligible staff member, entity) a row, aggregated at both levels."""
        months = months_table(period.months())
        home = self._home_per_staff_month(period)
        assignment = StaffAssignmentRow.__table__.alias("a")
        in_entity = [assignment.c.staff_id == StaffRow.id, assigned(assignment.c, months.c.first_day, months.c.last_day)]
        if entity_id is not None:
            in_entity.append(assignment.c.entity_id == entity_id)
        entity = func.coalesce(assignment.c.entity_id, 0)
        rows = (
            select(months.c.idx, StaffRow.id.label("staff_id"), entity.label("entity_id"), home.c.staff_id.label("home_staff"),
                   home.c.home_halves, home.c.satellite_halves)
            .select_from(months)
            .join(StaffRow, in_service(months.c.first_day, months.c.last_day))
            # the whole administration also counts staff without an entity at the time
            .join(assignment, and_(*in_entity), isouter=entity_id is None)
            .outerjoin(home, and_(home.c.staff_id == StaffRow.id, home.c.first_day == months.c.first_day, home.c.entity_id == entity))
            .where(eligible_whole_month(months.c.first_day, months.c.last_day))
            .cte("monthly")  # read by both levels, computed once
        )

        # A row is one (month, staff member, entity): plain counts per entity; for the scope a
        # person who moved during the month is first made one row (hashed, no distinct sort).
        per_person = (
            select(rows.c.idx, rows.c.staff_id, func.max(case((rows.c.home_staff.is_not(None), 1), else_=0)).label("home_staff"),
                   func.sum(rows.c.home_halves).label("home_halves"), func.sum(rows.c.satellite_halves).label("satellite_halves"))
            .group_by(rows.c.idx, rows.c.staff_id)
            .subquery("per_person")
        )
        scope = select(
            per_person.c.idx, literal(0, Integer).label("entity_id"), func.count().label("eligible_staff"),
            func.coalesce(func.sum(per_person.c.home_staff), 0).label("home_workers"),
            func.coalesce(func.sum(per_person.c.home_halves), 0).label("home_halves"),
            func.coalesce(func.sum(per_person.c.satellite_halves), 0).label("satellite_halves"),
        ).group_by(per_person.c.idx)
        if not breakdown:
            return scope
        entities = select(
            rows.c.idx, rows.c.entity_id, func.count().label("eligible_staff"), func.count(rows.c.home_staff).label("home_workers"),
            func.coalesce(func.sum(rows.c.home_halves), 0).label("home_halves"),
            func.coalesce(func.sum(rows.c.satellite_halves), 0).label("satellite_halves"),
        ).where(rows.c.entity_id != 0).group_by(rows.c.idx, rows.c.entity_id)
        return union_all(scope, entities)

    async def homework_months(self, period: Period, entity_id: int | None, breakdown: bool = False) -> list[HomeworkMonth]:
        """Home workers, eligible staff and their home and satellite days per month (shares are the
        domain's); with `breakdown` also every entity's months (entities without staff left out)."""
        months = period.months()

        def line(month: Month, row, entity: EntityRef | None = None) -> HomeworkMonth:  # noqa: ANN001
            if row is None:
                return HomeworkMonth(month, 0, 0, Decimal(0), Decimal(0), entity=entity)
            return HomeworkMonth(month, int(row.home_workers), int(row.eligible_staff), Decimal(int(row.home_halves)) / 2,
                                 Decimal(int(row.satellite_halves)) / 2, entity=entity)

        per_entity: dict[int, dict[int, object]] = defaultdict(dict)
        for row in await self.session.execute(self._monthly_counts(period, entity_id, breakdown and entity_id is None)):
            per_entity[int(row.entity_id)][row.idx] = row
        scope = per_entity.pop(0, {})
        result = [line(month, scope.get(i)) for i, month in enumerate(months)]
        if per_entity:
            names = await self.entity_refs()
            for entity_id_, rows in sorted(per_entity.items(), key=lambda item: names[item[0]].code):
                result += [line(month, rows.get(i), names[entity_id_]) for i, month in enumerate(months)]
        return result

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

    async def eligible_staff_per_year(self, period: Period, entity_id: int | None, breakdown: bool = False) -> dict[tuple[int, int | None], int]:
        """Per year (and entity: key (year, entity id), None for the scope): the staff counted in the
        home-work denominator of at least one month of the period's part of that year."""
        months = months_table(period.months())
        assignment = StaffAssignmentRow.__table__.alias("a")
        base = (
            select(months.c.year, StaffRow.id.label("staff_id"), assignment.c.entity_id)
            .select_from(months)
            .join(StaffRow, in_service(months.c.first_day, months.c.last_day))
            .join(assignment, and_(assignment.c.staff_id == StaffRow.id, assigned(assignment.c, months.c.first_day, months.c.last_day)),
                  isouter=entity_id is None)
            .where(eligible_whole_month(months.c.first_day, months.c.last_day))
        )
        if entity_id is not None:
            base = base.where(assignment.c.entity_id == entity_id)
        eligible = base.subquery("eligible")
        result: dict[tuple[int, int | None], int] = {(year, None): 0 for year in period.years()}
        for year, count in await self.session.execute(
            select(eligible.c.year, func.count(distinct(eligible.c.staff_id))).group_by(eligible.c.year)
        ):
            result[(int(year), None)] = int(count)
        if breakdown:
            query = (
                select(eligible.c.year, eligible.c.entity_id, func.count(distinct(eligible.c.staff_id)))
                .where(eligible.c.entity_id.is_not(None)).group_by(eligible.c.year, eligible.c.entity_id)
            )
            for year, entity, count in await self.session.execute(query):
                result[(int(year), int(entity))] = int(count)
        return result

    # -- staff not eligible for hybrid work ---------------------------------------------------------
    async def ineligible_groups(self, period: Period, entity_id: int | None, breakdown: bool = False) -> list[IneligibleGroup]:
        """Staff ineligible at some time in the period, per reason for the scope (each person once),
        and with `breakdown` per entity (of that time) and reason."""
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

        def query(by_entity: bool):  # noqa: ANN202
            groups = [IneligibilityRow.reason] + ([EntityRow.code, EntityRow.name] if by_entity else [])
            select_ = (
                select(
                    *groups,
                    func.count(distinct(IneligibilityRow.staff_id)).label("staff"),
                    func.count(distinct(case((still, IneligibilityRow.staff_id)))).label("at_end"),
                )
                .join(StaffRow, StaffRow.id == IneligibilityRow.staff_id)
                .join(assignment, assignment.staff_id == IneligibilityRow.staff_id)
                .join(EntityRow, EntityRow.id == assignment.entity_id)
                .where(overlaps)
                .group_by(*groups)
            )
            return select_.where(assignment.entity_id == entity_id) if entity_id is not None else select_

        result = [
            IneligibleGroup(None, row.reason, int(row.staff), int(row.at_end))
            for row in sorted(await self.session.execute(query(False)), key=lambda row: row.reason)
        ]
        if breakdown:
            result += [
                IneligibleGroup(EntityRef(row.code, row.name), row.reason, int(row.staff), int(row.at_end))
                for row in sorted(await self.session.execute(query(True)), key=lambda row: (row.code, row.reason))
            ]
        return result

    # -- webinars and coaching ------------------------------------------------------------------
    @staticmethod
    def _session_window(period: Period, tz: tzinfo) -> tuple[datetime, datetime]:
        return datetime.combine(period.first_day, time(0), tz), datetime.combine(period.last_day + timedelta(days=1), time(0), tz)

    @staticmethod
    def _participant_entity(entity_id: int | None, by_entity: bool, registration) -> list[ColumnElement]:  # noqa: ANN001
        """Join conditions putting each registration in the entity its staff member belonged to on
        the session's day (nothing to join for the whole administration)."""
        if entity_id is None and not by_entity:
            return []
        session_day = func.date(WebinarSessionRow.starts_at)
        conditions = [StaffAssignmentRow.staff_id == registration.staff_id, assigned_on(StaffAssignmentRow, session_day)]
        if entity_id is not None:
            conditions.append(StaffAssignmentRow.entity_id == entity_id)
        return conditions

    async def webinar_lines(
        self, period: Period, entity_id: int | None, tz: tzinfo, locale: str = "nl", breakdown: bool = False
    ) -> list[WebinarLine]:
        """Per session starting in the period: seats taken, waitlisted and attended (participants
        counted in the entity they belonged to on the session's day); with `breakdown` also per
        entity, for the sessions the entity's staff registered for."""
        start, end = self._session_window(period, tz)
        registration = WebinarRegistrationRow
        seated = registration.status == "seated"
        title = WebinarRow.title_en if locale == "en" else WebinarRow.title_nl

        def query(by_entity: bool):  # noqa: ANN202
            columns = [title.label("title"), session_target_group().label("target_group"), WebinarSessionRow.starts_at]
            select_ = (
                select(
                    *columns,
                    func.count(case((seated, registration.id))).label("registered"),
                    func.count(case((registration.status == "waitlisted", registration.id))).label("waitlisted"),
                    func.count(case((and_(seated, registration.attended.is_(True)), registration.id))).label("attended"),
                )
                .select_from(WebinarSessionRow)
                .join(WebinarRow, WebinarRow.id == WebinarSessionRow.webinar_id)
                .where(WebinarSessionRow.starts_at >= start, WebinarSessionRow.starts_at < end)
            )
            membership = self._participant_entity(entity_id, by_entity, registration)
            if by_entity:
                select_ = (select_.join(registration, registration.session_id == WebinarSessionRow.id)
                           .join(StaffAssignmentRow, and_(*membership)).add_columns(StaffAssignmentRow.entity_id))
                return select_.group_by(WebinarSessionRow.id, *columns, StaffAssignmentRow.entity_id)
            if membership:
                in_entity = exists().where(*membership)
                select_ = select_.outerjoin(registration, and_(registration.session_id == WebinarSessionRow.id, in_entity))
            else:
                select_ = select_.outerjoin(registration, registration.session_id == WebinarSessionRow.id)
            return select_.group_by(WebinarSessionRow.id, *columns)

        def line(row, entity: EntityRef | None = None) -> WebinarLine:  # noqa: ANN001
            return WebinarLine(row.title, row.target_group, row.starts_at.astimezone(tz), int(row.registered), int(row.waitlisted),
                               int(row.attended), entity)

        order = lambda line: (line.session_start, line.title)  # noqa: E731
        result = sorted((line(row) for row in await self.session.execute(query(False))), key=order)
        if breakdown:
            names = await self.entity_refs()
            per_entity = [line(row, names[row.entity_id]) for row in await self.session.execute(query(True))]
            result += sorted(per_entity, key=lambda line: (line.entity.code, *order(line)))
        return result

    async def webinar_totals(
        self, period: Period, entity_id: int | None, tz: tzinfo, locale: str = "nl", breakdown: bool = False
    ) -> list[WebinarTotal]:
        """Sessions, seats, waitlist places, attendances and distinct participants of the sessions
        starting in the period, per title, target group, year and quarter of the session (local
        days in `tz`) and over all of them; with `breakdown` also per entity (of the session's day)."""
        start, end = self._session_window(period, tz)
        registration = WebinarRegistrationRow
        seated = registration.status == "seated"
        title = WebinarRow.title_en if locale == "en" else WebinarRow.title_nl
        # The year and quarter of a session are those of its local start: the quarter boundaries as a
        # derived table of instants, so the database needs no time zone arithmetic.
        quarters = self._quarters_table(period, tz)
        dimensions = {
            "title": title, "target_group": session_target_group(),
            "year": quarters.c.year_label, "quarter": quarters.c.quarter_label, "all": literal("all"),
        }

        def query(by: str, by_entity: bool):  # noqa: ANN202
            value = dimensions[by].label("value")
            attended = and_(seated, registration.attended.is_(True))
            # an entity's sessions are those its staff registered for; the scope's, every session held
            scoped = entity_id is not None or by_entity
            session_counted = case((registration.id.is_not(None), WebinarSessionRow.id)) if scoped else WebinarSessionRow.id
            select_ = (
                select(
                    value,
                    func.count(distinct(session_counted)).label("sessions"),
                    func.count(case((seated, registration.id))).label("registered"),
                    func.count(case((registration.status == "waitlisted", registration.id))).label("waitlisted"),
                    func.count(case((attended, registration.id))).label("attended"),
                    func.count(distinct(case((attended, registration.staff_id)))).label("participants"),
                )
                .select_from(WebinarSessionRow)
                .join(WebinarRow, WebinarRow.id == WebinarSessionRow.webinar_id)
                .join(quarters, and_(WebinarSessionRow.starts_at >= quarters.c.starts, WebinarSessionRow.starts_at < quarters.c.ends))
                .where(WebinarSessionRow.starts_at >= start, WebinarSessionRow.starts_at < end)
            )
            membership = self._participant_entity(entity_id, by_entity, registration)
            # "all" is one group: grouping by a constant is refused by PostgreSQL
            groups = [] if by == "all" else [dimensions[by]]
            if by_entity:
                select_ = (select_.join(registration, registration.session_id == WebinarSessionRow.id)
                           .join(StaffAssignmentRow, and_(*membership)).add_columns(StaffAssignmentRow.entity_id))
                return select_.group_by(*groups, StaffAssignmentRow.entity_id)
            joined = [registration.session_id == WebinarSessionRow.id] + ([exists().where(*membership)] if membership else [])
            select_ = select_.outerjoin(registration, and_(*joined))
            return select_.group_by(*groups) if groups else select_

        names = await self.entity_refs() if breakdown else {}
        scope: list[WebinarTotal] = []
        per_entity: list[WebinarTotal] = []
        for by in ("title", "target_group", "year", "quarter", "all"):
            for row in await self.session.execute(query(by, False)):
                scope.append(WebinarTotal(by, str(row.value), int(row.sessions), int(row.registered), int(row.waitlisted),
                                          int(row.attended), int(row.participants)))
            if breakdown:
                for row in await self.session.execute(query(by, True)):
                    per_entity.append(WebinarTotal(by, str(row.value), int(row.sessions), int(row.registered), int(row.waitlisted),
                                                   int(row.attended), int(row.participants), names[row.entity_id]))
        kinds = {by: index for index, by in enumerate(("title", "target_group", "year", "quarter", "all"))}
        order = lambda total: (kinds[total.by], total.value)  # noqa: E731
        return sorted(scope, key=order) + sorted(per_entity, key=lambda total: (total.entity.code, *order(total)))

    @staticmethod
    def _quarters_table(period: Period, tz: tzinfo) -> Subquery:
        quarters = []
        for month in period.months():
            if month.month % 3 == 1 or month == period.start:
                quarters.append(month)
        selects = []
        for index, first in enumerate(quarters):
            following = quarters[index + 1].first_day if index + 1 < len(quarters) else period.last_day + timedelta(days=1)
            selects.append(select(
                literal(str(first.year)).label("year_label"), literal(quarter_label(first.first_day)).label("quarter_label"),
                literal(datetime.combine(first.first_day, time(0), tz).astimezone(UTC)).label("starts"),
                literal(datetime.combine(following, time(0), tz).astimezone(UTC)).label("ends"),
            ))
        return (selects[0] if len(selects) == 1 else union_all(*selects)).subquery("quarters")

    async def coaching_lines(self, period: Period, entity_id: int | None, breakdown: bool = False) -> list[CoachingLine]:
        """Coaching requested in the period (entity of the day of the request): per year and kind,
        per year over both kinds, per kind over the whole period and over both kinds for the whole
        period (distinct staff: someone with both kinds counts once); with `breakdown` per entity too."""
        request = CoachingRequestRow
        year = extract("year", request.requested_on)

        def query(by_year: bool, by_kind: bool, by_entity: bool):  # noqa: ANN202
            groups = ([year.label("year")] if by_year else []) + ([request.kind] if by_kind else [])
            select_ = select(
                *groups, func.count(request.id).label("requests"),
                func.count(distinct(request.staff_id)).label("staff"),
                func.count(distinct(case((request.conversations > 0, request.staff_id)))).label("coached"),
                func.coalesce(func.sum(request.conversations), 0).label("conversations"),
            ).where(request.requested_on >= period.first_day, request.requested_on <= period.last_day)
            if entity_id is not None or by_entity:
                conditions = [StaffAssignmentRow.staff_id == request.staff_id, assigned_on(StaffAssignmentRow, request.requested_on)]
                if entity_id is not None:
                    conditions.append(StaffAssignmentRow.entity_id == entity_id)
                select_ = select_.join(StaffAssignmentRow, and_(*conditions))
            if by_entity:
                select_ = select_.add_columns(StaffAssignmentRow.entity_id)
                groups = [*groups, StaffAssignmentRow.entity_id]
            return select_.group_by(*groups) if groups else select_

        names = await self.entity_refs() if breakdown else {}
        lines: list[CoachingLine] = []
        for by_entity in (False, True) if breakdown else (False,):
            for by_year, by_kind in ((True, True), (True, False), (False, True), (False, False)):
                for row in await self.session.execute(query(by_year, by_kind, by_entity)):
                    lines.append(CoachingLine(
                        int(row.year) if by_year else None, row.kind if by_kind else None, int(row.requests), int(row.staff),
                        int(row.coached), int(row.conversations), names[row.entity_id] if by_entity else None,
                    ))

        def order(line: CoachingLine) -> tuple:
            return (line.entity.code if line.entity else "", line.year is None, line.year or 0, line.kind is None, line.kind or "")

        return sorted(lines, key=order)

    # -- allowances -----------------------------------------------------------------------------
    async def _policies(self) -> dict[int, AllowancePolicy]:
        return {
            entity_id: EntityPolicy.from_json(policy).allowance
            for entity_id, policy in await self.session.execute(select(EntityRow.id, EntityRow.policy))
        }

    async def internet_allowance_lines(
        self, period: Period, entity_id: int | None, eligible: dict[tuple[int, int | None], int], breakdown: bool = False
    ) -> list[InternetAllowanceLine]:
        """Per year and mode: staff with that mode in at least one month (a switcher counts in both),
        staff-months and the amount (flat fee: months x the entity's amount from the day the
        allowance exists; third party: the monthly costs of the months in effect); per year over
        both modes (each person once). A person counts in the entity of the month's last day.
        `eligible` holds the shares' denominators (eligible_staff_per_year)."""
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
        )
        if entity_id is not None:
            spans = spans.where(assignment.c.entity_id == entity_id)
        spans = spans.cte("spans")  # read by every aggregate below, computed once
        # One statement: the amounts per (year, mode, entity, month) and the distinct staff per year
        # (and mode, and entity), told apart by `level`.
        none_text, none_int, none_date = literal(None, String), literal(None, Integer), literal(None, Date)
        amounts_query = (
            select(
                literal("amounts").label("level"), spans.c.year, spans.c.mode, spans.c.entity_id, spans.c.last_day,
                literal(0, Integer).label("staff"), func.count().label("months"),
                func.sum(func.coalesce(spans.c.monthly_cost, 0)).label("cost"),
            )
            .group_by(spans.c.year, spans.c.mode, spans.c.entity_id, spans.c.last_day)
        )
        # a person once per (year, mode, entity) first (hashed), so the distinct counts sort few rows
        people = (
            select(spans.c.year, spans.c.mode, spans.c.entity_id, spans.c.staff_id)
            .group_by(spans.c.year, spans.c.mode, spans.c.entity_id, spans.c.staff_id)
            .cte("people")
        )
        levels = [amounts_query]
        groupings = [(True, False), (False, False)] + ([(True, True), (False, True)] if breakdown else [])
        for by_mode, by_entity in groupings:
            groups = [people.c.year] + ([people.c.mode] if by_mode else []) + ([people.c.entity_id] if by_entity else [])
            levels.append(
                select(
                    literal(f"staff:{int(by_mode)}{int(by_entity)}").label("level"), people.c.year,
                    people.c.mode if by_mode else none_text, people.c.entity_id if by_entity else none_int, none_date,
                    func.count(distinct(people.c.staff_id)), literal(0, Integer), literal(0, Numeric(12, 2)),
                ).group_by(*groups)
            )
        policies = await self._policies()
        months_paid: dict[tuple[int, str | None, int | None], int] = defaultdict(int)
        amounts: dict[tuple[int, str | None, int | None], Decimal] = defaultdict(lambda: Decimal("0.00"))
        staff: dict[tuple[int, str | None, int | None], int] = {}
        for row in await self.session.execute(union_all(*levels)):
            if row.level != "amounts":
                staff[(int(row.year), row.mode, row.entity_id)] = int(row.staff)
                continue
            policy = policies.get(row.entity_id, AllowancePolicy())
            if _as_date(row.last_day) < policy.internet_allowance_since:
                continue
            amount = policy.flat_fee_amount * int(row.months) if row.mode == "flat_fee" else Decimal(row.cost or 0)
            keys = [(int(row.year), row.mode, None), (int(row.year), None, None)]
            if breakdown and row.entity_id is not None:
                keys += [(int(row.year), row.mode, row.entity_id), (int(row.year), None, row.entity_id)]
            for key in keys:
                months_paid[key] += int(row.months)
                amounts[key] += amount
        names = await self.entity_refs() if breakdown else {}

        def line(key: tuple[int, str | None, int | None]) -> InternetAllowanceLine:
            year, mode, entity = key
            count, denominator = staff.get(key, 0), eligible.get((year, entity), 0)
            return InternetAllowanceLine(year, mode, count, percentage(count, denominator), months_paid[key],
                                         amounts[key].quantize(Decimal("0.01")), denominator, names.get(entity))

        def order(key: tuple[int, str | None, int | None]) -> tuple:
            year, mode, entity = key
            return (names[entity].code if entity is not None else "", year, mode is None, mode or "")

        return [line(key) for key in sorted(months_paid, key=order)]

    async def homework_allowance_months(self, period: Period, entity_id: int | None, breakdown: bool = False) -> list[HomeworkAllowanceMonth]:
        """Per month: staff due the home-work allowance (bot.domain.allowances.HOMEWORK_ALLOWANCE:
        on average at least one home day a week of the working days in service) and its cost; with
        `breakdown` also per entity (of the month's last day: each person in one entity a month).
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
        staff: dict[tuple[int, int | None], int] = defaultdict(int)
        amounts: dict[tuple[int, int | None], Decimal] = defaultdict(lambda: Decimal("0.00"))
        for (idx, line_entity), count in due.items():
            policy = policies.get(line_entity, AllowancePolicy())
            if not allowance_rules.allowance_exists(months[idx], policy):
                continue
            for key in [(idx, None)] + ([(idx, line_entity)] if breakdown and line_entity is not None else []):
                staff[key] += count
                amounts[key] += policy.homework_allowance_amount * count
        result = [HomeworkAllowanceMonth(month, staff[(idx, None)], amounts[(idx, None)].quantize(Decimal("0.01")))
                  for idx, month in enumerate(months)]
        if breakdown:
            names = await self.entity_refs()
            entities = sorted(await self._entities_in_period(period), key=lambda e: names[e].code)
            result += [
                HomeworkAllowanceMonth(month, staff.get((idx, entity), 0), amounts.get((idx, entity), Decimal("0.00")).quantize(Decimal("0.01")),
                                       names[entity])
                for entity in entities for idx, month in enumerate(months)
            ]
        return result

    # -- equipment --------------------------------------------------------------------------------
    async def equipment_lines(self, period: Period, entity_id: int | None, locale: str = "nl", breakdown: bool = False) -> list[EquipmentLine]:
        """Delivered in the period, per year of delivery and item (entity of the request); with
        `breakdown` also per entity."""
        request, line = EquipmentRequestRow, EquipmentRequestLineRow
        year = extract("year", request.delivered_on)
        item_name = EquipmentItemRow.name_en if locale == "en" else EquipmentItemRow.name_nl
        category_name = EquipmentCategoryRow.name_en if locale == "en" else EquipmentCategoryRow.name_nl

        def query(by_entity: bool):  # noqa: ANN202
            groups = [year.label("year"), category_name.label("category"), EquipmentItemRow.code, item_name.label("item")]
            groups += [request.entity_id] if by_entity else []
            return (
                select(
                    *groups, func.sum(line.quantity).label("pieces"), func.count(distinct(request.staff_id)).label("staff"),
                    func.sum(line.unit_price * line.quantity).label("amount"),
                )
                .select_from(line)
                .join(request, request.id == line.request_id)
                .join(EquipmentItemRow, EquipmentItemRow.id == line.item_id)
                .join(EquipmentCategoryRow, EquipmentCategoryRow.id == line.category_id)
                .where(*self._delivered(period, entity_id))
                .group_by(*groups)
            )

        def as_line(row, entity: EntityRef | None = None) -> EquipmentLine:  # noqa: ANN001
            return EquipmentLine(int(row.year), row.category, row.code, row.item, int(row.pieces), int(row.staff),
                                 Decimal(row.amount or 0).quantize(Decimal("0.01")), entity)

        order = lambda e: (e.year, e.category, e.item_code)  # noqa: E731
        result = sorted((as_line(row) for row in await self.session.execute(query(False))), key=order)
        if breakdown:
            names = await self.entity_refs()
            per_entity = [as_line(row, names[row.entity_id]) for row in await self.session.execute(query(True))]
            result += sorted(per_entity, key=lambda e: (e.entity.code, *order(e)))
        return result

    @staticmethod
    def _delivered(period: Period, entity_id: int | None) -> list[ColumnElement]:
        request = EquipmentRequestRow
        conditions = [request.status == "delivered", request.delivered_on >= period.first_day, request.delivered_on <= period.last_day]
        if entity_id is not None:
            conditions.append(request.entity_id == entity_id)
        return conditions

    async def staff_served(self, period: Period, entity_id: int | None, breakdown: bool = False) -> list[StaffServed]:
        """Distinct staff who received equipment, per year of delivery (and entity of the request)."""
        year = extract("year", EquipmentRequestRow.delivered_on)
        result: list[StaffServed] = []
        names = await self.entity_refs() if breakdown else {}
        for by_entity in (False, True) if breakdown else (False,):
            groups = [year.label("year")] + ([EquipmentRequestRow.entity_id] if by_entity else [])
            query = select(*groups, func.count(distinct(EquipmentRequestRow.staff_id)).label("staff")).where(
                *self._delivered(period, entity_id)).group_by(*groups)
            lines = [StaffServed(int(row.year), int(row.staff), names[row.entity_id] if by_entity else None)
                     for row in await self.session.execute(query)]
            result += sorted(lines, key=lambda s: (s.entity.code if s.entity else "", s.year))
        return result

    async def budget_lines(self, period: Period, entity_id: int | None, locale: str = "nl", breakdown: bool = False) -> list[BudgetLine]:
        """Budgets against what was delivered in the period's part of the years they cover (the
        domain's budget_lines: annual budgets their year, one-off budgets their year and later years
        without a budget of their own). Categories are matched by code across entities."""
        category_name = EquipmentCategoryRow.name_en if locale == "en" else EquipmentCategoryRow.name_nl
        years = period.years()
        names = await self.entity_refs()
        # a one-off budget granted before the period may still cover its years
        grants_query = (
            select(EquipmentBudgetRow.entity_id, EquipmentCategoryRow.code, category_name.label("name"), EquipmentBudgetRow.year,
                   EquipmentBudgetRow.amount, EquipmentBudgetRow.one_off)
            .join(EquipmentCategoryRow, EquipmentCategoryRow.id == EquipmentBudgetRow.category_id)
            .where(EquipmentBudgetRow.year <= years[-1], or_(EquipmentBudgetRow.year >= years[0], EquipmentBudgetRow.one_off.is_(True)))
        )
        if entity_id is not None:
            grants_query = grants_query.where(EquipmentBudgetRow.entity_id == entity_id)
        grants = [BudgetGrant(names[row.entity_id], row.code, row.name, int(row.year), Decimal(row.amount).quantize(Decimal("0.01")),
                              bool(row.one_off))
                  for row in await self.session.execute(grants_query)]
        year = extract("year", EquipmentRequestRow.delivered_on)
        spent_query = (
            select(year.label("year"), EquipmentRequestRow.entity_id, EquipmentCategoryRow.code, func.min(category_name).label("name"),
                   func.sum(EquipmentRequestLineRow.unit_price * EquipmentRequestLineRow.quantity).label("amount"))
            .select_from(EquipmentRequestLineRow)
            .join(EquipmentRequestRow, EquipmentRequestRow.id == EquipmentRequestLineRow.request_id)
            .join(EquipmentCategoryRow, EquipmentCategoryRow.id == EquipmentRequestLineRow.category_id)
            .where(*self._delivered(period, entity_id))
            .group_by(year, EquipmentRequestRow.entity_id, EquipmentCategoryRow.code)
        )
        spending = [CategorySpending(names[row.entity_id], row.code, row.name, int(row.year), Decimal(row.amount or 0).quantize(Decimal("0.01")))
                    for row in await self.session.execute(spent_query)]
        return budget_lines(grants, spending, years, breakdown)


def _as_date(value: date | str) -> date:
    """SQLite hands back dates computed in a query as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
