"""Slow-callback detection for tests: asyncio's debug mode with `slow_callback_duration`, plus the
CPU time of each slow callback.

asyncio logs every callback that held the event loop longer than the threshold ("Executing <Task
...> took 0.150 seconds"). That is wall-clock time: on a busy machine a callback that needed 20 ms
of CPU may take 150 ms because another process had the core. So each callback's thread CPU time is
measured too, and a finding is a slow callback that also used the threshold in CPU: work done on the
event loop that stalls every concurrent turn, whatever else the machine does. Garbage collection is
counted apart: a test process holds thousands of objects from earlier tests, where the service
freezes what it built at start-up out of the collector's scans (`gc.freeze()` in `bot run`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
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


class SlowCallbacks(logging.Handler):
    def __init__(self, threshold: float = THRESHOLD_SECONDS) -> None:
        super().__init__(logging.WARNING)
        self.threshold = threshold
        self.during = "-"  # what the test was doing, for the report
        self.slow: list[SlowCallback] = []
        self._last_cpu = 0.0
        self._last_gc = 0.0
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

    def emit(self, record: logging.LogRecord) -> None:
        # asyncio logs right after the callback returned, so _last_cpu is that callback's.
        message = record.getMessage()
        if message.startswith("Executing ") and " took " in message:
            callback, took = message.rsplit(" took ", 1)
            self.slow.append(SlowCallback(
                callback[:400], float(took.split()[0]), round(self._last_cpu, 3), round(self._last_gc, 3), self.during,
            ))


@contextmanager
def detect_slow_callbacks(loop: asyncio.AbstractEventLoop, threshold: float = THRESHOLD_SECONDS) -> Iterator[SlowCallbacks]:
    """Run the block with `loop` in debug mode, slow callbacks recorded with their CPU time."""
    found = SlowCallbacks(threshold)
    original_run = asyncio.events.Handle._run

    def timed_run(handle: Any) -> None:
        started, collected = time.thread_time(), found._gc_total
        try:
            original_run(handle)
        finally:
            found._last_gc = found._gc_total - collected
            found._last_cpu = time.thread_time() - started - found._last_gc

    asyncio_log = logging.getLogger("asyncio")
    previous = (loop.get_debug(), loop.slow_callback_duration, asyncio_log.level, asyncio_log.propagate)
    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]
    gc.callbacks.append(found._on_gc)
    loop.set_debug(True)
    loop.slow_callback_duration = threshold
    asyncio_log.setLevel(logging.WARNING)
    asyncio_log.propagate = False  # recorded here, not printed as warnings
    asyncio_log.addHandler(found)
    try:
        yield found
    finally:
        asyncio_log.removeHandler(found)
        gc.callbacks.remove(found._on_gc)
        asyncio.events.Handle._run = original_run  # type: ignore[method-assign]
        loop.set_debug(previous[0])
        loop.slow_callback_duration = previous[1]
        asyncio_log.setLevel(previous[2])
        asyncio_log.propagate = previous[3]
