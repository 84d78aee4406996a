"""The team view and team agreements over HTTP."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from bot.domain.homework import TeamAgreement
from storage.models.directory import AuditRow
from tests.cards import assert_valid_card
from tests.conftest import BotHarness
from tests.fakes.people import COLLEAGUE, MANAGER, OTHER_MANAGER, OTHER_STAFF, STAFF
from tests.http.test_eligibility import press
from tests.http.test_homework import one_card, one_text, set_policy, staff_of, text_of


async def test_manager_sees_who_works_where_this_week_and_next(harness: BotHarness) -> None:
    await one_card(harness, STAFF, "thuis ma")
    await one_card(harness, COLLEAGUE, "home tue morning")
    await one_card(harness, STAFF, "satelliet 1/12 Gent")
    card = await one_card(harness, MANAGER, "team")
    body = text_of(card)
    assert "Stan Staff" in body and "Cato Collega" in body and "Wie werkt waar?" in body
    assert "thuis (vm)" in body and "satelliet" not in body
    assert "Teamafspraken" in body  # manager actions
    rows = [c for c in card["body"] if c.get("type") == "ColumnSet"]
    stan = next(r for r in rows if "Stan Staff" in text_of(r))
    cells = [col["items"][0]["text"] for col in stan["columns"][1:]]
    assert cells == ["thuis", "–", "–", "–", "–"]
    sent = await harness.submit(MANAGER, {"verb": "team.view", "week": 1})
    next_week = sent[0].cards[0]
    assert_valid_card(next_week)
    stan = next(r for r in next_week["body"] if r.get("type") == "ColumnSet" and "Stan Staff" in text_of(r))
    assert [col["items"][0]["text"] for col in stan["columns"][1:]] == ["–", "satelliet", "–", "–", "–"]


async def test_member_sees_the_team_when_the_entity_allows_it(harness: BotHarness) -> None:
    await one_card(harness, COLLEAGUE, "home tomorrow")
    card = await one_card(harness, STAFF, "team")
    assert "Cato Collega" in text_of(card) and "Teamafspraken" not in text_of(card)
    english = await one_card(harness, COLLEAGUE, "team")
    assert "Who works where?" in text_of(english)
    await set_policy(harness, "DWSE", team_view_for_members=False)
    assert "alleen aan leidinggevenden" in await one_text(harness, STAFF, "team")
    async with harness.uow() as uow:
        refused = [row.subject_id for row in await uow.session.scalars(select(AuditRow).where(AuditRow.action == "refused"))]
    assert refused == ["command:team"]
    assert "Stan Staff" in text_of(await one_card(harness, MANAGER, "team"))


async def test_week_beyond_next_is_refused(harness: BotHarness) -> None:
    sent = await harness.submit(MANAGER, {"verb": "team.view", "week": 2})
    assert "niet meer geldig" in sent[0].text


async def _save(harness: BotHarness, data: dict[str, str], confirm: str = "Opslaan en team verwittigen") -> dict:
    """Save on the agreement form, then confirm on the card that shows the change."""
    body = await harness.execute(MANAGER, "team.agreement.save", data)
    assert_valid_card(body["value"])
    return await press(harness, MANAGER, body["value"], confirm)


def _agreement_messages(harness: BotHarness, user) -> list[str]:  # noqa: ANN001
    return [t for t in harness.connector.texts(user.conversation_id) if t and ("teamafspraken" in t or "team agreements" in t)]


async def test_manager_sets_agreements_and_the_team_is_told_once(harness: BotHarness) -> None:
    await harness.install(STAFF)
    await harness.install(COLLEAGUE)
    card = await one_card(harness, MANAGER, "afspraken")
    assert {e.get("id") for e in card["body"]} >= {"anchor_weekdays", "min_office_days"}
    body = await harness.execute(MANAGER, "team.agreement.save", {"anchor_weekdays": "1,3", "min_office_days": "3"})
    confirm = body["value"]
    assert_valid_card(confirm)
    assert "dinsdag, donderdag (was: geen ankerdag)" in text_of(confirm) and "3 kantoordagen (was: 0 kantoordagen)" in text_of(confirm)
    assert "Je 2 teamleden krijgen er elk één bericht over, 5 minuten na je laatste wijziging" in text_of(confirm)
    manager = await staff_of(harness, MANAGER)
    async with harness.uow() as uow:
        assert await uow.registrations.agreement(manager.id) is None  # nothing saved before confirming
    body = await press(harness, MANAGER, confirm, "Opslaan en team verwittigen")
    assert_valid_card(body["value"])
    assert "Opgeslagen. Je 2 teamleden krijgen om 10:05 één bericht" in text_of(body["value"])
    assert "dinsdag, donderdag" in text_of(body["value"])
    # Two more changes within the five minutes (a click per field, as managers do).
    harness.clock.advance(minutes=2)
    await _save(harness, {"anchor_weekdays": "1", "min_office_days": "3"})
    harness.clock.advance(minutes=2)
    last = await _save(harness, {"anchor_weekdays": "1", "min_office_days": "2"})
    assert "om 10:09" in text_of(last["value"])
    async with harness.uow() as uow:
        assert await uow.registrations.agreement(manager.id) == TeamAgreement(manager.id, frozenset({1}), 2)
        audit = await uow.audit.list_for_subject("team_agreement", manager.id)
        assert [row.action for row in audit] == ["team.agreement_saved"] * 3
    await harness.delivered()
    assert _agreement_messages(harness, STAFF) == []  # not yet: the manager may still be changing it
    harness.clock.advance(minutes=5)
    await harness.delivered()
    (told,) = _agreement_messages(harness, STAFF)
    assert "Ankerdag: dinsdag (was: geen ankerdag). Minstens 2 kantoordagen (was: 0 kantoordagen) per week." in told
    (english,) = _agreement_messages(harness, COLLEAGUE)
    assert "Anchor day: Tuesday (was: no anchor day). At least 2 office days (was: 0 office days) a week." in english
    team = await one_card(harness, MANAGER, "team")
    assert "⚓" in text_of(team) and "Minstens 2 kantoordagen" in text_of(team)
    # Saving the same again asks nothing and tells nobody.
    same = await harness.execute(MANAGER, "team.agreement.save", {"anchor_weekdays": "1", "min_office_days": "2"})
    assert "Er is niets gewijzigd" in text_of(same["value"])
    harness.clock.advance(minutes=10)
    await harness.delivered()
    assert len(_agreement_messages(harness, STAFF)) == 1


async def test_changing_back_within_the_minutes_tells_nobody(harness: BotHarness) -> None:
    await harness.install(STAFF)
    await _save(harness, {"anchor_weekdays": "2", "min_office_days": "1"})
    harness.clock.advance(minutes=1)
    body = await _save(harness, {"anchor_weekdays": "", "min_office_days": "0"})
    assert "er gaat geen bericht uit" in text_of(body["value"])
    harness.clock.advance(minutes=10)
    await harness.delivered()
    assert _agreement_messages(harness, STAFF) == []


async def test_minimum_out_of_range_is_refused_with_the_range(harness: BotHarness) -> None:
    await harness.install(STAFF)
    for value, language, expected in (
        ("9", MANAGER, "Minstens 9 kantoordagen per week kan niet: kies een getal van 0 tot 5"),
        ("-1", MANAGER, "Minstens -1 kantoordagen per week kan niet"),
    ):
        body = await harness.execute(language, "team.agreement.save", {"anchor_weekdays": "1", "min_office_days": value})
        card = body["value"]
        assert_valid_card(card)
        assert expected in text_of(card) and "Er is niets opgeslagen" in text_of(card)
        field = next(e for e in card["body"] if e.get("id") == "min_office_days")
        assert field["value"] == int(value) and field["max"] == 5 and field["errorMessage"]
    manager = await staff_of(harness, MANAGER)
    async with harness.uow() as uow:
        assert await uow.registrations.agreement(manager.id) is None
        refused = [row.action for row in await uow.audit.list_for_subject("team_agreement", manager.id)]
    assert refused == ["refused", "refused"]
    # Forged: straight to the confirmation with a value out of range.
    body = await harness.execute(MANAGER, "team.agreement.confirm", {"anchor_weekdays": "1", "min_office_days": "9"})
    assert "kies een getal van 0 tot 5" in body["value"]
    harness.clock.advance(minutes=10)
    await harness.delivered()
    assert _agreement_messages(harness, STAFF) == []


async def test_minimum_out_of_range_in_english(harness: BotHarness) -> None:
    english_manager = dataclasses.replace(MANAGER, locale="en-GB")
    body = await harness.execute(english_manager, "team.agreement.save", {"anchor_weekdays": "1", "min_office_days": "9"})
    assert "A minimum of 9 office days a week is not possible: choose a number from 0 to 5" in text_of(body["value"])


async def test_agreements_are_for_managers_and_validated(harness: BotHarness) -> None:
    assert "rol" in await one_text(harness, STAFF, "afspraken")
    body = await harness.execute(STAFF, "team.agreement.save", {"anchor_weekdays": "1", "min_office_days": "2"})
    assert "rol" in body["value"]
    body = await harness.execute(STAFF, "team.agreement.confirm", {"anchor_weekdays": "1", "min_office_days": "2"})
    assert "rol" in body["value"]
    body = await harness.execute(MANAGER, "team.agreement.save", {"anchor_weekdays": "1,8", "min_office_days": "1"})
    assert "niet meer geldig" in body["value"]
    body = await harness.execute(MANAGER, "team.agreement.save", {"anchor_weekdays": "5", "min_office_days": "1"})
    assert "Een ankerdag is een weekdag" in text_of(body["value"])
    async with harness.uow() as uow:
        assert await uow.registrations.agreement((await uow.staff.get_by_aad(MANAGER.aad_object_id)).id) is None


async def test_manager_without_reports_has_no_team(harness: BotHarness) -> None:
    # OTHER_MANAGER manages OTHER_STAFF; OTHER_STAFF has no reports and sees their manager's team.
    card = await one_card(harness, OTHER_STAFF, "team")
    assert "Olga Other" in text_of(card)
    assert "Olga Other" in text_of(await one_card(harness, OTHER_MANAGER, "team"))
