"""Shared fixtures: databases (SQLite always, PostgreSQL when configured, mandatory in CI), a fake
Bot Connector on 127.0.0.1, and the real aiohttp app driven over HTTP."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.app import SERVICES, create_app
from bot.clock import FixedClock
from bot.config import load_settings
from bot.registry import Registry
from bot.runtime import Services
from bot.services.directory import ImportStaff, import_staff
from bot.tables import csv_table
from bot.wiring import register_services
from storage.db import create_engine, create_session_factory
from storage.models import Base
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.fakes import teams
from tests.fakes.connector import FakeConnector
from tests.fakes.people import CSV
from tests.fakes.teams import TeamsUser

BRUSSELS = ZoneInfo("Europe/Brussels")
# Sunday 22 November 2026, 10:00 in Brussels: the tests' "now" unless a test moves it.
DEFAULT_NOW = datetime(2026, 11, 22, 10, 0, tzinfo=BRUSSELS)
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str | None:
    """PostgreSQL is mandatory in CI (default URL) and optional elsewhere (TEST_DATABASE_URL).
    Under pytest-xdist each worker has a database of its own, named after the configured one
    (`test_gw0`, `test_gw1`, ...), so parallel workers never truncate each other's tables."""
    configured = os.environ.get("TEST_DATABASE_URL") or (DEFAULT_PG if CI else None)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if configured is None or not worker:
        return configured
    url = make_url(configured)
    return url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)


def pytest_configure(config: pytest.Config) -> None:
    """An xdist worker creates its own PostgreSQL database (once; it is kept for the next run)."""
    configured = os.environ.get("TEST_DATABASE_URL") or (DEFAULT_PG if CI else None)
    own = postgres_url()
    if configured is None or own == configured:
        return
    asyncio.run(_create_database(configured, make_url(own).database))


async def _create_database(server_url: str, name: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            exists = await connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if not exists:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OSError:
        pass  # unreachable: the PostgreSQL tests fail (CI) or skip with the reason
    finally:
        await engine.dispose()


def pytest_report_header(config: pytest.Config) -> str:
    url = postgres_url()
    return f"postgresql: {make_url(url).render_as_string(hide_password=True) if url else 'not configured (set TEST_DATABASE_URL)'}"


_pg_prepared: set[str] = set()

# Emptying the tables with DELETE (children first) and restarting every sequence is several times
# faster than TRUNCATE, which gives each of the tables a new file on disk; one DO block is one
# round trip.
_EMPTY_ALL_TABLES = (
    "DO $$ DECLARE s record; BEGIN "
    + " ".join(f'DELETE FROM "{table.name}";' for table in reversed(Base.metadata.sorted_tables))
    + " FOR s IN SELECT schemaname, sequencename FROM pg_sequences WHERE schemaname = current_schema() LOOP"
    " EXECUTE format('ALTER SEQUENCE %I.%I RESTART', s.schemaname, s.sequencename); END LOOP; END $$"
)


async def _prepare_postgres(url: str) -> None:
    engine = create_engine(url, pool_size=2)
    try:
        async with engine.begin() as connection:
            if url not in _pg_prepared:
                await connection.run_sync(Base.metadata.drop_all)
                await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
                await connection.run_sync(Base.metadata.create_all)
                _pg_prepared.add(url)
            else:
                await connection.exec_driver_sql(_EMPTY_ALL_TABLES)
    except OSError as error:
        message = f"PostgreSQL at {make_url(url).render_as_string(hide_password=True)} is unreachable: {error}"
        if CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    finally:
        await engine.dispose()


async def _ready_postgres() -> str:
    """The PostgreSQL URL with a fresh schema; outside CI a missing TEST_DATABASE_URL skips (in CI
    the default URL is always set, and an unreachable server fails the run)."""
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL (CI uses 127.0.0.1:5432/test)")
    await _prepare_postgres(url)
    return url


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file holding the empty schema, made once per run; each test gets a copy (faster
    than creating every table again)."""
    path = tmp_path_factory.mktemp("schema") / "schema.db"

    async def create() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        await engine.dispose()

    asyncio.run(create())
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_schema: Path) -> AsyncIterator[str]:
    """A fresh, empty schema on each backend."""
    if request.param == "sqlite":
        shutil.copyfile(sqlite_schema, tmp_path / "test.db")
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    yield await _ready_postgres()


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # noqa: ANN001
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


def approval_subjects() -> dict[str, Any]:
    """The approval subjects the app registers (home-work days, equipment requests)."""
    registry = Registry()
    register_services(registry)
    return registry.approval_subjects


@asynccontextmanager
async def _units_of_work(url: str, pool_size: int) -> AsyncIterator[UnitOfWorkFactory]:
    engine = create_engine(url, pool_size=pool_size)
    try:
        yield UnitOfWorkFactory(create_session_factory(engine), approval_subjects=approval_subjects())
    finally:
        await engine.dispose()


@pytest.fixture
async def uow_factory(database_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    async with _units_of_work(database_url, 5) as factory:
        yield factory


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


async def load_directory(uow_factory: UnitOfWorkFactory, csv_text: str = CSV) -> None:
    await import_staff(uow_factory(), ImportStaff(csv_table(csv_text), actor="test"), DEFAULT_NOW)


@pytest.fixture
async def directory(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """The test directory (tests/fakes/people.py) loaded into the database."""
    await load_directory(uow_factory)
    return uow_factory


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = await FakeConnector().start()
    yield fake
    await fake.close()


@dataclass
class BotHarness:
    """The real app under aiohttp's test server, talking to the fake connector."""

    client: TestClient
    connector: FakeConnector
    services: Services
    clock: FixedClock

    @property
    def service_url(self) -> str:
        return self.connector.url

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> ClientResponse:
        """Post one activity; returns as soon as the bot answered (notifications may still be on
        their way: `delivered()` waits for them)."""
        return await self.client.post("/api/messages", json=activity, headers=headers)

    def uow(self) -> UnitOfWork:
        """A unit of work on the app's database, for a test to look at what the bot stored."""
        return self.services.uow_factory()

    async def delivered(self) -> None:
        """Wait (at most 10 s) until the notifications recorded so far reached the fake connector."""
        async with asyncio.timeout(10):
            await self.services.dispatcher.settled()

    async def say(self, user: TeamsUser, text_: str) -> list[Any]:
        """Send a message; returns what the bot sent back to that user's chat."""
        before = len(self.connector.to(user.conversation_id))
        response = await self.post(teams.message(user, self.service_url, text_))
        assert response.status in (200, 201), await response.text()
        await self.delivered()
        return self.connector.to(user.conversation_id)[before:]

    async def submit(self, user: TeamsUser, data: dict[str, Any]) -> list[Any]:
        before = len(self.connector.to(user.conversation_id))
        response = await self.post(teams.submit(user, self.service_url, data))
        assert response.status in (200, 201), await response.text()
        await self.delivered()
        return self.connector.to(user.conversation_id)[before:]

    async def execute(self, user: TeamsUser, verb: str, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Action.Execute; returns the invoke response body (the Universal Actions contract)."""
        response = await self.post(teams.execute(user, self.service_url, verb, data, **kwargs))
        assert response.status == 200, await response.text()
        await self.delivered()
        return await response.json()

    async def install(self, user: TeamsUser) -> list[Any]:
        before = len(self.connector.to(user.conversation_id))
        response = await self.post(teams.install(user, self.service_url))
        assert response.status in (200, 201), await response.text()
        await self.delivered()
        return self.connector.to(user.conversation_id)[before:]



def make_settings(database_url: str, **overrides: Any):  # noqa: ANN201
    values: dict[str, Any] = {
        "DATABASE_URL": database_url, "BACKGROUND_JOBS": False, "MICROSOFT_APP_ID": "",
        "LINK_SIGNING_KEY": "test-signing-key-" + uuid.uuid4().hex, "_env_file": None,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def app_registry() -> Registry | None:
    """The registry the harness's app is built with; None is the service's own. A test module
    overrides this fixture to add kinds of its own."""
    return None


@pytest.fixture
async def harness(
    directory: UnitOfWorkFactory, database_url: str, connector: FakeConnector, clock: FixedClock, app_registry: Registry | None
) -> AsyncIterator[BotHarness]:
    app = create_app(make_settings(database_url), clock=clock, extensions=[], registry=app_registry)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield BotHarness(client=client, connector=connector, services=app[SERVICES], clock=clock)
    finally:
        await client.close()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
async def pg_database_url() -> AsyncIterator[str]:
    """PostgreSQL only (row locks, SKIP LOCKED, concurrent writers): mandatory in CI, where an
    unreachable server fails the run; elsewhere it needs TEST_DATABASE_URL."""
    yield await _ready_postgres()


@pytest.fixture
async def pg_uow_factory(pg_database_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    async with _units_of_work(pg_database_url, 20) as factory:
        yield factory


@pytest.fixture
async def pg_directory(pg_uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    await load_directory(pg_uow_factory)
    return pg_uow_factory


@pytest.fixture
def dateparser_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the registration parser hands to dateparser (its costly part) in the test."""
    from bot.domain import homework_text

    calls: list[str] = []
    real = homework_text.dateparser.parse

    def counting(text: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(homework_text.dateparser, "parse", counting)
    return calls
