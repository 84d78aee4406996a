"""The heap's free pages are given back to the system every HEAP_TRIM_SECONDS, in a worker
thread (bot/memory.py)."""

from __future__ import annotations

import asyncio
import platform
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web

from bot import memory


def services(seconds: float) -> Any:
    return SimpleNamespace(settings=SimpleNamespace(heap_trim_seconds=seconds))


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_free_pages_are_given_back_on_glibc() -> None:
    assert memory.release_free_heap() is True


async def test_the_trim_runs_every_interval_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []
    monkeypatch.setattr(memory, "_malloc_trim", lambda: lambda pad: 1)
    monkeypatch.setattr(memory, "release_free_heap", lambda: threads.append(threading.current_thread()) or True)
    app = web.Application()
    memory.heap_trim_extension(app, services(0.01))
    (lifecycle,) = list(app.cleanup_ctx)
    running = lifecycle(app)
    await running.__anext__()
    await asyncio.sleep(0.2)
    with pytest.raises(StopAsyncIteration):
        await running.__anext__()  # the cleanup: the task is cancelled
    calls = len(threads)
    await asyncio.sleep(0.05)
    assert calls >= 2 and len(threads) == calls
    assert threading.main_thread() not in threads


def test_zero_seconds_switches_the_trim_off() -> None:
    app = web.Application()
    memory.heap_trim_extension(app, services(0))
    assert list(app.cleanup_ctx) == []
