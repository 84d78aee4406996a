"""The areas' demo loaders; each area appends its own loader to LOADERS."""

from __future__ import annotations

LOADERS: list = []


async def _equipment(uow_factory, today):  # noqa: ANN001, ANN202
    from bot.demo.equipment import load_demo

    await load_demo(uow_factory, today)


LOADERS.append(_equipment)


async def _allowances(uow_factory, today):  # noqa: ANN001, ANN202
    from bot.services.allowances import load_demo

    await load_demo(uow_factory, today)


LOADERS.append(_allowances)


async def _webinars(uow_factory, today):  # noqa: ANN001, ANN202
    from bot.services.webinars import load_demo

    await load_demo(uow_factory, today)


LOADERS.append(_webinars)


async def _homework(uow_factory, today):  # noqa: ANN001, ANN202
    from datetime import UTC, datetime, time

    from bot.services.homework import LoadHomeworkDemo, load_demo

    # Any hour of `today` will do: the demo's approvals and audit rows only need a time of day.
    await load_demo(uow_factory(), LoadHomeworkDemo(), datetime.combine(today, time(9), tzinfo=UTC))


LOADERS.append(_homework)
