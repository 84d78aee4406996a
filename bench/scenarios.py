"""The turn benchmark's scenarios: Teams-shaped activities, the data they need, and what each turn
must leave behind (a reply, a row, a notification), so a turn that did nothing is not counted.

- menu: the text "menu", answered with the menu card.
- register_text: "thuis 14/01" typed, for a working day this user has not registered yet: one new row.
- register_card: the registration card's Action.Submit for such a day: one new row.
- approve: a manager's Action.Execute `approval.decide` on a pending home-work day of one of their
  reports, who has a stored conversation: the decision, the updated card in the invoke response,
  and one notification to the requester.
- text: "menu" as plain text for the stock echo bot and the raw handler (they echo it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.homework import MAX_DAYS_AHEAD
from bot.services.directory import ImportStaff, import_staff
from bot.tables import csv_table
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade_async
from storage.models import Base
from storage.models.approvals import ApprovalRow
from storage.models.directory import ConversationReferenceRow, EntityRow, StaffRow
from storage.models.homework import WorkRegistrationRow
from storage.uow import UnitOfWorkFactory

TENANT = "00000000-0000-0000-0000-0000000000001"
REGISTER_USERS = 300  # a pool: each conversation takes a fresh user when its user has no day left (~120 days each)
MANAGERS = 16  # approve: conversation c is manager c % MANAGERS
REPORTS_PER_MANAGER = 25  # each decision notifies a different report in turn (Teams' per-chat limits)
APPROVALS_PER_MANAGER = 1500
ADAPTIVE = "application/vnd.microsoft.card.adaptive"


def user_aad(index: int) -> str:
    return f"bbbbbbbb-0000-0000-0000-{index:012d}"


def manager_aad(index: int) -> str:
    return f"cccccccc-0000-0000-0000-{index:012d}"


def report_aad(manager: int, report: int) -> str:
    return f"dddddddd-0000-0000-{manager:04d}-{report:012d}"


def conversation_of(aad: str) -> str:
    return f"a:bench-{aad}"


def working_days(start: date, end: date) -> list[date]:
    """Working days (no weekend, no Belgian holiday) from start to end, both included."""
    import holidays

    belgian = holidays.country_holidays("BE", years=range(start.year, end.year + 1))
    days, day = [], start
    while day <= end:
        if day.weekday() < 5 and day not in belgian:
            days.append(day)
        day += timedelta(days=1)
    return days


# Future days only, inside the registration window, so "14/01" can only mean one date.
REGISTRABLE = working_days(date.today() + timedelta(days=2), date.today() + timedelta(days=MAX_DAYS_AHEAD - 2))


def activity_from(service_url: str, aad: str, name: str, activity_id: str) -> dict[str, Any]:
    return {
        "type": "message", "id": activity_id, "serviceUrl": service_url, "channelId": "msteams",
        "timestamp": datetime.now(UTC).isoformat(),
        "from": {"id": f"29:{aad}", "name": name, "aadObjectId": aad},
        "conversation": {"id": conversation_of(aad), "conversationType": "personal", "tenantId": TENANT},
        "recipient": {"id": "28:bench-bot", "name": "bot"}, "locale": "nl-BE",
        "channelData": {"tenant": {"id": TENANT}},
    }


@dataclass
class Turn:
    """One activity to post, and what must be true after it."""

    activity: dict[str, Any]
    kind: str  # "reply": a reply at the connector; "invoke": the card in the HTTP response
    expect: str  # "card" or "text"
    notify: str | None = None  # the conversation that must get one notification


@dataclass
class DaySlots:
    """Hands each conversation a (user, day) not used before in this run: every turn writes a row."""

    users: Any = field(default_factory=lambda: iter(range(REGISTER_USERS)))
    current: dict[int, tuple[int, int]] = field(default_factory=dict)

    def next(self, conversation: int) -> tuple[int, date]:
        user, day = self.current.get(conversation, (-1, len(REGISTRABLE)))
        if day >= len(REGISTRABLE):
            user, day = next(self.users, None), 0
            if user is None:
                raise RuntimeError("the benchmark ran out of unregistered days: raise REGISTER_USERS")
        self.current[conversation] = (user, day + 1)
        return user, REGISTRABLE[day]


@dataclass
class ApprovalSlots:
    """Hands each manager's conversation its next pending approval."""

    used: dict[int, int] = field(default_factory=dict)

    def next(self, conversation: int) -> tuple[int, int, int]:
        manager = conversation % MANAGERS
        n = self.used.get(manager, 0)
        if n >= APPROVALS_PER_MANAGER:
            raise RuntimeError("the benchmark ran out of pending approvals: raise APPROVALS_PER_MANAGER")
        self.used[manager] = n + 1
        return manager, approval_id(manager, n), n % REPORTS_PER_MANAGER


def approval_id(manager: int, n: int) -> int:
    return 1 + manager * APPROVALS_PER_MANAGER + n


@dataclass
class Scenario:
    """Builds turn after turn for one database; holds which days and approvals are used up."""

    service_url: str
    days: DaySlots = field(default_factory=DaySlots)
    approvals: ApprovalSlots = field(default_factory=ApprovalSlots)
    ids: Any = field(default_factory=count)

    def _id(self) -> str:
        return f"in-{next(self.ids)}"

    def text(self, conversation: int) -> Turn:
        aad = user_aad(REGISTER_USERS + conversation)
        activity = activity_from(self.service_url, aad, f"Echo User {conversation}", self._id())
        activity["text"] = "menu"
        return Turn(activity, "reply", "text")

    def menu(self, conversation: int) -> Turn:
        aad = user_aad(conversation % REGISTER_USERS)
        activity = activity_from(self.service_url, aad, f"Bench User {conversation}", self._id())
        activity["text"] = "menu"
        return Turn(activity, "reply", "card")

    def register_text(self, conversation: int) -> Turn:
        user, day = self.days.next(conversation)
        activity = activity_from(self.service_url, user_aad(user), f"Bench User {user}", self._id())
        activity["text"] = f"thuis {day:%d/%m}"
        return Turn(activity, "reply", "card")

    def register_card(self, conversation: int) -> Turn:
        user, day = self.days.next(conversation)
        activity = activity_from(self.service_url, user_aad(user), f"Bench User {user}", self._id())
        activity["value"] = {"verb": "homework.register", "day": day.isoformat(), "place": "home", "part": "full"}
        return Turn(activity, "reply", "card")

    def approve(self, conversation: int) -> Turn:
        manager, ident, report = self.approvals.next(conversation)
        aad = manager_aad(manager)
        activity = activity_from(self.service_url, aad, f"Bench Manager {manager}", self._id())
        activity.update({
            "type": "invoke", "name": "adaptiveCard/action",
            "value": {"action": {"type": "Action.Execute", "verb": "approval.decide",
                                 "data": {"approval_id": ident, "decision": "approve"}}},
        })
        return Turn(activity, "invoke", "card", notify=conversation_of(report_aad(manager, report)))

    def builder(self, name: str) -> Callable[[int], Turn]:
        return {"text": self.text, "menu": self.menu, "register_text": self.register_text,
                "register_card": self.register_card, "approve": self.approve}[name]


PRODUCT_SCENARIOS = ("menu", "register_text", "register_card", "approve")
WRITES = {"register_text": "registrations", "register_card": "registrations", "approve": "decisions"}


# -- the database ------------------------------------------------------------------------------------
async def prepare_database(url: str) -> None:
    """A fresh schema at the newest migration with the benchmark's people, pending approvals and the
    requesters' conversation references."""
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
        await _people_and_approvals(engine)
    finally:
        await engine.dispose()


def directory_csv() -> str:
    lines = ["aad_object_id,email,display_name,entity_code,entity_name,manager_email,start_date,roles,language",
             f"{user_aad(999_999)},bench.manager@vlaanderen.be,Bench Manager,BENCH,Benchmark Entity,,2010-01-01,staff;manager,nl"]
    for i in range(REGISTER_USERS):
        lines.append(f"{user_aad(i)},bench{i}@vlaanderen.be,Bench User {i},BENCH,Benchmark Entity,bench.manager@vlaanderen.be,2015-01-01,staff,nl")
    for m in range(MANAGERS):
        lines.append(f"{manager_aad(m)},mgr{m}@vlaanderen.be,Bench Manager {m},BENCHA,Benchmark Approvals,,2010-01-01,staff;manager,nl")
        for r in range(REPORTS_PER_MANAGER):
            lines.append(f"{report_aad(m, r)},rep{m}.{r}@vlaanderen.be,Bench Report {m}.{r},BENCHA,Benchmark Approvals,"
                         f"mgr{m}@vlaanderen.be,2015-01-01,staff,nl")
    return "\n".join(lines) + "\n"


async def _people_and_approvals(engine: AsyncEngine) -> None:
    now = datetime.now(UTC)
    uow_factory = UnitOfWorkFactory(create_session_factory(engine))
    await import_staff(uow_factory(), ImportStaff(csv_table(directory_csv()), actor="bench"), now)
    async with engine.begin() as connection:
        ids = dict((await connection.execute(select(StaffRow.aad_object_id, StaffRow.id))).tuples().all())
        entity = await connection.scalar(select(EntityRow.id).where(EntityRow.code == "BENCHA"))
        await connection.execute(update(EntityRow).where(EntityRow.id == entity).values(policy={"homework": {"needs_approval": True}}))
        await connection.execute(insert(ConversationReferenceRow), [
            {"aad_object_id": report_aad(m, r), "user_id": f"29:{report_aad(m, r)}", "user_name": f"Bench Report {m}.{r}",
             "conversation_id": conversation_of(report_aad(m, r)), "service_url": "http://127.0.0.1:9", "tenant_id": TENANT,
             "channel_id": "msteams", "bot_id": "28:bench-bot", "bot_name": "bot", "locale": "nl-BE", "usable": True,
             "updated_at": now}
            for m in range(MANAGERS) for r in range(REPORTS_PER_MANAGER)
        ])
        per_report = -(-APPROVALS_PER_MANAGER // REPORTS_PER_MANAGER)
        days = working_days(date.today() + timedelta(days=1), date.today() + timedelta(days=MAX_DAYS_AHEAD))[:per_report]
        registrations, approvals = [], []
        for m in range(MANAGERS):
            approver = ids[manager_aad(m)]
            for n in range(APPROVALS_PER_MANAGER):
                ident = approval_id(m, n)
                requester = ids[report_aad(m, n % REPORTS_PER_MANAGER)]
                registrations.append({"id": ident, "staff_id": requester, "day": days[n // REPORTS_PER_MANAGER], "place": "home",
                                      "part": "full", "status": "pending", "source": "bot", "created_at": now, "updated_at": now})
                approvals.append({"id": ident, "subject_type": "homework_day", "subject_id": ident, "requester_id": requester,
                                  "approver_id": approver, "status": "pending", "created_at": now})
        await connection.execute(insert(WorkRegistrationRow), registrations)
        await connection.execute(insert(ApprovalRow), approvals)
        if engine.dialect.name == "postgresql":
            for table in ("work_registrations", "approvals"):
                await connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


async def point_references_at(engine: AsyncEngine, service_url: str) -> None:
    """The requesters' stored conversations point at this run's fake connector."""
    async with engine.begin() as connection:
        await connection.execute(update(ConversationReferenceRow).values(service_url=service_url))


async def written(engine: AsyncEngine) -> dict[str, int]:
    """What the scenarios' turns wrote so far: registrations by the register users, decisions."""
    async with engine.connect() as connection:
        registrations = await connection.scalar(
            select(func.count()).select_from(WorkRegistrationRow).join(StaffRow, StaffRow.id == WorkRegistrationRow.staff_id)
            .where(StaffRow.aad_object_id.like("bbbbbbbb-%"))
        )
        decisions = await connection.scalar(select(func.count()).select_from(ApprovalRow).where(ApprovalRow.status == "approved"))
    return {"registrations": int(registrations or 0), "decisions": int(decisions or 0)}
