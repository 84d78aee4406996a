"""Turn throughput and latency over HTTP: this bot (SQLite and PostgreSQL) against the stock echo
bot and a raw aiohttp handler, each in its own process, replies going to a fake Bot Connector.

    .venv/bin/python -m bench.bench_turns [--duration 5] [--postgres URL] [--out bench/results/turns.json]

Closed loop: N conversations each send a turn as soon as the previous one is answered (1, 8, 64).
Open loop: turns offered at a fixed rate (default 100/s) for the p99 target.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, TCPConnector

from bench.common import ROOT, FakeConnector, Stats, server, wait_healthy
from bench.scenarios import SCENARIOS, Scenario, prepare_database

CONCURRENCY = (1, 8, 64)


async def closed_loop(base: str, make: Callable[[int, int], dict[str, Any]], concurrency: int, duration: float) -> Stats:
    stats = Stats()
    stop = time.perf_counter() + duration
    async with ClientSession(connector=TCPConnector(limit=concurrency + 4)) as session:
        await wait_healthy(session, base)
        # warm-up: one turn per conversation
        await asyncio.gather(*(session.post(f"{base}/api/messages", json=make(c, 0)) for c in range(concurrency)))

        async def conversation(index: int) -> None:
            turn = 1
            while time.perf_counter() < stop:
                started = time.perf_counter()
                async with session.post(f"{base}/api/messages", json=make(index, turn)) as response:
                    await response.read()
                    if response.status >= 300 and response.status != 201:
                        stats.errors += 1
                        continue
                stats.latencies.append(time.perf_counter() - started)
                turn += 1

        begin = time.perf_counter()
        await asyncio.gather(*(conversation(i) for i in range(concurrency)))
        stats.elapsed = time.perf_counter() - begin
    return stats


async def open_loop(base: str, make: Callable[[int, int], dict[str, Any]], rate: float, duration: float, conversations: int = 64) -> Stats:
    stats = Stats()
    async with ClientSession(connector=TCPConnector(limit=0)) as session:
        await wait_healthy(session, base)

        async def one(n: int) -> None:
            started = time.perf_counter()
            try:
                async with session.post(f"{base}/api/messages", json=make(n % conversations, n)) as response:
                    await response.read()
                    if response.status >= 300 and response.status != 201:
                        stats.errors += 1
                        return
            except OSError:
                stats.errors += 1
                return
            stats.latencies.append(time.perf_counter() - started)

        tasks = []
        begin = time.perf_counter()
        total = int(rate * duration)
        for n in range(total):
            delay = begin + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n + 1_000_000)))
        await asyncio.gather(*tasks)
        stats.elapsed = time.perf_counter() - begin
    return stats


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure_target(name: str, args: list[str], env: dict[str, str], scenarios: list[Scenario], service_url: str, duration: float, rate: float) -> list[dict[str, Any]]:
    rows = []
    with server(args, env) as (port, process):
        base = f"http://127.0.0.1:{port}"
        for scenario in scenarios:
            make = scenario.activity_factory(service_url)
            for concurrency in CONCURRENCY:
                cpu_before = cpu_seconds(process.pid)
                stats = await closed_loop(base, make, concurrency, duration)
                cpu = cpu_seconds(process.pid) - cpu_before
                row = {"target": name, "scenario": scenario.name, "mode": f"closed c={concurrency}", **stats.summary(),
                       "server_cpu_ms_per_turn": round(cpu * 1000 / max(1, len(stats.latencies)), 2)}
                rows.append(row)
                print(json.dumps(row), flush=True)
            stats = await open_loop(base, make, rate, duration)
            row = {"target": name, "scenario": scenario.name, "mode": f"open {rate:g}/s", **stats.summary()}
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/bench"))
    parser.add_argument("--targets", default="raw,echo,bot-sqlite,bot-postgres")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--out", type=Path, default=Path("bench/results/turns.json"))
    args = parser.parse_args()

    connector = FakeConnector()
    service_url = await connector.start()
    targets = args.targets.split(",")
    scenarios = [SCENARIOS[name] for name in args.scenarios.split(",")]
    echo_scenario = [SCENARIOS["menu"].as_plain_text()]
    rows: list[dict[str, Any]] = []
    try:
        if "raw" in targets:
            rows += await measure_target("raw aiohttp", ["-m", "bench.raw_bot", "{port}"], {}, echo_scenario, service_url, args.duration, args.rate)
        if "echo" in targets:
            rows += await measure_target("stock echo bot", ["-m", "bench.echo_bot", "{port}"], {}, echo_scenario, service_url, args.duration, args.rate)
        for backend in ("sqlite", "postgres"):
            if f"bot-{backend}" not in targets:
                continue
            url = f"sqlite+aiosqlite:///{ROOT / 'var' / 'bench.db'}" if backend == "sqlite" else args.postgres
            await prepare_database(url)
            env = {"DATABASE_URL": url, "BACKGROUND_JOBS": "false", "DEMO_DATA": "false", "LOG_LEVEL": "WARNING", "MICROSOFT_APP_ID": ""}
            rows += await measure_target(f"bot {backend}", ["-m", "bench.serve"], env, scenarios, service_url, args.duration, args.rate)
    finally:
        await connector.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": f"{platform.node()} {os.cpu_count()} cores {platform.python_version()}",
        "duration_s": args.duration, "rows": rows,
    }, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
