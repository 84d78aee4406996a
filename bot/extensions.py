"""App extensions: background jobs and extra routes that areas add to the service."""

from __future__ import annotations

from bot.app import AppExtension
from bot.config import Settings


def default_extensions(settings: Settings) -> list[AppExtension]:
    """The extensions a production app runs; tests pass their own list."""
    extensions: list[AppExtension] = []
    from bot.broadcast_worker import broadcast_extension
    from bot.reports.delivery import reports_extension
    from bot.scheduler import scheduler_extension

    extensions += [broadcast_extension, scheduler_extension, reports_extension]
    return extensions
