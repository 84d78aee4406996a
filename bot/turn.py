"""What a flow handler gets for one turn: who is asking, in which language, and how to answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from botbuilder.core import CardFactory, MessageFactory, TurnContext

from bot.domain.staff import Staff
from bot.i18n import Locale, Translator
from bot.runtime import Services
from bot.services.unit_of_work import UnitOfWork

DEFAULT_LINK_TTL = timedelta(minutes=15)
Command = TypeVar("Command")
Result = TypeVar("Result")


@dataclass
class Turn:
    context: TurnContext
    services: Services
    staff: Staff | None
    t: Translator
    correlation_id: str

    @property
    def locale(self) -> Locale:
        return self.t.locale

    @property
    def me(self) -> Staff:
        """The staff member behind this turn; the router guarantees it for staff routes."""
        assert self.staff is not None, "route requires a known staff member"
        return self.staff

    @property
    def actor(self) -> str:
        """How the audit log names whoever acts in this turn."""
        if self.staff is not None:
            return f"staff:{self.staff.id}"
        aad = getattr(self.context.activity.from_property, "aad_object_id", None)
        return f"aad:{aad or 'unknown'}"

    async def run(self, use_case: Callable[[UnitOfWork, Command, datetime], Awaitable[Result]], command: Command) -> Result:
        """Run one use case for this turn: a fresh unit of work, the command, now."""
        return await self.services.runner.for_correlation(self.correlation_id).run(use_case, command)

    def now(self) -> datetime:
        return self.services.clock.now()

    def today(self) -> date:
        return self.services.clock.today()

    def download_link(self, kind: str, params: dict[str, Any], ttl: timedelta = DEFAULT_LINK_TTL) -> str:
        """A signed link that lets the staff member of this turn fetch a file of a registered kind;
        the file (and its name) comes in this turn's language."""
        return self.services.links.make(kind, {"lang": self.locale, **params}, self.me.id, ttl)

    async def send_text(self, text: str) -> str | None:
        response = await self.context.send_activity(MessageFactory.text(text))
        return response.id if response else None

    async def send_card(self, card: dict[str, Any]) -> str | None:
        response = await self.context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
        return response.id if response else None
