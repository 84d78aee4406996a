"""Report use cases on the in-memory unit of work: who may ask, the form, the figures asked for the
right scope and zone, the download link's report. Reads only: nothing is committed or told."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import Month
from bot.domain.errors import Forbidden, InvalidInput, NotFound
from bot.domain.reports import (
    CoachingLine,
    EntityRef,
    HomeworkMonth,
    InternetAllowanceLine,
)
from bot.domain.staff import Role, Staff
from bot.services import reports as service
from tests.fakes.repositories.reports import SeededSession, seed
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BRUSSELS)
Q = Decimal


@pytest.fixture
def db() -> FakeDatabase:
    db = FakeDatabase()
    db.add_entity("DWSE", "Departement Werk en Sociale Economie")
    db.add_entity("DV", "Agentschap Digitaal Vlaanderen")
    return db


@pytest.fixture
def hr(db: FakeDatabase) -> Staff:
    return db.add_staff("Hilde HR", roles=(Role.HR,))


def _request(start: str = "2022-11", end: str = "2023-01", entity: str | None = None) -> service.ReportRequest:
    return service.ReportRequest.parse(start, end, entity)


async def _build(db: FakeDatabase, actor: Staff | None, request: service.ReportRequest, locale: str = "nl", now: datetime = NOW):  # noqa: ANN202
    return await service.build_report(FakeUnitOfWork(db), service.BuildReport(request, actor, locale), now)


def _nothing_written(db: FakeDatabase) -> None:
    assert (db.commits, db.outbox(), db.audit()) == (0, [], [])


async def test_the_form_suggests_last_year_to_last_month_and_every_entity(db: FakeDatabase, hr: Staff) -> None:
    choices = await service.report_form(FakeUnitOfWork(db), service.ReportForm(hr), NOW)
    assert (choices.start, choices.end) == ("2025-01", "2026-10")
    assert choices.entities == [EntityRef("DV", "Agentschap Digitaal Vlaanderen"), EntityRef("DWSE", "Departement Werk en Sociale Economie")]
    _nothing_written(db)


@pytest.mark.parametrize("roles", [(), (Role.MANAGER,), (Role.LOGISTICS, Role.COACH)])
async def test_only_hr_and_admins_get_the_form_or_a_report(db: FakeDatabase, roles: tuple[Role, ...]) -> None:
    someone = db.add_staff("Stan Staff", roles=roles)
    with pytest.raises(Forbidden):
        await service.report_form(FakeUnitOfWork(db), service.ReportForm(someone), NOW)
    with pytest.raises(Forbidden):
        await service.prepare_report(FakeUnitOfWork(db), service.PrepareReport(someone, "2022-01", "2022-12", None), NOW)
    with pytest.raises(Forbidden):
        await _build(db, someone, _request())
    _nothing_written(db)


async def test_hr_who_left_may_not_ask_an_admin_may(db: FakeDatabase) -> None:
    gone = db.add_staff("Greta Gone", roles=(Role.HR,), end_date=date(2026, 10, 31))
    with pytest.raises(Forbidden):
        await service.prepare_report(FakeUnitOfWork(db), service.PrepareReport(gone, "2022-01", "2022-12", None), NOW)
    admin = db.add_staff("Ada Admin", roles=(Role.ADMIN,))
    request = await service.prepare_report(FakeUnitOfWork(db), service.PrepareReport(admin, "2022-01", "2022-12", " dwse "), NOW)
    assert (str(request.period), request.entity_code) == ("2022-01 - 2022-12", "DWSE")


@pytest.mark.parametrize(
    ("start", "end", "entity", "key"),
    [
        ("2023-13", "2023-12", None, "reports.bad_month"),
        ("2023-10", "2021-01", None, "reports.period_reversed"),
        ("2000-01", "2023-12", None, "reports.period_too_long"),
        ("2023-01", "2023-12", "XYZ", "reports.unknown_entity"),
        ("2023-01", "2023-12", "X" * 40, "reports.unknown_entity"),
    ],
)
async def test_a_bad_form_is_refused_before_any_work(db: FakeDatabase, hr: Staff, start: str, end: str, entity: str | None, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        await service.prepare_report(FakeUnitOfWork(db), service.PrepareReport(hr, start, end, entity), NOW)
    assert refused.value.key == key
    _nothing_written(db)


async def test_the_whole_administration_with_shares_evolution_and_entity_lines(db: FakeDatabase, hr: Staff) -> None:
    dwse = db.table("entities")[1]
    seed(db, "homework", [HomeworkMonth(Month(2022, 11), 4, 5, Q("4")), HomeworkMonth(Month(2023, 1), 2, 4, Q("7"))])
    seed(db, "homework", [HomeworkMonth(Month(2022, 11), 1, 1, Q("1"))], entity_id=dwse.id)
    by_entity = [
        HomeworkMonth(Month(2022, 10), 1, 2, Q("0.5"), entity=EntityRef("DWSE", dwse.name)),  # outside the period
        HomeworkMonth(Month(2022, 11), 3, 4, Q("0.75"), entity=EntityRef("DWSE", dwse.name)),
    ]
    seed(db, "homework_by_entity", by_entity)
    seed(db, "staff_per_year", {2022: 6, 2023: 8, 2024: 9})
    seed(db, "eligible_staff_per_year", {2022: 5, 2023: 8, 2024: 9})
    seed(db, "internet_allowance", [InternetAllowanceLine(2023, "flat_fee", 2, None, 5, Q("100.00"))])
    uow = FakeUnitOfWork(db)
    report = await service.build_report(uow, service.BuildReport(_request(), hr), NOW)
    assert [(str(m.month), m.entity, m.home_workers, m.eligible_staff, m.share, m.change) for m in report.homework] == [
        ("2022-11", None, 4, 5, Q("0.8000"), None),
        ("2022-12", None, 0, 0, None, None),  # no one eligible: no share, and no change on either side
        ("2023-01", None, 2, 4, Q("0.5000"), None),
        # the entity's lines follow, with their own evolution
        ("2022-11", EntityRef("DWSE", dwse.name), 3, 4, Q("0.7500"), None),
    ]
    assert report.entity is None and report.produced_at == NOW
    assert report.staff_per_year == {2022: 6, 2023: 8}
    # the internet allowance's share is of the eligible staff that year (8 in 2023), stated with it
    assert [(line.year, line.share, line.eligible_staff) for line in report.internet_allowance] == [(2023, Q("0.2500"), 8)]
    assert uow.reports.prepared == 1
    _nothing_written(db)


async def test_one_entity_uses_its_own_figures_and_no_entity_lines(db: FakeDatabase, hr: Staff) -> None:
    dv = db.table("entities")[2]
    seed(db, "homework", [HomeworkMonth(Month(2022, 11), 9, 9, Q("9"))])
    seed(db, "homework", [HomeworkMonth(Month(2022, 11), 1, 4, Q("1")), HomeworkMonth(Month(2022, 12), 2, 4, Q("3"))], entity_id=dv.id)
    seed(db, "homework_by_entity", [HomeworkMonth(Month(2022, 11), 1, 4, Q("0.25"), entity=EntityRef("DV", dv.name))])
    seed(db, "coaching_by_entity", [CoachingLine(2022, "leadership", 9, 9, 9, 9, EntityRef("DV", dv.name))])
    seed(db, "coaching", [CoachingLine(2021, "resilience", 1, 1, 1, 2), CoachingLine(2022, "leadership", 2, 2, 1, 5),
                          CoachingLine(None, None, 2, 2, 1, 5)], entity_id=dv.id)
    report = await _build(db, hr, _request(entity="dv"))
    assert report.entity == EntityRef("DV", "Agentschap Digitaal Vlaanderen")
    assert [(m.share, m.change) for m in report.homework] == [(Q("0.2500"), None), (Q("0.5000"), Q("0.2500")), (None, None)]
    assert all(m.entity is None for m in report.homework)  # no breakdown for one entity
    assert report.coaching == [CoachingLine(2022, "leadership", 2, 2, 1, 5), CoachingLine(None, None, 2, 2, 1, 5)]
    # the summary takes the whole period's line over both kinds
    assert report.key_figures().coaching_requests == 2


async def test_webinar_days_are_taken_in_the_zone_of_now_and_titles_in_the_locale(db: FakeDatabase, hr: Staff) -> None:
    seed(db, "webinars", [
        SeededSession("Focus thuis", "Focus @ home", "all", datetime(2022, 10, 31, 23, 30, tzinfo=UTC), 2, 1, 1),  # 1/11 00:30 here
        SeededSession("Oud", "Old", "all", datetime(2022, 10, 31, 22, 30, tzinfo=UTC), 5),  # still 31/10 here
        SeededSession("Nieuw", "New", "all", datetime(2023, 1, 31, 23, 30, tzinfo=UTC), 5),  # 1/2 here: after the period
    ])
    report = await _build(db, hr, _request(), locale="en")
    assert [(w.title, w.session_start) for w in report.webinars] == [("Focus @ home", datetime(2022, 11, 1, 0, 30, tzinfo=BRUSSELS))]
    in_utc = await _build(db, hr, _request(), now=NOW.astimezone(UTC))
    assert [w.title for w in in_utc.webinars] == ["Nieuw"]  # the same sessions counted by UTC days


async def test_the_command_line_needs_no_actor_but_an_aware_now(db: FakeDatabase) -> None:
    assert len((await _build(db, None, _request("2023-01", "2023-03"))).homework) == 3
    with pytest.raises(ValueError, match="time zone"):
        await _build(db, None, _request(), now=datetime(2026, 11, 23, 10, 0))


async def test_an_unknown_entity_is_refused_while_building(db: FakeDatabase, hr: Staff) -> None:
    with pytest.raises(InvalidInput) as refused:
        await _build(db, hr, _request(entity="NOPE"))
    assert refused.value.key == "reports.unknown_entity" and refused.value.params == {"code": "NOPE"}


async def test_the_download_link_recomputes_for_its_staff_member(db: FakeDatabase, hr: Staff) -> None:
    seed(db, "homework", [HomeworkMonth(Month(2026, 2), 3, 4, Q("5"))])
    params = {"from": "2026-01", "to": "2026-03", "lang": "en"}
    report = await service.report_for_link(FakeUnitOfWork(db), service.ReportForLink(hr.id, params, "en"), NOW)
    assert [(str(m.month), m.share) for m in report.homework] == [("2026-01", None), ("2026-02", Q("0.7500")), ("2026-03", None)]
    with pytest.raises(NotFound):
        await service.report_for_link(FakeUnitOfWork(db), service.ReportForLink(999, params), NOW)
    with pytest.raises(InvalidInput):
        await service.report_for_link(FakeUnitOfWork(db), service.ReportForLink(hr.id, {"from": "2026-13", "to": "x"}), NOW)
    staff = db.add_staff("Stan Staff")
    with pytest.raises(Forbidden):
        await service.report_for_link(FakeUnitOfWork(db), service.ReportForLink(staff.id, params), NOW)
    _nothing_written(db)


def test_request_parameters_round_trip() -> None:
    request = service.ReportRequest.parse("2021-01", "2023-10", "dwse")
    assert request.as_params() == {"from": "2021-01", "to": "2023-10", "entity": "DWSE"}
    assert service.ReportRequest.from_params(request.as_params()) == request
    hiding = service.ReportRequest.parse("2021-01", "2023-10", None, "5")
    assert hiding.min_cell == 5 and hiding.as_params() == {"from": "2021-01", "to": "2023-10", "min_cell": "5"}
    assert service.ReportRequest.from_params(hiding.as_params()) == hiding
    assert service.ReportRequest.parse("2021-01", "2023-10", None, "").min_cell is None
    assert service.ReportRequest.parse("2021-01", "2023-10", None, "0").min_cell is None


@pytest.mark.parametrize("threshold", ["1", "101", "-3", "vijf", "5.5"])
async def test_a_bad_small_count_threshold_is_refused(db: FakeDatabase, hr: Staff, threshold: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        await service.prepare_report(FakeUnitOfWork(db), service.PrepareReport(hr, "2022-01", "2022-12", None, threshold), NOW)
    assert refused.value.key == "reports.bad_min_cell"
    _nothing_written(db)


async def test_the_threshold_reaches_the_report(db: FakeDatabase, hr: Staff) -> None:
    request = await service.prepare_report(FakeUnitOfWork(db), service.PrepareReport(hr, "2022-01", "2022-12", None, "10"), NOW)
    assert (await _build(db, hr, request)).min_cell == 10
    assert (await _build(db, hr, _request())).min_cell is None
    assert service.ReportRequest.from_params({"from": "2021-01", "to": "2021-02", "entity": ""}).entity_code is None
