"""How an approval card words an equipment request (subject "equipment_request")."""

from __future__ import annotations

from bot.domain.approvals import EquipmentRequestSummary
from bot.i18n import Translator
from dialogs.cards.approvals import SubjectText


def equipment_request_text(summary: EquipmentRequestSummary, t: Translator) -> SubjectText:
    locale = t.locale
    facts: list[tuple[str, str]] = [
        (line.names(locale), t("equipment.line_cost", quantity=line.quantity, price=t.money(line.unit_price), cost=t.money(line.cost)))
        for line in summary.lines
    ]
    facts.append((t("equipment.total"), t.money(summary.total)))
    if summary.justification:
        facts.append((t("equipment.justification"), summary.justification))
    facts.append((t("equipment.delivery"), t(f"equipment.delivery_{summary.delivery.value}")))
    if summary.reasonable_adjustment:
        facts.append((t("equipment.reasonable_adjustment"), t("common.yes")))
    for budget in summary.budgets:
        facts.append((
            t("equipment.budget_of", category=budget.category(locale), year=budget.year),
            t("equipment.budget_remaining", remaining=t.money(budget.remaining), amount=t.money(budget.amount))
            if budget.amount is not None else t("equipment.no_budget"),
        ))
    warning = None
    if summary.over_budget:
        warning = t("equipment.over_budget_warning", categories=", ".join(category(locale) for category in summary.over_budget))
    return SubjectText(
        title=t("equipment.approval_title", items=", ".join(line.names(locale) for line in summary.lines)),
        facts=facts, warning=warning,
    )
