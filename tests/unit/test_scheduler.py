"""The run-once scheduler: one run per slot across instances; a failing job does not stop others."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
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
from bot.services.jobs import ClaimJobSlot, RenewJobClaim, claim_job_slot, renew_job_claim
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


LEASE = timedelta(seconds=30)


def leased_services(uow_factory: UnitOfWorkFactory, database_url: str, instance: str, registry: Registry) -> Services:
    services = services_for(uow_factory, database_url, instance, registry)
    return replace(services, settings=make_settings(database_url, JOB_LEASE_SECONDS=LEASE.total_seconds()))


async def test_a_job_held_by_an_instance_that_died_is_taken_over_after_the_lease(
    uow_factory: UnitOfWorkFactory, database_url: str
) -> None:
    started: list[str] = []
    running = asyncio.Event()
    registry = Registry()

    async def long_job(runner: UseCaseRunner, now) -> None:  # noqa: ANN001
        started.append(instance_of[id(runner)])
        running.set()
        await asyncio.Event().wait()  # still working when its instance dies

    registry.job("test.long", long_job, every=timedelta(hours=1))
    first = leased_services(uow_factory, database_url, "a", registry)
    second = leased_services(uow_factory, database_url, "b", registry)
    instance_of = {id(first.runner): "a", id(second.runner): "b"}

    dying = asyncio.create_task(run_due_jobs(first, DEFAULT_NOW))
    await asyncio.wait_for(running.wait(), 5)
    dying.cancel()  # the instance is gone: nothing marks the slot finished or renews its lease
    with contextlib.suppress(asyncio.CancelledError):
        await dying

    second.clock.advance(seconds=LEASE.total_seconds())
    assert await run_due_jobs(second, second.clock.now()) == []  # the lease still holds
    running.clear()
    second.clock.advance(seconds=1)
    taking_over = asyncio.create_task(run_due_jobs(second, second.clock.now()))
    await asyncio.wait_for(running.wait(), 5)
    assert started == ["a", "b"]
    taking_over.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await taking_over


async def test_a_finished_slot_is_not_run_again_and_a_renewed_lease_is_not_taken_over(
    uow_factory: UnitOfWorkFactory, database_url: str
) -> None:
    runs: list[str] = []
    registry = Registry()

    async def quick_job(runner: UseCaseRunner, now) -> None:  # noqa: ANN001
        runs.append(instance_of[id(runner)])

    registry.job("test.quick", quick_job, every=timedelta(hours=1))
    first = leased_services(uow_factory, database_url, "a", registry)
    second = leased_services(uow_factory, database_url, "b", registry)
    instance_of = {id(first.runner): "a", id(second.runner): "b"}
    assert await run_due_jobs(first, DEFAULT_NOW) == ["test.quick"]
    second.clock.advance(seconds=3 * LEASE.total_seconds())
    assert await run_due_jobs(second, second.clock.now()) == []  # done: the slot's lease does not matter
    assert runs == ["a"]

    slot = slot_of(DEFAULT_NOW, timedelta(hours=1))
    claim = ClaimJobSlot("test.other", slot, "a", LEASE)
    assert await claim_job_slot(uow_factory(), claim, DEFAULT_NOW)
    renewal = RenewJobClaim("test.other", slot, "a", LEASE)
    assert await renew_job_claim(uow_factory(), renewal, DEFAULT_NOW + LEASE / 2)
    taking = ClaimJobSlot("test.other", slot, "b", LEASE)
    assert not await claim_job_slot(uow_factory(), taking, DEFAULT_NOW + LEASE + timedelta(seconds=1))  # renewed
    assert await claim_job_slot(uow_factory(), taking, DEFAULT_NOW + LEASE * 2)
    assert not await renew_job_claim(uow_factory(), renewal, DEFAULT_NOW + LEASE * 2)  # "a" lost it
