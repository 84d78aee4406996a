"""The report as tables: one Sheet per question, each with one or more blocks of columns and rows.
Only formatting decisions live here (headers, order, kinds of values); the figures come ready."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from bot.domain.reports import Report
from bot.i18n import Translator

Kind = Literal["text", "int", "decimal", "percent", "change", "money", "month", "datetime"]
Value = str | int | Decimal | date | datetime | None

SHEET_NAMES = (
    "Definities", "Thuiswerk per maand", "Webinars", "Coaching", "Internetvergoeding",
    "Thuiswerkvergoeding", "Materiaal", "Niet in aanmerking",
)
DEFINITION_KEYS = (
    "period", "scope", "entity", "home_worker", "denominator", "share", "change", "home_days", "webinars",
    "coaching", "internet_allowance", "allowance_month", "homework_allowance", "equipment", "budget", "ineligible",
)
# Definitions worded once for the bot, the import and this sheet alike.
SHARED_DEFINITIONS = {"allowance_month": "allowance.month_rule"}


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind
    width: int = 14


@dataclass
class Block:
    slug: str
    title: str
    columns: Sequence[Column]
    rows: list[list[Value]] = field(default_factory=list)
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


def build_sheets(report: Report, t: Translator) -> list[Sheet]:
    scope = report.entity.name + f" ({report.entity.code})" if report.entity else t("reports.scope_all")
    heading = t("reports.sheet_heading", period=str(report.period), scope=scope)
    c = lambda key, kind, width=14: Column(t(f"reports.col.{key}"), kind, width)  # noqa: E731
    missing = t("reports.section_missing")
    sheets: list[Sheet] = []

    definitions = Block("definitions", t("reports.title.definitions"), [c("term", "text", 28), c("definition", "text", 110)])
    definitions.rows = [[t(f"reports.term.{key}"), t(SHARED_DEFINITIONS.get(key, f"reports.def.{key}"))] for key in DEFINITION_KEYS]
    definitions.rows.insert(0, [t("reports.term.produced"), report.produced_at.replace(tzinfo=None, microsecond=0)])
    sheets.append(Sheet(SHEET_NAMES[0], "definities", heading, [definitions]))

    total = Block(
        "total", t("reports.title.homework"),
        [c("entity", "text", 30), c("month", "month", 10), c("eligible_staff", "int"), c("home_workers", "int"),
         c("share", "percent"), c("change", "change"), c("home_days", "decimal")],
    )
    everyone = scope
    total.rows = [
        [everyone, _month(m.month), m.eligible_staff, m.home_workers, m.share, m.change, m.home_days] for m in report.homework
    ]
    total.chart_rows, total.chart_column = len(total.rows), 4
    for line in report.homework_by_entity:
        total.rows.append([f"{line.entity.name} ({line.entity.code})", _month(line.month), line.eligible_staff, line.home_workers, line.share, None, None])
    sheets.append(Sheet(SHEET_NAMES[1], "thuiswerk-per-maand", heading, [total]))

    webinars = Block(
        "sessions", t("reports.title.webinars"),
        [c("webinar", "text", 50), c("target_group", "text", 16), c("session_start", "datetime", 18),
         c("registered", "int"), c("waitlisted", "int"), c("attended", "int")],
    )
    webinars.rows = [
        [w.title, _label(t, f"reports.target.{w.target_group}", w.target_group), w.session_start.replace(tzinfo=None), w.registered, w.waitlisted, w.attended]
        for w in report.webinars or []
    ]
    sheets.append(Sheet(SHEET_NAMES[2], "webinars", heading, [webinars], None if report.webinars is not None else missing))

    coaching = Block(
        "coaching", t("reports.title.coaching"),
        [c("year", "int", 8), c("kind", "text", 18), c("requests", "int"), c("staff", "int"), c("coached_staff", "int"), c("conversations", "int")],
    )
    coaching.rows = [[line.year, _label(t, f"reports.coaching.{line.kind}", line.kind), line.requests, line.staff, line.coached_staff, line.conversations]
                     for line in report.coaching or []]
    sheets.append(Sheet(SHEET_NAMES[3], "coaching", heading, [coaching], None if report.coaching is not None else missing))

    internet = Block(
        "internet", t("reports.title.internet_allowance"),
        [c("year", "int", 8), c("mode", "text", 24), c("staff", "int"), c("staff_in_service", "int"), c("share_of_staff", "percent"),
         c("months_paid", "int"), c("amount", "money", 16)],
    )
    internet.rows = [
        [line.year, _label(t, f"reports.mode.{line.mode}", line.mode), line.staff, report.staff_per_year.get(line.year, 0), line.share, line.months, line.amount]
        for line in report.internet_allowance or []
    ]
    sheets.append(Sheet(SHEET_NAMES[4], "internetvergoeding", heading, [internet], None if report.internet_allowance is not None else missing))

    homework_allowance = Block(
        "homework_allowance", t("reports.title.homework_allowance"), [c("month", "month", 10), c("staff", "int"), c("amount", "money", 16)]
    )
    homework_allowance.rows = [[_month(m.month), m.staff, m.amount] for m in report.homework_allowance or []]
    sheets.append(Sheet(SHEET_NAMES[5], "thuiswerkvergoeding", heading, [homework_allowance],
                        None if report.homework_allowance is not None else missing))

    delivered = Block(
        "delivered", t("reports.title.equipment"),
        [c("year", "int", 8), c("category", "text", 28), c("item_code", "text", 16), c("item", "text", 36), c("delivered", "int"),
         c("staff", "int"), c("amount", "money", 16)],
    )
    delivered.rows = [[e.year, e.category, e.item_code, e.item, e.delivered, e.staff, e.amount] for e in report.equipment or []]
    served = Block("staff_served", t("reports.title.staff_served"), [c("year", "int", 8), c("staff", "int")])
    served.rows = [[year, count] for year, count in sorted((report.equipment_staff_per_year or {}).items())]
    budgets = Block(
        "budget", t("reports.title.budget"),
        [c("year", "int", 8), c("category", "text", 28), c("budget", "money", 16), c("spent", "money", 16), c("remaining", "money", 16),
         c("used", "percent")],
    )
    budgets.rows = [[b.year, b.category, b.budget, b.spent, b.remaining, b.used] for b in report.budgets or []]
    sheets.append(Sheet(SHEET_NAMES[6], "materiaal", heading, [delivered, served, budgets], None if report.equipment is not None else missing))

    ineligible = Block(
        "ineligible", t("reports.title.ineligible"),
        [c("entity", "text", 40), c("reason", "text", 24), c("staff", "int"), c("at_period_end", "int")],
    )
    ineligible.rows = [
        [f"{g.entity.name} ({g.entity.code})", _label(t, f"reports.reason.{g.reason}", g.reason), g.staff, g.at_period_end] for g in report.ineligible
    ]
    sheets.append(Sheet(SHEET_NAMES[7], "niet-in-aanmerking", heading, [ineligible]))
    return sheets
