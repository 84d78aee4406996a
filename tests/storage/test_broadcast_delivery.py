"""Broadcast workers against the fake connector: exactly once under 429s and failures, a killed
worker, two workers on PostgreSQL, the rate limit, scheduling, cancel, resend and installation."""

from __future__ import annotations

import asyncio
import collections
import time
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.adapter import create_adapter
from bot.broadcast_worker import REASON_NO_REFERENCE, BroadcastWorker
from bot.clock import FixedClock
from bot.domain.broadcasts import BroadcastPayload, BroadcastStatus, DeliveryStatus
from bot.domain.errors import Conflict, Forbidden
from bot.downloads import DownloadLinks
from bot.i18n import Translator
from bot.notifications import NotificationDispatcher
from bot.proactive import ProactiveSender
from bot.registry import BroadcastRecipient, Registry
from bot.runner import UseCaseRunner
from bot.runtime import Services
from bot.services import broadcasts as service
from bot.wiring import build_registry
from storage.db import create_engine, create_session_factory
from storage.models.directory import ConversationReferenceRow, StaffRow
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW, make_settings
from tests.fakes.connector import FakeConnector
from tests.fakes.people import HR, STAFF
from tests.fakes.teams import BOT_ID, TENANT


class NoticePayload(BroadcastPayload, kind="test.notice"):
    text: str


def render_notice(payload: NoticePayload, recipient: BroadcastRecipient, t: Translator) -> dict:
    return {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": f"{payload.text} {recipient.staff.display_name}"}]}


def registry_with_test_kind() -> Registry:
    """The service's registry with a broadcast kind of the tests' own."""
    registry = build_registry()
    registry.broadcast_renderer(NoticePayload, render_notice)
    return registry


def conversation_of(index: int) -> str:
    return f"a:bulk-{index:05d}"


async def add_audience(uow_factory: UnitOfWorkFactory, count: int, service_url: str, *, references: bool = True) -> list[int]:
    """`count` extra staff members in DWSE, each (optionally) with a stored conversation reference."""
    now = DEFAULT_NOW
    async with uow_factory() as uow:
        entity = await uow.entities.get_by_code("DWSE")
        await uow.session.execute(StaffRow.__table__.insert(), [
            {"aad_object_id": f"bulk-{i:05d}", "email": f"bulk{i}@vlaanderen.be", "display_name": f"Bulk {i:05d}",
             "entity_id": entity.id, "start_date": date(2020, 1, 1), "language": "nl", "created_at": now, "updated_at": now}
            for i in range(count)
        ])
        if references:
            await uow.session.execute(ConversationReferenceRow.__table__.insert(), [
                {"aad_object_id": f"bulk-{i:05d}", "user_id": f"29:bulk-{i:05d}", "user_name": None,
                 "conversation_id": conversation_of(i), "service_url": service_url, "tenant_id": TENANT,
                 "channel_id": "msteams", "bot_id": BOT_ID, "bot_name": "Hybride werk", "locale": None,
                 "usable": True, "updated_at": now}
                for i in range(count)
            ])
        ids = list(await uow.session.scalars(select(StaffRow.id).where(StaffRow.aad_object_id.like("bulk-%")).order_by(StaffRow.id)))
        await uow.commit()
    return ids


def make_services(uow_factory: UnitOfWorkFactory, database_url: str, *, rate: float = 1000.0, retries: int = 3,
                  clock: FixedClock | None = None, instance: str = "test-1", **settings: Any) -> Services:
    """What `create_app` wires, for a worker run without the app."""
    values = make_settings(database_url, **settings)
    clock = clock or FixedClock(DEFAULT_NOW)
    registry = registry_with_test_kind()
    sender = ProactiveSender(create_adapter(values), "", uow_factory, rate_per_second=rate, max_retries=retries, backoff_seconds=0.001)
    dispatcher = NotificationDispatcher(
        uow_factory, sender, registry.notices, clock, instance_id=instance, default_locale="nl",
        lease=timedelta(seconds=60), poll_seconds=5,
    )
    return Services(settings=values, clock=clock, uow_factory=uow_factory, proactive=sender, registry=registry,
                    runner=UseCaseRunner(uow_factory, clock), dispatcher=dispatcher,
                    links=DownloadLinks(values, registry.downloads), instance_id=instance)


def make_worker(services: Services, **kwargs: Any) -> BroadcastWorker:
    return BroadcastWorker(services, services.registry.broadcast_renderers, **kwargs)


async def hr_member(services: Services, user: Any = HR) -> Any:
    async with services.uow_factory() as uow:
        return await uow.staff.get_by_aad(user.aad_object_id)


async def new_broadcast(services: Services, recipient_ids: list[int], **kwargs: Any) -> int:
    command = service.CreateBroadcast(await hr_member(services), NoticePayload(text="Hallo"), "Webinar", recipient_ids, **kwargs)
    return await services.runner.run(service.create_broadcast, command)


async def statuses(services: Services, broadcast_id: int) -> dict[str, DeliveryStatus]:
    async with services.uow_factory() as uow:
        return {d.email: d.status for d in await uow.broadcasts.list_deliveries(broadcast_id)}


def accepted_per_conversation(connector: FakeConnector) -> collections.Counter[str]:
    return collections.Counter(s.conversation_id for s in connector.sent if s.method == "POST")


async def test_five_thousand_with_throttling_and_failures_end_exactly_once(directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector) -> None:
    ids = await add_audience(directory, 5000, connector.url)
    services = make_services(directory, database_url)
    throttled: set[str] = set()

    def policy(method: str, conversation_id: str) -> tuple[int, dict[str, str]] | None:
        index = int(conversation_id.rsplit("-", 1)[1])
        if index % 50 == 0:
            return 503, {}  # keeps failing: ends as failed after the retries
        if index % 7 == 0 and conversation_id not in throttled:
            throttled.add(conversation_id)
            return 429, {"Retry-After": "0"}
        return None

    connector.failure_policy = policy
    broadcast_id = await new_broadcast(services, ids)
    worker = make_worker(services, batch_size=100, concurrency=100)
    await worker.run_until_idle()
    await services.proactive.close()

    accepted = accepted_per_conversation(connector)
    final = await statuses(services, broadcast_id)
    assert len(final) == 5000
    failing = {conversation_of(i) for i in range(5000) if i % 50 == 0}
    assert all(count == 1 for count in accepted.values()), "a recipient got the message twice"
    assert set(accepted) == {conversation_of(i) for i in range(5000)} - failing
    assert collections.Counter(final.values()) == {DeliveryStatus.SENT: 5000 - len(failing), DeliveryStatus.FAILED: len(failing)}
    assert len(throttled) > 600  # the 429s really happened and were retried
    async with services.uow_factory() as uow:
        broadcast = await uow.broadcasts.get(broadcast_id)
        assert broadcast.status == BroadcastStatus.COMPLETED
        assert [row.action for row in await uow.audit.list_for_subject("broadcast", broadcast_id)] == ["broadcast.created", "broadcast.completed"]


async def test_killed_worker_restarts_without_duplicates_or_loss(directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector) -> None:
    ids = await add_audience(directory, 5000, connector.url)
    clock = FixedClock(DEFAULT_NOW)
    services = make_services(directory, database_url, clock=clock)
    broadcast_id = await new_broadcast(services, ids)
    first = make_worker(services, instance_id="doomed", batch_size=50, concurrency=50, lease=timedelta(minutes=5))
    task = asyncio.create_task(first.run_until_idle())
    while len(connector.sent) < 2000:  # noqa: ASYNC110 - the fake connector has no per-count event
        await asyncio.sleep(0.01)
    # From now on nothing reaches Teams: requests on the wire hang, then the process dies.
    connector.gate = asyncio.Event()
    await asyncio.sleep(0.3)  # requests already past the gate finish being accepted
    # The worker records what Teams accepted in group commits; it dies only once that is done, so
    # this test is about the lease and the restart, not the unavoidable window between an accepted
    # send and its record (documented in bot/broadcast_worker.py). A slow machine only waits longer.
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        async with services.uow_factory() as uow:
            if (await uow.broadcasts.progress(broadcast_id)).sent == len(connector.sent):
                break
        assert asyncio.get_running_loop().time() < deadline, "the worker never recorded what Teams accepted"
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    connector.gate.set()
    connector.gate = None
    half = len(connector.sent)
    assert 2000 <= half < 5000

    # The rows the dead worker held are claimed again once their lease has expired.
    clock.current = clock.current + timedelta(minutes=6)
    second = make_worker(services, instance_id="successor", batch_size=50, concurrency=50, lease=timedelta(minutes=5))
    await second.run_until_idle()
    await services.proactive.close()

    accepted = accepted_per_conversation(connector)
    assert set(accepted) == {conversation_of(i) for i in range(5000)}
    assert max(accepted.values()) == 1
    assert set((await statuses(services, broadcast_id)).values()) == {DeliveryStatus.SENT}


async def test_two_workers_on_postgres_share_one_broadcast(pg_directory: UnitOfWorkFactory, pg_database_url: str, connector: FakeConnector) -> None:
    ids = await add_audience(pg_directory, 3000, connector.url)
    connector.latency = 0.002
    first = make_services(pg_directory, pg_database_url, instance="instance-a")
    engine = create_engine(pg_database_url, pool_size=10)
    try:
        second = make_services(UnitOfWorkFactory(create_session_factory(engine)), pg_database_url, instance="instance-b")
        broadcast_id = await new_broadcast(first, ids)
        await asyncio.gather(
            make_worker(first, batch_size=20, concurrency=40).run_until_idle(),
            make_worker(second, batch_size=20, concurrency=40).run_until_idle(),
        )
        await first.proactive.close()
        await second.proactive.close()
    finally:
        await engine.dispose()
    accepted = accepted_per_conversation(connector)
    assert len(accepted) == 3000 and max(accepted.values()) == 1
    async with first.uow_factory() as uow:
        rows = await uow.session.execute(
            select(StaffRow.id).limit(1)  # a cheap round trip that proves the session works after the run
        )
        assert rows.first() is not None
        from storage.models.broadcasts import BroadcastDeliveryRow

        by_instance = collections.Counter(await uow.session.scalars(
            select(BroadcastDeliveryRow.claimed_by).where(BroadcastDeliveryRow.broadcast_id == broadcast_id)
        ))
    assert set(by_instance) == {"instance-a", "instance-b"}, by_instance


async def test_rate_never_above_the_configured_rate(
    directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await add_audience(directory, 60, connector.url)
    services = make_services(directory, database_url, rate=20)
    # The sender controls when a request leaves, not when it arrives: connection set-up and the
    # event loop shift arrivals by a few milliseconds either way (much more on a loaded machine).
    # So the cap is checked at the moment the tenant's moving window let each request through,
    # read in the same step as the window's own clock.
    issued: list[float] = []
    window_limiter = services.proactive._limits._limiter
    hit = window_limiter.hit

    async def recording(item, *keys, cost: int = 1) -> bool:  # noqa: ANN001
        allowed = await hit(item, *keys, cost=cost)
        if allowed and keys[0] == "tenant":
            issued.append(time.time())
        return allowed

    monkeypatch.setattr(window_limiter, "hit", recording)
    await new_broadcast(services, ids)
    await make_worker(services, batch_size=20, concurrency=40).run_until_idle()
    await services.proactive.close()
    assert len(issued) == 60 and len(connector.accepted_at) == 60
    issued.sort()
    window = 1.0 - 1e-3  # the limiter and this list read the clock a few microseconds apart
    busiest = max(sum(1 for other in issued if start <= other < start + window) for start in issued)
    assert busiest <= 20, busiest
    # At 20 a second, 60 sends span at least two seconds, at the server as well.
    assert issued[-1] - issued[0] >= (60 - 20) / 20 - 1e-3
    arrivals = sorted(connector.accepted_at)
    assert arrivals[-1] - arrivals[0] >= (60 - 20) / 20 - 0.1


async def test_retry_after_is_honoured(directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector) -> None:
    ids = await add_audience(directory, 1, connector.url)
    services = make_services(directory, database_url)
    seen: list[float] = []

    def policy(method: str, conversation_id: str) -> tuple[int, dict[str, str]] | None:
        seen.append(asyncio.get_running_loop().time())
        return (429, {"Retry-After": "1"}) if len(seen) == 1 else None

    connector.failure_policy = policy
    await new_broadcast(services, ids)
    await make_worker(services).run_until_idle()
    await services.proactive.close()
    assert len(seen) == 2 and seen[1] - seen[0] >= 0.95
    assert len(connector.sent) == 1


async def test_forbidden_marks_the_reference_unusable(directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector) -> None:
    ids = await add_audience(directory, 3, connector.url)
    services = make_services(directory, database_url)
    connector.failure_policy = lambda method, cid: (403, {}) if cid == conversation_of(1) else None
    broadcast_id = await new_broadcast(services, ids)
    await make_worker(services).run_until_idle()
    await services.proactive.close()
    final = await statuses(services, broadcast_id)
    assert final["bulk1@vlaanderen.be"] == DeliveryStatus.UNREACHABLE
    assert connector.attempts == 3  # a 403 is not retried
    async with services.uow_factory() as uow:
        assert (await uow.conversations.get("bulk-00001")).usable is False
        assert (await uow.conversations.get("bulk-00000")).usable is True


class StubGraph:
    def __init__(self, allowed: bool) -> None:
        self.allowed = allowed
        self.installed: list[str] = []

    async def install_app_for_user(self, aad_object_id: str) -> bool:
        self.installed.append(aad_object_id)
        return self.allowed


async def save_hr_reference(services: Services, service_url: str) -> None:
    from bot.domain.conversations import StoredReference

    async with services.uow_factory() as uow:
        await uow.conversations.save(StoredReference(
            HR.aad_object_id, HR.user_id, HR.name, HR.conversation_id, service_url, TENANT, "msteams", BOT_ID, "Hybride werk", "nl-BE", True,
        ))
        await uow.commit()


async def test_unreachable_without_reference_when_installation_is_off(directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector) -> None:
    ids = await add_audience(directory, 2, connector.url, references=False)
    services = make_services(directory, database_url, PROACTIVE_INSTALL=False)
    services.graph = StubGraph(allowed=True)  # type: ignore[assignment]
    broadcast_id = await new_broadcast(services, ids)
    await make_worker(services).run_until_idle()
    async with services.uow_factory() as uow:
        deliveries = await uow.broadcasts.list_deliveries(broadcast_id)
    assert {d.status for d in deliveries} == {DeliveryStatus.UNREACHABLE}
    assert {d.reason for d in deliveries} == {REASON_NO_REFERENCE}
    assert services.graph.installed == [] and connector.sent == []


@pytest.mark.parametrize("allowed", [True, False])
async def test_installs_the_app_through_graph_then_sends(directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector, allowed: bool) -> None:
    ids = await add_audience(directory, 2, connector.url, references=False)
    services = make_services(directory, database_url, PROACTIVE_INSTALL=True)
    services.graph = StubGraph(allowed=allowed)  # type: ignore[assignment]
    await save_hr_reference(services, connector.url)
    broadcast_id = await new_broadcast(services, ids)
    await make_worker(services).run_until_idle()
    await services.proactive.close()
    final = await statuses(services, broadcast_id)
    assert sorted(services.graph.installed) == ["bulk-00000", "bulk-00001"]
    if allowed:
        assert set(final.values()) == {DeliveryStatus.SENT}
        assert len(connector.created_conversations) == 2
        assert connector.created_conversations[0]["members"][0]["id"].startswith("bulk-")
        async with services.uow_factory() as uow:
            stored = await uow.conversations.get("bulk-00000")
        assert stored is not None and stored.conversation_id.startswith("a:created-")
        assert len(connector.to(stored.conversation_id)) == 1
    else:
        assert set(final.values()) == {DeliveryStatus.UNREACHABLE}
        assert connector.sent == []


async def test_scheduled_broadcast_waits_for_its_time(directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector) -> None:
    ids = await add_audience(directory, 5, connector.url)
    clock = FixedClock(DEFAULT_NOW)
    services = make_services(directory, database_url, clock=clock)
    broadcast_id = await new_broadcast(services, ids, scheduled_at=DEFAULT_NOW + timedelta(hours=2))
    worker = make_worker(services)
    await worker.run_until_idle()
    assert connector.sent == []
    clock.current = DEFAULT_NOW + timedelta(hours=1, minutes=59)
    await worker.run_until_idle()
    assert connector.sent == []
    clock.current = DEFAULT_NOW + timedelta(hours=2)
    await worker.run_until_idle()
    await services.proactive.close()
    assert len(connector.sent) == 5
    async with services.uow_factory() as uow:
        assert (await uow.broadcasts.get(broadcast_id)).status == BroadcastStatus.COMPLETED


async def test_cancel_stops_the_rest_and_resend_only_reaches_the_failed(directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector) -> None:
    ids = await add_audience(directory, 10, connector.url)
    services = make_services(directory, database_url, retries=0)
    cancelled_id = await new_broadcast(services, ids[:4])
    hr = await hr_member(services)
    found = await service.cancel_broadcast(services.uow_factory(), service.CancelBroadcast(hr, cancelled_id), DEFAULT_NOW)
    assert found.broadcast.status == BroadcastStatus.CANCELLED and found.progress.cancelled == 4

    connector.failure_policy = lambda method, cid: (500, {}) if cid in (conversation_of(5), conversation_of(6)) else None
    broadcast_id = await new_broadcast(services, ids[4:])
    await make_worker(services).run_until_idle()
    assert len(connector.sent) == 4  # nothing of the cancelled one; 4 of 6 of the second
    with pytest.raises(Conflict):
        await service.cancel_broadcast(services.uow_factory(), service.CancelBroadcast(hr, broadcast_id), DEFAULT_NOW)
    connector.failure_policy = None
    found = await service.resend_failed(services.uow_factory(), service.ResendFailed(hr, broadcast_id), DEFAULT_NOW)
    assert found.progress.pending == 2 and found.broadcast.status == BroadcastStatus.RUNNING
    await make_worker(services).run_until_idle()
    await services.proactive.close()
    accepted = accepted_per_conversation(connector)
    assert set(accepted) == {conversation_of(i) for i in range(4, 10)} and max(accepted.values()) == 1
    staff = await hr_member(services, STAFF)
    with pytest.raises(Forbidden):
        await service.resend_failed(services.uow_factory(), service.ResendFailed(staff, broadcast_id), DEFAULT_NOW)
    async with services.uow_factory() as uow:
        assert (await uow.broadcasts.get(broadcast_id)).status == BroadcastStatus.COMPLETED


async def test_only_hr_creates_broadcasts(directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector) -> None:
    services = make_services(directory, database_url)
    staff = await hr_member(services, STAFF)
    with pytest.raises(Forbidden):
        await service.create_broadcast(services.uow_factory(), service.CreateBroadcast(staff, NoticePayload(text="x"), "x", [staff.id]), DEFAULT_NOW)
