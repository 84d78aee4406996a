"""The parliamentary report: who may ask for it, the form's choices, and gathering every figure in
one read-only transaction. The figures come from SQL aggregation (storage/repositories/reports.py);
this module only asks for them and hands the domain the raw counts. Day boundaries (webinar
sessions) are taken in the zone of `now`, the service's configured zone."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain.calendar import Month
from bot.domain.errors import Forbidden, InvalidInput, NotFound
from bot.domain.reports import EntityRef, Period, Report, parse_min_cell, with_evolution
from bot.domain.staff import HR_ROLES, Staff
from bot.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

REPORT_ROLES = HR_ROLES
MAX_ENTITY_CODE = 32


@dataclass(frozen=True)
class ReportRequest:
    period: Period
    entity_code: str | None = None  # None: the whole administration
    min_cell: int | None = None  # hide cells of fewer people than this (None: show everything)

    @classmethod
    def parse(cls, start: str, end: str, entity_code: str | None = None, min_cell: str | int | None = None) -> ReportRequest:
        code = (entity_code or "").strip().upper() or None
        if code is not None and len(code) > MAX_ENTITY_CODE:
            raise InvalidInput("reports.unknown_entity", code=code[:MAX_ENTITY_CODE])
        return cls(Period.parse(start, end), code, parse_min_cell(min_cell))

    def as_params(self) -> dict[str, str]:
        params = {"from": str(self.period.start), "to": str(self.period.end)}
        if self.entity_code:
            params["entity"] = self.entity_code
        if self.min_cell:
            params["min_cell"] = str(self.min_cell)
        return params

    @classmethod
    def from_params(cls, params: dict) -> ReportRequest:
        return cls.parse(str(params.get("from", "")), str(params.get("to", "")), params.get("entity") or None, params.get("min_cell"))


def check_may_report(actor: Staff) -> None:
    """Only HR and admins in service see the administration-wide figures."""
    if not actor.has(*REPORT_ROLES) or actor.end_date is not None:
        raise Forbidden()


def default_period(today: date) -> tuple[str, str]:
    """The form's suggestion: from January of last year up to the last complete month."""
    last = Month.of(today).previous()
    return str(Month(today.year - 1, 1)), str(last)


# -- the form -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportForm:
    actor: Staff


@dataclass(frozen=True)
class ReportFormChoices:
    start: str
    end: str
    entities: list[EntityRef]


async def report_form(uow: UnitOfWork, command: ReportForm, now: datetime) -> ReportFormChoices:
    """The suggested period and every entity one may choose."""
    check_may_report(command.actor)
    start, end = default_period(now.date())
    async with uow:
        entities = await uow.reports.entities()
    return ReportFormChoices(start, end, entities)


@dataclass(frozen=True)
class PrepareReport:
    actor: Staff
    start: str
    end: str
    entity_code: str | None
    min_cell: str | None = None  # the form's choice: empty or "0" for none


async def prepare_report(uow: UnitOfWork, command: PrepareReport, now: datetime) -> ReportRequest:
    """Check the actor and the form before any work starts (the report itself is built later)."""
    check_may_report(command.actor)
    request = ReportRequest.parse(command.start, command.end, command.entity_code, command.min_cell)
    if request.entity_code is not None:
        async with uow:
            if await uow.reports.entity(request.entity_code) is None:
                raise InvalidInput("reports.unknown_entity", code=request.entity_code)
    return request


# -- the figures ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BuildReport:
    request: ReportRequest
    # None for the command line (an operator on the server); otherwise checked again here.
    actor: Staff | None
    locale: str = "nl"  # of the names from the catalogues (webinar titles, equipment)


async def build_report(uow: UnitOfWork, command: BuildReport, now: datetime) -> Report:
    """Every figure of the workbook, produced at `now`."""
    if command.actor is not None:
        check_may_report(command.actor)
    async with uow:
        report = await _gather(uow, command.request, now, command.locale)
    log.info("report %s %s built", command.request.period, command.request.entity_code or "all")
    return report


@dataclass(frozen=True)
class ReportForLink:
    """A signed download link's report, for the staff member it was made for."""

    staff_id: int
    params: dict[str, Any]
    locale: str = "nl"


async def report_for_link(uow: UnitOfWork, command: ReportForLink, now: datetime) -> Report:
    """The report recomputed at download time; NotFound when the link's staff member is gone,
    InvalidInput for parameters that do not make a report."""
    request = ReportRequest.from_params(command.params)
    async with uow:
        staff = await uow.staff.get(command.staff_id)
        if staff is None:
            raise NotFound()
        check_may_report(staff)
        return await _gather(uow, request, now, command.locale)


async def _gather(uow: UnitOfWork, request: ReportRequest, now: datetime, locale: str) -> Report:
    reports = uow.reports
    period = request.period
    await reports.prepare()
    entity = None
    entity_id = None
    if request.entity_code is not None:
        found = await reports.entity(request.entity_code)
        if found is None:
            raise InvalidInput("reports.unknown_entity", code=request.entity_code)
        entity_id, entity = found
    # The whole administration's report also breaks every sheet down per entity.
    breakdown = entity_id is None
    zone = now.tzinfo
    if zone is None:
        raise ValueError("a report's now must carry the service's time zone")
    eligible = await reports.eligible_staff_per_year(period, entity_id, breakdown)
    return Report(
        period=period, entity=entity, produced_at=now,
        homework=with_evolution(await reports.homework_months(period, entity_id, breakdown)),
        ineligible=await reports.ineligible_groups(period, entity_id, breakdown),
        webinars=await reports.webinar_lines(period, entity_id, zone, locale, breakdown),
        webinar_totals=await reports.webinar_totals(period, entity_id, zone, locale, breakdown),
        coaching=await reports.coaching_lines(period, entity_id, breakdown),
        internet_allowance=await reports.internet_allowance_lines(period, entity_id, eligible, breakdown),
        homework_allowance=await reports.homework_allowance_months(period, entity_id, breakdown),
        equipment=await reports.equipment_lines(period, entity_id, locale, breakdown),
        budgets=await reports.budget_lines(period, entity_id, locale, breakdown),
        staff_served=await reports.staff_served(period, entity_id, breakdown),
        staff_per_year=await reports.staff_per_year(period, entity_id),
        min_cell=request.min_cell,
    )
