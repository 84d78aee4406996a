"""The parliamentary report: who may ask for it, and gathering every figure in one read-only
transaction. The figures come from SQL aggregation (storage/repositories/reports.py); this module
only asks for them and hands the domain the raw counts."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.calendar import Month
from bot.domain.errors import Forbidden, InvalidInput
from bot.domain.reports import EntityRef, Period, Report, with_evolution
from bot.domain.staff import HR_ROLES, Staff
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

REPORT_ROLES = HR_ROLES
MAX_ENTITY_CODE = 32


@dataclass(frozen=True)
class ReportRequest:
    period: Period
    entity_code: str | None = None  # None: the whole administration

    @classmethod
    def parse(cls, start: str, end: str, entity_code: str | None = None) -> ReportRequest:
        code = (entity_code or "").strip().upper() or None
        if code is not None and len(code) > MAX_ENTITY_CODE:
            raise InvalidInput("reports.unknown_entity", code=code[:MAX_ENTITY_CODE])
        return cls(Period.parse(start, end), code)

    def as_params(self) -> dict[str, str]:
        params = {"from": str(self.period.start), "to": str(self.period.end)}
        if self.entity_code:
            params["entity"] = self.entity_code
        return params

    @classmethod
    def from_params(cls, params: dict) -> ReportRequest:
        return cls.parse(str(params.get("from", "")), str(params.get("to", "")), params.get("entity") or None)


def check_may_report(actor: Staff) -> None:
    """Only HR and admins see the administration-wide figures."""
    if not actor.has(*REPORT_ROLES) or actor.end_date is not None:
        raise Forbidden()


async def build_report(
    uow_factory: UnitOfWorkFactory, request: ReportRequest, *, now: datetime, actor: Staff | None,
    timezone: ZoneInfo | None = None, locale: str = "nl",
) -> Report:
    """Every figure of the workbook. `actor` is None for the command line (an operator on the server)."""
    if actor is not None:
        check_may_report(actor)
    tz = timezone or ZoneInfo("Europe/Brussels")
    period = request.period
    async with uow_factory() as uow:
        reports = uow.reports
        await reports.prepare()
        entity = None
        entity_id = None
        if request.entity_code is not None:
            found = await reports.entity(request.entity_code)
            if found is None:
                raise InvalidInput("reports.unknown_entity", code=request.entity_code)
            entity_id, entity = found
        homework = with_evolution(await reports.homework_months(period, entity_id))
        by_entity = await reports.homework_months_by_entity(period) if entity_id is None else []
        staff_per_year = await reports.staff_per_year(period, entity_id)
        report = Report(
            period=period, entity=entity, produced_at=now, homework=homework, homework_by_entity=by_entity,
            ineligible=await reports.ineligible_groups(period, entity_id),
            webinars=await reports.webinar_lines(period, entity_id, tz, locale),
            coaching=await reports.coaching_lines(period, entity_id),
            internet_allowance=await reports.internet_allowance_lines(period, entity_id, staff_per_year),
            homework_allowance=await reports.homework_allowance_months(period, entity_id),
            equipment=await reports.equipment_lines(period, entity_id, locale),
            budgets=await reports.budget_lines(period, entity_id, locale),
            equipment_staff_per_year=await reports.equipment_staff_per_year(period, entity_id),
            staff_per_year=staff_per_year,
        )
    log.info("report %s %s built", period, request.entity_code or "all")
    return report


async def prepare_request(
    uow_factory: UnitOfWorkFactory, actor: Staff, start: str, end: str, entity_code: str | None
) -> ReportRequest:
    """Check the actor and the form before any work starts (the report itself runs later)."""
    check_may_report(actor)
    request = ReportRequest.parse(start, end, entity_code)
    if request.entity_code is not None:
        async with uow_factory() as uow:
            if await uow.reports.entity(request.entity_code) is None:
                raise InvalidInput("reports.unknown_entity", code=request.entity_code)
    return request


async def report_entities(uow_factory: UnitOfWorkFactory, actor: Staff) -> list[EntityRef]:
    check_may_report(actor)
    async with uow_factory() as uow:
        return await uow.reports.entities()


def default_period(today: date) -> tuple[str, str]:
    """The form's suggestion: from January of last year up to the last complete month."""
    last = Month.of(today).previous()
    return str(Month(today.year - 1, 1)), str(last)
