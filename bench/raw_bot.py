"""The ceiling: a raw aiohttp handler that receives the activity and posts one reply.

    python -m bench.raw_bot PORT
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator

from aiohttp import ClientSession, TCPConnector, web

SESSION = web.AppKey("session", ClientSession)


async def messages(request: web.Request) -> web.Response:
    activity = await request.json()
    reply = {
        "type": "message", "text": f"Echo: {activity.get('text')}",
        "from": activity["recipient"], "recipient": activity["from"],
        "conversation": activity["conversation"], "replyToId": activity.get("id"),
    }
    url = f"{activity['serviceUrl'].rstrip('/')}/v3/conversations/{activity['conversation']['id']}/activities/{activity.get('id')}"
    async with request.app[SESSION].post(url, json=reply) as response:
        await response.read()
    return web.Response(status=201)


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def session_ctx(app: web.Application) -> AsyncIterator[None]:
    app[SESSION] = ClientSession(connector=TCPConnector(limit=200))
    yield
    await app[SESSION].close()


def create_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(session_ctx)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", health)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
