"""Registering home-work days over HTTP: every text form in both languages, the card, the rules,
the overview with change and cancel, and approvals where the entity or an anchor day asks for them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.homework import Registration
from bot.domain.policy_sections import HomeworkPolicy
from bot.domain.staff import Staff
from storage.models.approvals import ApprovalRow
from storage.models.directory import AuditRow
from tests.cards import assert_valid_card
from tests.conftest import BotHarness
from tests.fakes.people import COLLEAGUE, MANAGER, OTHER_MANAGER, OTHER_STAFF, STAFF
from tests.fakes.teams import TeamsUser

MON, TUE, WED, THU, FRI = (date(2026, 11, d) for d in (23, 24, 25, 26, 27))


def text_of(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


async def staff_of(harness: BotHarness, user: TeamsUser) -> Staff:
    async with harness.uow() as uow:
        staff = await uow.staff.get_by_aad(user.aad_object_id)
    assert staff is not None
    return staff


async def days_of(harness: BotHarness, user: TeamsUser, start: date = date(2026, 9, 1), end: date = date(2027, 6, 30)) -> list[Registration]:
    staff = await staff_of(harness, user)
    async with harness.uow() as uow:
        return await uow.registrations.list_for_staff(staff.id, start, end)


async def set_policy(harness: BotHarness, entity_code: str, **fields: Any) -> None:
    async with harness.uow() as uow:
        entity = await uow.entities.get_by_code(entity_code)
        assert entity is not None
        policy = await uow.entities.policy(entity.id)
        await uow.entities.set_policy(entity.id, policy.model_copy(update={"homework": HomeworkPolicy(**fields)}))
        await uow.commit()


async def set_agreement(harness: BotHarness, manager: TeamsUser, anchors: list[int], minimum: int) -> None:
    from bot.services.team import SaveAgreement, save_agreement

    await harness.services.runner.run(save_agreement, SaveAgreement(await staff_of(harness, manager), tuple(anchors), minimum))
    await harness.delivered()  # the team's notices go out now, not in the middle of a later turn


async def one_card(harness: BotHarness, user: TeamsUser, text: str) -> dict[str, Any]:
    sent = await harness.say(user, text)
    assert len(sent) == 1, [s.activity for s in sent]
    assert sent[0].cards, sent[0].text
    card = sent[0].cards[0]
    assert_valid_card(card)
    return card


async def one_text(harness: BotHarness, user: TeamsUser, text: str) -> str:
    sent = await harness.say(user, text)
    assert len(sent) == 1 and sent[0].text, [s.activity for s in sent]
    return sent[0].text


# -- the text forms -----------------------------------------------------------------------------------


async def test_dutch_phrases_register_in_one_answer(harness: BotHarness) -> None:
    card = await one_card(harness, STAFF, "thuis morgen")
    assert "Geregistreerd: thuis, hele dag" in text_of(card) and "maandag 23 november 2026" in text_of(card)
    await one_card(harness, STAFF, "thuiswerk vrijdag")
    await one_card(harness, STAFF, "thuis 24/11")
    await one_card(harness, STAFF, "thuis ma en do")
    card = await one_card(harness, STAFF, "satelliet woensdag Gent")
    assert "satellietkantoor Gent" in text_of(card)
    days = {r.day: r for r in await days_of(harness, STAFF)}
    assert sorted(days) == [MON, TUE, WED, THU, FRI]
    assert all(r.status == "registered" and r.part == "full" for r in days.values())
    assert days[WED].place == "satellite" and days[WED].satellite_location == "Gent"
    assert {days[d].place for d in (MON, TUE, THU, FRI)} == {"home"}


async def test_satellite_phrase_with_office_name(harness: BotHarness) -> None:
    await one_card(harness, STAFF, "satelliet dinsdag Gent")
    (day,) = await days_of(harness, STAFF)
    assert (day.day, day.place, day.satellite_location) == (TUE, "satellite", "Gent")


async def test_english_phrases_and_english_answer(harness: BotHarness) -> None:
    card = await one_card(harness, COLLEAGUE, "home tomorrow")
    assert "Registered: home, full day" in text_of(card) and "Monday 23 November 2026" in text_of(card)
    await one_card(harness, COLLEAGUE, "remote friday afternoon")
    days = {r.day: r for r in await days_of(harness, COLLEAGUE)}
    assert days[MON].part == "full" and days[FRI].part == "pm"


async def test_today_on_a_sunday_is_refused_and_on_monday_registered(harness: BotHarness) -> None:
    answer = await one_text(harness, STAFF, "vandaag thuis")
    assert "weekenddag" in answer and "zondag 22 november 2026" in answer
    harness.clock.advance(days=1)
    await one_card(harness, STAFF, "vandaag thuis")
    assert [r.day for r in await days_of(harness, STAFF)] == [MON]


async def test_free_text_with_the_place_after_the_day(harness: BotHarness) -> None:
    await one_card(harness, STAFF, "morgen thuis voormiddag")
    (day,) = await days_of(harness, STAFF)
    assert (day.day, day.part) == (MON, "am")


async def test_text_not_understood_gets_the_prefilled_card(harness: BotHarness) -> None:
    card = await one_card(harness, STAFF, "thuis morgen blabla")
    assert "blabla" in text_of(card)
    day_input = next(e for e in card["body"] if e.get("id") == "day")
    assert day_input["value"] == "2026-11-23"
    card = await one_card(harness, COLLEAGUE, "home tomorrow half day")
    assert "morning or afternoon" in text_of(card)
    assert await days_of(harness, STAFF) == [] and await days_of(harness, COLLEAGUE) == []


# -- recurring patterns -------------------------------------------------------------------------------


async def test_recurring_dutch_skips_holidays_and_says_why(harness: BotHarness) -> None:
    card = await one_card(harness, STAFF, "thuis elke vr 6 weken")
    body = text_of(card)
    assert "Kerstmis" in body and "Nieuwjaar" in body
    assert [r.day for r in await days_of(harness, STAFF)] == [FRI, date(2026, 12, 4), date(2026, 12, 11), date(2026, 12, 18)]


async def test_recurring_dutch_and_english_mondays_and_thursdays(harness: BotHarness) -> None:
    await one_card(harness, STAFF, "thuis elke ma en do 8 weken")
    card = await one_card(harness, COLLEAGUE, "home every mon and thu for 8 weeks")
    assert "(16 days)" in text_of(card)
    for user in (STAFF, COLLEAGUE):
        days = [r.day for r in await days_of(harness, user)]
        assert len(days) == 16 and days[0] == MON and days[-1] == date(2027, 1, 14)


async def test_recurring_at_most_26_weeks(harness: BotHarness) -> None:
    answer = await one_text(harness, STAFF, "thuis elke ma 27 weken")
    assert "26 weken" in answer
    assert await days_of(harness, STAFF) == []


# -- the rules ----------------------------------------------------------------------------------------


async def test_weekend_holiday_and_too_late_are_refused_with_reasons(harness: BotHarness) -> None:
    assert "weekenddag" in await one_text(harness, STAFF, "thuis zaterdag")
    assert "Kerstmis" in await one_text(harness, STAFF, "thuis 25/12")
    late = await one_text(harness, STAFF, "thuis 30/9")
    assert "te ver in het verleden" in late and "1 oktober 2026" in late
    assert "public holiday (Christmas Day)" in await one_text(harness, COLLEAGUE, "home 25/12")
    assert await days_of(harness, STAFF) == []


async def test_late_registration_in_the_previous_month(harness: BotHarness) -> None:
    await one_card(harness, STAFF, "thuis 2/10")
    await one_card(harness, STAFF, "thuis 20/11")
    assert [r.day for r in await days_of(harness, STAFF)] == [date(2026, 10, 2), date(2026, 11, 20)]
    await set_policy(harness, "DWSE", late_registration_months=0)
    assert "te ver in het verleden" in await one_text(harness, STAFF, "thuis 5/10")


async def test_same_day_again_changes_never_duplicates(harness: BotHarness) -> None:
    await one_card(harness, STAFF, "thuis morgen")
    card = await one_card(harness, STAFF, "thuis morgen namiddag")
    assert "namiddag" in text_of(card)
    card = await one_card(harness, STAFF, "thuis morgen namiddag")
    assert "Was al zo geregistreerd" in text_of(card)
    (day,) = await days_of(harness, STAFF)
    assert day.part == "pm"
    async with harness.uow() as uow:
        actions = [row.action for row in await uow.audit.list_for_subject("work_registration", day.id)]
    assert actions == ["homework.registered", "homework.changed"]


async def test_not_eligible_is_refused_with_reason_and_manager(harness: BotHarness) -> None:
    from bot.services.team import MarkIneligible, mark_ineligible

    manager = await staff_of(harness, MANAGER)
    staff = await staff_of(harness, STAFF)
    await harness.services.runner.run(mark_ineligible, MarkIneligible(manager, staff.id, "function", date(2026, 11, 22), None, None))
    await harness.delivered()
    answer = await one_text(harness, STAFF, "thuis morgen")
    assert "Mia Manager" in answer and "functie" in answer.lower()
    assert await days_of(harness, STAFF) == []
    # Office days stay possible.
    await one_card(harness, STAFF, "kantoor morgen")
    assert [r.place for r in await days_of(harness, STAFF)] == ["office"]


async def test_anchor_day_warns_when_the_entity_says_warn(harness: BotHarness) -> None:
    await set_agreement(harness, MANAGER, [1], 0)
    card = await one_card(harness, STAFF, "thuis dinsdag")
    assert "ankerdag" in text_of(card)
    (day,) = await days_of(harness, STAFF)
    assert day.status == "registered"


async def test_week_below_minimum_office_days_warns(harness: BotHarness) -> None:
    await set_agreement(harness, MANAGER, [], 4)
    card = await one_card(harness, STAFF, "thuis ma en do")
    assert "minstens 4" in text_of(card) and "nog 3 kantoordagen" in text_of(card)
    card = await one_card(harness, STAFF, "thuis 2/12")
    assert "minstens 4" not in text_of(card)


# -- approvals ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalSeen:
    id: int
    subject_type: str
    subject_id: int
    status: str


async def _approvals(harness: BotHarness) -> list[ApprovalSeen]:
    async with harness.uow() as uow:
        rows = await uow.session.scalars(select(ApprovalRow).order_by(ApprovalRow.id))
        return [ApprovalSeen(r.id, r.subject_type, r.subject_id, r.status) for r in rows]


async def test_anchor_day_needs_approval_and_the_manager_approves(harness: BotHarness) -> None:
    await harness.install(MANAGER)
    await set_policy(harness, "DWSE", anchor_day_home_work="approval")
    await set_agreement(harness, MANAGER, [1], 0)
    card = await one_card(harness, STAFF, "thuis dinsdag en woensdag")
    assert "Mia Manager" in text_of(card) and "goedkeuring" in text_of(card)
    days = {r.day: r for r in await days_of(harness, STAFF)}
    assert days[TUE].status == "pending" and days[WED].status == "registered"
    (approval,) = await _approvals(harness)
    assert (approval.subject_type, approval.subject_id, approval.status) == ("homework_day", days[TUE].id, "pending")
    manager_cards = harness.connector.cards(MANAGER.conversation_id)
    assert any("Stan Staff" in text_of(c) for c in manager_cards)
    body = await harness.execute(MANAGER, "approval.decide", {"approval_id": approval.id, "decision": "approve"})
    assert body["statusCode"] == 200
    assert {r.day: r.status for r in await days_of(harness, STAFF)}[TUE] == "registered"


async def test_entity_with_approval_pending_until_rejected(harness: BotHarness) -> None:
    await harness.install(OTHER_MANAGER)
    await set_policy(harness, "DV", needs_approval=True)
    card = await one_card(harness, OTHER_STAFF, "thuis morgen")
    assert "Olaf Other" in text_of(card)
    (day,) = await days_of(harness, OTHER_STAFF)
    assert day.status == "pending"
    (approval,) = await _approvals(harness)
    await harness.execute(OTHER_MANAGER, "approval.decide", {"approval_id": approval.id, "decision": "reject", "reason": "Teamdag"})
    (day,) = await days_of(harness, OTHER_STAFF)
    assert day.status == "rejected"


async def test_changing_or_cancelling_a_pending_day_cancels_its_approval(harness: BotHarness) -> None:
    await set_policy(harness, "DV", needs_approval=True)
    await one_card(harness, OTHER_STAFF, "thuis morgen")
    await one_card(harness, OTHER_STAFF, "thuis morgen voormiddag")
    first, second = await _approvals(harness)
    assert first.status == "cancelled" and second.status == "pending"
    (day,) = await days_of(harness, OTHER_STAFF)
    assert (day.part, day.status, day.id) == ("am", "pending", second.subject_id)
    body = await harness.execute(OTHER_STAFF, "homework.cancel", {"registration_id": day.id, "confirmed": True})
    assert_valid_card(body["value"])
    assert await days_of(harness, OTHER_STAFF) == []
    assert [a.status for a in await _approvals(harness)] == ["cancelled", "cancelled"]


# -- the card, the overview, change and cancel ----------------------------------------------------------


async def test_menu_opens_the_registration_card_and_it_registers(harness: BotHarness) -> None:
    sent = await harness.submit(STAFF, {"verb": "menu.open", "flow": "homework"})
    form = sent[0].cards[0]
    assert_valid_card(form)
    ids = {e.get("id") for e in form["body"]}
    assert {"day", "until", "place", "location", "part", "weekdays", "weeks"} <= ids
    body = await harness.execute(STAFF, "homework.register", {"day": "2026-11-23", "until": "2026-11-29", "place": "home", "part": "am", "location": "", "weekdays": "", "weeks": ""})
    assert_valid_card(body["value"])
    assert "weekenddag" in text_of(body["value"])
    assert [(r.day, r.part) for r in await days_of(harness, STAFF)] == [(d, "am") for d in (MON, TUE, WED, THU, FRI)]


@pytest.mark.parametrize(("user", "explained"), [
    (STAFF, '"Kantoor, namiddag" betekent dat je \'s namiddags op kantoor werkt'),
    (COLLEAGUE, '"Office, afternoon" means you work at the office in the afternoon'),
], ids=["nl", "en"])
async def test_the_form_explains_what_a_half_day_at_a_place_means(harness: BotHarness, user: TeamsUser, explained: str) -> None:
    sent = await harness.submit(user, {"verb": "menu.open", "flow": "homework"})
    form = sent[0].cards[0]
    texts = [element.get("text", "") for element in form["body"]]
    part = next(i for i, element in enumerate(form["body"]) if element.get("id") == "part")
    assert explained in texts[part + 1]


async def test_card_recurring_pattern(harness: BotHarness) -> None:
    body = await harness.execute(COLLEAGUE, "homework.register", {"day": "2026-11-23", "place": "satellite", "part": "full", "location": "Leuven", "weekdays": "1,3", "weeks": "4"})
    assert_valid_card(body["value"])
    days = await days_of(harness, COLLEAGUE)
    assert len(days) == 8 and {r.satellite_location for r in days} == {"Leuven"}


async def test_card_without_weeks_comes_back_prefilled(harness: BotHarness) -> None:
    body = await harness.execute(STAFF, "homework.register", {"day": "2026-11-23", "place": "home", "part": "full", "weekdays": "0,3"})
    card = body["value"]
    assert_valid_card(card)
    assert next(e for e in card["body"] if e.get("id") == "weekdays")["value"] == "0,3"
    assert await days_of(harness, STAFF) == []


async def test_overview_change_and_cancel(harness: BotHarness) -> None:
    await one_card(harness, STAFF, "thuis ma en do")
    await one_card(harness, STAFF, "thuis 3 december")
    harness.clock.advance(days=1)
    card = await one_card(harness, STAFF, "mijn dagen")
    assert "maandag 23 november 2026" in text_of(card) and "3 december" not in text_of(card)
    sent = await harness.submit(STAFF, {"verb": "homework.overview", "period": "next_month"})
    assert_valid_card(sent[0].cards[0])
    assert "donderdag 3 december 2026" in text_of(sent[0].cards[0])
    monday, thursday, _ = await days_of(harness, STAFF)
    sent = await harness.submit(STAFF, {"verb": "homework.form", "registration_id": thursday.id})
    form = sent[0].cards[0]
    assert_valid_card(form)
    assert next(e for e in form["body"] if e.get("id") == "day")["value"] == "2026-11-26"
    body = await harness.execute(STAFF, "homework.cancel", {"registration_id": monday.id, "period": "week"})
    assert_valid_card(body["value"])
    assert "Dag annuleren?" in text_of(body["value"]) and len(await days_of(harness, STAFF)) == 3  # asked first
    body = await harness.execute(STAFF, "homework.cancel", {"registration_id": monday.id, "period": "week", "confirmed": True})
    assert_valid_card(body["value"])
    assert "is geannuleerd" in text_of(body["value"])
    assert [r.day for r in await days_of(harness, STAFF)] == [THU, date(2026, 12, 3)]


async def test_english_overview(harness: BotHarness) -> None:
    await one_card(harness, COLLEAGUE, "home tomorrow")
    card = await one_card(harness, COLLEAGUE, "my days")
    assert "My home-work days" in text_of(card)


async def test_payload_naming_someone_elses_registration_is_refused(harness: BotHarness) -> None:
    await one_card(harness, STAFF, "thuis morgen")
    (day,) = await days_of(harness, STAFF)
    body = await harness.execute(COLLEAGUE, "homework.cancel", {"registration_id": day.id})
    assert "your own" in body["value"]
    sent = await harness.submit(COLLEAGUE, {"verb": "homework.form", "registration_id": day.id})
    assert "your own" in sent[0].text
    assert [r.id for r in await days_of(harness, STAFF)] == [day.id]
    async with harness.uow() as uow:
        refused = {row.subject_id for row in await uow.session.scalars(select(AuditRow).where(AuditRow.action == "refused"))}
    assert refused == {"homework.cancel", "homework.form"}


async def test_forged_payload_values_are_refused(harness: BotHarness) -> None:
    for data in ({"place": "moon", "day": "2026-11-23"}, {"place": "home", "day": "yesterday"}, {"place": "home", "weeks": "99", "weekdays": "0"}, {"place": "home", "weekdays": "0,9", "weeks": "2"}):
        body = await harness.execute(STAFF, "homework.register", data)
        assert "niet meer geldig" in body["value"], data
    body = await harness.execute(STAFF, "homework.cancel", {"registration_id": 999999})
    assert "bestaat niet meer" in body["value"]
    assert await days_of(harness, STAFF) == []
