"""The unit of work on SQLite and PostgreSQL: its repositories belong to one block, what a block
recorded is written with its commit and never by a later block, and the outcome of a delivery is
recorded only by the instance holding the lease."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.domain.notifications import DeliveryStatus, Notice, Sent
from storage.models.directory import AuditRow
from storage.models.outbox import OutboxRow
from storage.uow import UnitOfWorkFactory
from tests.conftest import utc

NOW = utc(2026, 12, 2, 9, 0)


class Ping(Notice, kind="test.ping"):
    n: int


async def _count(uow_factory: UnitOfWorkFactory, row: type) -> int:
    async with uow_factory() as uow:
        return await uow.session.scalar(select(func.count()).select_from(row))


async def test_each_block_has_its_own_repositories(directory: UnitOfWorkFactory) -> None:
    uow = directory()
    async with uow:
        first = uow.staff
        assert uow.staff is first
        assert uow.staff.session is uow.session
    async with uow:
        assert uow.staff is not first
        assert uow.staff.session is uow.session


async def test_what_a_block_left_without_commit_recorded_is_never_written(directory: UnitOfWorkFactory) -> None:
    audit_before, outbox_before = await _count(directory, AuditRow), await _count(directory, OutboxRow)
    uow = directory()
    async with uow:
        await uow.audit.record("staff:1", "test.left", "test", 1)
        await uow.outbox.add(1, Ping(n=1), NOW)
    async with uow:  # the same unit of work again: the earlier block's rows are gone
        await uow.audit.record("staff:1", "test.kept", "test", 2)
        await uow.commit()
    async with uow:
        await uow.audit.record("staff:1", "test.rolled_back", "test", 3)
        await uow.outbox.add(1, Ping(n=3), NOW)
        await uow.rollback()
        await uow.commit()
    async with directory() as check:
        actions = (await check.session.scalars(select(AuditRow.action).where(AuditRow.action.like("test.%")))).all()
    assert actions == ["test.kept"]
    assert await _count(directory, AuditRow) == audit_before + 1
    assert await _count(directory, OutboxRow) == outbox_before


async def test_a_commit_with_notifications_wakes_the_listeners(directory: UnitOfWorkFactory) -> None:
    woken: list[int] = []
    directory.on_notifications(lambda: woken.append(1))
    async with directory() as uow:
        await uow.audit.record("staff:1", "test.nothing_to_send", "test", 1)
        await uow.commit()
    assert woken == []
    async with directory() as uow:
        await uow.outbox.add(1, Ping(n=1), NOW)
        await uow.outbox.add(1, Ping(n=2), NOW)
        await uow.commit()
    assert woken == [1]


async def test_a_delivery_outcome_is_recorded_by_the_lease_holder_only(directory: UnitOfWorkFactory) -> None:
    async with directory() as uow:
        await uow.outbox.add(1, Ping(n=1), NOW)
        await uow.outbox.add(1, Ping(n=2), NOW)
        await uow.commit()
    async with directory.standalone() as uow:
        claimed = [item.id for item in await uow.outbox.claim("a", NOW, timedelta(minutes=5), 10)]
        await uow.commit()
    sent, failed = claimed
    async with directory() as uow:
        assert await uow.outbox.finish(sent, "b", DeliveryStatus.SENT, NOW, sent=Sent("x", "c")) is False
        assert await uow.outbox.finish(sent, "a", DeliveryStatus.SENT, NOW, sent=Sent("activity-1", "c")) is True
        assert await uow.outbox.finish(failed, "a", DeliveryStatus.FAILED, NOW, error="gone " * 200) is True
        await uow.commit()
    async with directory() as uow:
        rows = {row.id: row for row in await uow.session.scalars(select(OutboxRow).where(OutboxRow.id.in_(claimed)))}
        assert (rows[sent].status, rows[sent].sent_at, rows[sent].activity_id, rows[sent].last_error) == ("sent", NOW, "activity-1", None)
        assert (rows[failed].status, rows[failed].sent_at, rows[failed].activity_id) == ("failed", None, None)
        assert rows[failed].last_error == ("gone " * 200)[:500]
        assert all(row.claimed_by is None and row.claimed_until is None and row.attempts == 1 for row in rows.values())
