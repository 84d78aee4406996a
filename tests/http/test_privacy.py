"""'Mijn gegevens' over HTTP: the start card, the export as a file (consent card, link on decline),
what the manager sees, in Dutch and English; forged payloads refused."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from sqlalchemy import select

from bot.files import CONSENT_CARD_TYPE
from storage.models.approvals import ApprovalRow
from tests.cards import assert_valid_card
from tests.conftest import BotHarness
from tests.fakes import teams
from tests.fakes.people import COLLEAGUE, MANAGER, STAFF, UNKNOWN


def _consent(harness: BotHarness, conversation_id: str) -> dict:
    attachments = [a for s in harness.connector.to(conversation_id) for a in s.activity.get("attachments") or []]
    offers = [a for a in attachments if a["contentType"] == CONSENT_CARD_TYPE]
    assert offers, "no file consent card was sent"
    return offers[-1]


async def test_command_and_menu_open_the_start_card(harness: BotHarness) -> None:
    sent = await harness.say(STAFF, "mijn gegevens")
    card = sent[0].cards[0]
    assert_valid_card(card)
    *own, back = card["actions"]
    assert [a.get("verb") for a in own] == ["privacy.export", "privacy.export", "privacy.manager_view"]
    assert all(a["type"] == "Action.Execute" for a in own)
    assert back["data"] == {"verb": "menu.show"}
    menu = json.dumps((await harness.say(STAFF, "menu"))[0].cards[0], ensure_ascii=False)
    assert "Mijn gegevens" in menu
    opened = await harness.submit(STAFF, {"verb": "menu.open", "flow": "privacy"})
    assert opened[0].cards[0]["body"][0]["text"] == "Mijn gegevens"


async def test_download_my_data_as_json_through_a_link(harness: BotHarness) -> None:
    body = await harness.execute(STAFF, "privacy.export", {"format": "json"})
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert_valid_card(body["value"])
    assert "mijn-gegevens-20261122.json" in json.dumps(body["value"])
    offer = _consent(harness, STAFF.conversation_id)
    assert offer["name"] == "mijn-gegevens-20261122.json"
    decline = teams.execute(STAFF, harness.service_url, "unused", {})
    decline["name"] = "fileConsent/invoke"
    decline["value"] = {"type": "fileUpload", "action": "decline", "context": offer["content"]["declineContext"]}
    assert (await harness.post(decline)).status == 200
    link = re.search(r"https?://\S+/downloads/\S+", harness.connector.texts(STAFF.conversation_id)[-1])
    assert link is not None
    response = await harness.client.get(urlsplit(link.group(0)).path)
    assert response.status == 200
    data = json.loads(await response.read())
    assert data["staff"][0]["email"] == "staff@vlaanderen.be"
    assert data["conversation"]["conversation_id"] == STAFF.conversation_id
    async with harness.uow() as uow:
        assert [r.actor for r in await uow.audit.list_by_action("privacy.exported")] == [f"staff:{data['staff'][0]['id']}"]


async def test_download_as_excel_offers_an_xlsx(harness: BotHarness) -> None:
    await harness.execute(COLLEAGUE, "privacy.export", {"format": "xlsx"})
    offer = _consent(harness, COLLEAGUE.conversation_id)
    assert offer["name"].endswith(".xlsx")


async def test_what_my_manager_sees(harness: BotHarness) -> None:
    body = await harness.execute(STAFF, "privacy.manager_view", {})
    card = body["value"]
    assert_valid_card(card)
    texts = [element.get("text", "") for element in card["body"]]
    assert "Je leidinggevende is Mia Manager." in texts
    seen = [t for t in texts if t.startswith("✔")]
    hidden = [t for t in texts if t.startswith("✖")]
    assert any("teamoverzicht" in t for t in seen)
    assert not any("coaching" in t.lower() for t in seen)
    assert any("coaching" in t.lower() for t in hidden)


async def test_manager_view_in_english(harness: BotHarness) -> None:
    card = (await harness.execute(COLLEAGUE, "privacy.manager_view", {}))["value"]
    assert "Your manager is Mia Manager." in json.dumps(card)
    start = (await harness.say(COLLEAGUE, "my data"))[0].cards[0]
    assert start["body"][0]["text"] == "My data"


async def test_forged_format_and_unknown_user_are_refused(harness: BotHarness) -> None:
    body = await harness.execute(MANAGER, "privacy.export", {"format": "pdf"})
    assert "niet meer geldig" in body["value"]
    sent = await harness.say(UNKNOWN, "mijn gegevens")
    assert sent[0].text.startswith("Ik vind je niet")
    assert not [a for s in harness.connector.sent for a in s.activity.get("attachments") or [] if a["contentType"] == CONSENT_CARD_TYPE]


async def _exported_json(harness: BotHarness, user) -> str:  # noqa: ANN001
    await harness.execute(user, "privacy.export", {"format": "json"})
    offer = _consent(harness, user.conversation_id)
    decline = teams.execute(user, harness.service_url, "unused", {})
    decline["name"] = "fileConsent/invoke"
    decline["value"] = {"type": "fileUpload", "action": "decline", "context": offer["content"]["declineContext"]}
    assert (await harness.post(decline)).status == 200
    link = re.search(r"https?://\S+/downloads/\S+", harness.connector.texts(user.conversation_id)[-1])
    assert link is not None
    response = await harness.client.get(urlsplit(link.group(0)).path)
    assert response.status == 200
    return (await response.read()).decode()


async def test_a_requesters_export_holds_nothing_of_the_manager_who_decided(harness: BotHarness) -> None:
    from tests.http.test_equipment import action, load_catalogues, request_items

    await load_catalogues(harness)
    await harness.install(MANAGER)
    await request_items(harness, STAFF, {"headset": 1}, equipment_justification="Veel bellen")
    card = harness.connector.to(MANAGER.conversation_id)[-1]
    decide = action(card.cards[0], "approval.decide")
    await harness.execute(MANAGER, "approval.decide", {**decide, "decision": "approve"})
    async with harness.uow() as uow:
        manager = await uow.staff.get_by_aad(MANAGER.aad_object_id)
        card_activity_id, card_conversation_id = (await uow.session.execute(
            select(ApprovalRow.card_activity_id, ApprovalRow.card_conversation_id)
        )).one()
    assert card_activity_id and card_conversation_id == MANAGER.conversation_id  # the card sits in the manager's chat
    exported = await _exported_json(harness, STAFF)
    data = json.loads(exported)
    assert data["approvals"] and data["approvals"][0]["status"] == "approved"  # their own request's approval
    for identifier in (MANAGER.conversation_id, MANAGER.aad_object_id, MANAGER.user_id, "manager@vlaanderen.be", "Mia Manager",
                       f"staff:{manager.id}", card_activity_id):
        assert identifier not in exported, identifier
    assert {data["approvals"][0][key] for key in ("approver_id", "decided_by", "card_conversation_id", "card_activity_id")} == {None}
