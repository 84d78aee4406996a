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

from bot.domain.broadcasts import BroadcastStatus
from bot.domain.staff import HR_ROLES
from bot.registry import Registry
from bot.services import broadcasts as service
from bot.services.broadcasts import REPORT_KIND, BroadcastOverview
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


def _view(turn: Turn, found: BroadcastOverview) -> ProgressView:
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
        can_cancel=broadcast.is_open,
        can_resend=broadcast.status == BroadcastStatus.COMPLETED and progress.failed > 0,
        refreshes=broadcast.is_open, viewer_user_id=viewer,
        report_url=turn.download_link(REPORT_KIND, {"broadcast_id": broadcast.id}),
    )


async def progress_card_for(turn: Turn, broadcast_id: int) -> dict:
    """HR's progress card for one broadcast (sent / failed / unreachable / pending, refresh while
    running, cancel, resend to the failed, delivery report). Raises Forbidden for non-HR viewers."""
    async with turn.uow() as uow:
        found = await service.overview(uow, turn.me, broadcast_id)
    return progress_card(turn.t, _view(turn, found))


async def show_list(turn: Turn, _text: str) -> dict:
    async with turn.uow() as uow:
        found = await service.recent(uow, turn.me)
    lines = [
        BroadcastLine(item.broadcast.id, item.broadcast.title, item.broadcast.status.value, item.progress.sent, item.progress.total)
        for item in found
    ]
    return list_card(turn.t, lines)


async def show_progress(turn: Turn, payload: BroadcastProgressAction | OpenBroadcast) -> dict:
    return await progress_card_for(turn, payload.broadcast_id)


async def cancel(turn: Turn, payload: CancelBroadcast) -> dict:
    async with turn.uow() as uow:
        found = await service.cancel_broadcast(uow, turn.me, payload.broadcast_id, turn.now())
    return progress_card(turn.t, _view(turn, found))


async def resend(turn: Turn, payload: ResendFailed) -> dict:
    async with turn.uow() as uow:
        found = await service.resend_failed(uow, turn.me, payload.broadcast_id, turn.now())
    return progress_card(turn.t, _view(turn, found))


def register(registry: Registry) -> None:
    router = registry.router
    registry.download(REPORT_KIND, service.delivery_report, roles=HR_ROLES)
    router.command(COMMANDS, show_list, roles=HR_ROLES)
    router.opener("broadcasts", show_list, roles=HR_ROLES)
    router.action(BroadcastProgressAction, show_progress, roles=HR_ROLES)
    router.action(OpenBroadcast, show_progress, roles=HR_ROLES)
    router.action(CancelBroadcast, cancel, roles=HR_ROLES)
    router.action(ResendFailed, resend, roles=HR_ROLES)
