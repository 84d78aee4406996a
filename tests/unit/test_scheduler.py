"""The run-once scheduler: one run per slot across instances; a failing job does not stop others."""

from __future__ import annotations

from datetime import timedelta

from bot.adapter import create_adapter
from bot.clock import FixedClock
from bot.proactive import ProactiveSender
from bot.runtime import Services
from bot.scheduler import Job, register_job, run_due_jobs, slot_of, unregister_job
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW, make_settings


def services_for(uow_factory: UnitOfWorkFactory, database_url: str, instance: str) -> Services:
    settings = make_settings(database_url)
    return Services(settings=settings, clock=FixedClock(DEFAULT_NOW), uow_factory=uow_factory,
                    proactive=ProactiveSender(create_adapter(settings), "", uow_factory), instance_id=instance)


async def test_two_instances_run_a_slot_once(uow_factory: UnitOfWorkFactory, database_url: str) -> None:
    runs: list[str] = []

    async def count(services: Services, now) -> None:  # noqa: ANN001
        runs.append(services.instance_id)

    async def broken(services: Services, now) -> None:  # noqa: ANN001
        raise RuntimeError("boom")

    register_job(Job("test.count", count, every=timedelta(minutes=15)))
    register_job(Job("test.broken", broken, every=timedelta(minutes=15)))
    first, second = services_for(uow_factory, database_url, "a"), services_for(uow_factory, database_url, "b")
    try:
        ran_a = await run_due_jobs(first, DEFAULT_NOW)
        ran_b = await run_due_jobs(second, DEFAULT_NOW + timedelta(minutes=5))  # same slot
        ran_next = await run_due_jobs(second, DEFAULT_NOW + timedelta(minutes=15))
    finally:
        unregister_job("test.count")
        unregister_job("test.broken")
    assert "test.count" in ran_a and "test.count" not in ran_b
    assert "test.broken" in ran_a  # it ran (and failed) without stopping the loop
    assert "test.count" in ran_next and runs == ["a", "b"]


def test_slots_are_aligned_for_every_instance() -> None:
    every = timedelta(hours=1)
    assert slot_of(DEFAULT_NOW, every) == slot_of(DEFAULT_NOW + timedelta(minutes=59), every)
    assert slot_of(DEFAULT_NOW, every) != slot_of(DEFAULT_NOW + timedelta(minutes=60), every)
