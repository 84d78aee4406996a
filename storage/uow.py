"""The SQLAlchemy unit of work: one AsyncSession and one transaction per use case, with every
repository on it. It implements `bot.services.unit_of_work.UnitOfWork`.

    async with uow_factory() as uow:
        staff = await uow.staff.get(staff_id)
        ...
        await uow.commit()

Leaving the block without commit rolls back, so a failed turn never half-writes. After a commit
that recorded notifications, the factory's commit listeners (the dispatcher) are woken.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import date
from types import TracebackType
from typing import Any, Generic, TypeVar, overload

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.staff import Staff
from storage.repositories import read_ahead
from storage.repositories.allowances import AllowanceRepository
from storage.repositories.approvals import ApprovalRepository
from storage.repositories.broadcasts import BroadcastRepository
from storage.repositories.core import CoreStatements
from storage.repositories.directory import (
    AuditRepository,
    ConversationReferenceRepository,
    EntityRepository,
    JobClaimRepository,
    StaffRepository,
)
from storage.repositories.equipment import EquipmentRepository
from storage.repositories.files import PendingFileRepository
from storage.repositories.history import HistoryRepository
from storage.repositories.homework import RegistrationRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.privacy import PrivacyRepository
from storage.repositories.registration_changes import RegistrationChangeRepository
from storage.repositories.report_versions import ReportVersionRepository
from storage.repositories.reports import ReportRepository
from storage.repositories.staff_org import StaffOrgRepository
from storage.repositories.webinars import CoachingRepository, WebinarRepository


class TaskReentrantLock:
    """A fair asyncio lock that the task holding it may take again.

    A unit of work opened inside another one in the same task then behaves as SQLite always did
    (it works while the outer one has not written yet) instead of waiting for itself forever.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task | None = None
        self._depth = 0

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if self._owner is task and task is not None:
            self._depth += 1
            return
        await self._lock.acquire()
        self._owner, self._depth = task, 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()


R = TypeVar("R")


class _OnFirstUse(Generic[R]):
    """A unit of work's repository, made on first use in the current block (`async with uow`)."""

    def __init__(self, make: Callable[[SqlUnitOfWork], R]) -> None:
        self._make = make
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, uow: None, owner: type) -> _OnFirstUse[R]: ...
    @overload
    def __get__(self, uow: SqlUnitOfWork, owner: type) -> R: ...
    def __get__(self, uow: SqlUnitOfWork | None, owner: type) -> R | _OnFirstUse[R]:
        if uow is None:
            return self
        made = uow._repositories.get(self._name)
        if made is None:
            made = uow._repositories[self._name] = self._make(uow)
        return made


class SqlUnitOfWork:
    session: AsyncSession

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        correlation_id: str | None = None,
        writer_lock: TaskReentrantLock | None = None,
        *,
        approval_subjects: Mapping[str, Any] | None = None,
        on_notifications: Callable[[], None] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.correlation_id = correlation_id
        self._writer_lock = writer_lock
        self.approval_subjects: Mapping[str, Any] = approval_subjects or {}
        self._on_notifications = on_notifications
        self._repositories: dict[str, Any] = {}

    async def __aenter__(self) -> SqlUnitOfWork:
        if self._writer_lock is not None:
            await self._writer_lock.acquire()
        self.session = self._session_factory()
        self._sql = CoreStatements(self.session)  # the hot paths' Core statements, on one connection per transaction
        self._repositories: dict[str, Any] = {}
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            try:
                await self.session.close()
            finally:
                if self._writer_lock is not None:
                    self._writer_lock.release()

    async def commit(self) -> None:
        # What the use case recorded for the audit and the outbox is written last, in one INSERT each.
        audit, outbox = self._repositories.get("audit"), self._repositories.get("outbox")
        if audit is not None:
            await audit.flush()
        if outbox is not None:
            await outbox.flush()
        await self.session.commit()
        if outbox is not None and outbox.added and self._on_notifications is not None:
            outbox.added = 0
            self._on_notifications()

    async def rollback(self) -> None:
        for name in ("audit", "outbox"):
            if (recorded := self._repositories.get(name)) is not None:
                recorded.discard()
        await self.session.rollback()

    async def read_ahead_for_days(self, staff: Staff, first: date, last: date) -> None:
        await read_ahead.rules_for_days(
            self._sql, self.entities, self.registrations, staff_id=staff.id, entity_id=staff.entity_id,
            manager_id=staff.manager_id, first=first, last=last,
        )

    async def read_ahead_for_registration(self, registration_id: int) -> None:
        if not self.registrations.knows(registration_id):
            await read_ahead.rules_for_registration(self._sql, self.registrations, registration_id)

    async def read_ahead_for_approval(self, approval_id: int, *, lock: bool) -> None:
        await read_ahead.approval_with_requester(self._sql, self.approvals, self.staff, approval_id, lock=lock)

    # Each repository is made the first time a block asks for it: a use case needs a few of them,
    # and making all of them cost a noticeable part of a short transaction.
    entities = _OnFirstUse(lambda uow: EntityRepository(uow.session, uow._sql))
    staff = _OnFirstUse(lambda uow: StaffRepository(uow.session, uow._sql))
    audit = _OnFirstUse(lambda uow: AuditRepository(uow.session, uow.correlation_id, uow._sql))
    conversations = _OnFirstUse(lambda uow: ConversationReferenceRepository(uow.session, uow._sql))
    jobs = _OnFirstUse(lambda uow: JobClaimRepository(uow.session))
    registrations = _OnFirstUse(lambda uow: RegistrationRepository(uow.session, uow._sql))
    registration_changes = _OnFirstUse(lambda uow: RegistrationChangeRepository(uow.session))
    approvals = _OnFirstUse(lambda uow: ApprovalRepository(uow.session, uow._sql))
    equipment = _OnFirstUse(lambda uow: EquipmentRepository(uow.session))
    allowances = _OnFirstUse(lambda uow: AllowanceRepository(uow.session))
    webinars = _OnFirstUse(lambda uow: WebinarRepository(uow.session))
    coaching = _OnFirstUse(lambda uow: CoachingRepository(uow.session))
    privacy = _OnFirstUse(lambda uow: PrivacyRepository(uow.session))
    reports = _OnFirstUse(lambda uow: ReportRepository(uow.session))
    report_versions = _OnFirstUse(lambda uow: ReportVersionRepository(uow.session))
    broadcasts = _OnFirstUse(lambda uow: BroadcastRepository(uow.session))
    files = _OnFirstUse(lambda uow: PendingFileRepository(uow.session))
    staff_org = _OnFirstUse(lambda uow: StaffOrgRepository(uow.session))
    history = _OnFirstUse(lambda uow: HistoryRepository(uow.session))
    outbox = _OnFirstUse(lambda uow: OutboxRepository(uow.session, uow.correlation_id, uow._sql))


class UnitOfWorkFactory:
    """Creates a fresh UnitOfWork per use case (never shared between tasks).

    On SQLite there is one writer at a time; units of work queue on a fair in-process lock
    instead of SQLite's busy handler, whose growing sleeps gave second-long tail latencies.
    Avoid opening a unit of work inside another one: on SQLite the inner one waits for the outer
    one's write lock.
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], approval_subjects: Mapping[str, Any] | None = None) -> None:
        self.session_factory = session_factory
        bind = session_factory.kw.get("bind")
        self._writer_lock = TaskReentrantLock() if bind is not None and bind.dialect.name == "sqlite" else None
        self.approval_subjects: Mapping[str, Any] = approval_subjects if approval_subjects is not None else {}
        self._commit_listeners: list[Callable[[], None]] = []
        # PostgreSQL: sessions whose statements each commit on their own (no BEGIN, no ROLLBACK
        # round trip). SQLite keeps its transactions: they are what queues its single writer.
        self._standalone_sessions = session_factory
        if bind is not None and bind.dialect.name == "postgresql":
            self._standalone_sessions = async_sessionmaker(
                **{**session_factory.kw, "bind": bind.execution_options(isolation_level="AUTOCOMMIT")}
            )

    def on_notifications(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every commit that recorded notifications (wakes the dispatcher)."""
        self._commit_listeners.append(listener)

    def _notify_listeners(self) -> None:
        for listener in self._commit_listeners:
            listener()

    def __call__(self, correlation_id: str | None = None) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.session_factory, correlation_id, self._writer_lock,
            approval_subjects=self.approval_subjects, on_notifications=self._notify_listeners,
        )

    def standalone(self, correlation_id: str | None = None) -> SqlUnitOfWork:
        """A unit of work for a use case whose statements each stand on their own (the turn's
        look-up: a read, and an upsert that is atomic by itself): on PostgreSQL each statement
        commits as it runs, which saves the BEGIN and the COMMIT or ROLLBACK round trips that
        every turn would otherwise pay. Never for a use case that must write all or nothing."""
        return SqlUnitOfWork(
            self._standalone_sessions, correlation_id, self._writer_lock,
            approval_subjects=self.approval_subjects, on_notifications=self._notify_listeners,
        )


# The name the rest of the code base used before the protocol existed.
UnitOfWork = SqlUnitOfWork
