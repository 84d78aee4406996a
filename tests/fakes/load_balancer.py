"""A small round-robin load balancer on 127.0.0.1 in front of several bot instances.

It behaves like the simple HTTP load balancers production uses: one new upstream connection per
request (no keep-alive to the instances), an instance that refuses connections is taken out of
the rotation for a while and the request goes to the next one (it never reached the dead
instance, so retrying it is safe), and a request that was on its way when the instance died gets
502 (it may have been processed: an HTTP-level failure the client sees, never retried here).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "host"})


@dataclass
class LoadBalancer:
    upstreams: list[str]
    down_seconds: float = 5.0
    server: TestServer | None = None
    forwarded: dict[str, int] = field(default_factory=dict)
    refused: int = 0   # connections an upstream refused (the request went to the next one)
    failed: int = 0    # requests answered 502: the upstream died while handling them
    _down_until: dict[str, float] = field(default_factory=dict)
    _turn: itertools.count = field(default_factory=itertools.count)
    _session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    async def start(self) -> LoadBalancer:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True, limit=0), timeout=aiohttp.ClientTimeout(total=30),
            auto_decompress=False,
        )
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._forward)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()
        if self._session is not None:
            await self._session.close()

    def _rotation(self) -> list[str]:
        """The upstreams from the next one in turn; the ones marked down go last."""
        start = next(self._turn) % len(self.upstreams)
        ordered = self.upstreams[start:] + self.upstreams[:start]
        now = time.monotonic()
        return [u for u in ordered if self._down_until.get(u, 0) <= now] + [u for u in ordered if self._down_until.get(u, 0) > now]

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        for upstream in self._rotation():
            try:
                async with self._session.request(
                    request.method, upstream + request.path_qs, data=body, headers=headers, allow_redirects=False
                ) as answer:
                    payload = await answer.read()
                    self.forwarded[upstream] = self.forwarded.get(upstream, 0) + 1
                    kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
                    return web.Response(status=answer.status, body=payload, headers=kept)
            except aiohttp.ClientConnectorError:
                self.refused += 1
                self._down_until[upstream] = time.monotonic() + self.down_seconds
                continue
            except (aiohttp.ClientError, TimeoutError):
                self.failed += 1
                self._down_until[upstream] = time.monotonic() + self.down_seconds
                return web.json_response({"error": "upstream failed"}, status=502)
        self.failed += 1
        return web.json_response({"error": "no upstream available"}, status=502)
