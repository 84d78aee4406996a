"""The workbook and the CSV files, read back: sheets, headers, values, formats, frozen panes, chart."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from bot.i18n import Translator
from bot.reports.csv_output import render_csv
from bot.reports.tables import SHEET_NAMES
from bot.reports.workbook import render_workbook, workbook_filename
from storage.uow import UnitOfWorkFactory
from tests.storage.report_dataset import build_dataset
from tests.storage.test_report_figures import report_for

NL = Translator("nl")


async def test_workbook_opens_with_every_sheet_and_the_chart(uow_factory: UnitOfWorkFactory) -> None:
    await build_dataset(uow_factory)
    report = await report_for(uow_factory)
    workbook = load_workbook(io.BytesIO(render_workbook(report, NL)))
    assert workbook.sheetnames == list(SHEET_NAMES) == [
        "Definities", "Thuiswerk per maand", "Webinars", "Coaching", "Internetvergoeding",
        "Thuiswerkvergoeding", "Materiaal", "Niet in aanmerking",
    ]
    definitions = workbook["Definities"]
    terms = {row[0]: row[1] for row in definitions.iter_rows(min_row=5, values_only=True) if row[0]}
    assert "minstens één geregistreerde" in terms["Thuiswerker"]
    assert "niet de hele maand M" in terms["Noemer"]

    homework = workbook["Thuiswerk per maand"]
    assert homework.freeze_panes == "A5"
    header = [cell.value for cell in homework[4]]
    assert header == ["Entiteit", "Maand", "Personeelsleden (noemer)", "Thuiswerkers", "Percentage thuiswerkers",
                      "Evolutie t.o.v. vorige maand", "Thuiswerkdagen"]
    assert homework["A4"].font.bold
    rows = [[cell.value for cell in row] for row in homework.iter_rows(min_row=5, max_row=8)]
    assert rows[0] == ["Alle entiteiten (Vlaamse overheid)", datetime(2022, 11, 1), 5, 4, 0.8, None, 4]
    assert rows[1][1:6] == [datetime(2022, 12, 1), 3, 1, 0.3333, -0.4667]
    assert homework["E5"].number_format == "0.0%"
    assert homework["B5"].number_format == "yyyy-mm"
    assert homework["F6"].number_format.startswith("+0.0%")
    assert homework.column_dimensions["A"].width >= 30
    # the per-entity lines follow the totals
    assert [homework.cell(row=9, column=c).value for c in (1, 3, 4)] == ["Entiteit A (A)", 4, 3]
    charts = homework._charts
    assert len(charts) == 1
    chart = charts[0]
    assert chart.tagname == "lineChart"
    # the series is the monthly share of the four totals (rows 5-8), titled by its header
    assert chart.series[0].val.numRef.f == "'Thuiswerk per maand'!$E$5:$E$8"
    assert chart.series[0].cat.numRef.f == "'Thuiswerk per maand'!$B$5:$B$8"

    internet = workbook["Internetvergoeding"]
    values = [[cell.value for cell in row] for row in internet.iter_rows(min_row=5, values_only=False)]
    assert values[0] == [2022, "Forfaitaire vergoeding", 2, 6, 0.3333, 3, 60]
    assert values[1][1] == "Derdebetalerssysteem" and values[1][6] == 85.5
    assert internet["G5"].number_format == '#,##0.00 "€"'

    material = workbook["Materiaal"]
    column_a = [cell.value for cell in material["A"]]
    assert NL("reports.title.budget") in column_a
    budget_header = column_a.index(NL("reports.title.budget")) + 2
    assert [material.cell(row=budget_header + 1, column=c).value for c in range(1, 7)] == [
        2022, "Klein kantoormateriaal", 1000, 120, 880, 0.12,
    ]
    ineligible = workbook["Niet in aanmerking"]
    assert [[c.value for c in row] for row in ineligible.iter_rows(min_row=5)] == [
        ["Entiteit A (A)", "Misbruik", 1, 0], ["Entiteit A (A)", "Functie niet geschikt", 1, 0],
        ["Entiteit B (B)", "Organisatorisch", 1, 1],
    ]
    assert workbook_filename(report, Translator("nl")) == "rapport-hybride-werk-2022-11-2023-02-alle-entiteiten.xlsx"
    assert workbook_filename(report, Translator("en")) == "hybrid-work-report-2022-11-2023-02-all-entities.xlsx"


async def test_csv_per_sheet(uow_factory: UnitOfWorkFactory) -> None:
    await build_dataset(uow_factory)
    report = await report_for(uow_factory, "A")
    files = render_csv(report, Translator("en"))
    assert list(files) == [
        "definities.csv", "thuiswerk-per-maand.csv", "webinars.csv", "coaching.csv", "internetvergoeding.csv",
        "thuiswerkvergoeding.csv", "materiaal-delivered.csv", "materiaal-staff-served.csv", "materiaal-budget.csv",
        "niet-in-aanmerking.csv",
    ]
    rows = list(csv.reader(io.StringIO(files["thuiswerk-per-maand.csv"].decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Entity", "Month", "Staff (denominator)", "Home workers", "Share of home workers",
                       "Change from previous month", "Home days"]
    assert rows[1] == ["Entiteit A (A)", "2022-11", "4", "3", "0.7500", "", "3"]
    assert rows[4] == ["Entiteit A (A)", "2023-02", "3", "1", "0.3333", "-0.3334", "2"]
    internet = list(csv.reader(io.StringIO(files["internetvergoeding.csv"].decode("utf-8-sig")), delimiter=";"))
    assert internet[1:] == [["2022", "Flat fee", "1", "4", "0.2500", "2", "40.00"],
                            ["2022", "Third-party payer", "2", "4", "0.5000", "3", "85.50"],
                            ["2023", "Flat fee", "1", "4", "0.2500", "2", "40.00"]]
    assert sum(Decimal(row[6]) for row in internet[1:]) == Decimal("165.50")


def test_command_line_writes_workbook_and_csv(tmp_path: Path) -> None:
    database = tmp_path / "cli.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}", "PATH": "/usr/bin:/bin", "LOG_LEVEL": "WARNING"}
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=root, env=env, check=True, capture_output=True)
    out = tmp_path / "report.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--from", "2021-01", "--to", "2023-10", "--out", str(out), "--csv", str(tmp_path / "csv")],
        cwd=root, env=env, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    assert load_workbook(out).sheetnames[1] == "Thuiswerk per maand"
    assert len(load_workbook(out)["Thuiswerk per maand"]._charts) == 1
    assert (tmp_path / "csv" / "niet-in-aanmerking.csv").exists()
    wrong = subprocess.run([sys.executable, "-m", "bot", "report", "--from", "2023-10", "--to", "2021-01", "--out", str(out)],
                           cwd=root, env=env, capture_output=True, text=True)
    assert wrong.returncode == 2 and "na het einde" in wrong.stderr
