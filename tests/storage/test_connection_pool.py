"""The PostgreSQL pool after the database went away while the bot was quiet: an idle connection is
pinged and replaced before a turn gets it, so the first turn after a restart does not fail. And the
time limits (`storage.db.DatabaseLimits`): a statement PostgreSQL cancels, a server that goes
silent, a connection that cannot be opened, a pool with nothing to spare."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapter import is_database_error
from storage.db import DatabaseLimits, create_engine, pool_exhausted
from tests.fakes.tcp_proxy import TcpProxy


@pytest.fixture
async def proxy(pg_database_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    url = make_url(pg_database_url)
    proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    try:
        yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    finally:
        await proxy.close()


async def _restart(proxy: TcpProxy) -> None:
    await proxy.close()  # every pooled connection is cut
    await proxy.reopen()


@contextlib.asynccontextmanager
async def _engine(url: str, idle_ping_seconds: float = 3600, limits: DatabaseLimits | None = None) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(url, pool_size=2, idle_ping_seconds=idle_ping_seconds, limits=limits)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _select_one(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(text("select 1")))


async def test_an_idle_connection_that_died_is_replaced_before_use(proxy: tuple[TcpProxy, str]) -> None:
    tcp_proxy, url = proxy
    async with _engine(url, idle_ping_seconds=0) as engine:
        assert await _select_one(engine) == 1
        await _restart(tcp_proxy)
        assert await _select_one(engine) == 1


async def test_a_busy_connection_is_not_pinged_and_one_failure_renews_the_pool(proxy: tuple[TcpProxy, str]) -> None:
    # Under load connections are never idle long enough to be pinged: a connection that died
    # fails its turn (the user is told to retry) and the whole pool is renewed with it.
    tcp_proxy, url = proxy
    async with _engine(url, idle_ping_seconds=3600) as engine:
        assert await _select_one(engine) == 1
        await _restart(tcp_proxy)
        with pytest.raises(DBAPIError) as failure:
            await _select_one(engine)
        assert failure.value.connection_invalidated
        assert await _select_one(engine) == 1


async def _failure_after(call: object) -> tuple[BaseException, float]:
    started = time.monotonic()
    try:
        await call  # type: ignore[misc]
    except Exception as error:
        return error, time.monotonic() - started
    raise AssertionError("expected a failure")


async def test_postgres_cancels_a_long_statement_and_the_connection_stays_usable(proxy: tuple[TcpProxy, str]) -> None:
    _, url = proxy
    async with _engine(url, limits=DatabaseLimits(statement=0.5, command=5)) as engine, engine.connect() as connection:
        error, seconds = await _failure_after(connection.execute(text("SELECT pg_sleep(3)")))
        assert isinstance(error, DBAPIError) and error.orig.sqlstate == "57014"  # query_canceled
        assert is_database_error(error)
        assert seconds < 2, seconds
        await connection.rollback()
        assert await connection.scalar(text("SELECT 1")) == 1


async def test_a_silent_server_is_given_up_within_the_command_timeout(proxy: tuple[TcpProxy, str]) -> None:
    tcp_proxy, url = proxy
    async with _engine(url, limits=DatabaseLimits(connect=1, command=1)) as engine:
        assert await _select_one(engine) == 1
        tcp_proxy.black_hole()
        # A pooled connection: the statement gets no answer. The connection is closed at once
        # (no 2-second goodbye to a server that does not answer).
        error, pooled_seconds = await _failure_after(_select_one(engine))
        assert is_database_error(error)
        assert pooled_seconds < 1.8, pooled_seconds
        # A new connection: the start-up handshake gets no answer.
        error, connect_seconds = await _failure_after(_select_one(engine))
        assert is_database_error(error)
        assert connect_seconds < 1.8, connect_seconds
        tcp_proxy.restore()
        assert await _select_one(engine) == 1
    print(f"silent server: pooled statement given up in {pooled_seconds:.2f} s, connect in {connect_seconds:.2f} s")


async def test_a_cancelled_statement_frees_its_connection_at_once(proxy: tuple[TcpProxy, str]) -> None:
    """A turn past its deadline is cancelled in the middle of a statement: the connection is
    closed without waiting for the silent server, and the pool opens a new one when it answers."""
    tcp_proxy, url = proxy
    async with _engine(url, limits=DatabaseLimits(connect=1, command=30)) as engine:
        assert await _select_one(engine) == 1
        tcp_proxy.black_hole()
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5):
                await _select_one(engine)
        assert time.monotonic() - started < 1.2
        assert engine.sync_engine.pool.checkedout() == 0
        tcp_proxy.restore()
        assert await _select_one(engine) == 1


async def test_waiting_for_a_pooled_connection_is_bounded(pg_database_url: str) -> None:
    engine = create_engine(pg_database_url, pool_size=1, limits=DatabaseLimits(pool=0.5))
    try:
        async with engine.connect() as first, engine.connect() as second:
            for held in (first, second):
                await held.execute(text("SELECT 1"))
            assert pool_exhausted(engine)
            error, seconds = await _failure_after(_select_one(engine))
            assert isinstance(error, PoolTimeout) and is_database_error(error)
            assert 0.4 < seconds < 1.5, seconds
        assert not pool_exhausted(engine)
        assert await _select_one(engine) == 1
    finally:
        await engine.dispose()


async def test_a_burst_above_the_pool_size_keeps_its_connections_for_the_next(pg_database_url: str) -> None:
    # Up to twice pool_size connections, each kept: a steady load above pool_size opens no new
    # connection per turn (they used to be closed on return, and every such turn reconnected).
    engine = create_engine(pg_database_url, pool_size=2)
    opened: list[int] = []
    event.listen(engine.sync_engine, "connect", lambda *_args: opened.append(1))

    async def hold(seconds: float) -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            await asyncio.sleep(seconds)

    try:
        await asyncio.gather(*(hold(0.05) for _ in range(4)))
        assert len(opened) == 4 and engine.sync_engine.pool.checkedin() == 4
        for _ in range(3):
            await asyncio.gather(*(hold(0.01) for _ in range(4)))
        assert len(opened) == 4
    finally:
        await engine.dispose()
