"""Every card of the home-work and team flows, in both languages, against the Adaptive Cards 1.5
schema; every button's verb is routed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.domain.errors import DomainError
from bot.domain.homework import (
    DayRefused,
    DayResult,
    Ineligibility,
    Overview,
    Registration,
    RegistrationResult,
    TeamAgreement,
    WeekWarning,
)
from bot.domain.staff import Staff
from bot.domain.team import EligibilityRow, TeamMemberWeek, TeamWeek
from bot.i18n import Translator
from bot.wiring import build_registry
from dialogs.cards.homework import RegistrationForm, overview_card, registration_form, result_card
from dialogs.cards.team import agreement_card, eligibility_card, team_week_card
from tests.cards import assert_valid_card, walk

MON = date(2026, 11, 23)
STAN = Staff(3, "a3", "staff@vlaanderen.be", "Stan Staff", 1, "DWSE", 2, date(2020, 5, 1))
CATO = Staff(4, "a4", "colleague@vlaanderen.be", "Cato Collega", 1, "DWSE", 2, date(2026, 6, 14), language="en")


def reg(day: date, place: str = "home", part: str = "full", status: str = "registered", id_: int = 1) -> Registration:
    return Registration(id=id_, staff_id=3, day=day, place=place, part=part, status=status, satellite_location="Gent" if place == "satellite" else None)  # type: ignore[arg-type]


def verbs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute":
            found.add(node["verb"])
        if node.get("type") == "Action.Submit":
            found.add(node["data"]["verb"])
        for value in node.values():
            found |= verbs(value)
    elif isinstance(node, list):
        for value in node:
            found |= verbs(value)
    return found


def all_cards(t: Translator) -> list[dict[str, Any]]:
    result = RegistrationResult("home", "am", None, anchor_policy="warn")
    result.days += [
        DayResult(MON, "registered", reg(MON), anchor_day=True),
        DayResult(date(2026, 11, 24), "pending", reg(date(2026, 11, 24), status="pending")),
        DayResult(date(2026, 11, 25), "unchanged", reg(date(2026, 11, 25))),
        DayResult(date(2026, 11, 28), "refused", refusal=DayRefused("homework.refused_weekend", day=date(2026, 11, 28))),
        DayResult(date(2026, 12, 25), "refused", refusal=DayRefused("homework.refused_holiday", day=date(2026, 12, 25))),
        DayResult(date(2026, 9, 1), "refused", refusal=DomainError("homework.not_eligible", day=date(2026, 9, 1), reason="abuse", manager="Mia", since=date(2026, 8, 1), until=None)),
    ]
    result.below_minimum.append(WeekWarning(MON, Decimal("2.5"), 3))
    result.approver_name = "Mia Manager"
    overview = Overview("month", date(2026, 11, 1), date(2026, 11, 30), [reg(date(2026, 9, 30), id_=1), reg(MON, "satellite", "pm", "pending", 2), reg(date(2026, 11, 24), "office", id_=3)], date(2026, 10, 1))
    agreement = TeamAgreement(2, frozenset({1}), 3)
    week = TeamWeek(
        monday=date(2026, 12, 21), days=[date(2026, 12, 21 + n) for n in range(5)], as_manager=True, week_offset=1, agreement=agreement,
        members=[
            TeamMemberWeek(STAN, {date(2026, 12, 21): reg(date(2026, 12, 21), part="am"), date(2026, 12, 22): reg(date(2026, 12, 22), "satellite", status="pending")}, ineligible=True),
            TeamMemberWeek(CATO, {date(2026, 12, 23): reg(date(2026, 12, 23), "office")}),
        ],
    )
    marking = Ineligibility(7, 3, "competence", "Eerst opleiding", date(2026, 11, 1), date(2027, 2, 28), 2)
    return [
        registration_form(t, RegistrationForm(earliest=date(2026, 10, 1), latest=date(2027, 5, 23), day=MON, weekdays=(0, 3), weeks=8, notice="?")),
        registration_form(t, RegistrationForm(earliest=date(2026, 10, 1), latest=date(2027, 5, 23))),
        result_card(t, result),
        overview_card(t, overview, notice="ok"),
        overview_card(t, Overview("week", MON, date(2026, 11, 29), [], date(2026, 10, 1))),
        team_week_card(t, week),
        team_week_card(t, TeamWeek(MON, [MON], [], False, 0, None)),
        agreement_card(t, agreement, notice="ok"),
        agreement_card(t, TeamAgreement(2)),
        eligibility_card(t, [EligibilityRow(STAN, [marking]), EligibilityRow(CATO, [])], date(2026, 11, 22), notice="ok"),
        eligibility_card(t, [], date(2026, 11, 22)),
    ]


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_card_is_valid_and_every_verb_routed(locale: str) -> None:
    routed = build_registry().router.verbs()
    for card in all_cards(Translator(locale)):  # type: ignore[arg-type]
        assert_valid_card(card)
        assert verbs(card) <= routed, verbs(card) - routed


def test_overview_offers_change_only_for_days_still_changeable() -> None:
    card = overview_card(Translator("nl"), Overview("month", date(2026, 9, 1), date(2026, 11, 30), [reg(date(2026, 9, 30), id_=1), reg(MON, id_=2)], date(2026, 10, 1)))
    assert verbs(card) >= {"homework.cancel", "homework.form"}
    cancels = [a for a in walk(card) if isinstance(a, dict) and a.get("verb") == "homework.cancel"]
    assert [a["data"]["registration_id"] for a in cancels] == [2]



def test_team_card_shows_holiday_pending_and_half_days() -> None:
    card = team_week_card(Translator("nl"), all_cards_week())
    import json

    body = json.dumps(card, ensure_ascii=False)
    assert "thuis (vm)" in body and "satelliet ⏳" in body and "feestdag" in body and "Stan Staff ⛔" in body


def all_cards_week() -> TeamWeek:
    return TeamWeek(
        monday=date(2026, 12, 21), days=[date(2026, 12, 21 + n) for n in range(5)], as_manager=True, week_offset=0, agreement=None,
        members=[TeamMemberWeek(STAN, {date(2026, 12, 21): reg(date(2026, 12, 21), part="am"), date(2026, 12, 22): reg(date(2026, 12, 22), "satellite", status="pending")}, ineligible=True)],
    )
