"""The workbook (xlsx): headers, number formats, frozen panes, column widths and a line chart of
the monthly share of home workers. It formats what bot.reports.tables laid out, nothing more."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from types import SimpleNamespace
from typing import TYPE_CHECKING

from bot.domain.reports import Report
from bot.i18n import Translator
from bot.reports.tables import Block, Kind, Sheet, build_sheets

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

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


@cache
def _styles() -> SimpleNamespace:
    """openpyxl (about 10 MB and 0.1 s) is imported with the first workbook, not at start-up."""
    from openpyxl.styles import Font, PatternFill, Side

    return SimpleNamespace(
        header_font=Font(bold=True, color="FFFFFF"), header_fill=PatternFill("solid", fgColor="1F4E79"),
        title_font=Font(bold=True, size=14), block_font=Font(bold=True, size=12),
        note_font=Font(italic=True, color="7F7F7F"), thin=Side(style="thin", color="BFBFBF"),
    )


# Row of the first block's header: title on 1, the note (if any) on 2, the block title on 3.
FIRST_HEADER_ROW = 4


def workbook_filename(report: Report, t: Translator) -> str:
    """The file's name in the reader's language."""
    scope = report.entity.code if report.entity else t("files.name.report_all_entities")
    return f"{t('files.name.report', start=str(report.period.start), end=str(report.period.end), scope=scope)}.xlsx"


def render_workbook(report: Report, t: Translator, extra_sheets: Sequence[Sheet] = ()) -> bytes:
    """The workbook; `extra_sheets` (the changes since the version sent) come after the figures."""
    from openpyxl import Workbook

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
    from openpyxl.utils import get_column_letter

    styles = _styles()
    ws.cell(row=1, column=1, value=sheet.heading).font = styles.title_font
    if sheet.note:
        ws.cell(row=2, column=1, value=sheet.note).font = styles.note_font
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
    from openpyxl.styles import Alignment, Border

    styles = _styles()
    ws.cell(row=row, column=1, value=block.title).font = styles.block_font
    header_row = row + 1
    for number, column in enumerate(block.columns, start=1):
        cell = ws.cell(row=header_row, column=number, value=column.header)
        cell.font, cell.fill, cell.border = styles.header_font, styles.header_fill, Border(bottom=styles.thin)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        widths[number] = max(widths.get(number, 0), column.width, min(len(column.header) + 2, 40))
    if not block.rows:
        ws.cell(row=header_row + 1, column=1, value=t("reports.no_rows")).font = styles.note_font
    for offset, row in enumerate(block.rows, start=1):
        for number, (column, value) in enumerate(zip(block.columns, row.values, strict=True), start=1):
            cell = ws.cell(row=header_row + offset, column=number, value=value)
            cell.number_format = NUMBER_FORMATS[column.kind]
            if column.kind == "text" and isinstance(value, str):
                widths[number] = max(widths.get(number, 0), min(len(value) + 2, 80))
    return header_row


def _add_chart(ws: Worksheet, block: Block, header_row: int, t: Translator) -> None:
    from openpyxl.chart import LineChart, Reference
    from openpyxl.utils import get_column_letter

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
