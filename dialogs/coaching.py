"""Individual coaching (leadership or resilience), confidential: never shown to the line manager.

Staff: "coaching" -> choose leadership or resilience, add an optional note -> request sent to HR
(HR is told) -> the card lists their own requests and status.
HR ("coaching.queue"): open requests -> one request -> assign a coach (the coach is told) ->
record the number of conversations -> close. A coach sees and follows up only their own requests.
"""

from __future__ import annotations

import logging

from bot.domain.coaching import CoachingKind, CoachingStatus
from bot.domain.errors import InvalidInput
from bot.domain.staff import Role
from bot.routing import Router
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
    )


async def _form(turn: Turn, notice: str | None = None) -> dict:
    mine = await service.my_requests(turn.uow(), turn.me)
    view = RequestFormView(mine=[OwnRequest(r.kind.value, r.status.value, r.requested_on) for r in mine[:10]], notice=notice)
    return request_form_card(turn.t, view)


async def open_request_form(turn: Turn, _text: str) -> dict:
    return await _form(turn)


async def request(turn: Turn, payload: RequestCoaching) -> dict | str:
    try:
        kind = CoachingKind(payload.kind)
    except ValueError:
        return turn.t("coaching.choose_kind")
    created = await service.request_coaching(turn.uow(), turn.me, kind, payload.note, turn.now())
    await _tell_hr(turn, created.id)
    return await _form(turn, turn.t("coaching.requested"))


async def _tell_hr(turn: Turn, request_id: int) -> None:
    async with turn.uow() as uow:
        managers = await uow.staff.list_by_role(Role.HR)
    for person in managers:
        if person.id == turn.me.id:
            continue
        await turn.services.proactive.notify(
            person.aad_object_id, lambda t: t("coaching.new_request_for_hr", number=request_id), person.language
        )


async def open_queue(turn: Turn, _text: str) -> dict:
    items = await service.queue(turn.uow(), turn.me)
    return queue_card(turn.t, [_line(i) for i in items], coach_view=not turn.me.has(Role.HR, Role.ADMIN))


async def _detail(turn: Turn, request_id: int, notice: str | None = None) -> dict:
    item, coaches = await service.get_request(turn.uow(), turn.me, request_id)
    me = turn.me
    can_follow_up = me.has(Role.HR, Role.ADMIN) or (me.has(Role.COACH) and item.request.coach_id == me.id)
    view = RequestDetailView(
        line=_line(item), note=item.request.note, coaches=[CoachOption(c.id, c.display_name) for c in coaches],
        can_follow_up=can_follow_up and item.request.status is not CoachingStatus.CLOSED, notice=notice,
    )
    return request_detail_card(turn.t, view)


async def open_request(turn: Turn, payload: OpenCoachingRequest) -> dict | str:
    return await _detail(turn, payload.request_id)


async def assign(turn: Turn, payload: AssignCoach) -> dict | str:
    if not payload.coach_id.isdigit():
        return turn.t("coaching.choose_coach")
    request, coach = await service.assign(turn.uow(), turn.me, payload.request_id, int(payload.coach_id), turn.now())
    await turn.services.proactive.notify(
        coach.aad_object_id, lambda t: t("coaching.assigned_to_you", number=request.id), coach.language
    )
    return await _detail(turn, request.id, turn.t("coaching.assigned", coach=coach.display_name))


async def record(turn: Turn, payload: RecordConversations) -> dict | str:
    try:
        count = int(payload.conversations.strip() or "x")
    except ValueError:
        raise InvalidInput("coaching.bad_conversations", max=50) from None
    request = await service.record_conversations(turn.uow(), turn.me, payload.request_id, count)
    return await _detail(turn, request.id, turn.t("coaching.conversations_saved", count=count))


async def close(turn: Turn, payload: CloseCoaching) -> dict | str:
    request = await service.close(turn.uow(), turn.me, payload.request_id, turn.now())
    return await _detail(turn, request.id, turn.t("coaching.closed"))


def register(router: Router) -> None:
    """Register this flow's commands and card verbs."""
    router.command(("coaching",), open_request_form)
    router.opener("coaching", open_request_form)
    router.action(RequestCoaching, request)
    router.command(("coachingsaanvragen", "coaching queue"), open_queue, roles=QUEUE_ROLES)
    router.opener("coaching.queue", open_queue, roles=QUEUE_ROLES)
    router.action(OpenCoachingRequest, open_request, roles=QUEUE_ROLES)
    router.action(AssignCoach, assign, roles=(Role.HR, Role.ADMIN))
    router.action(RecordConversations, record, roles=QUEUE_ROLES)
    router.action(CloseCoaching, close, roles=QUEUE_ROLES)
