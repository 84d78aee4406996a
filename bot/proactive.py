"""Sending later: messages and cards to a staff member through their stored conversation reference.

Respects Teams' documented limits: per app per tenant PROACTIVE_RATE_PER_SECOND (at most 50 a
second), per conversation 7 a second, 60 in 30 seconds and 1,800 an hour. Each attempt, retries
included, takes its place under those limits. 412, 429, 500, 502, 503 and 504 answers and
network errors are retried up to PROACTIVE_MAX_RETRIES times, waiting what Retry-After says or
an exponential, jittered backoff. 403 and 404 (bot uninstalled, user gone) mark the reference
unusable and are not retried.

A caller that holds a lease on what it sends (the notification dispatcher, the broadcast workers)
passes the lease's end as `deadline`: no wait and no request runs past it. When the next retry
would end after the deadline the send stops with status "deferred" and the wait the connector
asked for, and the caller gives its lease back with that as the next attempt. Otherwise another
instance would take the lease over while this one sleeps, and both would send.

Why not `CloudAdapter.continue_conversation` for the send itself: the SDK builds two msrest
clients per call and sends with `requests` in the default thread pool (min(32, cores + 4)
threads, so at most 6 requests in flight on two cores), with a new HTTP session per call and its
own urllib3 retries (3 more attempts on 5xx, sleeping Retry-After inside a pool thread), which
would multiply with ours. This module posts the same Bot Connector REST calls
(`POST /v3/conversations/{id}/activities`, `PUT .../activities/{id}`, `POST /v3/conversations`)
over one pooled aiohttp session, with the token of the SDK's own credentials. Activities are
still built and addressed with the SDK (`TurnContext.apply_conversation_reference`).

The limits are per process: with several instances, set PROACTIVE_RATE_PER_SECOND to the tenant
limit divided by the number of instances.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import quote

import aiohttp
from aiolimiter import AsyncLimiter
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    wait_random_exponential,
)

from bot.activity_json import activity_json
from bot.domain.conversations import StoredReference
from bot.i18n import Translator, resolve_locale
from bot.services.unit_of_work import UnitOfWorkFactory

log = logging.getLogger(__name__)

# "deferred": not sent; the next retry would outlast the caller's deadline (see `retry_after`).
SendStatus = Literal["sent", "failed", "unreachable", "deferred"]
Content = str | dict[str, Any] | Activity

RETRYABLE_STATUSES = frozenset({412, 429, 500, 502, 503, 504})
GONE_STATUSES = frozenset({403, 404})
# Teams' per-conversation limits: (messages, seconds).
CONVERSATION_LIMITS: tuple[tuple[int, float], ...] = ((7, 1.0), (60, 30.0), (1800, 3600.0))
MAX_RETRY_AFTER_SECONDS = 120.0
SPACING_HEADROOM = 1.2
# A reply is part of a turn the user waits for: retry it briefly, then let the turn fail.
REPLY_RETRIES = 2
REQUEST_TIMEOUT_SECONDS = 30.0
# A request is not started with less time than this left before the caller's deadline.
MIN_REQUEST_SECONDS = 2.0
TOKEN_REUSE_SECONDS = 300.0


@dataclass(frozen=True)
class SendResult:
    status: SendStatus
    activity_id: str | None = None
    reason: str | None = None
    conversation_id: str | None = None
    # For "deferred": seconds to wait before the next attempt (what the connector asked, or the backoff).
    retry_after: float | None = None


def lease_deadline(claimed_at: float, lease: timedelta) -> float:
    """The loop time by which a send claimed under `lease` at loop time `claimed_at` must be done:
    the lease less a tenth of it (at least a second), for the instances' clocks and the outcome's write."""
    seconds = lease.total_seconds()
    return claimed_at + seconds - max(1.0, seconds / 10)


def to_activity(content: Content) -> Activity:
    """Text becomes a message; a dict is taken as an Adaptive Card."""
    if isinstance(content, Activity):
        return content
    if isinstance(content, str):
        return MessageFactory.text(content)
    return MessageFactory.attachment(CardFactory.adaptive_card(content))


def to_conversation_reference(ref: StoredReference) -> ConversationReference:
    return ConversationReference(
        channel_id=ref.channel_id,
        service_url=ref.service_url,
        conversation=ConversationAccount(id=ref.conversation_id, tenant_id=ref.tenant_id, conversation_type="personal"),
        user=ChannelAccount(id=ref.user_id, name=ref.user_name, aad_object_id=ref.aad_object_id),
        bot=ChannelAccount(id=ref.bot_id, name=ref.bot_name),
        locale=ref.locale,
    )


def rate_item(limit: float, period_seconds: float) -> RateLimitItem:
    """`limit` requests per `period_seconds` as a limits item (whole requests, whole seconds)."""
    if limit >= 1:
        return RateLimitItemPerSecond(int(limit), max(1, int(period_seconds)))
    return RateLimitItemPerSecond(1, max(1, math.ceil(period_seconds / limit)))


class MovingWindowLimits:
    """Teams' limits as moving windows: never more than N requests in any window of the period.

    A leaky bucket with room for one request loses every late wake-up for good (it measured
    about 45 a second at a limit of 50); a moving window lets the sender catch up to the full
    rate while still never exceeding it in any window. Expired entries are dropped by the
    storage, so idle conversations cost nothing.
    """

    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def acquire(self, item: RateLimitItem, *keys: str) -> None:
        while not await self._limiter.hit(item, *keys):
            stats = await self._limiter.get_window_stats(item, *keys)
            await asyncio.sleep(max(0.001, stats.reset_time - time.time()))


class TransientDeliveryError(Exception):
    """Worth retrying: throttled, a 5xx or a network error."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class DeferredDelivery(Exception):
    """Not sent: waiting for the next retry, or the request itself, would pass the deadline."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class DeliveryError(Exception):
    """Final: the connector refused; `gone` when the user or the bot's installation is gone."""

    def __init__(self, reason: str, *, gone: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.gone = gone


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


class _WaitRetryAfter:
    """Wait what the connector asked for, else an exponential, jittered backoff."""

    def __init__(self, backoff_seconds: float) -> None:
        self.fallback = wait_random_exponential(multiplier=backoff_seconds, max=30)

    def __call__(self, retry_state: RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, TransientDeliveryError) and error.retry_after is not None:
            return error.retry_after
        return self.fallback(retry_state)


class _StopAtDeadline:
    """Stop after `attempts`, or before a wait that would leave less than a request's time before
    the deadline (remembered in `deferred_for`, so the caller can tell the two apart)."""

    def __init__(self, attempts: int, deadline: float | None) -> None:
        self.attempts = attempts
        self.deadline = deadline
        self.deferred_for: float | None = None

    def __call__(self, retry_state: RetryCallState) -> bool:
        if retry_state.attempt_number >= self.attempts:
            return True
        if self.deadline is None:
            return False
        wait = retry_state.upcoming_sleep
        if asyncio.get_running_loop().time() + wait + MIN_REQUEST_SECONDS > self.deadline:
            self.deferred_for = wait
            return True
        return False


class ProactiveSender:
    def __init__(
        self,
        adapter: CloudAdapter,
        app_id: str,
        uow_factory: UnitOfWorkFactory,
        default_locale: str = "nl",
        *,
        rate_per_second: float = 50.0,
        max_retries: int = 5,
        backoff_seconds: float = 0.5,
    ) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.uow_factory = uow_factory
        self.default_locale = default_locale
        self._session: aiohttp.ClientSession | None = None
        self._credentials: dict[str, Any] = {}
        self._tokens: dict[str, tuple[str, float]] = {}
        self._limits = MovingWindowLimits()
        self._conversation_items = tuple(rate_item(limit, period) for limit, period in CONVERSATION_LIMITS)
        self.configure(rate_per_second=rate_per_second, max_retries=max_retries, backoff_seconds=backoff_seconds)

    def configure(
        self, *, rate_per_second: float | None = None, max_retries: int | None = None, backoff_seconds: float | None = None
    ) -> None:
        """Apply the limits from the settings (PROACTIVE_RATE_PER_SECOND, PROACTIVE_MAX_RETRIES)."""
        if rate_per_second is not None:
            # Settings cap PROACTIVE_RATE_PER_SECOND at Teams' 50; benchmarks against a fake go higher.
            if rate_per_second <= 0:
                raise ValueError("rate_per_second must be positive")
            self.rate_per_second = rate_per_second
            self._tenant_item = rate_item(rate_per_second, 1.0)
            # Spacing slightly faster than the limit keeps requests smooth (no bursts that bunch up
            # at Teams' side); the moving window above it is the hard cap and lets the sender catch
            # up on late wake-ups, so it runs at the full rate.
            self._tenant_spacing = AsyncLimiter(1, 1.0 / (rate_per_second * SPACING_HEADROOM))
        if max_retries is not None:
            self.max_retries = max_retries
        if backoff_seconds is not None:
            self.backoff_seconds = backoff_seconds

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    # -- public API ---------------------------------------------------------------------------
    async def reference_for(self, aad_object_id: str) -> StoredReference | None:
        async with self.uow_factory() as uow:
            return await uow.conversations.get(aad_object_id)

    async def send(self, aad_object_id: str, content: Content) -> SendResult:
        """Send one message or card to a user; never raises for delivery problems."""
        ref = await self.reference_for(aad_object_id)
        if ref is None or not ref.usable:
            return SendResult("unreachable", reason="no usable conversation reference")
        return await self.send_to_reference(ref, content)

    async def send_to_reference(self, ref: StoredReference, content: Content, *, deadline: float | None = None) -> SendResult:
        """Send one message or card; `deadline` (event-loop time) bounds the waits and retries."""
        activity = to_activity(content)
        TurnContext.apply_conversation_reference(activity, to_conversation_reference(ref))
        url = f"{_base(ref.service_url)}/v3/conversations/{quote(ref.conversation_id, safe=':@')}/activities"
        try:
            body = await self._call("POST", url, activity_json(activity), ref.tenant_id, ref.conversation_id, deadline=deadline)
        except DeferredDelivery as deferred:
            log.info("proactive send to %s deferred by %.1f s: %s", ref.aad_object_id, deferred.retry_after, deferred.reason)
            return SendResult(
                "deferred", reason=deferred.reason, conversation_id=ref.conversation_id, retry_after=deferred.retry_after
            )
        except DeliveryError as error:
            if error.gone:
                await self._mark_unusable(ref, error.reason)
                return SendResult("unreachable", reason=error.reason, conversation_id=ref.conversation_id)
            return SendResult("failed", reason=error.reason, conversation_id=ref.conversation_id)
        except TransientDeliveryError as error:
            log.warning("proactive send to %s gave up after retries: %s", ref.aad_object_id, error.reason)
            return SendResult("failed", reason=error.reason, conversation_id=ref.conversation_id)
        activity_id = body.get("id") if isinstance(body, dict) else None
        return SendResult("sent", activity_id=activity_id, conversation_id=ref.conversation_id)

    async def update(
        self, ref: StoredReference, activity_id: str, card: dict[str, Any], *, deadline: float | None = None
    ) -> bool:
        """Replace a card sent earlier (e.g. an approval card after a decision elsewhere); False
        when it failed or could not be done before `deadline`."""
        activity = to_activity(card)
        TurnContext.apply_conversation_reference(activity, to_conversation_reference(ref))
        activity.id = activity_id
        conversation = quote(ref.conversation_id, safe=":@")
        url = f"{_base(ref.service_url)}/v3/conversations/{conversation}/activities/{quote(activity_id, safe=':@')}"
        try:
            await self._call("PUT", url, activity_json(activity), ref.tenant_id, ref.conversation_id, deadline=deadline)
        except (DeliveryError, TransientDeliveryError, DeferredDelivery) as error:
            log.warning("card update for %s failed: %s", ref.aad_object_id, error)
            return False
        return True

    async def notify(
        self, aad_object_id: str, render: Callable[[Translator], Content], preferred_language: str | None = None
    ) -> SendResult:
        """Render in the recipient's language (their Teams locale, else their preference) and send."""
        ref = await self.reference_for(aad_object_id)
        if ref is None or not ref.usable:
            return SendResult("unreachable", reason="no usable conversation reference")
        locale = resolve_locale(ref.locale, preferred_language, self.default_locale)  # type: ignore[arg-type]
        return await self.send_to_reference(ref, render(Translator(locale)))

    async def create_personal_conversation(self, template: StoredReference, aad_object_id: str) -> StoredReference | None:
        """Open the personal chat with a user who has the app (e.g. just installed through Graph),
        using the service URL, bot and tenant of another reference in the same tenant; the new
        reference is stored. None when the connector refuses."""
        body = {
            "bot": {"id": template.bot_id, "name": template.bot_name},
            "members": [{"id": aad_object_id, "aadObjectId": aad_object_id}],
            "isGroup": False,
            "tenantId": template.tenant_id,
            "channelData": {"tenant": {"id": template.tenant_id}},
        }
        try:
            answer = await self._call("POST", f"{_base(template.service_url)}/v3/conversations", body, template.tenant_id, None)
        except (DeliveryError, TransientDeliveryError) as error:
            log.warning("could not open a conversation with %s: %s", aad_object_id, error)
            return None
        conversation_id = answer.get("id") if isinstance(answer, dict) else None
        if not conversation_id:
            return None
        ref = replace(
            template, aad_object_id=aad_object_id, user_id=aad_object_id, user_name=None,
            conversation_id=str(conversation_id), locale=None, usable=True,
        )
        async with self.uow_factory() as uow:
            await uow.conversations.save(ref)
            await uow.commit()
        return ref

    # -- transport ----------------------------------------------------------------------------
    async def _call(
        self, method: str, url: str, body: dict[str, Any], tenant_id: str | None, conversation_id: str | None,
        *, limited: bool = True, retries: int | None = None, deadline: float | None = None,
    ) -> Any:
        stop = _StopAtDeadline((self.max_retries if retries is None else retries) + 1, deadline)
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TransientDeliveryError),
            stop=stop,
            wait=_WaitRetryAfter(self.backoff_seconds),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    if limited:
                        await self._acquire(tenant_id, conversation_id)
                    return await self._request_once(method, url, body, self._time_left(deadline))
        except TransientDeliveryError as error:
            if stop.deferred_for is not None:
                raise DeferredDelivery(error.reason, stop.deferred_for) from error
            raise
        raise AssertionError("unreachable")  # pragma: no cover - reraise=True always raises

    @staticmethod
    def _time_left(deadline: float | None) -> float:
        """How long the next request may take: its usual timeout, cut to what is left before the
        deadline; too little left (the rate limiter took it) defers the send."""
        if deadline is None:
            return REQUEST_TIMEOUT_SECONDS
        left = deadline - asyncio.get_running_loop().time()
        if left < MIN_REQUEST_SECONDS:
            raise DeferredDelivery("no time left before the lease ends", 0.0)
        return min(REQUEST_TIMEOUT_SECONDS, left)

    async def reply(self, method: str, url: str, body: dict[str, Any]) -> Any:
        """A call the bot makes while answering a turn (reply, card update, delete).

        It shares the pooled connection and the retries of proactive sends, but not their rate
        limiter: a reply answers the user's own action, and Teams throttles with 429 if needed.
        Raises DeliveryError or TransientDeliveryError when it finally fails, so the turn's error
        handler runs as it did with the SDK's client.
        """
        return await self._call(method, url, body, None, None, limited=False, retries=REPLY_RETRIES)

    async def _acquire(self, tenant_id: str | None, conversation_id: str | None) -> None:
        if conversation_id is not None:
            for item in self._conversation_items:
                await self._limits.acquire(item, "conversation", conversation_id)
        # The tenant slot is taken last, so time spent waiting on a conversation does not waste it.
        await self._tenant_spacing.acquire()
        await self._limits.acquire(self._tenant_item, "tenant", tenant_id or "")

    async def _request_once(
        self, method: str, url: str, body: dict[str, Any], timeout_seconds: float = REQUEST_TIMEOUT_SECONDS
    ) -> Any:
        session = self._http()
        headers = {"Content-Type": "application/json"}
        authorization = await self._authorization(url)
        if authorization:
            headers["Authorization"] = authorization
        timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        try:
            async with session.request(method, url, json=body, headers=headers, timeout=timeout) as response:
                status = response.status
                if 200 <= status < 300:
                    if response.content_length == 0:
                        return {}
                    try:
                        return await response.json(content_type=None)
                    except ValueError:
                        return {}
                reason = f"HTTP {status}"
                if status == 401:
                    self._tokens.clear()  # a stale token: fetch a new one on the retry
                    raise TransientDeliveryError(reason)
                if status in RETRYABLE_STATUSES:
                    raise TransientDeliveryError(reason, retry_after_seconds(response.headers.get("Retry-After")))
                raise DeliveryError(reason, gone=status in GONE_STATUSES)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TransientDeliveryError(type(error).__name__) from error

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS),
                connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=300),
            )
        return self._session

    async def _authorization(self, url: str) -> str | None:
        """A bearer token from the SDK's own credentials for this service URL; none in local mode."""
        if not self.app_id:
            return None
        service_url = url.split("/v3/", 1)[0]
        cached = self._tokens.get(service_url)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        credentials = self._credentials.get(service_url)
        if credentials is None:
            factory = self.adapter.bot_framework_authentication.create_connector_factory(
                self.adapter.create_claims_identity(self.app_id)
            )
            client = await factory.create(service_url, None)
            credentials = self._credentials[service_url] = client.config.credentials
        # msal caches and refreshes the token; the call may block on the network, hence the thread.
        token = await asyncio.to_thread(credentials.get_access_token)
        self._tokens[service_url] = (f"Bearer {token}", time.monotonic() + TOKEN_REUSE_SECONDS)
        return self._tokens[service_url][0]

    async def _mark_unusable(self, ref: StoredReference, reason: str) -> None:
        try:
            async with self.uow_factory() as uow:
                await uow.conversations.mark_unusable(ref.aad_object_id, reason)
                await uow.audit.record(
                    "system", "conversation.unusable", "conversation_reference", ref.aad_object_id,
                    {"usable": True}, {"usable": False, "reason": reason},
                )
                await uow.commit()
        except Exception:  # the send result still tells the caller; the next send will retry this
            log.exception("could not mark the reference of %s unusable", ref.aad_object_id)


def _base(service_url: str) -> str:
    return service_url.rstrip("/")
