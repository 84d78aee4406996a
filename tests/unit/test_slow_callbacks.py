"""The slow-callback detector the HTTP suite relies on finds what it claims to find."""

from __future__ import annotations

import asyncio
import time

from tests.slow_callbacks import detect_slow_callbacks


def _burn_cpu(seconds: float) -> None:
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


async def test_a_callback_burning_cpu_is_blocking_and_one_waiting_is_only_slow() -> None:
    loop = asyncio.get_running_loop()
    with detect_slow_callbacks(loop) as found:
        loop.call_soon(_burn_cpu, 0.15)
        await asyncio.sleep(0.01)
        loop.call_soon(time.sleep, 0.15)
        await asyncio.sleep(0.01)
        loop.call_soon(_burn_cpu, 0.01)
        await asyncio.sleep(0.01)

    assert [callback.callback for callback in found.blocking] == [found.slow[0].callback]
    assert "_burn_cpu" in found.blocking[0].callback and found.blocking[0].cpu_seconds >= 0.1
    assert len(found.slow) == 2 and "sleep" in found.slow[1].callback and found.slow[1].cpu_seconds < 0.1


async def test_a_task_step_is_named_by_its_coroutine() -> None:
    async def registering_a_day() -> None:
        _burn_cpu(0.12)

    with detect_slow_callbacks(asyncio.get_running_loop()) as found:
        await asyncio.create_task(registering_a_day())

    assert any("registering_a_day" in callback.callback for callback in found.blocking), found.slow
