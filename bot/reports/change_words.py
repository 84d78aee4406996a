"""How a changed figure and the version it is compared with are worded: one wording for the
Wijzigingen sheet and the summary card in Teams."""

from __future__ import annotations

from bot.domain.report_versions import Comparison, FigureChange
from bot.i18n import Translator


def reasons(t: Translator, change: FigureChange) -> str:
    """Why the figure changed: the kinds of recorded change since the earlier version, counted."""
    return "; ".join(t(f"reports.why.{kind}", count=count) for kind, count in change.reasons)


def before(t: Translator, change: FigureChange) -> str:
    return change.before if change.before is not None else t("reports.change.new")


def after(t: Translator, change: FigureChange) -> str:
    return change.after if change.after is not None else t("reports.change.gone")


def comparison_note(t: Translator, comparison: Comparison) -> str:
    """First version, nothing changed, or how many figures changed since which version."""
    previous = comparison.previous
    if previous is None:
        return t("reports.changes.first")
    when = t.date(previous.produced_at.date(), "d MMMM yyyy")
    if not comparison.changes:
        return t("reports.changes.none", version=previous.number, date=when)
    return t("reports.changes.since", count=len(comparison.changes), version=previous.number, date=when)
