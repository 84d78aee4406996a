"""Allowances: the internet allowance card, my allowances, the manager's confirmation of regular
home work and HR's payroll export.

Steps:
1. "internet" (or the menu's "allowance") -> internet allowance card: current mode, pending change,
   history; for staff who may choose, a form (mode, provider, customer number, monthly cost).
2. allowance.choose (Action.Execute) -> the use case records the new mode from the effective date
   -> the refreshed card replaces the form.
3. "vergoeding" / "mijn vergoedingen" (menu "allowance.mine") -> per month what is paid and why.
4. the team card's "Regular home work" (allowance.regular_team) -> each staff member of the
   manager with confirm / withdraw -> allowance.confirm_regular -> the list again; or typed,
   "bevestig thuiswerk <email>" -> that member's card -> allowance.confirm_regular.
5. "payroll" / "loonexport" (HR, admin; menu "payroll") -> entity, month, format ->
   payroll.export -> a summary and the files (file consent card, or a short-lived link).
"""

from __future__ import annotations

import logging

from bot.domain.allowances import parse_cost
from bot.domain.calendar import Month
from bot.domain.errors import DomainError, InvalidInput
from bot.domain.payroll import PayrollExport, latest_month
from bot.domain.staff import HR_ROLES, Role
from bot.files import send_file
from bot.registry import DownloadRequest, FileOut, Registry
from bot.reports.payroll import payroll_files
from bot.runner import UseCaseRunner
from bot.services import allowances as service
from bot.services import payroll
from bot.turn import Turn
from dialogs.cards.allowance import (
    ChooseModeAction,
    ConfirmRegularAction,
    PayrollExportAction,
    PayrollFormView,
    ShowTeamRegular,
    internet_allowance_card,
    month_name,
    my_allowances_card,
    payroll_form_card,
    regular_homework_card,
    team_regular_card,
)

log = logging.getLogger(__name__)

PAYROLL_ROLES = HR_ROLES
PAYROLL_DOWNLOAD = "payroll.export"
INTERNET_PHRASES = ("internet", "internetvergoeding", "internet allowance")
MINE_PHRASES = ("vergoeding", "vergoedingen", "mijn vergoedingen", "my allowances", "allowances")
PAYROLL_PHRASES = ("payroll", "loonexport", "payroll export")
CONFIRM_PHRASES = ("bevestig thuiswerk", "confirm home work", "confirm homework")
MONTHS_OFFERED = 13


async def produce_payroll_file(runner: UseCaseRunner, request: DownloadRequest) -> FileOut:
    """A download link's producer: the export again, for the staff member the link was made for
    (the use case re-checks their right to the entity)."""
    params = request.params
    try:
        month = Month.parse(str(params.get("month", "")))
        fmt = str(params.get("format", "xlsx"))
        part = int(params.get("part", 0))
    except (TypeError, ValueError):
        raise LookupError("bad payroll link") from None
    try:
        export = await runner.run(
            payroll.export_payroll, payroll.ExportPayroll(str(params.get("entity", "")), month, actor_id=request.staff_id)
        )
        files = payroll_files(export, fmt)
    except DomainError as error:  # a refused or stale link gets "nothing to download"
        raise LookupError(error.key) from None
    if not 0 <= part < len(files):
        raise LookupError("no such file")
    return FileOut(*files[part])


async def open_internet_allowance(turn: Turn, _text: str = "") -> dict:
    view = await turn.run(service.internet_allowance, service.ShowInternetAllowance(turn.me))
    return internet_allowance_card(turn.t, view)


async def choose_mode(turn: Turn, payload: ChooseModeAction) -> dict | str:
    if payload.mode is None:
        return turn.t("allowance.mode_required")
    command = service.ChooseMode(
        actor=turn.me, staff_id=payload.staff_id, mode=payload.mode, provider=payload.provider,
        customer_number=payload.customer_number, monthly_cost=parse_cost(payload.monthly_cost),
    )
    try:
        view = await turn.run(service.choose_mode, command)
    except InvalidInput as refused:
        log.info("allowance choice refused for %s: %s (correlation %s)", turn.actor, refused.key, turn.correlation_id)
        raise
    return internet_allowance_card(turn.t, view)


async def open_my_allowances(turn: Turn, _text: str = "") -> dict:
    mine = await turn.run(service.my_allowances, service.MyAllowances(turn.me))
    return my_allowances_card(turn.t, mine.statements, mine.flat_fee)


async def open_regular_homework(turn: Turn, text: str) -> dict | str:
    email = text.strip()
    if not email:
        return turn.t("allowance.regular_usage")
    view = await turn.run(service.regular_homework, service.ShowRegularHomework(turn.me, email))
    return regular_homework_card(turn.t, view)


async def set_regular_homework(turn: Turn, payload: ConfirmRegularAction) -> dict:
    view = await turn.run(service.set_regular_homework, service.SetRegularHomework(turn.me, payload.staff_id, payload.confirmed))
    if payload.from_team:
        key = "allowance.regular_confirmed_notice" if view.confirmed else "allowance.regular_withdrawn_notice"
        return await open_team_regular(turn, notice=turn.t(key, name=view.staff.display_name))
    return regular_homework_card(turn.t, view)


async def open_team_regular(turn: Turn, _payload: ShowTeamRegular | None = None, *, notice: str | None = None) -> dict:
    views = await turn.run(service.team_regular_homework, service.ShowTeamRegularHomework(turn.me))
    return team_regular_card(turn.t, views, notice=notice)


def offered_months(today: Month) -> list[Month]:
    """The latest exportable month, then this month and the twelve before it."""
    months = [latest_month(today.first)]
    current = today
    for _ in range(MONTHS_OFFERED):
        months.append(current)
        current = current.previous()
    return months


async def open_payroll(turn: Turn, _text: str = "") -> dict | str:
    entities = await turn.run(payroll.payroll_entities, payroll.PayrollEntities(turn.me))
    if not entities:
        return turn.t("common.not_allowed")
    this_month = Month.of(turn.today())
    view = PayrollFormView(
        entities=[(entity.code, entity.name) for entity in entities], months=offered_months(this_month),
        selected_month=this_month.previous(),
    )
    return payroll_form_card(turn.t, view)


async def export_payroll(turn: Turn, payload: PayrollExportAction) -> str | None:
    if not payload.entity or not payload.month:
        return turn.t("payroll.choose_entity_month")
    try:
        month = Month.parse(payload.month)
    except ValueError:
        raise InvalidInput("payroll.bad_month") from None
    export = await turn.run(payroll.export_payroll, payroll.ExportPayroll(payload.entity, month, actor_id=turn.me.id))
    await turn.send_text(summary_text(turn, export))
    for filename, _content_type, content in payroll_files(export, payload.format):
        await send_file(turn, filename, content, description=turn.t(
            "payroll.file_description", entity=export.entity.code, month=month_name(turn.t, month),
        ))
    return None


def summary_text(turn: Turn, export: PayrollExport) -> str:
    t = turn.t
    return t(
        "payroll.summary", entity=export.entity.code, month=month_name(t, export.month), staff=len(export.lines),
        flat_fee_count=export.flat_fee_count, flat_fee_total=t.money(export.flat_fee_total),
        homework_count=export.homework_count, homework_total=t.money(export.homework_total),
        third_party_count=len(export.third_party), third_party_total=t.money(export.third_party_total),
    )


def register(registry: Registry) -> None:
    """Register this flow's commands, card verbs and the payroll download."""
    router = registry.router
    registry.download(PAYROLL_DOWNLOAD, produce_payroll_file, roles=PAYROLL_ROLES)
    router.opener("allowance", open_internet_allowance)
    router.opener("allowance.mine", open_my_allowances)
    router.opener("payroll", open_payroll, roles=PAYROLL_ROLES)
    router.command(INTERNET_PHRASES, open_internet_allowance)
    router.command(MINE_PHRASES, open_my_allowances)
    router.command(PAYROLL_PHRASES, open_payroll, roles=PAYROLL_ROLES)
    router.command(CONFIRM_PHRASES, open_regular_homework)
    router.action(ChooseModeAction, choose_mode)
    router.action(ConfirmRegularAction, set_regular_homework)
    router.action(ShowTeamRegular, open_team_regular, roles=(Role.MANAGER,))
    router.action(PayrollExportAction, export_payroll, roles=PAYROLL_ROLES)
