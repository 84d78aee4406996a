"""create_app(settings) -> aiohttp Application. Everything is wired here; nothing at import time."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse
from botframework.connector.auth import AuthenticateRequestResult
from msrest.serialization import Model
from sqlalchemy import text

from bot.activity_json import activity_from_json, activity_json
from bot.adapter import create_adapter
from bot.bot import HybridWorkBot
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.downloads import DownloadLinks, add_download_route
from bot.extensions import AppExtension, default_extensions
from bot.graph import GraphClient
from bot.inbound import Refused, read_activity
from bot.notifications import NotificationDispatcher, dispatcher_lifecycle
from bot.proactive import ProactiveSender
from bot.registry import Registry
from bot.runner import UseCaseRunner
from bot.runtime import SERVICES, Services
from bot.sdk_patches import apply_sdk_patches
from bot.warmup import warm_up
from bot.wiring import build_registry
from storage.db import DatabaseLimits, create_engine, create_session_factory, pool_exhausted
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

ENGINE = web.AppKey("engine", Any)
BOT = web.AppKey("bot", HybridWorkBot)
ADAPTER = web.AppKey("adapter", Any)



def create_app(
    settings: Settings, *, clock: Clock | None = None, extensions: list[AppExtension] | None = None,
    registry: Registry | None = None,
) -> web.Application:
    """The service. `registry` defaults to everything `bot.wiring.build_registry` registers;
    tests pass one with additions of their own."""
    apply_sdk_patches()  # msrest retry list computed once; see bot/sdk_patches.py
    app = web.Application(client_max_size=settings.max_body_bytes)
    registry = registry or build_registry(settings)
    engine = create_engine(
        settings.database_url, pool_size=settings.database_pool_size, echo=settings.database_echo,
        limits=database_limits(settings),
    )
    session_factory = create_session_factory(engine)
    uow_factory = UnitOfWorkFactory(session_factory, approval_subjects=registry.approval_subjects)
    adapter = create_adapter(settings)
    clock = clock or SystemClock(settings.zone)
    instance_id = f"{os.uname().nodename}:{os.getpid()}"
    proactive = ProactiveSender(
        adapter, settings.microsoft_app_id, uow_factory, settings.default_locale,
        rate_per_second=settings.proactive_rate_per_second, max_retries=settings.proactive_max_retries,
    )
    dispatcher = NotificationDispatcher(
        uow_factory, proactive, registry.notices, clock, instance_id=instance_id, default_locale=settings.default_locale,
        lease=timedelta(seconds=settings.notify_lease_seconds), poll_seconds=settings.notify_poll_seconds,
    )
    uow_factory.on_notifications(dispatcher.wake)
    services = Services(
        settings=settings,
        clock=clock,
        uow_factory=uow_factory,
        proactive=proactive,
        registry=registry,
        runner=UseCaseRunner(uow_factory, clock),
        lookups=UseCaseRunner(uow_factory.standalone, clock),
        dispatcher=dispatcher,
        links=DownloadLinks(settings, registry.downloads),
        instance_id=instance_id,
        graph=GraphClient.from_settings(settings),
    )
    adapter.reply_transport = services.proactive
    bot = HybridWorkBot(services, registry.router)
    app[SERVICES] = services
    app[ENGINE] = engine
    app[BOT] = bot
    app[ADAPTER] = adapter

    app.on_startup.append(_warm_up)
    app.router.add_post("/api/messages", handle_messages)
    app.router.add_get("/healthz", handle_health)
    app.router.add_get("/readyz", handle_ready)
    add_download_route(app)
    # Cleanup runs in reverse order: the extensions' workers and the dispatcher stop before the
    # sender and the engine close.
    app.cleanup_ctx.append(_dispose_engine)
    app.cleanup_ctx.append(dispatcher_lifecycle(dispatcher, settings.shutdown_grace_seconds))
    for extension in extensions if extensions is not None else default_extensions():
        extension(app, services)
    return app


def database_limits(settings: Settings) -> DatabaseLimits:
    return DatabaseLimits(
        connect=settings.database_connect_timeout_seconds,
        pool=settings.database_pool_timeout_seconds,
        statement=settings.database_statement_timeout_seconds or None,
        command=settings.database_command_timeout_seconds or None,
    )


async def _warm_up(app: web.Application) -> None:
    # On the loop, deliberately: nothing else runs yet (the server listens only after start-up),
    # and the libraries' lazy caches are not meant to be filled from two threads.
    warm_up(app[SERVICES].clock.now())


async def _dispose_engine(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[SERVICES].proactive.close()
    await app[ENGINE].dispose()


def _bad_request(reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=400)


async def handle_messages(request: web.Request) -> web.Response:
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        # 400 like any other body the bot will not read (a retry cannot succeed either).
        log.warning("refused an oversized activity (%s bytes)", request.content_length)
        return _bad_request(f"body larger than {request.app[SERVICES].settings.max_body_bytes} bytes")
    try:
        data = read_activity(body)
    except Refused as refused:
        log.warning("refused an activity: %s", refused.reason)
        return _bad_request(refused.reason)
    try:
        activity = activity_from_json(data)
    except Exception:  # msrest raises several types for shapes it cannot read
        log.warning("refused an activity that does not deserialize")
        return _bad_request("malformed activity")
    if not activity.service_url or not activity.conversation or not activity.conversation.id:
        return _bad_request("activity lacks serviceUrl or conversation")

    app = request.app
    services = app[SERVICES]
    adapter = app[ADAPTER]
    auth_header = request.headers.get("Authorization", "")
    try:
        auth_result: AuthenticateRequestResult = await adapter.bot_framework_authentication.authenticate_request(
            activity, auth_header
        )
    except PermissionError:
        log.warning("refused an unauthenticated request")
        return web.json_response({"error": "unauthorized"}, status=401)
    except Exception as error:  # bad tokens surface as several exception types
        log.warning("refused a request whose token could not be validated: %s", type(error).__name__)
        return web.json_response({"error": "unauthorized"}, status=401)

    allowed = services.settings.allowed_tenant_ids
    tenant = tenant_of(activity)
    if allowed and tenant not in allowed:
        log.warning("refused an activity from tenant %s", tenant)
        return web.json_response({"error": "tenant not allowed"}, status=403)

    bot, deadline = app[BOT], services.settings.turn_timeout_seconds

    async def turn_with_deadline(context: TurnContext) -> None:
        # Past the deadline the turn is cancelled (its database connection closed, its
        # transaction rolled back) and the adapter's error handler answers with the retry message.
        async with asyncio.timeout(deadline):
            await bot.on_turn(context)

    response = await adapter.process_activity(auth_result, activity, turn_with_deadline)
    if response is None:
        return web.Response(status=201)
    return web.json_response(invoke_body_json(response.body), status=response.status)


def invoke_body_json(body: Any) -> Any:
    """Invoke bodies are SDK models; a message-type card response carries a string value, which
    the SDK's serializer (typed for a dict) cannot write, so that case is written by hand."""
    if isinstance(body, AdaptiveCardInvokeResponse) and isinstance(body.value, str):
        return {"statusCode": body.status_code, "type": body.type, "value": body.value}
    return activity_json(body) if isinstance(body, Model) else body


def tenant_of(activity: Activity) -> str | None:
    if activity.conversation and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    if isinstance(activity.channel_data, dict):
        tenant = activity.channel_data.get("tenant")
        if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
            return tenant["id"]
    return None


async def handle_health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def handle_ready(request: web.Request) -> web.Response:
    """Ready when the database answers within READINESS_TIMEOUT_SECONDS and the pool has a
    connection to spare; 503 with the reason otherwise (a load balancer sends turns elsewhere)."""
    engine = request.app[ENGINE]
    if pool_exhausted(engine):
        log.warning("readiness check: every database connection is in use")
        return web.json_response({"status": "database pool exhausted"}, status=503)
    try:
        async with asyncio.timeout(request.app[SERVICES].settings.readiness_timeout_seconds):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        log.warning("readiness check: the database did not answer in time")
        return web.json_response({"status": "database not answering"}, status=503)
    except Exception as error:
        log.warning("readiness check failed: %s", type(error).__name__)
        return web.json_response({"status": "database unreachable"}, status=503)
    return web.json_response({"status": "ready"})
