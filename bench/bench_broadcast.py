"""Broadcast throughput against an in-process fake Bot Connector (a script, not a test).

    .venv/bin/python bench/bench_broadcast.py                      # no rate limit: messages a second
    .venv/bin/python bench/bench_broadcast.py --rate 50            # Teams' tenant limit: total time
    .venv/bin/python bench/bench_broadcast.py --database-url postgresql+asyncpg://...  --runs 3

Each run creates a fresh schema with N staff members (default 21,392, the staff eligible for
hybrid work in 2020) and their conversation references, sends one broadcast and checks that
every recipient got exactly one message.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from bot.broadcast_worker import BroadcastWorker  # noqa: E402
from storage.db import create_engine, create_session_factory  # noqa: E402
from storage.models import Base  # noqa: E402
from storage.uow import UnitOfWorkFactory  # noqa: E402
from tests.conftest import load_directory  # noqa: E402
from tests.fakes.connector import FakeConnector  # noqa: E402
from tests.storage.test_broadcast_delivery import add_audience, make_services, new_broadcast  # noqa: E402


async def one_run(database_url: str, count: int, rate: float, batch: int, latency: float) -> tuple[float, int, int]:
    engine = create_engine(database_url, pool_size=20)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        await connection.run_sync(Base.metadata.create_all)
    uow_factory = UnitOfWorkFactory(create_session_factory(engine))
    await load_directory(uow_factory)
    connector = await FakeConnector().start()
    connector.latency = latency
    try:
        ids = await add_audience(uow_factory, count, connector.url)
        services = make_services(uow_factory, database_url, rate=rate)
        await new_broadcast(services, ids)
        worker = BroadcastWorker(
            services, services.registry.broadcast_renderers, batch_size=batch, concurrency=max(batch, min(200, int(rate * 2)))
        )
        started = time.perf_counter()
        await worker.run_until_idle()
        elapsed = time.perf_counter() - started
        await services.proactive.close()
        per_conversation = collections.Counter(s.conversation_id for s in connector.sent)
        return elapsed, len(per_conversation), sum(1 for n in per_conversation.values() if n > 1)
    finally:
        await connector.close()
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--recipients", type=int, default=21_392)
    parser.add_argument("--rate", type=float, default=1_000_000.0, help="requests a second (Teams: 50)")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the fake connector takes per request")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        times = []
        for run in range(args.runs):
            elapsed, reached, duplicates = await one_run(url, args.recipients, args.rate, args.batch, args.latency)
            ok = reached == args.recipients and duplicates == 0
            print(f"run {run + 1}: {elapsed:.1f} s, {args.recipients / elapsed:.0f} msg/s, "
                  f"{reached} reached, {duplicates} duplicates, exactly once: {ok}")
            times.append(elapsed)
    median = statistics.median(times)
    print(f"median {median:.1f} s ({args.recipients / median:.0f} msg/s), spread {min(times):.1f}-{max(times):.1f} s; "
          f"the rate alone allows {args.recipients / args.rate:.1f} s")


if __name__ == "__main__":
    asyncio.run(main())
