"""The run-once scheduler: one run per slot across instances; a failing job does not stop others."""

from __future__ import annotations

from datetime import timedelta

from bot.adapter import create_adapter
from bot.clock import FixedClock
from bot.downloads import DownloadLinks
from bot.notifications import NotificationDispatcher
from bot.proactive import ProactiveSender
from bot.registry import Registry
from bot.runner import UseCaseRunner
from bot.runtime import Services
from bot.scheduler import run_due_jobs, slot_of
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW, make_settings


def services_for(uow_factory: UnitOfWorkFactory, database_url: str, instance: str, registry: Registry) -> Services:
    settings = make_settings(database_url)
    clock = FixedClock(DEFAULT_NOW)
    proactive = ProactiveSender(create_adapter(settings), "", uow_factory)
    dispatcher = NotificationDispatcher(
        uow_factory, proactive, registry.notices, clock, instance_id=instance, default_locale="nl",
        lease=timedelta(seconds=60), poll_seconds=5,
    )
    return Services(settings=settings, clock=clock, uow_factory=uow_factory, proactive=proactive, registry=registry,
                    runner=UseCaseRunner(uow_factory, clock), dispatcher=dispatcher,
                    links=DownloadLinks(settings, registry.downloads), instance_id=instance)


async def test_two_instances_run_a_slot_once(uow_factory: UnitOfWorkFactory, database_url: str) -> None:
    runs: list[str] = []
    registry = Registry()

    async def count(runner: UseCaseRunner, now) -> None:  # noqa: ANN001
        runs.append(instance_of[id(runner)])

    async def broken(runner: UseCaseRunner, now) -> None:  # noqa: ANN001
        raise RuntimeError("boom")

    registry.job("test.count", count, every=timedelta(minutes=15))
    registry.job("test.broken", broken, every=timedelta(minutes=15))
    first = services_for(uow_factory, database_url, "a", registry)
    second = services_for(uow_factory, database_url, "b", registry)
    instance_of = {id(first.runner): "a", id(second.runner): "b"}
    ran_a = await run_due_jobs(first, DEFAULT_NOW)
    ran_b = await run_due_jobs(second, DEFAULT_NOW + timedelta(minutes=5))  # same slot
    ran_next = await run_due_jobs(second, DEFAULT_NOW + timedelta(minutes=15))
    assert "test.count" in ran_a and "test.count" not in ran_b
    assert "test.broken" in ran_a  # it ran (and failed) without stopping the loop
    assert "test.count" in ran_next and runs == ["a", "b"]


def test_slots_are_aligned_for_every_instance() -> None:
    every = timedelta(hours=1)
    assert slot_of(DEFAULT_NOW, every) == slot_of(DEFAULT_NOW + timedelta(minutes=59), every)
    assert slot_of(DEFAULT_NOW, every) != slot_of(DEFAULT_NOW + timedelta(minutes=60), every)
