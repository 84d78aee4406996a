"""The turn benchmark: this bot (PostgreSQL and SQLite) against the stock echo bot and a raw aiohttp
handler, interleaved in one run and repeated; every turn checked.

    .venv/bin/python -m bench.bench_turns [--reps 2] [--seconds 3] [--concurrency 8]
        [--postgres URL] [--backends postgres,sqlite] [--memory-turns 10000] [--out bench/results/turns.json]
    .venv/bin/python -m bench.summarize_turns bench/results/turns.json     # the tables in docs/benchmarks.md

All servers run at once, each in its own process; the load generator and the fake Bot Connectors
run in this one. Each rep measures, for `--seconds` each at `--concurrency` conversations (closed
loop: a conversation sends its next turn when the previous one is answered): the echo bot, every
scenario on PostgreSQL, the raw handler, the echo bot again, every scenario on SQLite. A turn
counts only when its reply arrived at the fake connector (an invoke: the card in the HTTP answer);
after each stretch the rows written are counted in the database (one per registration turn, one
decision per approval turn) and the approval notifications at the connector (exactly one per
decision; the stretch ends when they are all delivered, so their CPU is in it). Then each
scenario at an offered load of 60% of its measured capacity (open loop, latency from the planned
send time), and resident memory: idle in a fresh server, and over `--memory-turns` mixed turns.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, TCPConnector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import ROOT, FakeConnector, server, wait_healthy
from bench.scenarios import (
    ADAPTIVE,
    PRODUCT_SCENARIOS,
    WRITES,
    Scenario,
    Turn,
    conversation_of,
    point_references_at,
    prepare_database,
    written,
)
from storage.db import create_engine
from storage.models.approvals import ApprovalRow
from storage.models.directory import StaffRow

DRAIN_SECONDS = 60.0
WARM_UP_TURNS = 40


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmRSS")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass
class Target:
    """One server under test and what the load generator knows about it."""

    name: str  # "echo", "raw", "postgres", "sqlite"
    pid: int
    base: str
    session: ClientSession
    connector: FakeConnector
    scenario: Scenario
    engine: AsyncEngine | None = None
    idle_rss_mib: float = 0.0

    async def check(self, turn: Turn) -> str | None:
        """Post one turn; None when it did what it should, else why not."""
        try:
            async with self.session.post(f"{self.base}/api/messages", json=turn.activity) as response:
                body = await response.read()
                status = response.status
        except OSError as error:
            return f"connection: {type(error).__name__}"
        if status not in (200, 201, 202):
            return f"http {status}"
        if turn.kind == "invoke":
            try:
                answer = json.loads(body)
            except ValueError:
                return "invoke: no JSON"
            if answer.get("statusCode") != 200 or answer.get("type") != ADAPTIVE or not isinstance(answer.get("value"), dict):
                return "invoke: no card"
            return None
        reply = self.connector.take_reply(turn.activity["id"])
        if reply is None:
            return "no reply"
        if turn.expect == "card":
            if not any(a.get("contentType") == ADAPTIVE for a in reply.get("attachments") or []):
                return "reply: no card"
        elif not reply.get("text"):
            return "reply: no text"
        return None

    def notifications(self) -> int:
        return sum(self.connector.proactive.values())


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    notify_expected: int = 0


async def _one(target: Target, turn: Turn, planned: float, outcome: Outcome) -> None:
    failure = await target.check(turn)
    if failure is None:
        outcome.latencies.append(time.perf_counter() - planned)
        if turn.notify:
            outcome.notify_expected += 1
    else:
        outcome.failures[failure] += 1


async def _drain(target: Target, expected_total: int) -> bool:
    deadline = time.monotonic() + DRAIN_SECONDS
    while target.notifications() < expected_total:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def measure(target: Target, scenario: str, *, seconds: float, concurrency: int, rate: float | None = None) -> dict[str, Any]:
    """One stretch: closed loop at `concurrency` conversations, or open loop at `rate` turns/s."""
    build = target.scenario.builder(scenario)
    before = await written(target.engine) if target.engine is not None else None
    notified_before = target.notifications()
    outcome = Outcome()
    cpu_before = cpu_seconds(target.pid)
    begin = time.perf_counter()
    if rate is None:
        stop = begin + seconds

        async def conversation(index: int) -> None:
            while time.perf_counter() < stop:
                await _one(target, build(index), time.perf_counter(), outcome)

        await asyncio.gather(*(conversation(i) for i in range(concurrency)))
    else:
        tasks = []
        for n in range(int(rate * seconds)):
            planned = begin + n / rate
            delay = planned - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_one(target, build(n % concurrency), planned, outcome)))
        await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - begin
    drained = await _drain(target, notified_before + outcome.notify_expected)
    cpu = cpu_seconds(target.pid) - cpu_before
    turns = len(outcome.latencies)
    row: dict[str, Any] = {
        "target": target.name, "scenario": scenario, "mode": "closed" if rate is None else "open",
        "concurrency": concurrency, "offered_per_s": rate, "seconds": round(elapsed, 2), "turns": turns,
        "failed": dict(outcome.failures), "turns_per_s": round(turns / elapsed, 1),
        "cpu_ms_per_turn": round(cpu * 1000 / turns, 2) if turns else None,
        "p50_ms": round(percentile(outcome.latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(outcome.latencies, 99) * 1000, 1),
    }
    failed = sum(outcome.failures.values())
    problems = [f"{failed} turns failed ({', '.join(outcome.failures)})"] if failed else []
    if before is not None:
        after = await written(target.engine)
        kind = WRITES.get(scenario)
        if kind is not None:
            row["rows_written"] = after[kind] - before[kind]
            if row["rows_written"] != turns:
                problems.append(f"{turns} turns but {row['rows_written']} {kind} written")
    if outcome.notify_expected or scenario == "approve":
        row["notifications"] = target.notifications() - notified_before
        if not drained or row["notifications"] != outcome.notify_expected:
            problems.append(f"{outcome.notify_expected} decisions but {row['notifications']} notifications")
    row["verified"] = not problems
    row["problems"] = problems
    return row


async def exactly_once(target: Target) -> dict[str, Any]:
    """Per requester: notifications at the connector against decisions in the database."""
    assert target.engine is not None
    async with target.engine.connect() as connection:
        rows = await connection.execute(
            select(StaffRow.aad_object_id, func.count()).join(ApprovalRow, ApprovalRow.requester_id == StaffRow.id)
            .where(ApprovalRow.status == "approved").group_by(StaffRow.aad_object_id)
        )
        decided = {conversation_of(aad): n for aad, n in rows.tuples()}
    received = {conversation: n for conversation, n in target.connector.proactive.items() if n}
    wrong = {c: (decided.get(c, 0), received.get(c, 0)) for c in set(decided) | set(received) if decided.get(c, 0) != received.get(c, 0)}
    return {"target": target.name, "decisions": sum(decided.values()), "notifications": sum(received.values()),
            "requesters": len(decided), "mismatched_requesters": len(wrong), "exactly_once": not wrong}


def bot_env(url: str) -> dict[str, str]:
    return {"DATABASE_URL": url, "BACKGROUND_JOBS": "false", "DEMO_DATA": "false", "LOG_LEVEL": "WARNING",
            "MICROSOFT_APP_ID": "", "BENCH_PROACTIVE_RATE_PER_SECOND": "2000"}


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.urls = {"postgres": args.postgres, "sqlite": f"sqlite+aiosqlite:///{ROOT / 'var' / 'bench-turns.db'}"}
        self.backends = [b for b in args.backends.split(",") if b]
        self.rows: list[dict[str, Any]] = []
        self.servers: list[Any] = []
        self.started = time.monotonic()

    def phase(self, name: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f} s] {name}", file=sys.stderr, flush=True)

    def log(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        shown = {k: row[k] for k in ("target", "scenario", "mode", "turns_per_s", "cpu_ms_per_turn", "p99_ms", "verified") if k in row}
        print(json.dumps(shown), flush=True)

    async def start(self, name: str, args: list[str], env: dict[str, str], connector: FakeConnector,
                    scenario: Scenario, engine: AsyncEngine | None) -> Target:
        context = server(args, env)
        port, process = context.__enter__()
        self.servers.append(context)
        session = ClientSession(connector=TCPConnector(limit=0))
        base = f"http://127.0.0.1:{port}"
        await wait_healthy(session, base)
        await asyncio.sleep(1.0)  # let start-up work (warm-up, first pool connections) settle
        return Target(name, process.pid, base, session, connector, scenario, engine, idle_rss_mib=rss_mib(process.pid))

    async def product(self, backend: str) -> Target:
        url = self.urls[backend]
        await prepare_database(url)
        connector = FakeConnector()
        service_url = await connector.start()
        engine = create_engine(url)
        await point_references_at(engine, service_url)
        return await self.start(backend, ["-m", "bench.serve"], bot_env(url), connector, Scenario(service_url), engine)

    async def warm_up(self, target: Target, scenarios: tuple[str, ...]) -> None:
        for scenario in scenarios:
            build = target.scenario.builder(scenario)
            outcome, notified_before = Outcome(), target.notifications()
            for n in range(WARM_UP_TURNS):
                await _one(target, build(n % self.args.concurrency), time.perf_counter(), outcome)
            if outcome.failures:
                raise RuntimeError(f"{target.name} {scenario}: warm-up turns failed: {dict(outcome.failures)}")
            if not await _drain(target, notified_before + outcome.notify_expected):
                raise RuntimeError(f"{target.name} {scenario}: warm-up notifications not delivered")

    async def run(self) -> dict[str, Any]:
        args = self.args
        load_before = os.getloadavg()
        started = self.started = time.monotonic()
        self.phase("servers and databases")
        plain = FakeConnector()
        plain_url = await plain.start()
        targets: dict[str, Target] = {}
        try:
            targets["echo"] = await self.start("echo", ["-m", "bench.echo_bot", "{port}"], {}, plain, Scenario(plain_url), None)
            targets["raw"] = await self.start("raw", ["-m", "bench.raw_bot", "{port}"], {}, plain, Scenario(plain_url), None)
            for backend in self.backends:
                targets[backend] = await self.product(backend)
            self.phase("warm-up")
            for name in ("echo", "raw"):
                await self.warm_up(targets[name], ("text",))
            for backend in self.backends:
                await self.warm_up(targets[backend], PRODUCT_SCENARIOS)
            self.phase("closed loop, interleaved")
            closed = {"seconds": args.seconds, "concurrency": args.concurrency}
            for rep in range(args.reps):
                for index, backend in enumerate(self.backends):
                    self.log({**await measure(targets["echo"], "text", **closed), "rep": rep})
                    for scenario in PRODUCT_SCENARIOS:
                        self.log({**await measure(targets[backend], scenario, **closed), "rep": rep})
                    if index == 0:
                        self.log({**await measure(targets["raw"], "text", **closed), "rep": rep})
                if not self.backends:
                    self.log({**await measure(targets["echo"], "text", **closed), "rep": rep})
                    self.log({**await measure(targets["raw"], "text", **closed), "rep": rep})
            if args.open_seconds > 0:
                self.phase("open loop")
                for name in ("echo", *self.backends):
                    for scenario in ("text",) if name == "echo" else PRODUCT_SCENARIOS:
                        capacity = statistics.median(
                            r["turns_per_s"] for r in self.rows
                            if r["target"] == name and r["scenario"] == scenario and r["mode"] == "closed"
                        )
                        rate = round(capacity * args.open_load, 1)
                        self.log(await measure(targets[name], scenario, seconds=args.open_seconds, concurrency=args.concurrency, rate=rate))
            checks = [await exactly_once(targets[backend]) for backend in self.backends]
            idle = {name: target.idle_rss_mib for name, target in targets.items()}
            for context in reversed(self.servers):
                context.__exit__(None, None, None)
            self.servers.clear()
            memory = await self.memory(targets) if args.memory_turns > 0 and self.backends else None
        finally:
            for target in targets.values():
                await target.session.close()
                if target.engine is not None:
                    await target.engine.dispose()
                if target.connector is not plain:
                    await target.connector.stop()
            for context in reversed(self.servers):
                context.__exit__(None, None, None)
            await plain.stop()
        return {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.node()}, {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "wall_seconds": round(time.monotonic() - started, 1),
            "settings": {"reps": args.reps, "seconds": args.seconds, "concurrency": args.concurrency,
                         "open_load": args.open_load, "open_seconds": args.open_seconds, "backends": self.backends},
            "idle_rss_mib": idle, "exactly_once": checks, "memory": memory, "rows": self.rows,
        }

    async def memory(self, previous: dict[str, Target]) -> dict[str, Any]:
        """A fresh server on the first backend: idle, then mixed turns, resident memory every 1,000."""
        self.phase("memory")
        backend = self.backends[0]
        old = previous[backend]
        target = await self.start(f"{backend} (memory)", ["-m", "bench.serve"], bot_env(self.urls[backend]), old.connector,
                                  old.scenario, create_engine(self.urls[backend]))
        samples = [(0, target.idle_rss_mib)]
        outcome = Outcome()
        notified_before = target.notifications()
        try:
            turns = iter(range(self.args.memory_turns))

            async def worker(index: int) -> None:
                for n in turns:
                    scenario = PRODUCT_SCENARIOS[n % len(PRODUCT_SCENARIOS)]
                    await _one(target, target.scenario.builder(scenario)(index), time.perf_counter(), outcome)
                    if (n + 1) % 1000 == 0:
                        samples.append((n + 1, rss_mib(target.pid)))

            await asyncio.gather(*(worker(i) for i in range(self.args.concurrency)))
            drained = await _drain(target, notified_before + outcome.notify_expected)
        finally:
            await target.session.close()
            assert target.engine is not None
            await target.engine.dispose()
            for context in reversed(self.servers):
                context.__exit__(None, None, None)
            self.servers.clear()
        warm = next((rss for turns_done, rss in samples if turns_done >= 1000), samples[0][1])
        return {
            "backend": backend, "turns": self.args.memory_turns, "verified_turns": len(outcome.latencies),
            "failed": dict(outcome.failures), "notifications_delivered": drained,
            "idle_mib": samples[0][1], "after_1000_mib": warm, "final_mib": samples[-1][1],
            "growth_after_warm_up_mib": round(samples[-1][1] - warm, 1), "samples": samples,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each closed-loop stretch")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--open-load", type=float, default=0.6, help="open loop: share of the measured capacity offered")
    parser.add_argument("--open-seconds", type=float, default=4.0, help="0: no open-loop stretch")
    parser.add_argument("--memory-turns", type=int, default=10_000, help="0: no memory run")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/bench"),
                        help="a database the benchmark may wipe (BENCH_DATABASE_URL)")
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--out", type=Path, default=Path("bench/results/turns.json"))
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    result = asyncio.run(Bench(args).run())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    from bench.summarize_turns import render

    print(render(result))


if __name__ == "__main__":
    main()
