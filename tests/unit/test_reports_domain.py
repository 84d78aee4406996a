"""Pure rules of the report: months and periods, shares and their evolution, key figures, history rows,
and the cards built from them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.history import parse_equipment, parse_ineligible, parse_registrations
from bot.domain.reports import (
    BudgetGrant,
    BudgetLine,
    CategorySpending,
    CoachingLine,
    EntityRef,
    HomeworkMonth,
    Month,
    Period,
    Report,
    budget_lines,
    hidden,
    key_figures,
    parse_min_cell,
    percentage,
    quarter_label,
    with_evolution,
)
from bot.i18n import Translator
from bot.services.reports import ReportRequest, default_period
from dialogs.cards.reports import ReportFormView, ReportSummaryView, report_form_card, report_summary_card
from tests.cards import assert_valid_card

Q = Decimal


def test_month_parsing_and_arithmetic() -> None:
    assert Month.parse("2021-01") == Month(2021, 1)
    assert Month.parse(" 2023-9 ") == Month(2023, 9)
    assert Month(2023, 12).next() == Month(2024, 1) and Month(2024, 1).previous() == Month(2023, 12)
    assert Month(2024, 2).last_day == date(2024, 2, 29) and Month(2023, 2).last_day == date(2023, 2, 28)
    for bad in ("2023-13", "2023-00", "23-01", "januari", "", "2023-01-01"):
        with pytest.raises(InvalidInput) as refused:
            Month.parse(bad)
        assert refused.value.key == "reports.bad_month"


def test_period_is_whole_months_in_order_and_bounded() -> None:
    period = Period.parse("2021-01", "2023-10")
    assert (period.first_day, period.last_day) == (date(2021, 1, 1), date(2023, 10, 31))
    assert len(period.months()) == 34 and period.years() == [2021, 2022, 2023]
    assert period.year_bounds(2023) == (date(2023, 1, 1), date(2023, 10, 31))
    assert str(period) == "2021-01 - 2023-10"
    with pytest.raises(InvalidInput) as reversed_period:
        Period.parse("2023-10", "2021-01")
    assert reversed_period.value.key == "reports.period_reversed"
    with pytest.raises(InvalidInput) as too_long:
        Period.parse("2000-01", "2010-01")
    assert too_long.value.key == "reports.period_too_long"
    assert len(Period.parse("2000-01", "2009-12").months()) == 120


def test_request_round_trips_through_link_parameters() -> None:
    request = ReportRequest.parse("2022-01", "2022-12", " dwse ")
    assert request.entity_code == "DWSE"
    assert ReportRequest.from_params(request.as_params()) == request
    assert ReportRequest.parse("2022-01", "2022-12", "").entity_code is None
    assert default_period(date(2026, 11, 22)) == ("2025-01", "2026-10")
    assert default_period(date(2026, 1, 5)) == ("2025-01", "2025-12")


def test_share_and_evolution() -> None:
    assert percentage(1, 3) == Q("0.3333") and percentage(2, 3) == Q("0.6667") and percentage(0, 0) is None
    months = with_evolution([
        HomeworkMonth(Month(2023, 1), 2, 4, Q(3)), HomeworkMonth(Month(2023, 2), 0, 0, Q(0)), HomeworkMonth(Month(2023, 3), 1, 3, Q(1)),
    ])
    assert [(m.share, m.change) for m in months] == [(Q("0.5000"), None), (None, None), (Q("0.3333"), None)]


def _report(**sections) -> Report:  # noqa: ANN003
    months = with_evolution([HomeworkMonth(Month(2023, 1), 1, 4, Q(1)), HomeworkMonth(Month(2023, 2), 3, 4, Q(5))])
    return Report(period=Period.parse("2023-01", "2023-02"), entity=None, produced_at=datetime(2026, 11, 22, tzinfo=UTC),
                  homework=months, ineligible=[], **sections)


def test_key_figures() -> None:
    figures = key_figures(_report(coaching=[CoachingLine(2023, "leadership", 3, 2, 1, 4), CoachingLine(None, None, 3, 2, 1, 4)]))
    assert figures.average_share == Q("0.5000")
    assert figures.peak_month.month == Month(2023, 2) and figures.last_month.month == Month(2023, 2)
    assert figures.coaching_requests == 3 and figures.webinar_attendees is None and figures.equipment_amount is None


def test_summary_and_form_cards_are_valid_in_both_languages() -> None:
    for locale in ("nl", "en"):
        t = Translator(locale)
        figures = key_figures(_report())
        card = report_summary_card(t, ReportSummaryView("2023-01 - 2023-02", "DWSE", figures, "https://bot.example/downloads/x", 15))
        assert_valid_card(card)
        assert card["actions"][0]["url"] == "https://bot.example/downloads/x"
        text = str(card)
        assert "'value': '50%'" in text
        assert ("75% (3 van 4)" if locale == "nl" else "75% (3 of 4)") in text
        assert_valid_card(report_form_card(t, ReportFormView("2025-01", "2026-10", [])))


def test_registration_rows() -> None:
    rows = [
        (2, {"email": "A@x.be", "date": "2021-03-01", "place": "Home", "part": ""}),
        (3, {"email": "", "date": "", "place": "", "part": ""}),  # blank line
        (4, {"email": "a@x.be", "date": "2021-03-01", "place": "home", "part": "am"}),
        (5, {"email": "not-an-email", "date": "2021-03-02", "place": "home", "part": "full"}),
        (6, {"email": "b@x.be", "date": "2021-03-02", "place": "beach", "part": "evening"}),
    ]
    lines, problems = parse_registrations(rows, today=date(2026, 11, 22))
    assert [(line.line, line.email, line.place, line.part) for line in lines] == [(2, "a@x.be", "home", "full")]
    assert [p.line for p in problems] == [4, 5, 6]
    assert "repeats line 2" in problems[0].reason and "beach" in problems[2].reason and "evening" in problems[2].reason


def test_ineligible_and_equipment_rows() -> None:
    lines, problems = parse_ineligible([
        (2, {"email": "a@x.be", "reason": "Function", "from": "2021-01-01", "until": ""}),
        (3, {"email": "a@x.be", "reason": "function", "from": "2021-01-01", "until": ""}),
        (4, {"email": "a@x.be", "reason": "other", "from": "2021-01-01", "until": "2020-01-01"}),
    ])
    assert [(line.reason, line.valid_until) for line in lines] == [("function", None)]
    assert [p.line for p in problems] == [3, 4]
    items, problems = parse_equipment([
        (2, {"email": "a@x.be", "item_code": "HEADSET", "delivered_on": "2021-01-05", "unit_price": "24,99"}),
        (3, {"email": "a@x.be", "item_code": "CHAIR", "delivered_on": "2021-01-05", "unit_price": "1.234"}),
        (4, {"email": "a@x.be", "item_code": "", "delivered_on": "2031-01-05", "unit_price": "NaN"}),
    ], today=date(2026, 11, 22))
    assert [(i.item_code, i.unit_price) for i in items] == [("HEADSET", Q("24.99"))]
    assert [p.line for p in problems] == [3, 4]


def test_budgets_cover_their_years_annual_and_one_off() -> None:
    a, b = EntityRef("A", "Entiteit A"), EntityRef("B", "Entiteit B")
    grants = [
        BudgetGrant(a, "MON", "Beeldschermen", 2021, Q("30000.00"), one_off=True),  # covers 2021 and 2022, not 2023
        BudgetGrant(a, "MON", "Beeldschermen", 2023, Q("5000.00"), one_off=False),
        BudgetGrant(b, "MON", "Beeldschermen", 2021, Q("1000.00"), one_off=False),  # 2022: B has no budget
    ]
    spending = [
        CategorySpending(a, "MON", "Beeldschermen", 2021, Q("10000.00")),
        CategorySpending(a, "MON", "Beeldschermen", 2022, Q("12000.00")),
        CategorySpending(a, "MON", "Beeldschermen", 2023, Q("4000.00")),
        CategorySpending(b, "MON", "Beeldschermen", 2022, Q("300.00")),
    ]
    lines = budget_lines(grants, spending, [2021, 2022, 2023], breakdown=True)
    assert [(line.entity.code if line.entity else "*", line.years, line.one_off, line.budget, line.spent) for line in lines] == [
        ("*", "2021", False, Q("1000.00"), Q("0.00")),
        ("*", "2021-2022", True, Q("30000.00"), Q("22000.00")),
        ("*", "2022", False, None, Q("300.00")),  # delivered without a budget
        ("*", "2023", False, Q("5000.00"), Q("4000.00")),
        ("A", "2021-2022", True, Q("30000.00"), Q("22000.00")),
        ("A", "2023", False, Q("5000.00"), Q("4000.00")),
        ("B", "2021", False, Q("1000.00"), Q("0.00")),
        ("B", "2022", False, None, Q("300.00")),
    ]
    assert lines[1].used == Q("0.7333") and lines[2].remaining is None
    assert budget_lines(grants, spending, [2023], breakdown=False) == [
        BudgetLine(2023, "Beeldschermen", Q("5000.00"), Q("4000.00")),
    ]


def test_small_counts_threshold_and_rule() -> None:
    assert parse_min_cell(None) is None and parse_min_cell("") is None and parse_min_cell("0") is None
    assert parse_min_cell(" 5 ") == 5 and parse_min_cell(100) == 100
    for bad in ("1", "101", "-5", "vijf", "2.5"):
        with pytest.raises(InvalidInput) as refused:
            parse_min_cell(bad)
        assert refused.value.key == "reports.bad_min_cell"
    assert [hidden(n, 5) for n in (0, 1, 4, 5, 12)] == [False, True, True, False, False]
    assert not hidden(1, None)


def test_evolution_per_entity_and_quarters() -> None:
    a = EntityRef("A", "Entiteit A")
    months = with_evolution([
        HomeworkMonth(Month(2023, 1), 1, 4, Q(1)), HomeworkMonth(Month(2023, 2), 2, 4, Q(2)),
        HomeworkMonth(Month(2023, 1), 1, 2, Q(1), entity=a), HomeworkMonth(Month(2023, 2), 0, 2, Q(0), entity=a),
    ])
    assert [(m.share, m.change) for m in months] == [
        (Q("0.2500"), None), (Q("0.5000"), Q("0.2500")), (Q("0.5000"), None), (Q("0.0000"), Q("-0.5000")),
    ]
    assert [quarter_label(date(2023, m, 1)) for m in (1, 3, 4, 12)] == ["2023-K1", "2023-K1", "2023-K2", "2023-K4"]
