"""Equipment requests ("materiaal", "equipment"; "mijn materiaal"; logistics: "levering").

Steps for staff:
1. the form card lists the entity's catalogue with prices and what is not possible yet;
2. equipment.request: the service checks every rule before storing; refusals come back on the
   form with their reasons; otherwise the request is stored and the manager gets the approval card;
3. my equipment lists requests with their state; a pending one can be cancelled.
Steps for logistics (facility / ICT): the list of approved requests -> one request -> ordered,
delivered or cancelled with a note; the staff member is told after each step.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.domain.equipment import EquipmentRequest, NotEligible, RequestStatus
from bot.domain.staff import Role
from bot.registry import Registry
from bot.services import equipment as service
from bot.turn import Turn
from dialogs.cards.equipment import (
    QTY_PREFIX,
    CancelEquipmentRequest,
    DeliveriesView,
    DeliveryRow,
    DeliveryView,
    FormItem,
    FormView,
    FulfilEquipmentRequest,
    MyEquipmentView,
    RequestView,
    ShowDeliveries,
    ShowDelivery,
    ShowEquipmentForm,
    ShowMyEquipment,
    SubmitEquipmentRequest,
    deliveries_card,
    delivery_card,
    form_card,
    my_equipment_card,
    refusal_text,
    request_card,
)

log = logging.getLogger(__name__)

LOGISTICS_ROLES = (Role.LOGISTICS, Role.ADMIN)


async def _form(turn: Turn, **extra: Any) -> dict[str, Any]:
    async with turn.uow() as uow:
        offered = await service.offered_items(uow, turn.me, turn.today())
    items = [
        FormItem(
            item_id=o.item.id, name=o.item.names(turn.locale), category=o.category(turn.locale), unit_price=o.item.unit_price,
            max_quantity=o.item.max_quantity, needs_justification=o.item.needs_justification,
            needs_approval=o.item.needs_approval, hints=[refusal_text(turn.t, r) for r in o.refusals],
        )
        for o in offered
    ]
    return form_card(turn.t, FormView(items=items, **extra))


async def open_form(turn: Turn, _payload: Any = None) -> dict[str, Any]:
    return await _form(turn)


async def submit_request(turn: Turn, payload: SubmitEquipmentRequest) -> dict[str, Any] | str:
    quantities = service.parse_quantities(payload.quantity_inputs(), QTY_PREFIX)
    prices = {int(key): value for key, value in payload.prices.items() if key.isdigit() and len(key) <= 9}
    adjustment = (payload.equipment_adjustment or "").lower() == "true"
    command = service.SubmitRequest(
        quantities=quantities, prices_seen=prices, justification=payload.equipment_justification,
        delivery=payload.equipment_delivery or "home", reasonable_adjustment=adjustment,
    )
    kept = {
        "quantities": quantities, "justification": payload.equipment_justification,
        "delivery": payload.equipment_delivery if payload.equipment_delivery in ("home", "office") else "home",
        "adjustment": adjustment,
    }
    try:
        async with turn.uow() as uow:
            submitted = await service.submit_request(uow, turn.me, command, turn.now(), turn.today())
            await uow.commit()
    except NotEligible as refused:
        log.info("equipment request of staff %s refused: %s", turn.me.id, [r.key for r in refused.refusals])
        return await _form(turn, problems=[refusal_text(turn.t, r) for r in refused.refusals], **kept)
    except service.PriceChanged as changed:
        return await _form(turn, notice=turn.t(changed.key, item=changed.item(turn.locale)), **kept)
    if submitted.approval_id is not None:
        notice = turn.t("equipment.sent_to_manager")
    else:
        notice = turn.t("equipment.approved_at_once")
    return request_card(turn.t, RequestView(submitted.request, notice=notice, can_cancel=True))


async def show_mine(turn: Turn, _payload: Any = None, *, notice: str | None = None) -> dict[str, Any]:
    async with turn.uow() as uow:
        requests = await service.my_requests(uow, turn.me)
    return my_equipment_card(turn.t, MyEquipmentView(requests, notice=notice))


async def cancel(turn: Turn, payload: CancelEquipmentRequest) -> dict[str, Any]:
    async with turn.uow() as uow:
        request = await service.cancel_request(uow, turn.me, payload.request_id, turn.now())
        await uow.commit()
    return await show_mine(turn, notice=turn.t("equipment.cancelled_notice", id=request.id))


async def _rows(turn: Turn, requests: list[EquipmentRequest]) -> list[DeliveryRow]:
    async with turn.uow() as uow:
        people = {s.id: s for s in await uow.staff.list_by_ids(sorted({r.staff_id for r in requests}))}
        entities = {e.id: e.code for e in await uow.entities.list_all()}
    return [
        DeliveryRow(r, people[r.staff_id].display_name if r.staff_id in people else "?", entities.get(r.entity_id, "?"))
        for r in requests
    ]


async def show_deliveries(turn: Turn, _payload: Any = None, *, notice: str | None = None) -> dict[str, Any]:
    async with turn.uow() as uow:
        requests = await service.to_fulfil(uow, turn.me)
    return deliveries_card(turn.t, DeliveriesView(await _rows(turn, requests), notice=notice))


async def show_delivery(turn: Turn, payload: ShowDelivery) -> dict[str, Any]:
    async with turn.uow() as uow:
        request = await service.request_for_logistics(uow, turn.me, payload.request_id)
    return delivery_card(turn.t, DeliveryView((await _rows(turn, [request]))[0]))


async def fulfil(turn: Turn, payload: FulfilEquipmentRequest) -> dict[str, Any]:
    async with turn.uow() as uow:
        request = await service.fulfil(uow, turn.me, payload.request_id, payload.step, payload.equipment_note, turn.now(), turn.today())
        await uow.commit()
    await service.notify_requester(turn.services, request)
    notice = turn.t(f"equipment.marked_{request.status.value}")
    if request.status in (RequestStatus.DELIVERED, RequestStatus.CANCELLED):
        return await show_deliveries(turn, notice=notice)
    return delivery_card(turn.t, DeliveryView((await _rows(turn, [request]))[0], notice=notice))


def register(registry: Registry) -> None:
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
    router.opener("equipment", form_command)
    router.opener("equipment.mine", mine_command)
    router.opener("logistics", deliveries_command, roles=LOGISTICS_ROLES)
    router.action(ShowEquipmentForm, open_form)
    router.action(SubmitEquipmentRequest, submit_request)
    router.action(ShowMyEquipment, show_mine)
    router.action(CancelEquipmentRequest, cancel)
    router.action(ShowDeliveries, show_deliveries, roles=LOGISTICS_ROLES)
    router.action(ShowDelivery, show_delivery, roles=LOGISTICS_ROLES)
    router.action(FulfilEquipmentRequest, fulfil, roles=LOGISTICS_ROLES)
