"""Periodic jobs that run once per slot across all bot instances.

Jobs are registered on the registry built in `create_app` (`bot/wiring.py`):

    registry.job("approvals.reminders", run_reminders, every=timedelta(hours=1))

A job gets a use-case runner and the slot's time, and runs its use cases through it.

Every instance calls `run_due_jobs` on a timer; the first instance to insert the (job, slot) row
in `job_claims` runs the job for that slot, the others skip it. A job must still be idempotent
per item (a reminder row marked sent, a unique constraint), because a job that fails half-way is
not rerun for that slot and a later slot may see the same items again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from bot.services.jobs import ClaimJobSlot, claim_job_slot

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
    ran: list[str] = []
    for job in services.registry.jobs.values():
        slot = slot_of(now, job.every)
        try:
            claimed = await services.runner.run(claim_job_slot, ClaimJobSlot(job.name, slot, services.instance_id))
        except Exception:
            log.exception("could not claim job %s for slot %s", job.name, slot)
            continue
        if not claimed:
            continue
        try:
            await job.run(services.runner, now)
        except Exception:
            log.exception("job %s failed for slot %s", job.name, slot)
        ran.append(job.name)
    return ran


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
