"""Cards that work in Teams, over HTTP in Dutch and English: buttons that read no input declare
associatedInputs "none" (Remove deputy, Lift), every card leads back to the menu, the requester's
own request card refreshes to the decision, the pending list comes back after deciding a request
opened from it, "approve ticked" with nothing ticked says so, and a rejection asks for its reason
(stored, and told to the requester)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.routing import CARD_CONTENT_TYPE
from tests.cards import assert_valid_card, walk
from tests.conftest import BotHarness
from tests.fakes import people
from tests.fakes.teams import TeamsUser
from tests.http.test_equipment import load_catalogues, request_items

DUTCH, ENGLISH = "nl-BE", "en-GB"


def as_client(user: TeamsUser, locale: str) -> TeamsUser:
    """The same person, with a Teams client in this language."""
    return TeamsUser(user.aad_object_id, user.name, locale=locale)


def card_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body["statusCode"] == 200 and body["type"] == CARD_CONTENT_TYPE, body
    assert_valid_card(body["value"])
    return body["value"]


def actions(card: dict[str, Any], verb: str) -> list[dict[str, Any]]:
    return [
        node for node in walk(card)
        if isinstance(node, dict) and node.get("type") in ("Action.Execute", "Action.Submit")
        and (node.get("verb") == verb or (node.get("data") or {}).get("verb") == verb)
    ]


def data_of(action: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in (action.get("data") or {}).items() if k != "verb"}


def content(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


@pytest.fixture
async def chats(harness: BotHarness) -> BotHarness:
    for user in (people.MANAGER, people.STAFF, people.COLLEAGUE, people.HR, people.LOGISTICS):
        await harness.install(user)
    harness.connector.clear()
    return harness


@pytest.mark.parametrize(("locale", "menu"), [(DUTCH, "Menu"), (ENGLISH, "Menu")])
async def test_remove_deputy_sends_no_inputs_and_works(chats: BotHarness, locale: str, menu: str) -> None:
    manager = as_client(people.MANAGER, locale)
    saved = card_of(await chats.execute(
        manager, "approval.deputy_add", {"deputy_email": "hr@vlaanderen.be", "valid_from": "2026-11-22", "valid_until": "2026-11-27"},
    ))
    [remove] = actions(saved, "approval.deputy_remove")
    assert remove["associatedInputs"] == "none"  # the form's required dates would otherwise block it
    [add] = actions(saved, "approval.deputy_add")
    assert "associatedInputs" not in add
    [back] = actions(saved, "menu.show")
    assert back["title"] == menu and back["associatedInputs"] == "none"

    after = card_of(await chats.execute(manager, "approval.deputy_remove", data_of(remove)))
    assert actions(after, "approval.deputy_remove") == []
    async with chats.uow() as uow:
        mia = await uow.staff.get_by_aad(people.MANAGER.aad_object_id)
        assert await uow.approvals.list_deputies(mia.id) == []
    [reply] = await chats.submit(manager, data_of(back) | {"verb": "menu.show"})
    assert reply.cards and reply.cards[0]["body"][0]["text"] in ("Wat wil je doen?", "What would you like to do?")


@pytest.mark.parametrize("locale", [DUTCH, ENGLISH])
async def test_lift_on_the_eligibility_card_sends_no_inputs(chats: BotHarness, locale: str) -> None:
    manager = as_client(people.MANAGER, locale)
    async with chats.uow() as uow:
        stan = await uow.staff.get_by_aad(people.STAFF.aad_object_id)
    preview = card_of(await chats.execute(
        manager, "team.eligibility.mark", {"staff_id": str(stan.id), "reason": "competence", "valid_from": "2026-11-23"},
    ))
    [confirm] = actions(preview, "team.eligibility.mark.confirm")
    assert confirm["associatedInputs"] == "none"
    marked = card_of(await chats.execute(manager, "team.eligibility.mark.confirm", data_of(confirm)))
    [lift] = actions(marked, "team.eligibility.lift")
    assert lift["associatedInputs"] == "none"
    [mark] = actions(marked, "team.eligibility.mark")
    assert "associatedInputs" not in mark
    assert any(node.get("isRequired") for node in walk(marked) if isinstance(node, dict))  # the form that blocked Lift
    lifted = card_of(await chats.execute(manager, "team.eligibility.lift", data_of(lift)))
    assert actions(lifted, "team.eligibility.lift") == []


@pytest.mark.parametrize(
    ("user", "pending", "approved", "too_late"),
    [
        (people.STAFF, "Wacht op je leidinggevende", "Goedgekeurd, nog te bestellen", "Deze aanvraag kan je niet meer intrekken"),
        (people.COLLEAGUE, "Waiting for your manager", "Approved, to be ordered", "You can no longer withdraw this request"),
    ],
)
async def test_the_requesters_own_card_refreshes_to_the_decision(
    chats: BotHarness, user: TeamsUser, pending: str, approved: str, too_late: str,
) -> None:
    await load_catalogues(chats)
    sent = card_of(await request_items(chats, user, {"headset": 1}))
    assert pending in content(sent) and actions(sent, "equipment.cancel")
    assert sent["refresh"]["userIds"] == [user.user_id]
    refresh = sent["refresh"]["action"]
    assert refresh["verb"] == "equipment.request.show"

    approval_card = chats.connector.cards(people.MANAGER.conversation_id)[-1]
    [approve] = [a for a in actions(approval_card, "approval.decide") if a["data"]["decision"] == "approve"]
    card_of(await chats.execute(people.MANAGER, "approval.decide", data_of(approve)))

    now = card_of(await chats.execute(user, refresh["verb"], refresh["data"], trigger="automatic"))
    assert approved in content(now) and pending not in content(now)
    assert actions(now, "equipment.cancel") == []
    assert now["refresh"]["userIds"] == [user.user_id]
    # A copy the client never refreshed: its Withdraw, clicked after the decision, redraws that copy
    # as the request is now, and says why (not only a passing message over the old state).
    [withdraw] = actions(sent, "equipment.cancel")
    stale = card_of(await chats.execute(user, withdraw["verb"], data_of(withdraw)))
    assert too_late in content(stale) and approved in content(stale) and pending not in content(stale)
    assert actions(stale, "equipment.cancel") == [] and stale["refresh"]["userIds"] == [user.user_id]
    # Somebody else's request card shows them nothing.
    other = people.COLLEAGUE if user is people.STAFF else people.STAFF
    refused = await chats.execute(other, refresh["verb"], refresh["data"])
    assert refused["type"] != CARD_CONTENT_TYPE


@pytest.mark.parametrize(
    ("locale", "phrase", "approved", "nothing"),
    [
        (DUTCH, "goedkeuringen", "Goedgekeurd", "Je hebt geen aanvraag aangevinkt."),
        (ENGLISH, "approvals", "Approved", "You did not tick any request."),
    ],
)
async def test_the_pending_list_comes_back_after_a_decision_from_the_request(
    chats: BotHarness, locale: str, phrase: str, approved: str, nothing: str,
) -> None:
    await load_catalogues(chats)
    manager = as_client(people.MANAGER, locale)
    await request_items(chats, people.STAFF, {"headset": 1})
    await request_items(chats, people.COLLEAGUE, {"keyboard": 1})
    [reply] = await chats.say(manager, phrase)
    [listing] = reply.cards
    assert listing["refresh"]["userIds"] == [people.MANAGER.user_id] and listing["refresh"]["action"]["verb"] == "approval.pending"
    [choice] = [node for node in walk(listing) if isinstance(node, dict) and node.get("id") == "approval_ids"]
    assert choice["isRequired"] is True and choice["errorMessage"] == nothing

    first, second = actions(listing, "approval.show")
    assert first["type"] == "Action.Execute"
    opened = card_of(await chats.execute(manager, "approval.show", data_of(first)))
    assert actions(opened, "approval.pending")  # the way back to the list
    [approve] = [a for a in actions(opened, "approval.decide") if a["data"]["decision"] == "approve"]
    assert approve["data"]["from_list"] is True
    back = card_of(await chats.execute(manager, "approval.decide", data_of(approve)))
    assert approved in content(back)
    assert [data_of(a)["approval_id"] for a in actions(back, "approval.show")] == [data_of(second)["approval_id"]]
    async with chats.uow() as uow:
        decided = await uow.approvals.get(data_of(first)["approval_id"])
    assert decided.status == "approved"

    empty = card_of(await chats.execute(manager, "approval.bulk", {"approval_ids": ""}))
    assert nothing in content(empty)
    async with chats.uow() as uow:
        still = await uow.approvals.get(data_of(second)["approval_id"])
    assert still.status == "pending"


@pytest.mark.parametrize(
    ("manager_locale", "requester", "ask", "told"),
    [
        (DUTCH, people.STAFF, "Geef een reden voor de weigering", "Reden: Budget is op"),
        (ENGLISH, people.COLLEAGUE, "Give a reason for the rejection", "Reason: Budget is op"),
    ],
)
async def test_a_rejection_needs_a_reason_which_the_requester_reads(
    chats: BotHarness, manager_locale: str, requester: TeamsUser, ask: str, told: str,
) -> None:
    await load_catalogues(chats)
    manager = as_client(people.MANAGER, manager_locale)
    await request_items(chats, requester, {"headset": 1})
    approval_card = chats.connector.cards(people.MANAGER.conversation_id)[-1]
    [reject] = [a for a in actions(approval_card, "approval.decide") if a["data"]["decision"] == "reject"]
    [reason] = [node for node in walk(approval_card) if isinstance(node, dict) and node.get("id") == "reason"]
    assert reason["isRequired"] is True and reason["errorMessage"]
    chats.connector.clear()

    again = card_of(await chats.execute(manager, "approval.decide", data_of(reject) | {"reason": "  "}))
    assert ask in content(again) and actions(again, "approval.decide")
    approval_id = data_of(reject)["approval_id"]
    async with chats.uow() as uow:
        assert (await uow.approvals.get(approval_id)).status == "pending"
    assert chats.connector.texts(requester.conversation_id) == []

    card_of(await chats.execute(manager, "approval.decide", data_of(reject) | {"reason": "Budget is op"}))
    async with chats.uow() as uow:
        rejected = await uow.approvals.get(approval_id)
        audited = [r.after["comment"] for r in await uow.audit.list_by_action("approval.decided") if r.subject_id == str(approval_id)]
    assert rejected.status == "rejected" and rejected.comment == "Budget is op"
    assert audited == ["Budget is op"]
    [message] = chats.connector.texts(requester.conversation_id)
    assert told in message
