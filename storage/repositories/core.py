"""Core statements on the unit of work's own connection, past the ORM session's execute path.

A statement sent through `AsyncSession.execute` pays for the ORM's execution machinery (bind
resolution, compile-state set-up, result wrapping) even when it names only columns and tables:
measured on the turn's statements, about 40% of SQLAlchemy's CPU per statement. The hot paths'
statements (built once at import, columns only, no entities) go through `CoreStatements` instead:
the session's connection, fetched once per transaction, so they still run in the unit of work's
transaction, in order with everything else. Statements that load ORM entities stay on the session.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Executable, Insert, Result, Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


class CoreStatements:
    __slots__ = ("_connection", "_session")

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._connection: AsyncConnection | None = None

    async def _current(self) -> AsyncConnection:
        connection = self._connection
        if connection is None or connection.closed:  # a commit or rollback released the last one
            connection = self._connection = await self._session.connection()
        return connection

    async def execute(self, statement: Executable, params: Any = None) -> Result[Any]:
        return await (await self._current()).execute(statement, params)

    async def scalar(self, statement: Executable, params: Any = None) -> Any:
        return await (await self._current()).scalar(statement, params)


@cache
def _insert_into(table: Table) -> Insert:
    """One INSERT per table, built once (every unit of work makes a PendingInsert for two tables)."""
    return insert(table)


class PendingInsert:
    """Rows for one table, collected during a use case and written with the unit of work's commit in
    one INSERT (audit rows, notices): a turn that records several pays one round trip, and none of
    the ORM's flush bookkeeping."""

    __slots__ = ("_insert", "_rows", "_sql")

    def __init__(self, table: Table, sql: CoreStatements) -> None:
        self._insert = _insert_into(table)
        self._sql = sql
        self._rows: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        self._rows.append(row)

    async def flush(self) -> None:
        if self._rows:
            rows, self._rows = self._rows, []
            # One row (most transactions) as a plain execute: the driver's executemany path for a
            # list costs about twice as much for the same single row.
            await self._sql.execute(self._insert, rows[0] if len(rows) == 1 else rows)

    def discard(self) -> None:
        self._rows.clear()
