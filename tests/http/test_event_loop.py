"""No turn blocks the event loop, not even the first ones after start-up: a fresh interpreter starts
the app (start-up loads the holiday tables, the date parser, Babel's locale data and the texts
before the server listens), then drives a representative set of turns with asyncio debug
slow-callback detection on (tests/http/cold_start.py). The other HTTP tests run with the same
detection (tests/http/conftest.py), in a process that has long been warm."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_first_turns_after_start_up_never_hold_the_loop_100_ms(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'cold.db'}"
    finished = subprocess.run(
        [sys.executable, "-m", "tests.http.cold_start", database_url],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(finished.stdout)
    assert report["ready"] == 200
    assert all(status in (200, 201) for status in report["statuses"].values()), report["statuses"]
    assert report["blocking"] == [], report["blocking"]
    print(  # the figures for the record (pytest -s)
        f"start-up {report['start_up_seconds']} s; {len(report['statuses'])} turns, slowest "
        f"{max(report['seconds'].values())} s; callbacks over 100 ms of wall time: {len(report['slow'])}, "
        f"of CPU: {len(report['blocking'])}"
    )
