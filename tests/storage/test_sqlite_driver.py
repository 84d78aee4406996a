"""SQLite's statements take one trip to aiosqlite's thread each, and give what SQLAlchemy's own
adapter gives: rows, counts, RETURNING, errors, rollbacks and streamed results."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from storage.db import create_engine
from storage.sqlite_driver import OneTripConnection


@pytest.fixture
async def engine(tmp_path: Path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, n INTEGER)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls queued on aiosqlite's thread, by function name."""
    calls: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):  # noqa: ANN001 - aiosqlite's signature
        calls.append(getattr(fn, "__name__", type(fn).__name__))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls


async def test_the_engine_uses_the_one_trip_connection(engine) -> None:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.dbapi_connection, OneTripConnection)


async def test_a_statement_is_one_trip_and_its_rows_come_back(engine, trips: list[str]) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO item (name, n) VALUES ('a', 1), ('b', 2)"))
        trips.clear()
        rows = (await connection.execute(text("SELECT name, n FROM item ORDER BY name"))).all()
        assert trips == ["_run_statement"]
        assert [tuple(row) for row in rows] == [("a", 1), ("b", 2)]


async def test_counts_returning_and_last_row_id(engine) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(text("INSERT INTO item (name, n) VALUES ('a', 1)"))
        assert inserted.lastrowid == 1
        await connection.execute(text("INSERT INTO item (name, n) VALUES (:name, :n)"), [{"name": "b", "n": 2}, {"name": "c", "n": 3}])
        updated = await connection.execute(text("UPDATE item SET n = n + 10 WHERE n >= 2"))
        assert updated.rowcount == 2
        returned = await connection.execute(text("UPDATE item SET n = 0 WHERE name = 'a' RETURNING id, n"))
        assert [tuple(row) for row in returned] == [(1, 0)]
        assert (await connection.execute(text("SELECT sum(n) FROM item"))).scalar_one() == 25


async def test_an_error_is_raised_and_the_transaction_rolls_back(engine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO item (name, n) VALUES ('a', 1)"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO item (name, n) VALUES ('b', 2)"))
            await connection.execute(text("INSERT INTO item (name, n) VALUES ('a', 3)"))
    with pytest.raises(OperationalError):
        async with engine.connect() as connection:
            await connection.execute(text("SELECT nothing FROM nowhere"))
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT name FROM item"))).scalars().all() == ["a"]


async def test_a_streamed_result_still_arrives_in_steps(engine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO item (name, n) VALUES (:name, :n)"), [{"name": f"x{i}", "n": i} for i in range(250)])
    async with engine.connect() as connection:
        result = await connection.stream(text("SELECT n FROM item ORDER BY n"))
        seen = [row.n async for row in result]
    assert seen == list(range(250))
