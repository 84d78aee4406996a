"""Demo data for a fresh machine: two entities, about 30 staff with managers, HR, logistics and an
admin (including the Agents Playground's default users), and what each area adds on top."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from pathlib import Path

from bot.config import Settings
from bot.services.directory import ImportResult, ImportStaff, import_staff
from bot.tables import load_table
from bot.wiring import units_of_work
from storage.db import create_engine, create_session_factory
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

STAFF_FILE = Path(__file__).parent / "staff.csv"
DemoLoader = Callable[[UnitOfWorkFactory, date], Awaitable[None]]


def area_loaders() -> list[DemoLoader]:
    """Each area's demo data, loaded after the staff directory, in this order."""
    from bot.demo import areas

    return areas.LOADERS


async def load_staff_directory(uow_factory: UnitOfWorkFactory, today: date, path: Path = STAFF_FILE) -> ImportResult:
    """The demo staff directory (or another directory file) imported as of `today`."""
    table = await load_table(path)
    return await import_staff(uow_factory(), ImportStaff(table, actor="demo"), datetime.combine(today, time(12), UTC))


async def load_demo(uow_factory: UnitOfWorkFactory, today: date) -> None:
    await load_staff_directory(uow_factory, today)
    for loader in area_loaders():
        await loader(uow_factory, today)


async def load_demo_if_empty(settings: Settings, today: date | None = None) -> bool:
    """Load the demo data into an empty database; returns whether it did."""
    engine = create_engine(settings.database_url)
    try:
        uow_factory = units_of_work(create_session_factory(engine))
        async with uow_factory() as uow:
            if await uow.staff.count() > 0:
                return False
        await load_demo(uow_factory, today or date.today())
        return True
    finally:
        await engine.dispose()
