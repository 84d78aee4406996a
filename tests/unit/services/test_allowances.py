"""Allowance use cases on the in-memory unit of work: defaults, choosing a mode and its refusals,
the manager's confirmation, my allowances, the daily job, the history import and the demo."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from bot.domain.allowances import (
    AllowanceImportRefused,
    ChoiceRefusal,
    ChoiceSource,
    InternetMode,
    MayNotChoose,
    choice_on,
    effective_date_of_change,
)
from bot.domain.calendar import Month, working_days
from bot.domain.directory_import import Table
from bot.domain.errors import Forbidden, InvalidInput, NotFound
from bot.domain.policy import EntityPolicy
from bot.domain.policy_sections import AllowancePolicy
from bot.domain.staff import Role
from bot.runner import UseCaseRunner
from bot.services import allowances as service
from tests.fakes.repositories.allowances import add_work_days, mark_ineligible
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork, fake_uow_factory

# Sunday 22 November 2026: after the payroll cut-off day (10), so a change starts on 1 December.
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
TODAY = NOW.date()
FLAT = InternetMode.FLAT_FEE
THIRD = InternetMode.THIRD_PARTY
NO_DEFAULT = EntityPolicy(allowance=AllowancePolicy(default_mode_for_new_staff=None))


# The bot has given new staff their entity's default since before anyone in these tests started.
LIVE_FROM_THE_START = EntityPolicy(allowance=AllowancePolicy(default_mode_since=date(2000, 1, 1)))


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def people(db: FakeDatabase) -> dict:
    dwse = db.add_entity("DWSE", policy=LIVE_FROM_THE_START)
    dv = db.add_entity("DV", "Digitaal Vlaanderen", policy=LIVE_FROM_THE_START)
    mia = db.add_staff("Mia Manager", entity=dwse, roles=(Role.MANAGER,))
    stan = db.add_staff("Stan Staff", entity=dwse, manager=mia)
    cato = db.add_staff("Cato Colleague", entity=dwse, manager=mia, start_date=date(2026, 6, 14))
    hilde = db.add_staff("Hilde HR", entity=dwse, roles=(Role.HR,))
    olaf = db.add_staff("Olaf Other", entity=dv, roles=(Role.MANAGER,))
    olga = db.add_staff("Olga Other", entity=dv, manager=olaf)
    return {"dwse": dwse, "dv": dv, "mia": mia, "stan": stan, "cato": cato, "hilde": hilde, "olaf": olaf, "olga": olga}


def recent_weekdays(count: int) -> list[date]:
    days = working_days(Month(2026, 11)) + working_days(Month(2026, 10))
    return sorted(d for d in days if d <= TODAY)[-count:]


def choices(db: FakeDatabase) -> list:
    return sorted(db.table("allowance_choices").values(), key=lambda c: c.id)


async def show(db: FakeDatabase, staff) -> service.InternetAllowanceView:  # noqa: ANN001
    return await service.internet_allowance(FakeUnitOfWork(db), service.ShowInternetAllowance(staff), NOW)


async def choose(db: FakeDatabase, actor, mode: InternetMode = THIRD, **terms) -> service.InternetAllowanceView:  # noqa: ANN001, ANN003
    staff_id = terms.pop("staff_id", actor.id)
    if mode is THIRD:
        terms = {"provider": "Telenet", "customer_number": "TN-1", "monthly_cost": Decimal("41.50"), **terms}
    return await service.choose_mode(FakeUnitOfWork(db), service.ChooseMode(actor, staff_id, mode, **terms), NOW)


def written(db: FakeDatabase) -> tuple:
    return db.commits, len(db.table("allowance_choices")), len(db.audit()), len(db.table("regular_homework_confirmations"))


# -- the card and the default for new staff --------------------------------------------------------
async def test_opening_the_card_applies_the_default_once_from_the_start_month(db: FakeDatabase, people: dict) -> None:
    view = await show(db, people["cato"])
    assert view.current is not None and (view.current.mode, view.current.effective_from) == (FLAT, date(2026, 6, 1))
    assert view.current.source is ChoiceSource.DEFAULT and view.refusal is ChoiceRefusal.NOT_REGULAR
    assert view.change_from == date(2026, 12, 1)
    assert [(row["actor"], row["action"], row["after"]["source"]) for row in db.audit()] == [("system", "allowance.default_applied", "default")]
    commits = db.commits
    await show(db, people["cato"])
    assert len(choices(db)) == 1 and db.commits == commits  # nothing to write the second time


async def test_an_entity_without_default_gives_nothing_and_writes_nothing(db: FakeDatabase, people: dict) -> None:
    db.set_policy(people["dv"].id, NO_DEFAULT)
    view = await show(db, people["olga"])
    assert view.current is None and view.history == [] and db.commits == 0 and db.audit() == []


async def test_the_card_counts_recent_home_days_and_the_manager_confirmation(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    add_work_days(db, stan.id, recent_weekdays(3))
    add_work_days(db, stan.id, recent_weekdays(6)[:2], place="satellite")  # satellite is not home
    view = await show(db, stan)
    assert view.recent_home_days == Decimal(3) and view.refusal is ChoiceRefusal.NOT_REGULAR
    add_work_days(db, stan.id, [recent_weekdays(4)[0]], part="am")
    add_work_days(db, stan.id, [recent_weekdays(5)[0]], part="pm")
    view = await show(db, stan)
    assert view.recent_home_days == Decimal(4) and view.refusal is None and not view.confirmed_by_manager


# -- choosing a mode -------------------------------------------------------------------------------
async def test_a_regular_home_worker_chooses_third_party_from_next_month(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    add_work_days(db, stan.id, recent_weekdays(4))
    await show(db, stan)  # the default flat fee
    view = await choose(db, stan)
    assert view.current.mode == FLAT and view.pending.mode == THIRD
    assert (view.pending.effective_from, view.pending.monthly_cost, view.pending.provider) == (date(2026, 12, 1), Decimal("41.50"), "Telenet")
    assert [c.mode for c in view.history] == [THIRD, FLAT]  # newest first
    stored = choices(db)[-1]
    assert (stored.source, stored.recorded_by, stored.recorded_at) == (ChoiceSource.BOT, f"staff:{stan.id}", NOW)
    audit = db.audit("allowance.mode_chosen")
    assert len(audit) == 1 and audit[0]["before"]["mode"] == "flat_fee" and audit[0]["after"]["mode"] == "third_party_payer"
    assert audit[0]["actor"] == f"staff:{stan.id}" and audit[0]["after"]["monthly_cost"] == "41.50"
    # changing one's mind before December: flat fee again, both entries kept
    view = await choose(db, stan, FLAT)
    assert view.pending.mode == FLAT and view.pending.provider is None and len(choices(db)) == 3


async def test_the_same_choice_twice_is_refused_and_writes_nothing(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    add_work_days(db, stan.id, recent_weekdays(4))
    await choose(db, stan)
    before = written(db)
    with pytest.raises(InvalidInput) as refused:
        await choose(db, stan)
    assert refused.value.key == "allowance.unchanged" and written(db) == before


@pytest.mark.parametrize(
    ("terms", "key"),
    [
        ({"provider": " "}, "allowance.invalid_provider"),
        ({"customer_number": ""}, "allowance.invalid_customer_number"),
        ({"monthly_cost": Decimal("0")}, "allowance.invalid_cost"),
        ({"monthly_cost": Decimal("12.345")}, "allowance.invalid_cost"),
        ({"monthly_cost": Decimal("150.01")}, "allowance.cost_too_high"),
        ({"provider": "x" * 101}, "allowance.text_too_long"),
    ],
)
async def test_bad_third_party_terms_are_refused_and_write_nothing(db: FakeDatabase, people: dict, terms: dict, key: str) -> None:
    stan = people["stan"]
    add_work_days(db, stan.id, recent_weekdays(4))
    before = written(db)
    with pytest.raises(InvalidInput) as refused:
        await choose(db, stan, **terms)
    assert refused.value.key == key and written(db) == before


async def test_without_regular_home_work_the_choice_is_refused_with_the_threshold(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    add_work_days(db, stan.id, recent_weekdays(3))
    before = written(db)
    with pytest.raises(MayNotChoose) as refused:
        await choose(db, stan)
    assert refused.value.key == "allowance.refused_not_regular" and refused.value.params == {"days": 4, "weeks": 8}
    assert written(db) == before


async def test_not_eligible_staff_are_refused_even_when_confirmed(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    add_work_days(db, stan.id, recent_weekdays(8))
    await service.set_regular_homework(FakeUnitOfWork(db), service.SetRegularHomework(people["mia"], stan.id, True), NOW)
    mark_ineligible(db, stan.id, date(2026, 11, 1))
    before = written(db)
    with pytest.raises(MayNotChoose) as refused:
        await choose(db, stan, FLAT)
    assert refused.value.key == "allowance.refused_not_eligible" and written(db) == before
    # a lifted marking no longer counts
    db.table("allowance_ineligibility").clear()
    mark_ineligible(db, stan.id, date(2026, 11, 1), lifted_on=date(2026, 11, 20))
    assert (await choose(db, stan, FLAT)).pending.mode == FLAT


async def test_nobody_chooses_for_someone_else(db: FakeDatabase, people: dict) -> None:
    add_work_days(db, people["stan"].id, recent_weekdays(4))
    with pytest.raises(Forbidden):
        await choose(db, people["cato"], FLAT, staff_id=people["stan"].id)
    assert written(db) == (0, 0, 0, 0)


# -- the manager's confirmation of regular home work -------------------------------------------------
async def test_the_manager_confirms_and_withdraws_and_each_change_is_audited(db: FakeDatabase, people: dict) -> None:
    mia, stan = people["mia"], people["stan"]
    add_work_days(db, stan.id, recent_weekdays(2))
    view = await service.regular_homework(FakeUnitOfWork(db), service.ShowRegularHomework(mia, " stan.staff@vlaanderen.be "), NOW)
    assert view.staff.id == stan.id and not view.confirmed and view.recent_home_days == Decimal(2)
    view = await service.set_regular_homework(FakeUnitOfWork(db), service.SetRegularHomework(mia, stan.id, True), NOW)
    assert view.confirmed and (await show(db, stan)).refusal is None
    commits = db.commits
    again = await service.set_regular_homework(FakeUnitOfWork(db), service.SetRegularHomework(mia, stan.id, True), NOW)
    assert again.confirmed and db.commits == commits  # nothing changed, nothing written
    view = await service.set_regular_homework(FakeUnitOfWork(db), service.SetRegularHomework(mia, stan.id, False), NOW)
    assert not view.confirmed and (await show(db, stan)).refusal is ChoiceRefusal.NOT_REGULAR
    audit = [(row["action"], row["actor"], row["before"], row["after"]) for row in db.audit() if row["action"].startswith("allowance.regular")]
    assert audit == [
        ("allowance.regular_confirmed", f"staff:{mia.id}", {"confirmed": False}, {"confirmed": True}),
        ("allowance.regular_withdrawn", f"staff:{mia.id}", {"confirmed": True}, {"confirmed": False}),
    ]
    rows = list(db.table("regular_homework_confirmations").values())
    assert len(rows) == 1 and rows[0].withdrawn_by == mia.id and rows[0].withdrawn_at == NOW


async def test_hr_of_the_entity_confirms_too_but_outsiders_may_not(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    view = await service.set_regular_homework(FakeUnitOfWork(db), service.SetRegularHomework(people["hilde"], stan.id, True), NOW)
    assert view.confirmed
    for outsider in (people["cato"], people["olaf"]):
        before = written(db)
        with pytest.raises(Forbidden):
            await service.set_regular_homework(FakeUnitOfWork(db), service.SetRegularHomework(outsider, stan.id, False), NOW)
        with pytest.raises(Forbidden):
            await service.regular_homework(FakeUnitOfWork(db), service.ShowRegularHomework(outsider, stan.email), NOW)
        assert written(db) == before


async def test_an_unknown_member_is_not_found(db: FakeDatabase, people: dict) -> None:
    with pytest.raises(NotFound) as missing:
        await service.regular_homework(FakeUnitOfWork(db), service.ShowRegularHomework(people["mia"], "niemand@vlaanderen.be"), NOW)
    assert missing.value.key == "allowance.member_not_found" and missing.value.params == {"email": "niemand@vlaanderen.be"}
    with pytest.raises(NotFound):
        await service.set_regular_homework(FakeUnitOfWork(db), service.SetRegularHomework(people["mia"], 999, True), NOW)


# -- my allowances -----------------------------------------------------------------------------------
async def test_my_allowances_per_month_newest_first(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    october, september = working_days(Month(2026, 10)), working_days(Month(2026, 9))
    add_work_days(db, stan.id, october[:3])
    add_work_days(db, stan.id, [october[3]], part="pm")
    add_work_days(db, stan.id, september[:5])
    await show(db, stan)  # the default flat fee
    mine = await service.my_allowances(FakeUnitOfWork(db), service.MyAllowances(stan), NOW)
    assert mine.flat_fee == Decimal("20.00")
    assert [str(row.month) for row in mine.statements] == ["2026-11", "2026-10", "2026-09", "2026-08", "2026-07", "2026-06"]
    october_row, september_row = mine.statements[1], mine.statements[2]
    assert (october_row.homework.home_days, october_row.homework.per_week, october_row.homework.due) == (Decimal("3.5"), Decimal("0.8"), False)
    assert october_row.total == Decimal("20.00") and september_row.total == Decimal("40.00")
    assert mine.statements[0].in_progress and not october_row.in_progress


async def test_my_allowances_start_with_the_month_of_the_start_date(db: FakeDatabase, people: dict) -> None:
    mine = await service.my_allowances(FakeUnitOfWork(db), service.MyAllowances(people["cato"], months=12), NOW)
    assert [str(row.month) for row in mine.statements][-1] == "2026-06"
    future = db.add_staff("Fien Future", entity=people["dwse"], start_date=date(2027, 2, 1))
    assert (await service.my_allowances(FakeUnitOfWork(db), service.MyAllowances(future), NOW)).statements == []


# -- the daily job -----------------------------------------------------------------------------------
async def test_the_daily_job_gives_every_entity_its_default_once(db: FakeDatabase, people: dict) -> None:
    db.set_policy(people["dv"].id, NO_DEFAULT)
    leaver = db.add_staff("Lea Leaver", entity=people["dwse"], start_date=date(2019, 1, 1), end_date=date(2026, 10, 31))
    runner = UseCaseRunner(fake_uow_factory(db), FixedClock(NOW))
    assert await runner.run(service.entities_with_default, service.EntitiesWithDefault()) == [people["dwse"].id]
    applied = await service.run_default_modes(runner, NOW)
    dwse_staff = {people[name].id for name in ("mia", "stan", "cato", "hilde")}
    assert applied == 4 and {c.staff_id for c in choices(db)} == dwse_staff  # not the leaver, not DV
    assert leaver.id not in {c.staff_id for c in choices(db)}
    assert {c.effective_from for c in choices(db) if c.staff_id == people["cato"].id} == {date(2026, 6, 1)}
    assert {c.effective_from for c in choices(db) if c.staff_id == people["stan"].id} == {date(2021, 9, 1)}  # not before the allowance
    assert [row["actor"] for row in db.audit("allowance.default_applied")] == ["system"] * 4
    commits = db.commits
    assert await service.run_default_modes(runner, NOW) == 0 and db.commits == commits
    assert await service.apply_default_modes(FakeUnitOfWork(db), service.ApplyDefaultModes(people["dv"].id), NOW) == 0


# -- history import ------------------------------------------------------------------------------------
HEADER = ["email", "mode", "effective_from", "monthly_cost", "provider", "customer_number"]


def table(*rows: tuple[str, ...], header: list[str] = HEADER) -> Table:
    return Table(header, [(line, dict(zip(header, row, strict=False))) for line, row in enumerate(rows, start=2)])


HISTORY = table(
    ("stan.staff@vlaanderen.be", "third_party_payer", "2021-09-17", "39.99", "Proximus", "P-1"),
    ("stan.staff@vlaanderen.be", "flat_fee", "2023-05-01", "", "", ""),
    ("mia.manager@vlaanderen.be", "flat_fee", "2021-09-20", "", "", ""),
    ("mia.manager@vlaanderen.be", "third_party_payer", "2026-03-01", "45,00", "Telenet", "T-9"),
)


async def run_import(db: FakeDatabase, source: Table) -> service.ImportSummary:
    return await service.import_allowance_history(FakeUnitOfWork(db), service.ImportAllowanceHistory(source, "cli"), NOW)


async def test_the_history_import_replaces_defaults_and_is_idempotent(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    await show(db, stan)  # a default that the import replaces
    first = await run_import(db, HISTORY)
    assert (first.created, first.unchanged, first.defaults_replaced) == (4, 0, 1)
    history = await FakeUnitOfWork(db).allowances.history(stan.id)
    assert [(c.mode, c.effective_from, c.monthly_cost, c.source) for c in history] == [
        (THIRD, date(2021, 9, 1), Decimal("39.99"), ChoiceSource.IMPORT), (FLAT, date(2023, 5, 1), None, ChoiceSource.IMPORT),
    ]
    imported = "allowance.history_imported"
    assert [row["action"] for row in db.audit() if row["actor"] == "cli"] == [imported, imported, "allowance.default_replaced", imported, imported]
    second = await run_import(db, HISTORY)
    assert (second.created, second.unchanged, second.defaults_replaced) == (0, 4, 0) and len(choices(db)) == 4


async def test_imported_choices_take_effect_by_the_live_bots_rule(db: FakeDatabase, people: dict) -> None:
    """The payroll cut-off day (the 10th) decides, in the import as in the bot: a switch on 17 May
    counts from June, one on 3 May from May; two in one month: the one made last counts."""
    switches = table(
        ("stan.staff@vlaanderen.be", "flat_fee", "2021-09-28", "", "", ""),  # the allowance's first month: September
        ("stan.staff@vlaanderen.be", "third_party_payer", "2023-05-17", "30,00", "Proximus", "P-1"),
        ("mia.manager@vlaanderen.be", "third_party_payer", "2023-05-03", "40,00", "Telenet", "T-1"),
        ("mia.manager@vlaanderen.be", "flat_fee", "2023-05-07", "", "", ""),  # made last, though not listed last: it counts
        ("mia.manager@vlaanderen.be", "third_party_payer", "2023-05-05", "41,00", "Telenet", "T-1"),
    )
    await run_import(db, switches)
    stan = await FakeUnitOfWork(db).allowances.history(people["stan"].id)
    assert [(c.mode, c.effective_from) for c in stan] == [(FLAT, date(2021, 9, 1)), (THIRD, date(2023, 6, 1))]
    mia = await FakeUnitOfWork(db).allowances.history(people["mia"].id)
    assert choice_on(mia, date(2023, 5, 1)).mode == FLAT and choice_on(mia, date(2023, 4, 30)) is None
    assert effective_date_of_change(date(2023, 5, 17), AllowancePolicy()) == date(2023, 6, 1)  # the bot: the same day, the same answer


async def test_choices_before_the_allowance_existed_are_refused_with_the_reason(db: FakeDatabase, people: dict) -> None:
    early = table(("stan.staff@vlaanderen.be", "flat_fee", "2021-09-01", "", "", ""),
                  ("mia.manager@vlaanderen.be", "flat_fee", "2021-09-17", "", "", ""))
    with pytest.raises(AllowanceImportRefused) as refused:
        await run_import(db, early)
    assert [(p.line, p.reason) for p in refused.value.problems] == [
        (2, "effective_from 2021-09-01 is before 2021-09-17: the internet allowance did not exist yet"),
    ]
    assert choices(db) == [] and db.commits == 0


async def test_a_bad_history_file_is_refused_whole_with_line_numbers(db: FakeDatabase, people: dict) -> None:
    bad = table(
        ("stan.staff@vlaanderen.be", "flat_fee", "2024-01-01", "", "", ""),
        ("stan.staff@vlaanderen.be", "none", "2024-02-01", "", "", ""),
        ("mia.manager@vlaanderen.be", "third_party_payer", "2024-13-01", "20", "", ""),
        ("mia.manager@vlaanderen.be", "third_party_payer", "2024-03-01", "", "", ""),
        ("mia.manager@vlaanderen.be", "flat_fee", "2020-03-01", "", "", ""),
        ("hilde.hr@vlaanderen.be", "flat_fee", "2024-03-01", "20.00", "", ""),
        ("hilde.hr@vlaanderen.be", "flat_fee", "2027-03-01", "", "", ""),
    )
    with pytest.raises(AllowanceImportRefused) as refused:
        await run_import(db, bad)
    assert [p.line for p in refused.value.problems] == [3, 4, 5, 6, 7, 8]
    unknown = table(("stan.staff@vlaanderen.be", "flat_fee", "2024-01-01"), ("nobody@vlaanderen.be", "flat_fee", "2024-01-01"))
    with pytest.raises(AllowanceImportRefused) as refused:
        await run_import(db, unknown)
    assert [(p.line, p.reason) for p in refused.value.problems] == [(3, "nobody@vlaanderen.be is not in the staff directory")]
    with pytest.raises(AllowanceImportRefused) as refused:
        await run_import(db, table(("stan.staff@vlaanderen.be", "flat_fee"), header=["email", "mode"]))
    assert refused.value.problems[0].line == 1 and "effective_from" in refused.value.problems[0].reason
    assert written(db) == (0, 0, 0, 0)


# -- demo ------------------------------------------------------------------------------------------------
async def test_the_demo_gives_known_addresses_a_history_and_everyone_else_the_default(db: FakeDatabase) -> None:
    db.add_entity("DWSE")
    marie = db.add_staff("Marie Maes", email="marie.maes@vlaanderen.be")
    other = db.add_staff("Ander Iemand")
    await service.load_demo(FakeUnitOfWork(db), service.LoadAllowanceDemo(), NOW)
    marie_history = await FakeUnitOfWork(db).allowances.history(marie.id)
    assert [(c.mode, c.effective_from) for c in marie_history] == [(THIRD, date(2021, 9, 1)), (FLAT, date(2026, 3, 1))]
    assert marie_history[0].customer_number == "DEMO-003" and marie_history[0].monthly_cost == Decimal("45.00")
    assert [(c.mode, c.source) for c in await FakeUnitOfWork(db).allowances.history(other.id)] == [(FLAT, ChoiceSource.DEFAULT)]
    assert db.commits == 1 and {row["actor"] for row in db.audit()} == {"demo"}
