"""An in-memory unit of work for use-case tests: no database, same protocol.

    db = FakeDatabase()
    stan = db.add_staff("Stan Staff", manager=mia)
    result = await register_days(FakeUnitOfWork(db), RegisterDays(...), NOW)
    assert db.outbox_for(mia.id) == [...]

Rows live in `db.state` (one dict per table). Entering a unit of work snapshots the state and
leaving it without commit restores the snapshot, so a refused use case provably writes nothing
(tests check `db.commits` and the tables). Each area's fake repository lives in
`tests/fakes/repositories/<area>.py` and reads and writes `db.state` only.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import TracebackType
from typing import Any

from bot.domain.policy import EntityPolicy
from bot.domain.staff import Entity, Role, Staff
from tests.fakes.repositories import AREA_REPOSITORIES
from tests.fakes.repositories.directory import (
    FakeAuditRepository,
    FakeConversationRepository,
    FakeEntityRepository,
    FakeJobClaimRepository,
    FakeOutboxRepository,
    FakeStaffRepository,
)


@dataclass
class FakeDatabase:
    state: dict[str, Any] = field(default_factory=dict)
    commits: int = 0
    _ids: dict[str, itertools.count] = field(default_factory=dict)

    def table(self, name: str) -> dict[Any, Any]:
        return self.state.setdefault(name, {})

    def next_id(self, table: str) -> int:
        return next(self._ids.setdefault(table, itertools.count(1)))

    # -- seeding -------------------------------------------------------------------------------
    def add_entity(self, code: str = "DWSE", name: str = "Departement Werk en Sociale Economie",
                   policy: EntityPolicy | None = None) -> Entity:
        entity = Entity(self.next_id("entities"), code, name)
        self.table("entities")[entity.id] = entity
        self.table("entity_policies")[entity.id] = policy or EntityPolicy()
        return entity

    def add_staff(
        self, display_name: str, *, entity: Entity | None = None, manager: Staff | None = None,
        roles: tuple[Role, ...] = (), start_date: date = date(2020, 1, 1), end_date: date | None = None,
        language: str = "nl", email: str | None = None,
    ) -> Staff:
        if entity is None:
            entities = self.table("entities")
            entity = next(iter(entities.values())) if entities else self.add_entity()
        staff_id = self.next_id("staff")
        staff = Staff(
            id=staff_id, aad_object_id=f"aad-{staff_id:04d}",
            email=email or display_name.lower().replace(" ", ".") + "@vlaanderen.be", display_name=display_name,
            entity_id=entity.id, entity_code=entity.code, manager_id=manager.id if manager else None,
            start_date=start_date, end_date=end_date, language=language,
            roles=frozenset({Role.STAFF, *roles}),
        )
        self.table("staff")[staff.id] = staff
        return staff

    def set_policy(self, entity_id: int, policy: EntityPolicy) -> None:
        self.table("entity_policies")[entity_id] = policy

    # -- reading what happened -----------------------------------------------------------------
    def audit(self, action: str | None = None) -> list[dict[str, Any]]:
        return [row for row in self.table("audit").values() if action is None or row["action"] == action]

    def outbox_for(self, recipient_id: int) -> list[Any]:
        """The notices recorded for one staff member, oldest first."""
        return [row["notice"] for row in self.table("outbox").values() if row["recipient_id"] == recipient_id]

    def outbox(self) -> list[tuple[int, Any]]:
        return [(row["recipient_id"], row["notice"]) for row in self.table("outbox").values()]


class FakeUnitOfWork:
    def __init__(self, db: FakeDatabase, *, approval_subjects: Mapping[str, Any] | None = None) -> None:
        self.db = db
        self.approval_subjects: Mapping[str, Any] = approval_subjects or {}
        self.entities = FakeEntityRepository(db)
        self.staff = FakeStaffRepository(db)
        self.audit = FakeAuditRepository(db)
        self.conversations = FakeConversationRepository(db)
        self.jobs = FakeJobClaimRepository(db)
        self.outbox = FakeOutboxRepository(db)
        for attribute, repository in AREA_REPOSITORIES.items():
            setattr(self, attribute, repository(db))
        self._snapshot: dict[str, Any] | None = None
        self._ids_snapshot: dict[str, Any] | None = None

    async def __aenter__(self) -> FakeUnitOfWork:
        self._snapshot = copy.deepcopy(self.db.state)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.rollback()
        self._snapshot = None

    async def commit(self) -> None:
        self.db.commits += 1
        self._snapshot = copy.deepcopy(self.db.state)

    async def rollback(self) -> None:
        if self._snapshot is not None:
            self.db.state = copy.deepcopy(self._snapshot)

    async def read_ahead_for_days(self, staff: Staff, first: date, last: date) -> None:
        """Nothing to read ahead in memory."""

    async def read_ahead_for_registration(self, registration_id: int) -> None:
        """Nothing to read ahead in memory."""

    async def read_ahead_for_approval(self, approval_id: int, *, lock: bool) -> None:
        """Nothing to read ahead in memory."""


def fake_uow_factory(db: FakeDatabase, **kwargs: Any):  # noqa: ANN201
    """A factory with the signature of `storage.uow.UnitOfWorkFactory` (correlation id ignored)."""
    return lambda correlation_id=None: FakeUnitOfWork(db, **kwargs)
