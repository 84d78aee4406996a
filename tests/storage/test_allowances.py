"""Allowance use cases and repository on SQLite and PostgreSQL: choosing a mode, refusals, the
manager's confirmation, defaults for new staff, the history import and the reports' aggregations."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.domain.allowances import AllowanceImportRefused, ChoiceSource, InternetMode, MayNotChoose
from bot.domain.calendar import Month, working_days
from bot.domain.errors import Forbidden, InvalidInput
from bot.domain.staff import Staff
from bot.services import allowances as service
from bot.tables import load_table
from storage.models.allowances import AllowanceChoiceRow
from storage.models.directory import AuditRow
from storage.models.homework import IneligibilityRow, WorkRegistrationRow
from storage.uow import UnitOfWorkFactory
from tests.fakes.policies import go_live

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
FLAT = InternetMode.FLAT_FEE
THIRD = InternetMode.THIRD_PARTY


@pytest.fixture
async def directory(directory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """The test directory, its entities giving new staff their default since before anyone started."""
    await go_live(directory)
    return directory


@pytest.fixture
async def pg_directory(pg_directory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    await go_live(pg_directory)
    return pg_directory


async def staff(uow_factory: UnitOfWorkFactory, email: str) -> Staff:
    async with uow_factory() as uow:
        found = await uow.staff.get_by_email(email)
    assert found is not None
    return found


async def register(uow_factory: UnitOfWorkFactory, staff_id: int, days: list[date], *, place: str = "home", part: str = "full", status: str = "registered") -> None:
    async with uow_factory() as uow:
        for day in days:
            uow.session.add(WorkRegistrationRow(staff_id=staff_id, day=day, place=place, part=part, status=status))
        await uow.commit()


async def mark_ineligible(uow_factory: UnitOfWorkFactory, staff_id: int, since: date) -> None:
    async with uow_factory() as uow:
        uow.session.add(IneligibilityRow(staff_id=staff_id, reason="function", valid_from=since))
        await uow.commit()


async def choices(uow_factory: UnitOfWorkFactory) -> int:
    async with uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(AllowanceChoiceRow)))


async def import_history_file(uow_factory: UnitOfWorkFactory, path: Path) -> service.ImportSummary:
    table = await load_table(path)
    return await service.import_allowance_history(uow_factory(), service.ImportAllowanceHistory(table, "test"), NOW)


def recent_weekdays(count: int) -> list[date]:
    days = working_days(Month(2026, 11)) + working_days(Month(2026, 10))
    return sorted(d for d in days if d <= TODAY)[-count:]


async def test_regular_home_worker_chooses_third_party_from_next_month(directory: UnitOfWorkFactory) -> None:
    stan = await staff(directory, "staff@vlaanderen.be")
    await register(directory, stan.id, recent_weekdays(4))
    view = await service.internet_allowance(directory(), service.ShowInternetAllowance(stan), NOW)
    assert view.refusal is None and view.current.mode == FLAT and view.current.source == ChoiceSource.DEFAULT
    cmd = service.ChooseMode(stan, stan.id, THIRD, provider="Telenet", customer_number="TN-123", monthly_cost=Decimal("41.50"))
    view = await service.choose_mode(directory(), cmd, NOW)
    # 22 November is after the cut-off day (10): from 1 December
    assert view.pending.mode == THIRD and view.pending.effective_from == date(2026, 12, 1)
    assert view.current.mode == FLAT
    assert view.pending.monthly_cost == Decimal("41.50")
    async with directory() as uow:
        audit = await uow.audit.list_by_action("allowance.mode_chosen")
        assert audit[-1].after["mode"] == "third_party_payer" and audit[-1].before["mode"] == "flat_fee"
    with pytest.raises(InvalidInput) as unchanged:
        await service.choose_mode(directory(), cmd, NOW)
    assert unchanged.value.key == "allowance.unchanged"
    # changing one's mind before December: flat fee again, both entries kept
    view = await service.choose_mode(directory(), service.ChooseMode(stan, stan.id, FLAT), NOW)
    assert view.pending.mode == FLAT
    assert [c.mode for c in view.history[:2]] == [FLAT, THIRD]


async def test_staff_without_regular_home_work_is_refused_and_nothing_is_written(directory: UnitOfWorkFactory) -> None:
    stan = await staff(directory, "staff@vlaanderen.be")
    await register(directory, stan.id, recent_weekdays(3))
    await register(directory, stan.id, recent_weekdays(10)[:5], place="satellite")
    view = await service.internet_allowance(directory(), service.ShowInternetAllowance(stan), NOW)
    assert view.refusal is not None and view.refusal.value == "not_regular"
    before = await choices(directory)
    with pytest.raises(MayNotChoose) as refused:
        await service.choose_mode(directory(), service.ChooseMode(stan, stan.id, THIRD, "P", "1", Decimal(30)), NOW)
    assert refused.value.key == "allowance.refused_not_regular" and refused.value.params["days"] == 4
    assert await choices(directory) == before


async def test_not_eligible_staff_are_refused_even_when_confirmed(directory: UnitOfWorkFactory) -> None:
    stan = await staff(directory, "staff@vlaanderen.be")
    mia = await staff(directory, "manager@vlaanderen.be")
    await register(directory, stan.id, recent_weekdays(8))
    await service.set_regular_homework(directory(), service.SetRegularHomework(mia, stan.id, True), NOW)
    await mark_ineligible(directory, stan.id, date(2026, 11, 1))
    with pytest.raises(MayNotChoose) as refused:
        await service.choose_mode(directory(), service.ChooseMode(stan, stan.id, FLAT), NOW)
    assert refused.value.key == "allowance.refused_not_eligible"


async def test_manager_confirmation_lets_staff_choose_and_others_may_not_confirm(directory: UnitOfWorkFactory) -> None:
    stan = await staff(directory, "staff@vlaanderen.be")
    mia = await staff(directory, "manager@vlaanderen.be")
    cato = await staff(directory, "colleague@vlaanderen.be")
    olaf = await staff(directory, "othermanager@vlaanderen.be")
    for outsider in (cato, olaf):
        with pytest.raises(Forbidden):
            await service.set_regular_homework(directory(), service.SetRegularHomework(outsider, stan.id, True), NOW)
        with pytest.raises(Forbidden):
            await service.regular_homework(directory(), service.ShowRegularHomework(outsider, stan.email), NOW)
    view = await service.set_regular_homework(directory(), service.SetRegularHomework(mia, stan.id, True), NOW)
    assert view.confirmed
    assert (await service.internet_allowance(directory(), service.ShowInternetAllowance(stan), NOW)).refusal is None
    view = await service.set_regular_homework(directory(), service.SetRegularHomework(mia, stan.id, False), NOW)
    assert not view.confirmed
    assert (await service.internet_allowance(directory(), service.ShowInternetAllowance(stan), NOW)).refusal is not None
    async with directory() as uow:
        actions = [row.action for row in await uow.audit.list_for_subject("staff", stan.id)]
    assert "allowance.regular_confirmed" in actions and "allowance.regular_withdrawn" in actions


async def test_choosing_for_someone_else_is_forbidden(directory: UnitOfWorkFactory) -> None:
    stan = await staff(directory, "staff@vlaanderen.be")
    cato = await staff(directory, "colleague@vlaanderen.be")
    with pytest.raises(Forbidden):
        await service.choose_mode(directory(), service.ChooseMode(cato, stan.id, FLAT), NOW)


async def test_default_for_new_staff_applies_once(directory: UnitOfWorkFactory) -> None:
    cato = await staff(directory, "colleague@vlaanderen.be")  # started 14 June 2026
    view = await service.internet_allowance(directory(), service.ShowInternetAllowance(cato), NOW)
    assert view.current.mode == FLAT and view.current.effective_from == date(2026, 6, 1)
    await service.internet_allowance(directory(), service.ShowInternetAllowance(cato), NOW)
    async with directory() as uow:
        assert len(await uow.allowances.history(cato.id)) == 1
        assert len(await uow.audit.list_by_action("allowance.default_applied")) == 1


async def test_daily_job_applies_defaults_without_anyone_opening_a_card(directory: UnitOfWorkFactory, database_url: str) -> None:
    from bot.scheduler import run_due_jobs
    from bot.wiring import build_registry
    from tests.unit.test_scheduler import services_for

    registry = build_registry()
    assert registry.jobs["allowances.defaults"].every == timedelta(days=1)
    services = services_for(directory, database_url, "a", registry)
    services.clock.current = NOW  # type: ignore[attr-defined]
    assert "allowances.defaults" in await run_due_jobs(services, NOW)
    async with directory() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(AllowanceChoiceRow))
        everyone = await uow.staff.count()
        cato = await uow.staff.get_by_email("colleague@vlaanderen.be")
        assert [c.effective_from for c in await uow.allowances.history(cato.id)] == [date(2026, 6, 1)]
    assert count == everyone  # both test entities default to the flat fee
    # Once a day, and nothing twice: a second run in the same day does not run, a later one adds nothing.
    assert "allowances.defaults" not in await run_due_jobs(services, NOW)
    assert await service.run_default_modes(services.runner, NOW) == 0
    async with directory() as uow:
        entity_ids = [entity.id for entity in await uow.entities.list_all()]
    assert [await service.apply_default_modes(directory(), service.ApplyDefaultModes(e), NOW) for e in entity_ids] == [0, 0]


async def test_entity_without_default_gives_nothing(directory: UnitOfWorkFactory) -> None:
    olga = await staff(directory, "otherstaff@vlaanderen.be")
    async with directory() as uow:
        policy = await uow.entities.policy(olga.entity_id)
        await uow.entities.set_policy(olga.entity_id, policy.model_copy(update={"allowance": policy.allowance.model_copy(update={"default_mode_for_new_staff": None})}))
        await uow.commit()
    view = await service.internet_allowance(directory(), service.ShowInternetAllowance(olga), NOW)
    assert view.current is None and view.history == []


async def test_my_allowances_per_month(directory: UnitOfWorkFactory) -> None:
    stan = await staff(directory, "staff@vlaanderen.be")
    october = working_days(Month(2026, 10))
    await register(directory, stan.id, october[:3])
    await register(directory, stan.id, [october[3]], part="pm")
    september = working_days(Month(2026, 9))
    await register(directory, stan.id, september[:5])
    await service.internet_allowance(directory(), service.ShowInternetAllowance(stan), NOW)  # default flat fee
    rows = (await service.my_allowances(directory(), service.MyAllowances(stan), NOW)).statements
    assert [str(r.month) for r in rows] == ["2026-11", "2026-10", "2026-09", "2026-08", "2026-07", "2026-06"]
    oct_row = rows[1]
    assert (oct_row.homework.home_days, oct_row.homework.per_week, oct_row.homework.due) == (Decimal("3.5"), Decimal("0.8"), False)
    assert oct_row.internet_amount == Decimal("20.00") and oct_row.total == Decimal("20.00")
    assert rows[2].homework.due and rows[2].total == Decimal("40.00")
    assert rows[0].in_progress and not rows[1].in_progress


# -- history import ----------------------------------------------------------------------------------

HISTORY = (
    "email,mode,effective_from,monthly_cost,provider,customer_number\n"
    "staff@vlaanderen.be,third_party_payer,2021-09-17,39.99,Proximus,P-1\n"
    "staff@vlaanderen.be,flat_fee,2023-05-01,,,\n"
    "manager@vlaanderen.be,flat_fee,2021-09-20,,,\n"
    "manager@vlaanderen.be,third_party_payer,2026-03-01,45.00,Telenet,T-9\n"
    "manager@vlaanderen.be,flat_fee,2026-08-01,,,\n"
)


async def test_history_import_is_idempotent(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(HISTORY, encoding="utf-8")
    stan = await staff(directory, "staff@vlaanderen.be")
    await service.internet_allowance(directory(), service.ShowInternetAllowance(stan), NOW)  # a default that the import replaces
    first = await import_history_file(directory, path)
    assert (first.created, first.unchanged, first.defaults_replaced) == (5, 0, 1)
    count = await choices(directory)
    second = await import_history_file(directory, path)
    assert (second.created, second.unchanged, second.defaults_replaced) == (0, 5, 0)
    assert await choices(directory) == count
    async with directory() as uow:
        history = await uow.allowances.history(stan.id)
    assert [(c.mode, c.effective_from, c.monthly_cost) for c in history] == [
        (THIRD, date(2021, 9, 1), Decimal("39.99")), (FLAT, date(2023, 5, 1), None),
    ]


async def test_history_import_refuses_bad_rows_with_line_numbers(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    bad = (
        "email,mode,effective_from,monthly_cost\n"
        "staff@vlaanderen.be,flat_fee,2024-01-01,\n"
        "staff@vlaanderen.be,none,2024-02-01,\n"
        "manager@vlaanderen.be,third_party_payer,2024-13-01,20\n"
        "manager@vlaanderen.be,third_party_payer,2024-03-01,\n"
        "manager@vlaanderen.be,flat_fee,2020-03-01,\n"
        "hr@vlaanderen.be,third_party_payer,2024-03-01,12.345\n"
        "hr@vlaanderen.be,flat_fee,2024-03-01,20.00\n"
    )
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(AllowanceImportRefused) as refused:
        await import_history_file(directory, path)
    assert [p.line for p in refused.value.problems] == [3, 4, 5, 6, 7, 8]
    assert await choices(directory) == 0
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("email,mode,effective_from,monthly_cost\nstaff@vlaanderen.be,flat_fee,2024-01-01,\nnobody@vlaanderen.be,flat_fee,2024-01-01,\n")
    with pytest.raises(AllowanceImportRefused) as refused:
        await import_history_file(directory, unknown)
    assert [p.line for p in refused.value.problems] == [3]
    assert await choices(directory) == 0
    missing = tmp_path / "missing.csv"
    missing.write_text("email,mode\nstaff@vlaanderen.be,flat_fee\n")
    with pytest.raises(AllowanceImportRefused) as refused:
        await import_history_file(directory, missing)
    assert refused.value.problems[0].line == 1


# -- aggregations for the reports ----------------------------------------------------------------------

async def test_staff_and_amounts_per_mode_per_year(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(HISTORY, encoding="utf-8")
    await import_history_file(directory, path)
    dwse = (await staff(directory, "staff@vlaanderen.be")).entity_id
    async with directory() as uow:
        counts = await uow.allowances.staff_per_mode_per_year([2021, 2023, 2026], dwse)
        amounts = await uow.allowances.amount_per_mode_per_year([2021, 2023, 2026], dwse)
        everywhere = await uow.allowances.staff_per_mode_per_year([2026])
    by_key = {(c.year, c.mode): c.staff_count for c in counts}
    # 2026: the manager switched twice and counts in both modes; staff is on the flat fee
    assert by_key == {(2021, FLAT): 1, (2021, THIRD): 1, (2023, FLAT): 2, (2023, THIRD): 1, (2026, FLAT): 2, (2026, THIRD): 1}
    assert {(c.year, c.mode): c.staff_count for c in everywhere} == {(2026, FLAT): 2, (2026, THIRD): 1}
    money = {(a.year, a.mode): (a.months, a.amount) for a in amounts}
    # 2021: Sep-Dec; staff third party 4 x 39.99, manager flat fee 4 x 20
    assert money[(2021, THIRD)] == (4, Decimal("159.96"))
    assert money[(2021, FLAT)] == (4, Decimal("80.00"))
    # 2023: staff third party Jan-Apr then flat May-Dec; manager flat all year
    assert money[(2023, THIRD)] == (4, Decimal("159.96"))
    assert money[(2023, FLAT)] == (20, Decimal("400.00"))
    # 2026: manager third party Mar-Jul (5 x 45), flat Jan-Feb and Aug-Dec; staff flat all year
    assert money[(2026, THIRD)] == (5, Decimal("225.00"))
    assert money[(2026, FLAT)] == (19, Decimal("380.00"))
    assert all(isinstance(a.amount, Decimal) for a in amounts)


async def test_homework_allowance_per_month_matches_the_rule(directory: UnitOfWorkFactory) -> None:
    stan = await staff(directory, "staff@vlaanderen.be")
    mia = await staff(directory, "manager@vlaanderen.be")
    olga = await staff(directory, "otherstaff@vlaanderen.be")
    april = working_days(Month(2026, 4))  # 21 working days: 4.2 needed
    await register(directory, stan.id, april[:4])
    await register(directory, stan.id, [april[4]], part="am")  # 4.5: due
    await register(directory, mia.id, april[:4])  # 4: not due
    await register(directory, mia.id, [date(2026, 4, 6)])  # Easter Monday does not count
    await register(directory, olga.id, april[:5])  # other entity
    november = working_days(Month(2026, 11))
    await register(directory, mia.id, november[:4])  # 20 working days: due
    months = [Month(2026, 4), Month(2026, 5), Month(2026, 11)]
    async with directory() as uow:
        dwse = await uow.allowances.homework_allowance_per_month(months, stan.entity_id)
        everywhere = await uow.allowances.homework_allowance_per_month(months)
    assert [(str(r.month), r.staff_count, r.amount) for r in dwse] == [
        ("2026-04", 1, Decimal("20.00")), ("2026-05", 0, Decimal("0.00")), ("2026-11", 1, Decimal("20.00")),
    ]
    assert [(r.staff_count, r.amount) for r in everywhere][0] == (2, Decimal("40.00"))


async def test_audit_rows_for_defaults_name_the_system(directory: UnitOfWorkFactory) -> None:
    cato = await staff(directory, "colleague@vlaanderen.be")
    await service.internet_allowance(directory(), service.ShowInternetAllowance(cato), NOW)
    async with directory() as uow:
        row = await uow.session.scalar(select(AuditRow).where(AuditRow.action == "allowance.default_applied"))
        assert row.actor == "system" and row.after["source"] == "default"


async def test_double_click_records_one_choice_on_postgresql(pg_directory: UnitOfWorkFactory) -> None:
    stan = await staff(pg_directory, "staff@vlaanderen.be")
    await register(pg_directory, stan.id, recent_weekdays(4))
    await service.internet_allowance(pg_directory(), service.ShowInternetAllowance(stan), NOW)
    cmd = service.ChooseMode(stan, stan.id, THIRD, provider="Telenet", customer_number="TN-1", monthly_cost=Decimal("41.50"))
    results = await asyncio.gather(
        *(service.choose_mode(pg_directory(), cmd, NOW) for _ in range(4)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(refused) == 3 and all(r.key == "allowance.unchanged" for r in refused)
    async with pg_directory() as uow:
        history = await uow.allowances.history(stan.id)
    assert [c.mode for c in history] == [FLAT, THIRD]
