"""The real app served on 127.0.0.1 from a background thread, for synchronous property tests
(hypothesis drives plain functions, so the server and the fake connector get a loop of their own)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from aiohttp import web

from bot.app import create_app
from bot.clock import FixedClock
from bot.config import Settings
from tests.fakes.connector import FakeConnector

T = TypeVar("T")


class LiveBot:
    def __init__(self, settings: Settings, clock: FixedClock) -> None:
        self.settings = settings
        self.clock = clock
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.connector = FakeConnector()
        self.runner: web.AppRunner | None = None
        self.port = 0

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> LiveBot:
        self.thread.start()
        self.run(self._start())
        return self

    async def _start(self) -> None:
        await self.connector.start()
        self.app = create_app(self.settings, clock=self.clock, extensions=[])
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        async def _stop() -> None:
            if self.runner is not None:
                await self.runner.cleanup()
            await self.connector.close()

        self.run(_stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
