"""Every allowance card validates against Adaptive Cards 1.5 in both languages, and its verbs are routed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.domain.allowances import (
    AllowanceChoice,
    ChoiceRefusal,
    ChoiceSource,
    InternetAllowanceView,
    InternetMode,
    Month,
    RegularHomeworkView,
    WorkDay,
    statement,
)
from bot.domain.policy_sections import AllowancePolicy
from bot.domain.staff import Staff
from bot.i18n import Translator
from bot.wiring import build_registry
from dialogs.cards.allowance import (
    PayrollFormView,
    internet_allowance_card,
    my_allowances_card,
    payroll_form_card,
    regular_homework_card,
)
from tests.cards import assert_valid_card

STAFF = Staff(id=3, aad_object_id="a", email="s@vlaanderen.be", display_name="Stan Staff", entity_id=1, entity_code="DWSE", manager_id=2, start_date=date(2020, 5, 1))
POLICY = AllowancePolicy()
FLAT = AllowanceChoice(id=1, staff_id=3, mode=InternetMode.FLAT_FEE, effective_from=date(2021, 9, 1), source=ChoiceSource.DEFAULT, recorded_at=datetime(2021, 9, 1, tzinfo=UTC))
THIRD = AllowanceChoice(id=2, staff_id=3, mode=InternetMode.THIRD_PARTY, effective_from=date(2026, 12, 1), provider="Telenet", customer_number="T-1", monthly_cost=Decimal("41.50"))


def view(refusal: ChoiceRefusal | None, pending: AllowanceChoice | None = None) -> InternetAllowanceView:
    history = [c for c in (pending, FLAT) if c]
    return InternetAllowanceView(
        staff=STAFF, current=FLAT, pending=pending, history=history, refusal=refusal, change_from=date(2026, 12, 1),
        recent_home_days=Decimal("2.5"), confirmed_by_manager=False, policy=POLICY,
    )


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_cards_are_valid(locale: str) -> None:
    t = Translator(locale)
    for shown in (view(None), view(None, THIRD), view(ChoiceRefusal.NOT_REGULAR), view(ChoiceRefusal.NOT_ELIGIBLE)):
        assert_valid_card(internet_allowance_card(t, shown))
    days = [WorkDay(date(2026, 10, d), "home") for d in (1, 2, 5, 6, 7)]
    rows = [statement(m, days, [FLAT, THIRD], POLICY, date(2026, 11, 22)) for m in (Month(2026, 12), Month(2026, 10), Month(2022, 12))]
    assert_valid_card(my_allowances_card(t, rows, POLICY.flat_fee_amount))
    assert_valid_card(my_allowances_card(t, [], POLICY.flat_fee_amount))
    for confirmed in (True, False):
        assert_valid_card(regular_homework_card(t, RegularHomeworkView(STAFF, confirmed, Decimal(3), POLICY)))
    form = PayrollFormView(entities=[("DWSE", "Departement Werk"), ("DV", "Digitaal Vlaanderen")], months=[Month(2026, 11), Month(2026, 10)], selected_month=Month(2026, 10))
    assert_valid_card(payroll_form_card(t, form))


def test_refusal_text_names_the_threshold() -> None:
    card = internet_allowance_card(Translator("en"), view(ChoiceRefusal.NOT_REGULAR))
    text = str(card)
    assert "at least 4 registered home days in the last 8 weeks" in text
    assert "Action.Execute" not in text


def test_statement_wording() -> None:
    t = Translator("en")
    days = [WorkDay(date(2026, 10, d), "home") for d in (1, 2, 5, 6, 7)]
    card = str(my_allowances_card(t, [statement(Month(2026, 10), days, [FLAT], POLICY, date(2026, 11, 22))], POLICY.flat_fee_amount))
    assert "5 home days, on average 1.1 a week: home-work allowance €20.00; internet: flat fee €20.00" in card
    assert "With your salary: €40.00" in card


def test_allowance_verbs_are_routed() -> None:
    verbs = build_registry().router.verbs()
    assert {"allowance.choose", "allowance.confirm_regular", "payroll.export"} <= verbs
