"""The workbook (xlsx): headers, number formats, frozen panes, column widths and a line chart of
the monthly share of home workers. It formats what bot.reports.tables laid out, nothing more."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.reports import Report
from bot.i18n import Translator
from bot.reports.tables import Block, Kind, Sheet, build_sheets

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS: dict[Kind, str] = {
    "text": "@",
    "int": "#,##0",
    "decimal": "#,##0.0",
    "percent": "0.0%",
    # a change of percentages in percentage points (the value is in points: 1.25 = +1.3 pp)
    "points": '+0.0" pp";-0.0" pp";0.0" pp"',
    "money": '#,##0.00 "€"',
    "month": "yyyy-mm",
    "datetime": "yyyy-mm-dd hh:mm",
}
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TITLE_FONT = Font(bold=True, size=14)
BLOCK_FONT = Font(bold=True, size=12)
NOTE_FONT = Font(italic=True, color="7F7F7F")
THIN = Side(style="thin", color="BFBFBF")
# Row of the first block's header: title on 1, the note (if any) on 2, the block title on 3.
FIRST_HEADER_ROW = 4


def workbook_filename(report: Report, t: Translator) -> str:
    """The file's name in the reader's language."""
    scope = report.entity.code if report.entity else t("files.name.report_all_entities")
    return f"{t('files.name.report', start=str(report.period.start), end=str(report.period.end), scope=scope)}.xlsx"


def render_workbook(report: Report, t: Translator, extra_sheets: Sequence[Sheet] = ()) -> bytes:
    """The workbook; `extra_sheets` (the changes since the version sent) come after the figures."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in [*build_sheets(report, t), *extra_sheets]:
        _write_sheet(workbook.create_sheet(sheet.name), sheet, t)
    workbook.properties.title = t("reports.workbook_title")
    workbook.properties.creator = "Hybride werk"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(ws: Worksheet, sheet: Sheet, t: Translator) -> None:
    ws.cell(row=1, column=1, value=sheet.heading).font = TITLE_FONT
    if sheet.note:
        ws.cell(row=2, column=1, value=sheet.note).font = NOTE_FONT
    row = FIRST_HEADER_ROW - 1
    widths: dict[int, int] = {}
    for index, block in enumerate(sheet.blocks):
        header_row = _write_block(ws, block, row, widths, t)
        if index == 0:
            ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
            if block.rows:
                ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(block.columns))}{header_row + len(block.rows)}"
        if block.chart_rows:
            _add_chart(ws, block, header_row, t)
        row = header_row + len(block.rows) + 2
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width


def _write_block(ws: Worksheet, block: Block, row: int, widths: dict[int, int], t: Translator) -> int:
    ws.cell(row=row, column=1, value=block.title).font = BLOCK_FONT
    header_row = row + 1
    for number, column in enumerate(block.columns, start=1):
        cell = ws.cell(row=header_row, column=number, value=column.header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, Border(bottom=THIN)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        widths[number] = max(widths.get(number, 0), column.width, min(len(column.header) + 2, 40))
    if not block.rows:
        ws.cell(row=header_row + 1, column=1, value=t("reports.no_rows")).font = NOTE_FONT
    for offset, row in enumerate(block.rows, start=1):
        for number, (column, value) in enumerate(zip(block.columns, row.values, strict=True), start=1):
            cell = ws.cell(row=header_row + offset, column=number, value=value)
            cell.number_format = NUMBER_FORMATS[column.kind]
            if column.kind == "text" and isinstance(value, str):
                widths[number] = max(widths.get(number, 0), min(len(value) + 2, 80))
    return header_row


def _add_chart(ws: Worksheet, block: Block, header_row: int, t: Translator) -> None:
    chart = LineChart()
    chart.title = t("reports.chart_title")
    chart.y_axis.title = t("reports.col.share")
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.x_axis.title = t("reports.col.month")
    chart.x_axis.number_format = "yyyy-mm"
    chart.height, chart.width = 9, 22
    last = header_row + block.chart_rows
    data = Reference(ws, min_col=block.chart_column + 1, min_row=header_row, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, min_row=header_row + 1, max_row=last))
    ws.add_chart(chart, f"{get_column_letter(len(block.columns) + 2)}{header_row}")
