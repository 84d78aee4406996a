"""Broadcast cards for HR: the progress card (refreshes while sending) and the list of recent ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from microsoft_teams.cards import ActionSet, OpenUrlAction

from bot.actions import ActionData, Id
from bot.i18n import Translator
from dialogs.cards.base import card, execute, facts, heading, submit, text, title, with_menu


class BroadcastProgressAction(ActionData, verb="broadcast.progress"):
    broadcast_id: Id


class CancelBroadcast(ActionData, verb="broadcast.cancel"):
    broadcast_id: Id


class ResendFailed(ActionData, verb="broadcast.resend_failed"):
    broadcast_id: Id


class OpenBroadcast(ActionData, verb="broadcast.open"):
    broadcast_id: Id


@dataclass(frozen=True)
class ProgressView:
    broadcast_id: int
    title: str
    status: str  # a BroadcastStatus value
    created_at: datetime
    scheduled_at: datetime | None
    finished_at: datetime | None
    total: int
    sent: int
    failed: int
    unreachable: int
    cancelled: int
    pending: int
    percent: int
    can_cancel: bool
    can_resend: bool
    refreshes: bool
    viewer_user_id: str | None
    report_url: str | None


@dataclass(frozen=True)
class BroadcastLine:
    broadcast_id: int
    title: str
    status: str
    sent: int
    total: int


def progress_card(t: Translator, view: ProgressView) -> dict[str, Any]:
    rows = [
        (t("broadcasts.status"), t(f"broadcasts.state_{view.status}")),
        (t("broadcasts.created_at"), t.datetime(view.created_at, "d/MM/yyyy HH:mm")),
    ]
    if view.scheduled_at is not None:
        rows.append((t("broadcasts.scheduled_at"), t.datetime(view.scheduled_at, "d/MM/yyyy HH:mm")))
    if view.finished_at is not None:
        rows.append((t("broadcasts.finished_at"), t.datetime(view.finished_at, "d/MM/yyyy HH:mm")))
    counts = [
        (t("broadcasts.status_sent"), str(view.sent)),
        (t("broadcasts.status_failed"), str(view.failed)),
        (t("broadcasts.status_unreachable"), str(view.unreachable)),
        (t("broadcasts.status_pending"), str(view.pending)),
    ]
    if view.cancelled:
        counts.append((t("broadcasts.status_cancelled"), str(view.cancelled)))
    counts.append((t("broadcasts.total"), str(view.total)))
    actions: list[Any] = [execute(BroadcastProgressAction(broadcast_id=view.broadcast_id), t("broadcasts.refresh"))]
    if view.can_cancel:
        actions.append(execute(CancelBroadcast(broadcast_id=view.broadcast_id), t("broadcasts.cancel"), style="destructive"))
    if view.can_resend:
        actions.append(execute(ResendFailed(broadcast_id=view.broadcast_id), t("broadcasts.resend_failed", count=view.failed)))
    if view.report_url:
        actions.append(OpenUrlAction(title=t("broadcasts.download_report"), url=view.report_url))
    body = [
        title(view.title),
        facts(rows),
        heading(t("broadcasts.progress", percent=view.percent)),
        facts(counts),
        ActionSet(actions=actions),
    ]
    if view.refreshes:
        body.append(text(t("broadcasts.refresh_hint"), subtle=True))
    return card(
        body,
        with_menu(t),
        refresh=BroadcastProgressAction(broadcast_id=view.broadcast_id) if view.refreshes and view.viewer_user_id else None,
        refresh_user_ids=[view.viewer_user_id] if view.viewer_user_id else [],
    )


def list_card(t: Translator, lines: Sequence[BroadcastLine]) -> dict[str, Any]:
    body: list[Any] = [title(t("broadcasts.list_title"))]
    if not lines:
        body.append(text(t("broadcasts.none")))
        return card(body, with_menu(t))
    buttons = [
        submit(
            OpenBroadcast(broadcast_id=line.broadcast_id),
            t("broadcasts.list_line", title=line.title[:60], state=t(f"broadcasts.state_{line.status}"), sent=line.sent, total=line.total),
        )
        for line in lines
    ]
    body.extend(ActionSet(actions=[button]) for button in buttons)
    return card(body, with_menu(t))
