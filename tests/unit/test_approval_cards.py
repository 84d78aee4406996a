"""Approval cards: each subject's facts worded in the reader's language, valid Adaptive Cards, and
notices that come back from the outbox's JSON with their subject's own summary type."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.domain.approvals import (
    ApprovalCardSent,
    ApprovalDecided,
    ApprovalStatus,
    ApprovalView,
    BudgetFact,
    EquipmentLineFact,
    EquipmentRequestSummary,
    HomeworkDaySummary,
    SubjectSummary,
)
from bot.domain.equipment import Delivery, Names
from bot.domain.notifications import Message
from bot.i18n import Translator
from dialogs.approvals import render_card, render_decided
from dialogs.cards.approvals import approval_card
from dialogs.cards.equipment_approvals import equipment_request_text
from dialogs.cards.homework_approvals import homework_day_text
from tests.cards import assert_valid_card

REQUESTED = datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Europe/Brussels"))
NL, EN = Translator("nl"), Translator("en")

HOME_DAY = HomeworkDaySummary(
    requester_id=3, staff_name="Stan Staff", day=date(2026, 11, 24), place="satellite", part="am", location="Gent",
    anchor_day=True, office_days_left=Decimal("1.5"), minimum_office_days=3,
)
CHAIRS = Names("Stoelen", "Chairs")
EQUIPMENT = EquipmentRequestSummary(
    requester_id=3,
    lines=(EquipmentLineFact(names=Names("Bureaustoel", "Office chair"), quantity=2, unit_price=Decimal("389.00"), cost=Decimal("778.00")),),
    total=Decimal("778.00"), justification="Rugklachten", delivery=Delivery.OFFICE, reasonable_adjustment=True,
    budgets=(BudgetFact(category=CHAIRS, year=2026, amount=Decimal("500.00"), remaining=Decimal("120.00")),
             BudgetFact(category=Names("Schermen", "Screens"), year=2026, amount=None, remaining=Decimal("0"))),
    over_budget=(CHAIRS,),
)
WORDINGS = {"homework_day": homework_day_text, "equipment_request": equipment_request_text}


def view(summary: SubjectSummary, **changes: object) -> ApprovalView:
    values: dict[str, object] = {
        "approval_id": 7, "summary": summary, "requester_name": "Stan Staff", "approver_name": "Mia Manager",
        "status": ApprovalStatus.PENDING, "requested_at": REQUESTED, "can_decide": True, "refresh_user_ids": ("29:mia",),
    }
    values.update(changes)
    return ApprovalView(**values)  # type: ignore[arg-type]


def test_a_home_day_reads_in_both_languages() -> None:
    dutch, english = homework_day_text(HOME_DAY, NL), homework_day_text(HOME_DAY, EN)
    assert dutch.title == "Thuiswerk van Stan Staff op dinsdag 24 november 2026"
    assert english.title == "Home work for Stan Staff on Tuesday 24 November 2026"
    assert ("Duur", "voormiddag") in dutch.facts and any("Gent" in value for _, value in dutch.facts)
    assert dutch.warning is not None and "ankerdag" in dutch.warning and "1,5" in dutch.warning and "3" in dutch.warning


def test_an_equipment_request_reads_with_its_budget_and_warning() -> None:
    dutch = equipment_request_text(EQUIPMENT, NL)
    facts = dict(dutch.facts)
    assert dutch.title == "Thuiswerkmateriaal: Bureaustoel"
    assert facts["Bureaustoel"] == "2 × €\u00a0389,00 = €\u00a0778,00"
    assert facts["Budget Stoelen 2026"] == "nog €\u00a0120,00 vrij van €\u00a0500,00"
    assert facts["Budget Schermen 2026"] == "geen budget voorzien"
    assert facts["Redelijke aanpassing"] == "Ja" and facts["Motivering"] == "Rugklachten"
    assert dutch.warning is not None and "Stoelen" in dutch.warning
    english = equipment_request_text(EQUIPMENT, EN)
    assert english.title == "Home-office equipment: Office chair" and "Chairs" in (english.warning or "")


@pytest.mark.parametrize("summary", [HOME_DAY, EQUIPMENT], ids=["homework_day", "equipment_request"])
def test_the_cards_are_valid_with_buttons_only_for_a_pending_decider(summary: SubjectSummary) -> None:
    wording = WORDINGS[summary.subject_type]
    pending = approval_card(NL, view(summary), wording(summary, NL), confirm_warning="Bevestig", reminder="Herinnering")
    decided = approval_card(
        EN, view(summary, status=ApprovalStatus.REJECTED, can_decide=False, decided_by_name="Mia Manager", decided_at=REQUESTED,
                 comment="Not now"), wording(summary, EN),
    )
    for card in (pending, decided):
        assert_valid_card(card)
        assert card["refresh"]["action"]["data"] == {"approval_id": 7}
    [reject_form] = [a["card"] for a in pending["actions"] if a["type"] == "Action.ShowCard"]
    decisions = [a for a in pending["actions"] + reject_form["actions"] if a.get("verb") == "approval.decide"]
    assert [a["data"] for a in decisions] == [
        {"approval_id": 7, "decision": "approve", "confirm": True, "from_list": False},
        {"approval_id": 7, "decision": "reject", "confirm": False, "from_list": False},
    ]
    assert pending["body"][0]["text"] == "Herinnering"
    assert [a["data"]["verb"] for a in decided["actions"]] == ["menu.show"]


@pytest.mark.parametrize("summary", [HOME_DAY, EQUIPMENT], ids=["homework_day", "equipment_request"])
def test_notices_come_back_from_json_with_their_own_summary(summary: SubjectSummary) -> None:
    notice = ApprovalCardSent(card=view(summary), keep_for=2)
    restored = ApprovalCardSent.model_validate(notice.model_dump(mode="json"))
    assert restored == notice and type(restored.card.summary) is type(summary)
    rendered = render_card(WORDINGS, restored, NL)
    assert isinstance(rendered, Message) and isinstance(rendered.content, dict)
    assert_valid_card(rendered.content)


def test_the_requester_reads_the_decision_with_the_comment() -> None:
    notice = ApprovalDecided(approval_id=7, summary=HOME_DAY, status=ApprovalStatus.APPROVED, decided_by_name="Mia Manager", comment="Prima")
    message = render_decided(WORDINGS, ApprovalDecided.model_validate_json(notice.model_dump_json()), EN)
    assert message.content == (
        "Good news: your request 'Home work for Stan Staff on Tuesday 24 November 2026' was approved by Mia Manager."
        "\n\nComment: Prima"
    )
