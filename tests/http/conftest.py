"""Every HTTP test runs its event loop in asyncio debug mode with slow-callback detection: a callback
of the service (a request handler, a background task) that holds the loop for 100 ms of CPU fails
the test. The test's own code and its fixtures (creating the app, loading the directory) are not
the service's turns and are left out."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest

from tests.slow_callbacks import SlowCallback, detect_slow_callbacks

# The test function's own task and pytest-asyncio's fixture tasks run test code, not turns.
_TEST_CODE = ("coro=<test_", "pytest_asyncio")


def _service_callbacks(found: list[SlowCallback]) -> list[SlowCallback]:
    return [callback for callback in found if not any(marker in callback.callback for marker in _TEST_CODE)]


@pytest.fixture(autouse=True)
async def no_blocking_callbacks(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    with detect_slow_callbacks(asyncio.get_running_loop()) as found:
        yield
    blocking = _service_callbacks(found.blocking)
    if os.environ.get("SLOW_CALLBACKS_LOG"):
        _log_figures(request.node.nodeid, _service_callbacks(found.slow), os.environ["SLOW_CALLBACKS_LOG"])
    assert not blocking, f"callbacks held the event loop for 100 ms of CPU or more: {blocking}"


def _log_figures(test: str, slow: list[SlowCallback], path: str) -> None:
    """Every slow callback of the service, blocking or not, one line each (SLOW_CALLBACKS_LOG=path)."""
    with open(path, "a", encoding="utf-8") as log:
        for callback in slow:
            log.write(f"{test}\t{callback.wall_seconds}\t{callback.cpu_seconds}\t{callback.gc_seconds}\t{callback.callback[:160]}\n")
