"""Versions of the parliamentary workbook: before one is sent, its figures are compared with the
version of the same period and scope already sent (which figures changed, and the changes recorded
since that explain them); once rendered it is stored, so every version can be downloaded again.
Producing a report writes the version record and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import NotFound
from bot.domain.report_versions import Comparison, Figures, VersionInfo, compare, content_hash, params_key
from bot.domain.staff import Staff
from bot.services.reports import check_may_report
from bot.services.unit_of_work import UnitOfWork

EARLIER_SHOWN = 10


@dataclass(frozen=True)
class CompareReport:
    params: dict[str, str]  # ReportRequest.as_params()
    figures: Figures


async def compare_report(uow: UnitOfWork, command: CompareReport, now: datetime) -> Comparison:
    """The figures against the latest stored version of the same period and scope (read only)."""
    key = params_key(command.params)
    async with uow:
        mark = await uow.report_versions.audit_mark()
        previous = await uow.report_versions.latest(key)
        earlier = await uow.report_versions.list_for(key, EARLIER_SHOWN)
        if previous is None:
            return Comparison(None, [], mark, earlier)
        events = await uow.report_versions.audit_since(previous.audit_mark)
    return Comparison(previous.info, compare(previous.figures, command.figures, events), mark, earlier)


@dataclass(frozen=True)
class StoreReportVersion:
    params: dict[str, str]
    figures: Figures
    locale: str
    filename: str
    workbook: bytes
    actor: str  # "staff:<id>" or "cli"
    audit_mark: int  # from the comparison, so the next version explains everything after it


async def store_report_version(uow: UnitOfWork, command: StoreReportVersion, now: datetime) -> VersionInfo:
    async with uow:
        version = await uow.report_versions.add(
            params_key=params_key(command.params), params=command.params, figures=command.figures,
            content_hash=content_hash(command.figures), locale=command.locale, filename=command.filename,
            workbook=command.workbook, produced_by=command.actor, produced_at=now, audit_mark=command.audit_mark,
        )
        await uow.commit()
    return version


@dataclass(frozen=True)
class ReportVersions:
    actor: Staff | None  # None: the command line
    params: dict[str, str]


async def report_versions(uow: UnitOfWork, query: ReportVersions, now: datetime) -> list[VersionInfo]:
    """Every stored version of a period and scope, newest first."""
    if query.actor is not None:
        check_may_report(query.actor)
    async with uow:
        return await uow.report_versions.list_for(params_key(query.params), 1000)


@dataclass(frozen=True)
class ReportVersionFile:
    version_id: int
    staff_id: int | None  # the staff member downloading (checked again); None: the command line


@dataclass(frozen=True)
class VersionFile:
    info: VersionInfo
    params: dict[str, str]
    filename: str
    content: bytes


async def report_version_file(uow: UnitOfWork, query: ReportVersionFile, now: datetime) -> VersionFile:
    """A stored workbook exactly as it was sent."""
    async with uow:
        if query.staff_id is not None:
            staff = await uow.staff.get(query.staff_id)
            if staff is None:
                raise NotFound()
            check_may_report(staff)
        found = await uow.report_versions.file(query.version_id)
    if found is None:
        raise NotFound("reports.version_unknown", version=query.version_id)
    info, params, filename, content = found
    return VersionFile(info, params, filename, content)
