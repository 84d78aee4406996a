"""Allowances: the internet allowance card, my allowances, the manager's confirmation of regular
home work and HR's payroll export.

Steps:
1. "internet" (or the menu's "allowance") -> internet allowance card: current mode, pending change,
   history; for staff who may choose, a form (mode, provider, customer number, monthly cost).
2. allowance.choose (Action.Execute) -> the service records the new mode from the effective date
   -> the refreshed card replaces the form.
3. "vergoeding" / "mijn vergoedingen" (menu "allowance.mine") -> per month what is paid and why.
4. "bevestig thuiswerk <email>" (manager) -> the member's card -> allowance.confirm_regular.
5. "payroll" / "loonexport" (HR, admin; menu "payroll") -> entity, month, format ->
   payroll.export -> a summary and the files (file consent card, or a short-lived link).
"""

from __future__ import annotations

import logging

from bot.domain.allowances import InternetMode
from bot.domain.calendar import Month
from bot.domain.errors import InvalidInput
from bot.domain.staff import HR_ROLES
from bot.files import send_file
from bot.registry import DownloadRequest, FileOut, Registry
from bot.runner import UseCaseRunner
from bot.services import allowances as service
from bot.services import payroll
from bot.turn import Turn
from dialogs.cards.allowance import (
    ChooseModeAction,
    ConfirmRegularAction,
    PayrollExportAction,
    PayrollFormView,
    internet_allowance_card,
    month_name,
    my_allowances_card,
    payroll_form_card,
    regular_homework_card,
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
    """A download link's producer: re-checks the staff member's right to the entity, then builds."""
    params, staff_id = request.params, request.staff_id
    try:
        month = Month.parse(str(params.get("month", "")))
        fmt = str(params.get("format", "xlsx"))
        part = int(params.get("part", 0))
    except (TypeError, ValueError):
        raise LookupError("bad payroll link") from None
    async with runner.uow_factory() as uow:
        actor = await uow.staff.get(staff_id)
    if actor is None:
        raise LookupError("unknown staff member")
    try:
        export = await payroll.build_payroll(
            runner.uow_factory, actor, str(params.get("entity", "")), month, runner.today(), runner.now()
        )
        files = payroll.payroll_files(export, fmt)
    except Exception as error:  # a refused or stale link gets "nothing to download"
        raise LookupError(str(error)) from None
    if not 0 <= part < len(files):
        raise LookupError("no such file")
    return FileOut(*files[part])


async def open_internet_allowance(turn: Turn, _text: str = "") -> dict:
    view = await service.internet_allowance(turn.services.uow_factory, turn.me, turn.today(), turn.now())
    return internet_allowance_card(turn.t, view)


async def choose_mode(turn: Turn, payload: ChooseModeAction) -> dict | str:
    if payload.mode is None:
        return turn.t("allowance.mode_required")
    cmd = service.ChooseMode(
        staff_id=payload.staff_id, mode=InternetMode(payload.mode), provider=payload.provider,
        customer_number=payload.customer_number, monthly_cost=service.parse_cost(payload.monthly_cost),
    )
    try:
        view = await service.choose_mode(turn.services.uow_factory, turn.me, cmd, turn.today(), turn.now())
    except InvalidInput as refused:
        log.info("allowance choice refused for %s: %s (correlation %s)", turn.actor, refused.key, turn.correlation_id)
        raise
    return internet_allowance_card(turn.t, view)


async def open_my_allowances(turn: Turn, _text: str = "") -> dict:
    statements = await service.my_allowances(turn.services.uow_factory, turn.me, turn.today())
    async with turn.uow() as uow:
        policy = (await uow.entities.policy(turn.me.entity_id)).allowance
    return my_allowances_card(turn.t, statements, policy.flat_fee_amount)


async def open_regular_homework(turn: Turn, text: str) -> dict | str:
    email = text.strip()
    if not email:
        return turn.t("allowance.regular_usage")
    view = await service.regular_homework(turn.services.uow_factory, turn.me, email, turn.today())
    return regular_homework_card(turn.t, view)


async def set_regular_homework(turn: Turn, payload: ConfirmRegularAction) -> dict:
    view = await service.set_regular_homework(
        turn.services.uow_factory, turn.me, payload.staff_id, payload.confirmed, turn.today(), turn.now()
    )
    return regular_homework_card(turn.t, view)


def offered_months(today_month: Month) -> list[Month]:
    months = [today_month.next()]
    current = today_month
    for _ in range(MONTHS_OFFERED):
        months.append(current)
        current = current.previous()
    return months


async def _exportable(turn: Turn) -> list:
    async with turn.uow() as uow:
        entities = await uow.entities.list_all()
    return payroll.exportable_entities(turn.me, entities)


async def open_payroll(turn: Turn, _text: str = "") -> dict | str:
    entities = await _exportable(turn)
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
    export = await payroll.build_payroll(turn.services.uow_factory, turn.me, payload.entity, month, turn.today(), turn.now())
    await turn.send_text(summary_text(turn, export))
    for filename, _content_type, content in payroll.payroll_files(export, payload.format):
        await send_file(turn, filename, content, description=turn.t(
            "payroll.file_description", entity=export.entity.code, month=month_name(turn.t, month),
        ))
    return None


def summary_text(turn: Turn, export: payroll.PayrollExport) -> str:
    t = turn.t
    return t(
        "payroll.summary", entity=export.entity.code, month=month_name(t, export.month), staff=len(export.lines),
        flat_fee_count=export.flat_fee_count, flat_fee_total=t.money(export.flat_fee_total),
        homework_count=export.homework_count, homework_total=t.money(export.homework_total),
        third_party_count=len(export.third_party), third_party_total=t.money(export.third_party_total),
    )


def register(registry: Registry) -> None:
    router = registry.router
    registry.download(PAYROLL_DOWNLOAD, produce_payroll_file, roles=PAYROLL_ROLES)
    """Register this flow's commands and card verbs."""
    router.opener("allowance", open_internet_allowance)
    router.opener("allowance.mine", open_my_allowances)
    router.opener("payroll", open_payroll, roles=PAYROLL_ROLES)
    router.command(INTERNET_PHRASES, open_internet_allowance)
    router.command(MINE_PHRASES, open_my_allowances)
    router.command(PAYROLL_PHRASES, open_payroll, roles=PAYROLL_ROLES)
    router.command(CONFIRM_PHRASES, open_regular_homework)
    router.action(ChooseModeAction, choose_mode)
    router.action(ConfirmRegularAction, set_regular_homework)
    router.action(PayrollExportAction, export_payroll, roles=PAYROLL_ROLES)
