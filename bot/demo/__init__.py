"""Demo data for a fresh machine: two entities, about 30 staff with managers, HR, logistics and an
admin (including the Agents Playground's default users), and what each area adds on top."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

from bot.config import Settings
from bot.services.directory import import_staff_file
from storage.db import create_engine, create_session_factory
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

STAFF_FILE = Path(__file__).parent / "staff.csv"
DemoLoader = Callable[[UnitOfWorkFactory, date], Awaitable[None]]


def area_loaders() -> list[DemoLoader]:
    """Each area's demo data, loaded after the staff directory, in this order."""
    from bot.demo import areas

    return areas.LOADERS


async def load_demo(uow_factory: UnitOfWorkFactory, today: date) -> None:
    await import_staff_file(uow_factory, STAFF_FILE, actor="demo", today=today)
    for loader in area_loaders():
        await loader(uow_factory, today)


async def load_demo_if_empty(settings: Settings, today: date | None = None) -> bool:
    """Load the demo data into an empty database; returns whether it did."""
    engine = create_engine(settings.database_url)
    try:
        uow_factory = UnitOfWorkFactory(create_session_factory(engine))
        async with uow_factory() as uow:
            if await uow.staff.count() > 0:
                return False
        await load_demo(uow_factory, today or date.today())
        return True
    finally:
        await engine.dispose()
