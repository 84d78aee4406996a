"""Report flow (HR and admins): the workbook that answers parliament, in one step.

Steps:
1. "rapport" / "report" or the menu's button -> a card with the period (from/to month) and the entity.
2. The card's submit (reports.request) -> the form is checked, the answer "I'm preparing it" goes
   out at once and the report is built in the background (bot.reports.delivery: never in the turn).
3. When it is ready, in the personal chat: a summary card of the key figures, with a short-lived
   signed download link, and the workbook as a file (Teams file consent card; where files are not
   possible bot.files falls back to a download link).

The download link's producer recomputes the workbook at download time after bot.downloads
re-checked the roles: nothing is kept.
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
from bot.reports.workbook import CONTENT_TYPE, render_workbook, workbook_filename
from bot.runner import UseCaseRunner
from bot.services import reports as service
from bot.turn import Turn
from dialogs.cards.reports import (
    ALL_ENTITIES,
    ReportFormView,
    ReportSummaryView,
    RequestReport,
    report_form_card,
    report_summary_card,
)

log = logging.getLogger(__name__)

DOWNLOAD_KIND = "reports.workbook"
LINK_TTL = timedelta(minutes=15)


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


async def show_form(turn: Turn, _text: str) -> dict:
    choices = await turn.run(service.report_form, service.ReportForm(turn.me))
    return report_form_card(turn.t, ReportFormView(start=choices.start, end=choices.end, entities=choices.entities))


async def request_report(turn: Turn, payload: RequestReport) -> str | None:
    entity = None if payload.entity in ("", ALL_ENTITIES) else payload.entity
    request = await turn.run(service.prepare_report, service.PrepareReport(turn.me, payload.start, payload.end, entity))
    scope = request.entity_code or turn.t("reports.all_entities")
    preparing = turn.t("reports.preparing", period=str(request.period), scope=scope)

    async def compute() -> tuple[Report, bytes]:
        report = await turn.run(service.build_report, service.BuildReport(request, turn.me, turn.locale))
        return report, await asyncio.to_thread(render_workbook, report, turn.t)

    async def deliver(chat: Turn, built: tuple[Report, bytes]) -> None:
        await _send_report(chat, request, *built)

    return await delivery.start(turn, preparing, compute, deliver)


async def _send_report(chat: Turn, request: service.ReportRequest, report: Report, content: bytes) -> None:
    """In the requester's personal chat: the summary card with a download link, then the file."""
    t = chat.t
    link = chat.download_link(DOWNLOAD_KIND, {**request.as_params(), "lang": t.locale}, LINK_TTL)
    view = ReportSummaryView(
        period=str(report.period), scope=_scope(t, report), figures=report.key_figures(), download_url=link,
        link_minutes=int(LINK_TTL.total_seconds() // 60),
    )
    await chat.send_card(report_summary_card(t, view))
    description = t("reports.file_description", period=str(report.period), scope=view.scope)
    await send_file(chat, workbook_filename(report, t), content, description=description)


def register(registry: Registry) -> None:
    """Register this flow's commands, card verb and download kind."""
    router = registry.router
    roles = service.REPORT_ROLES
    registry.download(DOWNLOAD_KIND, produce_workbook, roles=roles)
    router.command(("rapport", "report", "rapport parlement", "parliament report"), show_form, roles=roles)
    router.opener("reports", show_form, roles=roles)
    router.action(RequestReport, request_report, roles=roles)
