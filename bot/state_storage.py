"""botbuilder `Storage` on the shared SQL database, with eTag optimistic concurrency, so dialog
state survives a restart and several bot instances can share it."""

from __future__ import annotations

from typing import Any

import jsonpickle
from botbuilder.core import Storage, StoreItem
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories.bot_state import BotStateRepository, ETagConflict

ETAG = "e_tag"


def _etag_of(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get(ETAG)
    return getattr(value, ETAG, None)


class SqlStorage(Storage):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        super().__init__()
        self.rows = BotStateRepository(session_factory)

    async def read(self, keys: list[str]) -> dict[str, Any]:
        stored = await self.rows.read(list(keys or []))
        result: dict[str, Any] = {}
        for key, (etag, data) in stored.items():
            value = jsonpickle.Unpickler().restore(data, reset=True)
            if isinstance(value, dict):
                value[ETAG] = etag
            elif value is not None:
                setattr(value, ETAG, etag)
            result[key] = value
        return result

    async def write(self, changes: dict[str, StoreItem | dict[str, Any]]) -> None:
        if changes is None:
            raise ValueError("changes are required when writing")
        if not changes:
            return
        items: dict[str, tuple[str | None, dict[str, Any]]] = {}
        for key, value in changes.items():
            expected = _etag_of(value)
            if expected == "":
                raise ValueError(f"empty eTag for {key}")
            flat = jsonpickle.Pickler(unpicklable=True).flatten(value, reset=True)
            if isinstance(flat, dict):
                flat.pop(ETAG, None)
            items[key] = (expected, flat)
        try:
            new_etags = await self.rows.write(items)
        except ETagConflict as conflict:
            # botbuilder's storages signal a conflict with KeyError.
            raise KeyError(f"eTag conflict on {conflict.args[0]}") from None
        for key, value in changes.items():
            if isinstance(value, dict):
                value[ETAG] = new_etags[key]
            elif hasattr(value, ETAG) or not isinstance(value, str | int | float | list):
                setattr(value, ETAG, new_etags[key])

    async def delete(self, keys: list[str]) -> None:
        await self.rows.delete(list(keys or []))
