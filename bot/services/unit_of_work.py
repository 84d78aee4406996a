"""The unit of work as every use case sees it: one transaction, every repository on it.

    async def register_days(uow: UnitOfWork, command: RegisterDays, now: datetime) -> RegistrationResult:
        async with uow:
            ...
            await uow.commit()
        return result

Leaving the block without commit rolls back, so a refused request never half-writes. Messages to
other people are recorded with `uow.outbox.add(...)` in the same transaction and delivered after
the commit. `storage.uow.SqlUnitOfWork` implements this protocol on SQLAlchemy;
`tests.fakes.uow.FakeUnitOfWork` in memory.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar

from bot.domain.staff import Staff
from bot.services.ports.allowances import AllowanceRepository
from bot.services.ports.approvals import ApprovalRepository, ApprovalSubject
from bot.services.ports.broadcasts import BroadcastRepository
from bot.services.ports.coaching import CoachingRepository
from bot.services.ports.directory import (
    AuditRepository,
    ConversationRepository,
    EntityRepository,
    JobClaimRepository,
    StaffOrgRepository,
    StaffRepository,
)
from bot.services.ports.equipment import EquipmentRepository
from bot.services.ports.files import PendingFileRepository
from bot.services.ports.history import HistoryRepository
from bot.services.ports.homework import RegistrationRepository
from bot.services.ports.outbox import OutboxRepository
from bot.services.ports.privacy import PrivacyRepository
from bot.services.ports.registration_changes import RegistrationChangeRepository
from bot.services.ports.report_versions import ReportVersionRepository
from bot.services.ports.reports import ReportRepository
from bot.services.ports.webinars import WebinarRepository


class UnitOfWork(Protocol):
    entities: EntityRepository
    staff: StaffRepository
    audit: AuditRepository
    conversations: ConversationRepository
    jobs: JobClaimRepository
    outbox: OutboxRepository
    registrations: RegistrationRepository
    registration_changes: RegistrationChangeRepository
    approvals: ApprovalRepository
    equipment: EquipmentRepository
    allowances: AllowanceRepository
    webinars: WebinarRepository
    coaching: CoachingRepository
    privacy: PrivacyRepository
    reports: ReportRepository
    report_versions: ReportVersionRepository
    broadcasts: BroadcastRepository
    files: PendingFileRepository
    staff_org: StaffOrgRepository
    history: HistoryRepository
    # The areas whose requests need a manager's yes, by subject type (built in create_app).
    approval_subjects: Mapping[str, ApprovalSubject]

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    # Hints that the home-work rules are about to ask for these (one read instead of several);
    # the answers the rules get are the same with or without them.
    async def read_ahead_for_days(self, staff: Staff, first: date, last: date) -> None: ...

    async def read_ahead_for_registration(self, registration_id: int) -> None: ...

    async def read_ahead_for_approval(self, approval_id: int, *, lock: bool) -> None: ...


Command = TypeVar("Command", contravariant=True)
Result = TypeVar("Result", covariant=True)


class UseCase(Protocol[Command, Result]):
    """`(uow, command, now) -> result`: the one shape of every use case."""

    def __call__(self, uow: UnitOfWork, command: Command, now: datetime, /) -> Awaitable[Result]: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
