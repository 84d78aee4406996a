"""Approval cards over HTTP: Universal Actions (refresh per viewer, decide), forged payloads, the
pending list with bulk approve and deputies, through the real app and the fake connector."""

from __future__ import annotations

from typing import Any

import pytest

from bot.routing import CARD_CONTENT_TYPE, MESSAGE_CONTENT_TYPE
from bot.services.approvals import request_approval
from tests.cards import assert_valid_card
from tests.conftest import BotHarness
from tests.fakes import people
from tests.fakes.approval_subject import SUBJECT_TYPE, FakeSubject, install_fake_subject
from tests.fakes.teams import TeamsUser


@pytest.fixture
def subject(harness: BotHarness) -> FakeSubject:
    return install_fake_subject(harness.services.registry)


async def request(harness: BotHarness, subject: FakeSubject, user: TeamsUser, what: str = "laptophouder", **flags: bool) -> int:
    async with harness.uow() as uow:
        requester = await uow.staff.get_by_aad(user.aad_object_id)
        assert requester is not None
        subject_id = subject.add(requester.id, what, **flags)
        approval_id = await request_approval(
            uow, subject_type=SUBJECT_TYPE, subject_id=subject_id, requester=requester, actor="test", now=harness.clock.now()
        )
        await uow.commit()
    await harness.delivered()  # the approval card reached the approver
    return approval_id


async def status_of(harness: BotHarness, approval_id: int) -> str:
    async with harness.uow() as uow:
        approval = await uow.approvals.get(approval_id)
    assert approval is not None
    return approval.status


async def stored_card_id(harness: BotHarness, approval_id: int) -> str:
    async with harness.uow() as uow:
        approval = await uow.approvals.get(approval_id)
    assert approval is not None and approval.card_activity_id
    return approval.card_activity_id


async def refusals(harness: BotHarness, approval_id: int) -> list[str]:
    async with harness.uow() as uow:
        return [r.actor for r in await uow.audit.list_by_action("approval.refused") if r.subject_id == str(approval_id)]


def card_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body["statusCode"] == 200
    assert body["type"] == CARD_CONTENT_TYPE, body
    card = body["value"]
    assert_valid_card(card)
    return card


def texts(card: dict[str, Any]) -> str:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body"))
    return "\n".join(found)


def buttons(card: dict[str, Any]) -> list[tuple[str, dict]]:
    """The card's own buttons (the Menu button every card carries left out); Reject opens a small
    form, its data is that of the button inside."""
    found = []
    for action in card.get("actions") or []:
        if (action.get("data") or {}).get("verb") == "menu.show":
            continue
        if action["type"] == "Action.ShowCard":
            action = {**action, "data": action["card"]["actions"][0]["data"]}
        found.append((action["title"], action.get("data") or {}))
    return found


@pytest.fixture
async def chats(harness: BotHarness) -> BotHarness:
    for user in (people.MANAGER, people.STAFF, people.COLLEAGUE, people.HR, people.ADMIN, people.OTHER_MANAGER, people.DIRECTOR):
        await harness.install(user)
    harness.connector.clear()
    return harness


async def test_the_manager_gets_a_card_and_decides_it_with_execute(chats: BotHarness, subject: FakeSubject) -> None:
    harness = chats
    approval_id = await request(harness, subject, people.STAFF)
    [sent] = harness.connector.cards(people.MANAGER.conversation_id)
    assert_valid_card(sent)
    assert sent["refresh"]["userIds"] == [people.MANAGER.user_id]

    refreshed = card_of(await harness.execute(people.MANAGER, "approval.refresh", {"approval_id": approval_id}, trigger="automatic"))
    assert [title for title, _ in buttons(refreshed)] == ["Goedkeuren", "Weigeren"]
    assert any(item.get("id") == "comment" for item in refreshed["body"])

    body = await harness.execute(
        people.MANAGER, "approval.decide", {"approval_id": approval_id, "decision": "reject", "comment": "Niet deze week"},
        reply_to_id=await stored_card_id(harness, approval_id),
    )
    outcome = card_of(body)
    assert buttons(outcome) == []
    assert "Geweigerd" in texts(outcome) and "Mia Manager" in texts(outcome) and "Niet deze week" in texts(outcome)
    assert outcome["refresh"]["action"]["verb"] == "approval.refresh"
    assert await status_of(harness, approval_id) == "rejected"
    [told] = harness.connector.texts(people.STAFF.conversation_id)
    assert "geweigerd door Mia Manager" in told and "Niet deze week" in told

    # A second click and a stale refresh change nothing and show the outcome.
    again = card_of(await harness.execute(people.MANAGER, "approval.decide", {"approval_id": approval_id, "decision": "approve"}))
    assert buttons(again) == [] and "Geweigerd" in texts(again)
    assert await status_of(harness, approval_id) == "rejected"
    assert len(harness.connector.texts(people.STAFF.conversation_id)) == 1
    assert buttons(card_of(await harness.execute(people.MANAGER, "approval.refresh", {"approval_id": approval_id}))) == []
    # The invoke response replaced the clicked card, so no separate update was sent for it.
    assert [s for s in harness.connector.sent if s.method == "PUT"] == []


async def test_the_requester_sees_the_status_and_strangers_are_refused(chats: BotHarness, subject: FakeSubject) -> None:
    harness = chats
    approval_id = await request(harness, subject, people.STAFF)
    status_card = card_of(await harness.execute(people.STAFF, "approval.refresh", {"approval_id": approval_id}))
    assert buttons(status_card) == [] and "Wacht op beslissing" in texts(status_card)

    refused = await harness.execute(people.OTHER_MANAGER, "approval.refresh", {"approval_id": approval_id})
    assert refused["statusCode"] == 200 and refused["type"] == MESSAGE_CONTENT_TYPE
    assert "niet bekijken of beslissen" in refused["value"]
    assert len(await refusals(harness, approval_id)) == 1


@pytest.mark.parametrize("forger", [people.OTHER_MANAGER, people.STAFF, people.COLLEAGUE])
async def test_a_forged_decision_is_refused_and_audited(chats: BotHarness, subject: FakeSubject, forger: TeamsUser) -> None:
    harness = chats
    approval_id = await request(harness, subject, people.STAFF)
    async with harness.uow() as uow:
        manager = await uow.staff.get_by_aad(people.MANAGER.aad_object_id)
    # The payload names the real approver; who acts is taken from the activity, never the payload.
    forged = {"approval_id": approval_id, "decision": "approve", "approver_id": manager.id, "decided_by": manager.id}
    body = await harness.execute(forger, "approval.decide", forged)
    assert body["type"] == MESSAGE_CONTENT_TYPE
    assert await status_of(harness, approval_id) == "pending"
    assert len(await refusals(harness, approval_id)) == 1
    assert harness.connector.texts(people.STAFF.conversation_id) == []


async def test_an_unknown_approval_id_is_a_stale_card(chats: BotHarness, subject: FakeSubject) -> None:
    body = await chats.execute(people.MANAGER, "approval.decide", {"approval_id": 99999, "decision": "approve"})
    assert body["type"] == MESSAGE_CONTENT_TYPE and "niet meer geldig" in body["value"]
    bad = await chats.execute(people.MANAGER, "approval.decide", {"approval_id": "x", "decision": "maybe"})
    assert bad["type"] == MESSAGE_CONTENT_TYPE and "niet meer geldig" in bad["value"]


async def test_approve_anyway_after_a_warning(chats: BotHarness, subject: FakeSubject) -> None:
    harness = chats
    approval_id = await request(harness, subject, people.STAFF, "bureaustoel", needs_confirmation=True)
    warned = card_of(await harness.execute(people.MANAGER, "approval.decide", {"approval_id": approval_id, "decision": "approve"}))
    assert "Boven budget" in texts(warned) and "bevestig" in texts(warned)
    approve = dict(buttons(warned))["Toch goedkeuren"]
    assert approve == {"approval_id": approval_id, "decision": "approve", "confirm": True, "from_list": False}
    assert await status_of(harness, approval_id) == "pending"
    done = card_of(await harness.execute(people.MANAGER, "approval.decide", approve))
    assert "Goedgekeurd" in texts(done)
    assert await status_of(harness, approval_id) == "approved"


async def test_pending_list_and_bulk_approve_update_the_old_cards(chats: BotHarness, subject: FakeSubject) -> None:
    harness = chats
    first = await request(harness, subject, people.STAFF, "muis")
    second = await request(harness, subject, people.COLLEAGUE, "headset")
    card_ids = [await stored_card_id(harness, first), await stored_card_id(harness, second)]
    harness.connector.clear()
    [reply] = await harness.say(people.MANAGER, "goedkeuringen")
    [listing] = reply.cards
    assert_valid_card(listing)
    choice = next(item for item in listing["body"] if item.get("id") == "approval_ids")
    assert choice["isMultiSelect"] is True
    assert [c["value"] for c in choice["choices"]] == [str(first), str(second)]

    body = await harness.execute(people.MANAGER, "approval.bulk", {"approval_ids": f"{first},{second}"})
    after = card_of(body)
    assert "2 aanvragen goedgekeurd" in texts(after)
    assert "Er wachten geen aanvragen" in texts(after)
    assert await status_of(harness, first) == "approved" and await status_of(harness, second) == "approved"
    assert len(harness.connector.texts(people.STAFF.conversation_id)) == 1
    [english] = harness.connector.texts(people.COLLEAGUE.conversation_id)
    assert english.startswith("Good news")
    updates = [s for s in harness.connector.to(people.MANAGER.conversation_id) if s.method == "PUT"]
    assert sorted(s.activity_id for s in updates) == sorted(card_ids)
    for update in updates:
        [card] = update.cards
        assert_valid_card(card)
        assert buttons(card) == []


async def test_a_forged_bulk_selection_decides_nothing_of_someone_else(chats: BotHarness, subject: FakeSubject) -> None:
    harness = chats
    foreign = await request(harness, subject, people.OTHER_MANAGER)  # falls back to an admin, not to Mia
    body = await harness.execute(people.MANAGER, "approval.bulk", {"approval_ids": f"{foreign}"})
    assert "1 niet goedgekeurd" in texts(card_of(body))
    assert await status_of(harness, foreign) == "pending"
    assert len(await refusals(harness, foreign)) == 1
    bad = await harness.execute(people.MANAGER, "approval.bulk", {"approval_ids": "1;drop table"})
    assert bad["type"] == MESSAGE_CONTENT_TYPE


async def test_the_menu_opens_the_pending_list_for_managers_only(chats: BotHarness, subject: FakeSubject) -> None:
    [reply] = await chats.submit(people.MANAGER, {"verb": "menu.open", "flow": "approvals"})
    assert reply.cards and reply.cards[0]["body"][0]["text"] == "Te beslissen aanvragen"
    [refused] = await chats.submit(people.STAFF, {"verb": "menu.open", "flow": "approvals"})
    assert refused.text == "Dat mag je niet doen met jouw rol."


async def test_a_deputy_named_by_the_manager_decides(chats: BotHarness, subject: FakeSubject) -> None:
    harness = chats
    [reply] = await harness.say(people.MANAGER, "vervanger")
    [form] = reply.cards
    assert_valid_card(form)
    assert any(item.get("id") == "deputy_id" for item in form["body"])
    saved = card_of(
        await harness.execute(
            people.MANAGER, "approval.deputy_add",
            {"deputy_email": "hr@vlaanderen.be", "valid_from": "2026-11-22", "valid_until": "2026-11-27"},
        )
    )
    assert "De vervanger is bewaard" in texts(saved) and "Hilde HR" in texts(saved)

    approval_id = await request(harness, subject, people.STAFF)
    [copy] = harness.connector.cards(people.HR.conversation_id)
    assert people.HR.user_id in copy["refresh"]["userIds"]
    [listing_reply] = await harness.say(people.HR, "goedkeuringen")
    assert "Aanvraag: laptophouder" in texts(listing_reply.cards[0])
    done = card_of(await harness.execute(people.HR, "approval.decide", {"approval_id": approval_id, "decision": "approve"}))
    assert "Goedgekeurd" in texts(done) and "Hilde HR" in texts(done)
    # The manager's own card is brought up to date.
    [update] = [s for s in harness.connector.to(people.MANAGER.conversation_id) if s.method == "PUT"]
    assert "Goedgekeurd" in texts(update.cards[0])


async def test_deputy_input_is_checked(chats: BotHarness, subject: FakeSubject) -> None:
    harness = chats
    body = await harness.execute(people.MANAGER, "approval.deputy_add", {"deputy_email": "otherstaff@vlaanderen.be", "valid_from": "2026-11-22", "valid_until": "2026-11-27"})
    assert body["type"] == MESSAGE_CONTENT_TYPE and "dezelfde entiteit" in body["value"]
    body = await harness.execute(people.MANAGER, "approval.deputy_add", {"deputy_email": "hr@vlaanderen.be", "valid_from": "morgen", "valid_until": "2026-11-27"})
    assert "geldige datums" in body["value"]
    refused = await harness.execute(people.STAFF, "approval.deputy_add", {"deputy_email": "hr@vlaanderen.be", "valid_from": "2026-11-22", "valid_until": "2026-11-27"})
    assert refused["value"] == "Dat mag je niet doen met jouw rol."
    async with harness.uow() as uow:
        manager = await uow.staff.get_by_aad(people.MANAGER.aad_object_id)
        assert await uow.approvals.list_deputies(manager.id) == []


async def test_someone_elses_deputy_cannot_be_removed(chats: BotHarness, subject: FakeSubject) -> None:
    harness = chats
    card_of(await harness.execute(people.MANAGER, "approval.deputy_add", {"deputy_email": "hr@vlaanderen.be", "valid_from": "2026-11-22", "valid_until": "2026-11-27"}))
    async with harness.uow() as uow:
        manager = await uow.staff.get_by_aad(people.MANAGER.aad_object_id)
        [deputy] = await uow.approvals.list_deputies(manager.id)
    body = await harness.execute(people.OTHER_MANAGER, "approval.deputy_remove", {"deputy_row_id": deputy.id})
    assert body["type"] == MESSAGE_CONTENT_TYPE
    removed = card_of(await harness.execute(people.MANAGER, "approval.deputy_remove", {"deputy_row_id": deputy.id}))
    assert "De vervanger is verwijderd" in texts(removed)


async def test_english_clients_get_english_cards(chats: BotHarness, subject: FakeSubject) -> None:
    harness = chats
    approval_id = await request(harness, subject, people.STAFF)
    async with harness.uow() as uow:
        admin = await uow.staff.get_by_aad(people.ADMIN.aad_object_id)
    assert admin is not None
    english_admin = TeamsUser(people.ADMIN.aad_object_id, people.ADMIN.name, locale="en-GB")
    card = card_of(await harness.execute(english_admin, "approval.refresh", {"approval_id": approval_id}))
    assert [title for title, _ in buttons(card)] == ["Approve", "Reject"]
