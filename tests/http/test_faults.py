"""Faults during a turn: the database going away (through a TCP proxy that is closed and reopened)
and the Bot Connector failing while the bot replies. The third fault, a worker killed in the middle
of a broadcast, is tested with the broadcasts."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.app import SERVICES, create_app
from bot.clock import FixedClock
from storage.models.directory import AuditRow
from storage.models.homework import WorkRegistrationRow
from storage.repositories.homework import RegistrationRepository
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW, BotHarness, make_settings
from tests.fakes import teams
from tests.fakes.connector import FakeConnector
from tests.fakes.people import STAFF
from tests.fakes.tcp_proxy import TcpProxy

UNAVAILABLE = "De databank is even niet bereikbaar"
MONDAY, TUESDAY, WEDNESDAY = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)


@pytest.fixture
async def proxied(pg_directory: UnitOfWorkFactory, pg_database_url: str, connector: FakeConnector) -> AsyncIterator[tuple[BotHarness, TcpProxy]]:
    """The app on PostgreSQL through a proxy the test can cut."""
    url = make_url(pg_database_url)
    proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    proxied_url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    clock = FixedClock(DEFAULT_NOW)
    app = create_app(make_settings(proxied_url), clock=clock, extensions=[])
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield BotHarness(client=client, connector=connector, services=app[SERVICES], clock=clock), proxy
    finally:
        await client.close()
        await proxy.close()


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
