"""Engine and session factory for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool, QueuePool

# A pooled PostgreSQL connection that sat unused this long is pinged before a turn gets it.
IDLE_PING_SECONDS = 10.0


@dataclass(frozen=True)
class DatabaseLimits:
    """How long PostgreSQL work may wait, in seconds (None: no limit).

    connect: opening a connection (TCP and the start-up handshake); pool: waiting for a pooled
    connection when all are in use; statement: PostgreSQL cancels a statement running longer
    (`statement_timeout`); command: the client gives up on a statement that got no answer, for a
    server or network that went silent (keep it above `statement`, so the server's own cancel,
    which leaves the connection usable, normally comes first).
    """

    connect: float | None = None
    pool: float | None = None
    statement: float | None = None
    command: float | None = None

    def connect_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {}
        if self.connect:
            args["timeout"] = self.connect
        if self.command:
            args["command_timeout"] = self.command
        if self.statement:
            args["server_settings"] = {"statement_timeout": str(int(self.statement * 1000))}
        return args


def create_engine(
    database_url: str, *, pool_size: int = 10, echo: bool = False, idle_ping_seconds: float = IDLE_PING_SECONDS,
    limits: DatabaseLimits | None = None,
) -> AsyncEngine:
    """Create the engine; SQLite gets WAL, a busy timeout and foreign keys so concurrent turns wait
    for the single writer instead of failing, PostgreSQL a bounded pool whose idle connections are
    checked before use, with the time limits of `limits` (none by default: command-line work such
    as imports and reports may take long)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        from storage.sqlite_driver import one_trip_dbapi  # aiosqlite only where SQLite is used

        database = url.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, echo=echo, poolclass=NullPool if database in ("", ":memory:") else None,
            connect_args={"timeout": 30}, **({"module": one_trip_dbapi()} if url.get_driver_name() == "aiosqlite" else {}),
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        # aiosqlite starts transactions lazily; BEGIN IMMEDIATE takes the write lock up front so
        # two writers queue on the busy timeout instead of failing with "database is locked".
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    limits = limits or DatabaseLimits()
    pool_args: dict[str, Any] = {"pool_timeout": limits.pool} if limits.pool else {}
    # Up to twice `pool_size` connections, each kept once opened. A burst beyond pool_size used to
    # open "overflow" connections that the pool closed again on return: under steady load above
    # pool_size every such turn paid a new PostgreSQL connection (its TCP handshake, start-up and
    # a new server process), which cost more than the turn's own statements.
    engine = create_async_engine(
        url, echo=echo, pool_size=2 * pool_size, max_overflow=0, pool_recycle=1800,
        connect_args=limits.connect_args(), **pool_args,
    )
    _ping_after_idle(engine, idle_ping_seconds)
    _close_dead_connections_at_once(engine)
    return engine


def pool_exhausted(engine: AsyncEngine) -> bool:
    """True when every connection the pool may open is checked out (the next turn has to wait)."""
    pool = engine.sync_engine.pool
    if not is_postgres(engine) or not isinstance(pool, QueuePool):
        return False  # SQLite turns queue on the writer lock, not on the pool
    return pool.checkedout() >= pool.size()  # twice the configured pool_size (create_engine)


def _close_dead_connections_at_once(engine: AsyncEngine) -> None:
    """Close an invalidated connection without the goodbye handshake. SQLAlchemy first tries a
    graceful close and waits up to 2 seconds for the server's answer; a connection is invalidated
    because the server or the network stopped answering (a timeout, a cancelled turn), so that wait
    would only add 2 seconds to the turn that hit it."""

    @event.listens_for(engine.sync_engine.pool, "invalidate")
    def _terminate(dbapi_connection, _record, _exception) -> None:  # noqa: ANN001 - pool types
        driver = getattr(dbapi_connection, "driver_connection", None)
        if driver is not None and not driver.is_closed():
            driver.terminate()


def _ping_after_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Ping a pooled connection only when it sat idle, so a database restart during a quiet spell
    costs no turn. SQLAlchemy's pool_pre_ping pings on every checkout, which on asyncpg is three
    round trips (BEGIN, a query, ROLLBACK) and cost a quarter of a busy turn's time. A connection
    that dies under load is still caught: the failed turn invalidates the whole pool."""
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def _idle_since(_dbapi_connection, record) -> None:  # noqa: ANN001 - pool types
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:  # noqa: ANN001
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool replaces this connection, and every other one as old (after a database
            # restart they are all gone), then tries again; a fresh connection is not pinged.
            gone = DisconnectionError(f"idle connection is gone: {type(error).__name__}")
            gone.invalidate_pool = True
            raise gone from error


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI types
    # Let SQLAlchemy, not the driver, manage transactions (required for BEGIN IMMEDIATE).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:  # noqa: ANN001
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def is_postgres(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"
