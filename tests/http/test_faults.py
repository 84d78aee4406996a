"""Faults during a turn: the database going away (through a TCP proxy that is closed and reopened),
the database going silent (the proxy keeps the sockets open and forwards nothing), every pooled
connection in use, and the Bot Connector failing while the bot replies. The remaining fault, a
worker killed in the middle of a broadcast, is tested with the broadcasts."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import date
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.app import ENGINE, SERVICES, create_app
from bot.clock import FixedClock
from storage.models.directory import AuditRow
from storage.models.homework import WorkRegistrationRow
from storage.repositories.homework import RegistrationRepository
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW, BotHarness, make_settings
from tests.fakes import teams
from tests.fakes.connector import FakeConnector
from tests.fakes.people import (
    ADMIN,
    COLLEAGUE,
    DIRECTOR,
    HR,
    LOGISTICS,
    MANAGER,
    OTHER_MANAGER,
    OTHER_STAFF,
    STAFF,
)
from tests.fakes.tcp_proxy import TcpProxy

UNAVAILABLE = "De databank is even niet bereikbaar"
MONDAY, TUESDAY, WEDNESDAY = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)


@pytest.fixture
async def proxied_app(
    pg_directory: UnitOfWorkFactory, pg_database_url: str, connector: FakeConnector,
) -> AsyncIterator[Callable[..., Awaitable[tuple[BotHarness, TcpProxy]]]]:
    """Starts the app on PostgreSQL through a proxy the test can cut or silence, with the
    settings' defaults unless the test overrides some."""
    async with AsyncExitStack() as stack:

        async def start(**overrides: Any) -> tuple[BotHarness, TcpProxy]:
            url = make_url(pg_database_url)
            proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
            stack.push_async_callback(proxy.close)
            proxied_url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
            clock = FixedClock(DEFAULT_NOW)
            app = create_app(make_settings(proxied_url, **overrides), clock=clock, extensions=[])
            client = TestClient(TestServer(app, host="127.0.0.1"))
            await client.start_server()
            stack.push_async_callback(client.close)
            return BotHarness(client=client, connector=connector, services=app[SERVICES], clock=clock), proxy

        yield start


@pytest.fixture
async def proxied(proxied_app: Callable[..., Awaitable[tuple[BotHarness, TcpProxy]]]) -> tuple[BotHarness, TcpProxy]:
    return await proxied_app()


async def _registrations(uow_factory: UnitOfWorkFactory) -> int:
    async with uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(WorkRegistrationRow)) or 0)


async def test_database_lost_mid_turn_nothing_half_written_and_recovers(
    proxied: tuple[BotHarness, TcpProxy], pg_directory: UnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch,
) -> None:
    harness, proxy = proxied
    assert (await harness.say(STAFF, "menu"))[0].cards
    assert (await harness.client.get("/readyz")).status == 200

    original = RegistrationRepository.save_day
    calls: list[date] = []

    async def cut_after_first_day(self, **kwargs):  # noqa: ANN001, ANN003, ANN202
        result = await original(self, **kwargs)
        calls.append(kwargs["day"])
        if len(calls) == 1:
            await proxy.close()  # the first day is written in the open transaction, then the database goes
        return result

    monkeypatch.setattr(RegistrationRepository, "save_day", cut_after_first_day)
    data = {"day": MONDAY.isoformat(), "until": WEDNESDAY.isoformat(), "place": "home", "part": "full"}
    body = await harness.execute(STAFF, "homework.register", data)
    assert body["statusCode"] == 200
    assert UNAVAILABLE in body["value"] and "referentie" in body["value"]
    assert calls == [MONDAY]
    assert await _registrations(pg_directory) == 0  # the first day was never committed

    # A message turn while the database is away: the user is told, nothing is written.
    sent = await harness.say(STAFF, "thuis morgen")
    assert UNAVAILABLE in sent[-1].text and "referentie" in sent[-1].text
    assert (await harness.client.get("/readyz")).status == 503
    assert await _registrations(pg_directory) == 0

    monkeypatch.setattr(RegistrationRepository, "save_day", original)
    await proxy.reopen()
    assert (await harness.client.get("/readyz")).status == 200
    body = await harness.execute(STAFF, "homework.register", data)
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert await _registrations(pg_directory) == 3


async def test_connector_failing_while_replying_loses_and_duplicates_nothing(
    harness: BotHarness, caplog: pytest.LogCaptureFixture,
) -> None:
    harness.connector.failure_policy = lambda method, cid: (503, {}) if cid == STAFF.conversation_id else None
    activity = teams.message(STAFF, harness.service_url, "thuis morgen")
    with caplog.at_level(logging.ERROR):
        response = await harness.post(activity)
    assert response.status < 500  # Teams is not made to retry a crash
    failures = [r for r in caplog.records if "turn failed (correlation" in r.getMessage()]
    assert failures and failures[0].exc_info is not None
    assert harness.connector.to(STAFF.conversation_id) == []  # neither the reply nor the apology arrived
    assert await _registrations(harness.services.uow_factory) == 1  # the turn's work was committed

    # Teams retries the same activity (same id): the registration is not written twice.
    harness.connector.failure_policy = None
    retried = await harness.post(activity)
    assert retried.status in (200, 201)
    assert await _registrations(harness.services.uow_factory) == 1
    async with harness.uow() as uow:
        registered = await uow.session.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.action == "homework.registered"))
    assert registered == 1
    assert harness.connector.to(STAFF.conversation_id), "the retried turn answered"
    # The process keeps serving.
    assert (await harness.say(STAFF, "menu"))[0].cards


async def _timed(call: Awaitable[Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = await call
    return result, time.monotonic() - started


async def _texts_of(harness: BotHarness, response: Any, user: Any, before: int) -> list[str]:
    assert response.status in (200, 201), await response.text()
    return [sent.text or "" for sent in harness.connector.to(user.conversation_id)[before:]]


async def test_silent_database_turns_answered_within_10s_readyz_503_within_2s_then_recovers(
    proxied: tuple[BotHarness, TcpProxy], pg_directory: UnitOfWorkFactory,
) -> None:
    """The database stops answering without closing anything (a partition, a frozen server): with
    the default settings every turn gets the retry message within 10 s, /readyz says 503 within
    2 s, and once the database answers again the same process serves and writes."""
    harness, proxy = proxied
    assert (await harness.say(STAFF, "menu"))[0].cards
    assert (await harness.client.get("/readyz")).status == 200

    proxy.black_hole()
    # A message, a card action and three users at once, all while the database is silent.
    before = len(harness.connector.to(STAFF.conversation_id))
    response, message_seconds = await _timed(harness.post(teams.message(STAFF, harness.service_url, "thuis morgen")))
    texts = await _texts_of(harness, response, STAFF, before)
    assert texts and UNAVAILABLE in texts[-1] and "referentie" in texts[-1]
    assert message_seconds < 10, message_seconds

    data = {"day": MONDAY.isoformat(), "until": MONDAY.isoformat(), "place": "home", "part": "full"}
    response, invoke_seconds = await _timed(harness.post(teams.execute(STAFF, harness.service_url, "homework.register", data)))
    assert response.status == 200
    assert UNAVAILABLE in (await response.json())["value"]
    assert invoke_seconds < 10, invoke_seconds

    users = [MANAGER, OTHER_STAFF, STAFF]
    started = time.monotonic()
    responses = await asyncio.gather(*(harness.post(teams.message(user, harness.service_url, "menu")) for user in users))
    concurrent_seconds = time.monotonic() - started
    assert [r.status for r in responses] == [201, 201, 201]
    assert all(UNAVAILABLE in (harness.connector.to(u.conversation_id)[-1].text or "") for u in users)
    assert concurrent_seconds < 10, concurrent_seconds

    ready, ready_seconds = await _timed(harness.client.get("/readyz"))
    assert ready.status == 503 and (await ready.json())["status"] == "database not answering"
    assert ready_seconds < 2, ready_seconds

    proxy.restore()
    assert (await harness.client.get("/readyz")).status == 200
    body = await harness.execute(STAFF, "homework.register", data)
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert await _registrations(pg_directory) == 1
    print(  # the figures for the record (pytest -s)
        f"silent database: message {message_seconds:.2f} s, invoke {invoke_seconds:.2f} s, "
        f"3 concurrent {concurrent_seconds:.2f} s, /readyz {ready_seconds:.2f} s"
    )


async def test_exhausted_pool_answers_at_once_readyz_reports_it_and_queueing_still_works(
    proxied_app: Callable[..., Awaitable[tuple[BotHarness, TcpProxy]]], pg_directory: UnitOfWorkFactory,
) -> None:
    """A pool of 1 + 1 connections, both held (by turns that take long): turns that cannot get a
    connection within DATABASE_POOL_TIMEOUT_SECONDS are told to retry at once, /readyz says the pool
    is exhausted; once the connections are back, 10 concurrent turns on the same small pool all
    succeed (waiting briefly in the pool is not failing)."""
    harness, _proxy = await proxied_app(DATABASE_POOL_SIZE=1, DATABASE_POOL_TIMEOUT_SECONDS=2)
    engine = harness.client.app[ENGINE]
    assert (await harness.say(STAFF, "menu"))[0].cards

    async with engine.connect() as first, engine.connect() as second:
        for held in (first, second):
            await held.exec_driver_sql("SELECT 1")
        ready, ready_seconds = await _timed(harness.client.get("/readyz"))
        assert ready.status == 503 and (await ready.json())["status"] == "database pool exhausted"
        assert ready_seconds < 2, ready_seconds

        users = [STAFF, MANAGER, OTHER_STAFF, HR, ADMIN]
        started = time.monotonic()
        responses = await asyncio.gather(*(harness.post(teams.message(user, harness.service_url, "menu")) for user in users))
        saturated_seconds = time.monotonic() - started
        assert [r.status for r in responses] == [201] * len(users)
        assert all(UNAVAILABLE in (harness.connector.to(u.conversation_id)[-1].text or "") for u in users)
        assert saturated_seconds < 5, saturated_seconds  # 2 s in the pool, not 30

    assert (await harness.client.get("/readyz")).status == 200
    users = [STAFF, MANAGER, OTHER_STAFF, HR, ADMIN, DIRECTOR, LOGISTICS, COLLEAGUE, OTHER_MANAGER, STAFF]
    before = {u.conversation_id: len(harness.connector.to(u.conversation_id)) for u in users}
    started = time.monotonic()
    responses = await asyncio.gather(*(harness.post(teams.message(user, harness.service_url, "menu")) for user in users))
    queued_seconds = time.monotonic() - started
    assert [r.status for r in responses] == [201] * 10
    answers = [sent for u in set(users) for sent in harness.connector.to(u.conversation_id)[before[u.conversation_id]:]]
    assert len(answers) == 10 and all(sent.cards for sent in answers)
    print(f"exhausted pool: /readyz {ready_seconds:.2f} s, 5 turns told to retry in {saturated_seconds:.2f} s; "
          f"10 concurrent turns on 1+1 connections served in {queued_seconds:.2f} s")
