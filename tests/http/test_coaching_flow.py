"""Coaching over HTTP: request, HR queue, assign, conversations, close; managers never see it."""

from __future__ import annotations

import json

from dialogs.cards.coaching import (
    AssignCoach,
    CloseCoaching,
    OpenCoachingRequest,
    RecordConversations,
    RequestCoaching,
)
from tests.cards import assert_valid_card, walk
from tests.conftest import BotHarness
from tests.fakes.people import ADMIN, HR, MANAGER, STAFF

NOT_ALLOWED = "Dat mag je niet doen met jouw rol."


async def request_id_of(harness: BotHarness, aad: str) -> int:
    async with harness.uow() as uow:
        person = await uow.staff.get_by_aad(aad)
        return (await uow.coaching.list_for_staff(person.id))[0].id


async def test_request_assign_record_close_and_manager_never_sees(harness: BotHarness) -> None:
    await harness.install(HR)
    form = (await harness.say(STAFF, "coaching"))[0].cards[0]
    assert_valid_card(form)
    assert "leidinggevende niet" in json.dumps(form, ensure_ascii=False)

    body = await harness.execute(STAFF, "coaching.request", RequestCoaching(kind="resilience", note="Moeilijke periode thuis").to_data())
    assert_valid_card(body["value"])
    assert "verstuurd" in json.dumps(body["value"], ensure_ascii=False)
    assert any("nieuwe coachingsaanvraag" in t for t in harness.connector.texts(HR.conversation_id))
    request_id = await request_id_of(harness, STAFF.aad_object_id)
    again = await harness.execute(STAFF, "coaching.request", RequestCoaching(kind="resilience").to_data())
    assert "lopende aanvraag" in again["value"]

    # The manager (no HR or coach role) cannot open the queue or the request, even with a forged payload.
    assert (await harness.say(MANAGER, "coachingsaanvragen"))[0].text == NOT_ALLOWED
    forged = await harness.execute(MANAGER, "coaching.open", OpenCoachingRequest(request_id=request_id).to_data())
    assert forged["value"] == NOT_ALLOWED
    forged = await harness.submit(MANAGER, {"verb": "coaching.close", "request_id": request_id})
    assert forged[0].text == NOT_ALLOWED
    menu = (await harness.say(MANAGER, "menu"))[0].cards[0]
    assert "coaching.queue" not in json.dumps(menu)

    queue = (await harness.say(HR, "coachingsaanvragen"))[0].cards[0]
    assert_valid_card(queue)
    assert "Stan Staff" in json.dumps(queue)
    detail = (await harness.submit(HR, OpenCoachingRequest(request_id=request_id).to_data()))[0].cards[0]
    assert_valid_card(detail)
    assert "Moeilijke periode thuis" in json.dumps(detail, ensure_ascii=False)

    async with harness.uow() as uow:
        hilde = await uow.staff.get_by_aad(HR.aad_object_id)
    # An admin (no coach role) cannot be assigned as coach.
    async with harness.uow() as uow:
        ada = await uow.staff.get_by_aad(ADMIN.aad_object_id)
    refused = await harness.execute(HR, "coaching.assign", {**AssignCoach(request_id=request_id).to_data(), "coach_id": str(ada.id)})
    assert "geen coach" in refused["value"]
    assigned = await harness.execute(HR, "coaching.assign", {**AssignCoach(request_id=request_id).to_data(), "coach_id": str(hilde.id)})
    assert_valid_card(assigned["value"])
    # The coach list shows who is assigned now, not an empty choice.
    [coach_list] = [node for node in walk(assigned["value"]) if isinstance(node, dict) and node.get("id") == "coach_id"]
    assert coach_list["value"] == str(hilde.id)
    recorded = await harness.execute(HR, "coaching.record", {**RecordConversations(request_id=request_id).to_data(), "conversations": "6"})
    assert_valid_card(recorded["value"])
    bad = await harness.execute(HR, "coaching.record", {**RecordConversations(request_id=request_id).to_data(), "conversations": "600"})
    assert "0 tot 50" in bad["value"]
    asked = await harness.execute(HR, "coaching.close", CloseCoaching(request_id=request_id).to_data())
    assert_valid_card(asked["value"])
    assert "definitief afsluiten" in json.dumps(asked["value"], ensure_ascii=False)
    closed = await harness.execute(HR, "coaching.close", CloseCoaching(request_id=request_id, confirmed=True).to_data())
    assert_valid_card(closed["value"])

    async with harness.uow() as uow:
        request = await uow.coaching.get(request_id)
        usage = await uow.coaching.usage_per_year()
        audit = [json.dumps(row.after or {}, ensure_ascii=False) for row in await uow.audit.list_for_subject("coaching_request", request_id)]
    assert (request.status.value, request.coach_id, request.conversations) == ("closed", hilde.id, 6)
    assert [(u.year, u.staff, u.requests, u.conversations) for u in usage] == [(2026, 1, 1, 6)]
    assert len(audit) == 4 and all("Moeilijke" not in after for after in audit)
    # Refused attempts were audited.
    async with harness.uow() as uow:
        assert len(await uow.audit.list_by_action("refused")) >= 3
