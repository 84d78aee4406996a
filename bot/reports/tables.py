"""The report as tables: one Sheet per question, each with one or more blocks of columns and rows.
Only formatting decisions live here (headers, order, kinds of values, hiding small counts); the
figures come ready.

Every row has a key made of codes (entity code or "*" for the report's whole scope, month, mode,
...), and every column a key, so `figures(sheets)` captures each figure of every sheet under a
stable name whatever the language: ("homework/total", ("*", "2023-01"), "home_workers") -> 12.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from bot.domain.reports import WEBINAR_TOTALS, EntityRef, Report, hidden
from bot.i18n import Translator

Kind = Literal["text", "int", "decimal", "percent", "points", "money", "month", "datetime"]
Value = str | int | Decimal | date | datetime | None

SHEET_NAMES = (
    "Definities", "Thuiswerk per maand", "Webinars", "Coaching", "Internetvergoeding",
    "Thuiswerkvergoeding", "Materiaal", "Niet in aanmerking",
)
DEFINITION_KEYS = (
    "period", "scope", "breakdown", "entity", "home_worker", "denominator", "share", "change", "home_days", "satellite_days",
    "webinars", "webinar_totals", "coaching", "internet_allowance", "allowance_month", "internet_denominator", "homework_allowance",
    "equipment", "budget", "ineligible",
)
# The key of the report's whole scope in a row key (an entity's code otherwise).
SCOPE_KEY = "*"
# Definitions worded once for the bot, the import and this sheet alike.
SHARED_DEFINITIONS = {"allowance_month": "allowance.month_rule"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind
    width: int = 14
    people: bool = False  # a count of people: hidden when small (Report.min_cell)
    guarded_by: str | None = None  # hidden with that people column (a share or amount would reveal it)


@dataclass(frozen=True)
class Row:
    key: tuple[str, ...]
    values: list[Value]


@dataclass
class Block:
    slug: str
    title: str
    columns: Sequence[Column]
    rows: list[Row] = field(default_factory=list)
    # Rows (from the first) that form the chart's series; 0 = no chart.
    chart_rows: int = 0
    chart_column: int = 0


@dataclass
class Sheet:
    name: str
    slug: str
    heading: str
    blocks: list[Block]
    note: str | None = None


def _month(value) -> date:  # noqa: ANN001
    return value.first_day


def _label(t: Translator, key: str, raw: str) -> str:
    """A known code's label; a code from newer data than this catalogue shows as it is."""
    try:
        return t(key)
    except KeyError:
        return raw


def _points(change: Decimal | None) -> Decimal | None:
    """A change of shares (fractions) in percentage points: 0.0125 -> 1.25."""
    return None if change is None else change * 100


def build_sheets(report: Report, t: Translator) -> list[Sheet]:
    """The sheets of the workbook, small counts hidden when the report asks for it."""
    sheets = _sheets(report, t)
    return [_hide_small_counts(sheet, report.min_cell, t) for sheet in sheets] if report.min_cell else sheets


def figures(sheets: Sequence[Sheet]) -> dict[tuple[str, tuple[str, ...], str], Value]:
    """Every figure under (sheet/block, row key, column key): what a stored report version keeps."""
    captured: dict[tuple[str, tuple[str, ...], str], Value] = {}
    for sheet in sheets:
        for block in sheet.blocks:
            for row in block.rows:
                for column, value in zip(block.columns, row.values, strict=True):
                    captured[(f"{sheet.slug}/{block.slug}", row.key, column.key)] = value
    return captured


def _sheets(report: Report, t: Translator) -> list[Sheet]:
    scope = report.entity.name + f" ({report.entity.code})" if report.entity else t("reports.scope_all")
    heading = t("reports.sheet_heading", period=str(report.period), scope=scope)
    missing = t("reports.section_missing")

    def c(key: str, kind: Kind, width: int = 14, *, people: bool = False, guarded_by: str | None = None, header: str | None = None) -> Column:
        return Column(key, header or t(f"reports.col.{key}"), kind, width, people, guarded_by)

    def who(entity: EntityRef | None) -> tuple[str, str]:
        """The entity column's text and the row key's first part."""
        return (scope, SCOPE_KEY) if entity is None else (f"{entity.name} ({entity.code})", entity.code)

    entity_column = c("entity", "text", 34)
    sheets: list[Sheet] = []

    definitions = Block("definitions", t("reports.title.definitions"), [c("term", "text", 28), c("definition", "text", 110)])
    definitions.rows = [Row(("produced",), [t("reports.term.produced"), report.produced_at.replace(tzinfo=None, microsecond=0)])]
    definitions.rows += [Row((key,), [t(f"reports.term.{key}"), t(SHARED_DEFINITIONS.get(key, f"reports.def.{key}"))]) for key in DEFINITION_KEYS]
    if report.min_cell:
        definitions.rows.append(Row(("min_cell",), [t("reports.term.min_cell"),
                                                    t("reports.def.min_cell", n=report.min_cell, below=report.min_cell - 1)]))
    sheets.append(Sheet(SHEET_NAMES[0], "definities", heading, [definitions]))

    homework = Block(
        "total", t("reports.title.homework"),
        [entity_column, c("month", "month", 10), c("eligible_staff", "int", people=True), c("home_workers", "int", people=True),
         c("share", "percent", guarded_by="home_workers"), c("change", "points", 16, guarded_by="home_workers"),
         c("home_days", "decimal", guarded_by="home_workers"), c("satellite_days", "decimal", guarded_by="home_workers")],
    )
    for m in report.homework:
        name, code = who(m.entity)
        homework.rows.append(Row((code, str(m.month)), [name, _month(m.month), m.eligible_staff, m.home_workers, m.share, _points(m.change),
                                                        m.home_days, m.satellite_days]))
    homework.chart_rows, homework.chart_column = sum(1 for m in report.homework if m.entity is None), 4
    sheets.append(Sheet(SHEET_NAMES[1], "thuiswerk-per-maand", heading, [homework]))

    sheets.append(_webinar_sheet(report, t, c, who, entity_column, heading, missing))

    coaching_columns = [entity_column, c("year", "text", 14), c("kind", "text", 30), c("requests", "int"), c("staff", "int", people=True),
                        c("coached_staff", "int", people=True), c("conversations", "int")]
    per_year = Block("per_year", t("reports.title.coaching"), coaching_columns)
    whole = Block("whole_period", t("reports.title.coaching_period"), coaching_columns)
    for line in report.coaching or []:
        name, code = who(line.entity)
        kind = _label(t, f"reports.coaching.{line.kind}", line.kind) if line.kind else t("reports.coaching.both")
        year = str(line.year) if line.year is not None else t("reports.whole_period")
        row = Row((code, str(line.year or SCOPE_KEY), line.kind or SCOPE_KEY),
                  [name, year, kind, line.requests, line.staff, line.coached_staff, line.conversations])
        (per_year if line.year is not None else whole).rows.append(row)
    sheets.append(Sheet(SHEET_NAMES[3], "coaching", heading, [whole, per_year], None if report.coaching is not None else missing))

    internet = Block(
        "internet", t("reports.title.internet_allowance"),
        [entity_column, c("year", "int", 8), c("mode", "text", 34), c("staff", "int", people=True),
         c("eligible_denominator", "int", 18, people=True), c("share_of_eligible", "percent", guarded_by="staff"),
         c("months_paid", "int"), c("amount", "money", 16, guarded_by="staff")],
    )
    for line in report.internet_allowance or []:
        name, code = who(line.entity)
        mode = _label(t, f"reports.mode.{line.mode}", line.mode) if line.mode else t("reports.mode.both")
        internet.rows.append(Row((code, str(line.year), line.mode or SCOPE_KEY),
                                 [name, line.year, mode, line.staff, line.eligible_staff, line.share, line.months, line.amount]))
    sheets.append(Sheet(SHEET_NAMES[4], "internetvergoeding", heading, [internet], None if report.internet_allowance is not None else missing))

    homework_allowance = Block(
        "homework_allowance", t("reports.title.homework_allowance"),
        [entity_column, c("month", "month", 10), c("staff", "int", people=True), c("amount", "money", 16, guarded_by="staff")],
    )
    for m in report.homework_allowance or []:
        name, code = who(m.entity)
        homework_allowance.rows.append(Row((code, str(m.month)), [name, _month(m.month), m.staff, m.amount]))
    sheets.append(Sheet(SHEET_NAMES[5], "thuiswerkvergoeding", heading, [homework_allowance],
                        None if report.homework_allowance is not None else missing))

    delivered = Block(
        "delivered", t("reports.title.equipment"),
        [entity_column, c("year", "int", 8), c("category", "text", 28), c("item_code", "text", 16), c("item", "text", 36),
         c("delivered", "int"), c("staff", "int", people=True), c("amount", "money", 16)],
    )
    for e in report.equipment or []:
        name, code = who(e.entity)
        delivered.rows.append(Row((code, str(e.year), e.category, e.item_code, e.item), [name, e.year, e.category, e.item_code, e.item, e.delivered, e.staff, e.amount]))
    served = Block("staff_served", t("reports.title.staff_served"), [entity_column, c("year", "int", 8), c("staff", "int", people=True)])
    for s in report.staff_served or []:
        name, code = who(s.entity)
        served.rows.append(Row((code, str(s.year)), [name, s.year, s.staff]))
    budgets = Block(
        "budget", t("reports.title.budget"),
        [entity_column, c("years_covered", "text", 12), c("budget_kind", "text", 12), c("category", "text", 28), c("budget", "money", 16),
         c("spent", "money", 16), c("remaining", "money", 16), c("used", "percent")],
    )
    for b in report.budgets or []:
        name, code = who(b.entity)
        kind = t("reports.budget.one_off") if b.one_off else t("reports.budget.annual") if b.budget is not None else t("reports.budget.none")
        budgets.rows.append(Row((code, b.years, "one_off" if b.one_off else "annual" if b.budget is not None else "none", b.category),
                                [name, b.years, kind, b.category, b.budget, b.spent, b.remaining, b.used]))
    sheets.append(Sheet(SHEET_NAMES[6], "materiaal", heading, [delivered, served, budgets], None if report.equipment is not None else missing))

    ineligible = Block(
        "ineligible", t("reports.title.ineligible"),
        [entity_column, c("reason", "text", 24), c("staff", "int", people=True), c("at_period_end", "int", people=True)],
    )
    for g in report.ineligible:
        name, code = who(g.entity)
        ineligible.rows.append(Row((code, g.reason), [name, _label(t, f"reports.reason.{g.reason}", g.reason), g.staff, g.at_period_end]))
    sheets.append(Sheet(SHEET_NAMES[7], "niet-in-aanmerking", heading, [ineligible]))
    return sheets


def _webinar_sheet(report: Report, t: Translator, c: Callable[..., Column], who: Callable, entity_column: Column, heading: str,
                   missing: str) -> Sheet:
    counts = [c("sessions", "int"), c("registered", "int", people=True), c("waitlisted", "int", people=True),
              c("attended", "int", people=True), c("participants", "int", people=True)]
    headers = {"title": c("webinar", "text", 50), "target_group": c("target_group", "text", 22), "year": c("period", "text", 12),
               "quarter": c("period", "text", 12), "all": c("sessions_all", "text", 22)}
    blocks: dict[str, Block] = {}
    for by in WEBINAR_TOTALS:
        slug = "periods" if by in ("year", "quarter") else f"per_{by}" if by != "all" else "all"
        blocks.setdefault(slug, Block(slug, t(f"reports.title.webinars_{slug}"), [entity_column, headers[by], *counts]))
    for total in report.webinar_totals or []:
        name, code = who(total.entity)
        if total.by == "target_group":
            value = _label(t, f"reports.target.{total.value}", total.value)
        elif total.by == "all":
            value = t("reports.webinars.all_sessions")
        else:
            value = total.value
        slug = "periods" if total.by in ("year", "quarter") else f"per_{total.by}" if total.by != "all" else "all"
        blocks[slug].rows.append(Row((code, total.by, total.value), [name, value, total.sessions, total.registered, total.waitlisted,
                                                                      total.attended, total.participants]))
    sessions = Block(
        "sessions", t("reports.title.webinars"),
        [entity_column, c("webinar", "text", 50), c("target_group", "text", 16), c("session_start", "datetime", 18),
         c("registered", "int", people=True), c("waitlisted", "int", people=True), c("attended", "int", people=True)],
    )
    for w in report.webinars or []:
        name, code = who(w.entity)
        sessions.rows.append(Row(
            (code, w.session_start.isoformat(), w.title),
            [name, w.title, _label(t, f"reports.target.{w.target_group}", w.target_group), w.session_start.replace(tzinfo=None),
             w.registered, w.waitlisted, w.attended],
        ))
    ordered = [blocks["all"], blocks["per_title"], blocks["per_target_group"], blocks["periods"], sessions]
    return Sheet(SHEET_NAMES[2], "webinars", heading, ordered, None if report.webinars is not None else missing)


def _hide_small_counts(sheet: Sheet, min_cell: int | None, t: Translator) -> Sheet:
    """Cells of 1 to min_cell - 1 people become "< N"; the shares and amounts that would reveal
    them are hidden with them."""
    marker, derived = t("reports.hidden_count", n=min_cell), t("reports.hidden_derived")
    blocks = []
    for block in sheet.blocks:
        rows = []
        for row in block.rows:
            small = {
                column.key for column, value in zip(block.columns, row.values, strict=True)
                if column.people and isinstance(value, int) and hidden(value, min_cell)
            }
            values = [
                marker if column.key in small else derived if column.guarded_by in small else value
                for column, value in zip(block.columns, row.values, strict=True)
            ]
            rows.append(Row(row.key, values))
        blocks.append(replace(block, rows=rows))
    return replace(sheet, blocks=blocks)
