"""A small approval subject for tests, kept in a dict, so approval tests do not depend on the
home-work or equipment areas; a proactive sender that records instead of sending; and an
environment that runs the approval use cases on a real database and delivers their notices
through the real dispatcher into that recorder."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.clock import FixedClock
from bot.domain.approvals import ApprovalStatus, NeedsConfirmation, SubjectSummary, Verdict
from bot.domain.conversations import StoredReference
from bot.domain.errors import DomainError
from bot.domain.staff import Staff
from bot.i18n import Translator
from bot.notifications import NotificationDispatcher
from bot.proactive import Content, SendResult, to_activity
from bot.registry import Registry
from bot.runner import UseCaseRunner
from bot.services import approvals as service
from bot.services.approvals import request_approval
from bot.wiring import build_registry
from dialogs.cards.approvals import SubjectText
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.fakes import people
from tests.fakes.teams import TeamsUser

SUBJECT_TYPE = "test_request"


class FakeSummary(SubjectSummary):
    subject_type: Literal["test_request"] = "test_request"
    what: str
    over_budget: bool = False


def fake_text(summary: FakeSummary, t: Translator) -> SubjectText:
    label = "Aanvraag" if t.locale == "nl" else "Request"
    warning = ("Boven budget" if t.locale == "nl" else "Over budget") if summary.over_budget else None
    return SubjectText(title=f"{label}: {summary.what}", facts=[(label, summary.what)], warning=warning)


@dataclass
class FakeItem:
    requester_id: int
    what: str
    needs_confirmation: bool = False
    blocked: bool = False
    status: str = "pending"


@dataclass
class FakeSubject:
    subject_type: str = SUBJECT_TYPE
    items: dict[int, FakeItem] = field(default_factory=dict)
    decided: list[tuple[int, str, int, str | None]] = field(default_factory=list)  # (id, status, actor, comment)
    approve_delay: float = 0.0  # widens the window in which two deciders overlap
    _ids: itertools.count = field(default_factory=lambda: itertools.count(101))

    def add(self, requester_id: int, what: str = "laptophouder", **flags: bool) -> int:
        subject_id = next(self._ids)
        self.items[subject_id] = FakeItem(requester_id, what, **flags)
        return subject_id

    async def describe(self, uow: UnitOfWork, subject_id: int) -> FakeSummary:
        item = self.items[subject_id]
        return FakeSummary(requester_id=item.requester_id, what=item.what, over_budget=item.needs_confirmation)

    async def before_approve(self, uow: UnitOfWork, subject_id: int, *, confirmed: bool) -> None:
        if self.approve_delay:
            await asyncio.sleep(self.approve_delay)
        item = self.items[subject_id]
        if item.blocked:
            raise DomainError("common.invalid_input", reason="blocked")
        if item.needs_confirmation and not confirmed:
            raise NeedsConfirmation()

    async def on_decided(
        self, uow: UnitOfWork, subject_id: int, status: ApprovalStatus, actor: Staff, comment: str | None, now: datetime
    ) -> None:
        self.items[subject_id].status = status
        self.decided.append((subject_id, status, actor.id, comment))


def install_fake_subject(registry: Registry) -> FakeSubject:
    """Register a fresh fake subject (and how its card reads) on an app's registry."""
    subject = FakeSubject()
    registry.approval_subject(subject)
    registry.approval_wording(SUBJECT_TYPE, fake_text)
    return subject


@dataclass
class RecordingProactive:
    """Stands in for ProactiveSender behind the dispatcher: records, sends nothing."""

    sent: list[tuple[str, Any]] = field(default_factory=list)  # (aad object id, activity)
    updates: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (aad, activity id, card)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def send_to_reference(self, ref: StoredReference, content: Content, *, deadline: float | None = None) -> SendResult:
        self.sent.append((ref.aad_object_id, to_activity(content)))
        return SendResult("sent", activity_id=f"card-{next(self._ids)}", conversation_id=ref.conversation_id)

    async def update(self, ref: StoredReference, activity_id: str, card: dict[str, Any], *, deadline: float | None = None) -> bool:
        self.updates.append((ref.aad_object_id, activity_id, card))
        return True

    def clear(self) -> None:
        """Forget what was sent so far (a test that counts what a later step sends)."""
        self.sent.clear()
        self.updates.clear()

    def to(self, aad_object_id: str) -> list[Any]:
        return [activity for aad, activity in self.sent if aad == aad_object_id]

    def texts(self, aad_object_id: str) -> list[str]:
        return [a.text for a in self.to(aad_object_id) if a.text]

    def cards(self, aad_object_id: str) -> list[dict[str, Any]]:
        return [att.content for a in self.to(aad_object_id) for att in (a.attachments or [])]


USERS = (
    people.DIRECTOR, people.MANAGER, people.STAFF, people.COLLEAGUE, people.HR, people.ADMIN,
    people.LOGISTICS, people.OTHER_MANAGER, people.OTHER_STAFF,
)


@dataclass
class ApprovalEnv:
    uow_factory: UnitOfWorkFactory
    subject: FakeSubject
    proactive: RecordingProactive
    clock: FixedClock
    runner: UseCaseRunner
    dispatcher: NotificationDispatcher

    async def staff(self, user: TeamsUser) -> Staff:
        async with self.uow_factory() as uow:
            found = await uow.staff.get_by_aad(user.aad_object_id)
        assert found is not None
        return found

    async def delivered(self) -> None:
        """Deliver every notification recorded so far, as the dispatcher does after a commit."""
        while await self.dispatcher.deliver_due():
            pass

    async def run(self, use_case: Any, command: Any) -> Any:
        """Run a use case at the clock's now, then deliver what it recorded."""
        try:
            return await self.runner.run(use_case, command)
        finally:
            await self.delivered()

    async def decide(self, actor: Staff, approval_id: int, decision: str = "approve", **options: Any) -> service.Decision:
        command = service.DecideApproval(actor, approval_id, Verdict(decision), **options)
        return await self.run(service.decide, command)

    async def job(self, run: Any, when: datetime) -> Any:
        """Run a scheduled job as the scheduler would at `when` (the clock says `when` too)."""
        self.clock.current = when
        try:
            return await run(self.runner, when)
        finally:
            await self.delivered()

    async def request(self, user: TeamsUser, what: str = "laptophouder", *, at: datetime | None = None, **flags: bool) -> int:
        """A request whose approval card went out."""
        requester = await self.staff(user)
        subject_id = self.subject.add(requester.id, what, **flags)
        async with self.uow_factory() as uow:
            approval_id = await request_approval(
                uow, subject_type=SUBJECT_TYPE, subject_id=subject_id, requester=requester,
                actor=f"staff:{requester.id}", now=at or self.clock.now(),
            )
            await uow.commit()
        await self.delivered()
        return approval_id


async def make_env(uow_factory: UnitOfWorkFactory, database_url: str) -> ApprovalEnv:
    """The approval use cases over the given database, with the fake subject, the real notice
    renderers, a dispatcher sending into a recorder, and every test user reachable."""
    from tests.conftest import DEFAULT_NOW

    clock = FixedClock(DEFAULT_NOW)
    registry = build_registry()
    subject = install_fake_subject(registry)
    units = UnitOfWorkFactory(uow_factory.session_factory, approval_subjects=registry.approval_subjects)
    proactive = RecordingProactive()
    dispatcher = NotificationDispatcher(
        units, proactive, registry.notices, clock, instance_id="test", default_locale="nl",  # type: ignore[arg-type]
        lease=timedelta(seconds=60), poll_seconds=1,
    )
    async with units() as uow:
        for user in USERS:
            await uow.conversations.save(
                StoredReference(
                    aad_object_id=user.aad_object_id, user_id=user.user_id, user_name=user.name,
                    conversation_id=user.conversation_id, service_url="http://127.0.0.1:1", tenant_id=user.tenant_id,
                    channel_id="msteams", bot_id="28:bot", bot_name="Hybride werk", locale=user.locale, usable=True,
                )
            )
        await uow.commit()
    return ApprovalEnv(units, subject, proactive, clock, UseCaseRunner(units, clock), dispatcher)
