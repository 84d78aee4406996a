"""Equipment requests ("materiaal", "equipment"; "mijn materiaal"; logistics: "levering").

Steps for staff:
1. the form card lists the entity's catalogue with prices and what is not possible yet;
2. equipment.request: the use case checks every rule before storing; refusals come back on the
   form with their reasons; otherwise the request is stored and the manager gets the approval card;
3. my equipment lists requests with their state; a pending one can be cancelled. The request card
   and the list refresh for the requester (equipment.request.show, equipment.mine), so a decision
   made since shows on every copy.
Steps for logistics (facility / ICT): the list of approved requests -> one request -> ordered,
delivered or cancelled with a note; the staff member is told after each step (FulfilmentRecorded,
rendered here). Marking delivered what was never ordered asks for a second click on the card;
a refused step (a cancellation without a note) is told beside the buttons, the note kept.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from bot.domain.equipment import ConfirmDeliveryWithoutOrder, FulfilmentRecorded, NotEligible
from bot.domain.errors import Conflict, InvalidInput
from bot.domain.notifications import Message
from bot.domain.staff import Role
from bot.i18n import Translator
from bot.registry import Registry
from bot.services import equipment as service
from bot.turn import Turn
from dialogs.cards.equipment import (
    FORM_FLOW,
    LOGISTICS_FLOW,
    MINE_FLOW,
    CancelEquipmentRequest,
    DeliveriesView,
    DeliveryRow,
    DeliveryView,
    FormItem,
    FormView,
    FulfilEquipmentRequest,
    MyEquipmentView,
    MyRequestRow,
    RequestView,
    ShowDeliveries,
    ShowDelivery,
    ShowEquipmentForm,
    ShowEquipmentRequest,
    ShowMyEquipment,
    SubmitEquipmentRequest,
    deliveries_card,
    delivery_card,
    form_card,
    items_line,
    my_equipment_card,
    refusal_text,
    request_card,
)

log = logging.getLogger(__name__)

LOGISTICS_ROLES = (Role.LOGISTICS, Role.ADMIN)
EMPTY_FORM = FormView(items=())


async def _form(turn: Turn, filled: FormView = EMPTY_FORM) -> dict[str, Any]:
    """The form with the catalogue; `filled` keeps what the staff member sent last time."""
    command = service.EquipmentForm(turn.me, reasonable_adjustment=filled.adjustment)
    offered = await turn.run(service.offered_items, command)
    items = [
        FormItem(
            item_id=o.item.id, name=o.item.names(turn.locale), category=o.category(turn.locale), unit_price=o.item.unit_price,
            max_quantity=o.max_quantity, needs_justification=o.item.needs_justification,
            needs_approval=o.item.needs_approval, hints=[refusal_text(turn.t, r) for r in o.refusals],
        )
        for o in offered
    ]
    return form_card(turn.t, replace(filled, items=items))


async def open_form(turn: Turn, _payload: Any = None) -> dict[str, Any]:
    return await _form(turn)


async def submit_request(turn: Turn, payload: SubmitEquipmentRequest) -> dict[str, Any] | str:
    command = service.SubmitRequest(
        actor=turn.me, quantities=payload.quantities, prices_seen=payload.prices, justification=payload.equipment_justification,
        delivery=payload.equipment_delivery, reasonable_adjustment=payload.equipment_adjustment,
        unreadable_quantities=payload.unreadable_quantities,
    )
    filled = FormView(
        items=(), quantities=dict(payload.quantities), justification=payload.equipment_justification,
        delivery=payload.equipment_delivery, adjustment=payload.equipment_adjustment,
    )
    try:
        submitted = await turn.run(service.submit_request, command)
    except NotEligible as refused:
        log.info("equipment request of staff %s refused: %s", turn.me.id, [r.key for r in refused.refusals])
        return await _form(turn, replace(filled, problems=[refusal_text(turn.t, r) for r in refused.refusals]))
    except service.PriceChanged as changed:
        return await _form(turn, replace(filled, notice=turn.t(changed.key, item=changed.item(turn.locale))))
    if submitted.approval_id is not None:
        notice = turn.t("equipment.sent_to_manager")
    else:
        notice = turn.t("equipment.approved_at_once")
    view = RequestView(submitted.request, can_cancel=submitted.can_cancel, notice=notice, refresh_user_ids=_viewer(turn))
    return request_card(turn.t, view)


def _viewer(turn: Turn) -> tuple[str, ...]:
    """The Teams user id of whoever clicked: their own cards refresh for them."""
    user_id = getattr(turn.context.activity.from_property, "id", None)
    return (user_id,) if user_id else ()


async def show_request(turn: Turn, payload: ShowEquipmentRequest) -> dict[str, Any]:
    own = await turn.run(service.my_request, service.MyRequest(turn.me, payload.request_id))
    return request_card(turn.t, RequestView(own.request, can_cancel=own.can_cancel, refresh_user_ids=_viewer(turn)))


async def show_mine(turn: Turn, _payload: Any = None, *, notice: str | None = None) -> dict[str, Any]:
    mine = await turn.run(service.my_requests, service.MyRequests(turn.me))
    rows = [MyRequestRow(own.request, own.can_cancel) for own in mine]
    return my_equipment_card(turn.t, MyEquipmentView(rows, notice=notice, refresh_user_ids=_viewer(turn)))


async def cancel(turn: Turn, payload: CancelEquipmentRequest) -> dict[str, Any]:
    try:
        request = await turn.run(service.cancel_request, service.CancelRequest(turn.me, payload.request_id))
    except Conflict as stale:
        # Decided since this card was drawn (a copy the client did not refresh): the card shows the
        # request as it is now, with why it can no longer be withdrawn.
        own = await turn.run(service.my_request, service.MyRequest(turn.me, payload.request_id))
        problem = turn.t(stale.key, **stale.params)
        return request_card(turn.t, RequestView(own.request, can_cancel=own.can_cancel, problem=problem, refresh_user_ids=_viewer(turn)))
    return await show_mine(turn, notice=turn.t("equipment.cancelled_notice", id=request.id))


def _row(item: service.DeliveryItem) -> DeliveryRow:
    name = item.requester.display_name if item.requester else "?"
    return DeliveryRow(item.request, name, item.entity_code or "?", item.steps)


async def show_deliveries(turn: Turn, _payload: Any = None, *, notice: str | None = None) -> dict[str, Any]:
    items = await turn.run(service.delivery_queue, service.DeliveryQueue(turn.me))
    return deliveries_card(turn.t, DeliveriesView([_row(item) for item in items], notice=notice))


async def show_delivery(turn: Turn, payload: ShowDelivery) -> dict[str, Any]:
    item = await turn.run(service.delivery_request, service.ShowDeliveryRequest(turn.me, payload.request_id))
    return delivery_card(turn.t, DeliveryView(_row(item)))


async def fulfil(turn: Turn, payload: FulfilEquipmentRequest) -> dict[str, Any]:
    command = service.FulfilRequest(turn.me, payload.request_id, payload.step, payload.equipment_note, confirmed=payload.confirmed)
    try:
        item = await turn.run(service.fulfil, command)
    except (ConfirmDeliveryWithoutOrder, InvalidInput) as refused:
        # The question, or the refusal, on the card itself beside the buttons, the note kept.
        current = await turn.run(service.delivery_request, service.ShowDeliveryRequest(turn.me, payload.request_id))
        confirm = payload.step if isinstance(refused, ConfirmDeliveryWithoutOrder) else None
        view = DeliveryView(_row(current), note=payload.equipment_note, problem=turn.t(refused.key, **refused.params), confirm_step=confirm)
        return delivery_card(turn.t, view)
    notice = turn.t(f"equipment.marked_{item.request.status.value}")
    if not item.steps:  # delivered or cancelled: nothing more to do here, back to the list
        return await show_deliveries(turn, notice=notice)
    return delivery_card(turn.t, DeliveryView(_row(item), notice=notice))


# -- what the requester is told ---------------------------------------------------------------
def render_fulfilment(notice: FulfilmentRecorded, t: Translator) -> Message:
    message = t(f"equipment.notify_{notice.status.value}", items=items_line(t, notice.items), id=notice.request_id)
    if notice.note:
        message += "\n\n" + t("equipment.note_line", note=notice.note)
    return Message(message)


def register(registry: Registry) -> None:
    """Register this flow's commands, card verbs and notices."""
    router = registry.router

    async def form_command(turn: Turn, _text: str) -> dict[str, Any]:
        return await open_form(turn)

    async def mine_command(turn: Turn, _text: str) -> dict[str, Any]:
        return await show_mine(turn)

    async def deliveries_command(turn: Turn, _text: str) -> dict[str, Any]:
        return await show_deliveries(turn)

    router.command(("materiaal", "equipment", "thuiswerkmateriaal"), form_command)
    router.command(("mijn materiaal", "my equipment"), mine_command)
    router.command(("levering", "leveringen", "deliveries"), deliveries_command, roles=LOGISTICS_ROLES)
    router.opener(FORM_FLOW, form_command)
    router.opener(MINE_FLOW, mine_command)
    router.opener(LOGISTICS_FLOW, deliveries_command, roles=LOGISTICS_ROLES)
    router.action(ShowEquipmentForm, open_form)
    router.action(SubmitEquipmentRequest, submit_request)
    router.action(ShowMyEquipment, show_mine)
    router.action(CancelEquipmentRequest, cancel)
    router.action(ShowEquipmentRequest, show_request)
    router.action(ShowDeliveries, show_deliveries, roles=LOGISTICS_ROLES)
    router.action(ShowDelivery, show_delivery, roles=LOGISTICS_ROLES)
    router.action(FulfilEquipmentRequest, fulfil, roles=LOGISTICS_ROLES)
    registry.notice(FulfilmentRecorded, render_fulfilment)
