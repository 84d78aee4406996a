"""The long-lived services a turn or a background job needs, created once by create_app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.config import Settings
from storage.uow import UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:
    from bot.graph import GraphClient
    from bot.proactive import ProactiveSender


@dataclass
class Services:
    settings: Settings
    clock: Clock
    uow_factory: UnitOfWorkFactory
    proactive: ProactiveSender
    graph: GraphClient | None = None
    instance_id: str = "bot"
    # Area-specific long-lived helpers (e.g. a broadcast worker), keyed by name.
    extras: dict[str, Any] = field(default_factory=dict)

    def uow(self, correlation_id: str | None = None) -> UnitOfWork:
        return self.uow_factory(correlation_id)
