"""The turn benchmark's passes as the table in docs/benchmarks.md: medians and spread per row.

    .venv/bin/python -m bench.summarize_turns bench/results/turns-1.json bench/results/turns-2.json ...
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

HEADER = (
    "| target | scenario | load | turns/s median (min-max) | p50 ms | p99 ms median (min-max) | server CPU ms/turn |\n"
    "|---|---|---|---|---|---|---|"
)


def spread(values: list[float], digits: int = 0) -> str:
    def show(value: float) -> str:
        return f"{value:.{digits}f}"

    return f"{show(statistics.median(values))} ({show(min(values))}-{show(max(values))})"


def summarize(passes: list[dict[str, Any]]) -> list[str]:
    """One line per (target, scenario, load), in the order of the first pass."""
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for one_pass in passes:
        for row in one_pass["rows"]:
            grouped.setdefault((row["target"], row["scenario"], row["mode"]), []).append(row)
    lines = [HEADER]
    for (target, scenario, mode), rows in grouped.items():
        cpu = [row["server_cpu_ms_per_turn"] for row in rows if row.get("server_cpu_ms_per_turn") is not None]
        lines.append(
            f"| {target} | {scenario} | {mode} | {spread([row['turns_per_s'] for row in rows])} | "
            f"{statistics.median(row['p50_ms'] for row in rows):.1f} | {spread([row['p99_ms'] for row in rows])} | "
            f"{f'{statistics.median(cpu):.1f}' if cpu else '-'} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("passes", nargs="+", type=Path)
    args = parser.parse_args()
    print("\n".join(summarize([json.loads(path.read_text()) for path in args.passes])))


if __name__ == "__main__":
    main()
