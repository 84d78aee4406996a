"""Rows behind the Bot Framework state storage: key, eTag and JSON data."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models.base import utcnow
from storage.models.directory import BotStateRow


class ETagConflict(Exception):
    """The stored item changed since it was read."""


class BotStateRepository:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    async def read(self, keys: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        if not keys:
            return {}
        async with self.session_factory() as session:
            rows = await session.execute(select(BotStateRow.key, BotStateRow.etag, BotStateRow.data).where(BotStateRow.key.in_(keys)))
            return {key: (etag, data) for key, etag, data in rows}

    async def write(self, items: dict[str, tuple[str | None, dict[str, Any]]]) -> dict[str, str]:
        """Write all items in one transaction; an item whose expected eTag (not None or "*") no
        longer matches raises ETagConflict and nothing is written. Returns the new eTags."""
        new_etags: dict[str, str] = {}
        async with self.session_factory() as session, session.begin():
            for key, (expected, data) in items.items():
                new_etag = uuid.uuid4().hex
                conditional = expected not in (None, "*")
                statement = update(BotStateRow).where(BotStateRow.key == key)
                if conditional:
                    statement = statement.where(BotStateRow.etag == expected)
                result = await session.execute(statement.values(data=data, etag=new_etag, updated_at=utcnow()))
                if result.rowcount == 0:
                    if conditional and await session.scalar(select(BotStateRow.key).where(BotStateRow.key == key)):
                        raise ETagConflict(key)
                    try:
                        async with session.begin_nested():
                            session.add(BotStateRow(key=key, etag=new_etag, data=data, updated_at=utcnow()))
                    except IntegrityError:
                        # Another writer created it first.
                        if conditional:
                            raise ETagConflict(key) from None
                        await session.execute(
                            update(BotStateRow).where(BotStateRow.key == key).values(data=data, etag=new_etag, updated_at=utcnow())
                        )
                new_etags[key] = new_etag
        return new_etags

    async def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        async with self.session_factory() as session, session.begin():
            await session.execute(delete(BotStateRow).where(BotStateRow.key.in_(keys)))
