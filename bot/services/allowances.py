"""Use cases of the internet allowance and the home-work allowance: the card's view, choosing a
mode, the manager's confirmation of regular home work, "my allowances", the entity's default for
new staff (also a daily job) and the history import. One unit of work (one transaction) each."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bot.domain.allowances import (
    PROBLEM_KEYS,
    AllowanceChoice,
    AllowanceImportRefused,
    ChoiceSource,
    InternetAllowanceView,
    InternetMode,
    Month,
    MonthStatement,
    RegularHomeworkView,
    check_choice,
    choice_on,
    choice_takes_effect,
    default_choice,
    effective_date_of_change,
    may_choose,
    may_confirm_regular,
    months_between,
    parse_cost,
    pending_choice,
    recent_home_days,
    refuse,
    regular_homework_window,
    statement,
)
from bot.domain.directory_import import Problem, Table
from bot.domain.errors import Forbidden, InvalidInput, NotFound
from bot.domain.policy_sections import AllowancePolicy
from bot.domain.staff import Role, Staff
from bot.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from bot.runner import UseCaseRunner

log = logging.getLogger(__name__)

SYSTEM = "system"
HISTORY_COLUMNS = ("email", "mode", "effective_from", "monthly_cost")
MAX_TEXT = 100
STATEMENT_MONTHS = 6
DEMO_GO_LIVE = date(2000, 1, 1)


def _snapshot(choice: AllowanceChoice) -> dict[str, Any]:
    return {
        "mode": choice.mode.value, "effective_from": choice.effective_from.isoformat(), "source": choice.source.value,
        "provider": choice.provider, "customer_number": choice.customer_number,
        "monthly_cost": str(choice.monthly_cost) if choice.monthly_cost is not None else None,
    }


def _actor(staff: Staff) -> str:
    return f"staff:{staff.id}"


# -- commands and results -------------------------------------------------------------------------
@dataclass(frozen=True)
class ShowInternetAllowance:
    actor: Staff


@dataclass(frozen=True)
class ChooseMode:
    actor: Staff
    staff_id: int  # whose mode: the card's, which must be the actor's own
    mode: InternetMode
    provider: str | None = None
    customer_number: str | None = None
    monthly_cost: Decimal | None = None


@dataclass(frozen=True)
class ShowRegularHomework:
    actor: Staff
    email: str  # the team member's


@dataclass(frozen=True)
class SetRegularHomework:
    actor: Staff
    staff_id: int
    confirmed: bool


@dataclass(frozen=True)
class MyAllowances:
    actor: Staff
    months: int = STATEMENT_MONTHS


@dataclass(frozen=True)
class AllowanceStatements:
    statements: list[MonthStatement]  # newest month first
    flat_fee: Decimal  # the entity's flat fee, which the card explains


@dataclass(frozen=True)
class EntitiesWithDefault:
    """The entities whose policy gives new staff a default mode."""


@dataclass(frozen=True)
class ApplyDefaultModes:
    entity_id: int
    actor: str = SYSTEM


@dataclass(frozen=True)
class ImportAllowanceHistory:
    table: Table
    actor: str


@dataclass(frozen=True)
class ImportSummary:
    created: int
    unchanged: int
    defaults_replaced: int


@dataclass(frozen=True)
class LoadAllowanceDemo:
    """Demo history for a few known addresses; everyone else gets their entity's default."""


# -- defaults for new staff -----------------------------------------------------------------------
async def record_default_modes(uow: UnitOfWork, entity_id: int, today: date, now: datetime, *, actor: str = SYSTEM) -> int:
    """Give every staff member of the entity who started on or after its go-live date and has no
    choice the entity's default mode (DWSE: flat fee from the start date), audited. Staff who
    started before the go-live date get nothing: their imported history is the truth. Runs inside
    the caller's (entered) unit of work; returns how many."""
    policy = (await uow.entities.policy(entity_id)).allowance
    if policy.default_mode_for_new_staff is None or policy.default_mode_since is None:
        return 0
    staff_ids = await uow.allowances.staff_without_choice(entity_id, today, policy.default_mode_since)
    applied = 0
    for staff in await uow.staff.list_by_ids(staff_ids):
        choice = default_choice(staff.id, staff.start_date, policy, today)
        if choice is None:
            continue
        stored = await uow.allowances.add(choice, now)
        await uow.audit.record(actor, "allowance.default_applied", "staff", staff.id, None, _snapshot(stored))
        applied += 1
    return applied


async def entities_with_default(uow: UnitOfWork, query: EntitiesWithDefault, now: datetime) -> list[int]:
    async with uow:
        return [
            entity.id for entity in await uow.entities.list_all()
            if _has_default((await uow.entities.policy(entity.id)).allowance)
        ]


def _has_default(policy: AllowancePolicy) -> bool:
    return policy.default_mode_for_new_staff is not None and policy.default_mode_since is not None


async def apply_default_modes(uow: UnitOfWork, command: ApplyDefaultModes, now: datetime) -> int:
    """One entity's default mode for its staff who have none yet; returns how many were recorded."""
    async with uow:
        applied = await record_default_modes(uow, command.entity_id, now.date(), now, actor=command.actor)
        if applied:
            await uow.commit()
    return applied


async def run_default_modes(runner: UseCaseRunner, now: datetime) -> int:
    """The daily job (`allowances.defaults`): every entity's default mode for staff who have none
    yet, so the default applies from the start date without anyone opening a card (reports and
    payroll count them). One transaction per entity; returns how many choices were recorded."""
    applied = 0
    for entity_id in await runner.run(entities_with_default, EntitiesWithDefault()):
        applied += await runner.run(apply_default_modes, ApplyDefaultModes(entity_id))
    if applied:
        log.info("internet allowance: default mode applied to %d staff member(s)", applied)
    return applied


@dataclass(frozen=True)
class SetDefaultGoLive:
    """From which start date the entity's default mode applies to new staff (None: to nobody)."""

    entity_code: str
    since: date | None
    actor: str


async def set_default_go_live(uow: UnitOfWork, command: SetDefaultGoLive, now: datetime) -> AllowancePolicy:
    """Set the entity's go-live date for the new-staff default, audited. Nothing is recorded for
    anyone here: the daily job applies the default to whoever started on or after the date."""
    async with uow:
        entity = await uow.entities.get_by_code(command.entity_code.strip().upper()[:32])
        if entity is None:
            raise NotFound("payroll.unknown_entity", entity=command.entity_code[:32])
        policy = await uow.entities.policy(entity.id)
        before = policy.allowance.default_mode_since
        allowance = policy.allowance.model_copy(update={"default_mode_since": command.since})
        if before != command.since:
            await uow.entities.set_policy(entity.id, policy.model_copy(update={"allowance": allowance}))
            await uow.audit.record(
                command.actor, "allowance.default_go_live_set", "entity", entity.id,
                {"default_mode_since": before.isoformat() if before else None},
                {"default_mode_since": command.since.isoformat() if command.since else None},
            )
            await uow.commit()
    return allowance


# -- the internet allowance card ------------------------------------------------------------------
async def _recent_home_days(uow: UnitOfWork, staff_id: int, today: date, policy: AllowancePolicy) -> Decimal:
    first, last = regular_homework_window(today, policy)
    days = (await uow.allowances.work_days([staff_id], first, last))[staff_id]
    return recent_home_days(days, today, policy)


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


async def internet_allowance(uow: UnitOfWork, query: ShowInternetAllowance, now: datetime) -> InternetAllowanceView:
    """The card's view; a new staff member without any choice gets the entity's default first."""
    staff, today = query.actor, now.date()
    async with uow:
        choice = None
        if not await uow.allowances.history(staff.id):
            policy = (await uow.entities.policy(staff.entity_id)).allowance
            choice = default_choice(staff.id, staff.start_date, policy, today)
            if choice is not None:
                stored = await uow.allowances.add(choice, now)
                await uow.audit.record(SYSTEM, "allowance.default_applied", "staff", staff.id, None, _snapshot(stored))
        view = await _view(uow, staff, today)
        if choice is not None:
            await uow.commit()
    return view


async def choose_mode(uow: UnitOfWork, command: ChooseMode, now: datetime) -> InternetAllowanceView:
    """Record a new mode for the staff member themselves, effective per the payroll cut-off."""
    actor, today = command.actor, now.date()
    if command.staff_id != actor.id:
        raise Forbidden()
    for value in (command.provider, command.customer_number):
        if value is not None and len(value) > MAX_TEXT:
            raise InvalidInput("allowance.text_too_long", max=MAX_TEXT)
    async with uow:
        await uow.allowances.lock_staff(actor.id)
        view = await _view(uow, actor, today)
        if view.refusal is not None:
            log.info("staff %s may not choose an internet allowance: %s", actor.id, view.refusal.value)
            raise refuse(view.refusal, view.policy)
        third_party = command.mode == InternetMode.THIRD_PARTY
        choice = AllowanceChoice(
            staff_id=actor.id, mode=command.mode, effective_from=view.change_from, source=ChoiceSource.BOT,
            provider=(command.provider or "").strip() or None if third_party else None,
            customer_number=(command.customer_number or "").strip() or None if third_party else None,
            monthly_cost=command.monthly_cost if third_party else None, recorded_by=_actor(actor),
        )
        history = list(reversed(view.history))
        problem = check_choice(choice, history, view.policy)
        if problem is not None:
            raise InvalidInput(PROBLEM_KEYS[problem], max=view.policy.third_party_max_monthly_cost)
        before = choice_on(history, choice.effective_from)
        stored = await uow.allowances.add(choice, now)
        await uow.audit.record(
            _actor(actor), "allowance.mode_chosen", "staff", actor.id, _snapshot(before) if before else None, _snapshot(stored),
        )
        after = await _view(uow, actor, today)
        await uow.commit()
    return after


# -- manager confirmation of regular and structural home work -------------------------------------
async def _regular_view(uow: UnitOfWork, member: Staff, today: date) -> RegularHomeworkView:
    policy = (await uow.entities.policy(member.entity_id)).allowance
    return RegularHomeworkView(
        staff=member, confirmed=await uow.allowances.regular_confirmation(member.id) is not None,
        recent_home_days=await _recent_home_days(uow, member.id, today, policy), policy=policy,
    )


MAX_TEAM_CONFIRMATIONS = 40  # one card, under Teams' card size


def _check_confirmer(actor: Staff, member: Staff) -> None:
    """Only the member's manager (or HR of their entity) confirms; a manager or HR member acting
    on someone else's staff member is told that, not that their role does not allow it."""
    if may_confirm_regular(actor, member):
        return
    if actor.has(Role.MANAGER) or actor.is_hr:
        raise Forbidden("allowance.not_your_member")
    raise Forbidden()


@dataclass(frozen=True)
class ShowTeamRegularHomework:
    actor: Staff


async def team_regular_homework(uow: UnitOfWork, query: ShowTeamRegularHomework, now: datetime) -> list[RegularHomeworkView]:
    """The manager's own staff members, each with their recent home days and whether regular home
    work is confirmed: the team card's way to confirm it."""
    async with uow:
        members = sorted(await uow.staff.list_reports(query.actor.id), key=lambda staff: staff.display_name)
        if not members:
            raise Forbidden("team.no_reports")
        return [await _regular_view(uow, member, now.date()) for member in members[:MAX_TEAM_CONFIRMATIONS]]


async def regular_homework(uow: UnitOfWork, query: ShowRegularHomework, now: datetime) -> RegularHomeworkView:
    """The confirmation card of a team member, found by e-mail; only their manager (or HR) sees it."""
    email = query.email.strip()
    async with uow:
        member = await uow.staff.get_by_email(email) if email else None
        if member is None:
            raise NotFound("allowance.member_not_found", email=email[:MAX_TEXT])
        _check_confirmer(query.actor, member)
        return await _regular_view(uow, member, now.date())


async def set_regular_homework(uow: UnitOfWork, command: SetRegularHomework, now: datetime) -> RegularHomeworkView:
    """Confirm (or withdraw) that a team member works from home regularly and structurally."""
    actor = command.actor
    async with uow:
        member = await uow.staff.get(command.staff_id)
        if member is None:
            raise NotFound()
        _check_confirmer(actor, member)
        current = await uow.allowances.regular_confirmation(member.id) is not None
        changed = current != command.confirmed
        if changed:
            if command.confirmed:
                await uow.allowances.confirm_regular(member.id, actor.id, now)
            else:
                await uow.allowances.withdraw_regular(member.id, actor.id, now)
            await uow.audit.record(
                _actor(actor), "allowance.regular_confirmed" if command.confirmed else "allowance.regular_withdrawn",
                "staff", member.id, {"confirmed": current}, {"confirmed": command.confirmed},
            )
        view = await _regular_view(uow, member, now.date())
        if changed:
            await uow.commit()
    return view


# -- my allowances --------------------------------------------------------------------------------
async def my_allowances(uow: UnitOfWork, query: MyAllowances, now: datetime) -> AllowanceStatements:
    """What the staff member receives per month and why, newest month first."""
    staff, today = query.actor, now.date()
    last = Month.of(today)
    first = last
    for _ in range(query.months - 1):
        first = first.previous()
    first = max(first, Month.of(staff.start_date))
    async with uow:
        policy = (await uow.entities.policy(staff.entity_id)).allowance
        if first > last:
            return AllowanceStatements([], policy.flat_fee_amount)
        history = await uow.allowances.history(staff.id)
        days = (await uow.allowances.work_days([staff.id], first.first, last.last))[staff.id]
    statements = [
        statement(month, days, history, policy, today, start=staff.start_date, end=staff.end_date)
        for month in reversed(months_between(first, last))
    ]
    return AllowanceStatements(statements, policy.flat_fee_amount)


# -- history import -------------------------------------------------------------------------------
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
            # The day the choice was made; when it takes effect follows the one rule (choice_takes_effect).
            effective = date.fromisoformat(row.get("effective_from", ""))
        except ValueError:
            reasons.append(f"effective_from {row.get('effective_from', '')!r} is not YYYY-MM-DD")
            effective = since
        if effective < since:
            reasons.append(f"effective_from {effective.isoformat()} is before {since.isoformat()}: "
                           "the internet allowance did not exist yet")
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
            reasons.append(f"{email} already has a choice made on {effective.isoformat()} on line {seen[(email, effective)]}: "
                           "which one was made last?")
        if reasons:
            problems.append(Problem(line_no, "; ".join(reasons)))
            continue
        seen[(email, effective)] = line_no
        lines.append(_HistoryLine(line_no, email, mode, effective, cost, provider, customer))
    return lines, problems


async def import_allowance_history(uow: UnitOfWork, command: ImportAllowanceHistory, now: datetime) -> ImportSummary:
    """Past internet allowance choices from CSV or XLSX (columns email, mode, effective_from: the
    day the choice was made, monthly_cost; optional provider, customer_number). Each choice takes
    effect as the live bot's do (`choice_takes_effect`: before the entity's payroll cut-off day
    that month, else the next); of two choices taking effect in the same month the one made last
    counts. One bad row refuses the whole file; a second import of the same file changes nothing."""
    table, actor = command.table, command.actor
    missing = [column for column in HISTORY_COLUMNS if column not in table.header]
    if missing:
        raise AllowanceImportRefused([Problem(1, f"missing column(s): {', '.join(missing)}")])
    lines, problems = _parse_history(table.rows, now.date(), AllowancePolicy().internet_allowance_since)
    if problems:
        raise AllowanceImportRefused(problems)
    created = unchanged = replaced = 0
    async with uow:
        staff_by_email: dict[str, Staff] = {}
        policies: dict[str, AllowancePolicy] = {}
        for line in lines:
            staff = staff_by_email.get(line.email) or await uow.staff.get_by_email(line.email)
            if staff is None:
                problems.append(Problem(line.line, f"{line.email} is not in the staff directory"))
                continue
            staff_by_email[line.email] = staff
            policy = (await uow.entities.policy(staff.entity_id)).allowance
            if line.effective_from < policy.internet_allowance_since:
                problems.append(Problem(line.line, f"effective_from {line.effective_from.isoformat()} is before "
                                                   f"{policy.internet_allowance_since.isoformat()} for {staff.entity_code}: "
                                                   "the internet allowance did not exist yet"))
            policies[line.email] = policy
        if problems:
            raise AllowanceImportRefused(problems)
        cleared: set[int] = set()
        # In the order the choices were made, so that of two taking effect on the same day the
        # one made last is also recorded last (and wins, as in the live bot).
        for line in sorted(lines, key=lambda line: (line.email, line.effective_from)):
            staff = staff_by_email[line.email]
            if staff.id not in cleared:
                # An imported history replaces defaults that were only assumed.
                for removed in await uow.allowances.delete_defaults(staff.id):
                    await uow.audit.record(actor, "allowance.default_replaced", "staff", staff.id, _snapshot(removed), None)
                    replaced += 1
                cleared.add(staff.id)
            choice = AllowanceChoice(
                staff_id=staff.id, mode=line.mode, effective_from=choice_takes_effect(line.effective_from, policies[line.email]),
                source=ChoiceSource.IMPORT,
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


# -- demo data ------------------------------------------------------------------------------------
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


async def load_demo(uow: UnitOfWork, command: LoadAllowanceDemo, now: datetime) -> None:
    today = now.date()
    async with uow:
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
            # The demo pretends the bot has handled everyone's allowance from the start.
            policy = await uow.entities.policy(entity.id)
            if policy.allowance.default_mode_since is None:
                allowance = policy.allowance.model_copy(update={"default_mode_since": DEMO_GO_LIVE})
                await uow.entities.set_policy(entity.id, policy.model_copy(update={"allowance": allowance}))
            await record_default_modes(uow, entity.id, today, now, actor="demo")
        await uow.commit()
