"""The turn benchmark's JSON as the tables in docs/benchmarks.md.

    .venv/bin/python -m bench.summarize_turns bench/results/turns.json

Ratios are to the stock echo bot's median in the same run; "(min-max)" is the spread over the
reps; CPU is the server process's user + system time divided by the verified turns.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

LABELS = {
    "text": "plain text, echoed",
    "menu": "menu",
    "register_text": 'register by typing ("thuis 14/01")',
    "register_card": "register by the card's Action.Submit",
    "approve": "approval decision (Action.Execute, requester notified)",
}
TARGET_LABELS = {"echo": "stock echo bot (botbuilder as shipped)", "raw": "raw aiohttp handler posting one reply (the ceiling)"}


def _closed(result: dict[str, Any], target: str, scenario: str) -> list[dict[str, Any]]:
    return [r for r in result["rows"] if r["target"] == target and r["scenario"] == scenario and r["mode"] == "closed"]


def _spread(values: list[float], digits: int) -> str:
    if not values:
        return "-"
    median = statistics.median(values)
    if len(values) == 1 or min(values) == max(values):
        return f"{median:,.{digits}f}"
    return f"{median:,.{digits}f} ({min(values):,.{digits}f}-{max(values):,.{digits}f})"


def _cell(result: dict[str, Any], target: str, scenario: str, echo: float) -> str:
    rows = _closed(result, target, scenario)
    if not rows:
        return "-"
    rates = [r["turns_per_s"] for r in rows]
    cpu = [r["cpu_ms_per_turn"] for r in rows if r["cpu_ms_per_turn"] is not None]
    ratio = statistics.median(rates) / echo if echo else float("nan")
    flag = "" if all(r["verified"] for r in rows) else " **not verified**"
    return f"**{ratio:.2f}x**, {_spread(cpu, 1)} ms, {_spread(rates, 0)}/s{flag}"


def render(result: dict[str, Any]) -> str:
    backends = result["settings"]["backends"]
    echo_rows = _closed(result, "echo", "text")
    echo = statistics.median(r["turns_per_s"] for r in echo_rows) if echo_rows else 0.0
    s = result["settings"]
    lines = [
        f"Date {result['date']}; {result['machine']}; load average before {result['load_average_before']}, "
        f"after {result['load_average_after']}; {s['reps']} reps x {s['seconds']:g} s at {s['concurrency']} conversations; "
        f"whole run {result['wall_seconds']:.0f} s.",
        "",
        "Each cell: ratio to the stock echo bot's turns/s, server CPU ms per turn, turns/s (median, spread over the reps).",
        "",
        "| turn | " + " | ".join({"postgres": "PostgreSQL", "sqlite": "SQLite"}[b] for b in backends) + " |",
        "|---|" + "---|" * len(backends),
    ]
    for target in ("echo", "raw"):
        cell = _cell(result, target, "text", echo)
        lines.append(f"| {TARGET_LABELS[target]} | " + " | ".join([cell] * len(backends)) + " |")
    for scenario in ("menu", "register_text", "register_card", "approve"):
        lines.append(f"| {LABELS[scenario]} | " + " | ".join(_cell(result, b, scenario, echo) for b in backends) + " |")
    open_rows = [r for r in result["rows"] if r["mode"] == "open"]
    if open_rows:
        lines += ["", f"Open loop at {s['open_load']:.0%} of each turn's measured capacity ({s['open_seconds']:g} s; latency from the planned send time):", "",
                  "| target | turn | offered/s | served/s | p50 ms | p99 ms | verified |", "|---|---|---|---|---|---|---|"]
        for r in open_rows:
            lines.append(f"| {r['target']} | {LABELS[r['scenario']]} | {r['offered_per_s']:g} | {r['turns_per_s']:g} | "
                         f"{r['p50_ms']:g} | {r['p99_ms']:g} | {'yes' if r['verified'] else 'no: ' + '; '.join(r['problems'])} |")
    lines += ["", "Resident memory (VmRSS) after start-up, before any turn: "
              + ", ".join(f"{name} {mib:g} MiB" for name, mib in result["idle_rss_mib"].items()) + "."]
    memory = result.get("memory")
    if memory:
        lines.append(
            f"A fresh {memory['backend']} server over {memory['turns']:,} mixed turns (menu, typed, card, approval in turn; "
            f"{memory['verified_turns']:,} verified): idle {memory['idle_mib']:g} MiB, after 1,000 turns {memory['after_1000_mib']:g} MiB, "
            f"after {memory['turns']:,} {memory['final_mib']:g} MiB (growth after warm-up {memory['growth_after_warm_up_mib']:g} MiB)."
        )
    for check in result.get("exactly_once", []):
        lines.append(f"Notifications, {check['target']}: {check['decisions']:,} decisions, {check['notifications']:,} notifications to "
                     f"{check['requesters']} requesters, exactly once per decision: {'yes' if check['exactly_once'] else 'NO'}.")
    bad = [r for r in result["rows"] if not r["verified"]]
    lines.append("Every stretch verified (replies, rows, notifications)." if not bad else
                 "Not verified: " + "; ".join(f"{r['target']} {r['scenario']} {r['mode']}: {', '.join(r['problems'])}" for r in bad))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("result", type=Path)
    args = parser.parse_args()
    print(render(json.loads(args.result.read_text())))


if __name__ == "__main__":
    main()
