"""The personal data export holds only the person's own data, on SQLite and PostgreSQL, over every
table of the models' metadata (not a fixed list): two people interact in every table (Stan's rows
name Mia as approver, coach, deputy, decider...; Mia's name Stan), the rows that reach the other
person carry the other's chat, card and activity ids, and the notices carry the other's name.
Neither export may contain any identifier of the other person.

The rows are made from the metadata, so a table or column added later is seeded too; it fails
here until the export keeps the other person out of it."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, LargeBinary, Numeric, String, Table, Text, insert

from bot.domain import privacy as rules
from bot.reports.personal_export import render_json
from storage.models import Base
from storage.models.base import UtcDateTime
from storage.repositories.privacy import STAFF_KEY, staff_reference_names
from storage.uow import UnitOfWorkFactory
from tests.conftest import utc
from tests.fakes.people import MANAGER, STAFF
from tests.fakes.teams import TeamsUser

# Filled by the directory or holding nobody's data; every other table gets rows for both people.
SEEDED_ELSEWHERE = {"staff", "entities"}
# Column names that, in a row reaching another person, hold that person's chat, card or message.
REACHING_OTHERS = ("conversation_id", "activity_id", "user_id", "_by")


@dataclass(frozen=True)
class Person:
    id: int
    entity_id: int
    user: TeamsUser
    email: str
    name: str

    @property
    def identifiers(self) -> set[str]:
        return {self.user.aad_object_id, self.email, self.name, self.user.user_id, self.user.conversation_id,
                f"activity-of-{self.user.aad_object_id}", f"staff:{self.id}"}


def _staff_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if any(fk.target_fullname == STAFF_KEY for fk in c.foreign_keys)]


def _owner_columns(table: Table) -> list[str]:
    rule = rules.TABLES.get(table.name)
    staff = _staff_columns(table)
    return [c for c in rule.owner if c in staff] if rule else staff[:1]


# JSON columns written only from the owner's own rows (the days a marking cancelled are the member's
# own registrations, as they were), even where the table names another person elsewhere.
OWN_DATA_JSON = {("hybrid_ineligibility", "cancelled_days")}


class Seeder:
    """One row per table for each person, the other person in every other staff reference."""

    def __init__(self, people: tuple[Person, Person]) -> None:
        self.people = people
        self.rows: dict[tuple[str, int], Any] = {}  # (table, owner id) -> primary key
        self.counter = itertools.count(1)

    def values(self, table: Table, owner: Person, other: Person) -> dict[str, Any]:
        owners = set(_owner_columns(table))
        staff = set(_staff_columns(table))
        reaches_other = bool(staff - owners)
        values: dict[str, Any] = {}
        for column in table.columns:
            if column.primary_key and column.autoincrement is not False and isinstance(column.type, Integer) and not column.foreign_keys:
                continue
            fk = next(iter(column.foreign_keys), None)
            if column.name in staff:
                values[column.name] = owner.id if column.name in owners else other.id
            elif fk is not None and fk.column.table.name == "entities":
                values[column.name] = owner.entity_id
            elif fk is not None:
                values[column.name] = self.rows[(fk.column.table.name, owner.id)]
            else:
                values[column.name] = self._value(table, column, owner, other, reaches_other)
        return values

    def _value(self, table: Table, column: Any, owner: Person, other: Person, reaches_other: bool) -> Any:
        n = next(self.counter)
        kind = column.type
        if isinstance(kind, LargeBinary):
            return b"content"
        if isinstance(kind, JSON):
            if (table.name, column.name) in OWN_DATA_JSON:
                return [{"day": "2026-11-23", "place": "home", "part": "full", "status": "registered"}]
            if reaches_other or table.name == "outbox":  # a notice names the other person
                return {"name": other.name, "email": other.email, "approver_id": other.id, "staff_id": owner.id}
            return [1, 2]
        if isinstance(kind, Boolean):
            return False
        if isinstance(kind, Numeric):
            return Decimal("12.50")
        if isinstance(kind, Integer):
            return 1 if column.name != "capacity" else 100
        if isinstance(kind, UtcDateTime):
            return utc(2026, 11, 20, 9, n % 60)
        if isinstance(kind, Date):
            return date(2026, 11, 23)
        if isinstance(kind, String | Text):
            if reaches_other and column.name.endswith(REACHING_OTHERS):
                text_ = {"conversation_id": other.user.conversation_id, "user_id": other.user.user_id}.get(column.name)
                if text_ is None:
                    text_ = f"staff:{other.id}" if column.name.endswith("_by") else f"activity-of-{other.user.aad_object_id}"
            else:
                text_ = f"{table.name[:4]}-{owner.id}-{n}"
            length = getattr(kind, "length", None)
            return text_[:length] if length else text_
        raise AssertionError(f"no value for {table.name}.{column.name} ({kind!r}): teach the seeder")

    async def seed(self, session: Any) -> set[str]:
        seeded: set[str] = set()
        first, second = self.people
        for table in Base.metadata.sorted_tables:
            if table.name in SEEDED_ELSEWHERE:
                continue
            for owner, other in ((first, second), (second, first)):
                statement = insert(table).values(self.values(table, owner, other))
                if "id" in table.c:
                    self.rows[(table.name, owner.id)] = (await session.execute(statement.returning(table.c.id))).scalar_one()
                else:
                    await session.execute(statement)
            seeded.add(table.name)
        return seeded


async def _person(uow_factory: UnitOfWorkFactory, user: TeamsUser) -> Person:
    async with uow_factory() as uow:
        staff = await uow.staff.get_by_aad(user.aad_object_id)
    assert staff is not None
    return Person(staff.id, staff.entity_id, user, staff.email, staff.display_name)


async def _seed_interacting(uow_factory: UnitOfWorkFactory) -> tuple[Person, Person, set[str]]:
    stan, mia = await _person(uow_factory, STAFF), await _person(uow_factory, MANAGER)
    async with uow_factory() as uow:
        seeded = await Seeder((stan, mia)).seed(uow.session)
        # Conversation references are each person's own; the audit: each acted on their own rows,
        # with snapshots naming the other (the approval's approver, who decided).
        await uow.session.execute(insert(Base.metadata.tables["conversation_references"]).values([
            {"aad_object_id": p.user.aad_object_id, "user_id": p.user.user_id, "user_name": p.name,
             "conversation_id": p.user.conversation_id, "service_url": "https://smba.example", "bot_id": "28:bot"}
            for p in (stan, mia)
        ]))
        for actor, other in ((stan, mia), (mia, stan)):
            approval = (await uow.session.execute(
                Base.metadata.tables["approvals"].select().where(Base.metadata.tables["approvals"].c.requester_id == actor.id)
            )).first()
            await uow.audit.record(
                f"staff:{actor.id}", "approval.requested", "approval", approval.id, {"approver_id": other.id},
                {"approver_id": other.id, "decided_by": other.id, "requester_id": actor.id, "lines": [{"staff_id": other.id}]},
            )
        await uow.commit()
    return stan, mia, seeded


def _staff_references(data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """Every value in the export that sits in a column or key referring to staff.id."""
    keys = staff_reference_names()
    found: list[tuple[str, str, Any]] = []
    for table_name, rows in data.items():
        if table_name in ("actions", "conversation") or not isinstance(rows, list):
            continue
        table = Base.metadata.tables.get(table_name)

        def walk(value: Any, where: str) -> None:
            if isinstance(value, dict):
                for key, inner in value.items():
                    if key in keys and not isinstance(inner, dict | list):
                        found.append((where, key, inner))
                    walk(inner, where)
            elif isinstance(value, list):
                for inner in value:
                    walk(inner, where)

        for row in rows:
            for column in _staff_columns(table) if table is not None else ():
                found.append((table_name, column, row.get(column)))
            walk(row, table_name)
    return found


async def test_each_export_holds_no_identifier_of_the_other_person_in_any_table(directory: UnitOfWorkFactory) -> None:
    stan, mia, seeded = await _seed_interacting(directory)
    assert seeded == set(Base.metadata.tables) - SEEDED_ELSEWHERE
    for person, other in ((stan, mia), (mia, stan)):
        async with directory() as uow:
            export = await uow.privacy.export_person(person.id)
        assert export is not None
        text_ = render_json(export).decode()
        data = json.loads(text_)
        leaked = sorted(identifier for identifier in other.identifiers if identifier in text_)
        assert leaked == [], f"{person.name}'s export holds {other.name}'s {leaked}"
        # Every staff reference in a row or a snapshot is the person's own, or empty.
        wrong = [(where, key, value) for where, key, value in _staff_references(data) if value not in (person.id, None)]
        assert wrong == [], wrong
        # The export reached every table the person owns rows in, and still holds their own data.
        owned = {name for name in rules.TABLES if name in Base.metadata.tables} - set(rules.EXCLUDED)
        assert owned <= {name for name, rows in data.items() if rows}, sorted(owned - set(data))
        assert data["staff"][0]["email"] == person.email and data["conversation"]["conversation_id"] == person.user.conversation_id
        assert any(entry["action"] == "approval.requested" and entry["after"]["requester_id"] == person.id for entry in data["audit"])
        # What they did to the other person's rows is listed as an action, without the other's data.
        assert {"approvals", "coaching_requests"} <= {action["table"] for action in data["actions"]}
