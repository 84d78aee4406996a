"""Periodic jobs that run once per slot across all bot instances.

Jobs are registered on the registry built in `create_app` (`bot/wiring.py`):

    registry.job("approvals.reminders", run_reminders, every=timedelta(hours=1))

A job gets a use-case runner and the slot's time, and runs its use cases through it.

Every instance calls `run_due_jobs` on a timer (SCHEDULER_INTERVAL_SECONDS). The first instance
to insert the (job, slot) row in `job_claims` holds the slot for JOB_LEASE_SECONDS and renews that
lease every third of it while the job runs; the others skip the slot. If the holder dies, its lease
runs out and the next instance to tick takes the unfinished slot over and runs the job again. A
holder that finds its slot taken over (it could not renew in time) stops its job. A job must
therefore be idempotent per item (a reminder row marked sent, a unique constraint): it may be run
again after a crash, and a job that fails half-way is not rerun for that slot, so a later slot may
see the same items again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from bot.services.jobs import (
    ClaimJobSlot,
    FinishJobSlot,
    RenewJobClaim,
    claim_job_slot,
    finish_job_slot,
    renew_job_claim,
)

if TYPE_CHECKING:
    from bot.registry import Job
    from bot.runtime import Services

log = logging.getLogger(__name__)

def slot_of(now: datetime, every: timedelta) -> str:
    """The slot that `now` falls in: slots are aligned on the Unix epoch, so every instance agrees."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    seconds = int(every.total_seconds())
    start = int(now.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(start, UTC).isoformat()


async def run_due_jobs(services: Services, now: datetime) -> list[str]:
    """Claim each registered job's current slot, run the ones this instance claimed and wait for
    them. A failing job is logged with its name and never stops the others. Returns the names run."""
    started = await start_due_jobs(services, now, {})
    await asyncio.gather(*started.values())
    return [name for name, task in started.items() if task.result()]


async def start_due_jobs(
    services: Services, now: datetime, running: dict[str, asyncio.Task[bool]]
) -> dict[str, asyncio.Task[bool]]:
    """Claim the current slot of each job not already `running` here and start the claimed ones,
    each as its own task, so a long job never delays claiming (or taking over) the others."""
    lease = timedelta(seconds=services.settings.job_lease_seconds)
    started: dict[str, asyncio.Task[bool]] = {}
    for job in services.registry.jobs.values():
        if job.name in running and not running[job.name].done():
            continue
        slot = slot_of(now, job.every)
        try:
            claimed = await services.runner.run(claim_job_slot, ClaimJobSlot(job.name, slot, services.instance_id, lease))
        except Exception:
            log.exception("could not claim job %s for slot %s", job.name, slot)
            continue
        if claimed:
            started[job.name] = asyncio.create_task(_run_claimed(services, job, slot, now, lease), name=f"job {job.name}")
    return started


async def _run_claimed(services: Services, job: Job, slot: str, now: datetime, lease: timedelta) -> bool:
    """Run a claimed job while renewing its lease; True once it ran (or failed), False when another
    instance took the slot over."""
    holding = asyncio.create_task(job.run(services.runner, now))
    renewing = asyncio.create_task(_renew_while_running(services, job.name, slot, lease, holding))
    try:
        await holding
    except asyncio.CancelledError:
        if not renewing.done() or renewing.result() is not False:
            raise  # the scheduler itself is stopping
        log.warning("job %s for slot %s stopped: another instance took the slot over", job.name, slot)
        return False
    except Exception:
        log.exception("job %s failed for slot %s", job.name, slot)
    finally:
        renewing.cancel()
        holding.cancel()
    await _finish(services, job.name, slot)
    return True


async def _renew_while_running(
    services: Services, job: str, slot: str, lease: timedelta, holding: asyncio.Task[None]
) -> bool:
    """Renew the slot's lease every third of it; stop the job (and return False) once the slot is
    lost, or when no renewal succeeded for a whole lease (the database is gone: another instance
    may take over)."""
    loop = asyncio.get_running_loop()
    renewed_at = loop.time()
    command = RenewJobClaim(job, slot, services.instance_id, lease)
    while True:
        await asyncio.sleep(lease.total_seconds() / 3)
        try:
            if not await services.runner.run(renew_job_claim, command):
                holding.cancel()
                return False
            renewed_at = loop.time()
        except Exception:
            log.warning("could not renew the lease of job %s for slot %s", job, slot, exc_info=True)
            if loop.time() - renewed_at >= lease.total_seconds() * 0.9:
                holding.cancel()
                return False


async def _finish(services: Services, job: str, slot: str) -> None:
    try:
        await services.runner.run(finish_job_slot, FinishJobSlot(job, slot, services.instance_id))
    except Exception:  # the lease runs out and another instance runs the (idempotent) job again
        log.exception("could not mark job %s done for slot %s", job, slot)


async def _scheduler_loop(services: Services) -> None:
    interval = services.settings.scheduler_interval_seconds
    running: dict[str, asyncio.Task[bool]] = {}
    try:
        while True:
            try:
                running.update(await start_due_jobs(services, services.clock.now(), running))
                for name in [name for name, task in running.items() if task.done()]:
                    del running[name]
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must survive anything a job or the database throws
                log.exception("scheduler tick failed")
            await asyncio.sleep(interval)
    finally:
        for task in running.values():
            task.cancel()
        await asyncio.gather(*running.values(), return_exceptions=True)


def scheduler_extension(app: web.Application, services: Services) -> None:
    """Run the scheduler loop while the app runs (only when BACKGROUND_JOBS is true)."""
    if not services.settings.background_jobs:
        return

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_scheduler_loop(services), name="scheduler")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(lifecycle)
