"""Leases across instances: an instance never sleeps past its lease while it holds a claim.

The connector throttles with a Retry-After of 120 s while the dispatcher's lease is 60 s. The
instance that claimed the notification gives its lease back at once with the retry time as the
next attempt; a second instance on the same database does not take it over while the wait runs
(it would have sent it a second time), and the notification arrives once when its time comes.
The broadcast workers keep to their lease the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.domain.broadcasts import DeliveryStatus as BroadcastDeliveryStatus
from bot.proactive import MAX_RETRY_AFTER_SECONDS
from bot.services.approvals import request_approval
from storage.models.outbox import OutboxRow
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW, BotHarness
from tests.fakes import people
from tests.fakes.approval_subject import SUBJECT_TYPE
from tests.fakes.connector import FakeConnector
from tests.http.test_notifications import start
from tests.storage.test_broadcast_delivery import (
    add_audience,
    make_services,
    make_worker,
    new_broadcast,
    statuses,
)

LEASE_SECONDS = 60
RETRY_AFTER_SECONDS = 120


def as_utc(moment: datetime) -> datetime:
    """SQLite gives naive UTC datetimes back, PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.fixture
async def two_instances(
    directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector, clock: FixedClock
) -> AsyncIterator[tuple[BotHarness, BotHarness]]:
    first = await start(database_url, connector, clock, NOTIFY_LEASE_SECONDS=LEASE_SECONDS)
    second = await start(database_url, connector, clock, NOTIFY_LEASE_SECONDS=LEASE_SECONDS)
    try:
        for user in (people.MANAGER, people.STAFF):
            await first.install(user)
        connector.clear()
        yield first, second
    finally:
        await first.client.close()
        await second.client.close()


@dataclass(frozen=True)
class Row:
    status: str
    attempts: int
    claimed_by: str | None
    due_at: datetime
    last_error: str | None


async def outbox_rows(harness: BotHarness) -> list[Row]:
    async with harness.uow() as uow:
        rows = await uow.session.execute(
            select(OutboxRow.status, OutboxRow.attempts, OutboxRow.claimed_by, OutboxRow.due_at, OutboxRow.last_error)
            .order_by(OutboxRow.id)
        )
        return [Row(*row) for row in rows.tuples()]


async def test_a_long_retry_after_gives_the_lease_back_and_no_other_instance_sends_twice(
    two_instances: tuple[BotHarness, BotHarness], connector: FakeConnector, clock: FixedClock
) -> None:
    first, second = two_instances
    assert RETRY_AFTER_SECONDS <= MAX_RETRY_AFTER_SECONDS  # the sender would really wait this long
    tries: list[str] = []

    def throttle_once(method: str, conversation_id: str) -> tuple[int, dict[str, str]] | None:
        if conversation_id != people.MANAGER.conversation_id:
            return None
        tries.append(method)
        return (429, {"Retry-After": str(RETRY_AFTER_SECONDS)}) if len(tries) == 1 else None

    connector.failure_policy = throttle_once
    subject = first.services.registry.approval_subjects[SUBJECT_TYPE]
    async with first.uow() as uow:  # Stan asks; the first instance's dispatcher is woken by the commit
        stan = await uow.staff.get_by_aad(people.STAFF.aad_object_id)
        assert stan is not None
        await request_approval(
            uow, subject_type=SUBJECT_TYPE, subject_id=subject.add(stan.id), requester=stan, actor="test", now=clock.now()
        )
        await uow.commit()

    # The lease is given back at once, not held through a two-minute sleep.
    async with asyncio.timeout(5):
        while True:
            [row] = await outbox_rows(first)
            if tries and row.claimed_by is None:
                break
            await asyncio.sleep(0.05)
    assert row.status == "pending" and row.attempts == 1
    assert as_utc(row.due_at) == clock.now() + timedelta(seconds=RETRY_AFTER_SECONDS)
    assert "429" in (row.last_error or "")

    # Past the old lease, the other instance finds nothing to take over: the wait is still running.
    clock.advance(seconds=LEASE_SECONDS + 1)
    assert await second.services.dispatcher.deliver_due() == 0
    assert tries == ["POST"] and connector.cards(people.MANAGER.conversation_id) == []

    # When the retry time has come, one of the instances delivers it, once.
    clock.advance(seconds=RETRY_AFTER_SECONDS - LEASE_SECONDS)
    assert await second.services.dispatcher.deliver_due() == 1
    await first.delivered()
    await second.delivered()
    await asyncio.sleep(0.2)
    assert len(connector.cards(people.MANAGER.conversation_id)) == 1
    [row] = await outbox_rows(first)
    assert (row.status, row.attempts, row.claimed_by) == ("sent", 2, None)


async def test_a_broadcast_send_throttled_past_the_lease_is_given_back_not_slept_through(
    directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector
) -> None:
    ids = await add_audience(directory, 2, connector.url)
    clock = FixedClock(DEFAULT_NOW)
    services = make_services(directory, database_url, retries=5, clock=clock)
    tries: list[str] = []

    def throttle_first(method: str, cid: str) -> tuple[int, dict[str, str]] | None:
        if not cid.endswith("00000"):
            return None
        tries.append(cid)
        return (429, {"Retry-After": "60"}) if len(tries) == 1 else None

    connector.failure_policy = throttle_first
    broadcast_id = await new_broadcast(services, ids)
    first = make_worker(services, lease=timedelta(seconds=10))
    async with asyncio.timeout(5):  # a worker sleeping through Retry-After would hold the claim for a minute
        await first.run_until_idle()
    final = await statuses(services, broadcast_id)
    assert final == {"bulk0@vlaanderen.be": BroadcastDeliveryStatus.PENDING, "bulk1@vlaanderen.be": BroadcastDeliveryStatus.SENT}
    assert len(tries) == 1  # given back after one try, unsent, and not counted as a claim
    async with services.uow_factory() as uow:
        [given_back] = [d for d in await uow.broadcasts.list_deliveries(broadcast_id) if d.status == BroadcastDeliveryStatus.PENDING]
    assert given_back.claims == 0 and (given_back.reason or "").startswith("given back before the lease ended")

    # Another worker leaves it alone while the connector's wait runs, then sends it once.
    second = make_worker(services, instance_id="test-2", lease=timedelta(seconds=10))
    clock.advance(seconds=30)
    assert await second.run_until_idle() == 0
    clock.advance(seconds=31)
    assert await second.run_until_idle() == 1
    await services.proactive.close()
    assert (await statuses(services, broadcast_id))["bulk0@vlaanderen.be"] == BroadcastDeliveryStatus.SENT
    assert len(tries) == 2 and len(connector.to("a:bulk-00000")) == 1
