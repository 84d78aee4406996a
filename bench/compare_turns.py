"""The turn benchmark's scenarios on two source trees of this bot (before and after a change),
interleaved in one run.

    .venv/bin/python -m bench.compare_turns BEFORE_TREE AFTER_TREE [--reps 4] [--seconds 3]
        [--scenarios menu,register_card,register_text,approve] [--backend postgres]

Each tree serves its own `bench/serve.py` (its own code, this checkout's virtual environment) on a
database of its own, prepared by this checkout's `bench.scenarios` (so both trees must share the
schema), with a fake Bot Connector each. Every turn is checked as `bench.bench_turns` checks it
(the reply at the connector, the rows in the database, one notification per decision). The order
alternates per rep (before, after; then after, before), and the output gives per tree and scenario
the median and spread of turns/s and of the server's CPU ms per turn, and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
from pathlib import Path
from typing import Any

import bench.common as common
from bench.bench_turns import Bench, Target, measure

THIS_TREE = common.ROOT


async def _target(tree: Path, name: str, args: argparse.Namespace) -> tuple[Bench, Target]:
    database = f"{args.postgres}_{name}"  # bench_compare_before, bench_compare_after
    bench = Bench(argparse.Namespace(reps=1, seconds=args.seconds, concurrency=args.concurrency, open_load=0.6,
                                     open_seconds=0, memory_turns=0, postgres=database, backends=args.backend, out=None))
    bench.urls["sqlite"] = f"sqlite+aiosqlite:///{common.ROOT / 'var' / f'bench-compare-{name}.db'}"
    common.ROOT = tree  # the server process runs from that tree: its bot, its bench/serve.py
    try:
        target = await bench.product(args.backend)
    finally:
        common.ROOT = THIS_TREE
    await bench.warm_up(target, tuple(args.scenarios))
    return bench, target


async def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = os.getloadavg()
    benches, targets = [], {}
    try:
        for name, tree in (("before", args.before), ("after", args.after)):
            bench, targets[name] = await _target(tree, name, args)
            benches.append(bench)
        rows: dict[str, dict[str, list[dict[str, Any]]]] = {s: {"before": [], "after": []} for s in args.scenarios}
        for rep in range(args.reps):
            for scenario in args.scenarios:
                for name in ("before", "after") if rep % 2 == 0 else ("after", "before"):
                    row = await measure(targets[name], scenario, seconds=args.seconds, concurrency=args.concurrency)
                    if not row.get("verified"):
                        raise RuntimeError(f"{name} {scenario}: not verified: {row}")
                    rows[scenario][name].append(row)
    finally:
        for target in targets.values():
            await target.session.close()
            if target.engine is not None:
                await target.engine.dispose()
            await target.connector.stop()
        for bench in benches:
            for context in reversed(bench.servers):
                context.__exit__(None, None, None)
    summary = {
        scenario: {
            name: {key: {"median": statistics.median(r[key] for r in reps), "min": min(r[key] for r in reps),
                         "max": max(r[key] for r in reps)} for key in ("turns_per_s", "cpu_ms_per_turn")}
            for name, reps in by_tree.items()
        }
        for scenario, by_tree in rows.items()
    }
    return {"load_average_before": [round(x, 2) for x in load_before], "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "settings": {"reps": args.reps, "seconds": args.seconds, "concurrency": args.concurrency, "backend": args.backend},
            "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=lambda path: Path(path).resolve())
    parser.add_argument("after", type=lambda path: Path(path).resolve())
    parser.add_argument("--reps", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--scenarios", type=lambda text: text.split(","), default=["menu", "register_card", "register_text", "approve"])
    parser.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/bench_compare")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"load average before {result['load_average_before']}, after {result['load_average_after']}")
    print("| turn | before: turns/s | CPU ms/turn | after: turns/s | CPU ms/turn |")
    print("|---|---|---|---|---|")
    for scenario, by_tree in result["summary"].items():
        cells = []
        for name in ("before", "after"):
            rate, cpu = by_tree[name]["turns_per_s"], by_tree[name]["cpu_ms_per_turn"]
            cells += [f"{rate['median']:.1f} ({rate['min']:.1f}-{rate['max']:.1f})", f"{cpu['median']:.2f} ({cpu['min']:.2f}-{cpu['max']:.2f})"]
        print(f"| {scenario} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
