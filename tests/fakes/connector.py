"""A fake Bot Connector on 127.0.0.1: records what the bot sends and answers 429/5xx on demand."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Sent:
    method: str
    conversation_id: str
    activity: dict[str, Any]
    activity_id: str | None = None  # for updates and replies
    authorization: str | None = None

    @property
    def text(self) -> str | None:
        return self.activity.get("text")

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"] for a in self.activity.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]


# A failure policy sees each request (method, conversation id) and returns None to accept it or
# (status, headers) to answer with an error.
FailurePolicy = Callable[[str, str], tuple[int, dict[str, str]] | None]


@dataclass
class FakeConnector:
    sent: list[Sent] = field(default_factory=list)
    attempts: int = 0
    created_conversations: list[dict[str, Any]] = field(default_factory=list)
    failure_policy: FailurePolicy | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    server: TestServer | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    # Loop time of each accepted POST to an activity endpoint (to check rate limits).
    accepted_at: list[float] = field(default_factory=list)
    # Seconds each request takes before it is answered (a slower, more realistic connector).
    latency: float = 0.0
    # While a gate is set up, activity posts wait for it and then fail with 503, never accepted
    # (a bot process that dies while its requests are on the wire).
    gate: asyncio.Event | None = None
    # Conversation id -> seconds an activity post to it is held before it is accepted (see `hold`).
    holds: dict[str, float] = field(default_factory=dict)
    held: asyncio.Event = field(default_factory=asyncio.Event)  # set when a held post arrives

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{cid}/activities", self._post)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._post)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._put)
        return app

    async def start(self) -> FakeConnector:
        self.server = TestServer(self.app(), host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    def _failure(self, method: str, conversation_id: str) -> web.Response | None:
        self.attempts += 1
        if self.failure_policy is None:
            return None
        verdict = self.failure_policy(method, conversation_id)
        if verdict is None:
            return None
        status, headers = verdict
        return web.json_response({"error": {"code": "Simulated", "message": "simulated"}}, status=status, headers=headers)

    def hold(self, conversation_id: str, seconds: float) -> None:
        """Hold every activity post to one conversation for `seconds` before accepting it (a slow
        connector, or a notification still on the wire while the bot shuts down)."""
        self.holds[conversation_id] = seconds
        self.held.clear()

    async def _post(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        if self.latency:
            await asyncio.sleep(self.latency)
        if cid in self.holds:
            self.held.set()
            await asyncio.sleep(self.holds[cid])
        # The body is read before the gate is looked at: from the gate check to the acceptance
        # nothing waits, so once a gate is set no post is accepted any more (a post that had
        # passed the check while its body was still arriving used to be accepted after it).
        activity = await request.json()
        if self.gate is not None:
            await self.gate.wait()
            return web.json_response({"error": {"code": "Gone", "message": "simulated crash"}}, status=503)
        failure = self._failure("POST", cid)
        if failure is not None:
            return failure
        new_id = f"activity-{next(self._ids)}"
        self.sent.append(Sent("POST", cid, activity, request.match_info.get("aid"), request.headers.get("Authorization")))
        self.accepted_at.append(asyncio.get_running_loop().time())
        self.arrived.set()
        return web.json_response({"id": new_id}, status=201)

    async def _put(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        failure = self._failure("PUT", cid)
        if failure is not None:
            return failure
        activity = await request.json()
        self.sent.append(Sent("PUT", cid, activity, request.match_info["aid"], request.headers.get("Authorization")))
        return web.json_response({"id": request.match_info["aid"]})

    async def _create_conversation(self, request: web.Request) -> web.Response:
        failure = self._failure("CREATE", "")
        if failure is not None:
            return failure
        body = await request.json()
        self.created_conversations.append(body)
        return web.json_response({"id": f"a:created-{len(self.created_conversations)}"}, status=201)

    # -- reading what was sent ----------------------------------------------------------------
    def to(self, conversation_id: str) -> list[Sent]:
        return [s for s in self.sent if s.conversation_id == conversation_id]

    def texts(self, conversation_id: str) -> list[str]:
        return [s.text for s in self.to(conversation_id) if s.text]

    def cards(self, conversation_id: str) -> list[dict[str, Any]]:
        return [c for s in self.to(conversation_id) for c in s.cards]

    def clear(self) -> None:
        self.sent.clear()
