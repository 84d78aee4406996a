"""Runs a use case the one way every caller does: a fresh unit of work, the command, the clock's now.

Flows (through `Turn.run`), download producers and scheduled jobs all call use cases through
this, so none of them opens a unit of work or reads the clock itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TypeVar

from bot.clock import Clock
from bot.services.unit_of_work import UnitOfWork

Command = TypeVar("Command")
Result = TypeVar("Result")


@dataclass(frozen=True)
class UseCaseRunner:
    uow_factory: Callable[..., UnitOfWork]
    clock: Clock
    correlation_id: str | None = None

    async def run(self, use_case: Callable[[UnitOfWork, Command, datetime], Awaitable[Result]], command: Command) -> Result:
        return await use_case(self.uow_factory(self.correlation_id), command, self.clock.now())

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.today()

    def for_correlation(self, correlation_id: str | None) -> UseCaseRunner:
        return replace(self, correlation_id=correlation_id)


