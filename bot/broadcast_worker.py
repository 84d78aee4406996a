"""Broadcast workers: claim outbox rows, send them through the proactive sender, record outcomes.

Exactly once, as far as Teams allows:
- A worker claims a small batch (pending -> sending, with its instance id, the time and a claim
  count) in one transaction; on PostgreSQL FOR UPDATE SKIP LOCKED lets several instances claim
  side by side, on SQLite BEGIN IMMEDIATE makes claims take turns.
- Each outcome is written as soon as it is known; outcomes that arrive while a write is under way
  are written together in the next one (group commit), so a write costs one transaction, not one
  per recipient, and the gap between Teams' answer and our record is one commit.
- An outcome is written only for the claim the worker holds (same claim count, still sending).
- A row left in "sending" by a worker that died is claimed again once its lease expires.
The unavoidable window: if a worker dies after Teams accepted a message and before the outcome
was committed, the message is sent again after the lease. Teams has no idempotency key for bot
messages, so this cannot be closed from our side; the row's claim count (> 1) marks it as
"possibly received twice" in the delivery report. A graceful stop waits for in-flight sends.
A worker never waits past its lease: each send gets the lease's end as its deadline, and one that
cannot be done by then (the connector asks to wait longer, or the rate limit kept it queued) is given
back unsent, claimable again once the wait is over, instead of being slept through while a second
worker takes the lease over and sends it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from bot.domain.broadcasts import Broadcast, ClaimedDelivery, DeliveryStatus, Outcome
from bot.domain.conversations import StoredReference
from bot.domain.errors import DomainError
from bot.domain.staff import Staff
from bot.i18n import Translator, resolve_locale
from bot.proactive import lease_deadline
from bot.registry import BroadcastKind, BroadcastRecipient
from bot.runtime import Services
from bot.services import broadcasts as use_cases

log = logging.getLogger(__name__)

REASON_NO_REFERENCE = "no conversation reference; proactive installation is switched off"
REASON_INSTALL_REFUSED = "no conversation reference; the tenant refused installing the app"
REASON_INSTALL_FAILED = "no conversation reference; installing the app failed"
REASON_NO_TEMPLATE = "no conversation reference; no service URL known for the tenant"
REASON_GONE = "recipient no longer in the directory"
REASON_UNKNOWN_KIND = "broadcast kind has no renderer"
REASON_BAD_PAYLOAD = "payload does not match its kind"
REASON_NOT_FOR_RECIPIENT = "render error: the content is not for this recipient"
REASON_DEFERRED = "given back before the lease ended"


@dataclass(frozen=True)
class _Prepared:
    claim: ClaimedDelivery
    staff: Staff
    reference: StoredReference | None
    card: dict[str, Any]
    deadline: float  # loop time by which the send must be done: the lease's end, less a margin


class _OutcomeWriter:
    """Group commit: each caller waits until its outcome is committed; outcomes that queue while
    a write runs go out together in the next write."""

    def __init__(self, services: Services, instance: str) -> None:
        self.runner = services.runner
        self.instance = instance
        self._queue: list[tuple[ClaimedDelivery, Outcome]] = []
        self._lock = asyncio.Lock()
        self.completed: list[int] = []

    async def write(self, claim: ClaimedDelivery, outcome: Outcome) -> None:
        self._queue.append((claim, outcome))
        async with self._lock:
            if not self._queue:
                return  # an earlier write took ours along
            batch, self._queue = self._queue, []
            for attempt in range(3):
                try:
                    done = await self.runner.run(use_cases.record_outcomes, use_cases.RecordOutcomes(batch, self.instance))
                except Exception:
                    log.exception("recording %d broadcast outcomes failed (attempt %d)", len(batch), attempt + 1)
                    await asyncio.sleep(0.2 * (attempt + 1))
                    continue
                self.completed.extend(done)
                return
            # The rows stay "sending" and are sent again after the lease: a possible duplicate.
            log.error("gave up recording %d broadcast outcomes; they will be retried after the lease", len(batch))


class BroadcastWorker:
    """Sends the deliveries of running broadcasts; several may run, in one or many instances.

    `kinds` are the registry's broadcast kinds: each payload model, the query its cards need and
    the renderer."""

    def __init__(
        self,
        services: Services,
        kinds: Mapping[str, BroadcastKind],
        *,
        instance_id: str | None = None,
        batch_size: int | None = None,
        concurrency: int | None = None,
        lease: timedelta | None = None,
    ) -> None:
        settings = services.settings
        self.services = services
        self.runner = services.runner
        self.kinds = kinds
        self.instance = instance_id or services.instance_id
        self.batch_size = batch_size or settings.broadcast_batch_size
        # Enough sends in flight to keep the rate limiter busy at ~200 ms per request.
        self.concurrency = concurrency or max(self.batch_size, min(200, int(settings.proactive_rate_per_second * 2)))
        self.lease = lease or timedelta(seconds=settings.broadcast_lease_seconds)
        self._templates: dict[int, StoredReference | None] = {}
        self._stopping = asyncio.Event()

    # -- driving ------------------------------------------------------------------------------
    async def start_due(self) -> list[int]:
        """Scheduled broadcasts whose time has come start running."""
        return await self.runner.run(use_cases.start_due, use_cases.StartDueBroadcasts())

    async def run_until_idle(self) -> int:
        """Start due broadcasts, then send until nothing is left to claim; returns outcomes written."""
        await self.start_due()
        writer = _OutcomeWriter(self.services, self.instance)
        handled = 0
        in_flight: set[asyncio.Task[None]] = set()
        minimum_claim = max(1, self.batch_size // 2)
        exhausted = False
        try:
            while True:
                free = self.concurrency - len(in_flight)
                if not exhausted and not self._stopping.is_set() and (free >= minimum_claim or not in_flight):
                    wanted = min(self.batch_size, free)
                    claimed_at = asyncio.get_running_loop().time()
                    claims = await self._claim(wanted)
                    exhausted = len(claims) < wanted
                    for item in await self._prepare(claims, lease_deadline(claimed_at, self.lease)):
                        in_flight.add(asyncio.create_task(self._deliver(item, writer)))
                    handled += len(claims)
                    if claims and not exhausted and len(in_flight) < self.concurrency:
                        continue
                if not in_flight:
                    break
                _done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # A cancelled worker (shutdown, crash simulation) takes its sends down with it; their
            # rows stay "sending" and are claimed again after the lease.
            for task in in_flight:
                task.cancel()
        return handled

    async def run_forever(self) -> None:
        poll = self.services.settings.broadcast_poll_seconds
        while not self._stopping.is_set():
            try:
                await self.run_until_idle()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not end the worker
                log.exception("broadcast worker pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=poll)

    def stop(self) -> None:
        """Stop claiming; sends in flight finish and are recorded."""
        self._stopping.set()

    # -- steps --------------------------------------------------------------------------------
    async def _claim(self, limit: int) -> list[ClaimedDelivery]:
        return await self.runner.run(use_cases.claim_deliveries, use_cases.ClaimDeliveries(self.instance, self.lease, limit))

    async def _prepare(
        self, claims: list[ClaimedDelivery], deadline: float
    ) -> list[_Prepared | tuple[ClaimedDelivery, Outcome]]:
        """Each recipient's card in their language: the kind's query once per broadcast in the
        batch, then its renderer per recipient."""
        if not claims:
            return []
        found = await self.runner.run(use_cases.delivery_recipients, use_cases.DeliveryRecipients(claims))
        prepared: list[_Prepared | tuple[ClaimedDelivery, Outcome]] = []
        by_broadcast: dict[int, list[ClaimedDelivery]] = {}
        for claim in claims:
            if claim.staff_id not in found.staff or claim.broadcast_id not in found.broadcasts:
                prepared.append((claim, Outcome(claim.id, DeliveryStatus.FAILED, REASON_GONE)))
            else:
                by_broadcast.setdefault(claim.broadcast_id, []).append(claim)
        for broadcast_id, batch in by_broadcast.items():
            prepared += await self._cards(found.broadcasts[broadcast_id], batch, found, deadline)
        return prepared

    async def _cards(
        self, broadcast: Broadcast, claims: list[ClaimedDelivery], found: use_cases.Recipients, deadline: float
    ) -> list[_Prepared | tuple[ClaimedDelivery, Outcome]]:
        def failed(reason: str) -> list[_Prepared | tuple[ClaimedDelivery, Outcome]]:
            return [(claim, Outcome(claim.id, DeliveryStatus.FAILED, reason)) for claim in claims]

        kind = self.kinds.get(broadcast.kind)
        if kind is None:
            return failed(REASON_UNKNOWN_KIND)
        try:
            payload = kind.payload.model_validate(broadcast.payload)
        except ValidationError:
            log.warning("broadcast %s: %s", broadcast.id, REASON_BAD_PAYLOAD)
            return failed(REASON_BAD_PAYLOAD)
        recipients = [found.staff[claim.staff_id] for claim in claims]
        contents: Mapping[int, Any] | None = None
        if kind.content is not None:
            try:
                contents = await self.runner.run(kind.content, use_cases.BroadcastContent(payload, recipients))
            except Exception as error:  # e.g. the webinar is gone: nothing to show anyone
                if not isinstance(error, DomainError):
                    log.exception("the content of broadcast %s could not be read", broadcast.id)
                return failed(f"render error: {type(error).__name__}")
        zone = self.runner.now().tzinfo
        assert zone is not None
        default_locale = self.services.settings.default_locale
        prepared: list[_Prepared | tuple[ClaimedDelivery, Outcome]] = []
        for claim, staff in zip(claims, recipients, strict=True):
            if contents is not None and staff.id not in contents:
                prepared.append((claim, Outcome(claim.id, DeliveryStatus.FAILED, REASON_NOT_FOR_RECIPIENT)))
                continue
            reference = found.references.get(staff.aad_object_id)
            user_id = reference.user_id if reference is not None else f"8:orgid:{staff.aad_object_id}"
            locale = resolve_locale(reference.locale if reference else None, staff.language, default_locale)
            content = payload if contents is None else contents[staff.id]
            try:
                card = kind.render(content, BroadcastRecipient(staff, user_id, zone), Translator(locale))
            except Exception as error:  # one bad card must not stop the others
                log.exception("rendering broadcast %s for staff %s failed", broadcast.id, staff.id)
                prepared.append((claim, Outcome(claim.id, DeliveryStatus.FAILED, f"render error: {type(error).__name__}")))
                continue
            prepared.append(_Prepared(claim, staff, reference, card, deadline))
        return prepared

    async def _deliver(self, item: _Prepared | tuple[ClaimedDelivery, Outcome], writer: _OutcomeWriter) -> None:
        if isinstance(item, tuple):
            claim, outcome = item
        else:
            claim = item.claim
            outcome = await self._send(item)
        await writer.write(claim, outcome)

    async def _send(self, item: _Prepared) -> Outcome:
        reference = item.reference
        if reference is None or not reference.usable:
            reference, reason = await self._install(item)
            if reference is None:
                return Outcome(item.claim.id, DeliveryStatus.UNREACHABLE, reason)
        result = await self.services.proactive.send_to_reference(reference, item.card, deadline=item.deadline)
        if result.status == "deferred":
            return Outcome(item.claim.id, DeliveryStatus.PENDING, f"{REASON_DEFERRED}: {result.reason}", None, result.retry_after or 0.0)
        status = {"sent": DeliveryStatus.SENT, "unreachable": DeliveryStatus.UNREACHABLE}.get(result.status, DeliveryStatus.FAILED)
        return Outcome(item.claim.id, status, result.reason, result.activity_id)

    async def _install(self, item: _Prepared) -> tuple[StoredReference | None, str]:
        """Install the app through Graph for someone who never opened the bot, open the personal
        chat and store its reference. Returns the reference or why there is none."""
        graph = self.services.graph
        if not self.services.settings.proactive_install or graph is None:
            return None, REASON_NO_REFERENCE
        try:
            installed = await graph.install_app_for_user(item.staff.aad_object_id)
        except Exception as error:
            log.warning("installing the app for staff %s failed: %s", item.staff.id, type(error).__name__)
            return None, REASON_INSTALL_FAILED
        if not installed:
            return None, REASON_INSTALL_REFUSED
        template = await self._template(item.claim.broadcast_id)
        if template is None:
            return None, REASON_NO_TEMPLATE
        reference = await self.services.proactive.create_personal_conversation(template, item.staff.aad_object_id)
        if reference is None:
            return None, REASON_INSTALL_FAILED
        return reference, ""

    async def _template(self, broadcast_id: int) -> StoredReference | None:
        """The conversation reference of the HR member who created the broadcast (service URL,
        bot and tenant for new conversations), once per broadcast."""
        if broadcast_id not in self._templates:
            self._templates[broadcast_id] = await self.runner.run(use_cases.sender_reference, use_cases.SenderReference(broadcast_id))
        return self._templates[broadcast_id]


def broadcast_extension(app: web.Application, services: Services) -> None:
    """Run a broadcast worker while the app runs (when BACKGROUND_JOBS is true)."""
    settings = services.settings

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        task: asyncio.Task[None] | None = None
        worker: BroadcastWorker | None = None
        if settings.background_jobs:
            worker = BroadcastWorker(services, services.registry.broadcast_renderers)
            task = asyncio.create_task(worker.run_forever(), name="broadcast-worker")
        yield
        if worker is not None and task is not None:
            worker.stop()
            try:
                await asyncio.wait_for(task, timeout=30)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()

    app.cleanup_ctx.append(lifecycle)

