"""Individual coaching (leadership or resilience), confidential: never shown to the line manager.

Staff: "coaching" -> choose leadership or resilience, add an optional note -> request sent to HR
(HR is told) -> the card lists their own requests and status.
HR ("coaching.queue"): open requests -> one request -> assign a coach (the coach is told) ->
record the number of conversations -> close (asked once more: closing is final) -> the queue again.
A coach sees and follows up only their own requests.
"""

from __future__ import annotations

import logging

from bot.domain import coaching as rules
from bot.domain.coaching import CoachAssigned, CoachingKind, CoachingRequested
from bot.domain.errors import InvalidInput
from bot.domain.notifications import Message
from bot.domain.staff import HR_ROLES, Role
from bot.i18n import Translator
from bot.registry import Registry
from bot.services import coaching as service
from bot.turn import Turn
from dialogs.cards.coaching import (
    AssignCoach,
    CloseCoaching,
    CoachOption,
    OpenCoachingRequest,
    OwnRequest,
    QueueLine,
    RecordConversations,
    RequestCoaching,
    RequestDetailView,
    RequestFormView,
    ShowCoachingQueue,
    queue_card,
    request_detail_card,
    request_form_card,
)

log = logging.getLogger(__name__)

QUEUE_ROLES = (Role.HR, Role.ADMIN, Role.COACH)


def _line(item: service.QueueItem) -> QueueLine:
    request = item.request
    return QueueLine(
        request_id=request.id, requester=item.requester.display_name, entity_code=item.requester.entity_code,
        kind=request.kind.value, status=request.status.value, requested_on=request.requested_on,
        coach=item.coach.display_name if item.coach else None, conversations=request.conversations,
        coach_id=item.coach.id if item.coach else None,
    )


async def _form(turn: Turn, notice: str | None = None) -> dict:
    mine = await turn.run(service.my_requests, service.MyCoachingRequests(turn.me))
    view = RequestFormView(mine=[OwnRequest(r.kind.value, r.status.value, r.requested_on) for r in mine[:10]], notice=notice)
    return request_form_card(turn.t, view)


async def open_request_form(turn: Turn, _text: str) -> dict:
    return await _form(turn)


async def request(turn: Turn, payload: RequestCoaching) -> dict | str:
    try:
        kind = CoachingKind(payload.kind)
    except ValueError:
        return turn.t("coaching.choose_kind")
    await turn.run(service.request_coaching, service.RequestCoaching(turn.me, kind, payload.note))
    return await _form(turn, turn.t("coaching.requested"))


async def open_queue(turn: Turn, _text: str = "", notice: str | None = None) -> dict:
    items = await turn.run(service.queue, service.CoachingQueue(turn.me))
    return queue_card(turn.t, [_line(i) for i in items], coach_view=not rules.is_case_manager(turn.me), notice=notice)


async def show_queue(turn: Turn, _payload: ShowCoachingQueue) -> dict:
    return await open_queue(turn)


async def _detail(turn: Turn, request_id: int, notice: str | None = None, *, confirm_close: bool = False) -> dict:
    detail = await turn.run(service.show_request, service.ShowCoachingRequest(turn.me, request_id))
    view = RequestDetailView(
        line=_line(detail.item), note=detail.item.request.note,
        coaches=[CoachOption(c.id, c.display_name) for c in detail.coaches], can_follow_up=detail.can_follow_up,
        notice=notice, confirm_close=confirm_close,
    )
    return request_detail_card(turn.t, view)


async def open_request(turn: Turn, payload: OpenCoachingRequest) -> dict | str:
    return await _detail(turn, payload.request_id)


async def assign(turn: Turn, payload: AssignCoach) -> dict | str:
    if payload.coach_id is None:
        return turn.t("coaching.choose_coach")
    request, coach = await turn.run(service.assign, service.AssignCoach(turn.me, payload.request_id, payload.coach_id))
    return await _detail(turn, request.id, turn.t("coaching.assigned", coach=coach.display_name))


async def record(turn: Turn, payload: RecordConversations) -> dict | str:
    if payload.conversations is None:
        raise InvalidInput("coaching.bad_conversations", max=rules.MAX_CONVERSATIONS)
    request = await turn.run(
        service.record_conversations, service.RecordConversations(turn.me, payload.request_id, payload.conversations)
    )
    return await _detail(turn, request.id, turn.t("coaching.conversations_saved", count=payload.conversations))


async def close(turn: Turn, payload: CloseCoaching) -> dict | str:
    if not payload.confirmed:  # the first click only asks (the card shows what closing means)
        return await _detail(turn, payload.request_id, confirm_close=True)
    await turn.run(service.close, service.CloseCoachingRequest(turn.me, payload.request_id))
    return await open_queue(turn, notice=turn.t("coaching.closed"))


# -- what others are told --------------------------------------------------------------------------
def render_requested(notice: CoachingRequested, t: Translator) -> Message:
    return Message(t("coaching.new_request_for_hr", number=notice.request_id))


def render_assigned(notice: CoachAssigned, t: Translator) -> Message:
    return Message(t("coaching.assigned_to_you", number=notice.request_id))


def register(registry: Registry) -> None:
    """Register this flow's commands, card verbs and notices."""
    router = registry.router
    router.command(("coaching",), open_request_form)
    router.opener("coaching", open_request_form)
    router.action(RequestCoaching, request)
    router.command(("coachingsaanvragen", "coaching queue"), open_queue, roles=QUEUE_ROLES)
    router.opener("coaching.queue", open_queue, roles=QUEUE_ROLES)
    router.action(OpenCoachingRequest, open_request, roles=QUEUE_ROLES)
    router.action(AssignCoach, assign, roles=HR_ROLES)
    router.action(RecordConversations, record, roles=QUEUE_ROLES)
    router.action(CloseCoaching, close, roles=QUEUE_ROLES)
    router.action(ShowCoachingQueue, show_queue, roles=QUEUE_ROLES)
    registry.notice(CoachingRequested, render_requested)
    registry.notice(CoachAssigned, render_assigned)
