"""The areas' demo loaders; each area appends its own loader to LOADERS."""

from __future__ import annotations

LOADERS: list = []


async def _equipment(uow_factory, today):  # noqa: ANN001, ANN202
    from bot.services.equipment import load_demo

    await load_demo(uow_factory, today)


LOADERS.append(_equipment)


async def _allowances(uow_factory, today):  # noqa: ANN001, ANN202
    from bot.services.allowances import load_demo

    await load_demo(uow_factory, today)


LOADERS.append(_allowances)


async def _webinars(uow_factory, today):  # noqa: ANN001, ANN202
    import asyncio

    from bot.clock import SystemClock
    from bot.services.webinar_import import LoadDemoWebinars, load_demo, read_demo_file

    data = await asyncio.to_thread(read_demo_file)
    await load_demo(uow_factory(), LoadDemoWebinars(data, today), SystemClock().now())


LOADERS.append(_webinars)


async def _homework(uow_factory, today):  # noqa: ANN001, ANN202
    from bot.services.homework import load_demo

    await load_demo(uow_factory, today)


LOADERS.append(_homework)
