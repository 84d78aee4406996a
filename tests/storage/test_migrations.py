"""Alembic: upgrade head, downgrade base, upgrade head again; the migrated schema equals the models."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from storage.db import create_engine
from storage.migrate import downgrade, upgrade
from storage.models import Base
from tests.conftest import postgres_url


async def _schema_differences(url: str) -> list:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata)
            )
    finally:
        await engine.dispose()


async def _tables(url: str) -> set[str]:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def _empty_postgres(url: str) -> None:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@asynccontextmanager
async def _emptied_postgres() -> AsyncIterator[str]:
    """The PostgreSQL test database with an empty schema, given back empty for the other
    PostgreSQL tests to recreate."""
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL")
    await _empty_postgres(url)
    try:
        yield url
    finally:
        await _empty_postgres(url)
        from tests import conftest

        conftest._pg_prepared.discard(url)


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_database(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:  # noqa: ANN001
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
        return
    async with _emptied_postgres() as url:
        yield url


async def test_round_trip_and_schema_equals_models(empty_database: str) -> None:
    await asyncio.to_thread(upgrade, empty_database)
    assert await _schema_differences(empty_database) == []
    model_tables = set(Base.metadata.tables)
    assert model_tables <= await _tables(empty_database)

    await asyncio.to_thread(downgrade, empty_database, "base")
    assert await _tables(empty_database) <= {"alembic_version"}

    await asyncio.to_thread(upgrade, empty_database)
    assert await _schema_differences(empty_database) == []



@pytest.fixture
async def empty_postgres() -> AsyncIterator[str]:
    """An empty PostgreSQL database: several instances share one only there (SQLite is the
    embedded single-instance default)."""
    async with _emptied_postgres() as url:
        yield url


async def test_instances_started_together_migrate_once(empty_postgres: str) -> None:
    """Three instances starting at the same moment on an empty PostgreSQL database (three `bot
    migrate` processes) all come up, on a schema that equals the models: the advisory lock makes
    the later ones wait and then find the schema at head."""
    environment = {**os.environ, "DATABASE_URL": empty_postgres}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "migrate", env=environment,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    outputs = await asyncio.wait_for(asyncio.gather(*(process.communicate() for process in processes)), 120)

    assert [process.returncode for process in processes] == [0, 0, 0], [out.decode()[-2000:] for out, _ in outputs]
    assert await _schema_differences(empty_postgres) == []
