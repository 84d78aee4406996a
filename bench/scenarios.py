"""Benchmark scenarios: Teams-shaped activities per conversation and turn, and the data they need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import make_url

from bot.services.directory import ImportStaff, import_staff
from bot.tables import csv_table
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade_async
from storage.models import Base
from storage.models.approvals import ApprovalRow
from storage.models.directory import EntityRow, StaffRow
from storage.models.homework import WorkRegistrationRow
from storage.uow import UnitOfWorkFactory

USERS = 100
MANAGERS = 64  # approval scenario: one manager per conversation, each with one report
APPROVALS_PER_MANAGER = 1500
TENANT = "00000000-0000-0000-0000-0000000000001"


def user_aad(index: int) -> str:
    return f"bbbbbbbb-0000-0000-0000-{index:012d}"


def manager_aad(index: int) -> str:
    return f"cccccccc-0000-0000-0000-{index:012d}"


def report_aad(index: int) -> str:
    return f"dddddddd-0000-0000-0000-{index:012d}"


def bench_directory_csv() -> str:
    lines = ["aad_object_id,email,display_name,entity_code,entity_name,manager_email,start_date,roles,language",
             f"{user_aad(9999)},bench.manager@vlaanderen.be,Bench Manager,BENCH,Benchmark Entity,,2010-01-01,staff;manager,nl"]
    for i in range(USERS):
        lines.append(f"{user_aad(i)},bench{i}@vlaanderen.be,Bench User {i},BENCH,Benchmark Entity,bench.manager@vlaanderen.be,2015-01-01,staff,nl")
    for m in range(MANAGERS):
        lines.append(f"{manager_aad(m)},mgr{m}@vlaanderen.be,Bench Manager {m},BENCHA,Benchmark Approvals,,2010-01-01,staff;manager,nl")
        lines.append(f"{report_aad(m)},rep{m}@vlaanderen.be,Bench Report {m},BENCHA,Benchmark Approvals,mgr{m}@vlaanderen.be,2015-01-01,staff,nl")
    return "\n".join(lines) + "\n"


def working_days(start: date, count: int) -> list[date]:
    """Future working days (no weekend, no Belgian holiday) that registration accepts."""
    import holidays

    belgian = holidays.country_holidays("BE", years=range(start.year, start.year + 2))
    days: list[date] = []
    day = start
    while len(days) < count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in belgian:
            days.append(day)
    return days


def base_activity(service_url: str, index: int, turn: int) -> dict[str, Any]:
    aad = user_aad(index % USERS)
    return {
        "type": "message", "id": f"in-{index}-{turn}", "serviceUrl": service_url, "channelId": "msteams",
        "from": {"id": f"29:{aad}", "name": f"Bench User {index}", "aadObjectId": aad},
        "conversation": {"id": f"a:bench-{aad}", "conversationType": "personal", "tenantId": TENANT},
        "recipient": {"id": "28:bench-bot", "name": "bot"}, "locale": "nl-BE",
        "channelData": {"tenant": {"id": TENANT}},
    }


@dataclass(frozen=True)
class Scenario:
    name: str
    build: Callable[[str, int, int], dict[str, Any]]

    def activity_factory(self, service_url: str) -> Callable[[int, int], dict[str, Any]]:
        return lambda index, turn: self.build(service_url, index, turn)

    def as_plain_text(self) -> Scenario:
        """The same conversations as plain text, for the echo bot and the raw handler."""
        def build(service_url: str, index: int, turn: int) -> dict[str, Any]:
            activity = base_activity(service_url, index, turn)
            activity["text"] = "menu"
            return activity
        return replace(self, name="text", build=build)


def _menu(service_url: str, index: int, turn: int) -> dict[str, Any]:
    activity = base_activity(service_url, index, turn)
    activity["text"] = "menu"
    return activity


_DAYS = working_days(date.today() + timedelta(days=1), 60)


def _register(service_url: str, index: int, turn: int) -> dict[str, Any]:
    """A card submit that registers (or changes) one day: a database write every turn."""
    activity = base_activity(service_url, index, turn)
    activity["value"] = {
        "verb": "homework.register", "day": _DAYS[turn % len(_DAYS)].isoformat(),
        "place": "home" if (turn // len(_DAYS)) % 2 == 0 else "satellite", "part": "full",
    }
    return activity


def _approve(service_url: str, index: int, turn: int) -> dict[str, Any]:
    """A manager's Action.Execute on an approval card: decides one pending home-work day."""
    manager = index % MANAGERS
    aad = manager_aad(manager)
    activity = base_activity(service_url, index, turn)
    activity.update({
        "type": "invoke", "name": "adaptiveCard/action",
        "from": {"id": f"29:{aad}", "name": f"Bench Manager {manager}", "aadObjectId": aad},
        "conversation": {"id": f"a:bench-{aad}", "conversationType": "personal", "tenantId": TENANT},
        "value": {"action": {"type": "Action.Execute", "verb": "approval.decide",
                             "data": {"approval_id": approval_id(manager, turn), "decision": "approve"}}},
    })
    return activity


def approval_id(manager: int, turn: int) -> int:
    return 1 + manager * APPROVALS_PER_MANAGER + turn % APPROVALS_PER_MANAGER


SCENARIOS: dict[str, Scenario] = {
    "menu": Scenario("menu", _menu),
    "register": Scenario("register", _register),
    "approve": Scenario("approve", _approve),
}


async def prepare_database(url: str) -> None:
    """A fresh schema at the newest migration with the benchmark staff."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            exists = await connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
            if not exists:
                await connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        await admin.dispose()
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await engine.dispose()
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        uow_factory = UnitOfWorkFactory(create_session_factory(engine))
        await import_staff(uow_factory(), ImportStaff(csv_table(bench_directory_csv()), actor="bench"), datetime.now(UTC))
        await _pending_approvals(engine)
    finally:
        await engine.dispose()


async def _pending_approvals(engine) -> None:  # noqa: ANN001
    """Pending home-work days with their approvals, ids known in advance, for the approve scenario."""
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        staff = dict((await connection.execute(select(StaffRow.aad_object_id, StaffRow.id))).tuples().all())
        entity = await connection.scalar(select(EntityRow.id).where(EntityRow.code == "BENCHA"))
        await connection.execute(
            update(EntityRow).where(EntityRow.id == entity).values(policy={"homework": {"needs_approval": True}})
        )
        days = working_days(date.today() + timedelta(days=1), APPROVALS_PER_MANAGER)
        registrations, approvals = [], []
        for manager in range(MANAGERS):
            requester, approver = staff[report_aad(manager)], staff[manager_aad(manager)]
            for n in range(APPROVALS_PER_MANAGER):
                ident = 1 + manager * APPROVALS_PER_MANAGER + n
                registrations.append({"id": ident, "staff_id": requester, "day": days[n], "place": "home", "part": "full",
                                      "status": "pending", "source": "bot", "created_at": now, "updated_at": now})
                approvals.append({"id": ident, "subject_type": "homework_day", "subject_id": ident, "requester_id": requester,
                                  "approver_id": approver, "status": "pending", "created_at": now})
        await connection.execute(insert(WorkRegistrationRow), registrations)
        await connection.execute(insert(ApprovalRow), approvals)
        if engine.dialect.name == "postgresql":
            for table in ("work_registrations", "approvals"):
                await connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
