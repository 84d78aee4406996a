"""Use cases of the internet allowance and the home-work allowance: the card's view, choosing a
mode, the manager's confirmation of regular home work, "my allowances", the entity's default for
new staff and the history import. One unit of work (one transaction) per use case."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.domain.allowances import (
    AllowanceChoice,
    ChoiceProblem,
    ChoiceRefusal,
    ChoiceSource,
    InternetMode,
    Month,
    MonthStatement,
    check_choice,
    choice_on,
    default_choice,
    effective_date_of_change,
    home_days,
    may_choose,
    months_between,
    pending_choice,
    regular_homework_window,
    statement,
)
from bot.domain.directory_import import Problem
from bot.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from bot.domain.policy_sections import AllowancePolicy
from bot.domain.staff import Staff
from bot.scheduler import Job, register_job
from bot.services.directory import ImportRefused, read_import
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from bot.runtime import Services

SYSTEM = "system"
HISTORY_COLUMNS = ("email", "mode", "effective_from", "monthly_cost")
MAX_TEXT = 100


class MayNotChoose(DomainError):
    """The staff member may not choose an internet allowance mode (with the reason as the key)."""

    key = "allowance.refused_not_regular"


class AllowanceImportRefused(ImportRefused):
    """A history file with at least one bad row; nothing of it was written."""


@dataclass(frozen=True)
class ImportSummary:
    created: int
    unchanged: int
    defaults_replaced: int


@dataclass(frozen=True)
class InternetAllowanceView:
    """What the internet allowance card shows to one staff member."""

    staff: Staff
    current: AllowanceChoice | None
    pending: AllowanceChoice | None
    history: list[AllowanceChoice]  # newest first
    refusal: ChoiceRefusal | None
    change_from: date
    recent_home_days: Decimal
    confirmed_by_manager: bool
    policy: AllowancePolicy


@dataclass(frozen=True)
class ChooseMode:
    staff_id: int
    mode: InternetMode
    provider: str | None = None
    customer_number: str | None = None
    monthly_cost: Decimal | None = None


@dataclass(frozen=True)
class RegularHomeworkView:
    """A team member as the manager's confirmation card shows them."""

    staff: Staff
    confirmed: bool
    recent_home_days: Decimal
    policy: AllowancePolicy


def _snapshot(choice: AllowanceChoice) -> dict[str, Any]:
    return {
        "mode": choice.mode.value, "effective_from": choice.effective_from.isoformat(), "source": choice.source.value,
        "provider": choice.provider, "customer_number": choice.customer_number,
        "monthly_cost": str(choice.monthly_cost) if choice.monthly_cost is not None else None,
    }


async def apply_default_modes(uow: UnitOfWork, entity_id: int, today: date, now: datetime, *, actor: str = SYSTEM) -> int:
    """Give every staff member of the entity without any choice the entity's default mode (DWSE:
    flat fee from the start date). Runs inside the caller's unit of work; returns how many."""
    policy = (await uow.entities.policy(entity_id)).allowance
    if policy.default_mode_for_new_staff is None:
        return 0
    staff_ids = await uow.allowances.staff_without_choice(entity_id, today)
    applied = 0
    for staff in await uow.staff.list_by_ids(staff_ids):
        choice = default_choice(staff.id, staff.start_date, policy, today)
        if choice is None:
            continue
        stored = await uow.allowances.add(choice, now)
        await uow.audit.record(actor, "allowance.default_applied", "staff", staff.id, None, _snapshot(stored))
        applied += 1
    return applied


async def apply_defaults_everywhere(services: Services, now: datetime) -> int:
    """The scheduler's daily job: every entity's default mode for staff who have none yet, so the
    default applies from the start date without anyone opening a card (reports and payroll count
    them). One transaction per entity; returns how many choices were recorded."""
    today = now.astimezone(ZoneInfo(services.settings.timezone)).date()
    async with services.uow() as uow:
        entity_ids = [entity.id for entity in await uow.entities.list_all()]
    applied = 0
    for entity_id in entity_ids:
        async with services.uow() as uow:
            applied += await apply_default_modes(uow, entity_id, today, now)
            await uow.commit()
    if applied:
        log.info("internet allowance: default mode applied to %d staff member(s)", applied)
    return applied


register_job(Job("allowances.defaults", apply_defaults_everywhere, every=timedelta(days=1)))


async def _recent_home_days(uow: UnitOfWork, staff_id: int, today: date, policy: AllowancePolicy) -> Decimal:
    first, last = regular_homework_window(today, policy)
    days = (await uow.allowances.work_days([staff_id], first, last))[staff_id]
    return sum((home_days(days, month) for month in months_between(Month.of(first), Month.of(last))), Decimal(0))


async def _view(uow: UnitOfWork, staff: Staff, today: date) -> InternetAllowanceView:
    policy = (await uow.entities.policy(staff.entity_id)).allowance
    history = await uow.allowances.history(staff.id)
    ineligible = staff.id in await uow.allowances.ineligible_on([staff.id], today)
    recent = await _recent_home_days(uow, staff.id, today, policy)
    confirmed = await uow.allowances.regular_confirmation(staff.id) is not None
    return InternetAllowanceView(
        staff=staff, current=choice_on(history, today), pending=pending_choice(history, today),
        history=list(reversed(history)),
        refusal=may_choose(ineligible=ineligible, recent_home_days=recent, confirmed_by_manager=confirmed, policy=policy),
        change_from=effective_date_of_change(today, policy), recent_home_days=recent,
        confirmed_by_manager=confirmed, policy=policy,
    )


async def internet_allowance(uow_factory: UnitOfWorkFactory, staff: Staff, today: date, now: datetime) -> InternetAllowanceView:
    """The card's view; a new staff member without any choice gets the entity's default first."""
    async with uow_factory() as uow:
        if not await uow.allowances.history(staff.id):
            policy = (await uow.entities.policy(staff.entity_id)).allowance
            choice = default_choice(staff.id, staff.start_date, policy, today)
            if choice is not None:
                stored = await uow.allowances.add(choice, now)
                await uow.audit.record(SYSTEM, "allowance.default_applied", "staff", staff.id, None, _snapshot(stored))
                await uow.commit()
        return await _view(uow, staff, today)


_PROBLEM_KEYS = {
    ChoiceProblem.MISSING_PROVIDER: "allowance.invalid_provider",
    ChoiceProblem.MISSING_CUSTOMER_NUMBER: "allowance.invalid_customer_number",
    ChoiceProblem.BAD_COST: "allowance.invalid_cost",
    ChoiceProblem.COST_TOO_HIGH: "allowance.cost_too_high",
    ChoiceProblem.UNCHANGED: "allowance.unchanged",
}
_REFUSAL_KEYS = {
    ChoiceRefusal.NOT_ELIGIBLE: "allowance.refused_not_eligible",
    ChoiceRefusal.NOT_REGULAR: "allowance.refused_not_regular",
}


def parse_cost(value: str | None) -> Decimal | None:
    """A monthly cost as typed ("41,50" or "41.50"); None when empty; InvalidInput when not a number."""
    text = (value or "").strip().replace("€", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("allowance.invalid_cost") from None
    if not amount.is_finite():
        raise InvalidInput("allowance.invalid_cost")
    return amount


async def choose_mode(uow_factory: UnitOfWorkFactory, actor: Staff, cmd: ChooseMode, today: date, now: datetime) -> InternetAllowanceView:
    """Record a new mode for the staff member themselves, effective per the payroll cut-off."""
    if cmd.staff_id != actor.id:
        raise Forbidden()
    for value in (cmd.provider, cmd.customer_number):
        if value is not None and len(value) > MAX_TEXT:
            raise InvalidInput("allowance.text_too_long", max=MAX_TEXT)
    async with uow_factory() as uow:
        await uow.allowances.lock_staff(actor.id)
        view = await _view(uow, actor, today)
        if view.refusal is not None:
            log.info("staff %s may not choose an internet allowance: %s", actor.id, view.refusal.value)
            raise MayNotChoose(
                _REFUSAL_KEYS[view.refusal], days=view.policy.regular_homework_min_days,
                weeks=view.policy.regular_homework_weeks,
            )
        third_party = cmd.mode == InternetMode.THIRD_PARTY
        choice = AllowanceChoice(
            staff_id=actor.id, mode=cmd.mode, effective_from=view.change_from, source=ChoiceSource.BOT,
            provider=(cmd.provider or "").strip() or None if third_party else None,
            customer_number=(cmd.customer_number or "").strip() or None if third_party else None,
            monthly_cost=cmd.monthly_cost if third_party else None, recorded_by=f"staff:{actor.id}",
        )
        history = list(reversed(view.history))
        problem = check_choice(choice, history, view.policy)
        if problem is not None:
            raise InvalidInput(_PROBLEM_KEYS[problem], max=view.policy.third_party_max_monthly_cost)
        before = choice_on(history, choice.effective_from)
        stored = await uow.allowances.add(choice, now)
        await uow.audit.record(
            f"staff:{actor.id}", "allowance.mode_chosen", "staff", actor.id,
            _snapshot(before) if before else None, _snapshot(stored),
        )
        await uow.commit()
        return await _view(uow, actor, today)


# -- manager confirmation of regular and structural home work -------------------------------------

async def _may_confirm(uow: UnitOfWork, actor: Staff, member: Staff) -> None:
    if member.manager_id == actor.id or (actor.is_hr and actor.entity_id == member.entity_id):
        return
    raise Forbidden()


async def regular_homework(uow_factory: UnitOfWorkFactory, actor: Staff, email: str, today: date) -> RegularHomeworkView:
    """The confirmation card of a team member, found by e-mail; only their manager (or HR) sees it."""
    async with uow_factory() as uow:
        member = await uow.staff.get_by_email(email) if email else None
        if member is None:
            raise NotFound("allowance.member_not_found", email=email[:MAX_TEXT])
        await _may_confirm(uow, actor, member)
        return await _regular_view(uow, member, today)


async def _regular_view(uow: UnitOfWork, member: Staff, today: date) -> RegularHomeworkView:
    policy = (await uow.entities.policy(member.entity_id)).allowance
    return RegularHomeworkView(
        staff=member, confirmed=await uow.allowances.regular_confirmation(member.id) is not None,
        recent_home_days=await _recent_home_days(uow, member.id, today, policy), policy=policy,
    )


async def set_regular_homework(
    uow_factory: UnitOfWorkFactory, actor: Staff, staff_id: int, confirmed: bool, today: date, now: datetime
) -> RegularHomeworkView:
    """Confirm (or withdraw) that a team member works from home regularly and structurally."""
    async with uow_factory() as uow:
        member = await uow.staff.get(staff_id)
        if member is None:
            raise NotFound()
        await _may_confirm(uow, actor, member)
        current = await uow.allowances.regular_confirmation(member.id) is not None
        if current != confirmed:
            if confirmed:
                await uow.allowances.confirm_regular(member.id, actor.id, now)
            else:
                await uow.allowances.withdraw_regular(member.id, actor.id, now)
            await uow.audit.record(
                f"staff:{actor.id}", "allowance.regular_confirmed" if confirmed else "allowance.regular_withdrawn",
                "staff", member.id, {"confirmed": current}, {"confirmed": confirmed},
            )
            await uow.commit()
        return await _regular_view(uow, member, today)


# -- my allowances ----------------------------------------------------------------------------------

async def my_allowances(uow_factory: UnitOfWorkFactory, staff: Staff, today: date, months: int = 6) -> list[MonthStatement]:
    """What the staff member receives per month and why, newest month first."""
    last = Month.of(today)
    first = last
    for _ in range(months - 1):
        first = first.previous()
    first = max(first, Month.of(staff.start_date))
    if first > last:
        return []
    async with uow_factory() as uow:
        policy = (await uow.entities.policy(staff.entity_id)).allowance
        history = await uow.allowances.history(staff.id)
        days = (await uow.allowances.work_days([staff.id], first.first, last.last))[staff.id]
    return [
        statement(month, days, history, policy, today, start=staff.start_date, end=staff.end_date)
        for month in reversed(months_between(first, last))
    ]


# -- history import ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _HistoryLine:
    line: int
    email: str
    mode: InternetMode
    effective_from: date
    monthly_cost: Decimal | None
    provider: str | None
    customer_number: str | None


def _parse_history(rows: list, today: date, since: date) -> tuple[list[_HistoryLine], list[Problem]]:
    lines: list[_HistoryLine] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, date], int] = {}
    latest = Month.of(today).next().first
    for line_no, raw in rows:
        row = {key.strip().lower(): (value or "").strip() for key, value in raw.items() if key}
        if not any(row.values()):
            continue
        reasons: list[str] = []
        email = row.get("email", "").lower()
        if "@" not in email:
            reasons.append(f"email {row.get('email', '')!r} is not an e-mail address")
        try:
            mode = InternetMode(row.get("mode", "").lower())
        except ValueError:
            reasons.append(f"mode {row.get('mode', '')!r} is not flat_fee or third_party_payer")
            mode = InternetMode.FLAT_FEE
        try:
            effective = Month.of(date.fromisoformat(row.get("effective_from", ""))).first
        except ValueError:
            reasons.append(f"effective_from {row.get('effective_from', '')!r} is not YYYY-MM-DD")
            effective = since
        if effective < Month.of(since).first:
            reasons.append(f"effective_from is before the internet allowance existed ({since.isoformat()})")
        if effective > latest:
            reasons.append("effective_from lies too far in the future")
        cost: Decimal | None = None
        try:
            cost = parse_cost(row.get("monthly_cost"))
        except InvalidInput:
            reasons.append(f"monthly_cost {row.get('monthly_cost')!r} is not an amount")
        if mode == InternetMode.THIRD_PARTY and cost is None and not reasons:
            reasons.append("monthly_cost is required for third_party_payer")
        if cost is not None and (cost <= 0 or cost.as_tuple().exponent < -2 or cost >= Decimal("10000")):
            reasons.append(f"monthly_cost {cost} is not a positive amount in cents")
        if mode == InternetMode.FLAT_FEE and cost is not None:
            reasons.append("monthly_cost must be empty for flat_fee")
        provider = row.get("provider") or None
        customer = row.get("customer_number") or None
        if any(value is not None and len(value) > MAX_TEXT for value in (provider, customer)):
            reasons.append(f"provider or customer_number longer than {MAX_TEXT} characters")
        if (email, effective) in seen and not reasons:
            reasons.append(f"{email} already has a choice for {effective.isoformat()} on line {seen[(email, effective)]}")
        if reasons:
            problems.append(Problem(line_no, "; ".join(reasons)))
            continue
        seen[(email, effective)] = line_no
        lines.append(_HistoryLine(line_no, email, mode, effective, cost, provider, customer))
    return lines, problems


async def import_allowance_history(
    uow_factory: UnitOfWorkFactory, path: Path, *, actor: str, today: date | None = None, now: datetime | None = None
) -> ImportSummary:
    """Past internet allowance choices from CSV or XLSX (columns email, mode, effective_from,
    monthly_cost; optional provider, customer_number). One bad row refuses the whole file; a
    second import of the same file changes nothing."""
    _header, rows = await read_import(path, HISTORY_COLUMNS, refused=AllowanceImportRefused)
    today = today or date.today()
    lines, problems = _parse_history(rows, today, AllowancePolicy().internet_allowance_since)
    if problems:
        raise AllowanceImportRefused(problems)
    created = unchanged = replaced = 0
    async with uow_factory() as uow:
        staff_by_email: dict[str, Staff] = {}
        for line in lines:
            staff = staff_by_email.get(line.email) or await uow.staff.get_by_email(line.email)
            if staff is None:
                problems.append(Problem(line.line, f"{line.email} is not in the staff directory"))
                continue
            staff_by_email[line.email] = staff
            policy = (await uow.entities.policy(staff.entity_id)).allowance
            if line.effective_from < Month.of(policy.internet_allowance_since).first:
                problems.append(Problem(line.line, f"effective_from is before {policy.internet_allowance_since.isoformat()} for {staff.entity_code}"))
        if problems:
            raise AllowanceImportRefused(problems)
        now = now or datetime.now(UTC)
        cleared: set[int] = set()
        for line in lines:
            staff = staff_by_email[line.email]
            if staff.id not in cleared:
                # An imported history replaces defaults that were only assumed.
                for removed in await uow.allowances.delete_defaults(staff.id):
                    await uow.audit.record(actor, "allowance.default_replaced", "staff", staff.id, _snapshot(removed), None)
                    replaced += 1
                cleared.add(staff.id)
            choice = AllowanceChoice(
                staff_id=staff.id, mode=line.mode, effective_from=line.effective_from, source=ChoiceSource.IMPORT,
                provider=line.provider, customer_number=line.customer_number, monthly_cost=line.monthly_cost,
                recorded_by=actor,
            )
            history = await uow.allowances.history(staff.id)
            if any(existing.same_terms(choice) for existing in history):
                unchanged += 1
                continue
            stored = await uow.allowances.add(choice, now)
            await uow.audit.record(actor, "allowance.history_imported", "staff", staff.id, None, _snapshot(stored))
            created += 1
        await uow.commit()
    log.info("allowance history imported: %s created, %s unchanged", created, unchanged)
    return ImportSummary(created, unchanged, replaced)


# -- demo data --------------------------------------------------------------------------------------

def _demo_history(today: date) -> list[tuple[str, InternetMode, date, str | None, str | None]]:
    """(email, mode, from, provider, monthly cost): flat fee, third party, and switchers this year."""
    since = date(2021, 9, 1)
    switch = Month(today.year, min(3, today.month)).first
    flat, third = InternetMode.FLAT_FEE, InternetMode.THIRD_PARTY
    return [
        ("adelev@example.com", third, since, "Proximus", "39.99"),
        ("jan.janssens@vlaanderen.be", flat, since, None, None),
        ("marie.maes@vlaanderen.be", third, since, "Telenet", "45.00"),
        ("marie.maes@vlaanderen.be", flat, switch, None, None),
        ("pieter.jacobs@vlaanderen.be", flat, since, None, None),
        ("pieter.jacobs@vlaanderen.be", third, switch, "Orange", "30.05"),
        ("tom.willems@vlaanderen.be", third, date(2022, 1, 1), "Proximus", "52.50"),
        ("jonas.desmet@vlaanderen.be", third, since, "Telenet", "41.50"),
    ]


async def load_demo(uow_factory: UnitOfWorkFactory, today: date) -> None:
    """Demo internet allowance history; everyone else gets their entity's default."""
    now = datetime.now(UTC)
    async with uow_factory() as uow:
        done: set[int] = set()
        for index, (email, mode, effective, provider, cost) in enumerate(_demo_history(today)):
            staff = await uow.staff.get_by_email(email)
            if staff is None or (staff.id not in done and await uow.allowances.history(staff.id)):
                continue
            done.add(staff.id)
            stored = await uow.allowances.add(AllowanceChoice(
                staff_id=staff.id, mode=mode, effective_from=effective, source=ChoiceSource.IMPORT, provider=provider,
                customer_number=f"DEMO-{index + 1:03d}" if provider else None,
                monthly_cost=Decimal(cost) if cost else None, recorded_by="demo",
            ), now)
            await uow.audit.record("demo", "allowance.history_imported", "staff", staff.id, None, _snapshot(stored))
        for entity in await uow.entities.list_all():
            await apply_default_modes(uow, entity.id, today, now, actor="demo")
        await uow.commit()
