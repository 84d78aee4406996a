"""Where one scenario's time goes: py-spy on the turn benchmark's server while it runs the scenario.

    .venv/bin/pip install py-spy        # not a project dependency: only this script uses it
    .venv/bin/python -m bench.profile_turns approve [--backend postgres] [--seconds 10] [--out profile.txt]

The server, database and checks are `bench.bench_turns`' (warm-up first, then the scenario at 8
conversations in a closed loop, every turn verified), sampled at 200 Hz. It prints the turns/s
(lower than without the profiler) and, for each function that takes at least 2% of the event
loop's samples, its share of them, inclusive of what it calls; the raw samples go to `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import subprocess
import sys
from pathlib import Path

from bench.bench_turns import PRODUCT_SCENARIOS, Bench, measure

EVENT_LOOP = "BaseEventLoop.run_forever"
SHOWN_FROM = 0.02


def _name(frame: str) -> str:
    return frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0] + ")"


def shares(samples: Path) -> tuple[int, list[tuple[float, str]], collections.Counter[str]]:
    """The event loop's sample count, each function's inclusive share of it (largest first), and
    the other threads' samples by the function they were in (SQLite's statements run on
    aiosqlite's thread; a thread waiting on its queue shows as that wait)."""
    loop, inclusive, elsewhere = 0, collections.Counter(), collections.Counter()
    for line in samples.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not any(frame.startswith(EVENT_LOOP) for frame in frames):
            elsewhere[_name(frames[-1])] += int(count)
            continue
        loop += int(count)
        for name in {_name(frame) for frame in frames}:
            inclusive[name] += int(count)
    rows = [(n / loop, name) for name, n in inclusive.most_common() if n / loop >= SHOWN_FROM] if loop else []
    return loop, rows, elsewhere


async def profile(args: argparse.Namespace) -> None:
    bench = Bench(argparse.Namespace(reps=1, seconds=args.seconds, concurrency=8, open_load=0.6, open_seconds=0,
                                     memory_turns=0, postgres=args.postgres, backends=args.backend, out=None))
    target = await bench.product(args.backend)
    try:
        await bench.warm_up(target, (args.scenario,))
        spy = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(target.pid), "-r", "200", "-f", "raw",
            "-o", str(args.out), "-d", str(int(args.seconds)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        row = await measure(target, args.scenario, seconds=args.seconds, concurrency=8)
        await spy.wait()
    finally:
        await target.session.close()
        if target.engine is not None:
            await target.engine.dispose()
        await target.connector.stop()
        for context in reversed(bench.servers):
            context.__exit__(None, None, None)
    print(f"{args.scenario} on {args.backend}: {row['turns_per_s']} turns/s, {row['cpu_ms_per_turn']} ms CPU a turn "
          f"under the profiler, verified: {row['verified']}")
    loop, rows, elsewhere = shares(args.out)
    print(f"event loop: {loop} samples; share of them, inclusive:")
    for share, name in rows:
        print(f"{100 * share:5.1f}%  {name}")
    print("other threads, samples by the function they were in (as a share of the event loop's):")
    for name, count in elsewhere.most_common(5):
        print(f"{100 * count / max(loop, 1):5.1f}%  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=PRODUCT_SCENARIOS)
    parser.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/bench_profile")
    parser.add_argument("--out", type=Path, default=Path("var/profile.txt"))
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    asyncio.run(profile(args))


if __name__ == "__main__":
    main()
