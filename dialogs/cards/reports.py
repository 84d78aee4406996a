"""Cards of the report flow: the request form (period and entity) and the summary of key figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from microsoft_teams.cards import Choice, ChoiceSetInput, OpenUrlAction, TextInput
from pydantic import Field

from bot.actions import ActionData
from bot.domain.report_versions import Comparison
from bot.domain.reports import EntityRef, HomeworkMonth, KeyFigures
from bot.i18n import Translator
from bot.reports import change_words as words
from dialogs.cards.base import card, facts, submit, text, title, with_menu

ALL_ENTITIES = "*"
# The small-count thresholds the form offers (the command line takes any from 2 to 100).
MIN_CELL_CHOICES = (5, 10)
MONTH_PATTERN = r"^\d{4}-\d{2}$"


class RequestReport(ActionData, verb="reports.request", card_inputs=("start", "end", "entity", "min_cell")):
    """The form's inputs arrive next to the verb."""

    start: str = Field("", max_length=20)
    end: str = Field("", max_length=20)
    entity: str = Field(ALL_ENTITIES, max_length=40)
    min_cell: str = Field("0", max_length=10)  # "0" shows everything; else hide cells under that many people


@dataclass(frozen=True)
class ReportFormView:
    start: str
    end: str
    entities: Sequence[EntityRef]
    entity: str = ALL_ENTITIES


@dataclass(frozen=True)
class VersionLink:
    number: int
    produced_at: datetime
    produced_by: str
    url: str


@dataclass(frozen=True)
class ReportSummaryView:
    period: str
    scope: str
    figures: KeyFigures
    download_url: str | None
    link_minutes: int
    version: int | None = None
    comparison: Comparison | None = None
    earlier: list[VersionLink] = field(default_factory=list)  # newest first


CHANGES_ON_CARD = 5


def _changes(t: Translator, view: ReportSummaryView) -> list[Any]:
    """What changed since the version already sent (the Wijzigingen sheet has every line)."""
    comparison = view.comparison
    if comparison is None:
        return []
    note = words.comparison_note(t, comparison)
    if comparison.previous is None:
        return [text(note, subtle=True)]
    if not comparison.changes:
        return [text(note)]
    blocks: list[Any] = [text(note, weight="Bolder")]
    for change in comparison.changes[:CHANGES_ON_CARD]:
        line = t("reports.change.line", row=change.row, figure=change.column, before=words.before(t, change),
                 after=words.after(t, change), why=words.reasons(t, change))
        blocks.append(text(line, size="Small"))
    if len(comparison.changes) > CHANGES_ON_CARD:
        blocks.append(text(t("reports.changes.more", count=len(comparison.changes) - CHANGES_ON_CARD), subtle=True, size="Small"))
    return blocks


def _earlier(t: Translator, view: ReportSummaryView) -> list[Any]:
    if not view.earlier:
        return []
    lines = [
        t("reports.version.line", version=v.number, date=t.date(v.produced_at.date(), "d MMMM yyyy"), by=v.produced_by, url=v.url)
        for v in view.earlier
    ]
    return [text(t("reports.versions.title"), weight="Bolder"), text("\n\n".join(lines), size="Small")]


def report_form_card(t: Translator, view: ReportFormView) -> dict[str, Any]:
    choices = [Choice(title=t("reports.all_entities"), value=ALL_ENTITIES)] + [
        Choice(title=f"{entity.name} ({entity.code})", value=entity.code) for entity in view.entities
    ]
    body = [
        title(t("reports.card_title")),
        text(t("reports.card_intro")),
        TextInput(id="start", label=t("reports.from_label"), value=view.start, placeholder="2021-01", regex=MONTH_PATTERN,
                  error_message=t("reports.month_error"), is_required=True, max_length=7),
        TextInput(id="end", label=t("reports.to_label"), value=view.end, placeholder="2023-10", regex=MONTH_PATTERN,
                  error_message=t("reports.month_error"), is_required=True, max_length=7),
        ChoiceSetInput(id="entity", label=t("reports.entity_label"), choices=choices, value=view.entity, style="compact"),
        ChoiceSetInput(
            # "0": show everything (a choice's value may not be empty in Teams)
            id="min_cell", label=t("reports.min_cell_label"), style="compact", value="0",
            choices=[Choice(title=t("reports.min_cell.none"), value="0")]
            + [Choice(title=t("reports.min_cell.n", n=n), value=str(n)) for n in MIN_CELL_CHOICES],
        ),
    ]
    return card(body, with_menu(t, [submit(RequestReport(), t("reports.submit"), style="positive")]))


def _share(t: Translator, month: HomeworkMonth | None) -> str:
    if month is None or month.share is None:
        return t("reports.not_available")
    return t("reports.fact.share_value", share=_percent(t, month.share), workers=month.home_workers, staff=month.eligible_staff)


def _percent(t: Translator, share: Decimal) -> str:
    return f"{t.number((share * 100).quantize(Decimal('0.1')))}%"


def _money(t: Translator, amount: Decimal | None) -> str:
    return t("reports.not_available") if amount is None else t.money(amount)


def _count(t: Translator, value: int | None) -> str:
    return t("reports.not_available") if value is None else t.number(value)


def report_summary_card(t: Translator, view: ReportSummaryView) -> dict[str, Any]:
    figures = view.figures
    pairs = [
        (t("reports.fact.average_share"), _percent(t, figures.average_share) if figures.average_share is not None else t("reports.not_available")),
    ]
    if figures.last_month is not None:
        pairs.append((t("reports.fact.last_month", month=str(figures.last_month.month)), _share(t, figures.last_month)))
    if figures.peak_month is not None:
        pairs.append((t("reports.fact.peak_month", month=str(figures.peak_month.month)), _share(t, figures.peak_month)))
    pairs += [
        (t("reports.fact.ineligible"), t.number(figures.ineligible_staff)),
        (t("reports.fact.webinar_attendees"), _count(t, figures.webinar_attendees)),
        (t("reports.fact.coaching_requests"), _count(t, figures.coaching_requests)),
        (t("reports.fact.internet_amount"), _money(t, figures.internet_allowance_amount)),
        (t("reports.fact.equipment_amount"), _money(t, figures.equipment_amount)),
    ]
    if view.version is not None:
        pairs.insert(0, (t("reports.fact.version"), t.number(view.version)))
    actions = []
    if view.download_url:
        actions.append(OpenUrlAction(title=t("reports.download", minutes=view.link_minutes), url=view.download_url))
    return card(
        [title(t("reports.summary_title", period=view.period, scope=view.scope)), text(t("reports.summary_intro"), subtle=True), facts(pairs),
         *_changes(t, view), *_earlier(t, view)],
        with_menu(t, actions),
    )
