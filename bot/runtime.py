"""The long-lived services the SDK wiring (turns, background workers) needs, created once by
create_app. Use cases never see this: they get a unit of work, a command and the time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.clock import Clock
from bot.config import Settings

if TYPE_CHECKING:
    from bot.downloads import DownloadLinks
    from bot.graph import GraphClient
    from bot.notifications import NotificationDispatcher
    from bot.proactive import ProactiveSender
    from bot.registry import Registry
    from bot.runner import UseCaseRunner
    from storage.uow import UnitOfWorkFactory


@dataclass
class Services:
    settings: Settings
    clock: Clock
    uow_factory: UnitOfWorkFactory
    proactive: ProactiveSender
    registry: Registry
    runner: UseCaseRunner
    dispatcher: NotificationDispatcher
    links: DownloadLinks
    graph: GraphClient | None = None
    instance_id: str = "bot"
    # The turn's look-up (who is asking, where to reach them): statements that each stand alone,
    # run without a transaction around them where the database allows (UnitOfWorkFactory.standalone).
    lookups: UseCaseRunner | None = None
    # Area-specific long-lived helpers (e.g. a broadcast worker), keyed by name.
    extras: dict[str, Any] = field(default_factory=dict)


# Where the app keeps its services (the handlers of /api/messages, /readyz and /downloads read it).
SERVICES = web.AppKey("services", Services)
