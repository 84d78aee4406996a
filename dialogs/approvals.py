"""Approvals: the approval card's buttons, the pending list and deputies.

Steps, approval card: approval.refresh (Teams asks per viewer) -> show_approval -> the card for
that viewer; approval.decide -> decide (one guarded transaction) -> the outcome card it returns, or
the card with an "approve anyway" button when the subject needs a confirmation.
Steps, pending list: "goedkeuringen"/"approvals" or the menu -> list_decidable -> the list with
checkboxes -> approval.bulk -> bulk_approve (every chosen approval through decide) -> the refreshed
list with a summary; approval.show -> one approval's card in the list's place -> decide -> the
list again with the outcome on top (approval.pending: the list, also its refresh for the viewer).
Steps, deputies: "vervanger"/"deputy" -> deputies -> current deputies and a form ->
approval.deputy_add / approval.deputy_remove -> the refreshed deputies card.
What others are told (rendered here, sent after the commit): the approval card to the approver and
their deputies (its activity id kept), the decision to the requester, the approver's card updated
in place, reminders and escalations.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from bot.domain.approvals import (
    EQUIPMENT_REQUEST,
    HOMEWORK_DAY,
    ApprovalCardOutdated,
    ApprovalCardSent,
    ApprovalDecided,
    ApprovalEscalated,
    ApprovalView,
    NeedsConfirmation,
    ReasonRequired,
    SubjectSummary,
)
from bot.domain.errors import InvalidInput
from bot.domain.notifications import CardUpdate, Message
from bot.domain.staff import Role
from bot.i18n import Translator
from bot.registry import Registry, SubjectWording
from bot.services import approval_deputies as deputy_service
from bot.services import approvals as service
from bot.turn import Turn
from dialogs.cards.approvals import (
    AddDeputy,
    BulkApprove,
    DecideApproval,
    DeputiesView,
    DeputyCandidate,
    DeputyLine,
    PendingLine,
    PendingListView,
    RefreshApproval,
    RemoveDeputy,
    ShowApproval,
    ShowPending,
    SubjectText,
    approval_card,
    decision_message,
    deputies_card,
    escalation_message,
    pending_list_card,
    status_label,
)
from dialogs.cards.equipment_approvals import equipment_request_text
from dialogs.cards.homework_approvals import homework_day_text

DECIDERS = (Role.MANAGER, Role.ADMIN)
PENDING_PHRASES = ("goedkeuringen", "goedkeuren", "approvals", "te beslissen")
DEPUTY_PHRASES = ("vervanger", "vervangers", "deputy", "deputies")

Wordings = Mapping[str, SubjectWording]


def subject_text(wordings: Wordings, summary: SubjectSummary, t: Translator) -> SubjectText:
    return wordings[summary.subject_type](summary, t)


def _card(turn: Turn, view: ApprovalView, **kwargs: Any) -> dict[str, Any]:
    return approval_card(turn.t, view, subject_text(turn.services.registry.approval_wordings, view.summary, turn.t), **kwargs)


# -- the approval card ---------------------------------------------------------------------------
async def show_refresh(turn: Turn, payload: RefreshApproval) -> dict:
    return _card(turn, await turn.run(service.show_approval, service.ShowApproval(turn.me, payload.approval_id)))


async def show_approval(turn: Turn, payload: ShowApproval) -> dict:
    view = await turn.run(service.show_approval, service.ShowApproval(turn.me, payload.approval_id))
    return _card(turn, view, from_list=payload.from_list)


async def decide(turn: Turn, payload: DecideApproval) -> dict:
    command = service.DecideApproval(
        turn.me, payload.approval_id, payload.decision, comment=payload.remark, confirmed=payload.confirm,
        shown_activity_id=turn.context.activity.reply_to_id,
    )
    try:
        decision = await turn.run(service.decide, command)
    except NeedsConfirmation as warning:
        assert warning.card is not None, "decide attaches the card to show"
        return _card(turn, warning.card, confirm_warning=turn.t(warning.key, **warning.params), from_list=payload.from_list)
    except ReasonRequired as missing:
        assert missing.card is not None, "decide attaches the card to show"
        return _card(turn, missing.card, problem=turn.t(missing.key), from_list=payload.from_list)
    if payload.from_list:  # opened from the pending list in its place: back to the list, without this one
        subject = subject_text(turn.services.registry.approval_wordings, decision.card.summary, turn.t)
        outcome = turn.t("approvals.decided_notice", title=subject.title, status=status_label(turn.t, decision.approval.status))
        return await pending_list(turn, summary=outcome)
    # Decided now or before (second click, stale card): either way the card shows the current state.
    return _card(turn, decision.card)


# -- the pending list and bulk approve -------------------------------------------------------------
async def pending_list(turn: Turn, _text: str = "", summary: str | None = None, problem: str | None = None) -> dict:
    items = await turn.run(service.list_decidable, service.PendingApprovals(turn.me))
    wordings = turn.services.registry.approval_wordings
    lines = [PendingLine(i.approval_id, subject_text(wordings, i.summary, turn.t), i.requester_name, i.requested_at) for i in items]
    viewer = getattr(turn.context.activity.from_property, "id", None)
    view = PendingListView(items=lines, summary=summary, problem=problem, refresh_user_ids=(viewer,) if viewer else ())
    return pending_list_card(turn.t, view)


async def show_pending(turn: Turn, _payload: ShowPending) -> dict:
    return await pending_list(turn)


async def bulk(turn: Turn, payload: BulkApprove) -> dict:
    if not payload.approval_ids:
        return await pending_list(turn, problem=turn.t("approvals.bulk_nothing_chosen"))
    result = await turn.run(service.bulk_approve, service.BulkApprove(turn.me, tuple(payload.approval_ids), attempt=BulkApprove.verb))
    summary = turn.t("approvals.bulk_done", approved=len(result.approved))
    if result.skipped:
        reasons = sorted({turn.t(reason.value) for _, reason in result.skipped})
        summary += " " + turn.t("approvals.bulk_skipped", count=len(result.skipped), reasons="; ".join(reasons))
    return await pending_list(turn, summary=summary)


# -- deputies ------------------------------------------------------------------------------------------
async def _deputies(turn: Turn, message: str | None = None) -> dict:
    found = await turn.run(deputy_service.deputies, deputy_service.ShowDeputies(turn.me))
    view = DeputiesView(
        deputies=[DeputyLine(d.id, d.name, d.valid_from, d.valid_until, d.active) for d in found.current],
        candidates=[DeputyCandidate(c.id, c.display_name, c.email) for c in found.candidates],
        today=found.today, message=message,
    )
    return deputies_card(turn.t, view)


async def deputies(turn: Turn, _text: str = "") -> dict:
    return await _deputies(turn)


async def add_deputy(turn: Turn, payload: AddDeputy) -> dict:
    if payload.valid_from is None or payload.valid_until is None:
        raise InvalidInput("approvals.deputy_bad_date")
    command = deputy_service.SetDeputy(
        turn.me, payload.valid_from, payload.valid_until, deputy_id=payload.deputy_id, deputy_email=payload.deputy_email or None,
    )
    await turn.run(deputy_service.set_deputy, command)
    return await _deputies(turn, turn.t("approvals.deputy_saved"))


async def remove_deputy(turn: Turn, payload: RemoveDeputy) -> dict:
    await turn.run(deputy_service.remove_deputy, deputy_service.RemoveDeputy(turn.me, payload.deputy_row_id))
    return await _deputies(turn, turn.t("approvals.deputy_removed"))


# -- what others are told --------------------------------------------------------------------------
def render_card(wordings: Wordings, notice: ApprovalCardSent, t: Translator) -> Message:
    reminder = t("approvals.reminder_notice", name=notice.card.requester_name) if notice.reminder else None
    return Message(approval_card(t, notice.card, subject_text(wordings, notice.card.summary, t), reminder=reminder))


def render_outdated(wordings: Wordings, notice: ApprovalCardOutdated, t: Translator) -> CardUpdate:
    card = approval_card(t, notice.card, subject_text(wordings, notice.card.summary, t))
    return CardUpdate(notice.conversation_id, notice.activity_id, card)


def render_decided(wordings: Wordings, notice: ApprovalDecided, t: Translator) -> Message:
    return Message(decision_message(t, notice, subject_text(wordings, notice.summary, t)))


def render_escalated(wordings: Wordings, notice: ApprovalEscalated, t: Translator) -> Message:
    return Message(escalation_message(t, notice, subject_text(wordings, notice.summary, t)))


def register(registry: Registry) -> None:
    """Register this flow's commands, card verbs, subject wordings and notices."""
    router = registry.router
    # Viewing and deciding are checked per approval in the use cases (deputies need not be managers).
    router.action(RefreshApproval, show_refresh)
    router.action(ShowApproval, show_approval)
    router.action(DecideApproval, decide)
    router.action(BulkApprove, bulk)
    router.action(ShowPending, show_pending)
    router.command(PENDING_PHRASES, pending_list)
    router.opener("approvals", pending_list, roles=DECIDERS)
    router.command(DEPUTY_PHRASES, deputies, roles=DECIDERS)
    router.action(AddDeputy, add_deputy, roles=DECIDERS)
    router.action(RemoveDeputy, remove_deputy, roles=DECIDERS)
    registry.approval_wording(HOMEWORK_DAY, homework_day_text)
    registry.approval_wording(EQUIPMENT_REQUEST, equipment_request_text)
    wordings = registry.approval_wordings  # filled further by later registrations; read at render time
    registry.notice(ApprovalCardSent, partial(render_card, wordings), after_sent=service.keep_card)
    registry.notice(ApprovalCardOutdated, partial(render_outdated, wordings))
    registry.notice(ApprovalDecided, partial(render_decided, wordings))
    registry.notice(ApprovalEscalated, partial(render_escalated, wordings))
