"""Equipment rules: every eligibility rule with the message the staff member reads, budgets,
catalogue file validation and the form's typed payload."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from bot.domain import equipment as rules
from bot.domain.equipment import (
    Budget,
    BudgetPosition,
    CatalogueItem,
    Delivery,
    EquipmentRequest,
    FulfilmentStep,
    Names,
    PastLine,
    RequestStatus,
    WantedLine,
    add_months,
)
from bot.domain.equipment_catalogue import parse_catalogue
from bot.domain.staff import Role, Staff
from bot.i18n import Translator
from dialogs.cards.equipment import SubmitEquipmentRequest, refusal_text

NL = Translator("nl")
EN = Translator("en")
TODAY = date(2026, 11, 22)


def staff(start: date = date(2020, 5, 1), roles: frozenset[Role] = frozenset({Role.STAFF})) -> Staff:
    return Staff(1, "aad", "s@x.be", "Stan", entity_id=1, entity_code="DWSE", manager_id=2, start_date=start, roles=roles)


def item(**overrides) -> CatalogueItem:  # noqa: ANN003
    values = dict(
        id=10, entity_id=1, code="chair", names=Names("Ergonomische bureaustoel", "Ergonomic chair"), category_id=5,
        category_code="chairs", unit_price=Decimal("389.00"),
    )
    values.update(overrides)
    return CatalogueItem(**values)


def messages(refusals, t: Translator = EN) -> list[str]:  # noqa: ANN001
    return [refusal_text(t, r) for r in refusals]


def check(it: CatalogueItem, who: Staff | None = None, history=(), quantity: int = 1, justification: str | None = None, **kw):  # noqa: ANN001, ANN003, ANN201
    return rules.check_item(it, quantity, who or staff(), list(history), TODAY, justification=justification, **kw)


def test_add_months_keeps_the_day_or_takes_the_last_day_of_a_short_month() -> None:
    assert add_months(date(2026, 6, 14), 6) == date(2026, 12, 14)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)


def test_chair_needs_six_months_in_service_with_the_date_in_the_message() -> None:
    newcomer = staff(start=date(2026, 6, 14))
    refusals = check(item(min_months_in_service=6), newcomer)
    assert messages(refusals) == ["Ergonomic chair is possible from 14 December 2026, 6 months after your start."]
    assert messages(refusals, NL) == [
        "Ergonomische bureaustoel kan je aanvragen vanaf 14 december 2026, 6 maanden na je indiensttreding."
    ]
    assert check(item(min_months_in_service=6), staff(start=date(2026, 5, 22))) == []


def test_justification_required() -> None:
    smartphone = item(names=Names("Smartphone", "Smartphone"), needs_justification=True)
    assert messages(check(smartphone, justification="  ")) == ["Smartphone needs a justification."]
    assert check(smartphone, justification="I am on call") == []


def test_restricted_to_roles() -> None:
    smartphone = item(names=Names("Smartphone", "Smartphone"), allowed_roles=frozenset({Role.MANAGER}))
    assert messages(check(smartphone))[0].startswith("Smartphone is not provided for your role.")
    assert check(smartphone, staff(roles=frozenset({Role.STAFF, Role.MANAGER}))) == []


def test_available_from_a_date() -> None:
    monitor = item(names=Names("Beeldscherm", "Monitor"), available_from=date(2027, 1, 1))
    assert messages(check(monitor)) == ["Monitor can be requested from 1 January 2027."]
    assert check(item(available_from=date(2023, 1, 1))) == []


def test_once_per_period_counts_from_the_last_delivery() -> None:
    headset = item(names=Names("Headset", "Headset"), once_per_years=3)
    received = PastLine(10, RequestStatus.DELIVERED, date(2024, 3, 1), date(2024, 3, 14))
    assert messages(check(headset, history=[received])) == [
        "You already received Headset; you can request it again from 14 March 2027 (one every 3 years)."
    ]
    long_ago = PastLine(10, RequestStatus.DELIVERED, date(2020, 3, 1), date(2020, 3, 14))
    assert check(headset, history=[long_ago]) == []
    other_item = PastLine(11, RequestStatus.DELIVERED, date(2026, 3, 1), date(2026, 3, 14))
    assert check(headset, history=[other_item]) == []


def test_an_open_request_for_the_same_item_is_refused() -> None:
    for status in (RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.ORDERED):
        open_line = PastLine(10, status, date(2026, 11, 2), None)
        assert messages(check(item(), history=[open_line])) == [
            "You already requested Ergonomic chair on 2 November 2026; that request is still open."
        ]
    for status in (RequestStatus.REJECTED, RequestStatus.CANCELLED):
        assert check(item(), history=[PastLine(10, status, date(2026, 11, 2), None)]) == []


def test_quantity_limit_and_inactive_items() -> None:
    assert messages(check(item(max_quantity=1), quantity=2)) == ["You can request at most 1 of Ergonomic chair."]
    assert check(item(max_quantity=2), quantity=2) == []
    assert messages(check(item(active=False))) == ["Ergonomic chair is not (or no longer) in your entity's catalogue."]


def test_reasonable_adjustment_goes_beyond_general_limits_but_not_beyond_availability() -> None:
    newcomer = staff(start=date(2026, 10, 1))
    chair = item(min_months_in_service=6, max_quantity=1, once_per_years=7, allowed_roles=frozenset({Role.MANAGER}))
    received = PastLine(10, RequestStatus.DELIVERED, date(2025, 1, 1), date(2025, 1, 10))
    assert len(check(chair, newcomer, [received], quantity=2)) == 4
    assert check(chair, newcomer, [received], quantity=2, justification="back problems", reasonable_adjustment=True) == []
    later = item(available_from=date(2027, 1, 1))
    assert len(check(later, justification="x", reasonable_adjustment=True)) == 1
    refusals = rules.check_request([WantedLine(chair, 1)], newcomer, [], TODAY, justification=None, reasonable_adjustment=True)
    assert "A reasonable adjustment needs a justification." in messages(refusals)


def test_other_entity_items_are_refused_and_manager_needed_unless_all_items_are_free() -> None:
    foreign = item(entity_id=2)
    assert rules.check_request([WantedLine(foreign, 1)], staff(), [], TODAY, justification=None, reasonable_adjustment=False)
    mouse = item(needs_approval=False)
    assert not rules.needs_manager([WantedLine(mouse, 1)], False)
    assert rules.needs_manager([WantedLine(mouse, 1)], True)
    assert rules.needs_manager([WantedLine(mouse, 1), WantedLine(item(), 1)], False)


def test_applicable_budget_prefers_the_years_own_then_the_latest_one_off() -> None:
    annual = Budget(1, 1, 5, "x", 2026, Decimal("100"), False)
    one_off = Budget(2, 1, 5, "x", 2023, Decimal("30000"), True)
    other = Budget(3, 1, 6, "y", 2026, Decimal("1"), False)
    assert rules.applicable_budget([annual, one_off, other], 5, 2026) == annual
    assert rules.applicable_budget([annual, one_off, other], 5, 2025) == one_off
    assert rules.applicable_budget([annual, one_off, other], 5, 2022) is None


def test_budget_position_fits_only_within_the_remaining_amount() -> None:
    position = BudgetPosition(5, Names("a", "a"), 2026, 1, Decimal("1000.00"), Decimal("611.00"), Decimal("389.00"))
    assert position.remaining == Decimal("389.00") and position.fits
    assert not BudgetPosition(5, Names("a", "a"), 2026, 1, Decimal("1000.00"), Decimal("611.01"), Decimal("389.00")).fits
    assert not BudgetPosition(5, Names("a", "a"), 2026, None, None, Decimal("0"), Decimal("1")).fits


def test_catalogue_file_problems_carry_line_numbers() -> None:
    categories = [(3, {"code": "chairs", "name_nl": "Stoelen", "name_en": "Chairs"}), (6, {"code": "chairs", "name_nl": "x", "name_en": "y"})]
    items = [
        (10, {"code": "chair", "name_nl": "Stoel", "name_en": "Chair", "category": "chairs", "unit_price": 389.0, "min_months_in_service": 6}),
        (18, {"code": "phone", "name_nl": "Gsm", "name_en": "Phone", "category": "phones", "unit_price": "12.345", "roles": ["boss"]}),
        (25, {"code": "chair", "name_nl": "Stoel", "name_en": "Chair", "category": "chairs", "unit_price": "-1", "available_from": "2023-13-01"}),
    ]
    budgets = [(30, {"category": "chairs", "year": 2026, "amount": "30000", "kind": "yearly"})]
    parsed, problems = parse_catalogue(categories, items, budgets)
    lines = {p.line: p.reason for p in problems}
    assert sorted(lines) == [6, 18, 25, 30]
    assert "repeats line 3" in lines[6]
    assert "unknown category 'phones'" in lines[18] and "more than two decimals" in lines[18] and "unknown role 'boss'" in lines[18]
    assert "repeats line 10" in lines[25] and "not a sensible amount" in lines[25] and "not YYYY-MM-DD" in lines[25]
    assert "kind 'yearly'" in lines[30]
    assert [i.code for i in parsed.items] == ["chair"] and parsed.items[0].unit_price == Decimal("389.00")


def test_the_form_payload_gathers_the_quantity_inputs_with_bounded_ids() -> None:
    payload = SubmitEquipmentRequest.model_validate({
        "equipment_qty_12": "2.0", "equipment_qty_13": "", "equipment_qty_14": "0", "prices": {"12": "389.00"},
        "equipment_delivery": "office", "equipment_adjustment": "true", "quantities": {"15": 9},
    })
    assert payload.quantities == {12: 2} and payload.unreadable_quantities == 0
    assert payload.prices == {12: Decimal("389.00")} and payload.equipment_delivery is Delivery.OFFICE and payload.equipment_adjustment
    for key, value in (("equipment_qty_12", "-3"), ("equipment_qty_12", "11"), ("equipment_qty_12", "2.5"),
                       ("equipment_qty_abc", "1"), ("equipment_qty_0", "1"), ("equipment_qty_4294967296", "1")):
        assert SubmitEquipmentRequest.model_validate({key: value}).unreadable_quantities == 1, (key, value)
    # The card's own data carries the prices it showed, never the inputs.
    assert SubmitEquipmentRequest(prices={12: Decimal("389.00")}).to_data() == {"verb": "equipment.request", "prices": {"12": "389.00"}}


def test_what_the_cards_offer_is_decided_by_the_rules() -> None:
    def request(status: RequestStatus, staff_id: int = 1) -> EquipmentRequest:
        return EquipmentRequest(7, staff_id, 1, status, (), None, Delivery.HOME, False, TODAY, datetime(2026, 11, 2, 9, 0))

    assert rules.may_cancel(request(RequestStatus.PENDING), staff())
    assert not rules.may_cancel(request(RequestStatus.PENDING, staff_id=2), staff())
    assert not rules.may_cancel(request(RequestStatus.APPROVED), staff())
    assert rules.fulfilment_steps(request(RequestStatus.APPROVED)) == (FulfilmentStep.ORDERED, FulfilmentStep.DELIVERED, FulfilmentStep.CANCELLED)
    assert rules.fulfilment_steps(request(RequestStatus.ORDERED)) == (FulfilmentStep.DELIVERED, FulfilmentStep.CANCELLED)
    assert rules.fulfilment_steps(request(RequestStatus.DELIVERED)) == rules.fulfilment_steps(request(RequestStatus.PENDING)) == ()
    assert rules.quantity_limit(item(max_quantity=2), reasonable_adjustment=False) == 2
    assert rules.quantity_limit(item(max_quantity=2), reasonable_adjustment=True) == rules.MAX_QUANTITY
