"""A small approval subject for tests, kept in a dict, so approval tests do not depend on the
home-work or equipment areas; and a proactive sender that records instead of sending."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.clock import FixedClock
from bot.domain.conversations import StoredReference
from bot.domain.errors import DomainError
from bot.domain.staff import Staff
from bot.i18n import Translator, resolve_locale
from bot.proactive import Content, SendResult, to_activity
from bot.runtime import Services
from bot.services.approvals import NeedsConfirmation, SubjectView, register_subject, request_approval
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.fakes import people
from tests.fakes.teams import TeamsUser

SUBJECT_TYPE = "test_request"


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

    async def describe(self, uow: UnitOfWork, subject_id: int, t: Translator) -> SubjectView:
        item = self.items[subject_id]
        label = "Aanvraag" if t.locale == "nl" else "Request"
        warning = ("Boven budget" if t.locale == "nl" else "Over budget") if item.needs_confirmation else None
        return SubjectView(title=f"{label}: {item.what}", facts=[(label, item.what)], requester_id=item.requester_id, warning=warning)

    async def before_approve(self, uow: UnitOfWork, subject_id: int, *, confirmed: bool) -> None:
        if self.approve_delay:
            await asyncio.sleep(self.approve_delay)
        item = self.items[subject_id]
        if item.blocked:
            raise DomainError("common.invalid_input", reason="blocked")
        if item.needs_confirmation and not confirmed:
            raise NeedsConfirmation()

    async def on_decided(self, uow: UnitOfWork, subject_id: int, status: str, actor: Staff, comment: str | None, now: datetime) -> None:
        self.items[subject_id].status = status
        self.decided.append((subject_id, status, actor.id, comment))


def install_fake_subject() -> FakeSubject:
    subject = FakeSubject()
    register_subject(subject)
    return subject


@dataclass
class RecordingProactive:
    """Stands in for ProactiveSender in service tests: renders like the real one, records, sends nothing."""

    uow_factory: Any
    default_locale: str = "nl"
    sent: list[tuple[str, Any]] = field(default_factory=list)  # (aad object id, activity)
    updates: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (aad, activity id, card)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def reference_for(self, aad_object_id: str) -> StoredReference | None:
        async with self.uow_factory() as uow:
            return await uow.conversations.get(aad_object_id)

    async def send_to_reference(self, ref: StoredReference, content: Content) -> SendResult:
        self.sent.append((ref.aad_object_id, to_activity(content)))
        return SendResult("sent", activity_id=f"card-{next(self._ids)}", conversation_id=ref.conversation_id)

    async def send(self, aad_object_id: str, content: Content) -> SendResult:
        ref = await self.reference_for(aad_object_id)
        if ref is None:
            return SendResult("unreachable")
        return await self.send_to_reference(ref, content)

    async def notify(self, aad_object_id: str, render: Any, preferred_language: str | None = None) -> SendResult:
        ref = await self.reference_for(aad_object_id)
        if ref is None:
            return SendResult("unreachable")
        return await self.send_to_reference(ref, render(Translator(resolve_locale(ref.locale, preferred_language, self.default_locale))))  # type: ignore[arg-type]

    async def update(self, ref: StoredReference, activity_id: str, card: dict[str, Any]) -> bool:
        self.updates.append((ref.aad_object_id, activity_id, card))
        return True

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
    services: Services
    subject: FakeSubject
    proactive: RecordingProactive
    clock: FixedClock

    @property
    def uow_factory(self) -> UnitOfWorkFactory:
        return self.services.uow_factory

    async def staff(self, user: TeamsUser) -> Staff:
        async with self.uow_factory() as uow:
            found = await uow.staff.get_by_aad(user.aad_object_id)
        assert found is not None
        return found

    async def request(self, user: TeamsUser, what: str = "laptophouder", *, at: datetime | None = None, **flags: bool) -> int:
        requester = await self.staff(user)
        subject_id = self.subject.add(requester.id, what, **flags)
        async with self.uow_factory() as uow:
            approval_id = await request_approval(
                uow, subject_type=SUBJECT_TYPE, subject_id=subject_id, requester=requester,
                actor=f"staff:{requester.id}", now=at or self.clock.now(),
            )
            await uow.commit()
        return approval_id


async def make_env(uow_factory: UnitOfWorkFactory, database_url: str) -> ApprovalEnv:
    """Services with a recording sender over the given database, and every test user reachable."""
    from tests.conftest import DEFAULT_NOW, make_settings

    clock = FixedClock(DEFAULT_NOW)
    proactive = RecordingProactive(uow_factory)
    services = Services(
        settings=make_settings(database_url), clock=clock, uow_factory=uow_factory, proactive=proactive,  # type: ignore[arg-type]
    )
    async with uow_factory() as uow:
        for user in USERS:
            await uow.conversations.save(
                StoredReference(
                    aad_object_id=user.aad_object_id, user_id=user.user_id, user_name=user.name,
                    conversation_id=user.conversation_id, service_url="http://127.0.0.1:1", tenant_id=user.tenant_id,
                    channel_id="msteams", bot_id="28:bot", bot_name="Hybride werk", locale=user.locale, usable=True,
                )
            )
        await uow.commit()
    return ApprovalEnv(services, install_fake_subject(), proactive, clock)
