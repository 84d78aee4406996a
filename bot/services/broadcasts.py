"""Broadcasts: one stored job, one outbox row per recipient, sent later by background workers
(bot/broadcast_worker.py). HR follows the progress, cancels, resends to the failed and downloads
the delivery report."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook

from bot.domain import broadcasts as rules
from bot.domain.broadcasts import Broadcast, BroadcastStatus, Progress
from bot.domain.errors import Forbidden, InvalidInput, NotFound
from bot.domain.staff import Staff
from bot.i18n import Translator, resolve_locale
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    pass

# (uow, payload, recipient, t) -> the Adaptive Card for that recipient.
Renderer = Callable[[UnitOfWork, dict, Staff, Translator], Awaitable[dict]]

REPORT_KIND = "broadcast.report"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_RENDERERS: dict[str, Renderer] = {}


def register_renderer(kind: str, renderer: Renderer) -> None:
    """Register how a kind of broadcast renders its card (call at import, e.g. "webinar.invitation")."""
    _RENDERERS[kind] = renderer


def renderer_for(kind: str) -> Renderer | None:
    return _RENDERERS.get(kind)


def _actor(staff: Staff) -> str:
    return f"staff:{staff.id}"


def _require_hr(staff: Staff) -> None:
    if not staff.is_hr:
        raise Forbidden()


async def create_broadcast(
    uow: UnitOfWork,
    *,
    kind: str,
    title: str,
    payload: dict,
    recipient_ids: Sequence[int],
    created_by: Staff,
    now: datetime,
    scheduled_at: datetime | None = None,
) -> int:
    """Store a broadcast and its outbox (one pending row per distinct recipient), audited.

    The caller commits. Workers send it, at `scheduled_at` when that lies in the future.
    Raises Forbidden for anyone but HR or an admin, InvalidInput for an unknown kind, an empty or
    oversized audience, unknown recipients or a bad schedule.
    """
    _require_hr(created_by)
    recipients = list(dict.fromkeys(recipient_ids))
    rules.check_new_broadcast(title, recipients, now, scheduled_at)
    if kind not in _RENDERERS:
        raise InvalidInput("broadcasts.unknown_kind")
    known = await uow.broadcasts.audience_of(recipients)
    if len(known) != len(recipients):
        raise InvalidInput("broadcasts.unknown_recipients", count=len(recipients) - len(known))
    status = rules.initial_status(now, scheduled_at)
    broadcast_id = await uow.broadcasts.add(
        kind=kind, title=title.strip(), payload=payload, created_by=created_by.id, created_at=now,
        scheduled_at=scheduled_at, status=status, recipient_ids=recipients,
    )
    await uow.audit.record(
        _actor(created_by), "broadcast.created", "broadcast", broadcast_id, None,
        {"kind": kind, "title": title.strip(), "recipients": len(recipients), "status": status.value,
         "scheduled_at": scheduled_at.isoformat() if scheduled_at else None},
    )
    return broadcast_id


@dataclass(frozen=True)
class BroadcastOverview:
    broadcast: Broadcast
    progress: Progress


async def overview(uow: UnitOfWork, actor: Staff, broadcast_id: int) -> BroadcastOverview:
    _require_hr(actor)
    broadcast = await uow.broadcasts.get(broadcast_id)
    if broadcast is None:
        raise NotFound()
    return BroadcastOverview(broadcast, await uow.broadcasts.progress(broadcast_id))


async def recent(uow: UnitOfWork, actor: Staff, limit: int = 10) -> list[BroadcastOverview]:
    _require_hr(actor)
    return [BroadcastOverview(b, await uow.broadcasts.progress(b.id)) for b in await uow.broadcasts.list_recent(limit)]


async def cancel_broadcast(uow: UnitOfWork, actor: Staff, broadcast_id: int, now: datetime) -> BroadcastOverview:
    """Stop a scheduled or running broadcast: unsent deliveries are cancelled; the few already in
    a worker's hands finish and record their outcome. Commits."""
    _require_hr(actor)
    broadcast = await uow.broadcasts.get(broadcast_id, for_update=True)
    if broadcast is None:
        raise NotFound()
    rules.check_cancel(broadcast)
    cancelled = await uow.broadcasts.cancel_pending(broadcast_id, now)
    await uow.broadcasts.set_status(broadcast_id, BroadcastStatus.CANCELLED, now)
    await uow.audit.record(
        _actor(actor), "broadcast.cancelled", "broadcast", broadcast_id,
        {"status": broadcast.status.value}, {"status": BroadcastStatus.CANCELLED.value, "deliveries_cancelled": cancelled},
    )
    await uow.commit()
    return await overview(uow, actor, broadcast_id)


async def resend_failed(uow: UnitOfWork, actor: Staff, broadcast_id: int, now: datetime) -> BroadcastOverview:
    """Put the failed deliveries of a finished broadcast back in the queue (the sent ones are left
    alone, so nobody gets the message twice). Commits."""
    _require_hr(actor)
    broadcast = await uow.broadcasts.get(broadcast_id, for_update=True)
    if broadcast is None:
        raise NotFound()
    rules.check_resend_failed(broadcast, await uow.broadcasts.progress(broadcast_id))
    count = await uow.broadcasts.reset_failed(broadcast_id, now)
    await uow.broadcasts.set_status(broadcast_id, BroadcastStatus.RUNNING, now)
    await uow.audit.record(
        _actor(actor), "broadcast.resend_failed", "broadcast", broadcast_id,
        {"status": broadcast.status.value}, {"status": BroadcastStatus.RUNNING.value, "deliveries_requeued": count},
    )
    await uow.commit()
    return await overview(uow, actor, broadcast_id)


async def delivery_report(runner: Any, request: Any) -> Any:
    """The per-recipient delivery report as an Excel workbook (download kind "broadcast.report")."""
    from bot.registry import FileOut

    params, staff_id = request.params, request.staff_id
    try:
        broadcast_id = int(params["broadcast_id"])
    except (KeyError, TypeError, ValueError):
        raise InvalidInput() from None
    async with runner.uow_factory() as uow:
        actor = await uow.staff.get(staff_id)
        if actor is None:
            raise Forbidden()
        found = await overview(uow, actor, broadcast_id)
        deliveries = await uow.broadcasts.list_deliveries(broadcast_id)
    t = Translator(resolve_locale(None, actor.language))  # type: ignore[arg-type]
    zone = runner.now().tzinfo
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t("broadcasts.report_sheet")[:31]
    sheet.append([t("broadcasts.report_title"), found.broadcast.title])
    sheet.append([])
    sheet.append([
        t("broadcasts.report_name"), t("broadcasts.report_email"), t("broadcasts.report_entity"),
        t("broadcasts.report_status"), t("broadcasts.report_reason"), t("broadcasts.report_sent_at"),
        t("broadcasts.report_attempts"),
    ])
    for delivery in deliveries:
        sheet.append([
            delivery.display_name, delivery.email, delivery.entity_code, t(f"broadcasts.status_{delivery.status.value}"),
            delivery.reason or "", delivery.sent_at.astimezone(zone).replace(tzinfo=None) if delivery.sent_at else None, delivery.claims,
        ])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return FileOut(f"broadcast-{broadcast_id}-delivery.xlsx", XLSX, buffer.getvalue())
