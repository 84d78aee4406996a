"""The same turns on two source trees of this bot (before and after a change), interleaved.

    .venv/bin/python -m bench.compare_trees BEFORE_TREE AFTER_TREE [--reps 3] [--seconds 3]

Each tree runs as it ships: its own `.venv/bin/python -m bot run` (migrations, the demo directory
loaded into an empty PostgreSQL database of its own, background jobs off), replies going to a fake
Bot Connector on 127.0.0.1. Demo staff send, at 8 conversations in a closed loop:
- *menu*: the text "menu"; a turn counts when its reply reached the connector;
- *register*: "thuis dd/mm" for a working day that person has not registered yet in this run; a
  turn counts when its reply arrived, and the stretch's registrations are counted in the database
  afterwards (a turn that wrote nothing is not a registration).
The order is before, after, before, after for each scenario and rep; the output gives per tree the
median and spread of turns/s and of the server's CPU ms per turn (user + system time from /proc),
and the load average before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, TCPConnector
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bench.bench_turns import cpu_seconds
from bench.common import FakeConnector, free_port, wait_healthy
from bench.scenarios import activity_from, working_days

SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@dataclass
class Tree:
    label: str
    root: Path
    database_url: str
    people: list[tuple[str, str]] = field(default_factory=list)  # (aad object id, name) of demo staff
    process: subprocess.Popen | None = None
    base: str = ""
    next_day: dict[str, int] = field(default_factory=dict)


async def fresh_database(url: str) -> None:
    name = make_url(url).database
    engine = create_async_engine(SERVER, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with engine.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


def demo_staff(root: Path) -> list[tuple[str, str]]:
    with open(root / "bot/demo/staff.csv", encoding="utf-8") as handle:
        return [(row["aad_object_id"], row["display_name"]) for row in csv.DictReader(handle)]


async def registrations(url: str) -> int:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as connection:
        count = await connection.scalar(text("SELECT count(*) FROM work_registrations"))
    await engine.dispose()
    return int(count)


@contextmanager
def running(tree: Tree) -> Iterator[None]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": tree.database_url, "PORT": str(port), "BACKGROUND_JOBS": "false",
           "MICROSOFT_APP_ID": "", "LOG_LEVEL": "WARNING"}
    tree.process = subprocess.Popen([str(tree.root / ".venv/bin/python"), "-m", "bot", "run"], cwd=tree.root, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree.base = f"http://127.0.0.1:{port}"
    try:
        yield
    finally:
        tree.process.terminate()
        tree.process.wait(30)


async def stretch(tree: Tree, session: ClientSession, connector: FakeConnector, service_url: str, scenario: str,
                  seconds: float, concurrency: int, days: list[date]) -> dict[str, Any]:
    """One closed-loop stretch; returns verified turns/s and CPU ms per verified turn."""
    before_rows = await registrations(tree.database_url) if scenario == "register" else 0
    verified = sent = 0
    stop = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def conversation(index: int) -> None:
        nonlocal verified, sent
        people = tree.people[index::concurrency]
        turn = 0
        while time.perf_counter() < stop:
            aad, name = people[turn % len(people)]
            turn += 1
            if scenario == "register":
                slot = tree.next_day.get(aad, 0)
                if slot >= len(days):
                    continue
                tree.next_day[aad] = slot + 1
                message = f"thuis {days[slot]:%d/%m}"
            else:
                message = "menu"
            activity_id = f"{tree.label}-{next(counter)}"
            activity = {**activity_from(service_url, aad, name, activity_id), "text": message}
            sent += 1
            async with session.post(f"{tree.base}/api/messages", json=activity) as response:
                await response.read()
            if response.status < 300 and connector.take_reply(activity_id) is not None:
                verified += 1

    cpu_before, started = cpu_seconds(tree.process.pid), time.perf_counter()
    await asyncio.gather(*(conversation(i) for i in range(concurrency)))
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(tree.process.pid) - cpu_before
    if scenario == "register":
        written = await registrations(tree.database_url) - before_rows
        verified = min(verified, written)  # a turn whose day was not written is not a registration
    return {"tree": tree.label, "scenario": scenario, "sent": sent, "verified": verified,
            "turns_per_s": verified / elapsed, "cpu_ms_per_turn": 1000 * cpu / max(verified, 1)}


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"


async def main(args: argparse.Namespace) -> None:
    trees = [Tree("before", args.before, f"{args.postgres}_before"), Tree("after", args.after, f"{args.postgres}_after")]
    days = working_days(date.today() + timedelta(days=2), date.today() + timedelta(days=120))
    connector = FakeConnector()
    service_url = await connector.start()
    load_before = os.getloadavg()
    rows: list[dict[str, Any]] = []
    for tree in trees:
        await fresh_database(tree.database_url)
        tree.people = demo_staff(tree.root)
    with running(trees[0]), running(trees[1]):
        async with ClientSession(connector=TCPConnector(limit=args.concurrency * 2 + 4)) as session:
            for tree in trees:
                # `bot run` migrates, loads the demo directory and warms up before it answers.
                await wait_healthy(session, tree.base, seconds=120, process=tree.process)
                for warm in ("menu", "register"):  # start-up work, first statements, caches
                    await stretch(tree, session, connector, service_url, warm, 1.0, args.concurrency, days)
            for rep in range(args.reps):
                for scenario in ("menu", "register"):
                    for tree in trees:
                        row = await stretch(tree, session, connector, service_url, scenario, args.seconds, args.concurrency, days)
                        rows.append({**row, "rep": rep})
                        print(json.dumps(row), flush=True)
    await connector.stop()
    load_after = os.getloadavg()
    print(f"\nload average before {load_before}, after {load_after}; {args.reps} reps x {args.seconds} s at "
          f"{args.concurrency} conversations, PostgreSQL\n")
    print("| turn | tree | turns/s | CPU ms/turn |\n|---|---|---|---|")
    for scenario in ("menu", "register"):
        for tree in trees:
            mine = [r for r in rows if r["scenario"] == scenario and r["tree"] == tree.label]
            print(f"| {scenario} | {tree.label} ({tree.root.name}) | {spread([r['turns_per_s'] for r in mine])} "
                  f"| {spread([r['cpu_ms_per_turn'] for r in mine])} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=lambda path: Path(path).resolve())
    parser.add_argument("after", type=lambda path: Path(path).resolve())
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/bench_trees")
    asyncio.run(main(parser.parse_args()))
