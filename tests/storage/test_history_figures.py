"""A known past built only from the files an HR department has (the staff directory with a leaver
and a dated move, registrations with pending and rejected days, ineligibility in two rows, allowance
switchers, equipment requests with quantities, repeat webinar sessions), imported through the
documented commands, and every figure checked exactly on SQLite and PostgreSQL. Then: export, daily
job and report in every order leave the earlier figures identical, and a second report of the same
period after a late registration shows exactly that change on `Wijzigingen`.
"""

from __future__ import annotations

import io
import itertools
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.cli.history import import_history_file
from bot.domain.calendar import Month
from bot.domain.directory_import import ImportRefused
from bot.domain.report_versions import LATE_REGISTRATION
from bot.i18n import Translator
from bot.reports.versions import build_versioned, capture
from bot.services import allowances as allowance_service
from bot.services.directory import ImportStaff, import_staff
from bot.services.homework import RegisterDays, register_days
from bot.services.payroll import ExportPayroll, export_payroll
from bot.services.report_versions import ReportVersionFile, report_version_file
from bot.services.reports import BuildReport, ReportRequest, build_report
from bot.tables import csv_table
from storage.models import Base
from storage.models.allowances import AllowanceChoiceRow
from storage.models.directory import AuditRow, EntityRow, StaffAssignmentRow
from storage.models.equipment import EquipmentCategoryRow, EquipmentItemRow
from storage.models.report_versions import ReportVersionRow
from storage.uow import UnitOfWorkFactory
from tests.conftest import BRUSSELS

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=BRUSSELS)
HEADER = "aad_object_id,email,display_name,entity_code,entity_name,manager_email,start_date,roles,language,end_date,effective_from\n"
A, B = "A,Entiteit A", "B,Entiteit B"


def staff_row(n: int, name: str, entity: str, start: str, *, end: str = "", effective: str = "", roles: str = "staff") -> str:
    return f"bbbbbbbb-0000-0000-0000-{n:012d},{name}@example.be,{name.title()},{entity},,{start},{roles},nl,{end},{effective}\n"


# January: carl in A. From 1 February carl is in B (dated move); bert leaves on 15 February.
STAFF = (
    HEADER
    + staff_row(1, "ann", A, "2020-01-01")
    + staff_row(2, "bert", A, "2019-01-01", end="2023-02-15")
    + staff_row(3, "carl", A, "2018-01-01")
    + staff_row(4, "dana", B, "2017-01-01")
    + staff_row(5, "hilde", A, "2010-01-01", roles="staff;hr")
    + staff_row(6, "nina", B, "2026-06-14")  # starts after the go-live date of the new-staff default
)
MOVED = STAFF.replace(staff_row(3, "carl", A, "2018-01-01"), staff_row(3, "carl", B, "2018-01-01", effective="2023-02-01"))
REGISTRATIONS = """email,date,place,part,status
ann@example.be,2023-01-02,home,full,
ann@example.be,2023-01-03,home,full,registered
ann@example.be,2023-02-01,satellite,am,
ann@example.be,2023-03-01,home,full,pending
ann@example.be,2023-03-02,home,full,rejected
bert@example.be,2023-01-04,home,full,
bert@example.be,2023-02-14,home,full,
carl@example.be,2023-01-05,home,full,
carl@example.be,2023-02-02,home,full,
dana@example.be,2023-06-01,home,full,
"""
# Not eligible from 20 May to 15 June for one reason and from 16 June to 10 July for another.
INELIGIBLE = """email,reason,from,until
dana@example.be,function,2023-05-20,2023-06-15
dana@example.be,organisational,2023-06-16,2023-07-10
"""
# Switchers: ann moves to the third-party payer on 17 March 2023 (after the cut-off: from April).
ALLOWANCES = """email,mode,effective_from,monthly_cost,provider,customer_number
ann@example.be,flat_fee,2021-09-17,,,
ann@example.be,third_party_payer,2023-03-17,30.00,Proximus,P-1
bert@example.be,third_party_payer,2022-01-05,25.00,Telenet,T-1
carl@example.be,flat_fee,2021-10-20,,,
"""
EQUIPMENT = """email,item_code,delivered_on,unit_price,quantity,status,requested_on
ann@example.be,HEADSET,2023-02-10,40.00,2,delivered,2023-02-01
carl@example.be,HEADSET,,45.00,1,ordered,2023-03-01
"""
# One title, a session for all staff and a repeat for managers; ann attended both.
WEBINARS = """webinar_title,target_group,session_start,email,attended
Corona care,all,2023-03-02T10:00,ann@example.be,yes
Corona care,managers,2023-03-09T10:00,ann@example.be,yes
Corona care,managers,2023-03-09T10:00,carl@example.be,no
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def import_staff_text(uow_factory: UnitOfWorkFactory, text: str, on: date, **options: bool):  # noqa: ANN201
    return await import_staff(uow_factory(), ImportStaff(csv_table(text), "cli", **options), datetime.combine(on, time(12), UTC))


FILES = (("registrations", REGISTRATIONS), ("ineligible", INELIGIBLE), ("allowances", ALLOWANCES), ("equipment", EQUIPMENT),
         ("webinars", WEBINARS))


async def build_history(uow_factory: UnitOfWorkFactory, tmp_path: Path, kinds: tuple[str, ...] = tuple(dict(FILES))) -> None:
    """The files, imported as `import-staff` and `import-history KIND FILE` do."""
    await import_staff_text(uow_factory, STAFF, date(2023, 1, 2))
    await import_staff_text(uow_factory, MOVED, date(2023, 3, 1))
    async with uow_factory() as uow:  # the entities' catalogues (configuration, not history)
        for code, price in (("A", "40.00"), ("B", "45.00")):
            entity = await uow.session.scalar(select(EntityRow).where(EntityRow.code == code))
            category = EquipmentCategoryRow(entity_id=entity.id, code="SMALL", name_nl="Klein kantoormateriaal", name_en="Small")
            uow.session.add(category)
            await uow.session.flush()
            uow.session.add(EquipmentItemRow(entity_id=entity.id, code="HEADSET", name_nl="Headset", name_en="Headset",
                                             category_id=category.id, unit_price=Decimal(price)))
        await uow.commit()
    for kind, text in FILES:
        if kind not in kinds:
            continue
        await import_history_file(uow_factory, kind, write(tmp_path, f"{kind}.csv", text), actor="cli", now=NOW)


async def report(uow_factory: UnitOfWorkFactory, start: str = "2023-01", end: str = "2023-06", entity: str | None = None):  # noqa: ANN201
    return await build_report(uow_factory(), BuildReport(ReportRequest.parse(start, end, entity), actor=None), NOW)


@pytest.fixture
async def history(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> UnitOfWorkFactory:
    await build_history(uow_factory, tmp_path)
    return uow_factory


def scope(line) -> str:  # noqa: ANN001
    """A figure line's entity code, or "*" for the report's whole scope (each person once)."""
    return line.entity.code if line.entity else "*"


def homework(rows) -> list[tuple]:  # noqa: ANN001
    return [(scope(m), str(m.month), m.eligible_staff, m.home_workers, m.home_days, m.satellite_days) for m in rows]


async def test_every_figure_of_the_known_past(history: UnitOfWorkFactory) -> None:
    whole = await report(history)
    # bert counts until February (left on the 15th); dana is out of June (two markings in a row);
    # pending and rejected days never count; ann's satellite morning makes her a home worker but is
    # a satellite day, not a home day. carl moved to B on 1 February: January in A, February in B,
    # never in both, and once in the total.
    zero = Decimal(0)
    assert homework(whole.homework) == [
        ("*", "2023-01", 5, 3, Decimal(4), zero), ("*", "2023-02", 5, 3, Decimal(2), Decimal("0.5")),
        ("*", "2023-03", 4, 0, zero, zero), ("*", "2023-04", 4, 0, zero, zero), ("*", "2023-05", 4, 0, zero, zero),
        ("*", "2023-06", 3, 0, zero, zero),
        # ann, bert, carl, hilde in January; ann (satellite) and bert in February; then ann and hilde
        ("A", "2023-01", 4, 3, Decimal(4), zero), ("A", "2023-02", 3, 2, Decimal(1), Decimal("0.5")),
        ("A", "2023-03", 2, 0, zero, zero), ("A", "2023-04", 2, 0, zero, zero), ("A", "2023-05", 2, 0, zero, zero),
        ("A", "2023-06", 2, 0, zero, zero),
        # dana in January; carl (one home day) and dana from February; carl only in June
        ("B", "2023-01", 1, 0, zero, zero), ("B", "2023-02", 2, 1, Decimal(1), zero),
        ("B", "2023-03", 2, 0, zero, zero), ("B", "2023-04", 2, 0, zero, zero), ("B", "2023-05", 2, 0, zero, zero),
        ("B", "2023-06", 1, 0, zero, zero),
    ]
    # shares per scope, and their change against the scope's own previous month (a difference of shares)
    assert {(scope(m), str(m.month)): (m.share, m.change) for m in whole.homework if m.month <= Month(2023, 3)} == {
        ("*", "2023-01"): (Decimal("0.6"), None), ("*", "2023-02"): (Decimal("0.6"), zero), ("*", "2023-03"): (zero, Decimal("-0.6")),
        ("A", "2023-01"): (Decimal("0.75"), None), ("A", "2023-02"): (Decimal("0.6667"), Decimal("-0.0833")),
        ("A", "2023-03"): (zero, Decimal("-0.6667")),
        ("B", "2023-01"): (zero, None), ("B", "2023-02"): (Decimal("0.5"), Decimal("0.5")), ("B", "2023-03"): (zero, Decimal("-0.5")),
    }
    # B's own report is B's lines of the whole report, as its total
    only_b = (await report(history, entity="B")).homework
    assert homework(only_b)[1] == ("*", "2023-02", 2, 1, Decimal(1), zero)
    assert homework(only_b) == [("*", *line[1:]) for line in homework(whole.homework) if line[0] == "B"]
    assert [(scope(g), g.reason, g.staff, g.at_period_end) for g in whole.ineligible] == [
        ("*", "function", 1, 0), ("*", "organisational", 1, 1), ("B", "function", 1, 0), ("B", "organisational", 1, 1),
    ]
    # ann: flat fee January-March, third party from April (the 17 March switch); bert until he left;
    # carl's flat fee counts January in A and February-June in B; both modes count ann once.
    assert [(scope(line), line.year, line.mode, line.staff, line.eligible_staff, line.months, line.amount)
            for line in whole.internet_allowance] == [
        ("*", 2023, "flat_fee", 2, 5, 9, Decimal("180.00")), ("*", 2023, "third_party_payer", 2, 5, 5, Decimal("140.00")),
        ("*", 2023, None, 3, 5, 14, Decimal("320.00")),
        ("A", 2023, "flat_fee", 2, 4, 4, Decimal("80.00")), ("A", 2023, "third_party_payer", 2, 4, 5, Decimal("140.00")),
        ("A", 2023, None, 3, 4, 9, Decimal("220.00")),
        ("B", 2023, "flat_fee", 1, 2, 5, Decimal("100.00")), ("B", 2023, None, 1, 2, 5, Decimal("100.00")),
    ]
    # nobody worked from home one day a week on average in any month
    assert len(whole.homework_allowance) == 18 and {(m.staff, m.amount) for m in whole.homework_allowance} == {(0, Decimal("0.00"))}
    # ann's two headsets in A; carl's headset is ordered, not delivered
    assert [(scope(e), e.year, e.item_code, e.delivered, e.staff, e.amount) for e in whole.equipment] == [
        ("*", 2023, "HEADSET", 2, 1, Decimal("80.00")), ("A", 2023, "HEADSET", 2, 1, Decimal("80.00")),
    ]
    assert [(scope(s), s.year, s.staff) for s in whole.staff_served] == [("*", 2023, 1), ("A", 2023, 1)]
    # carl (in B since February) registered for the managers' session and did not attend
    assert [(scope(w), w.title, w.target_group, w.session_start.day, w.registered, w.attended) for w in whole.webinars] == [
        ("*", "Corona care", "all", 2, 1, 1), ("*", "Corona care", "managers", 9, 2, 1),
        ("A", "Corona care", "all", 2, 1, 1), ("A", "Corona care", "managers", 9, 1, 1),
        ("B", "Corona care", "managers", 9, 1, 0),
    ]
    # ann attended both sessions of the title: two attendances, one participant
    assert [(scope(w), w.sessions, w.registered, w.attended, w.participants) for w in whole.webinar_totals if w.by == "title"] == [
        ("*", 2, 3, 2, 1), ("A", 2, 2, 2, 1), ("B", 1, 1, 0, 0),
    ]


async def test_a_leaver_is_out_of_the_payroll_from_the_day_after(history: UnitOfWorkFactory) -> None:
    february = await export_payroll(history(), ExportPayroll("A", Month(2023, 2)), NOW)
    march = await export_payroll(history(), ExportPayroll("A", Month(2023, 3)), NOW)
    assert "bert@example.be" in {line.email for line in february.lines} and [t.email for t in february.third_party] == ["bert@example.be"]
    assert "bert@example.be" not in {line.email for line in march.lines} and march.third_party == []


async def test_re_importing_the_files_changes_nothing(history: UnitOfWorkFactory, tmp_path: Path) -> None:
    before = capture(await report(history))
    again = await import_staff_text(history, MOVED, date(2023, 3, 2))
    assert (again.created, again.updated) == (0, 0)
    for kind, text in (("registrations", REGISTRATIONS), ("ineligible", INELIGIBLE), ("equipment", EQUIPMENT)):
        summary = await import_history_file(history, kind, write(tmp_path, f"again-{kind}.csv", text), actor="cli", now=NOW)
        assert (summary.created, summary.updated) == (0, 0)
    assert capture(await report(history)) == before


async def test_dated_move_history_file_and_its_no_op(history: UnitOfWorkFactory, tmp_path: Path) -> None:
    async with history() as uow:
        carl = await uow.staff.get_by_email("carl@example.be")
        ids = {entity.code: entity.id for entity in await uow.entities.list_all()}
        stored = (await uow.session.execute(
            select(StaffAssignmentRow.entity_id, StaffAssignmentRow.valid_from, StaffAssignmentRow.valid_until)
            .where(StaffAssignmentRow.staff_id == carl.id).order_by(StaffAssignmentRow.valid_from)
        )).all()
    assert [tuple(row) for row in stored] == [(ids["A"], date(2018, 1, 1), date(2023, 2, 1)), (ids["B"], date(2023, 2, 1), None)]
    # The full history from HR's files: carl was in B before, then A, then (as the directory says) B.
    path = write(tmp_path, "assignments.csv", "email,entity_code,from,until\n"
                 "carl@example.be,B,2018-01-01,2022-12-31\ncarl@example.be,A,2023-01-01,2023-01-31\n")
    first = await import_history_file(history, "assignments", path, actor="cli", now=NOW)
    second = await import_history_file(history, "assignments", path, actor="cli", now=NOW)
    assert (first.updated, second.updated, second.unchanged) == (1, 0, 1)
    whole = await report(history, "2022-12", "2023-02")
    eligible = {(scope(line), str(line.month)): line.eligible_staff for line in whole.homework}
    # the whole administration, A and B: each person once in the total, in the entity of the month
    assert [eligible[(code, "2022-12")] for code in "*AB"] == [5, 3, 2]  # ann, bert, hilde | carl, dana
    assert [eligible[(code, "2023-01")] for code in "*AB"] == [5, 4, 1]  # ann, bert, carl, hilde | dana
    assert [eligible[(code, "2023-02")] for code in "*AB"] == [5, 3, 2]  # ann, bert, hilde | carl, dana
    overlap = write(tmp_path, "overlap.csv", "email,entity_code,from,until\ncarl@example.be,B,2018-01-01,2023-01-10\n"
                    "carl@example.be,A,2023-01-01,\n")
    with pytest.raises(ImportRefused) as refused:
        await import_history_file(history, "assignments", overlap, actor="cli", now=NOW)
    assert [(p.line, "overlaps line 2" in p.reason) for p in refused.value.problems] == [(3, True)]


async def test_a_full_directory_reports_who_is_missing_and_ends_them_only_when_asked(history: UnitOfWorkFactory) -> None:
    without_hilde = MOVED.replace(staff_row(5, "hilde", A, "2010-01-01", roles="staff;hr"), "")
    reported = await import_staff_text(history, without_hilde, date(2026, 11, 2), full=True)
    assert (reported.missing, reported.ended) == (("hilde@example.be",), 0)
    async with history() as uow:
        assert (await uow.staff.get_by_email("hilde@example.be")).end_date is None
    ended = await import_staff_text(history, without_hilde, date(2026, 11, 2), full=True, end_missing=True)
    assert (ended.missing, ended.ended) == (("hilde@example.be",), 1)
    async with history() as uow:
        assert (await uow.staff.get_by_email("hilde@example.be")).end_date == date(2026, 11, 1)
        [audit] = await uow.audit.list_by_action("staff.ended")
        assert (audit.before, audit.after["end_date"]) == ({"end_date": None}, "2026-11-01")


async def test_weekend_and_holiday_rows_are_refused_with_their_line_numbers(history: UnitOfWorkFactory, tmp_path: Path) -> None:
    path = write(tmp_path, "days.csv", "email,date,place,part\nann@example.be,2023-01-09,home,full\n"
                 "ann@example.be,2023-01-07,home,full\nann@example.be,2023-04-10,home,full\n")
    with pytest.raises(ImportRefused) as refused:
        await import_history_file(history, "registrations", path, actor="cli", now=NOW)
    assert [(p.line, p.reason) for p in refused.value.problems] == [
        (3, "date 2023-01-07 is a Saturday, not a working day"),
        (4, "date 2023-04-10 is a public holiday (Easter Monday), not a working day"),
    ]


# -- nothing rewrites history ------------------------------------------------------------------------

async def _export(uow_factory: UnitOfWorkFactory) -> None:
    for entity, month in (("A", Month(2023, 10)), ("B", Month(2026, 10))):
        await export_payroll(uow_factory(), ExportPayroll(entity, month), NOW)


async def _daily_job(uow_factory: UnitOfWorkFactory) -> None:
    for entity_id in await allowance_service.entities_with_default(uow_factory(), allowance_service.EntitiesWithDefault(), NOW):
        await allowance_service.apply_default_modes(uow_factory(), allowance_service.ApplyDefaultModes(entity_id), NOW)


async def _report(uow_factory: UnitOfWorkFactory) -> None:
    run = lambda use_case, command: use_case(uow_factory(), command, NOW)  # noqa: E731
    await build_versioned(run, ReportRequest.parse("2026-01", "2026-10"), None, Translator("nl"), "cli")


STEPS = {"export": _export, "job": _daily_job, "report": _report}


@pytest.mark.parametrize("order", list(itertools.permutations(STEPS)), ids="-".join)
async def test_export_job_and_report_in_any_order_leave_earlier_figures_identical(
    uow_factory: UnitOfWorkFactory, tmp_path: Path, order: tuple[str, ...],
) -> None:
    await build_history(uow_factory, tmp_path, ("registrations", "ineligible", "allowances"))  # what the allowance reads
    for code in ("A", "B"):  # the bot takes over new staff on 1 January 2026
        await allowance_service.set_default_go_live(uow_factory(), allowance_service.SetDefaultGoLive(code, date(2026, 1, 1), "cli"), NOW)
    # the whole administration (with its per-entity rows) and B, where the new staff member starts
    earlier = [capture(await report(uow_factory, "2021-09", "2023-12", entity)) for entity in (None, "B")]
    for step in order:
        await STEPS[step](uow_factory)
    assert [capture(await report(uow_factory, "2021-09", "2023-12", entity)) for entity in (None, "B")] == earlier
    async with uow_factory() as uow:
        nina = await uow.staff.get_by_email("nina@example.be")
        defaults = (await uow.session.execute(
            select(AllowanceChoiceRow.staff_id, AllowanceChoiceRow.effective_from).where(AllowanceChoiceRow.source == "default")
        )).all()
        audited = [row.subject_id for row in await uow.audit.list_by_action("allowance.default_applied")]
    # only nina, who started after the go-live date, from her start month; dana and hilde stay without
    assert [tuple(row) for row in defaults] == [(nina.id, date(2026, 6, 1))]
    assert audited == [str(nina.id)]


async def test_the_export_counts_the_default_the_job_will_record_and_writes_none(history: UnitOfWorkFactory) -> None:
    await allowance_service.set_default_go_live(history(), allowance_service.SetDefaultGoLive("B", date(2026, 1, 1), "cli"), NOW)
    async with history() as uow:
        choices = await uow.session.scalar(select(func.count()).select_from(AllowanceChoiceRow))
    export = await export_payroll(history(), ExportPayroll("B", Month(2026, 10)), NOW)
    assert {line.email: line.flat_fee for line in export.lines} == {"carl@example.be": Decimal("20.00"), "dana@example.be": 0,
                                                                    "nina@example.be": Decimal("20.00")}
    async with history() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(AllowanceChoiceRow)) == choices


# -- versions ------------------------------------------------------------------------------------------

async def _row_counts(uow_factory: UnitOfWorkFactory) -> dict[str, int]:
    async with uow_factory() as uow:
        return {table.name: int(await uow.session.scalar(select(func.count()).select_from(table)))
                for table in Base.metadata.sorted_tables}


async def test_a_second_report_after_a_late_registration_shows_exactly_that_change(
    history: UnitOfWorkFactory, tmp_path: Path,
) -> None:
    t = Translator("nl")
    sent_at = datetime(2026, 11, 5, 9, 0, tzinfo=BRUSSELS)
    request = ReportRequest.parse("2026-09", "2026-10")
    run = lambda at: lambda use_case, command: use_case(history(), command, at)  # noqa: E731
    await import_history_file(history, "registrations", write(tmp_path, "autumn.csv",
                              "email,date,place,part\nann@example.be,2026-10-05,home,full\n"), actor="cli", now=sent_at)
    counts = await _row_counts(history)
    first = await build_versioned(run(sent_at), request, None, t, "cli")
    after_first = await _row_counts(history)
    assert {name: after_first[name] - counts[name] for name in counts if after_first[name] != counts[name]} == {"report_versions": 1}
    assert (first.version.number, first.comparison.previous) == (1, None)

    # carl registers a home day of October late, in the bot, after version 1 was sent
    async with history() as uow:
        carl = await uow.staff.get_by_email("carl@example.be")
    late = datetime(2026, 11, 6, 9, 0, tzinfo=BRUSSELS)
    await register_days(history(), RegisterDays(carl, (date(2026, 10, 30),), "home"), late)
    second = await build_versioned(run(late), request, None, t, "staff:1")

    changes = second.comparison.changes
    assert second.version.number == 2 and second.comparison.previous == first.version
    # In 2026 the eligible staff are ann and hilde in A, carl, dana and nina in B: five in all. Before
    # carl's day, October had one home worker (ann, one home day in A); September had none, so
    # October's change is its share minus 0, in percentage points. carl's day changes October's
    # total row and B's row (home workers, share, change, home days) and nothing else: A's row,
    # September, the satellite days and every other sheet (one day in October is no home-work
    # allowance) stay as they were.
    changed = {(c.sheet, c.row, c.column, c.before, c.after) for c in changes}
    total = "total | Alle entiteiten (Vlaamse overheid) | 2026-10"
    entity_b = "total | Entiteit B (B) | 2026-10"
    col = lambda key: t(f"reports.col.{key}")  # noqa: E731
    assert changed == {
        ("thuiswerk-per-maand", total, col("home_workers"), "1", "2"),  # ann, then ann and carl
        ("thuiswerk-per-maand", total, col("share"), "0.2", "0.4"),  # of five
        ("thuiswerk-per-maand", total, col("change"), "20", "40"),  # points against September's 0%
        ("thuiswerk-per-maand", total, col("home_days"), "1", "2"),
        ("thuiswerk-per-maand", entity_b, col("home_workers"), "0", "1"),
        ("thuiswerk-per-maand", entity_b, col("share"), "0", "0.3333"),  # carl of carl, dana and nina
        ("thuiswerk-per-maand", entity_b, col("change"), "0", "33.33"),  # points against September's 0%
        ("thuiswerk-per-maand", entity_b, col("home_days"), "0", "1"),
    }
    assert {c.reasons for c in changes} == {((LATE_REGISTRATION, 1),)}

    sheet = load_workbook(io.BytesIO(second.content))["Wijzigingen"]
    lines = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5, max_row=4 + len(changes))]
    assert {(line[0], line[1], line[2], line[3], line[4]) for line in lines} == changed
    assert {line[5] for line in lines} == {"1 laattijdige registratie"}
    # the version sent first stays downloadable, byte for byte
    async with history() as uow:
        hilde = await uow.staff.get_by_email("hilde@example.be")
        stored = await uow.session.scalar(select(ReportVersionRow.id).where(ReportVersionRow.number == 1))
    again = await report_version_file(history(), ReportVersionFile(stored, hilde.id), late)
    assert again.content == first.content and again.info.content_hash == first.version.content_hash
    async with history() as uow:  # producing the reports audited nothing
        assert await uow.session.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.action.like("report%"))) == 0
