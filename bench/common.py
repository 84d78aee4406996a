"""Shared pieces of the benchmarks: a fake Bot Connector, server processes, latency statistics."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeConnector:
    """The Bot Connector on 127.0.0.1: accepts every activity as fast as it can and remembers what
    came, so the benchmark checks each turn's reply and counts each notification.

    `POST /v3/conversations/{id}/activities/{reply_to}` is a reply to the incoming activity
    `reply_to`; `POST /v3/conversations/{id}/activities` without it is a proactive message.
    """

    def __init__(self) -> None:
        self.replies: dict[str, dict[str, Any]] = {}
        self.proactive: Counter[str] = Counter()
        self.other = 0
        self.runner: web.AppRunner | None = None
        self.port = free_port()
        self._ids = 0

    def _answer(self) -> web.Response:
        self._ids += 1
        return web.json_response({"id": f"a{self._ids}"}, status=201)

    async def _reply(self, request: web.Request) -> web.Response:
        self.replies[request.match_info["reply_to"]] = await request.json()
        return self._answer()

    async def _send(self, request: web.Request) -> web.Response:
        await request.read()
        self.proactive[request.match_info["conversation"]] += 1
        return self._answer()

    async def _accept(self, request: web.Request) -> web.Response:
        await request.read()
        self.other += 1
        return self._answer()

    def take_reply(self, activity_id: str) -> dict[str, Any] | None:
        return self.replies.pop(activity_id, None)

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._reply)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_route("*", "/{tail:.*}", self._accept)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()


@contextmanager
def server(args: list[str], env: dict[str, str] | None = None, port: int | None = None) -> Iterator[tuple[int, subprocess.Popen]]:
    """Start a server process and wait until GET /healthz answers."""
    port = port or free_port()
    process = subprocess.Popen(
        [PYTHON, *[a.replace("{port}", str(port)) for a in args]], cwd=ROOT,
        env={**os.environ, **(env or {}), "PORT": str(port)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server {args} did not start: {process.stderr.read().decode()[-2000:] if process.stderr else ''}") from None
                time.sleep(0.1)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    def summary(self) -> dict[str, float]:
        return {
            "turns": len(self.latencies), "errors": self.errors, "turns_per_s": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50), 2), "p90_ms": round(self.percentile(90), 2),
            "p99_ms": round(self.percentile(99), 2),
            "stdev_ms": round(statistics.pstdev(self.latencies) * 1000, 2) if len(self.latencies) > 1 else 0.0,
        }


async def wait_healthy(session: ClientSession, base: str, seconds: float = 10.0,
                       process: subprocess.Popen | None = None) -> None:
    """Until GET /healthz answers 200; fails after `seconds`, or at once when `process` exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{base}: the server exited with {process.returncode}")
        try:
            async with session.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{base} not healthy")
