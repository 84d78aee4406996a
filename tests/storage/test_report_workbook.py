"""The workbook and the CSV files, read back: sheets, headers, values, formats, frozen panes, chart."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from bot.i18n import Translator
from bot.reports.csv_output import render_csv
from bot.reports.tables import SHEET_NAMES, build_sheets, figures
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
    assert "procentpunten" in terms["Evolutie"] and "elk personeelslid één keer" in terms["Per entiteit en totaal"]
    assert "unieke deelnemers" in terms["Webinars per titel, doelgroep en periode"]
    assert "eenmalig budget" in terms["Budget"] and "in aanmerking komen" in terms["Noemer van de internetvergoeding"]
    assert "alleen deze dagen tellen voor de thuiswerkvergoeding" in terms["Thuiswerkdagen (thuis)"].lower()

    homework = workbook["Thuiswerk per maand"]
    assert homework.freeze_panes == "A5"
    header = [cell.value for cell in homework[4]]
    assert header == ["Entiteit", "Maand", "Personeelsleden (noemer)", "Thuiswerkers", "Percentage thuiswerkers",
                      "Evolutie t.o.v. vorige maand (procentpunten)", "Thuiswerkdagen (thuis)", "Satellietwerkdagen"]
    assert homework["A4"].font.bold
    rows = [[cell.value for cell in row] for row in homework.iter_rows(min_row=5, max_row=8)]
    assert rows[0] == ["Alle entiteiten (Vlaamse overheid)", datetime(2022, 11, 1), 5, 4, 0.8, None, 3, 1]
    # the change is written in percentage points (-46.67), formatted as points, not as a percentage
    assert rows[1][1:8] == [datetime(2022, 12, 1), 3, 1, 0.3333, -46.67, 0.5, 0]
    assert homework["E5"].number_format == "0.0%"
    assert homework["B5"].number_format == "yyyy-mm"
    assert homework["F6"].number_format == '+0.0" pp";-0.0" pp";0.0" pp"' and "%" not in homework["F6"].number_format
    assert homework.column_dimensions["A"].width >= 30
    # the per-entity lines follow the totals, with their own change and home and satellite days
    assert [homework.cell(row=9, column=c).value for c in range(1, 9)] == ["Entiteit A (A)", datetime(2022, 11, 1), 4, 3, 0.75, None, 2, 1]
    assert [homework.cell(row=10, column=c).value for c in (1, 6)] == ["Entiteit A (A)", -75]
    assert [homework.cell(row=16, column=c).value for c in (1, 3, 4, 6, 7, 8)] == ["Entiteit B (B)", 2, 1, 0, 4, 3]
    charts = homework._charts
    assert len(charts) == 1
    chart = charts[0]
    assert chart.tagname == "lineChart"
    # the series is the monthly share of the four totals (rows 5-8), titled by its header
    assert chart.series[0].val.numRef.f == "'Thuiswerk per maand'!$E$5:$E$8"
    assert chart.series[0].cat.numRef.f == "'Thuiswerk per maand'!$B$5:$B$8"

    internet = workbook["Internetvergoeding"]
    assert [cell.value for cell in internet[4]][3:6] == ["Personeelsleden", "Noemer: personeelsleden in aanmerking", "Percentage van de noemer"]
    values = [[cell.value for cell in row] for row in internet.iter_rows(min_row=5, max_row=7)]
    scope = "Alle entiteiten (Vlaamse overheid)"
    assert values == [
        [scope, 2022, "Forfaitaire vergoeding", 2, 6, 0.3333, 3, 60],
        [scope, 2022, "Derdebetalerssysteem", 2, 6, 0.3333, 3, 85.5],
        [scope, 2022, "Beide formules (elk personeelslid één keer)", 4, 6, 0.6667, 6, 145.5],
    ]
    assert internet["H5"].number_format == '#,##0.00 "€"'

    material = workbook["Materiaal"]
    column_a = [cell.value for cell in material["A"]]
    assert NL("reports.title.budget") in column_a
    budget_header = column_a.index(NL("reports.title.budget")) + 2
    budget_rows = [[material.cell(row=budget_header + offset, column=c).value for c in range(1, 9)] for offset in (1, 2, 3)]
    assert budget_rows == [
        [scope, "2022", "Jaarlijks", "Klein kantoormateriaal", 1000, 120, 880, 0.12],
        [scope, "2022-2023", "Eenmalig", "Klein kantoormateriaal", 300, 45, 255, 0.15],  # the years the one-off budget covers
        [scope, "2023", "Jaarlijks", "Klein kantoormateriaal", 500, 0, 500, 0],
    ]
    ineligible = workbook["Niet in aanmerking"]
    assert [[c.value for c in row] for row in ineligible.iter_rows(min_row=5)] == [
        [scope, "Misbruik", 1, 0], [scope, "Functie niet geschikt", 1, 0], [scope, "Organisatorisch", 1, 1],
        ["Entiteit A (A)", "Misbruik", 1, 0], ["Entiteit A (A)", "Functie niet geschikt", 1, 0],
        ["Entiteit B (B)", "Organisatorisch", 1, 1],
    ]
    webinars = workbook["Webinars"]
    column_a = [cell.value for cell in webinars["A"]]
    per_title = column_a.index(NL("reports.title.webinars_per_title")) + 2
    assert [cell.value for cell in webinars[per_title]][:7] == ["Entiteit", "Webinar", "Sessies", "Ingeschreven", "Wachtlijst",
                                                                "Deelgenomen", "Unieke deelnemers"]
    assert [cell.value for cell in webinars[per_title + 1]][:7] == [scope, "Focus @ home", 2, 4, 2, 3, 2]
    coaching = workbook["Coaching"]
    assert [cell.value for cell in coaching[5]][:7] == [scope, "Hele periode", "Leiderschapscoaching", 1, 1, 1, 5]
    assert [cell.value for cell in coaching[7]][:7] == [scope, "Hele periode", "Beide soorten (elk personeelslid één keer)", 4, 3, 2, 8]
    # no small counts hidden unless asked for, and then the Definities sheet says so
    assert "Kleine aantallen" not in terms
    assert workbook_filename(report, Translator("nl")) == "rapport-hybride-werk-2022-11-2023-02-alle-entiteiten.xlsx"
    assert workbook_filename(report, Translator("en")) == "hybrid-work-report-2022-11-2023-02-all-entities.xlsx"


async def test_csv_per_sheet(uow_factory: UnitOfWorkFactory) -> None:
    await build_dataset(uow_factory)
    report = await report_for(uow_factory, "A")
    files = render_csv(report, Translator("en"))
    assert list(files) == [
        "definities.csv", "thuiswerk-per-maand.csv", "webinars-all.csv", "webinars-per-title.csv", "webinars-per-target-group.csv",
        "webinars-periods.csv", "webinars-sessions.csv", "coaching-whole-period.csv", "coaching-per-year.csv", "internetvergoeding.csv",
        "thuiswerkvergoeding.csv", "materiaal-delivered.csv", "materiaal-staff-served.csv", "materiaal-budget.csv",
        "niet-in-aanmerking.csv",
    ]
    rows = list(csv.reader(io.StringIO(files["thuiswerk-per-maand.csv"].decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Entity", "Month", "Staff (denominator)", "Home workers", "Share of home workers",
                       "Change from previous month (percentage points)", "Home days (at home)", "Satellite days"]
    assert rows[1] == ["Entiteit A (A)", "2022-11", "4", "3", "0.7500", "", "2", "1"]
    assert rows[4] == ["Entiteit A (A)", "2023-02", "3", "1", "0.3333", "-33.3400", "2", "0"]
    internet = list(csv.reader(io.StringIO(files["internetvergoeding.csv"].decode("utf-8-sig")), delimiter=";"))
    a = "Entiteit A (A)"
    assert internet[1:] == [[a, "2022", "Flat fee", "1", "4", "0.2500", "2", "40.00"],
                            [a, "2022", "Third-party payer", "2", "4", "0.5000", "3", "85.50"],
                            [a, "2022", "Both modes (each staff member once)", "3", "4", "0.7500", "5", "125.50"],
                            [a, "2023", "Flat fee", "1", "4", "0.2500", "2", "40.00"],
                            [a, "2023", "Both modes (each staff member once)", "1", "4", "0.2500", "2", "40.00"]]
    both = [row for row in internet[1:] if row[2].startswith("Both")]
    assert sum(Decimal(row[7]) for row in both) == Decimal("165.50")


async def test_small_counts_are_hidden_only_when_asked(uow_factory: UnitOfWorkFactory) -> None:
    await build_dataset(uow_factory)
    report = replace(await report_for(uow_factory), min_cell=3)
    workbook = load_workbook(io.BytesIO(render_workbook(report, NL)))
    terms = {row[0]: row[1] for row in workbook["Definities"].iter_rows(min_row=5, values_only=True) if row[0]}
    assert "1 tot 2 personen" in terms["Kleine aantallen"] and "'< 3'" in terms["Kleine aantallen"]
    homework = workbook["Thuiswerk per maand"]
    # December: 3 eligible shown, 1 home worker hidden with the share, change and days that reveal it
    assert [c.value for c in homework[6]][2:8] == [3, "< 3", "verborgen", "verborgen", "verborgen", "verborgen"]
    # November: 5 and 4 people are shown as they are; zero is shown (entity A, December)
    assert [c.value for c in homework[5]][2:4] == [5, 4] and [c.value for c in homework[10]][2:4] == ["< 3", 0]
    internet = workbook["Internetvergoeding"]
    assert [c.value for c in internet[5]][3:8] == ["< 3", 6, "verborgen", 3, "verborgen"]  # staff-months are no people
    # the captured figures are the real ones: hiding is presentation only
    captured = figures(build_sheets(replace(report, min_cell=None), NL))
    assert captured[("thuiswerk-per-maand/total", ("*", "2022-12"), "home_workers")] == 1
    assert captured[("internetvergoeding/internet", ("B", "2023", "*"), "staff")] == 2
    # every cell of every sheet has its own name: nothing is captured twice
    sheets = build_sheets(replace(report, min_cell=None), NL)
    assert len(captured) == sum(len(block.rows) * len(block.columns) for sheet in sheets for block in sheet.blocks) > 500
    hidden_sheets = build_sheets(report, NL)
    assert figures(hidden_sheets)[("thuiswerk-per-maand/total", ("*", "2022-12"), "home_workers")] == "< 3"


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
    hiding = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--from", "2021-01", "--to", "2021-03", "--min-cell", "5", "--out", str(out)],
        cwd=root, env=env, capture_output=True, text=True,
    )
    assert hiding.returncode == 0, hiding.stderr
    terms = [row[0] for row in load_workbook(out)["Definities"].iter_rows(min_row=5, values_only=True)]
    assert "Kleine aantallen" in terms
    bad = subprocess.run([sys.executable, "-m", "bot", "report", "--from", "2021-01", "--to", "2021-03", "--min-cell", "1", "--out", str(out)],
                         cwd=root, env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "kleine aantallen" in bad.stderr
    wrong = subprocess.run([sys.executable, "-m", "bot", "report", "--from", "2023-10", "--to", "2021-01", "--out", str(out)],
                           cwd=root, env=env, capture_output=True, text=True)
    assert wrong.returncode == 2 and "na het einde" in wrong.stderr
