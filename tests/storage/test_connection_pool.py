"""The PostgreSQL pool after the database went away while the bot was quiet: an idle connection is
pinged and replaced before a turn gets it, so the first turn after a restart does not fail."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
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
async def _engine(url: str, idle_ping_seconds: float) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(url, pool_size=2, idle_ping_seconds=idle_ping_seconds)
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
