"""Time: the one place that reads the wall clock, so rules and tests can pass their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime in the service's timezone."""
        ...

    def today(self) -> date: ...


@dataclass(frozen=True)
class SystemClock:
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Brussels"))

    def now(self) -> datetime:
        return datetime.now(UTC).astimezone(self.timezone)

    def today(self) -> date:
        return self.now().date()


@dataclass
class FixedClock:
    """A clock for tests and replays; `advance` moves it forward."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def today(self) -> date:
        return self.current.date()

    def advance(self, **delta: float) -> None:
        self.current = self.current + timedelta(**delta)
