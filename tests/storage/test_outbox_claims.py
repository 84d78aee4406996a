"""Claiming notifications on SQLite and PostgreSQL: one statement that leases due rows to one
instance; rows leased to another instance, not yet due or already sent are left alone, and
instances claiming at the same time never share a row."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.domain.notifications import DeliveryStatus, Notice
from storage.models.outbox import OutboxRow
from storage.uow import UnitOfWorkFactory
from tests.conftest import utc

NOW = utc(2026, 12, 2, 9, 0)
LEASE = timedelta(minutes=5)


class Ping(Notice, kind="test.ping"):
    n: int


async def _add(uow_factory: UnitOfWorkFactory, count: int, *, due_at=NOW) -> None:  # noqa: ANN001
    async with uow_factory() as uow:
        for n in range(count):
            await uow.outbox.add(1, Ping(n=n), due_at)
        await uow.commit()


async def _claim(uow_factory: UnitOfWorkFactory, instance: str, limit: int = 50, now=NOW) -> list[int]:  # noqa: ANN001
    async with uow_factory.standalone() as uow:
        claimed = await uow.outbox.claim(instance, now, LEASE, limit)
        await uow.commit()
    return [item.id for item in claimed]


async def test_a_claim_leases_due_rows_in_order_and_only_once(directory: UnitOfWorkFactory) -> None:
    await _add(directory, 3)
    await _add(directory, 1, due_at=NOW + timedelta(hours=1))
    first = await _claim(directory, "a", limit=2)
    assert first == sorted(first) and len(first) == 2
    rest = await _claim(directory, "b")
    assert len(rest) == 1 and set(rest).isdisjoint(first)  # the later row is not due yet
    assert await _claim(directory, "c") == []
    async with directory() as uow:
        rows = {row.id: row for row in await uow.session.scalars(select(OutboxRow))}
        assert {rows[i].claimed_by for i in first} == {"a"} and rows[rest[0]].claimed_by == "b"
        assert all(rows[i].claimed_until == NOW + LEASE for i in first + rest)
        assert await uow.outbox.finish(first[0], "a", DeliveryStatus.SENT, NOW) is True
        await uow.commit()
    # After the lease, what was not finished can be claimed again; the sent row never.
    again = await _claim(directory, "d", now=NOW + LEASE + timedelta(seconds=1))
    assert sorted(again) == sorted([first[1], rest[0]])


async def test_instances_claiming_at_once_never_share_a_row(directory: UnitOfWorkFactory) -> None:
    await _add(directory, 60)
    claims = await asyncio.gather(*(_claim(directory, f"instance-{i}", limit=7) for i in range(6)))
    taken = [row for claim in claims for row in claim]
    assert len(taken) == len(set(taken)) == 42
