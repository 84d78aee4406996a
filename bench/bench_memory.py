"""Resident memory of the bot process: idle, and while serving 10,000 turns (no growth after warm-up).

    .venv/bin/python -m bench.bench_memory [--turns 10000] [--database-url URL] [--out bench/results/memory.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import ClientSession, TCPConnector

from bench.common import ROOT, FakeConnector, server, wait_healthy
from bench.scenarios import SCENARIOS, prepare_database


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default=f"sqlite+aiosqlite:///{ROOT / 'var' / 'bench-memory.db'}")
    parser.add_argument("--scenario", default="menu")
    parser.add_argument("--out", type=Path, default=Path("bench/results/memory.json"))
    args = parser.parse_args()

    await prepare_database(args.database_url)
    connector = FakeConnector()
    service_url = await connector.start()
    make = SCENARIOS[args.scenario].activity_factory(service_url)
    env = {"DATABASE_URL": args.database_url, "BACKGROUND_JOBS": "false", "LOG_LEVEL": "WARNING", "MICROSOFT_APP_ID": ""}
    samples: list[tuple[int, float]] = []
    try:
        with server(["-m", "bench.serve"], env) as (port, process):
            base = f"http://127.0.0.1:{port}"
            async with ClientSession(connector=TCPConnector(limit=args.concurrency + 2)) as session:
                await wait_healthy(session, base)
                await asyncio.sleep(1)
                samples.append((0, rss_mib(process.pid)))
                sent = 0
                queue = iter(range(args.turns))

                async def worker(index: int) -> None:
                    nonlocal sent
                    for n in queue:
                        async with session.post(f"{base}/api/messages", json=make(n % 64, n)) as response:
                            await response.read()
                        sent += 1
                        if sent % 1000 == 0:
                            samples.append((sent, rss_mib(process.pid)))

                await asyncio.gather(*(worker(i) for i in range(args.concurrency)))
    finally:
        await connector.stop()
    idle = samples[0][1]
    warm = next((rss for turns, rss in samples if turns >= 1000), idle)
    final = samples[-1][1]
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": f"{platform.node()} {os.cpu_count()} cores",
        "database": args.database_url.split(":")[0], "turns": args.turns, "idle_mib": round(idle, 1),
        "after_warmup_mib": round(warm, 1), "final_mib": round(final, 1), "growth_after_warmup_mib": round(final - warm, 1),
        "samples": [(t, round(r, 1)) for t, r in samples],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
