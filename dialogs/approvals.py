"""Approvals: the approval card's buttons, the pending list and deputies.

Steps, approval card: approval.refresh (Teams asks per viewer) -> the card for that viewer;
approval.decide -> decide (one guarded transaction) -> the outcome card, or the card with an
"approve anyway" button when the subject needs a confirmation.
Steps, pending list: "goedkeuringen"/"approvals" or the menu -> the list with checkboxes ->
approval.bulk -> every chosen approval through the same decide -> the refreshed list with a summary;
approval.show -> one approval's card.
Steps, deputies: "vervanger"/"deputy" -> current deputies and a form -> approval.deputy_add /
approval.deputy_remove -> the refreshed deputies card.
"""

from __future__ import annotations

from datetime import date

from bot.domain.errors import InvalidInput
from bot.domain.staff import Role
from bot.registry import Registry
from bot.services import approvals as service
from bot.services.approvals import NeedsConfirmation
from bot.turn import Turn
from dialogs.cards.approvals import (
    AddDeputy,
    BulkApprove,
    DecideApproval,
    DeputiesView,
    DeputyCandidate,
    PendingListView,
    RefreshApproval,
    RemoveDeputy,
    ShowApproval,
    deputies_card,
    pending_list_card,
)

DECIDERS = (Role.MANAGER, Role.ADMIN)
PENDING_PHRASES = ("goedkeuringen", "goedkeuren", "approvals", "te beslissen")
DEPUTY_PHRASES = ("vervanger", "vervangers", "deputy", "deputies")


async def show_refresh(turn: Turn, payload: RefreshApproval) -> dict:
    return await service.card_for_viewer(turn.services, payload.approval_id, turn.me, turn.t, correlation_id=turn.correlation_id)


async def show_approval(turn: Turn, payload: ShowApproval) -> dict:
    return await service.card_for_viewer(turn.services, payload.approval_id, turn.me, turn.t, correlation_id=turn.correlation_id)


async def decide(turn: Turn, payload: DecideApproval) -> dict:
    reply_to = turn.context.activity.reply_to_id
    try:
        await service.decide(
            turn.services, approval_id=payload.approval_id, actor=turn.me, decision=payload.decision,
            comment=payload.comment, confirmed=payload.confirm, correlation_id=turn.correlation_id,
            shown_activity_id=reply_to,
        )
    except NeedsConfirmation as warning:
        return await service.card_for_viewer(
            turn.services, payload.approval_id, turn.me, turn.t, correlation_id=turn.correlation_id,
            confirm_warning=turn.t(warning.key, **warning.params),
        )
    # Decided now or before (second click, stale card): either way the card shows the current state.
    return await service.card_for_viewer(turn.services, payload.approval_id, turn.me, turn.t, correlation_id=turn.correlation_id)


async def pending_list(turn: Turn, _text: str = "", summary: str | None = None) -> dict:
    items = await service.list_decidable(turn.services, turn.me, turn.t, correlation_id=turn.correlation_id)
    return pending_list_card(turn.t, PendingListView(items=items, summary=summary))


def _parse_ids(raw: str) -> list[int]:
    ids = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or len(part) > 12:
            raise InvalidInput("approvals.bulk_bad_selection")
        ids.append(int(part))
    return ids


async def bulk(turn: Turn, payload: BulkApprove) -> dict:
    ids = _parse_ids(payload.approval_ids)
    if not ids:
        return await pending_list(turn, summary=turn.t("approvals.bulk_nothing_chosen"))
    result = await service.bulk_approve(turn.services, turn.me, ids, correlation_id=turn.correlation_id)
    if any(key == "approvals.skipped_not_yours" for _, key in result.skipped):
        # Like the router's refusals: the verb is audited (each approval was audited by the service).
        async with turn.uow() as uow:
            await uow.audit.record(turn.actor, "refused", "action", BulkApprove.verb)
            await uow.commit()
    summary = turn.t("approvals.bulk_done", approved=len(result.approved))
    if result.skipped:
        reasons = sorted({turn.t(key) for _, key in result.skipped})
        summary += " " + turn.t("approvals.bulk_skipped", count=len(result.skipped), reasons="; ".join(reasons))
    return await pending_list(turn, summary=summary)


async def _deputies(turn: Turn, message: str | None = None) -> dict:
    today = turn.today()
    async with turn.uow() as uow:
        deputies = await service.list_deputies(uow, turn.me, today)
        candidates = [DeputyCandidate(c.id, c.display_name, c.email) for c in await service.deputy_candidates(uow, turn.me, today)]
    return deputies_card(turn.t, DeputiesView(deputies=deputies, candidates=candidates, today=today, message=message))


async def deputies(turn: Turn, _text: str = "") -> dict:
    return await _deputies(turn)


def _parse_date(raw: str | None) -> date:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        raise InvalidInput("approvals.deputy_bad_date") from None


async def add_deputy(turn: Turn, payload: AddDeputy) -> dict:
    deputy_id = None
    if payload.deputy_id:
        if not payload.deputy_id.isdigit():
            raise InvalidInput("approvals.deputy_unknown")
        deputy_id = int(payload.deputy_id)
    valid_from, valid_until = _parse_date(payload.valid_from), _parse_date(payload.valid_until)
    async with turn.uow() as uow:
        await service.set_deputy(
            uow, turn.me, deputy_id=deputy_id, deputy_email=(payload.deputy_email or "").strip() or None,
            valid_from=valid_from, valid_until=valid_until, today=turn.today(), now=turn.now(),
        )
        await uow.commit()
    return await _deputies(turn, turn.t("approvals.deputy_saved"))


async def remove_deputy(turn: Turn, payload: RemoveDeputy) -> dict:
    async with turn.uow() as uow:
        await service.remove_deputy(uow, turn.me, payload.deputy_row_id)
        await uow.commit()
    return await _deputies(turn, turn.t("approvals.deputy_removed"))


def register(registry: Registry) -> None:
    router = registry.router
    """Register this flow's commands and card verbs."""
    # Viewing and deciding are checked per approval in the service (deputies need not be managers).
    router.action(RefreshApproval, show_refresh)
    router.action(ShowApproval, show_approval)
    router.action(DecideApproval, decide)
    router.action(BulkApprove, bulk)
    router.command(PENDING_PHRASES, pending_list)
    router.opener("approvals", pending_list, roles=DECIDERS)
    router.command(DEPUTY_PHRASES, deputies, roles=DECIDERS)
    router.action(AddDeputy, add_deputy, roles=DECIDERS)
    router.action(RemoveDeputy, remove_deputy, roles=DECIDERS)
