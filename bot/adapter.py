"""CloudAdapter with Bot Framework authentication and the turn error handler."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes, ResourceResponse
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    JwtTokenValidation,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.activity_json import activity_json
from bot.config import Settings
from bot.i18n import Translator, resolve_locale
from bot.routing import card_invoke_response

log = logging.getLogger(__name__)

CORRELATION_KEY = "hybridwork.correlation_id"


@dataclass(frozen=True)
class _BotFrameworkConfiguration:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None


class _CachingConnectorFactory(ConnectorFactory):
    """Hands out one ConnectorClient per (app id, service URL, audience) instead of a new one,
    with its own HTTP session and msrest pipeline, for every turn."""

    def __init__(self, inner: ConnectorFactory, cache: OrderedDict[tuple, Any]) -> None:
        self._inner = inner
        self._cache = cache

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = ("connector", getattr(self._inner, "_app_id", None), service_url, audience)
        client = self._cache.get(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            _remember(self._cache, key, client)
        return client


class CachingBotFrameworkAuthentication(BotFrameworkAuthentication):
    """Bot Framework authentication whose connector and user-token clients are reused.

    CloudAdapter asks for both on every turn; building them was about a fifth of a turn's CPU.
    The clients hold only credentials (which refresh their own tokens) and a base URL, so one
    per app id, service URL and audience serves every turn. Validation is not cached.
    """

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        super().__init__()
        self._inner = inner
        self._cache: OrderedDict[tuple, Any] = OrderedDict()

    async def authenticate_request(self, activity: Any, auth_header: str) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _CachingConnectorFactory(result.connector_factory, self._cache)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_streaming_request(auth_header, channel_id_header)
        if result.connector_factory is not None:
            result.connector_factory = _CachingConnectorFactory(result.connector_factory, self._cache)
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _CachingConnectorFactory(self._inner.create_connector_factory(claims_identity), self._cache)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = ("user-token", JwtTokenValidation.get_app_id_from_claims(claims_identity.claims))
        client = self._cache.get(key)
        if client is None:
            client = await self._inner.create_user_token_client(claims_identity)
            _remember(self._cache, key, client)
        return client

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)


CLIENT_CACHE_SIZE = 64


def _remember(cache: OrderedDict[tuple, Any], key: tuple, client: Any) -> None:
    cache[key] = client
    cache.move_to_end(key)
    while len(cache) > CLIENT_CACHE_SIZE:
        cache.popitem(last=False)


def create_authentication(settings: Settings) -> BotFrameworkAuthentication:
    configuration = _BotFrameworkConfiguration(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password,
        APP_TYPE=settings.microsoft_app_type if settings.microsoft_app_id else "MultiTenant",
        APP_TENANTID=settings.microsoft_app_tenant_id,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.to_bot_from_channel_openid_metadata_url or None,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=settings.to_bot_from_channel_token_issuer or None,
    )
    return CachingBotFrameworkAuthentication(ConfigurationBotFrameworkAuthentication(configuration))


# SQLSTATE classes of a database that cannot serve now but may in a minute: connection exception,
# transaction rollback (serialization failure, deadlock), insufficient resources, object not in
# prerequisite state (lock not available), operator intervention (statement timeout, shutdown),
# system error.
_TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "55", "57", "58"})
# SQLite's primary result codes of the same kind: busy, locked, I/O error, disk full, cannot open,
# locking protocol (its syntax and constraint errors share OperationalError/IntegrityError with them).
_TRANSIENT_SQLITE_CODES = frozenset({5, 6, 10, 13, 14, 15})


def is_database_error(error: BaseException) -> bool:
    """True when the database (or the way to it) did not answer, so the same turn may succeed in a
    minute: the user is told it is briefly unavailable. A constraint violation, data the database
    refuses or a faulty statement is not: a retry would fail the same way, so the turn gets the
    generic apology (and the log a traceback to fix)."""
    if isinstance(error, IntegrityError | DataError | ProgrammingError | NotSupportedError):
        return False
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        sqlstate = getattr(error.orig, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate:
            return sqlstate[:2] in _TRANSIENT_SQLSTATE_CLASSES
        sqlite_code = getattr(error.orig, "sqlite_errorcode", None)
        if isinstance(sqlite_code, int):
            return sqlite_code & 0xFF in _TRANSIENT_SQLITE_CODES
        return isinstance(error, OperationalError | InterfaceError) or isinstance(error.orig, OSError)
    # TimeoutError (a command, connect or turn deadline) and ConnectionError are OSErrors.
    return isinstance(error, PoolTimeout | DisconnectionError | OSError)


class ReplyTransport(Protocol):
    async def reply(self, method: str, url: str, body: dict[str, Any]) -> Any: ...


class HybridWorkAdapter(CloudAdapter):
    """CloudAdapter whose replies, updates and deletes go over one pooled aiohttp connection.

    The SDK's ConnectorClient sends every call through `requests` in a thread pool (a new
    session per client, CA-bundle checks per request): a quarter of a turn's CPU. The Bot
    Connector REST calls are the same; authentication and the turn pipeline stay the SDK's.
    """

    reply_transport: ReplyTransport | None = None

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        if self.reply_transport is None:
            return await super().send_activities(context, activities)
        if not activities:
            raise TypeError("Expecting one or more activities, but the list was empty.")
        responses: list[ResourceResponse] = []
        for activity in activities:
            activity.id = None
            if activity.type == ActivityTypes.invoke_response:
                context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
                responses.append(ResourceResponse(id=""))
                continue
            if activity.type in ("delay", ActivityTypes.trace):
                responses.extend(await super().send_activities(context, [activity]))
                continue
            url = _conversation_url(activity.service_url or context.activity.service_url, activity.conversation.id)
            if activity.reply_to_id:
                url += f"/{quote(activity.reply_to_id, safe=':@')}"
            body = await self.reply_transport.reply("POST", url, activity_json(activity))
            responses.append(ResourceResponse(id=(body or {}).get("id", "") if isinstance(body, dict) else ""))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse | None:
        if self.reply_transport is None:
            return await super().update_activity(context, activity)
        url = _conversation_url(activity.service_url or context.activity.service_url, activity.conversation.id)
        body = await self.reply_transport.reply("PUT", f"{url}/{quote(activity.id, safe=':@')}", activity_json(activity))
        response_id = body.get("id") if isinstance(body, dict) else None
        return ResourceResponse(id=response_id) if response_id else None


def _conversation_url(service_url: str, conversation_id: str) -> str:
    return f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe=':@')}/activities"


def create_adapter(settings: Settings) -> HybridWorkAdapter:
    if settings.local_mode:
        log.warning("MICROSOFT_APP_ID is not set: running in local mode, requests are NOT authenticated")
    adapter = HybridWorkAdapter(create_authentication(settings))

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        correlation_id = context.turn_state.get(CORRELATION_KEY, "-")
        log.error("turn failed (correlation %s): %s", correlation_id, type(error).__name__, exc_info=error)
        locale = resolve_locale(context.activity.locale, None, settings.default_locale)
        t = Translator(locale)
        key = "common.database_unavailable" if is_database_error(error) else "common.apology"
        text = t(key, ref=correlation_id)
        try:
            if context.activity.type == ActivityTypes.invoke:
                # An invoke is answered in its HTTP response (a turn cut off by its deadline has
                # not answered yet); a message sent instead would leave Teams a 501.
                if not context.turn_state.get(adapter._INVOKE_RESPONSE_KEY):
                    await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=card_invoke_response(text)))
                return
            await context.send_activity(MessageFactory.text(text))
        except Exception:  # the connector itself may be what failed
            log.warning("could not send the apology (correlation %s)", correlation_id)

    adapter.on_turn_error = on_turn_error
    return adapter
