"""The payroll export as files: CSV for a payroll system, or one XLSX workbook for people.

CSV files are UTF-8, comma-separated, with a dot as decimal separator and two decimals; the staff
file ends with a TOTAL line. The workbook holds both lists on two sheets, with totals. Formatting
only: the figures come from `bot.services.payroll.export_payroll`.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from bot.domain.errors import InvalidInput
from bot.domain.payroll import PayrollExport, PayrollLine

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")
MONEY_FORMAT = "#,##0.00"

STAFF_COLUMNS = (
    "email", "name", "internet_mode", "flat_fee", "home_days", "working_days", "home_days_per_week",
    "homework_allowance", "total", "not_eligible_for_hybrid_work",
)
THIRD_PARTY_COLUMNS = ("email", "name", "provider", "customer_number", "monthly_cost")


def filename(export: PayrollExport, suffix: str = "") -> str:
    return f"payroll-{export.entity.code}-{export.month}{suffix}"


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _staff_row(line: PayrollLine) -> list[str]:
    return [
        line.email, line.name, line.mode.value if line.mode else "", _money(line.flat_fee), str(line.home_days),
        str(line.working_days), str(line.per_week), _money(line.homework_allowance), _money(line.total),
        "yes" if line.not_eligible else "no",
    ]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def payroll_csv(export: PayrollExport) -> list[tuple[str, bytes]]:
    """Two CSV files: the staff lines (with a TOTAL line) and the third-party payer list."""
    staff_rows = [list(STAFF_COLUMNS), *(_staff_row(line) for line in export.lines)]
    staff_rows.append([
        "TOTAL", str(len(export.lines)), "", _money(export.flat_fee_total), "", "", "",
        _money(export.homework_total), _money(export.flat_fee_total + export.homework_total), "",
    ])
    third_rows = [list(THIRD_PARTY_COLUMNS)] + [
        [line.email, line.name, line.provider or "", line.customer_number or "", _money(line.monthly_cost)]
        for line in export.third_party
    ]
    third_rows.append(["TOTAL", str(len(export.third_party)), "", "", _money(export.third_party_total)])
    return [(filename(export, ".csv"), _csv(staff_rows)), (filename(export, "-third-party.csv"), _csv(third_rows))]


def payroll_xlsx(export: PayrollExport) -> bytes:
    """One workbook: sheet "Staff" and sheet "Third party", each with a bold header and totals."""
    from openpyxl import Workbook  # first use: not at start-up
    from openpyxl.styles import Font

    workbook = Workbook()
    staff_sheet = workbook.active
    staff_sheet.title = "Staff"
    staff_sheet.append(list(STAFF_COLUMNS))
    for line in export.lines:
        staff_sheet.append([
            line.email, line.name, line.mode.value if line.mode else "", line.flat_fee, line.home_days,
            line.working_days, line.per_week, line.homework_allowance, line.total, "yes" if line.not_eligible else "no",
        ])
    staff_sheet.append([
        "TOTAL", len(export.lines), "", export.flat_fee_total, None, None, None, export.homework_total,
        export.flat_fee_total + export.homework_total, None,
    ])
    third_sheet = workbook.create_sheet("Third party")
    third_sheet.append(list(THIRD_PARTY_COLUMNS))
    for line in export.third_party:
        third_sheet.append([line.email, line.name, line.provider or "", line.customer_number or "", line.monthly_cost])
    third_sheet.append(["TOTAL", len(export.third_party), None, None, export.third_party_total])
    for sheet, money_columns in ((staff_sheet, "DHI"), (third_sheet, "E")):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for column in money_columns:
            for cell in sheet[column][1:]:
                cell.number_format = MONEY_FORMAT
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def payroll_files(export: PayrollExport, fmt: str) -> list[tuple[str, str, bytes]]:
    """(filename, content type, content) for each file of the export in a format."""
    if fmt == "xlsx":
        return [(filename(export, ".xlsx"), XLSX_TYPE, payroll_xlsx(export))]
    if fmt == "csv":
        return [(name, CSV_TYPE, content) for name, content in payroll_csv(export)]
    raise InvalidInput("payroll.unknown_format")
