"""The service over HTTP: health, readiness, menu, unknown users, bad bodies, tenants, errors."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event, func, select

from bot.app import create_app
from storage.models.directory import ConversationReferenceRow
from tests.cards import assert_valid_card
from tests.conftest import BotHarness, make_settings
from tests.fakes import teams
from tests.fakes.people import COLLEAGUE, FOREIGN, HR, STAFF, UNKNOWN


async def test_health_and_ready(harness: BotHarness) -> None:
    assert (await harness.client.get("/healthz")).status == 200
    ready = await harness.client.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["status"] == "ready"


async def test_readyz_reports_unreachable_database(sqlite_url: str) -> None:
    settings = make_settings("postgresql+asyncpg://postgres@127.0.0.1:1/nothing")
    client = TestClient(TestServer(create_app(settings, extensions=[]), host="127.0.0.1"))
    await client.start_server()
    try:
        response = await client.get("/readyz")
        assert response.status == 503
    finally:
        await client.close()


async def test_menu_in_dutch_lists_staff_flows(harness: BotHarness) -> None:
    sent = await harness.say(STAFF, "menu")
    assert len(sent) == 1
    card = sent[0].cards[0]
    assert_valid_card(card)
    assert "Wat wil je doen?" in json.dumps(card, ensure_ascii=False)


async def test_menu_in_english_for_english_client(harness: BotHarness) -> None:
    sent = await harness.say(COLLEAGUE, "help")
    card = sent[0].cards[0]
    assert_valid_card(card)
    assert "What would you like to do?" in json.dumps(card)


async def test_unknown_user_gets_friendly_answer(harness: BotHarness) -> None:
    sent = await harness.say(UNKNOWN, "menu")
    assert sent[0].text.startswith("Ik vind je niet in de personeelslijst")


async def test_install_sends_welcome_and_stores_reference(harness: BotHarness) -> None:
    sent = await harness.install(HR)
    card = sent[0].cards[0]
    assert_valid_card(card)
    assert "Welkom" in json.dumps(card, ensure_ascii=False)
    async with harness.uow() as uow:
        ref = await uow.conversations.get(HR.aad_object_id)
    assert ref is not None and ref.conversation_id == HR.conversation_id and ref.service_url == harness.service_url


async def test_reference_written_once_for_repeated_messages(harness: BotHarness) -> None:
    await harness.say(STAFF, "menu")
    await harness.say(STAFF, "menu")
    async with harness.uow() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(ConversationReferenceRow))
    assert count == 1


async def test_card_actions_after_a_message_write_no_reference(harness: BotHarness) -> None:
    """A click costs no write for a reference this instance stored already; a changed one is saved."""
    writes: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:  # noqa: ANN001 - DBAPI types
        if statement.lstrip().upper().startswith("INSERT INTO CONVERSATION_REFERENCES"):
            writes.append(statement)

    engine = harness.services.uow_factory.session_factory.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        await harness.say(STAFF, "menu")
        await harness.execute(STAFF, "menu.show", {})
        await harness.submit(STAFF, {"verb": "menu.open", "flow": "homework"})
        assert len(writes) == 1
        moved = teams.TeamsUser(STAFF.aad_object_id, STAFF.name, locale="en-GB")
        await harness.execute(moved, "menu.show", {})
        assert len(writes) == 2
    finally:
        event.remove(engine, "before_cursor_execute", count)
    async with harness.uow() as uow:
        ref = await uow.conversations.get(STAFF.aad_object_id)
    assert ref is not None and ref.locale == "en-GB"


async def test_malformed_bodies_get_400(harness: BotHarness) -> None:
    for body in (b"not json", b"[]", b'{"type": 5}', b'{"no": "type"}', b"{\"type\": \"message\"}"):
        response = await harness.client.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
        assert response.status == 400, body


async def test_oversized_body_is_refused(harness: BotHarness) -> None:
    activity = teams.message(STAFF, harness.service_url, "x" * 400_000)
    response = await harness.post(activity)
    assert response.status == 400
    assert "larger than" in (await response.json())["error"]
    assert harness.connector.sent == []


async def test_foreign_tenant_refused(directory, database_url: str, connector) -> None:  # noqa: ANN001
    settings = make_settings(database_url, ALLOWED_TENANT_IDS=f"{teams.TENANT}, 11111111-1111-1111-1111-111111111111")
    client = TestClient(TestServer(create_app(settings, extensions=[]), host="127.0.0.1"))
    await client.start_server()
    try:
        refused = await client.post("/api/messages", json=teams.message(FOREIGN, connector.url, "menu"))
        assert refused.status == 403
        assert connector.sent == []
        allowed = await client.post("/api/messages", json=teams.message(STAFF, connector.url, "menu"))
        assert allowed.status in (200, 201)
        assert connector.cards(STAFF.conversation_id)
    finally:
        await client.close()


async def test_unknown_card_verb_is_refused_politely(harness: BotHarness) -> None:
    body = await harness.execute(STAFF, "nothing.here", {"x": 1})
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "niet meer geldig" in body["value"]


async def test_unknown_invoke_name_is_400_not_500(harness: BotHarness) -> None:
    activity = teams.execute(STAFF, harness.service_url, "x", {})
    activity["name"] = "composeExtension/unknown"
    response = await harness.post(activity)
    assert response.status == 400


async def test_exception_in_turn_gives_apology_with_reference_and_keeps_serving(harness: BotHarness, monkeypatch) -> None:  # noqa: ANN001
    from dialogs import menu

    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003
        raise RuntimeError("boom")

    monkeypatch.setattr(menu, "menu_card", broken)
    sent = await harness.say(STAFF, "menu")
    assert "Sorry, er ging iets mis" in sent[0].text
    assert "referentie" in sent[0].text
    monkeypatch.undo()
    sent = await harness.say(STAFF, "menu")
    assert sent[0].cards


async def test_forged_menu_payload_is_refused(harness: BotHarness) -> None:
    from dialogs.cards.menu import OpenFlow

    sent = await harness.submit(STAFF, OpenFlow(flow="does.not.exist").to_data())
    assert "niet meer geldig" in sent[0].text
    sent = await harness.submit(STAFF, {"verb": "menu.open"})  # missing field
    assert "niet meer geldig" in sent[0].text
