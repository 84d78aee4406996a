"""Slow-callback detection for tests: every callback the event loop runs is timed, in wall-clock
and in CPU time, the way asyncio's debug mode times them with `slow_callback_duration`.

Debug mode itself is not used: it also records a stack trace for every handle, future and
coroutine the loop creates, which doubles the CPU time of an HTTP test without telling anything
more about slow callbacks. Wall-clock time alone would mislead: on a busy machine a callback that
needed 20 ms of CPU may take 150 ms because another process had the core. So a finding is a slow
callback that also used the threshold in CPU: work done on the event loop that stalls every
concurrent turn, whatever else the machine does. Garbage collection is counted apart: a test
process holds thousands of objects from earlier tests, where the service freezes what it built at
start-up out of the collector's scans (`gc.freeze()` in `bot run`).
"""

from __future__ import annotations

import asyncio
import gc
import time
from asyncio.base_events import _format_handle  # the description asyncio's own warning uses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

THRESHOLD_SECONDS = 0.1


@dataclass(frozen=True)
class SlowCallback:
    callback: str
    wall_seconds: float
    cpu_seconds: float  # the loop thread's CPU time in the callback, garbage collection excluded
    gc_seconds: float
    during: str = "-"


class SlowCallbacks:
    def __init__(self, threshold: float = THRESHOLD_SECONDS) -> None:
        self.threshold = threshold
        self.during = "-"  # what the test was doing, for the report
        self.slow: list[SlowCallback] = []
        self._gc_total = 0.0
        self._gc_started: float | None = None

    def _on_gc(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.thread_time()
        elif self._gc_started is not None:
            self._gc_total += time.thread_time() - self._gc_started
            self._gc_started = None

    @property
    def blocking(self) -> list[SlowCallback]:
        """The slow callbacks that also used the threshold in CPU time."""
        return [found for found in self.slow if found.cpu_seconds >= self.threshold]

    def record(self, handle: asyncio.Handle, wall: float, cpu: float, collected: float) -> None:
        if wall >= self.threshold:
            self.slow.append(SlowCallback(
                _format_handle(handle)[:400], round(wall, 3), round(cpu, 3), round(collected, 3), self.during,
            ))


@contextmanager
def detect_slow_callbacks(loop: asyncio.AbstractEventLoop, threshold: float = THRESHOLD_SECONDS) -> Iterator[SlowCallbacks]:
    """Run the block with every callback of `loop` timed; slow ones are recorded with their CPU time."""
    found = SlowCallbacks(threshold)
    original_run = asyncio.events.Handle._run

    def timed_run(handle: Any) -> None:
        if handle._loop is not loop:
            original_run(handle)
            return
        started_wall, started_cpu, collected = time.perf_counter(), time.thread_time(), found._gc_total
        try:
            original_run(handle)
        finally:
            in_gc = found._gc_total - collected
            found.record(handle, time.perf_counter() - started_wall, time.thread_time() - started_cpu - in_gc, in_gc)

    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]
    gc.callbacks.append(found._on_gc)
    try:
        yield found
    finally:
        gc.callbacks.remove(found._on_gc)
        asyncio.events.Handle._run = original_run  # type: ignore[method-assign]
