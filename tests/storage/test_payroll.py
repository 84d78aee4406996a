"""The payroll export on SQLite and PostgreSQL: figures per staff member, the third-party list,
totals, exact decimals in CSV and XLSX, and who may export which entity."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.domain.allowances import InternetMode
from bot.domain.calendar import Month, working_days
from bot.domain.errors import Forbidden, InvalidInput, NotFound
from bot.domain.payroll import PayrollExport
from bot.domain.staff import Staff
from bot.reports.payroll import payroll_csv, payroll_files, payroll_xlsx
from bot.services.payroll import ExportPayroll, export_payroll
from storage.uow import UnitOfWorkFactory
from tests.storage.test_allowances import go_live, import_history_file, mark_ineligible, register, staff

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
OCTOBER = Month(2026, 10)

HISTORY = (
    "email,mode,effective_from,monthly_cost,provider,customer_number\n"
    "staff@vlaanderen.be,third_party_payer,2021-09-17,39.99,Proximus,P-1\n"
    "manager@vlaanderen.be,third_party_payer,2026-03-01,45.10,Telenet,T-9\n"
    "manager@vlaanderen.be,flat_fee,2026-10-01,,,\n"
    "hr@vlaanderen.be,third_party_payer,2022-01-01,30.05,Orange,O-3\n"
)


async def build_payroll(uow_factory: UnitOfWorkFactory, actor: Staff | None, entity: str, month: Month, today: date, now: datetime) -> PayrollExport:
    assert now.date() == today
    return await export_payroll(uow_factory(), ExportPayroll(entity, month, actor_id=actor.id if actor else None), now)


@pytest.fixture
async def directory(directory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """The test directory, its entities giving new staff their default since before anyone started."""
    await go_live(directory)
    return directory


@pytest.fixture
async def payroll_data(directory: UnitOfWorkFactory, tmp_path: Path) -> UnitOfWorkFactory:
    path = tmp_path / "history.csv"
    path.write_text(HISTORY, encoding="utf-8")
    await import_history_file(directory, path)
    october = working_days(OCTOBER)  # 22 working days: 4.4 home days needed
    stan = await staff(directory, "staff@vlaanderen.be")
    mia = await staff(directory, "manager@vlaanderen.be")
    hilde = await staff(directory, "hr@vlaanderen.be")
    await register(directory, stan.id, october[:5])  # 5: due
    await register(directory, mia.id, october[:4])
    await register(directory, mia.id, [october[4]], part="am")  # 4.5: due
    await register(directory, hilde.id, october[:4])  # 4: not due
    await register(directory, hilde.id, october[4:9], place="satellite")  # satellite is not home
    await mark_ineligible(directory, hilde.id, date(2026, 9, 1))
    return directory


async def test_export_figures_and_totals(payroll_data: UnitOfWorkFactory) -> None:
    export = await build_payroll(payroll_data, None, "dwse", OCTOBER, TODAY, NOW)
    lines = {line.email: line for line in export.lines}
    # every DWSE staff member in service in October; those without history got the default flat fee
    assert set(lines) == {
        "director@vlaanderen.be", "manager@vlaanderen.be", "staff@vlaanderen.be", "colleague@vlaanderen.be",
        "hr@vlaanderen.be", "admin@vlaanderen.be", "logistics@vlaanderen.be",
    }
    assert lines["staff@vlaanderen.be"].mode == InternetMode.THIRD_PARTY and lines["staff@vlaanderen.be"].flat_fee == 0
    assert lines["staff@vlaanderen.be"].homework_allowance == Decimal("20.00")
    assert lines["manager@vlaanderen.be"].mode == InternetMode.FLAT_FEE  # switched back on 1 October
    assert lines["manager@vlaanderen.be"].total == Decimal("40.00")
    assert lines["hr@vlaanderen.be"].homework_allowance == 0 and lines["hr@vlaanderen.be"].home_days == 4
    assert lines["hr@vlaanderen.be"].not_eligible
    assert lines["director@vlaanderen.be"].mode == InternetMode.FLAT_FEE
    assert export.flat_fee_count == 5 and export.flat_fee_total == Decimal("100.00")
    assert export.homework_count == 2 and export.homework_total == Decimal("40.00")
    assert [(t.email, t.monthly_cost) for t in export.third_party] == [
        ("hr@vlaanderen.be", Decimal("30.05")), ("staff@vlaanderen.be", Decimal("39.99")),
    ]
    assert export.third_party_total == Decimal("70.04")
    march = await build_payroll(payroll_data, None, "DWSE", Month(2026, 3), TODAY, NOW)
    assert {t.email for t in march.third_party} == {"hr@vlaanderen.be", "staff@vlaanderen.be", "manager@vlaanderen.be"}
    assert march.third_party_total == Decimal("115.14")


async def test_csv_has_exact_decimals_and_totals(payroll_data: UnitOfWorkFactory) -> None:
    export = await build_payroll(payroll_data, None, "DWSE", OCTOBER, TODAY, NOW)
    (staff_name, staff_csv), (third_name, third_csv) = payroll_csv(export)
    assert staff_name == "payroll-DWSE-2026-10.csv" and third_name == "payroll-DWSE-2026-10-third-party.csv"
    rows = list(csv.DictReader(io.StringIO(staff_csv.decode("utf-8"))))
    people, total = rows[:-1], rows[-1]
    assert total["email"] == "TOTAL"
    assert sum(Decimal(r["flat_fee"]) for r in people) == Decimal(total["flat_fee"]) == Decimal("100.00")
    assert sum(Decimal(r["homework_allowance"]) for r in people) == Decimal(total["homework_allowance"]) == Decimal("40.00")
    assert total["total"] == "140.00"
    manager = next(r for r in people if r["email"] == "manager@vlaanderen.be")
    assert (manager["internet_mode"], manager["flat_fee"], manager["home_days"], manager["home_days_per_week"]) == ("flat_fee", "20.00", "4.5", "1.0")
    third = list(csv.DictReader(io.StringIO(third_csv.decode("utf-8"))))
    assert [r["monthly_cost"] for r in third] == ["30.05", "39.99", "70.04"]
    assert third[0]["provider"] == "Orange" and third[0]["customer_number"] == "O-3"


async def test_xlsx_has_two_sheets_with_decimal_totals(payroll_data: UnitOfWorkFactory, tmp_path: Path) -> None:
    export = await build_payroll(payroll_data, None, "DWSE", OCTOBER, TODAY, NOW)
    path = tmp_path / "payroll.xlsx"
    path.write_bytes(payroll_xlsx(export))
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Staff", "Third party"]
    staff_rows = list(workbook["Staff"].iter_rows(values_only=True))
    assert staff_rows[0][0] == "email" and staff_rows[-1][0] == "TOTAL"
    assert Decimal(str(staff_rows[-1][3])) == Decimal("100.00") and Decimal(str(staff_rows[-1][7])) == Decimal("40.00")
    third_rows = list(workbook["Third party"].iter_rows(values_only=True))
    assert Decimal(str(third_rows[-1][4])) == Decimal("70.04")
    assert workbook["Staff"]["D2"].number_format == "#,##0.00"
    assert [name for name, _type, _content in payroll_files(export, "csv")] == [
        "payroll-DWSE-2026-10.csv", "payroll-DWSE-2026-10-third-party.csv",
    ]


async def test_who_may_export_which_entity(payroll_data: UnitOfWorkFactory) -> None:
    hilde = await staff(payroll_data, "hr@vlaanderen.be")
    ada = await staff(payroll_data, "admin@vlaanderen.be")
    stan = await staff(payroll_data, "staff@vlaanderen.be")
    assert (await build_payroll(payroll_data, hilde, "DWSE", OCTOBER, TODAY, NOW)).entity.code == "DWSE"
    with pytest.raises(Forbidden):
        await build_payroll(payroll_data, hilde, "DV", OCTOBER, TODAY, NOW)
    with pytest.raises(Forbidden):
        await build_payroll(payroll_data, stan, "DWSE", OCTOBER, TODAY, NOW)
    assert (await build_payroll(payroll_data, ada, "DV", OCTOBER, TODAY, NOW)).entity.code == "DV"
    with pytest.raises(NotFound):
        await build_payroll(payroll_data, ada, "NOPE", OCTOBER, TODAY, NOW)
    with pytest.raises(InvalidInput):
        await build_payroll(payroll_data, ada, "DWSE", Month(2027, 2), TODAY, NOW)


async def test_new_staff_month_and_leavers(directory: UnitOfWorkFactory) -> None:
    june = await build_payroll(directory, None, "DWSE", Month(2026, 6), TODAY, NOW)
    cato = next(line for line in june.lines if line.email == "colleague@vlaanderen.be")
    # started on 14 June: flat fee for June, working days counted from the start date
    assert cato.flat_fee == Decimal("20.00") and cato.working_days == 12
    may = await build_payroll(directory, None, "DWSE", Month(2026, 5), TODAY, NOW)
    assert "colleague@vlaanderen.be" not in {line.email for line in may.lines}
