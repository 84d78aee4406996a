"""Reports run after the turn that asked for them, then reach the requester in their personal chat.

    answer = await start(turn, preparing_text, compute, deliver)

`compute()` does the work (use cases, rendering) on the app's loop, never in the turn; at most
MAX_PARALLEL_REPORTS run at once and one per person. `deliver(chat, result)` then gets a Turn in
the requester's personal chat (continued through the stored conversation reference), so it sends
as in any turn (cards, bot.files.send_file). With BACKGROUND_JOBS off (tests, one-off tools) the
report is delivered before the turn ends. At shutdown running reports get SHUTDOWN_GRACE_SECONDS
to arrive; the others are cancelled and their requesters told to ask again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from aiohttp import web
from botbuilder.core import TurnContext

from bot.domain.staff import Staff
from bot.i18n import Translator
from bot.proactive import to_conversation_reference
from bot.runtime import Services
from bot.turn import Turn

log = logging.getLogger(__name__)

JOBS_KEY = "reports.jobs"
# Reports are heavy on the database; more than this many at once wait their turn.
MAX_PARALLEL_REPORTS = 2
# At shutdown (a deploy, a restart) running reports get this long to reach their requester.
SHUTDOWN_GRACE_SECONDS = 30.0

Result = TypeVar("Result")


@dataclass
class ReportJobs:
    """The report tasks of this instance: held so they are not garbage-collected, one per person."""

    tasks: set[asyncio.Task] = field(default_factory=set)
    busy: set[int] = field(default_factory=set)
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(MAX_PARALLEL_REPORTS))

    async def wait(self) -> None:
        """Until every running report has been delivered."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def drain(self, grace_seconds: float) -> int:
        """Shutdown: let running reports finish for up to `grace_seconds`, then cancel the rest (their
        requesters are told to ask again). Returns how many were cancelled."""
        if not self.tasks:
            return 0
        _, unfinished = await asyncio.wait(list(self.tasks), timeout=grace_seconds)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        return len(unfinished)


def jobs_of(services: Services) -> ReportJobs:
    return services.extras.setdefault(JOBS_KEY, ReportJobs())


async def start(
    turn: Turn, preparing: str, compute: Callable[[], Awaitable[Result]], deliver: Callable[[Turn, Result], Awaitable[None]],
) -> str | None:
    """Start one report for the staff member of `turn`; returns the turn's answer (`preparing`, or
    that they already have one running)."""
    services, staff = turn.services, turn.me
    jobs = jobs_of(services)
    if staff.id in jobs.busy:
        return turn.t("reports.busy")
    jobs.busy.add(staff.id)
    delivery = _run(services, staff, turn.t, turn.correlation_id, compute, deliver)
    if not services.settings.background_jobs:
        await turn.send_text(preparing)
        await delivery
        return None
    task = asyncio.get_running_loop().create_task(delivery)
    jobs.tasks.add(task)
    task.add_done_callback(jobs.tasks.discard)
    return preparing


async def _run(
    services: Services, staff: Staff, t: Translator, correlation_id: str,
    compute: Callable[[], Awaitable[Result]], deliver: Callable[[Turn, Result], Awaitable[None]],
) -> None:
    jobs = jobs_of(services)
    try:
        async with jobs.slots:
            result = await compute()
        await _in_personal_chat(services, staff, t, correlation_id, lambda chat: deliver(chat, result))
    except asyncio.CancelledError:
        log.warning("report for staff %s stopped by shutdown (correlation %s)", staff.id, correlation_id)
        await services.proactive.send(staff.aad_object_id, t("reports.interrupted"))
        raise
    except Exception as error:
        log.error("report for staff %s failed (correlation %s)", staff.id, correlation_id, exc_info=error)
        await services.proactive.send(staff.aad_object_id, t("reports.failed", ref=correlation_id))
    finally:
        jobs.busy.discard(staff.id)


async def _in_personal_chat(
    services: Services, staff: Staff, t: Translator, correlation_id: str, send: Callable[[Turn], Awaitable[None]]
) -> None:
    reference = await services.proactive.reference_for(staff.aad_object_id)
    if reference is None or not reference.usable:
        log.warning("report for staff %s ready but their chat is unreachable", staff.id)
        return

    async def in_chat(context: TurnContext) -> None:
        await send(Turn(context=context, services=services, staff=staff, t=t, correlation_id=correlation_id))

    await services.proactive.adapter.continue_conversation(to_conversation_reference(reference), in_chat, services.proactive.app_id)


def reports_extension(app: web.Application, services: Services) -> None:
    """At shutdown, before the database and the sender close: running reports get a grace period."""

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        yield
        cancelled = await jobs_of(services).drain(SHUTDOWN_GRACE_SECONDS)
        if cancelled:
            log.warning("shutdown: %d report(s) did not finish in %.0f s", cancelled, SHUTDOWN_GRACE_SECONDS)

    app.cleanup_ctx.append(lifecycle)
