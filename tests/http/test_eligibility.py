"""The hybrid-work eligibility registry over HTTP: mark, tell, refuse, lift."""

from __future__ import annotations

from datetime import date

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


async def test_manager_marks_a_member_not_eligible_and_lifts_it(harness: BotHarness) -> None:
    await harness.install(STAFF)
    await one_card(harness, STAFF, "thuis ma en do")
    await one_card(harness, STAFF, "kantoor woensdag")
    staff = await staff_of(harness, STAFF)
    card = await one_card(harness, MANAGER, "niet in aanmerking")
    assert "Stan Staff: in aanmerking" in text_of(card)
    body = await harness.execute(
        MANAGER, "team.eligibility.mark",
        {"staff_id": str(staff.id), "reason": "competence", "note": "Eerst opleiding afwerken", "valid_from": "2026-11-23", "valid_until": "2027-02-28"},
    )
    card = body["value"]
    assert_valid_card(card)
    assert "Stan Staff: niet in aanmerking (competenties), van maandag 23 november 2026 tot en met zondag 28 februari 2027" in text_of(card)
    told = harness.connector.texts(STAFF.conversation_id)[-1]
    assert "Mia Manager" in told and "competenties" in told and "Eerst opleiding afwerken" in told and "2 geregistreerde" in told
    assert [r.place for r in await days_of(harness, STAFF)] == ["office"]
    answer = await one_text(harness, STAFF, "thuis vrijdag")
    assert "Mia Manager" in answer and "competenties" in answer
    async with harness.uow() as uow:
        assert not await is_eligible(uow, staff.id, date(2026, 11, 27))
        assert await is_eligible(uow, staff.id, date(2027, 3, 1))
        assert await is_eligible(uow, staff.id, date(2026, 11, 20))
    (marking_id,) = await _marking_ids(harness, STAFF)
    body = await harness.execute(MANAGER, "team.eligibility.lift", {"ineligibility_id": marking_id})
    assert_valid_card(body["value"])
    assert "Stan Staff: in aanmerking" in text_of(body["value"])
    assert "opgeheven" in harness.connector.texts(STAFF.conversation_id)[-1]
    await one_card(harness, STAFF, "thuis vrijdag")
    body = await harness.execute(MANAGER, "team.eligibility.lift", {"ineligibility_id": marking_id})
    assert "al opgeheven" in body["value"]
    async with harness.uow() as uow:
        actions = [row.action for row in await uow.audit.list_for_subject("hybrid_ineligibility", marking_id)]
    assert actions == ["eligibility.marked", "eligibility.lifted"]


async def test_english_member_is_told_in_english(harness: BotHarness) -> None:
    await harness.install(COLLEAGUE)
    colleague = await staff_of(harness, COLLEAGUE)
    await harness.execute(MANAGER, "team.eligibility.mark", {"staff_id": colleague.id, "reason": "organisational", "valid_from": "2026-11-22"})
    told = harness.connector.texts(COLLEAGUE.conversation_id)[-1]
    assert "marked you as not eligible" in told and "organisational reasons" in told
    assert "not eligible for hybrid work (reason: organisational reasons)" in await one_text(harness, COLLEAGUE, "home tomorrow")


async def test_only_the_members_manager_may_mark_or_lift(harness: BotHarness) -> None:
    staff = await staff_of(harness, STAFF)
    body = await harness.execute(OTHER_MANAGER, "team.eligibility.mark", {"staff_id": staff.id, "reason": "abuse", "valid_from": "2026-11-23"})
    assert "leidinggevende van die medewerker" in body["value"]
    assert await _marking_ids(harness, STAFF) == []
    body = await harness.execute(STAFF, "team.eligibility.mark", {"staff_id": staff.id, "reason": "abuse", "valid_from": "2026-11-23"})
    assert "rol" in body["value"]
    await harness.execute(MANAGER, "team.eligibility.mark", {"staff_id": staff.id, "reason": "abuse", "valid_from": "2026-11-23"})
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
    await harness.execute(MANAGER, "team.eligibility.mark", {"staff_id": staff.id, "reason": "function", "valid_from": "2026-11-23"})
    assert "Stan Staff ⛔" in text_of(await one_card(harness, MANAGER, "team"))
    assert "⛔" not in text_of(await one_card(harness, COLLEAGUE, "team")).replace("⛔ = ", "")
