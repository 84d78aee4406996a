"""No dead ends and no stray clicks, over HTTP in Dutch and English: closing a coaching programme
and delivering what was never ordered ask once more; a closed programme returns to the list; a
refusal on the delivery card sits at its buttons with the note kept; regular home work is
confirmed from the team card, and a manager outside the team is told so; the internet allowance
card of someone not yet regular says why, how far they are and how to register; equipment
refusals sit at Send; plurals and decimals follow the language."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.equipment import RequestStatus
from tests.conftest import BotHarness
from tests.fakes import people
from tests.http.test_card_buttons import DUTCH, ENGLISH, actions, as_client, card_of, content, data_of
from tests.http.test_equipment import load_catalogues, request_items


async def staff_id(harness: BotHarness, user: Any) -> int:
    async with harness.uow() as uow:
        return (await uow.staff.get_by_aad(user.aad_object_id)).id


# -- coaching ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("locale", "asked", "closed"),
    [(DUTCH, "Dit traject definitief afsluiten?", "Het traject is afgesloten."), (ENGLISH, "Close this programme for good?", "The programme is closed.")],
)
async def test_closing_a_coaching_programme_asks_first_and_returns_to_the_list(
    harness: BotHarness, locale: str, asked: str, closed: str,
) -> None:
    hr = as_client(people.HR, locale)
    await harness.execute(people.STAFF, "coaching.request", {"verb": "coaching.request", "kind": "resilience"})
    async with harness.uow() as uow:
        request_id = (await uow.coaching.list_for_staff(await staff_id(harness, people.STAFF)))[0].id
    await harness.execute(hr, "coaching.assign", {"request_id": request_id, "coach_id": str(await staff_id(harness, people.HR))})
    detail = card_of(await harness.execute(hr, "coaching.open", {"request_id": request_id}))
    assert actions(detail, "coaching.queue") and actions(detail, "menu.show")
    [close] = actions(detail, "coaching.close")
    assert close["associatedInputs"] == "none"  # the conversations field does not hold it back

    question = card_of(await harness.execute(hr, "coaching.close", data_of(close)))
    assert asked in content(question)
    async with harness.uow() as uow:
        assert (await uow.coaching.get(request_id)).status.value != "closed"
    [confirm] = [a for a in actions(question, "coaching.close") if a["data"].get("confirmed")]
    assert actions(question, "coaching.open")  # keep it open

    queue = card_of(await harness.execute(hr, "coaching.close", data_of(confirm)))
    assert closed in content(queue) and queue["body"][0]["text"] in ("Coachingsaanvragen", "Coaching requests")  # the list again
    async with harness.uow() as uow:
        assert (await uow.coaching.get(request_id)).status.value == "closed"
        assert [r.subject_id for r in await uow.audit.list_by_action("coaching.closed")] == [str(request_id)]


# -- equipment: delivered without ordering; a refusal at the buttons ------------------------------
@pytest.mark.parametrize(
    ("locale", "asked", "cancel_needs_note"),
    [
        (DUTCH, "Deze aanvraag werd nooit als besteld gemarkeerd", "Geef bij een annulering een opmerking"),
        (ENGLISH, "This request was never marked ordered", "Add a note for the requester"),
    ],
)
async def test_delivering_what_was_never_ordered_asks_first(harness: BotHarness, locale: str, asked: str, cancel_needs_note: str) -> None:
    await load_catalogues(harness)
    for user in (people.MANAGER, people.STAFF, people.COLLEAGUE):
        await harness.install(user)
    logistics = as_client(people.LOGISTICS, locale)
    await request_items(harness, people.STAFF, {"keyboard": 1})  # needs no approval in the demo catalogue
    async with harness.uow() as uow:
        [request] = await uow.equipment.list_for_staff(await staff_id(harness, people.STAFF))
    if request.status is RequestStatus.PENDING:
        approval_card = harness.connector.cards(people.MANAGER.conversation_id)[-1]
        [approve] = [a for a in actions(approval_card, "approval.decide") if a["data"]["decision"] == "approve"]
        await harness.execute(people.MANAGER, "approval.decide", data_of(approve))
    harness.connector.clear()

    detail = card_of(await harness.execute(logistics, "equipment.delivery", {"request_id": request.id}))
    [delivered] = [a for a in actions(detail, "equipment.fulfil") if a["data"]["step"] == "delivered"]
    question = card_of(await harness.execute(logistics, "equipment.fulfil", data_of(delivered) | {"equipment_note": "Via de post"}))
    assert asked in content(question)
    [note] = [n for n in question["body"] if n.get("id") == "equipment_note"]
    assert note["value"] == "Via de post"
    async with harness.uow() as uow:
        assert (await uow.equipment.get_request(request.id)).status is RequestStatus.APPROVED
    assert harness.connector.texts(people.STAFF.conversation_id) == []

    [confirm] = [a for a in actions(question, "equipment.fulfil") if a["data"].get("confirmed")]
    card_of(await harness.execute(logistics, "equipment.fulfil", data_of(confirm) | {"equipment_note": "Via de post"}))
    async with harness.uow() as uow:
        assert (await uow.equipment.get_request(request.id)).status is RequestStatus.DELIVERED
    assert len(harness.connector.texts(people.STAFF.conversation_id)) == 1

    # A cancellation without a note is refused on the card, beside its buttons.
    await request_items(harness, people.STAFF, {"headset": 1})
    async with harness.uow() as uow:
        other = next(r for r in await uow.equipment.list_for_staff(await staff_id(harness, people.STAFF)) if r.id != request.id)
    if other.status is RequestStatus.PENDING:
        approval_card = harness.connector.cards(people.MANAGER.conversation_id)[-1]
        [approve] = [a for a in actions(approval_card, "approval.decide") if a["data"]["decision"] == "approve"]
        await harness.execute(people.MANAGER, "approval.decide", data_of(approve))
    refused = card_of(await harness.execute(logistics, "equipment.fulfil", {"request_id": other.id, "step": "cancelled", "equipment_note": " "}))
    body = refused["body"]
    [where] = [i for i, n in enumerate(body) if cancel_needs_note in str(n.get("text", ""))]
    assert where == len(body) - 1  # last in the body: right above the buttons


# -- regular home work from the team card -----------------------------------------------------------
@pytest.mark.parametrize(
    ("locale", "button", "confirmed", "outside", "row_no", "row_yes"),
    [
        (DUTCH, "Regelmatig thuiswerk", "Bevestigd: Stan Staff", "Die medewerker hoort niet bij je team",
         "Bevestigd door de leidinggevende: Nee", "Bevestigd door de leidinggevende: Ja"),
        (ENGLISH, "Regular home work", "Confirmed: Stan Staff", "That staff member is not in your team",
         "Confirmed by the manager: No", "Confirmed by the manager: Yes"),
    ],
)
async def test_regular_home_work_is_confirmed_from_the_team_card(
    harness: BotHarness, locale: str, button: str, confirmed: str, outside: str, row_no: str, row_yes: str,
) -> None:
    manager, other = as_client(people.MANAGER, locale), as_client(people.OTHER_MANAGER, locale)
    [reply] = await harness.submit(manager, {"verb": "menu.open", "flow": "team"})
    [team] = reply.cards
    [open_list] = actions(team, "allowance.regular_team")
    assert open_list["title"] == button
    [reply] = await harness.submit(manager, {"verb": "allowance.regular_team"})
    listing = reply.cards[0]
    stan = await staff_id(harness, people.STAFF)
    [confirm] = [a for a in actions(listing, "allowance.confirm_regular") if a["data"]["staff_id"] == stan]
    assert row_no in content(listing)  # each row says what its yes or no is about
    after = card_of(await harness.execute(manager, "allowance.confirm_regular", data_of(confirm)))
    assert confirmed in content(after)
    assert row_yes in content(after)
    async with harness.uow() as uow:
        assert await uow.allowances.regular_confirmation(stan) is not None

    refused = await harness.execute(other, "allowance.confirm_regular", {"staff_id": stan, "confirmed": False})
    assert outside in refused["value"]
    async with harness.uow() as uow:
        assert await uow.allowances.regular_confirmation(stan) is not None
        assert any(r.subject_id == "allowance.confirm_regular" for r in await uow.audit.list_by_action("refused"))
    [typed] = await harness.say(other, "bevestig thuiswerk staff@vlaanderen.be")
    assert outside in typed.text


# -- the internet allowance of someone not yet regular ------------------------------------------------
@pytest.mark.parametrize(
    ("user", "progress", "register", "placeholder"),
    [
        (people.STAFF, "Je registreerde 0 thuiswerkdagen in de laatste 8 weken.", "Thuiswerkdagen registreren", "41,50"),
        (people.COLLEAGUE, "You registered 0 home days in the last 8 weeks.", "Register home days", "41.50"),
    ],
)
async def test_the_internet_allowance_card_says_why_and_what_to_do(
    harness: BotHarness, user: Any, progress: str, register: str, placeholder: str,
) -> None:
    [reply] = await harness.say(user, "internet")
    card = reply.cards[0]
    assert progress in content(card)
    [button] = [a for a in actions(card, "menu.open") if a["data"]["flow"] == "homework"]
    assert button["title"] == register
    [form] = await harness.submit(user, button["data"])
    assert form.cards  # the registration form, not a dead end
    # Once confirmed by the manager the form asks for the cost in the reader's number format.
    await harness.execute(people.MANAGER, "allowance.confirm_regular", {"staff_id": await staff_id(harness, user), "confirmed": True})
    [reply] = await harness.say(user, "internet")
    [cost] = [n for n in reply.cards[0]["body"] if n.get("id") == "monthly_cost"]
    assert cost["placeholder"] == placeholder


# -- equipment refusals at Send; plurals -------------------------------------------------------------
@pytest.mark.parametrize(
    ("user", "pointer", "intro"),
    [(people.STAFF, "onderaan deze kaart", "Je aanvraag is niet bewaard:"), (people.COLLEAGUE, "at the bottom of this card", "Your request was not saved:")],
)
async def test_equipment_refusals_are_shown_at_send(harness: BotHarness, user: Any, pointer: str, intro: str) -> None:
    await load_catalogues(harness)
    card = card_of(await request_items(harness, user, {"smartphone": 1}))
    body = card["body"]
    assert pointer in body[2]["text"]
    [problems] = [i for i, n in enumerate(body) if n.get("type") == "Container" and intro in content(n)]
    later = body[problems + 1:]
    assert all(not str(n.get("type", "")).startswith("Input.") and n.get("type") != "ColumnSet" for n in later)
    assert body[problems]["style"] == "attention"


@pytest.mark.parametrize(
    ("locale", "one", "two"),
    [(DUTCH, "1 aanvraag wacht op je beslissing", "2 aanvragen wachten op je beslissing"),
     (ENGLISH, "1 request is waiting for your decision", "2 requests are waiting for your decision")],
)
async def test_the_pending_list_counts_in_words(harness: BotHarness, locale: str, one: str, two: str) -> None:
    await load_catalogues(harness)
    manager = as_client(people.MANAGER, locale)
    await request_items(harness, people.STAFF, {"headset": 1})
    [reply] = await harness.say(manager, "approvals")
    assert one in content(reply.cards[0])
    await request_items(harness, people.COLLEAGUE, {"headset": 1})
    [reply] = await harness.say(manager, "approvals")
    assert two in content(reply.cards[0]) and "(s)" not in content(reply.cards[0])
