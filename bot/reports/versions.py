"""The workbook's figures captured generically for its version (bot/domain/report_versions.py), and
the `Wijzigingen` sheet that lists what changed since the version already sent.

The capture reads the laid-out sheets (bot.reports.tables), whatever their blocks and columns: a
row's key joins the block and the values of its dimension columns (texts, months, date-times and
the year), every other column is a figure. It always reads the Dutch sheets, so that versions asked
in either language compare."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bot.domain.report_versions import NOT_FIGURES, Comparison, Figures, VersionInfo
from bot.domain.reports import Report
from bot.domain.staff import Staff
from bot.i18n import Translator
from bot.reports import change_words as words
from bot.reports.tables import Block, Column, Row, Sheet, Value, build_sheets
from bot.reports.workbook import render_workbook, workbook_filename
from bot.services import report_versions as versions
from bot.services import reports as service

DIMENSION_KINDS = frozenset({"text", "month", "datetime"})
CHANGES_SLUG = "wijzigingen"
CHANGES_SHEET = "Wijzigingen"
MAX_CHANGE_ROWS = 5000  # a sheet stays readable; the count says how many there were


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()[:7] if value.day == 1 else value.isoformat()
    return str(value)


def _dimensions(block: Block, year_header: str) -> list[int]:
    return [i for i, column in enumerate(block.columns) if column.kind in DIMENSION_KINDS or column.header == year_header]


def capture_sheets(sheets: list[Sheet], t: Translator) -> Figures:
    figures: Figures = {}
    year_header = t("reports.col.year")
    for sheet in sheets:
        if sheet.slug in NOT_FIGURES:
            continue
        triples: list[list[str]] = []
        for block in sheet.blocks:
            keys = _dimensions(block, year_header)
            for row in block.rows:
                row_key = " | ".join([block.slug, *(_text(row.values[i]) for i in keys)])
                triples.extend(
                    [row_key, column.header, _text(value)]
                    for i, (column, value) in enumerate(zip(block.columns, row.values, strict=True)) if i not in keys
                )
        figures[sheet.slug] = triples
    return figures


def capture(report: Report) -> Figures:
    """The figures of every sheet of the report, as the Dutch workbook shows them."""
    t = Translator("nl")
    return capture_sheets(build_sheets(report, t), t)


def changes_sheet(comparison: Comparison, t: Translator, heading: str) -> Sheet:
    """Which figures changed since the version already sent, and why."""
    c = lambda key, kind, width=14: Column(key, t(f"reports.col.{key}"), kind, width)  # noqa: E731
    block = Block(
        "changes", t("reports.title.changes"),
        [c("sheet", "text", 22), c("row", "text", 50), c("figure", "text", 24), c("before", "text", 14), c("after", "text", 14),
         c("why", "text", 60)],
    )
    for number, change in enumerate(comparison.changes[:MAX_CHANGE_ROWS]):
        block.rows.append(Row((str(number),), [
            change.sheet, change.row, change.column, words.before(t, change), words.after(t, change), words.reasons(t, change),
        ]))
    earlier = Block("versions", t("reports.title.versions"), [c("version", "int", 10), c("produced_at", "datetime", 18),
                                                                  c("produced_by", "text", 20), c("content_hash", "text", 66)])
    earlier.rows = [Row((str(v.number),), [v.number, v.produced_at.replace(tzinfo=None, microsecond=0), v.produced_by, v.content_hash])
                    for v in comparison.earlier]
    note = words.comparison_note(t, comparison)
    return Sheet(CHANGES_SHEET, CHANGES_SLUG, heading, [block, earlier], note)


@dataclass(frozen=True)
class BuiltReport:
    report: Report
    content: bytes
    comparison: Comparison
    version: VersionInfo


async def build_versioned(run: Callable[..., Awaitable[Any]], request: service.ReportRequest, actor: Staff | None,
                          t: Translator, produced_by: str) -> BuiltReport:
    """The report, compared with the version already sent, rendered with its Wijzigingen sheet and
    stored as the next version (shared by the flow and the command line)."""
    report = await run(service.build_report, service.BuildReport(request, actor, t.locale))
    figures = await asyncio.to_thread(capture, report)
    comparison = await run(versions.compare_report, versions.CompareReport(request.as_params(), figures))
    scope = f"{report.entity.name} ({report.entity.code})" if report.entity else t("reports.scope_all")
    sheet = changes_sheet(comparison, t, t("reports.sheet_heading", period=str(report.period), scope=scope))
    content = await asyncio.to_thread(render_workbook, report, t, [sheet])
    version = await run(versions.store_report_version, versions.StoreReportVersion(
        request.as_params(), figures, t.locale, workbook_filename(report, t), content, produced_by, comparison.audit_mark,
    ))
    return BuiltReport(report, content, comparison, version)
