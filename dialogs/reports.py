"""Report flow (HR and admins): the workbook that answers parliament, in one step.

Steps:
1. "rapport" / "report" or the menu's button -> a card with the period (from/to month), the entity
   and whether to hide small counts (off by default).
2. The card's submit (reports.request) -> the form is checked, the answer "I'm preparing it" goes
   out at once and the report is built in the background (bot.reports.delivery: never in the turn).
3. Before it is sent, its figures are compared with the version of the same period and scope
   already sent (bot.services.report_versions); the workbook gets a `Wijzigingen` sheet (which
   figures changed and why) and is stored as the next version.
4. When it is ready, in the personal chat: a summary card of the key figures and of the changes,
   with short-lived signed download links (this version and the earlier ones, exactly as they
   were sent), and the workbook as a file (Teams file consent card; where files are not possible
   bot.files falls back to a download link).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.domain.errors import DomainError
from bot.domain.reports import Report
from bot.files import send_file
from bot.i18n import Translator
from bot.registry import DownloadRequest, FileOut, Registry
from bot.reports import delivery
from bot.reports.versions import BuiltReport, build_versioned
from bot.reports.workbook import CONTENT_TYPE, render_workbook, workbook_filename
from bot.runner import UseCaseRunner
from bot.services import report_versions as versions
from bot.services import reports as service
from bot.turn import Turn
from dialogs.cards.reports import (
    ALL_ENTITIES,
    ReportFormView,
    ReportSummaryView,
    RequestReport,
    VersionLink,
    report_form_card,
    report_summary_card,
)

log = logging.getLogger(__name__)

DOWNLOAD_KIND = "reports.workbook"
VERSION_KIND = "reports.version"
LINK_TTL = timedelta(minutes=15)
VERSIONS_ON_CARD = 5


def _scope(t: Translator, report: Report) -> str:
    return f"{report.entity.name} ({report.entity.code})" if report.entity else t("reports.all_entities")


async def produce_workbook(runner: UseCaseRunner, download: DownloadRequest) -> FileOut:
    """The download link's producer: the workbook recomputed now, for a staff member bot.downloads
    has just re-checked."""
    t = Translator("en" if download.params.get("lang") == "en" else "nl")
    try:
        report = await runner.run(service.report_for_link, service.ReportForLink(download.staff_id, download.params, t.locale))
    except DomainError as error:
        raise LookupError(error.key) from error
    content = await asyncio.to_thread(render_workbook, report, t)
    return FileOut(workbook_filename(report, t), CONTENT_TYPE, content)


def version_filename(filename: str, number: int) -> str:
    stem, _, suffix = filename.rpartition(".")
    return f"{stem}-v{number}.{suffix}"


async def produce_version(runner: UseCaseRunner, download: DownloadRequest) -> FileOut:
    """A stored version's workbook, byte for byte as it was sent."""
    try:
        found = await runner.run(versions.report_version_file, versions.ReportVersionFile(int(download.params["version"]), download.staff_id))
    except (DomainError, KeyError, ValueError) as error:
        raise LookupError("reports.version_unknown") from error
    return FileOut(version_filename(found.filename, found.info.number), CONTENT_TYPE, found.content)


async def show_form(turn: Turn, _text: str) -> dict:
    choices = await turn.run(service.report_form, service.ReportForm(turn.me))
    return report_form_card(turn.t, ReportFormView(start=choices.start, end=choices.end, entities=choices.entities))


async def request_report(turn: Turn, payload: RequestReport) -> str | None:
    entity = None if payload.entity in ("", ALL_ENTITIES) else payload.entity
    request = await turn.run(service.prepare_report, service.PrepareReport(turn.me, payload.start, payload.end, entity, payload.min_cell))
    scope = request.entity_code or turn.t("reports.all_entities")
    preparing = turn.t("reports.preparing", period=str(request.period), scope=scope)

    async def compute() -> BuiltReport:
        return await build_versioned(turn.run, request, turn.me, turn.t, f"staff:{turn.me.id}")

    async def deliver(chat: Turn, built: BuiltReport) -> None:
        await _send_report(chat, built)

    return await delivery.start(turn, preparing, compute, deliver)


async def _send_report(chat: Turn, built: BuiltReport) -> None:
    """In the requester's personal chat: the summary card with the changes and the download links
    of this version and the earlier ones, then the file."""
    t, report, comparison = chat.t, built.report, built.comparison
    link = chat.download_link(VERSION_KIND, {"version": built.version.id}, LINK_TTL)
    earlier = [
        VersionLink(v.number, v.produced_at, v.produced_by, chat.download_link(VERSION_KIND, {"version": v.id}, LINK_TTL))
        for v in comparison.earlier[:VERSIONS_ON_CARD]
    ]
    view = ReportSummaryView(
        period=str(report.period), scope=_scope(t, report), figures=report.key_figures(), download_url=link,
        link_minutes=int(LINK_TTL.total_seconds() // 60), version=built.version.number, comparison=comparison, earlier=earlier,
    )
    await chat.send_card(report_summary_card(t, view))
    description = t("reports.file_description", period=str(report.period), scope=view.scope)
    await send_file(chat, version_filename(workbook_filename(report, t), built.version.number), built.content, description=description)


def register(registry: Registry) -> None:
    """Register this flow's commands, card verb and download kind."""
    router = registry.router
    roles = service.REPORT_ROLES
    registry.download(DOWNLOAD_KIND, produce_workbook, roles=roles)
    registry.download(VERSION_KIND, produce_version, roles=roles)
    router.command(("rapport", "report", "rapport parlement", "parliament report"), show_form, roles=roles)
    router.opener("reports", show_form, roles=roles)
    router.action(RequestReport, request_report, roles=roles)
