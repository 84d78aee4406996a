"""One bot instance as its own process, for the tests that run several on one database:

    python -m tests.fakes.bot_instance

It is the service as `python -m bot run` serves it (settings from the environment, `create_app`,
the background workers and the scheduler), without migrating or loading demo data (the test
prepares the database), plus two things of the tests' own on the registry: a broadcast kind, and
a scheduled job that tells a probe on 127.0.0.1 which instance started it and then keeps working
(a long job its instance may die in the middle of).
"""

from __future__ import annotations

import asyncio
import gc
import os
from datetime import datetime, timedelta

import aiohttp
from aiohttp import web

from bot.app import create_app
from bot.config import Settings, load_settings
from bot.domain.broadcasts import BroadcastPayload
from bot.i18n import Translator
from bot.logs import configure_logging
from bot.registry import BroadcastRecipient, Registry
from bot.runner import UseCaseRunner
from bot.wiring import build_registry

PROBE_URL_VARIABLE = "TEST_JOB_PROBE_URL"
LONG_JOB = "test.long_job"


class Announcement(BroadcastPayload, kind="test.announcement"):
    text: str


def render_announcement(payload: Announcement, recipient: BroadcastRecipient, t: Translator) -> dict:
    return {
        "type": "AdaptiveCard", "version": "1.5",
        "body": [{"type": "TextBlock", "text": f"{payload.text}, {recipient.staff.display_name}", "wrap": True}],
    }


def long_job(probe_url: str):  # noqa: ANN201
    async def run(runner: UseCaseRunner, now: datetime) -> None:
        async with aiohttp.ClientSession() as session:
            await session.post(f"{probe_url}/started", json={"pid": os.getpid(), "slot_time": now.isoformat()})
        await asyncio.Event().wait()  # still working when the instance dies

    return run


def registry_for_tests(settings: Settings) -> Registry:
    registry = build_registry(settings)
    registry.broadcast_renderer(Announcement, render_announcement)
    probe_url = os.environ.get(PROBE_URL_VARIABLE)
    if probe_url:
        registry.job(LONG_JOB, long_job(probe_url), every=timedelta(hours=1))
    return registry


def main() -> None:
    settings = load_settings()
    configure_logging(settings.log_level)
    app = create_app(settings, registry=registry_for_tests(settings))
    gc.freeze()
    web.run_app(app, host=settings.host, port=settings.port, print=None)


if __name__ == "__main__":
    main()
