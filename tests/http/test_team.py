"""The team view and team agreements over HTTP."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.homework import TeamAgreement
from storage.models.directory import AuditRow
from tests.cards import assert_valid_card
from tests.conftest import BotHarness
from tests.fakes.people import COLLEAGUE, MANAGER, OTHER_MANAGER, OTHER_STAFF, STAFF
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


async def test_manager_sets_agreements_and_the_team_is_told(harness: BotHarness) -> None:
    await harness.install(STAFF)
    await harness.install(COLLEAGUE)
    card = await one_card(harness, MANAGER, "afspraken")
    assert {e.get("id") for e in card["body"]} >= {"anchor_weekdays", "min_office_days"}
    body = await harness.execute(MANAGER, "team.agreement.save", {"anchor_weekdays": "1,3", "min_office_days": "3"})
    assert_valid_card(body["value"])
    assert "Opgeslagen" in text_of(body["value"]) and "dinsdag, donderdag" in text_of(body["value"])
    manager = await staff_of(harness, MANAGER)
    async with harness.uow() as uow:
        assert await uow.registrations.agreement(manager.id) == TeamAgreement(manager.id, frozenset({1, 3}), 3)
        audit = await uow.audit.list_for_subject("team_agreement", manager.id)
        assert [row.action for row in audit] == ["team.agreement_saved"]
    assert any("dinsdag, donderdag" in (t or "") for t in harness.connector.texts(STAFF.conversation_id))
    assert any("Tuesday, Thursday" in (t or "") for t in harness.connector.texts(COLLEAGUE.conversation_id))
    team = await one_card(harness, MANAGER, "team")
    assert "⚓" in text_of(team) and "Minstens 3 kantoordag" in text_of(team)
    # Saving the same again tells nobody twice.
    before = len(harness.connector.texts(STAFF.conversation_id))
    await harness.execute(MANAGER, "team.agreement.save", {"anchor_weekdays": "1,3", "min_office_days": "3"})
    assert len(harness.connector.texts(STAFF.conversation_id)) == before


async def test_agreements_are_for_managers_and_validated(harness: BotHarness) -> None:
    assert "rol" in await one_text(harness, STAFF, "afspraken")
    body = await harness.execute(STAFF, "team.agreement.save", {"anchor_weekdays": "1", "min_office_days": "2"})
    assert "rol" in body["value"]
    for data in ({"anchor_weekdays": "1", "min_office_days": "7"}, {"anchor_weekdays": "1,8", "min_office_days": "1"}):
        body = await harness.execute(MANAGER, "team.agreement.save", data)
        assert "niet meer geldig" in body["value"]
    body = await harness.execute(MANAGER, "team.agreement.save", {"anchor_weekdays": "5", "min_office_days": "1"})
    assert "weekdag" in body["value"]
    async with harness.uow() as uow:
        assert await uow.registrations.agreement((await uow.staff.get_by_aad(MANAGER.aad_object_id)).id) is None


async def test_manager_without_reports_has_no_team(harness: BotHarness) -> None:
    # OTHER_MANAGER manages OTHER_STAFF; OTHER_STAFF has no reports and sees their manager's team.
    card = await one_card(harness, OTHER_STAFF, "team")
    assert "Olga Other" in text_of(card)
    assert "Olga Other" in text_of(await one_card(harness, OTHER_MANAGER, "team"))
