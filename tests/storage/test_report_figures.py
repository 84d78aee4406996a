"""Every figure of every sheet, on SQLite and PostgreSQL, against a dataset known by heart
(tests/storage/report_dataset.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.domain.errors import Forbidden, InvalidInput
from bot.domain.reports import (
    BudgetLine,
    EntityRef,
    EquipmentLine,
    HomeworkAllowanceMonth,
    Month,
    StaffServed,
    WebinarLine,
)
from bot.domain.staff import Role, Staff
from bot.i18n import Translator
from bot.reports.workbook import render_workbook
from bot.services.reports import BuildReport, ReportRequest, build_report
from storage.models import Base
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


def code(line) -> str:  # noqa: ANN001
    """The line's entity code; "*" for the report's whole scope (the total)."""
    return line.entity.code if line.entity else "*"


def homework_rows(report, entity: str = "*") -> list[tuple]:  # noqa: ANN001
    return [(str(m.month), m.eligible_staff, m.home_workers, m.share, m.change, m.home_days, m.satellite_days)
            for m in report.homework if code(m) == entity]


# Every figure of the home-work sheet: the total, then each entity, each with its own evolution.
HOMEWORK_TOTAL = [
    # Nov: ann bob dirk eva fien (fien's marking starts on the 15th); bob's satellite day on the 30th
    # makes him a home worker but is no home day
    ("2022-11", 5, 4, Q("0.8000"), None, Q("3"), Q("1")),
    # Dec: eva and fien not eligible for the whole month (eva's home day is not counted); cas
    # started on the 10th (a half day)
    ("2022-12", 3, 1, Q("0.3333"), Q("-0.4667"), Q("0.5"), Q("0")),
    # Jan: cas's pending day and eva's rejected day do not count; bob counts once although he moved
    ("2023-01", 4, 2, Q("0.5000"), Q("0.1667"), Q("7"), Q("0")),
    # Feb: gert started on the 20th; eva's lifted marking does not cover the whole month; cas's three
    # satellite days are apart from her home days (28/02 and three weekend rows)
    ("2023-02", 5, 2, Q("0.4000"), Q("-0.1000"), Q("6"), Q("3")),
]
HOMEWORK_A = [
    ("2022-11", 4, 3, Q("0.7500"), None, Q("2"), Q("1")),
    ("2022-12", 2, 0, Q("0.0000"), Q("-0.7500"), Q("0"), Q("0")),
    ("2023-01", 3, 2, Q("0.6667"), Q("0.6667"), Q("6"), Q("0")),  # bob's day of 10/01 is A's, 20/01 B's
    ("2023-02", 3, 1, Q("0.3333"), Q("-0.3334"), Q("2"), Q("0")),
]
HOMEWORK_B = [
    ("2022-11", 1, 1, Q("1.0000"), None, Q("1"), Q("0")),
    ("2022-12", 1, 1, Q("1.0000"), Q("0.0000"), Q("0.5"), Q("0")),
    ("2023-01", 2, 1, Q("0.5000"), Q("-0.5000"), Q("1"), Q("0")),
    ("2023-02", 2, 1, Q("0.5000"), Q("0.0000"), Q("4"), Q("3")),
]


async def test_homework_per_month_whole_administration_and_per_entity(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    assert homework_rows(report) == HOMEWORK_TOTAL
    assert homework_rows(report, "A") == HOMEWORK_A
    assert homework_rows(report, "B") == HOMEWORK_B
    assert [code(m) for m in report.homework] == ["*"] * 4 + ["A"] * 4 + ["B"] * 4  # totals first


async def test_homework_per_month_counts_people_in_the_entity_of_the_time(dataset: UnitOfWorkFactory) -> None:
    entity_a = await report_for(dataset, "A")
    assert homework_rows(entity_a) == HOMEWORK_A  # the entity's own report: the same figures, no breakdown
    assert {code(m) for m in entity_a.homework} == {"*"}
    entity_b = await report_for(dataset, "B")
    assert homework_rows(entity_b) == HOMEWORK_B


async def test_period_boundaries_are_whole_months(dataset: UnitOfWorkFactory) -> None:
    one_month = await report_for(dataset, start="2022-11", end="2022-11")
    assert homework_rows(one_month) == HOMEWORK_TOTAL[:1]
    october = await report_for(dataset, start="2022-10", end="2022-10")
    # ann's day on 31/10 lies here, nothing of November leaks in; fien was not eligible all October
    assert [(m.eligible_staff, m.home_workers) for m in october.homework if m.entity is None] == [(4, 1)]
    assert [(code(g), g.reason, g.staff) for g in october.ineligible] == [("*", "competence", 1), ("B", "competence", 1)]


async def test_ineligible_per_reason_in_total_and_per_entity(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    assert [(code(g), g.reason, g.staff, g.at_period_end) for g in report.ineligible] == [
        ("*", "abuse", 1, 0),  # lifted on 10/02
        ("*", "function", 1, 0),
        ("*", "organisational", 1, 1),
        ("A", "abuse", 1, 0),
        ("A", "function", 1, 0),
        ("B", "organisational", 1, 1),
    ]
    only_b = await report_for(dataset, "B")
    assert [(code(g), g.reason, g.staff, g.at_period_end) for g in only_b.ineligible] == [("*", "organisational", 1, 1)]


async def test_webinars_per_session_with_local_time_boundaries(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    zone = report.webinars[0].session_start.tzinfo
    total = [line for line in report.webinars if line.entity is None]
    assert total == [
        WebinarLine("Focus @ home", "all", datetime(2022, 11, 1, 0, 30, tzinfo=zone), 2, 1, 1),
        WebinarLine("Leidinggeven op afstand", "managers", datetime(2023, 1, 20, 10, 0, tzinfo=zone), 2, 0, 1),
        WebinarLine("Focus @ home", "all", datetime(2023, 2, 10, 10, 0, tzinfo=zone), 2, 1, 2),
    ]
    # per entity of the session's day: bob was in A on 1/11 and in B on 20/01; cas had not started
    # on 1/11 (her waitlist place is in the total only); fien (B) waited for the repeat
    assert [(code(w), w.title, w.session_start.date(), w.registered, w.waitlisted, w.attended) for w in report.webinars if w.entity] == [
        ("A", "Focus @ home", date(2022, 11, 1), 2, 0, 1),
        ("A", "Leidinggeven op afstand", date(2023, 1, 20), 1, 0, 0),
        ("A", "Focus @ home", date(2023, 2, 10), 2, 0, 2),
        ("B", "Leidinggeven op afstand", date(2023, 1, 20), 1, 0, 1),
        ("B", "Focus @ home", date(2023, 2, 10), 0, 1, 0),
    ]
    entity_a = await report_for(dataset, "A")
    assert [(w.title, w.registered, w.waitlisted, w.attended) for w in entity_a.webinars] == [
        ("Focus @ home", 2, 0, 1), ("Leidinggeven op afstand", 1, 0, 0), ("Focus @ home", 2, 0, 2),
    ]


def webinar_totals(report, entity: str = "*") -> list[tuple]:  # noqa: ANN001
    return [(t.by, t.value, t.sessions, t.registered, t.waitlisted, t.attended, t.participants)
            for t in report.webinar_totals if code(t) == entity]


async def test_webinar_totals_per_title_target_group_and_period_with_distinct_participants(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    assert webinar_totals(report) == [
        # "Focus @ home" ran twice (two webinars, one title): ann attended both, so 3 attendances and
        # 2 distinct participants (ann, eva); cas and fien waited, one session each
        ("title", "Focus @ home", 2, 4, 2, 3, 2),
        ("title", "Leidinggeven op afstand", 1, 2, 0, 1, 1),
        ("target_group", "all", 2, 4, 2, 3, 2),
        ("target_group", "managers", 1, 2, 0, 1, 1),
        ("year", "2022", 1, 2, 1, 1, 1),
        ("year", "2023", 2, 4, 1, 3, 3),
        ("quarter", "2022-K4", 1, 2, 1, 1, 1),
        ("quarter", "2023-K1", 2, 4, 1, 3, 3),
        ("all", "all", 3, 6, 2, 4, 3),  # ann, bob, eva
    ]
    assert webinar_totals(report, "A") == [
        ("title", "Focus @ home", 2, 4, 0, 3, 2),
        ("title", "Leidinggeven op afstand", 1, 1, 0, 0, 0),
        ("target_group", "all", 2, 4, 0, 3, 2),
        ("target_group", "managers", 1, 1, 0, 0, 0),
        ("year", "2022", 1, 2, 0, 1, 1),
        ("year", "2023", 2, 3, 0, 2, 2),
        ("quarter", "2022-K4", 1, 2, 0, 1, 1),
        ("quarter", "2023-K1", 2, 3, 0, 2, 2),
        ("all", "all", 3, 5, 0, 3, 2),
    ]
    b_lines = [
        ("title", "Focus @ home", 1, 0, 1, 0, 0),
        ("title", "Leidinggeven op afstand", 1, 1, 0, 1, 1),
        ("target_group", "all", 1, 0, 1, 0, 0),
        ("target_group", "managers", 1, 1, 0, 1, 1),
        ("year", "2023", 2, 1, 1, 1, 1),
        ("quarter", "2023-K1", 2, 1, 1, 1, 1),
        ("all", "all", 2, 1, 1, 1, 1),
    ]
    assert webinar_totals(report, "B") == b_lines
    only_b = await report_for(dataset, "B")
    # the entity's own report also lists the period with no registrations of its staff
    assert webinar_totals(only_b) == b_lines[:4] + [("year", "2022", 0, 0, 0, 0, 0)] + b_lines[4:5] + [
        ("quarter", "2022-K4", 0, 0, 0, 0, 0)] + b_lines[5:]


def coaching_rows(report, entity: str = "*") -> list[tuple]:  # noqa: ANN001
    return [(c.year, c.kind, c.requests, c.staff, c.coached_staff, c.conversations) for c in report.coaching if code(c) == entity]


async def test_coaching_per_year_and_kind_and_over_the_whole_period(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    assert coaching_rows(report) == [
        (2022, "leadership", 1, 1, 1, 5),
        (2022, None, 1, 1, 1, 5),
        (2023, "resilience", 3, 3, 2, 3),  # bob (no conversation yet), cas, ann
        (2023, None, 3, 3, 2, 3),
        (None, "leadership", 1, 1, 1, 5),
        (None, "resilience", 3, 3, 2, 3),
        (None, None, 4, 3, 2, 8),  # ann had both kinds: 3 staff, not 4
    ]
    assert coaching_rows(report, "A") == [
        (2022, "leadership", 1, 1, 1, 5), (2022, None, 1, 1, 1, 5), (2023, "resilience", 1, 1, 1, 1), (2023, None, 1, 1, 1, 1),
        (None, "leadership", 1, 1, 1, 5), (None, "resilience", 1, 1, 1, 1), (None, None, 2, 1, 1, 6),
    ]
    b_lines = [(2023, "resilience", 2, 2, 1, 2), (2023, None, 2, 2, 1, 2), (None, "resilience", 2, 2, 1, 2), (None, None, 2, 2, 1, 2)]
    assert coaching_rows(report, "B") == b_lines  # bob asked on 18/01, in B since the 16th
    assert coaching_rows(await report_for(dataset, "B")) == b_lines
    assert report.key_figures().coaching_requests == 4


def internet_rows(report, entity: str = "*") -> list[tuple]:  # noqa: ANN001
    return [(i.year, i.mode, i.staff, i.eligible_staff, i.share, i.months, i.amount) for i in report.internet_allowance
            if code(i) == entity]


async def test_internet_allowance_per_mode_and_over_both_modes_per_year(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    assert report.staff_per_year == {2022: 6, 2023: 6}
    assert internet_rows(report) == [
        # eligible 2022: ann bob dirk eva fien (November) and cas (December)
        (2022, "flat_fee", 2, 6, Q("0.3333"), 3, Q("60.00")),
        (2022, "third_party_payer", 2, 6, Q("0.3333"), 3, Q("85.50")),
        (2022, None, 4, 6, Q("0.6667"), 6, Q("145.50")),
        # eligible 2023: fien is not (marked the whole time); bob switched on 1/2/2023: he counts
        # in both modes, once over both
        (2023, "flat_fee", 3, 5, Q("0.6000"), 5, Q("100.00")),
        (2023, "third_party_payer", 1, 5, Q("0.2000"), 1, Q("30.00")),
        (2023, None, 3, 5, Q("0.6000"), 6, Q("130.00")),
    ]
    assert internet_rows(report, "A") == [
        (2022, "flat_fee", 1, 4, Q("0.2500"), 2, Q("40.00")),
        (2022, "third_party_payer", 2, 4, Q("0.5000"), 3, Q("85.50")),
        (2022, None, 3, 4, Q("0.7500"), 5, Q("125.50")),
        # bob was in A part of January (in its denominator) but in B on the 31st (his allowance)
        (2023, "flat_fee", 1, 4, Q("0.2500"), 2, Q("40.00")),
        (2023, None, 1, 4, Q("0.2500"), 2, Q("40.00")),
    ]
    b_lines = [
        (2022, "flat_fee", 1, 2, Q("0.5000"), 1, Q("20.00")),
        (2022, None, 1, 2, Q("0.5000"), 1, Q("20.00")),
        (2023, "flat_fee", 2, 2, Q("1.0000"), 3, Q("60.00")),
        (2023, "third_party_payer", 1, 2, Q("0.5000"), 1, Q("30.00")),
        (2023, None, 2, 2, Q("1.0000"), 4, Q("90.00")),
    ]
    assert internet_rows(report, "B") == b_lines
    entity_b = await report_for(dataset, "B")
    assert entity_b.staff_per_year == {2022: 2, 2023: 3}
    assert internet_rows(entity_b) == b_lines
    assert report.key_figures().internet_allowance_amount == Q("275.50")


async def test_internet_allowance_before_it_existed_costs_nothing(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset, start="2021-08", end="2021-09")
    # ann's flat fee starts in 10/2021; dirk's third party in 11/2021: nobody has a mode yet
    assert report.internet_allowance == []


async def test_homework_allowance_per_month(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    assert [(code(m), str(m.month), m.staff, m.amount) for m in report.homework_allowance] == [
        ("*", "2022-11", 0, Q("0.00")),  # before 1/1/2023
        ("*", "2022-12", 0, Q("0.00")),
        ("*", "2023-01", 1, Q("20.00")),  # ann: 5 of 22 working days
        # gert: 2 of his 7 working days; cas: 1 home day of 20 (her 3 weekend days do not count, nor
        # her 3 satellite days, which would have made it 4 of 20)
        ("*", "2023-02", 1, Q("20.00")),
        ("A", "2022-11", 0, Q("0.00")), ("A", "2022-12", 0, Q("0.00")), ("A", "2023-01", 1, Q("20.00")), ("A", "2023-02", 1, Q("20.00")),
        ("B", "2022-11", 0, Q("0.00")), ("B", "2022-12", 0, Q("0.00")), ("B", "2023-01", 0, Q("0.00")), ("B", "2023-02", 0, Q("0.00")),
    ]
    entity_b = await report_for(dataset, "B")
    assert [m.staff for m in entity_b.homework_allowance] == [0, 0, 0, 0]
    assert HomeworkAllowanceMonth(Month(2023, 1), 1, Q("20.00")) in report.homework_allowance


async def test_equipment_and_budgets(dataset: UnitOfWorkFactory) -> None:
    report = await report_for(dataset)
    a = EntityRef("A", "Entiteit A")
    b = EntityRef("B", "Entiteit B")
    assert report.equipment == [
        EquipmentLine(2022, "Klein kantoormateriaal", "HEADSET", "Headset", 3, 2, Q("120.00")),
        EquipmentLine(2023, "Klein kantoormateriaal", "HEADSET", "Headset", 1, 1, Q("45.00")),
        EquipmentLine(2022, "Klein kantoormateriaal", "HEADSET", "Headset", 3, 2, Q("120.00"), a),
        EquipmentLine(2023, "Klein kantoormateriaal", "HEADSET", "Headset", 1, 1, Q("45.00"), b),
    ]
    assert report.staff_served == [StaffServed(2022, 2), StaffServed(2023, 1), StaffServed(2022, 2, a), StaffServed(2023, 1, b)]
    assert report.budgets == [
        BudgetLine(2022, "Klein kantoormateriaal", Q("1000.00"), Q("120.00")),
        # B's one-off budget of 2022 covers 2023 too (no budget of its own): bob's headset of 2023
        BudgetLine(2022, "Klein kantoormateriaal", Q("300.00"), Q("45.00"), 2023, True),
        BudgetLine(2023, "Klein kantoormateriaal", Q("500.00"), Q("0.00")),
        BudgetLine(2022, "Klein kantoormateriaal", Q("1000.00"), Q("120.00"), entity=a),
        BudgetLine(2023, "Klein kantoormateriaal", Q("500.00"), Q("0.00"), entity=a),
        BudgetLine(2022, "Klein kantoormateriaal", Q("300.00"), Q("45.00"), 2023, True, b),
    ]
    assert report.budgets[1].years == "2022-2023" and report.budgets[1].remaining == Q("255.00") and report.budgets[1].used == Q("0.1500")
    entity_a = await report_for(dataset, "A")
    assert entity_a.budgets == [
        BudgetLine(2022, "Klein kantoormateriaal", Q("1000.00"), Q("120.00")),
        BudgetLine(2023, "Klein kantoormateriaal", Q("500.00"), Q("0.00")),
    ]
    # a one-off budget granted before the period still covers its years
    later = await report_for(dataset, "B", start="2023-01", end="2023-02")
    assert later.budgets == [BudgetLine(2022, "Klein kantoormateriaal", Q("300.00"), Q("45.00"), 2023, True)]


async def test_a_report_writes_nothing(dataset: UnitOfWorkFactory) -> None:
    """Building every sheet (both scopes) and rendering the workbook leaves every table as it was."""
    before = await table_contents(dataset)
    for entity in (None, "A"):
        report = await report_for(dataset, entity)
        render_workbook(report, Translator("nl"))
    assert await table_contents(dataset) == before


async def table_contents(uow_factory: UnitOfWorkFactory) -> dict[str, list[tuple]]:
    async with uow_factory() as uow:
        contents = {}
        for table in Base.metadata.sorted_tables:
            rows = await uow.session.execute(select(table))
            contents[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return contents


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
