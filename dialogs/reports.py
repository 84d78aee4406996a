"""Report flow (HR and admins): the workbook that answers parliament, in one step.

Steps:
1. "rapport" / "report" or the menu's button -> a card with the period (from/to month) and the entity.
2. The card's submit (reports.request) -> the form is checked, the answer "I'm preparing it" goes
   out at once and the report is computed in a background task on the app's loop (never in the turn;
   only with BACKGROUND_JOBS off, as in tests, is it delivered before the turn ends).
3. When it is ready, in the personal chat: a summary card of the key figures, with a short-lived
   signed download link, and the workbook as a file (Teams file consent card; where files are not
   possible bot.files falls back to a download link).

The background task continues the personal conversation through the stored conversation reference
and builds a Turn there, so bot.files.send_file works as in any turn. The download link's producer
recomputes the workbook at download time after bot.downloads re-checked the roles: nothing is kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

from aiohttp import web
from botbuilder.core import TurnContext

from bot.domain.errors import DomainError
from bot.domain.reports import Report
from bot.domain.staff import HR_ROLES, Staff
from bot.files import send_file
from bot.i18n import Translator
from bot.proactive import to_conversation_reference
from bot.registry import DownloadRequest, FileOut, Registry
from bot.reports.workbook import CONTENT_TYPE, render_workbook, workbook_filename
from bot.runner import UseCaseRunner
from bot.runtime import Services
from bot.services.reports import (
    REPORT_ROLES,
    ReportRequest,
    build_report,
    check_may_report,
    default_period,
    prepare_request,
    report_entities,
)
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
JOBS_KEY = "reports.jobs"
# Reports are heavy on the database; more than this many at once wait their turn.
MAX_PARALLEL_REPORTS = 2
# At shutdown (a deploy, a restart) running reports get this long to reach their requester.
SHUTDOWN_GRACE_SECONDS = 30.0


@dataclass
class ReportJobs:
    """The report tasks of this instance: held so they are not garbage-collected, one per person."""

    tasks: set[asyncio.Task] = field(default_factory=set)
    busy: set[int] = field(default_factory=set)
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(MAX_PARALLEL_REPORTS))

    async def wait(self) -> None:
        """Until every running report has been delivered."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def drain(self, grace_seconds: float) -> int:
        """Shutdown: let running reports finish for up to `grace_seconds`, then cancel the rest (their
        requesters are told to ask again). Returns how many were cancelled."""
        if not self.tasks:
            return 0
        _, unfinished = await asyncio.wait(list(self.tasks), timeout=grace_seconds)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        return len(unfinished)


def jobs_of(services: Services) -> ReportJobs:
    return services.extras.setdefault(JOBS_KEY, ReportJobs())


def _scope(t: Translator, report: Report) -> str:
    return f"{report.entity.name} ({report.entity.code})" if report.entity else t("reports.all_entities")


async def produce_workbook(runner: UseCaseRunner, download: DownloadRequest) -> FileOut:
    """The download link's producer: the workbook recomputed now, for a staff member bot.downloads
    has just re-checked."""
    params, staff_id = download.params, download.staff_id
    try:
        request = ReportRequest.from_params(params)
    except DomainError as error:
        raise LookupError("bad report parameters") from error
    async with runner.uow_factory() as uow:
        staff = await uow.staff.get(staff_id)
    if staff is None:
        raise LookupError("staff member gone")
    t = Translator("en" if params.get("lang") == "en" else "nl")
    try:
        report = await build_report(runner.uow_factory, request, now=runner.now(), actor=staff, locale=t.locale)
    except DomainError as error:
        raise LookupError(error.key) from error
    content = await asyncio.to_thread(render_workbook, report, t)
    return FileOut(workbook_filename(report), CONTENT_TYPE, content)


async def show_form(turn: Turn, _text: str) -> dict:
    start, end = default_period(turn.today())
    entities = await report_entities(turn.services.uow_factory, turn.me)
    return report_form_card(turn.t, ReportFormView(start=start, end=end, entities=entities))


async def request_report(turn: Turn, payload: RequestReport) -> str | None:
    entity = None if payload.entity in ("", ALL_ENTITIES) else payload.entity
    request = await prepare_request(turn.services.uow_factory, turn.me, payload.start, payload.end, entity)
    jobs = jobs_of(turn.services)
    if turn.me.id in jobs.busy:
        return turn.t("reports.busy")
    jobs.busy.add(turn.me.id)
    scope = request.entity_code or turn.t("reports.all_entities")
    preparing = turn.t("reports.preparing", period=str(request.period), scope=scope)
    delivery = _deliver(turn.services, turn.me, request, turn.t, turn.correlation_id)
    if not turn.services.settings.background_jobs:
        # Without background work (tests, one-off tools) the report is delivered before the turn ends.
        await turn.send_text(preparing)
        await delivery
        return None
    task = asyncio.get_running_loop().create_task(delivery)
    jobs.tasks.add(task)
    task.add_done_callback(jobs.tasks.discard)
    return preparing


async def _deliver(services: Services, staff: Staff, request: ReportRequest, t: Translator, correlation_id: str) -> None:
    jobs = jobs_of(services)
    try:
        async with jobs.slots:
            check_may_report(staff)
            report = await build_report(services.uow_factory, request, now=services.clock.now(), actor=staff, locale=t.locale)
            content = await asyncio.to_thread(render_workbook, report, t)
        await _send(services, staff, request, report, content, t, correlation_id)
    except asyncio.CancelledError:
        log.warning("report %s for staff %s stopped by shutdown (correlation %s)", request.period, staff.id, correlation_id)
        await services.proactive.send(staff.aad_object_id, t("reports.interrupted"))
        raise
    except Exception as error:
        log.error("report %s for staff %s failed (correlation %s)", request.period, staff.id, correlation_id, exc_info=error)
        await services.proactive.send(staff.aad_object_id, t("reports.failed", ref=correlation_id))
    finally:
        jobs.busy.discard(staff.id)


def reports_extension(app: web.Application, services: Services) -> None:
    """At shutdown, before the database and the sender close: running reports get a grace period."""

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        yield
        cancelled = await jobs_of(services).drain(SHUTDOWN_GRACE_SECONDS)
        if cancelled:
            log.warning("shutdown: %d report(s) did not finish in %.0f s", cancelled, SHUTDOWN_GRACE_SECONDS)

    app.cleanup_ctx.append(lifecycle)


async def _send(
    services: Services, staff: Staff, request: ReportRequest, report: Report, content: bytes, t: Translator, correlation_id: str
) -> None:
    reference = await services.proactive.reference_for(staff.aad_object_id)
    if reference is None or not reference.usable:
        log.warning("report for staff %s ready but their chat is unreachable", staff.id)
        return
    params = {**request.as_params(), "lang": t.locale}
    link = services.links.make(DOWNLOAD_KIND, params, staff.id, LINK_TTL)
    view = ReportSummaryView(
        period=str(report.period), scope=_scope(t, report), figures=report.key_figures(), download_url=link,
        link_minutes=int(LINK_TTL.total_seconds() // 60),
    )

    async def in_chat(context: TurnContext) -> None:
        turn = Turn(context=context, services=services, staff=staff, t=t, correlation_id=correlation_id)
        await turn.send_card(report_summary_card(t, view))
        await send_file(
            turn, workbook_filename(report), content, description=t("reports.file_description", period=str(report.period), scope=view.scope)
        )

    await services.proactive.adapter.continue_conversation(to_conversation_reference(reference), in_chat, services.proactive.app_id)


def register(registry: Registry) -> None:
    router = registry.router
    roles = HR_ROLES
    registry.download(DOWNLOAD_KIND, produce_workbook, roles=REPORT_ROLES)
    router.command(("rapport", "report", "rapport parlement", "parliament report"), show_form, roles=roles)
    router.opener("reports", show_form, roles=roles)
    router.action(RequestReport, request_report, roles=roles)
