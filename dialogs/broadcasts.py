"""Broadcasts for HR: follow a broadcast, cancel it, resend to the failed, download the report.

Steps:
1. "verzendingen" / "broadcasts" lists the recent broadcasts (HR and admins only).
2. Opening one shows its progress card; while it is scheduled or running the card refreshes
   itself for the HR member who looks at it (Action.Execute broadcast.progress).
3. Cancel stops a scheduled or running broadcast; resend puts the failed deliveries of a finished
   broadcast back in the queue; the report link downloads the per-recipient workbook (xlsx).
Creating a broadcast belongs to the flow that owns the message (e.g. webinar invitations).
"""

from __future__ import annotations

import asyncio
import io
from datetime import tzinfo

from bot.domain.errors import DomainError
from bot.domain.staff import HR_ROLES
from bot.i18n import Translator
from bot.registry import DownloadRequest, FileOut, Registry
from bot.runner import UseCaseRunner
from bot.services import broadcasts as service
from bot.turn import Turn
from dialogs.cards.broadcasts import (
    BroadcastLine,
    BroadcastProgressAction,
    CancelBroadcast,
    OpenBroadcast,
    ProgressView,
    ResendFailed,
    list_card,
    progress_card,
)

COMMANDS = ("verzendingen", "broadcasts", "uitnodigingen verzonden")
REPORT_KIND = "broadcast.report"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _view(turn: Turn, found: service.BroadcastOverview) -> ProgressView:
    broadcast, progress = found.broadcast, found.progress
    zone = turn.now().tzinfo
    viewer = turn.context.activity.from_property.id if turn.context.activity.from_property else None
    return ProgressView(
        broadcast_id=broadcast.id, title=broadcast.title, status=broadcast.status.value,
        created_at=broadcast.created_at.astimezone(zone),
        scheduled_at=broadcast.scheduled_at.astimezone(zone) if broadcast.scheduled_at else None,
        finished_at=broadcast.finished_at.astimezone(zone) if broadcast.finished_at else None,
        total=progress.total, sent=progress.sent, failed=progress.failed, unreachable=progress.unreachable,
        cancelled=progress.cancelled, pending=progress.pending, percent=progress.percent,
        can_cancel=found.can_cancel, can_resend=found.can_resend, refreshes=found.in_progress, viewer_user_id=viewer,
        report_url=turn.download_link(REPORT_KIND, {"broadcast_id": broadcast.id}),
    )


async def progress_card_for(turn: Turn, broadcast_id: int) -> dict:
    """HR's progress card for one broadcast (sent / failed / unreachable / pending, refresh while
    running, cancel, resend to the failed, delivery report). Raises Forbidden for non-HR viewers."""
    found = await turn.run(service.overview, service.ShowBroadcast(turn.me, broadcast_id))
    return progress_card(turn.t, _view(turn, found))


async def show_list(turn: Turn, _text: str) -> dict:
    found = await turn.run(service.recent, service.RecentBroadcasts(turn.me))
    lines = [
        BroadcastLine(item.broadcast.id, item.broadcast.title, item.broadcast.status.value, item.progress.sent, item.progress.total)
        for item in found
    ]
    return list_card(turn.t, lines)


async def show_progress(turn: Turn, payload: BroadcastProgressAction | OpenBroadcast) -> dict:
    return await progress_card_for(turn, payload.broadcast_id)


async def cancel(turn: Turn, payload: CancelBroadcast) -> dict:
    found = await turn.run(service.cancel_broadcast, service.CancelBroadcast(turn.me, payload.broadcast_id))
    return progress_card(turn.t, _view(turn, found))


async def resend(turn: Turn, payload: ResendFailed) -> dict:
    found = await turn.run(service.resend_failed, service.ResendFailed(turn.me, payload.broadcast_id))
    return progress_card(turn.t, _view(turn, found))


# -- the delivery report ---------------------------------------------------------------------------
def delivery_workbook(report: service.DeliveryReportView, t: Translator, zone: tzinfo) -> bytes:
    """One line per recipient: who, delivery status and reason, when sent (local time), attempts."""
    from openpyxl import Workbook  # first use: not at start-up

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t("broadcasts.report_sheet")[:31]
    sheet.append([t("broadcasts.report_title"), report.broadcast.title])
    sheet.append([])
    sheet.append([
        t("broadcasts.report_name"), t("broadcasts.report_email"), t("broadcasts.report_entity"),
        t("broadcasts.report_status"), t("broadcasts.report_reason"), t("broadcasts.report_sent_at"),
        t("broadcasts.report_attempts"),
    ])
    for delivery in report.deliveries:
        sent_at = delivery.sent_at.astimezone(zone).replace(tzinfo=None) if delivery.sent_at else None
        sheet.append([
            delivery.display_name, delivery.email, delivery.entity_code, t(f"broadcasts.status_{delivery.status.value}"),
            delivery.reason or "", sent_at, delivery.claims,
        ])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def produce_report(runner: UseCaseRunner, request: DownloadRequest) -> FileOut:
    """The download link's producer: the report as it stands now, for an HR member."""
    try:
        broadcast_id = int(request.params["broadcast_id"])
        report = await runner.run(service.delivery_report, service.DeliveryReport(request.staff_id, broadcast_id))
    except (KeyError, TypeError, ValueError, DomainError) as error:  # a bad or stale link: nothing to download
        raise LookupError(str(error)) from None
    zone = runner.now().tzinfo
    assert zone is not None
    t = Translator(request.locale)  # type: ignore[arg-type]
    content = await asyncio.to_thread(delivery_workbook, report, t, zone)
    return FileOut(f"{t('files.name.broadcast_report', id=str(broadcast_id))}.xlsx", XLSX, content)


def register(registry: Registry) -> None:
    """Register this flow's commands, card verbs and the delivery report."""
    router = registry.router
    registry.download(REPORT_KIND, produce_report, roles=HR_ROLES)
    router.command(COMMANDS, show_list, roles=HR_ROLES)
    router.opener("broadcasts", show_list, roles=HR_ROLES)
    router.action(BroadcastProgressAction, show_progress, roles=HR_ROLES)
    router.action(OpenBroadcast, show_progress, roles=HR_ROLES)
    router.action(CancelBroadcast, cancel, roles=HR_ROLES)
    router.action(ResendFailed, resend, roles=HR_ROLES)
