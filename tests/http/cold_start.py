"""Drives a representative set of turns against a freshly started app in a fresh interpreter, with
asyncio debug slow-callback detection on, and prints what it found as JSON (run by
tests/http/test_event_loop.py: only a new process shows what a turn pays on first use).

    python -m tests.http.cold_start DATABASE_URL
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from dataclasses import asdict
from typing import Any

from tests.slow_callbacks import detect_slow_callbacks


async def drive(database_url: str) -> dict[str, Any]:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import create_app
    from bot.clock import FixedClock
    from storage.db import create_engine, create_session_factory
    from storage.models import Base
    from storage.uow import UnitOfWorkFactory
    from tests.conftest import DEFAULT_NOW, load_directory, make_settings
    from tests.fakes import teams
    from tests.fakes.connector import FakeConnector
    from tests.fakes.people import COLLEAGUE, HR, MANAGER, STAFF, UNKNOWN

    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    await load_directory(UnitOfWorkFactory(create_session_factory(engine)))
    await engine.dispose()

    connector = await FakeConnector().start()
    started = time.perf_counter()
    client = TestClient(TestServer(create_app(make_settings(database_url), clock=FixedClock(DEFAULT_NOW), extensions=[]), host="127.0.0.1"))
    await client.start_server()
    start_up_seconds = time.perf_counter() - started
    ready = (await client.get("/readyz")).status

    url = connector.url
    turns: list[tuple[str, dict[str, Any]]] = [
        ("install", teams.install(STAFF, url)),
        ("menu", teams.message(STAFF, url, "menu")),
        ("help in English", teams.message(COLLEAGUE, url, "help")),
        ("thuis morgen", teams.message(STAFF, url, "thuis morgen")),
        ("thuis 24/11", teams.message(STAFF, url, "thuis 24/11")),
        ("thuis 3 december", teams.message(STAFF, url, "thuis 3 december")),
        ("thuis ma en do", teams.message(STAFF, url, "thuis ma en do")),
        ("home every mon for 4 weeks", teams.message(COLLEAGUE, url, "home every mon for 4 weeks")),
        ("register card", teams.execute(STAFF, url, "homework.register", {"day": "2026-12-01", "place": "home", "part": "full"})),
        ("mijn dagen", teams.message(STAFF, url, "mijn dagen")),
        ("team", teams.message(MANAGER, url, "team")),
        ("goedkeuringen", teams.message(MANAGER, url, "goedkeuringen")),
        ("materiaal", teams.message(STAFF, url, "materiaal")),
        ("internet", teams.message(STAFF, url, "internet")),
        ("mijn vergoedingen", teams.message(STAFF, url, "mijn vergoedingen")),
        ("webinars", teams.message(STAFF, url, "webinars")),
        ("coaching", teams.message(STAFF, url, "coaching")),
        ("rapport", teams.message(HR, url, "rapport")),
        ("mijn gegevens", teams.message(STAFF, url, "mijn gegevens")),
        ("unknown user", teams.message(UNKNOWN, url, "menu")),
        ("free text", teams.message(STAFF, url, "wat kan je allemaal?")),
    ]
    statuses: dict[str, int] = {}
    seconds: dict[str, float] = {}
    # From here on every callback is timed: the turns of a service that just said it is ready.
    with detect_slow_callbacks(asyncio.get_running_loop()) as found:
        for name, activity in turns:
            found.during = name
            turn_started = time.perf_counter()
            statuses[name] = (await client.post("/api/messages", json=activity)).status
            seconds[name] = round(time.perf_counter() - turn_started, 3)
    await client.close()
    await connector.close()
    return {
        "start_up_seconds": round(start_up_seconds, 2), "ready": ready, "statuses": statuses,
        "seconds": seconds, "slow": [asdict(callback) for callback in found.slow],
        "blocking": [asdict(callback) for callback in found.blocking],
    }


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    print(json.dumps(asyncio.run(drive(sys.argv[1]))))
