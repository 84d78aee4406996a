"""Allowances over HTTP: the internet allowance card, choosing a mode, refusals, the manager's
confirmation and my allowances, as Teams posts them to the real app."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from bot.domain.calendar import Month, working_days
from storage.models.directory import AuditRow
from storage.models.homework import IneligibilityRow, WorkRegistrationRow
from storage.uow import UnitOfWorkFactory
from tests.cards import assert_valid_card
from tests.conftest import BotHarness
from tests.fakes.people import COLLEAGUE, MANAGER, OTHER_MANAGER, STAFF
from tests.fakes.policies import go_live


@pytest.fixture
async def directory(directory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """The test directory, its entities giving new staff their default since before anyone started
    (without a go-live date the history import is the truth and nobody gets a default)."""
    await go_live(directory)
    return directory


CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"


async def staff_id(harness: BotHarness, email: str) -> int:
    async with harness.uow() as uow:
        found = await uow.staff.get_by_email(email)
    return found.id


async def register_home_days(harness: BotHarness, email: str, count: int) -> None:
    person = await staff_id(harness, email)
    days = [d for d in working_days(Month(2026, 11)) if d <= date(2026, 11, 20)][-count:]
    async with harness.uow() as uow:
        for day in days:
            uow.session.add(WorkRegistrationRow(staff_id=person, day=day, place="home", part="full", status="registered"))
        await uow.commit()


def dumped(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


async def test_card_shows_default_and_refuses_choice_without_regular_home_work(harness: BotHarness) -> None:
    sent = await harness.say(STAFF, "internet")
    card = sent[0].cards[0]
    assert_valid_card(card)
    text = dumped(card)
    assert "Forfaitaire vergoeding" in text and "standaard voor nieuwe personeelsleden" in text
    assert "regelmatig en structureel" in text
    assert "allowance.choose" not in text  # no form for who may not choose


async def test_regular_home_worker_chooses_third_party_payer(harness: BotHarness) -> None:
    await register_home_days(harness, "staff@vlaanderen.be", 4)
    sent = await harness.say(STAFF, "internetvergoeding")
    card = sent[0].cards[0]
    assert_valid_card(card)
    assert "allowance.choose" in dumped(card) and "1 december 2026" in dumped(card)
    me = await staff_id(harness, "staff@vlaanderen.be")
    data = {"staff_id": me, "mode": "third_party_payer", "provider": "Telenet", "customer_number": "TN-1", "monthly_cost": "41,50"}
    body = await harness.execute(STAFF, "allowance.choose", data)
    assert body["type"] == CARD
    assert_valid_card(body["value"])
    shown = dumped(body["value"])
    assert "Vanaf 1 december 2026" in shown and "Telenet" in shown and "41,50" in shown
    again = await harness.execute(STAFF, "allowance.choose", data)
    assert again["type"] == MESSAGE and "Er is niets gewijzigd" in again["value"]
    bad = await harness.execute(STAFF, "allowance.choose", {**data, "monthly_cost": "veel", "provider": "Other"})
    assert bad["type"] == MESSAGE and "41,50" in bad["value"]
    missing = await harness.execute(STAFF, "allowance.choose", {"staff_id": me, "mode": "third_party_payer", "monthly_cost": "30"})
    assert missing["type"] == MESSAGE and "provider" in missing["value"]


async def test_choice_for_someone_else_is_refused_and_audited(harness: BotHarness) -> None:
    await register_home_days(harness, "staff@vlaanderen.be", 4)
    other = await staff_id(harness, "staff@vlaanderen.be")
    body = await harness.execute(COLLEAGUE, "allowance.choose", {"staff_id": other, "mode": "flat_fee"})
    assert body["type"] == MESSAGE and "does not allow" in body["value"]
    async with harness.uow() as uow:
        refused = await uow.session.scalar(select(AuditRow).where(AuditRow.action == "refused", AuditRow.subject_id == "allowance.choose"))
        assert refused is not None
        assert await uow.allowances.history(other) == []


async def test_forged_choice_payload_is_refused(harness: BotHarness) -> None:
    me = await staff_id(harness, "staff@vlaanderen.be")
    body = await harness.execute(STAFF, "allowance.choose", {"staff_id": me, "mode": "no_allowance"})
    assert body["type"] == MESSAGE and "niet meer geldig" in body["value"]
    body = await harness.execute(STAFF, "allowance.choose", {"staff_id": "x"})
    assert "niet meer geldig" in body["value"]


async def test_not_eligible_staff_are_refused(harness: BotHarness) -> None:
    await register_home_days(harness, "staff@vlaanderen.be", 8)
    me = await staff_id(harness, "staff@vlaanderen.be")
    async with harness.uow() as uow:
        uow.session.add(IneligibilityRow(staff_id=me, reason="function", valid_from=date(2026, 1, 1)))
        await uow.commit()
    sent = await harness.say(STAFF, "internet")
    assert "niet in aanmerking" in dumped(sent[0].cards[0])
    body = await harness.execute(STAFF, "allowance.choose", {"staff_id": me, "mode": "flat_fee"})
    assert body["type"] == MESSAGE and "niet in aanmerking" in body["value"]


async def test_manager_confirms_regular_home_work(harness: BotHarness) -> None:
    sent = await harness.say(MANAGER, "bevestig thuiswerk staff@vlaanderen.be")
    card = sent[0].cards[0]
    assert_valid_card(card)
    assert "Stan Staff" in dumped(card)
    member = await staff_id(harness, "staff@vlaanderen.be")
    body = await harness.execute(MANAGER, "allowance.confirm_regular", {"staff_id": member, "confirmed": True})
    assert body["type"] == CARD
    assert_valid_card(body["value"])
    assert "Bevestiging intrekken" in dumped(body["value"])
    sent = await harness.say(STAFF, "internet")
    assert "allowance.choose" in dumped(sent[0].cards[0])
    refused = await harness.execute(OTHER_MANAGER, "allowance.confirm_regular", {"staff_id": member, "confirmed": False})
    assert refused["type"] == MESSAGE
    sent = await harness.say(COLLEAGUE, "confirm home work staff@vlaanderen.be")
    assert "does not allow" in sent[0].text
    sent = await harness.say(MANAGER, "bevestig thuiswerk niemand@vlaanderen.be")
    assert "niemand@vlaanderen.be" in sent[0].text
    sent = await harness.say(MANAGER, "bevestig thuiswerk")
    assert "bevestig thuiswerk" in sent[0].text


async def test_my_allowances_in_english_and_from_the_menu(harness: BotHarness) -> None:
    sent = await harness.say(COLLEAGUE, "my allowances")
    card = sent[0].cards[0]
    assert_valid_card(card)
    text = dumped(card)
    assert "My allowances" in text and "November 2026 (current month" in text and "June 2026" in text
    assert "no home-work allowance" in text
    sent = await harness.submit(STAFF, {"verb": "menu.open", "flow": "allowance.mine"})
    card = sent[0].cards[0]
    assert_valid_card(card)
    assert "Mijn vergoedingen" in dumped(card) and "Oktober 2026" in dumped(card)


async def test_menu_lists_allowance_flows(harness: BotHarness) -> None:
    sent = await harness.say(STAFF, "menu")
    text = dumped(sent[0].cards[0])
    assert "Internetvergoeding" in text and "Mijn vergoedingen" in text and "Export voor de payroll" not in text
