"""CSV output: one file per sheet block (UTF-8 with BOM and semicolons, as Excel in Belgium
opens them); numbers are written plainly (dot decimals, fractions for percentages)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from bot.domain.reports import Report
from bot.i18n import Translator
from bot.reports.tables import Kind, Value, build_sheets


def _plain(value: Value, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "month" and isinstance(value, date):
        return value.strftime("%Y-%m")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def render_csv(report: Report, t: Translator) -> dict[str, bytes]:
    """File name -> content, in sheet order."""
    files: dict[str, bytes] = {}
    for sheet in build_sheets(report, t):
        for block in sheet.blocks:
            name = sheet.slug if len(sheet.blocks) == 1 else f"{sheet.slug}-{block.slug.replace('_', '-')}"
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
            writer.writerow([column.header for column in block.columns])
            for row in block.rows:
                writer.writerow([_plain(value, column.kind) for column, value in zip(block.columns, row.values, strict=True)])
            files[f"{name}.csv"] = buffer.getvalue().encode("utf-8-sig")
    return files
