"""The hybrid-work eligibility registry over HTTP: mark, tell, refuse, lift."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from bot.services.homework import is_eligible
from storage.models.directory import AuditRow
from tests.cards import assert_valid_card
from tests.conftest import BotHarness
from tests.fakes.people import COLLEAGUE, MANAGER, OTHER_MANAGER, STAFF
from tests.http.test_homework import days_of, one_card, one_text, staff_of, text_of


async def _marking_ids(harness: BotHarness, user) -> list[int]:  # noqa: ANN001
    staff = await staff_of(harness, user)
    async with harness.uow() as uow:
        return [m.id for m in await uow.registrations.ineligibilities_for([staff.id])]


def button(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The Action.Execute on a card with this title, as Teams would send it when pressed."""
    actions = [a for a in card.get("actions", []) if a.get("title") == title]
    assert len(actions) == 1, [a.get("title") for a in card.get("actions", [])]
    return actions[0]


async def press(harness: BotHarness, user, card: dict[str, Any], title: str) -> dict[str, Any]:  # noqa: ANN001
    action = button(card, title)
    assert action["type"] == "Action.Execute"
    return await harness.execute(user, action["verb"], action.get("data", {}))


async def mark(harness: BotHarness, user, data: dict[str, Any], confirm: str = "Bevestigen") -> dict[str, Any]:  # noqa: ANN001
    """Fill in the marking form, then confirm on the card that shows what it means."""
    body = await harness.execute(user, "team.eligibility.mark", data)
    if isinstance(body["value"], str):
        return body
    assert_valid_card(body["value"])
    return await press(harness, user, body["value"], confirm)


async def test_marking_keeps_today_and_the_past_and_cancels_future_days_after_confirming(harness: BotHarness) -> None:
    await harness.install(STAFF)
    await one_card(harness, STAFF, "thuis ma en do")   # Mon 23 and Thu 26 November
    await one_card(harness, STAFF, "thuis vrijdag")    # Fri 27
    await one_card(harness, STAFF, "thuis 30/11")      # Mon 30
    await one_card(harness, STAFF, "kantoor woensdag")  # Wed 25: an office day is not touched
    harness.clock.advance(days=4)  # Thursday 26 November: the 23rd is past, the 26th is today
    staff = await staff_of(harness, STAFF)
    told_before = len(harness.connector.texts(STAFF.conversation_id))
    form = {"staff_id": str(staff.id), "reason": "competence", "note": "Eerst opleiding afwerken",
            "valid_from": "2026-11-23", "valid_until": "2027-02-28"}
    body = await harness.execute(MANAGER, "team.eligibility.mark", form)
    confirm = body["value"]
    assert_valid_card(confirm)
    assert "2 geregistreerde dagen worden geannuleerd" in text_of(confirm)
    assert "vrijdag 27 november 2026" in text_of(confirm) and "maandag 30 november 2026" in text_of(confirm)
    assert "- donderdag 26 november" not in text_of(confirm) and "- maandag 23 november" not in text_of(confirm)
    assert all(a.get("associatedInputs") == "none" for a in confirm["actions"])
    # Nothing is written before the manager confirms, and the member hears nothing yet.
    assert await _marking_ids(harness, STAFF) == []
    assert len(await days_of(harness, STAFF)) == 5
    assert len(harness.connector.texts(STAFF.conversation_id)) == told_before
    body = await press(harness, MANAGER, confirm, "Bevestigen")
    card = body["value"]
    assert_valid_card(card)
    assert "Stan Staff: niet in aanmerking (competenties), van maandag 23 november 2026 tot en met zondag 28 februari 2027" in text_of(card)
    assert "2 geregistreerde dagen werden geannuleerd" in text_of(card)
    assert [(r.day.day, r.place) for r in await days_of(harness, STAFF)] == [(23, "home"), (25, "office"), (26, "home")]
    told = harness.connector.texts(STAFF.conversation_id)[-1]
    assert "Mia Manager" in told and "competenties" in told and "Eerst opleiding afwerken" in told
    assert "Deze 2 geregistreerde dagen werden daarom geannuleerd" in told
    assert "vrijdag 27 november 2026" in told and "maandag 30 november 2026" in told
    (marking_id,) = await _marking_ids(harness, STAFF)
    async with harness.uow() as uow:
        marked = (await uow.audit.list_for_subject("hybrid_ineligibility", marking_id))[0]
        assert marked.after["cancelled_days"] == ["2026-11-27", "2026-11-30"]
        cancelled = [row for row in await uow.session.scalars(select(AuditRow).where(AuditRow.action == "homework.cancelled_not_eligible"))]
        assert sorted(row.before["day"] for row in cancelled) == ["2026-11-27", "2026-11-30"]
        assert not await is_eligible(uow, staff.id, date(2026, 11, 27))
        assert await is_eligible(uow, staff.id, date(2027, 3, 1))
    # A second click on the confirmation marks nothing twice.
    again = await press(harness, MANAGER, confirm, "Bevestigen")
    assert "al in het register" in again["value"]
    assert await _marking_ids(harness, STAFF) == [marking_id]


async def test_lifting_gives_back_the_cancelled_days_still_free(harness: BotHarness) -> None:
    await harness.install(STAFF)
    await one_card(harness, STAFF, "thuis vrijdag")  # Fri 27
    await one_card(harness, STAFF, "thuis 30/11")    # Mon 30
    await one_card(harness, STAFF, "satelliet 1/12 Gent")  # Tue 1 December
    staff = await staff_of(harness, STAFF)
    await mark(harness, MANAGER, {"staff_id": str(staff.id), "reason": "organisational", "valid_from": "2026-11-23"})
    assert await days_of(harness, STAFF) == []
    await one_card(harness, STAFF, "kantoor 30/11")  # meanwhile the member plans the office on the 30th
    harness.clock.advance(days=5)  # Friday 27 November
    (marking_id,) = await _marking_ids(harness, STAFF)
    body = await harness.execute(MANAGER, "team.eligibility.lift", {"ineligibility_id": marking_id})
    assert_valid_card(body["value"])
    assert "Stan Staff: in aanmerking" in text_of(body["value"]) and "2 geannuleerde dagen zijn opnieuw geregistreerd" in text_of(body["value"])
    days = await days_of(harness, STAFF)
    assert [(r.day.isoformat(), r.place, r.satellite_location) for r in days] == [
        ("2026-11-27", "home", None), ("2026-11-30", "office", None), ("2026-12-01", "satellite", "Gent"),
    ]
    told = harness.connector.texts(STAFF.conversation_id)[-1]
    assert "opgeheven" in told and "Deze 2 dagen" in told and "vrijdag 27 november 2026" in told and "dinsdag 1 december 2026" in told
    assert "30 november" not in told
    async with harness.uow() as uow:
        actions = [row.action for row in await uow.audit.list_for_subject("hybrid_ineligibility", marking_id)]
        restored = list(await uow.session.scalars(select(AuditRow).where(AuditRow.action == "homework.restored_eligible")))
        assert sorted(row.after["day"] for row in restored) == ["2026-11-27", "2026-12-01"]
    assert actions == ["eligibility.marked", "eligibility.lifted"]
    body = await harness.execute(MANAGER, "team.eligibility.lift", {"ineligibility_id": marking_id})
    assert "al opgeheven" in body["value"]


async def test_marking_without_registered_days_still_asks_to_confirm(harness: BotHarness) -> None:
    await harness.install(COLLEAGUE)
    colleague = await staff_of(harness, COLLEAGUE)
    body = await harness.execute(MANAGER, "team.eligibility.mark", {"staff_id": colleague.id, "reason": "function", "valid_from": "2026-11-23"})
    assert "Er wordt geen geregistreerde dag geannuleerd" in text_of(body["value"])
    back = await press(harness, MANAGER, body["value"], "Terug")
    assert "Cato Collega: in aanmerking" in text_of(back["value"])
    assert await _marking_ids(harness, COLLEAGUE) == []


async def test_english_member_is_told_in_english(harness: BotHarness) -> None:
    await harness.install(COLLEAGUE)
    colleague = await staff_of(harness, COLLEAGUE)
    await one_card(harness, COLLEAGUE, "home friday")
    await mark(harness, MANAGER, {"staff_id": colleague.id, "reason": "organisational", "valid_from": "2026-11-22"})
    told = harness.connector.texts(COLLEAGUE.conversation_id)[-1]
    assert "marked you as not eligible" in told and "organisational reasons" in told
    assert "This registered day was therefore cancelled:\n- Friday 27 November 2026" in told
    assert "not eligible for hybrid work (reason: organisational reasons)" in await one_text(harness, COLLEAGUE, "home tomorrow")


async def test_only_the_members_manager_may_mark_or_lift(harness: BotHarness) -> None:
    staff = await staff_of(harness, STAFF)
    body = await harness.execute(OTHER_MANAGER, "team.eligibility.mark", {"staff_id": staff.id, "reason": "abuse", "valid_from": "2026-11-23"})
    assert "leidinggevende van die medewerker" in body["value"]
    assert await _marking_ids(harness, STAFF) == []
    body = await harness.execute(STAFF, "team.eligibility.mark", {"staff_id": staff.id, "reason": "abuse", "valid_from": "2026-11-23"})
    assert "rol" in body["value"]
    await mark(harness, MANAGER, {"staff_id": staff.id, "reason": "abuse", "valid_from": "2026-11-23"})
    (marking_id,) = await _marking_ids(harness, STAFF)
    body = await harness.execute(OTHER_MANAGER, "team.eligibility.lift", {"ineligibility_id": marking_id})
    assert "leidinggevende van die medewerker" in body["value"]
    assert await _marking_ids(harness, STAFF) == [marking_id]
    async with harness.uow() as uow:
        refused = [row.subject_id for row in await uow.session.scalars(select(AuditRow).where(AuditRow.action == "refused"))]
    assert refused == ["team.eligibility.mark", "team.eligibility.mark", "team.eligibility.lift"]


async def test_bad_markings_are_refused(harness: BotHarness) -> None:
    staff = await staff_of(harness, STAFF)
    cases = [
        ({"staff_id": staff.id, "reason": "lazy", "valid_from": "2026-11-23"}, "niet meer geldig"),
        ({"staff_id": staff.id, "reason": "abuse"}, "begindatum"),
        ({"staff_id": staff.id, "reason": "abuse", "valid_from": "2026-11-23", "valid_until": "2026-11-01"}, "vóór de begindatum"),
        ({"staff_id": staff.id, "reason": "abuse", "valid_from": "2026-11-23", "note": "x" * 501}, "niet meer geldig"),
        ({"staff_id": 999999, "reason": "abuse", "valid_from": "2026-11-23"}, "personeelslijst"),
    ]
    for data, expected in cases:
        body = await harness.execute(MANAGER, "team.eligibility.mark", data)
        assert expected in body["value"], (data, body["value"])
    assert await _marking_ids(harness, STAFF) == []


async def test_manager_sees_ineligible_members_in_the_team_view(harness: BotHarness) -> None:
    staff = await staff_of(harness, STAFF)
    await mark(harness, MANAGER, {"staff_id": staff.id, "reason": "function", "valid_from": "2026-11-23"})
    assert "Stan Staff ⛔" in text_of(await one_card(harness, MANAGER, "team"))
    assert "⛔" not in text_of(await one_card(harness, COLLEAGUE, "team")).replace("⛔ = ", "")
