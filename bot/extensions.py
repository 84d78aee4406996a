"""App extensions: background work that runs while the service runs (broadcast workers, the
scheduler, report deliveries, the heap trim), each added as an aiohttp cleanup context by `create_app`."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.broadcast_worker import broadcast_extension
from bot.memory import heap_trim_extension
from bot.reports.delivery import reports_extension
from bot.runtime import Services
from bot.scheduler import scheduler_extension

AppExtension = Callable[[web.Application, Services], None]


def default_extensions() -> list[AppExtension]:
    """The extensions a production app runs; tests pass their own list."""
    return [broadcast_extension, scheduler_extension, reports_extension, heap_trim_extension]
