"""Every figure of every sheet, on SQLite and PostgreSQL, against a dataset known by heart
(tests/storage/report_dataset.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from bot.domain.errors import Forbidden, InvalidInput
from bot.domain.reports import (
    BudgetLine,
    CoachingLine,
    EquipmentLine,
    HomeworkAllowanceMonth,
    IneligibleGroup,
    InternetAllowanceLine,
    Month,
    WebinarLine,
)
from bot.domain.staff import Role, Staff
from bot.services.reports import BuildReport, ReportRequest, build_report
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW
from tests.storage.report_dataset import build_dataset

# In the service's zone (Brussels): the day boundaries of the period are taken there.
NOW = DEFAULT_NOW
Q = Decimal


def hr(entity_id: int = 1) -> Staff:
    return Staff(id=999, aad_object_id="x", email="hr@example.be", display_name="HR", entity_id=entity_id, entity_code="A",
                 manager_id=None, start_date=date(2010, 1, 1), roles=frozenset({Role.STAFF, Role.HR}))


async def report_for(uow_factory: UnitOfWorkFactory, entity: str | None = None, start: str = "2022-11", end: str = "2023-02"):
    return await build_report(uow_factory(), BuildReport(ReportRequest.parse(start, end, entity), hr()), NOW)


@pytest.fixture
async def dataset(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    await build_dataset(uow_factory)
    return uow_factory


def homework_rows(report) -> list[tuple]:  # noqa: ANN001
    return [(str(m.month), m.eligible_staff, m.home_workers, m.share, m.change, m.home_days) for m in report.homework]


async def test_homework_per_month_whole_administration(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    assert homework_rows(report) == [
        # Nov: ann bob dirk eva fien (fien's marking starts on the 15th); bob's satellite day on the 30th counts
        ("2022-11", 5, 4, Q("0.8000"), None, Q("4")),
        # Dec: eva and fien not eligible for the whole month (eva's home day is not counted); cas
        # started on the 10th (a half day)
        ("2022-12", 3, 1, Q("0.3333"), Q("-0.4667"), Q("0.5")),
        # Jan: cas's pending day and eva's rejected day do not count; bob counts once although he moved
        ("2023-01", 4, 2, Q("0.5000"), Q("0.1667"), Q("7")),
        # Feb: gert started on the 20th; eva's lifted marking does not cover the whole month; 28/02 counts
        ("2023-02", 5, 2, Q("0.4000"), Q("-0.1000"), Q("6")),
    ]


async def test_homework_per_month_counts_people_in_the_entity_of_the_time(dataset: UnitOfWorkFactory) -> None:
    entity_a = await report_for(dataset, "A")
    assert homework_rows(entity_a) == [
        ("2022-11", 4, 3, Q("0.7500"), None, Q("3")),
        ("2022-12", 2, 0, Q("0.0000"), Q("-0.7500"), Q("0")),
        ("2023-01", 3, 2, Q("0.6667"), Q("0.6667"), Q("6")),
        ("2023-02", 3, 1, Q("0.3333"), Q("-0.3334"), Q("2")),
    ]
    entity_b = await report_for(dataset, "B")
    assert homework_rows(entity_b) == [
        ("2022-11", 1, 1, Q("1.0000"), None, Q("1")),
        ("2022-12", 1, 1, Q("1.0000"), Q("0.0000"), Q("0.5")),
        ("2023-01", 2, 1, Q("0.5000"), Q("-0.5000"), Q("1")),
        ("2023-02", 2, 1, Q("0.5000"), Q("0.0000"), Q("4")),
    ]
    whole = await report_for(dataset)
    by_entity = [(str(m.month), m.entity.code, m.eligible_staff, m.home_workers, m.share) for m in whole.homework_by_entity]
    assert by_entity == [
        ("2022-11", "A", 4, 3, Q("0.7500")), ("2022-11", "B", 1, 1, Q("1.0000")),
        ("2022-12", "A", 2, 0, Q("0.0000")), ("2022-12", "B", 1, 1, Q("1.0000")),
        ("2023-01", "A", 3, 2, Q("0.6667")), ("2023-01", "B", 2, 1, Q("0.5000")),
        ("2023-02", "A", 3, 1, Q("0.3333")), ("2023-02", "B", 2, 1, Q("0.5000")),
    ]
    assert entity_a.homework_by_entity == []


async def test_period_boundaries_are_whole_months(dataset: UnitOfWorkFactory) -> None:
    one_month = await report_for(dataset, start="2022-11", end="2022-11")
    assert homework_rows(one_month) == [("2022-11", 5, 4, Q("0.8000"), None, Q("4"))]
    october = await report_for(dataset, start="2022-10", end="2022-10")
    # ann's day on 31/10 lies here, nothing of November leaks in; fien was not eligible all October
    assert [(m.eligible_staff, m.home_workers) for m in october.homework] == [(4, 1)]
    assert [(g.entity.code, g.reason, g.staff) for g in october.ineligible] == [("B", "competence", 1)]


async def test_ineligible_per_entity_and_reason(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    assert [(g.entity.code, g.reason, g.staff, g.at_period_end) for g in report.ineligible] == [
        ("A", "abuse", 1, 0),  # lifted on 10/02
        ("A", "function", 1, 0),
        ("B", "organisational", 1, 1),
    ]
    assert report.ineligible[0] == IneligibleGroup(report.ineligible[0].entity, "abuse", 1, 0)
    only_b = await report_for(dataset, "B")
    assert [(g.entity.code, g.reason, g.staff, g.at_period_end) for g in only_b.ineligible] == [("B", "organisational", 1, 1)]


async def test_webinars_per_session_with_local_time_boundaries(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    assert report.webinars == [
        WebinarLine("Focus @ home", "all", datetime(2022, 11, 1, 0, 30, tzinfo=report.webinars[0].session_start.tzinfo), 2, 1, 1),
        WebinarLine("Leidinggeven op afstand", "managers", datetime(2023, 1, 20, 10, 0, tzinfo=report.webinars[1].session_start.tzinfo), 2, 0, 1),
    ]
    entity_a = await report_for(dataset, "A")
    # bob was in B on 20/01; cas in B on 01/11 (waitlisted)
    assert [(w.title, w.registered, w.waitlisted, w.attended) for w in entity_a.webinars] == [
        ("Focus @ home", 2, 0, 1), ("Leidinggeven op afstand", 1, 0, 0),
    ]


async def test_coaching_per_year_and_kind(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    assert report.coaching == [CoachingLine(2022, "leadership", 1, 1, 1, 5), CoachingLine(2023, "resilience", 2, 2, 1, 2)]
    entity_b = await report_for(dataset, "B")
    assert entity_b.coaching == [CoachingLine(2023, "resilience", 2, 2, 1, 2)]
    entity_a = await report_for(dataset, "A")
    assert entity_a.coaching == [CoachingLine(2022, "leadership", 1, 1, 1, 5)]


async def test_internet_allowance_per_mode_per_year_with_a_switcher(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    assert report.staff_per_year == {2022: 6, 2023: 6}
    assert report.internet_allowance == [
        InternetAllowanceLine(2022, "flat_fee", 2, Q("0.3333"), 3, Q("60.00")),
        InternetAllowanceLine(2022, "third_party_payer", 2, Q("0.3333"), 3, Q("85.50")),
        # bob switched on 1/2/2023: he counts in both modes
        InternetAllowanceLine(2023, "flat_fee", 3, Q("0.5000"), 5, Q("100.00")),
        InternetAllowanceLine(2023, "third_party_payer", 1, Q("0.1667"), 1, Q("30.00")),
    ]
    entity_b = await report_for(dataset, "B")
    assert entity_b.staff_per_year == {2022: 2, 2023: 3}
    assert entity_b.internet_allowance == [
        InternetAllowanceLine(2022, "flat_fee", 1, Q("0.5000"), 1, Q("20.00")),
        InternetAllowanceLine(2023, "flat_fee", 2, Q("0.6667"), 3, Q("60.00")),
        InternetAllowanceLine(2023, "third_party_payer", 1, Q("0.3333"), 1, Q("30.00")),
    ]


async def test_internet_allowance_before_it_existed_costs_nothing(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset, start="2021-08", end="2021-09")
    # ann's flat fee starts in 10/2021; dirk's third party in 11/2021: nobody has a mode yet
    assert report.internet_allowance == []


async def test_homework_allowance_per_month(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    assert report.homework_allowance == [
        HomeworkAllowanceMonth(Month(2022, 11), 0, Q("0.00")),  # before 1/1/2023
        HomeworkAllowanceMonth(Month(2022, 12), 0, Q("0.00")),
        HomeworkAllowanceMonth(Month(2023, 1), 1, Q("20.00")),  # ann: 5 of 22 working days
        HomeworkAllowanceMonth(Month(2023, 2), 1, Q("20.00")),  # gert: 2 of his 7 working days; cas: 1 of 20 (her 3 weekend days do not count)
    ]
    entity_b = await report_for(dataset, "B")
    assert [m.staff for m in entity_b.homework_allowance] == [0, 0, 0, 0]


async def test_equipment_and_budgets(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    assert report.equipment == [
        EquipmentLine(2022, "Klein kantoormateriaal", "HEADSET", "Headset", 3, 2, Q("120.00")),
        EquipmentLine(2023, "Klein kantoormateriaal", "HEADSET", "Headset", 1, 1, Q("45.00")),
    ]
    assert report.equipment_staff_per_year == {2022: 2, 2023: 1}
    assert report.budgets == [
        BudgetLine(2022, "Klein kantoormateriaal", Q("1000.00"), Q("120.00")),
        BudgetLine(2023, "Klein kantoormateriaal", Q("800.00"), Q("45.00")),
    ]
    assert report.budgets[1].remaining == Q("755.00") and report.budgets[1].used == Q("0.0563")
    entity_a = await report_for(dataset, "A")
    assert entity_a.budgets == [
        BudgetLine(2022, "Klein kantoormateriaal", Q("1000.00"), Q("120.00")),
        BudgetLine(2023, "Klein kantoormateriaal", Q("500.00"), Q("0.00")),
    ]


async def test_only_hr_and_admin_may_ask(dataset: UnitOfWorkFactory) -> None:
    staff = Staff(id=5, aad_object_id="y", email="s@example.be", display_name="S", entity_id=1, entity_code="A",
                  manager_id=None, start_date=date(2010, 1, 1), roles=frozenset({Role.STAFF, Role.MANAGER}))
    with pytest.raises(Forbidden):
        await build_report(dataset(), BuildReport(ReportRequest.parse("2022-11", "2023-02"), staff), NOW)
    admin = Staff(id=6, aad_object_id="z", email="a@example.be", display_name="A", entity_id=1, entity_code="A",
                  manager_id=None, start_date=date(2010, 1, 1), roles=frozenset({Role.STAFF, Role.ADMIN}))
    assert (await build_report(dataset(), BuildReport(ReportRequest.parse("2022-11", "2022-11"), admin), NOW)).homework


async def test_unknown_entity_is_refused(dataset: UnitOfWorkFactory) -> None:
    with pytest.raises(InvalidInput) as refused:
        await report_for(dataset, "NOPE")
    assert refused.value.key == "reports.unknown_entity"
