"""The notification dispatcher: delivers what use cases recorded in the outbox, after their commit.

    use case:   async with uow: ...; await uow.outbox.add(requester.id, ApprovalDecided(...), now); await uow.commit()
    dispatcher: claim (lease) -> render in the recipient's language -> send -> record the outcome

Exactly once: a row is leased to one instance (`claimed_by`, `claimed_until`, SKIP LOCKED on
PostgreSQL) before it is sent, and marked sent in the same instance right after. A clean shutdown
lets the deliveries under way finish and gives the other leases back, so a restart sends nothing
twice. Only an instance killed between the connector's answer and the mark (milliseconds) leaves
a row that another instance sends again when the lease runs out (NOTIFY_LEASE_SECONDS): the
documented crash window. An instance never waits past its lease while it holds one: each delivery
gets the lease's end (less a margin for clock skew) as its deadline, and a retry that would outlast
it (a Retry-After of two minutes against a lease of one) gives the lease back, with the retry time
as the next attempt, instead of sleeping while another instance takes the row over. Waking: every commit that recorded notifications wakes the dispatcher;
it also polls, for retries and for rows another instance left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web
from pydantic import ValidationError

from bot.clock import Clock
from bot.domain.notifications import CardUpdate, ClaimedNotification, DeliveryStatus, Message, Sent
from bot.i18n import Translator, resolve_locale
from bot.proactive import ProactiveSender, lease_deadline
from bot.registry import NoticeRoute
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

BATCH = 50
CONCURRENCY = 16
# Waits after a failed delivery (the sender already retried transient errors within the attempt).
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))


class NotificationDispatcher:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, sender: ProactiveSender, routes: dict[str, NoticeRoute], clock: Clock,
        *, instance_id: str, default_locale: str, lease: timedelta, poll_seconds: float,
    ) -> None:
        self._uow = uow_factory
        self._sender = sender
        self._routes = routes
        self._clock = clock
        self._instance = instance_id
        self._default_locale = default_locale
        self._lease = lease
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._stopping = False
        self._in_flight = 0
        self._slots = asyncio.Semaphore(CONCURRENCY)

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        while not self._stopping:
            try:
                delivered = await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must outlive a database outage
                log.exception("notification dispatch failed; retrying")
                delivered = 0
            # A batch that was not full took everything due: claim again when a commit wakes the
            # dispatcher (a wake during the delivery counts) or at the next poll, not at once.
            if delivered < BATCH and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
                self._wake.clear()

    async def deliver_due(self) -> int:
        """Claim one batch of due notifications and deliver it; returns how many were claimed."""
        now = self._clock.now()
        claimed_at = asyncio.get_running_loop().time()
        async with self._uow.standalone() as uow:  # one statement: no transaction around it
            claimed = await uow.outbox.claim(self._instance, now, self._lease, BATCH)
            await uow.commit()
        if claimed:
            self._in_flight += len(claimed)
            deadline = lease_deadline(claimed_at, self._lease)
            try:
                await asyncio.gather(*(self._deliver_one(item, deadline) for item in claimed))
            finally:
                self._in_flight -= len(claimed)
        return len(claimed)

    async def settled(self) -> None:
        """Return once nothing due is waiting or under way (tests, graceful hand-overs); callers
        bound the wait with `asyncio.timeout`."""
        while True:
            try:
                async with self._uow() as uow:
                    waiting = await uow.outbox.count_waiting(self._clock.now())
            except Exception:  # no database, nothing deliverable now: the outbox keeps it for later
                log.info("outbox unreadable while settling; nothing can be delivered now")
                return
            if waiting == 0 and self._in_flight == 0:
                return
            self.wake()
            await asyncio.sleep(0.02)

    async def stop(self, task: asyncio.Task[None], grace_seconds: float) -> None:
        """Let the deliveries under way finish, then give this instance's leases back."""
        self._stopping = True
        self.wake()
        try:
            await asyncio.wait_for(asyncio.shield(task), grace_seconds)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            async with self._uow() as uow:
                await uow.outbox.release(self._instance)
                await uow.commit()
        except Exception:
            log.warning("could not release notification leases; they expire by themselves")

    async def _deliver_one(self, item: ClaimedNotification, deadline: float) -> None:
        async with self._slots:
            try:
                await self._deliver(item, deadline)
            except Exception as error:  # one broken notification never blocks the others
                log.exception("notification %s (%s) failed", item.id, item.kind)
                await self._retry_or_fail(item, f"{type(error).__name__}")

    async def _deliver(self, item: ClaimedNotification, deadline: float) -> None:
        route = self._routes.get(item.kind)
        if route is None:
            await self._finish(item, DeliveryStatus.FAILED, error=f"no renderer for {item.kind}")
            return
        try:
            notice = route.notice.model_validate(item.payload)
        except ValidationError:
            await self._finish(item, DeliveryStatus.FAILED, error="payload does not match its kind")
            return
        async with self._uow.standalone() as uow:  # one read: no transaction needed
            reach = await uow.conversations.reach(item.recipient_id)
        language, ref = reach if reach is not None else (None, None)
        if ref is None or not ref.usable:
            await self._finish(item, DeliveryStatus.UNREACHABLE, error="no usable conversation reference")
            return
        locale = resolve_locale(ref.locale, language, self._default_locale)  # type: ignore[arg-type]
        outgoing = route.render(notice, Translator(locale))
        if outgoing is None:
            await self._finish(item, DeliveryStatus.SENT)
            return
        if isinstance(outgoing, CardUpdate):
            if outgoing.conversation_id != ref.conversation_id:
                await self._finish(item, DeliveryStatus.UNREACHABLE, error="the card is in another conversation")
                return
            updated = await self._sender.update(ref, outgoing.activity_id, outgoing.card, deadline=deadline)
            sent = Sent(outgoing.activity_id, ref.conversation_id)
            if not updated:
                await self._retry_or_fail(item, "card update failed")
                return
        else:
            assert isinstance(outgoing, Message)
            result = await self._sender.send_to_reference(ref, outgoing.content, deadline=deadline)
            if result.status == "unreachable":
                await self._finish(item, DeliveryStatus.UNREACHABLE, error=result.reason)
                return
            if result.status != "sent":
                await self._retry_or_fail(item, result.reason or "send failed", not_before=result.retry_after)
                return
            sent = Sent(result.activity_id, result.conversation_id)
        now = self._clock.now()
        # The mark alone is one statement; with an after-sent step the two go in one transaction.
        units = self._uow if route.after_sent else self._uow.standalone
        async with units(item.correlation_id) as uow:
            if await uow.outbox.finish(item.id, self._instance, DeliveryStatus.SENT, now, sent=sent) and route.after_sent:
                await route.after_sent(uow, notice, sent, now)
            await uow.commit()

    async def _finish(self, item: ClaimedNotification, status: DeliveryStatus, *, error: str | None = None) -> None:
        if error:
            log.info("notification %s (%s) to staff %s: %s", item.id, item.kind, item.recipient_id, error)
        async with self._uow.standalone(item.correlation_id) as uow:
            await uow.outbox.finish(item.id, self._instance, status, self._clock.now(), error=error)
            await uow.commit()

    async def _retry_or_fail(self, item: ClaimedNotification, error: str, *, not_before: float | None = None) -> None:
        """Give the lease back with the next attempt after the back-off, or after `not_before`
        seconds when the connector asked to wait longer (a deferred send)."""
        if item.attempts >= len(RETRY_DELAYS):
            await self._finish(item, DeliveryStatus.FAILED, error=error)
            return
        delay = max(RETRY_DELAYS[item.attempts], timedelta(seconds=not_before or 0))
        async with self._uow(item.correlation_id) as uow:
            await uow.outbox.retry_later(item.id, self._instance, self._clock.now() + delay, error)
            await uow.commit()


def dispatcher_lifecycle(dispatcher: NotificationDispatcher, grace_seconds: float):  # noqa: ANN201
    """An aiohttp cleanup context running the dispatcher while the app runs."""

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(dispatcher.run_forever(), name="notifications")
        yield
        await dispatcher.stop(task, grace_seconds)

    return lifecycle
