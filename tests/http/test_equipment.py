"""Equipment requests over HTTP: the form, refusals with their reasons, the manager's approval card,
fulfilment by logistics with notifications, my equipment, and forged card payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.cli.equipment_files import load_catalogue_file
from bot.services import equipment as service
from storage.models.directory import AuditRow
from storage.models.equipment import EquipmentRequestRow
from tests.cards import assert_valid_card, walk
from tests.conftest import BotHarness
from tests.fakes.people import COLLEAGUE, HR, LOGISTICS, MANAGER, OTHER_STAFF, STAFF

DEMO = Path(service.__file__).resolve().parent.parent / "demo"


async def load_catalogues(harness: BotHarness) -> None:
    now = harness.services.clock.now()
    await load_catalogue_file(harness.services.uow_factory, DEMO / "equipment_dwse.yaml", "DWSE", actor="test", now=now)
    await load_catalogue_file(harness.services.uow_factory, DEMO / "equipment_dv.yaml", "DV", actor="test", now=now)



def action(card: dict[str, Any], verb: str) -> dict[str, Any]:
    """The data of the card's action with this verb (Execute: verb field; Submit: data.verb)."""
    for node in walk(card):
        if isinstance(node, dict) and node.get("type") in ("Action.Execute", "Action.Submit"):
            data = node.get("data") or {}
            if node.get("verb") == verb or data.get("verb") == verb:
                return {k: v for k, v in data.items() if k != "verb"}
    raise AssertionError(f"no action {verb} on the card")


def text_of(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


async def item_id(harness: BotHarness, entity: str, code: str) -> int:
    async with harness.uow() as uow:
        entity_id = (await uow.entities.get_by_code(entity)).id
        return next(i.id for i in await uow.equipment.list_items(entity_id) if i.code == code)


async def form(harness: BotHarness, user) -> dict[str, Any]:  # noqa: ANN001
    sent = await harness.say(user, "materiaal" if user.locale.startswith("nl") else "equipment")
    card = sent[-1].cards[0]
    assert_valid_card(card)
    return card


async def request_items(harness: BotHarness, user, codes: dict[str, int], entity: str = "DWSE", **inputs: str) -> dict[str, Any]:  # noqa: ANN001
    card = await form(harness, user)
    data = action(card, "equipment.request")
    for code, quantity in codes.items():
        data[f"equipment_qty_{await item_id(harness, entity, code)}"] = str(quantity)
    data.setdefault("equipment_delivery", "home")
    data.update(inputs)
    return await harness.execute(user, "equipment.request", data)


async def request_count(harness: BotHarness) -> int:
    async with harness.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(EquipmentRequestRow)))


async def test_form_lists_the_catalogue_with_what_is_not_possible_yet(harness: BotHarness) -> None:
    await load_catalogues(harness)
    card = await form(harness, COLLEAGUE)
    content = text_of(card)
    assert "24-inch monitor" in content and "€389.00 each" in content
    assert "Ergonomic office chair (NBN-1335) is possible from 14 December 2026, 6 months after your start." in content
    assert "Smartphone is not provided for your role." in content
    dutch = text_of(await form(harness, STAFF))
    assert "Ergonomische bureaustoel (NBN-1335)" in dutch and "€\u00a0389,00 per stuk" in dutch
    other = text_of(await form(harness, OTHER_STAFF))
    assert "27 inch" in other and "Bureaustoel" not in other


async def test_refused_request_shows_the_reason_and_stores_nothing(harness: BotHarness) -> None:
    await load_catalogues(harness)
    body = await request_items(harness, COLLEAGUE, {"ergonomic_chair": 1, "smartphone": 1})
    card = body["value"]
    assert_valid_card(card)
    content = text_of(card)
    assert "Your request was not saved" in content
    assert "Ergonomic office chair (NBN-1335) is possible from 14 December 2026, 6 months after your start." in content
    assert "Smartphone needs a justification." in content
    assert await request_count(harness) == 0
    nothing = await request_items(harness, STAFF, {})
    assert nothing["value"] == "Kies minstens één item met een aantal groter dan 0."


async def test_full_lifecycle_with_approval_card_and_notifications(harness: BotHarness) -> None:
    await load_catalogues(harness)
    for user in (STAFF, MANAGER, LOGISTICS):
        await harness.install(user)
    body = await request_items(harness, STAFF, {"headset": 1, "keyboard": 1}, equipment_justification="Veel telefoongesprekken")
    confirmation = body["value"]
    assert_valid_card(confirmation)
    assert "verstuurd naar je leidinggevende" in text_of(confirmation) and "€\u00a0128,00" in text_of(confirmation)

    approval_card = harness.connector.cards(MANAGER.conversation_id)[-1]
    assert_valid_card(approval_card)
    content = text_of(approval_card)
    assert "Headset" in content and "Veel telefoongesprekken" in content and "€\u00a0128,00" in content
    assert "Budget Klein bureaumateriaal 2026" in content and "nog €\u00a064.000,00 vrij van €\u00a064.000,00" in content
    decide = action(approval_card, "approval.decide")
    decided = await harness.execute(MANAGER, "approval.decide", {**decide, "decision": "approve"})
    assert_valid_card(decided["value"])
    assert any("goedgekeurd" in text.lower() for text in harness.connector.texts(STAFF.conversation_id))

    deliveries = (await harness.say(LOGISTICS, "levering"))[-1].cards[0]
    assert_valid_card(deliveries)
    assert "Stan Staff" in text_of(deliveries)
    detail = (await harness.submit(LOGISTICS, {"verb": "equipment.delivery", **action(deliveries, "equipment.delivery")}))[-1].cards[0]
    assert_valid_card(detail)
    fulfil = action(detail, "equipment.fulfil")
    ordered = await harness.execute(LOGISTICS, "equipment.fulfil", {**fulfil, "step": "ordered", "equipment_note": "Bestelnummer 4711"})
    assert_valid_card(ordered["value"])
    assert "Gemarkeerd als besteld" in text_of(ordered["value"])
    told = harness.connector.texts(STAFF.conversation_id)[-1]
    assert "besteld: Toetsenbord, Headset" in told and "Bestelnummer 4711" in told
    delivered = await harness.execute(LOGISTICS, "equipment.fulfil", {**fulfil, "step": "delivered"})
    assert_valid_card(delivered["value"])
    assert "geen goedgekeurde aanvragen" in text_of(delivered["value"])
    assert "geleverd: Toetsenbord, Headset" in harness.connector.texts(STAFF.conversation_id)[-1]
    again = await harness.execute(LOGISTICS, "equipment.fulfil", {**fulfil, "step": "cancelled", "equipment_note": "x"})
    assert "kan niet meer" in again["value"]

    mine = (await harness.say(STAFF, "mijn materiaal"))[-1].cards[0]
    assert_valid_card(mine)
    assert "Geleverd" in text_of(mine) and "Toetsenbord, Headset" in text_of(mine)
    async with harness.uow() as uow:
        spend = await uow.equipment.spend_against_budget(None, 2026, 2026)
    assert next(s for s in spend if s.category_code == "small_office" and s.entity_code == "DWSE").spent == 128


async def test_staff_cancels_while_pending_and_manager_card_offers_nothing_more(harness: BotHarness) -> None:
    await load_catalogues(harness)
    await harness.install(MANAGER)
    await request_items(harness, STAFF, {"headset": 1})
    mine = (await harness.say(STAFF, "mijn materiaal"))[-1].cards[0]
    assert_valid_card(mine)
    cancel = action(mine, "equipment.cancel")
    cancelled = await harness.execute(STAFF, "equipment.cancel", cancel)
    assert_valid_card(cancelled["value"])
    assert "ingetrokken" in text_of(cancelled["value"]) and "Geannuleerd" in text_of(cancelled["value"])
    decide = action(harness.connector.cards(MANAGER.conversation_id)[-1], "approval.decide")
    late = await harness.execute(MANAGER, "approval.decide", {**decide, "decision": "approve"})
    assert "Goedgekeurd" not in text_of(late["value"])
    async with harness.uow() as uow:
        request = (await uow.equipment.list_for_staff((await uow.staff.get_by_aad(STAFF.aad_object_id)).id))[0]
    assert request.status.value == "cancelled"


async def test_forged_payloads_are_refused(harness: BotHarness) -> None:
    await load_catalogues(harness)
    # A price changed in the payload: nothing is stored, the form comes back with the real prices.
    card = await form(harness, STAFF)
    data = action(card, "equipment.request")
    chair = await item_id(harness, "DWSE", "ergonomic_chair")
    data["prices"][str(chair)] = "1.00"
    forged = await harness.execute(STAFF, "equipment.request", {**data, f"equipment_qty_{chair}": "1", "equipment_delivery": "home"})
    assert "De prijs van Ergonomische bureaustoel (NBN-1335) is intussen gewijzigd" in text_of(forged["value"])
    assert_valid_card(forged["value"])
    # An item of another entity's catalogue.
    monitor_dv = await item_id(harness, "DV", "monitor")
    data = action(await form(harness, STAFF), "equipment.request")
    other = await harness.execute(
        STAFF, "equipment.request", {**data, "prices": {str(monitor_dv): "259.00"}, f"equipment_qty_{monitor_dv}": "1"}
    )
    assert other["value"].startswith("Dit item staat niet in de catalogus")
    # Nonsense quantities.
    silly = await harness.execute(STAFF, "equipment.request", {**data, f"equipment_qty_{chair}": "-3"})
    assert silly["value"].startswith("Een aantal moet")
    assert await request_count(harness) == 0

    # Someone else's request.
    await request_items(harness, COLLEAGUE, {"headset": 1})
    async with harness.uow() as uow:
        colleague_request = (await uow.session.scalars(select(EquipmentRequestRow.id))).one()
    refused = await harness.execute(STAFF, "equipment.cancel", {"request_id": colleague_request})
    assert refused["value"] == "Dit is niet jouw aanvraag."
    # Staff without the logistics role, and logistics of another entity.
    not_logistics = await harness.execute(HR, "equipment.fulfil", {"request_id": colleague_request, "step": "ordered"})
    assert not_logistics["value"] == "Dat mag je niet doen met jouw rol."
    dv_request = await request_items(harness, OTHER_STAFF, {"headset": 1}, entity="DV")
    assert "verstuurd" in text_of(dv_request["value"])
    async with harness.uow() as uow:
        dv_id = max(await uow.session.scalars(select(EquipmentRequestRow.id)))
        await uow.equipment.update_request(dv_id, status="approved")
        await uow.commit()
    foreign = await harness.execute(LOGISTICS, "equipment.fulfil", {"request_id": dv_id, "step": "delivered"})
    assert foreign["value"] == "Deze aanvraag hoort bij een andere entiteit."
    peek = await harness.submit(LOGISTICS, {"verb": "equipment.delivery", "request_id": dv_id})
    assert peek[-1].text == "Deze aanvraag hoort bij een andere entiteit."
    async with harness.uow() as uow:
        refusals = list(await uow.session.scalars(select(AuditRow.subject_id).where(AuditRow.action == "refused")))
        dv_status = await uow.session.scalar(select(EquipmentRequestRow.status).where(EquipmentRequestRow.id == dv_id))
    assert {"equipment.cancel", "equipment.fulfil", "equipment.delivery"} <= set(refusals)
    assert dv_status == "approved"


async def test_reasonable_adjustment_goes_to_the_manager_beyond_the_limits(harness: BotHarness) -> None:
    await load_catalogues(harness)
    await harness.install(MANAGER)
    body = await request_items(
        harness, COLLEAGUE, {"ergonomic_chair": 1}, equipment_adjustment="true",
        equipment_justification="Back condition; occupational physician's advice",
    )
    assert "sent to your manager" in text_of(body["value"])
    approval_card = harness.connector.cards(MANAGER.conversation_id)[-1]
    assert_valid_card(approval_card)
    assert "Redelijke aanpassing" in text_of(approval_card)


async def test_logistics_menu_and_empty_states(harness: BotHarness) -> None:
    menu = (await harness.say(LOGISTICS, "menu"))[-1].cards[0]
    assert "Materiaal leveren" in text_of(menu)
    staff_menu = text_of((await harness.say(STAFF, "menu"))[-1].cards[0])
    assert "Materiaal leveren" not in staff_menu and "Thuiswerkmateriaal aanvragen" in staff_menu
    opened = (await harness.submit(LOGISTICS, {"verb": "menu.open", "flow": "logistics"}))[-1].cards[0]
    assert_valid_card(opened)
    assert "geen goedgekeurde aanvragen" in text_of(opened)
    empty = await form(harness, STAFF)
    assert "biedt nog geen thuiswerkmateriaal" in text_of(empty)
    mine = (await harness.say(COLLEAGUE, "my equipment"))[-1].cards[0]
    assert_valid_card(mine)
    assert "You have not requested any equipment yet." in text_of(mine)


FORGED_REQUESTS = {
    # case: (how the payload is forged, the reason audited, how the answer starts)
    "price changed": ("price", "equipment.price_changed", "De prijs van Headset is intussen gewijzigd"),
    "quantity 50": ("quantity:50", "equipment.bad_quantity", "Een aantal moet"),
    "quantity -5": ("quantity:-5", "equipment.bad_quantity", "Een aantal moet"),
    "item of another entity": ("other_entity", "equipment.item_unknown", "Dit item staat niet in de catalogus"),
    "manager-only item": ("manager_only", "equipment.refused.role", "Smartphone is niet voorzien voor jouw functie"),
    "nonexistent item": ("nonexistent", "equipment.item_unknown", "Dit item staat niet in de catalogus"),
}


@pytest.mark.parametrize("case", sorted(FORGED_REQUESTS))
async def test_forged_equipment_requests_are_refused_and_audited(harness: BotHarness, case: str) -> None:
    await load_catalogues(harness)
    forgery, reason, answer = FORGED_REQUESTS[case]
    data = action(await form(harness, STAFF), "equipment.request")
    headset = await item_id(harness, "DWSE", "headset")
    data.update({f"equipment_qty_{headset}": "1", "equipment_delivery": "home", "equipment_justification": "Veel bellen"})
    if forgery == "price":
        data["prices"][str(headset)] = "1.00"
    elif forgery.startswith("quantity:"):
        data[f"equipment_qty_{headset}"] = forgery.split(":")[1]
    else:
        item = {
            "other_entity": await item_id(harness, "DV", "monitor"),
            "manager_only": await item_id(harness, "DWSE", "smartphone"),
            "nonexistent": 999_999,
        }[forgery]
        data.pop(f"equipment_qty_{headset}")
        data["prices"][str(item)] = data["prices"].get(str(item), "259.00")
        data[f"equipment_qty_{item}"] = "1"
    body = await harness.execute(STAFF, "equipment.request", data)
    assert answer in text_of(body["value"]), body
    assert await request_count(harness) == 0
    async with harness.uow() as uow:
        staff_id = (await uow.staff.get_by_aad(STAFF.aad_object_id)).id
        audited = (await uow.session.execute(
            select(AuditRow.actor, AuditRow.subject_type, AuditRow.subject_id, AuditRow.after)
            .where(AuditRow.action == "equipment.request_refused")
        )).all()
    assert len(audited) == 1, case
    actor, subject_type, subject_id, attempt = audited[0]
    assert (actor, subject_type, subject_id) == (f"staff:{staff_id}", "staff", str(staff_id))
    assert reason in attempt["reasons"]
    if forgery == "price":
        assert attempt["prices_seen"][str(headset)] == "1.00"
    if forgery.startswith("quantity:"):
        assert attempt["unreadable_quantities"] == 1
