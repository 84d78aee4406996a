"""The botbuilder Storage on SQL: read/write/delete, eTag conflicts, restarts, concurrent writers."""

from __future__ import annotations

import asyncio

import pytest
from botbuilder.core import StoreItem

from bot.state_storage import SqlStorage
from storage.db import create_engine, create_session_factory


class StackEntry:
    def __init__(self, flow: str, state: dict) -> None:
        self.flow = flow
        self.state = state


class FlowState:
    """Shaped like botbuilder's DialogState: a stack of objects holding per-step state."""

    def __init__(self) -> None:
        self.stack: list[StackEntry] = []


class Note(StoreItem):
    def __init__(self, text: str = "", e_tag: str | None = None) -> None:
        super().__init__(e_tag=e_tag)
        self.text = text


@pytest.fixture
async def storage(database_url: str):  # noqa: ANN201
    engine = create_engine(database_url, pool_size=5)
    yield SqlStorage(create_session_factory(engine))
    await engine.dispose()


async def test_read_write_delete(storage: SqlStorage) -> None:
    assert await storage.read(["missing"]) == {}
    await storage.write({"conv/1": {"count": 1, "names": ["a"]}, "user/1": Note("hallo")})
    items = await storage.read(["conv/1", "user/1", "missing"])
    assert set(items) == {"conv/1", "user/1"}
    assert items["conv/1"]["count"] == 1 and items["conv/1"]["names"] == ["a"]
    assert items["conv/1"]["e_tag"]
    assert isinstance(items["user/1"], Note) and items["user/1"].text == "hallo"
    await storage.delete(["conv/1"])
    assert set(await storage.read(["conv/1", "user/1"])) == {"user/1"}


async def test_etag_changes_and_stale_writes_conflict(storage: SqlStorage) -> None:
    await storage.write({"conv/1": {"count": 1}})
    first = (await storage.read(["conv/1"]))["conv/1"]
    second = (await storage.read(["conv/1"]))["conv/1"]
    first["count"] = 2
    await storage.write({"conv/1": first})
    assert first["e_tag"] != second["e_tag"]  # the written item carries its new eTag
    second["count"] = 3
    with pytest.raises(KeyError, match="eTag conflict"):
        await storage.write({"conv/1": second})
    assert (await storage.read(["conv/1"]))["conv/1"]["count"] == 2
    # The winner can write again with the eTag it got back; "*" overwrites whatever is there.
    first["count"] = 4
    await storage.write({"conv/1": first})
    await storage.write({"conv/1": {"count": 5, "e_tag": "*"}})
    assert (await storage.read(["conv/1"]))["conv/1"]["count"] == 5


async def test_a_conflict_writes_nothing_of_the_batch(storage: SqlStorage) -> None:
    await storage.write({"a": {"v": 1}, "b": {"v": 1}})
    stale = (await storage.read(["b"]))["b"]
    await storage.write({"b": {"v": 2, "e_tag": "*"}})
    with pytest.raises(KeyError):
        await storage.write({"a": {"v": 9, "e_tag": "*"}, "b": {**stale, "v": 9}})
    items = await storage.read(["a", "b"])
    assert (items["a"]["v"], items["b"]["v"]) == (1, 2)


async def test_flow_state_survives_a_restart(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=2)
    state = FlowState()
    state.stack.append(StackEntry("equipment.request", {"step": 2, "item": "monitor"}))
    await SqlStorage(create_session_factory(engine)).write({"msteams/conversations/a:1": {"FlowState": state}})
    await engine.dispose()

    restarted = create_engine(database_url, pool_size=2)  # another process, another instance
    try:
        items = await SqlStorage(create_session_factory(restarted)).read(["msteams/conversations/a:1"])
    finally:
        await restarted.dispose()
    restored = items["msteams/conversations/a:1"]["FlowState"]
    assert isinstance(restored, FlowState)
    assert isinstance(restored.stack[0], StackEntry)
    assert (restored.stack[0].flow, restored.stack[0].state) == ("equipment.request", {"step": 2, "item": "monitor"})


async def test_concurrent_writers_on_postgresql(pg_database_url: str) -> None:
    """Two bot instances (separate engines) read the same state and write at once: exactly one wins."""
    engines = [create_engine(pg_database_url, pool_size=10) for _ in range(2)]
    stores = [SqlStorage(create_session_factory(engine)) for engine in engines]
    try:
        await stores[0].write({"conv/shared": {"count": 0}})
        readers = [(await stores[i % 2].read(["conv/shared"]))["conv/shared"] for i in range(10)]

        async def write(i: int) -> bool:
            item = {**readers[i], "count": i + 1}
            try:
                await stores[i % 2].write({"conv/shared": item})
            except KeyError:
                return False
            return True

        results = await asyncio.gather(*(write(i) for i in range(10)))
        assert results.count(True) == 1
        winner = results.index(True) + 1
        assert (await stores[1].read(["conv/shared"]))["conv/shared"]["count"] == winner

        # New keys written at once by both instances without an eTag: no error, one value stays.
        await asyncio.gather(*(stores[i % 2].write({f"conv/new-{i // 2}": {"by": i}}) for i in range(8)))
        fresh = await stores[0].read([f"conv/new-{n}" for n in range(4)])
        assert len(fresh) == 4
    finally:
        for engine in engines:
            await engine.dispose()
