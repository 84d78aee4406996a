"""Payroll use cases on the in-memory unit of work: who may export which entity, the export's
figures per staff member, the third-party list, totals, defaults applied first, and the audit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.domain.allowances import AllowanceChoice, ChoiceSource, InternetMode
from bot.domain.calendar import Month, working_days
from bot.domain.errors import Forbidden, InvalidInput, NotFound
from bot.domain.policy import EntityPolicy
from bot.domain.policy_sections import AllowancePolicy
from bot.domain.staff import Role
from bot.services import payroll as service
from tests.fakes.repositories.allowances import add_work_days, mark_ineligible
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
OCTOBER = Month(2026, 10)  # 22 working days: 4.4 home days needed
FLAT = InternetMode.FLAT_FEE
THIRD = InternetMode.THIRD_PARTY


# The bot has given new staff their entity's default since before anyone in these tests started.
LIVE_FROM_THE_START = EntityPolicy(allowance=AllowancePolicy(default_mode_since=date(2000, 1, 1)))


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def people(db: FakeDatabase) -> dict:
    dwse = db.add_entity("DWSE", policy=LIVE_FROM_THE_START)
    dv = db.add_entity("DV", "Digitaal Vlaanderen", policy=LIVE_FROM_THE_START)
    people = {
        "dwse": dwse, "dv": dv,
        "ada": db.add_staff("Ada Admin", entity=dwse, roles=(Role.ADMIN,)),
        "hilde": db.add_staff("Hilde HR", entity=dwse, roles=(Role.HR,)),
        "mia": db.add_staff("Mia Manager", entity=dwse, roles=(Role.MANAGER,)),
        "stan": db.add_staff("Stan Staff", entity=dwse),
        "cato": db.add_staff("Cato Colleague", entity=dwse, start_date=date(2026, 10, 14)),
        "lea": db.add_staff("Lea Leaver", entity=dwse, start_date=date(2019, 1, 1), end_date=date(2026, 9, 30)),
        "olga": db.add_staff("Olga Other", entity=dv),
    }
    return people


def history(db: FakeDatabase, staff, mode: InternetMode, effective: date, cost: str | None = None, provider: str | None = None) -> None:  # noqa: ANN001
    choice_id = db.next_id("allowance_choices")
    db.table("allowance_choices")[choice_id] = AllowanceChoice(
        id=choice_id, staff_id=staff.id, mode=mode, effective_from=effective, source=ChoiceSource.IMPORT,
        monthly_cost=Decimal(cost) if cost else None, provider=provider, customer_number=f"C-{choice_id}" if provider else None,
    )


@pytest.fixture
def october(db: FakeDatabase, people: dict) -> dict:
    days = working_days(OCTOBER)
    history(db, people["stan"], THIRD, date(2021, 9, 1), "39.99", "Proximus")
    history(db, people["mia"], THIRD, date(2026, 3, 1), "45.10", "Telenet")
    history(db, people["mia"], FLAT, date(2026, 10, 1))  # back to the flat fee on 1 October
    history(db, people["hilde"], THIRD, date(2022, 1, 1), "30.05", "Orange")
    add_work_days(db, people["stan"].id, days[:5])  # 5: due
    add_work_days(db, people["mia"].id, days[:4])
    add_work_days(db, people["mia"].id, [days[4]], part="am")  # 4.5: due
    add_work_days(db, people["hilde"].id, days[:4])  # 4: not due
    add_work_days(db, people["hilde"].id, days[4:9], place="satellite")  # satellite is not home
    mark_ineligible(db, people["hilde"].id, date(2026, 9, 1))
    add_work_days(db, people["cato"].id, [d for d in days if d >= date(2026, 10, 14)][:3])  # 3 of 13 in service: due
    return people


async def export(db: FakeDatabase, entity: str = "DWSE", month: Month = OCTOBER, actor_id: int | None = None):  # noqa: ANN201
    return await service.export_payroll(FakeUnitOfWork(db), service.ExportPayroll(entity, month, actor_id=actor_id), NOW)


def written(db: FakeDatabase) -> tuple:
    return db.commits, len(db.table("allowance_choices")), len(db.audit())


async def test_the_export_gives_each_staff_member_in_service_their_figures(db: FakeDatabase, october: dict) -> None:
    result = await export(db, " dwse ", actor_id=october["hilde"].id)
    lines = {line.name: line for line in result.lines}
    assert list(lines) == ["Ada Admin", "Cato Colleague", "Hilde HR", "Mia Manager", "Stan Staff"]  # by name, no leaver
    assert (lines["Stan Staff"].mode, lines["Stan Staff"].flat_fee, lines["Stan Staff"].homework_allowance) == (THIRD, 0, Decimal("20.00"))
    assert (lines["Mia Manager"].mode, lines["Mia Manager"].home_days, lines["Mia Manager"].per_week) == (FLAT, Decimal("4.5"), Decimal("1.0"))
    assert lines["Mia Manager"].total == Decimal("40.00")
    assert (lines["Hilde HR"].home_days, lines["Hilde HR"].homework_allowance, lines["Hilde HR"].not_eligible) == (Decimal(4), 0, True)
    # started on 14 October: the default flat fee, and the working days counted from the start date
    assert (lines["Cato Colleague"].mode, lines["Cato Colleague"].working_days, lines["Cato Colleague"].homework_allowance) == (
        FLAT, 13, Decimal("20.00"),
    )
    assert (result.flat_fee_count, result.flat_fee_total) == (3, Decimal("60.00"))
    assert (result.homework_count, result.homework_total) == (3, Decimal("60.00"))
    assert [(t.name, t.provider, t.monthly_cost) for t in result.third_party] == [
        ("Hilde HR", "Orange", Decimal("30.05")), ("Stan Staff", "Proximus", Decimal("39.99")),
    ]
    assert result.third_party_total == Decimal("70.04") and result.entity.code == "DWSE" and result.month == OCTOBER


async def test_the_export_writes_no_choice_yet_counts_the_default_and_is_audited_once(db: FakeDatabase, october: dict) -> None:
    stored = dict(db.table("allowance_choices"))
    result = await export(db, actor_id=october["ada"].id)
    assert db.table("allowance_choices") == stored and db.audit("allowance.default_applied") == []
    modes = {line.name: line.mode for line in result.lines}
    assert modes["Ada Admin"] == modes["Cato Colleague"] == FLAT  # the default the daily job will record
    assert [(row["actor"], row["subject_id"], row["after"]) for row in db.audit("payroll.exported")] == [
        (f"staff:{october['ada'].id}", str(october["dwse"].id), {"month": "2026-10"}),
    ]
    assert db.commits == 1  # the audit row only
    await export(db)
    assert [row["actor"] for row in db.audit("payroll.exported")][-1] == "cli"
    assert db.table("allowance_choices") == stored


async def test_march_lists_every_third_party_payer_of_the_time(db: FakeDatabase, october: dict) -> None:
    march = await export(db, month=Month(2026, 3))
    assert {t.name for t in march.third_party} == {"Hilde HR", "Stan Staff", "Mia Manager"}
    assert march.third_party_total == Decimal("115.14")
    assert "Cato Colleague" not in {line.name for line in march.lines} and "Lea Leaver" in {line.name for line in march.lines}


async def test_before_the_allowances_existed_nothing_is_paid(db: FakeDatabase, october: dict) -> None:
    db.set_policy(october["dwse"].id, EntityPolicy(allowance=AllowancePolicy(
        homework_allowance_since=date(2026, 11, 1), default_mode_since=date(2000, 1, 1))))
    result = await export(db)
    assert result.homework_total == 0 and result.flat_fee_total == Decimal("60.00")


async def test_who_may_export_which_entity(db: FakeDatabase, people: dict) -> None:
    hilde, ada, stan = people["hilde"], people["ada"], people["stan"]
    assert [e.code for e in await service.payroll_entities(FakeUnitOfWork(db), service.PayrollEntities(hilde), NOW)] == ["DWSE"]
    assert [e.code for e in await service.payroll_entities(FakeUnitOfWork(db), service.PayrollEntities(ada), NOW)] == ["DV", "DWSE"]
    assert await service.payroll_entities(FakeUnitOfWork(db), service.PayrollEntities(stan), NOW) == []
    assert (await export(db, "DV", actor_id=ada.id)).entity.code == "DV"
    before = written(db)
    for entity, actor in (("DV", hilde), ("DWSE", stan)):
        with pytest.raises(Forbidden):
            await export(db, entity, actor_id=actor.id)
    assert written(db) == before  # refused: no defaults applied, nothing audited


async def test_unknown_entities_actors_and_future_months_are_refused(db: FakeDatabase, people: dict) -> None:
    with pytest.raises(NotFound) as unknown:
        await export(db, "NOPE", actor_id=people["ada"].id)
    assert unknown.value.key == "payroll.unknown_entity" and unknown.value.params == {"entity": "NOPE"}
    with pytest.raises(NotFound):
        await export(db, actor_id=999)
    assert (await export(db, month=Month(2026, 12))).month == Month(2026, 12)  # next month may be prepared
    with pytest.raises(InvalidInput) as future:
        await export(db, month=Month(2027, 1))
    assert future.value.key == "payroll.month_in_future"
    assert len(db.audit("payroll.exported")) == 1
