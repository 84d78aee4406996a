"""Which database errors are an outage (`bot.adapter.is_database_error`: the user is told the
database is briefly unavailable and may retry) and which are not (a retry fails the same way: the
generic apology), on real errors from SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.adapter import is_database_error
from storage.db import DatabaseLimits, create_engine
from storage.models.directory import EntityRow


async def _error_of(engine: AsyncEngine, work: Callable[..., Awaitable[object]]) -> BaseException:
    try:
        async with engine.begin() as connection:
            await work(connection)
    except Exception as error:
        return error
    raise AssertionError("expected a failure")


@pytest.fixture
async def engine(database_url: str):  # noqa: ANN201
    engine = create_engine(database_url, pool_size=2, limits=DatabaseLimits(statement=0.3))
    yield engine
    await engine.dispose()


async def _duplicate(connection) -> None:  # noqa: ANN001
    await connection.execute(insert(EntityRow).values(code="X", name="x", policy={}))
    await connection.execute(insert(EntityRow).values(code="X", name="x again", policy={}))


async def _syntax(connection) -> None:  # noqa: ANN001
    await connection.execute(text("SELEC 1"))


async def _too_long(connection) -> None:  # noqa: ANN001
    await connection.execute(insert(EntityRow).values(code="C" * 33, name="x", policy={}))


async def _not_a_number(connection) -> None:  # noqa: ANN001
    await connection.execute(text("SELECT CAST(:value AS integer)"), {"value": "twelve"})


async def _nul(connection) -> None:  # noqa: ANN001
    await connection.execute(insert(EntityRow).values(code="N", name="a\x00b", policy={}))


async def _slow(connection) -> None:  # noqa: ANN001
    await connection.execute(text("SELECT pg_sleep(2)"))


@pytest.mark.parametrize(
    ("work", "outage", "postgres_only"),
    [(_duplicate, False, False), (_syntax, False, False), (_too_long, False, True), (_not_a_number, False, True),
     (_nul, False, True), (_slow, True, True)],
    ids=["unique constraint", "syntax", "value too long", "invalid number", "NUL character", "statement timeout"],
)
async def test_classification_of_real_errors(
    engine: AsyncEngine, database_url: str, work: Callable[..., Awaitable[object]], outage: bool, postgres_only: bool,
) -> None:
    if postgres_only and database_url.startswith("sqlite"):
        pytest.skip("SQLite accepts it")
    error = await _error_of(engine, work)
    assert is_database_error(error) is outage, repr(error)


async def test_an_unreachable_server_is_an_outage() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nothing", limits=DatabaseLimits(connect=1))
    try:
        error = await _error_of(engine, _syntax)
    finally:
        await engine.dispose()
    assert is_database_error(error), repr(error)


def test_timeouts_and_lost_connections_are_outages() -> None:
    assert is_database_error(TimeoutError())
    assert is_database_error(ConnectionResetError())
    assert not is_database_error(ValueError("not a database error"))
    assert not is_database_error(UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"))


async def test_a_locked_sqlite_database_is_an_outage(sqlite_url: str) -> None:
    first = create_engine(sqlite_url)
    second = create_async_engine(sqlite_url, connect_args={"timeout": 0.1})
    try:
        async with first.begin() as setup:
            await setup.exec_driver_sql("CREATE TABLE t (x integer)")
        async with first.connect() as holder:
            await holder.exec_driver_sql("INSERT INTO t VALUES (1)")  # holds the write lock (BEGIN IMMEDIATE)

            async def write(connection) -> None:  # noqa: ANN001
                await connection.exec_driver_sql("INSERT INTO t VALUES (2)")

            error = await _error_of(second, write)
            assert is_database_error(error), repr(error)
            await holder.rollback()
    finally:
        await first.dispose()
        await second.dispose()
