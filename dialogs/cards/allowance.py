"""Cards of the allowances: the internet allowance (mode, history, change form), my allowances per
month, the manager's confirmation of regular home work and HR's payroll export form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from microsoft_teams.cards import ActionSet, Choice, ChoiceSetInput, Column, ColumnSet, Container, TextInput
from pydantic import Field

from bot.actions import ActionData, Id
from bot.domain.allowances import (
    AllowanceChoice,
    ChoiceRefusal,
    InternetAllowanceView,
    InternetMode,
    MonthStatement,
    RegularHomeworkView,
)
from bot.domain.calendar import Month
from bot.i18n import Translator
from dialogs.cards.base import card, execute, facts, heading, submit, text, title, with_menu
from dialogs.cards.homework import FLOW_REGISTER
from dialogs.cards.menu import OpenFlow

MODE_INPUT = "mode"
PROVIDER_INPUT = "provider"
CUSTOMER_INPUT = "customer_number"
COST_INPUT = "monthly_cost"
ENTITY_INPUT = "entity"
MONTH_INPUT = "month"
FORMAT_INPUT = "format"
HISTORY_SHOWN = 12
COST_EXAMPLE = Decimal("41.50")  # the monthly cost's placeholder, in the reader's number format


class ChooseModeAction(ActionData, verb="allowance.choose", card_inputs=(MODE_INPUT, PROVIDER_INPUT, CUSTOMER_INPUT, COST_INPUT)):
    # The card's data carries only staff_id; the other fields are the card's inputs.
    staff_id: Id
    mode: InternetMode | None = None
    provider: str | None = Field(None, max_length=200)
    customer_number: str | None = Field(None, max_length=200)
    monthly_cost: str | None = Field(None, max_length=30)


class ConfirmRegularAction(ActionData, verb="allowance.confirm_regular"):
    staff_id: Id
    confirmed: bool
    from_team: bool = False  # clicked on the team's list: the answer is that list again


class ShowTeamRegular(ActionData, verb="allowance.regular_team"):
    """The manager's staff members with their regular home work, to confirm (from the team card)."""


class PayrollExportAction(ActionData, verb="payroll.export", card_inputs=(ENTITY_INPUT, MONTH_INPUT, FORMAT_INPUT)):
    # All fields are the card's inputs.
    entity: str | None = Field(None, min_length=1, max_length=32)
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$")
    format: Literal["xlsx", "csv"] = "xlsx"


@dataclass(frozen=True)
class PayrollFormView:
    entities: Sequence[tuple[str, str]]  # (code, name)
    months: Sequence[Month]
    selected_month: Month


def month_name(t: Translator, month: Month) -> str:
    return t.date(month.first, "LLLL yyyy")


def mode_text(t: Translator, choice: AllowanceChoice | None, flat_fee: Decimal) -> str:
    if choice is None:
        return t("allowance.mode_none")
    if choice.mode == InternetMode.FLAT_FEE:
        return t("allowance.mode_flat_fee_amount", amount=t.money(flat_fee))
    return t(
        "allowance.mode_third_party_details", provider=choice.provider or "-",
        customer_number=choice.customer_number or "-", amount=t.money(choice.monthly_cost or Decimal(0)),
    )


def _mode_label(t: Translator, mode: InternetMode) -> str:
    return t("allowance.mode_flat_fee") if mode == InternetMode.FLAT_FEE else t("allowance.mode_third_party")


def internet_allowance_card(t: Translator, view: InternetAllowanceView) -> dict[str, Any]:
    flat_fee = view.policy.flat_fee_amount
    body: list[Any] = [title(t("allowance.title"))]
    current = [(t("allowance.current"), mode_text(t, view.current, flat_fee))]
    if view.current is not None:
        current.append((t("allowance.since"), t.date(view.current.effective_from, "d MMMM yyyy")))
    if view.pending is not None:
        current.append((
            t("allowance.from_date", date=t.date(view.pending.effective_from, "d MMMM yyyy")),
            mode_text(t, view.pending, flat_fee),
        ))
    body.append(facts(current))
    if view.history:
        body.append(heading(t("allowance.history")))
        entries = [
            (t.date(choice.effective_from, "MMM yyyy"), _mode_label(t, choice.mode) + (
                f" ({t.money(choice.monthly_cost)})" if choice.monthly_cost is not None else ""
            ) + (f" · {t('allowance.source_' + choice.source.value)}"))
            for choice in view.history[:HISTORY_SHOWN]
        ]
        body.append(facts(entries))
    actions: list[Any] = []
    if view.refusal is not None:
        # Why not, and what to do: the rule, how far along the staff member is, and a way to register.
        weeks = view.policy.regular_homework_weeks
        body.append(Container(style="emphasis", items=[
            text("ℹ " + t(f"allowance.refused_{view.refusal.value}", days=view.policy.regular_homework_min_days, weeks=weeks)),
        ]))
        if view.refusal is ChoiceRefusal.NOT_REGULAR:
            body.append(text(t("allowance.progress", count=view.recent_home_days, weeks=weeks)))
            actions.append(submit(OpenFlow(flow=FLOW_REGISTER), t("allowance.register_days")))
    else:
        body.append(heading(t("allowance.change")))
        body.append(text(t("allowance.change_from", date=t.date(view.change_from, "d MMMM yyyy")), subtle=True))
        body.append(text(t("allowance.month_rule"), subtle=True, size="Small"))
        body.append(ChoiceSetInput(
            id=MODE_INPUT, label=t("allowance.mode_label"), style="expanded", is_required=True,
            error_message=t("allowance.mode_required"),
            value=(view.pending or view.current).mode.value if (view.pending or view.current) else InternetMode.FLAT_FEE.value,
            choices=[
                Choice(title=t("allowance.mode_flat_fee_amount", amount=t.money(flat_fee)), value=InternetMode.FLAT_FEE.value),
                Choice(title=t("allowance.mode_third_party"), value=InternetMode.THIRD_PARTY.value),
            ],
        ))
        body.append(text(t("allowance.third_party_hint"), subtle=True))
        body.append(TextInput(id=PROVIDER_INPUT, label=t("allowance.provider"), max_length=100))
        body.append(TextInput(id=CUSTOMER_INPUT, label=t("allowance.customer_number"), max_length=100))
        body.append(TextInput(id=COST_INPUT, label=t("allowance.monthly_cost"), max_length=12, placeholder=t.amount(COST_EXAMPLE)))
        actions.append(execute(
            ChooseModeAction(staff_id=view.staff.id), t("allowance.save"), style="positive",
        ))
    return card(body, with_menu(t, actions))


def statement_text(t: Translator, row: MonthStatement, flat_fee: Decimal) -> str:
    homework = row.homework
    if homework.before_start:
        homework_part = t("allowance.homework_not_yet")
    elif homework.due:
        homework_part = t("allowance.homework_due", amount=t.money(homework.amount))
    else:
        homework_part = t("allowance.homework_not_due")
    if row.internet is None:
        internet_part = t("allowance.internet_none")
    elif row.internet.mode == InternetMode.FLAT_FEE:
        internet_part = t("allowance.internet_flat_fee", amount=t.money(row.internet_amount))
    else:
        internet_part = t("allowance.internet_third_party", amount=t.money(row.internet.monthly_cost or Decimal(0)))
    return t(
        "allowance.statement_line", days=homework.home_days, per_week=t.number(homework.per_week),
        homework=homework_part, internet=internet_part,
    )


def my_allowances_card(t: Translator, statements: Sequence[MonthStatement], flat_fee: Decimal) -> dict[str, Any]:
    body: list[Any] = [title(t("allowance.mine_title"))]
    if not statements:
        body.append(text(t("allowance.mine_empty")))
    for row in statements:
        label = month_name(t, row.month).capitalize()
        if row.in_progress:
            label = t("allowance.in_progress", month=label)
        body.append(heading(label))
        body.append(text(statement_text(t, row, flat_fee)))
        body.append(text(t("allowance.month_total", amount=t.money(row.total)), subtle=True))
    body.append(text(t("allowance.mine_rule"), subtle=True))
    return card(body, with_menu(t))


def regular_homework_card(t: Translator, view: RegularHomeworkView) -> dict[str, Any]:
    body: list[Any] = [
        title(t("allowance.regular_title")),
        facts([
            (t("allowance.regular_member"), view.staff.display_name),
            (t("allowance.regular_recent", weeks=view.policy.regular_homework_weeks), t.number(view.recent_home_days)),
            (t("allowance.regular_status"), t("allowance.regular_yes") if view.confirmed else t("allowance.regular_no")),
        ]),
        text(t("allowance.regular_explain"), subtle=True),
    ]
    if view.confirmed:
        button = execute(ConfirmRegularAction(staff_id=view.staff.id, confirmed=False), t("allowance.regular_withdraw"))
    else:
        button = execute(ConfirmRegularAction(staff_id=view.staff.id, confirmed=True), t("allowance.regular_confirm"), style="positive")
    return card(body, with_menu(t, [button]))


def team_regular_card(t: Translator, views: Sequence[RegularHomeworkView], *, notice: str | None = None) -> dict[str, Any]:
    """Each staff member of the manager with a confirm (or withdraw) button."""
    body: list[Any] = [title(t("allowance.regular_team_title")), text(t("allowance.regular_explain"), subtle=True)]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    for view in views:
        recent = t("allowance.regular_team_line", count=view.recent_home_days, weeks=view.policy.regular_homework_weeks)
        # "Confirmed by the manager: No", not a bare "No" after the day count
        status = f'{t("allowance.regular_status")}: {t("allowance.regular_yes") if view.confirmed else t("allowance.regular_no")}'
        if view.confirmed:
            button = execute(ConfirmRegularAction(staff_id=view.staff.id, confirmed=False, from_team=True), t("allowance.regular_withdraw"))
        else:
            button = execute(
                ConfirmRegularAction(staff_id=view.staff.id, confirmed=True, from_team=True), t("allowance.regular_confirm"), style="positive",
            )
        body.append(ColumnSet(separator=True, columns=[
            Column(width="stretch", items=[
                text(view.staff.display_name, weight="Bolder"), text(f"{recent} · {status}", subtle=True, spacing="None"),
            ]),
            Column(width="auto", items=[ActionSet(actions=[button])]),
        ]))
    return card(body, with_menu(t))


def payroll_form_card(t: Translator, view: PayrollFormView) -> dict[str, Any]:
    body: list[Any] = [title(t("payroll.title")), text(t("payroll.intro"))]
    body.append(ChoiceSetInput(
        id=ENTITY_INPUT, label=t("payroll.entity"), is_required=True, error_message=t("payroll.entity_required"),
        value=view.entities[0][0] if view.entities else None,
        choices=[Choice(title=f"{code} - {name}", value=code) for code, name in view.entities],
    ))
    body.append(ChoiceSetInput(
        id=MONTH_INPUT, label=t("payroll.month"), is_required=True, error_message=t("payroll.month_required"),
        value=str(view.selected_month),
        choices=[Choice(title=month_name(t, month), value=str(month)) for month in view.months],
    ))
    body.append(ChoiceSetInput(
        id=FORMAT_INPUT, label=t("payroll.format"), style="expanded", value="xlsx",
        choices=[Choice(title=t("payroll.format_xlsx"), value="xlsx"), Choice(title=t("payroll.format_csv"), value="csv")],
    ))
    return card(body, with_menu(t, [submit(PayrollExportAction(), t("payroll.export"))]))
