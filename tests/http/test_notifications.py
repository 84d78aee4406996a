"""Notifications after commit, through the real app: an approval decision is answered while the
connector still holds the requester's notification, which then arrives exactly once, also when the
bot is restarted (graceful shutdown, a new app on the same database) while delivering it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import SERVICES, create_app
from bot.clock import FixedClock
from bot.routing import CARD_CONTENT_TYPE
from bot.services.approvals import request_approval
from storage.models.outbox import OutboxRow
from storage.uow import UnitOfWorkFactory
from tests.conftest import BotHarness, make_settings
from tests.fakes import people, teams
from tests.fakes.approval_subject import SUBJECT_TYPE, install_fake_subject
from tests.fakes.connector import FakeConnector

HOLD_SECONDS = 2.0


async def start(database_url: str, connector: FakeConnector, clock: FixedClock, **settings: Any) -> BotHarness:
    """One bot instance (the real app) with the fake approval subject."""
    app = create_app(make_settings(database_url, **settings), clock=clock, extensions=[])
    install_fake_subject(app[SERVICES].registry)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return BotHarness(client=client, connector=connector, services=app[SERVICES], clock=clock)


@pytest.fixture
async def bot(directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector, clock: FixedClock) -> AsyncIterator[BotHarness]:
    harness = await start(database_url, connector, clock)
    try:
        for user in (people.MANAGER, people.STAFF):
            await harness.install(user)
        connector.clear()
        yield harness
    finally:
        await harness.client.close()


async def request(harness: BotHarness) -> int:
    """Stan asks for something; Mia's approval card goes out."""
    subject = harness.services.registry.approval_subjects[SUBJECT_TYPE]
    async with harness.uow() as uow:
        stan = await uow.staff.get_by_aad(people.STAFF.aad_object_id)
        assert stan is not None
        approval_id = await request_approval(
            uow, subject_type=SUBJECT_TYPE, subject_id=subject.add(stan.id), requester=stan, actor="test", now=harness.clock.now()
        )
        await uow.commit()
    await harness.delivered()
    assert len(harness.connector.cards(people.MANAGER.conversation_id)) == 1
    return approval_id


async def approve(harness: BotHarness, approval_id: int) -> tuple[dict[str, Any], float]:
    """Mia approves on her card; returns the invoke response and how long it took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    activity = teams.execute(people.MANAGER, harness.service_url, "approval.decide", {"approval_id": approval_id, "decision": "approve"})
    response = await harness.post(activity)
    body = await response.json()
    took = loop.time() - started
    assert response.status == 200 and body["type"] == CARD_CONTENT_TYPE, body
    return body["value"], took


async def outbox_to_stan(harness: BotHarness) -> list[tuple[str, str, int]]:
    async with harness.uow() as uow:
        stan = await uow.staff.get_by_aad(people.STAFF.aad_object_id)
        rows = await uow.session.scalars(select(OutboxRow).where(OutboxRow.recipient_id == stan.id).order_by(OutboxRow.id))
        return [(row.kind, row.status, row.attempts) for row in rows]


def texts_to_stan(connector: FakeConnector) -> list[str]:
    return connector.texts(people.STAFF.conversation_id)


async def test_the_decision_is_answered_while_the_notification_is_held_and_it_arrives_once(bot: BotHarness) -> None:
    approval_id = await request(bot)
    bot.connector.hold(people.STAFF.conversation_id, HOLD_SECONDS)
    card, took = await approve(bot, approval_id)
    assert took < HOLD_SECONDS / 2, f"the invoke waited {took:.2f} s for the notification"
    assert "Goedgekeurd" in str(card)
    async with asyncio.timeout(5):
        await bot.connector.held.wait()  # the notification is on the wire, held by the connector
    assert texts_to_stan(bot.connector) == []
    await bot.delivered()
    [told] = texts_to_stan(bot.connector)
    assert "goedgekeurd door Mia Manager" in told
    assert await outbox_to_stan(bot) == [("approval.decided", "sent", 1)]
    await asyncio.sleep(0.3)  # nothing comes after it
    assert len(texts_to_stan(bot.connector)) == 1


async def test_a_restart_while_the_notification_is_held_still_delivers_it_once(
    bot: BotHarness, database_url: str, connector: FakeConnector, clock: FixedClock,
) -> None:
    approval_id = await request(bot)
    connector.hold(people.STAFF.conversation_id, HOLD_SECONDS)
    _, took = await approve(bot, approval_id)
    assert took < HOLD_SECONDS / 2
    async with asyncio.timeout(5):
        await connector.held.wait()
    await bot.client.close()  # graceful shutdown while the connector holds the notification
    restarted = await start(database_url, connector, clock)
    try:
        await restarted.delivered()
        await asyncio.sleep(0.3)
        [told] = texts_to_stan(connector)
        assert "goedgekeurd door Mia Manager" in told
        assert await outbox_to_stan(restarted) == [("approval.decided", "sent", 1)]
    finally:
        await restarted.client.close()
