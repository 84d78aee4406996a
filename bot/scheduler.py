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
    """Claim each registered job's current slot and run the ones this instance claimed.

    A failing job is logged with its name and never stops the others. Returns the names run.
    """
    lease = timedelta(seconds=services.settings.job_lease_seconds)
    ran: list[str] = []
    for job in services.registry.jobs.values():
        slot = slot_of(now, job.every)
        try:
            claimed = await services.runner.run(claim_job_slot, ClaimJobSlot(job.name, slot, services.instance_id, lease))
        except Exception:
            log.exception("could not claim job %s for slot %s", job.name, slot)
            continue
        if not claimed:
            continue
        holding = asyncio.create_task(job.run(services.runner, now), name=f"job {job.name}")
        renewing = asyncio.create_task(_renew_while_running(services, job.name, slot, lease, holding))
        try:
            await holding
        except asyncio.CancelledError:
            if not renewing.done() or renewing.result() is not False:
                raise  # the scheduler itself is stopping
            log.warning("job %s for slot %s stopped: another instance took the slot over", job.name, slot)
            continue
        except Exception:
            log.exception("job %s failed for slot %s", job.name, slot)
        finally:
            renewing.cancel()
            holding.cancel()
        await _finish(services, job.name, slot)
        ran.append(job.name)
    return ran


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
    while True:
        try:
            ran = await run_due_jobs(services, services.clock.now())
            if ran:
                log.debug("ran jobs: %s", ", ".join(ran))
        except asyncio.CancelledError:
            raise
        except Exception:  # the loop must survive anything a job or the database throws
            log.exception("scheduler tick failed")
        await asyncio.sleep(interval)


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
