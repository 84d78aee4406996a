"""Equipment commands: load an entity's catalogue, load budgets.

    python -m bot equipment load CATALOGUE.yaml|.csv|.xlsx --entity DWSE
    python -m bot equipment budgets BUDGETS.csv|.xlsx|.yaml

The file is read off the event loop into rows with their line numbers (bot/cli/equipment_files.py);
the use cases in bot/services/equipment_catalogue.py validate and store them. A file with any bad
line is refused as a whole, with the line numbers; nothing changes.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path

from bot.config import load_settings
from bot.logs import configure_logging


def register(subparsers: argparse._SubParsersAction) -> None:
    equipment = subparsers.add_parser("equipment", help="home-office equipment: catalogue and budgets")
    commands = equipment.add_subparsers(dest="equipment_command", required=True)

    load = commands.add_parser("load", help="load or update an entity's catalogue from YAML, CSV or XLSX")
    load.add_argument("file", type=Path)
    load.add_argument("--entity", required=True, help="entity code, e.g. DWSE")
    load.set_defaults(handler=_load)

    budgets = commands.add_parser("budgets", help="load budgets (entity, category, year, amount, kind) from CSV, XLSX or YAML")
    budgets.add_argument("file", type=Path)
    budgets.set_defaults(handler=_budgets)


def _run(work) -> int:  # noqa: ANN001 - a coroutine function taking the unit-of-work factory and now
    from bot.clock import SystemClock
    from bot.domain.equipment_catalogue import FileRefused
    from bot.wiring import units_of_work
    from storage.db import create_engine, create_session_factory

    settings = load_settings()
    configure_logging(settings.log_level)

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            return await work(units_of_work(create_session_factory(engine)), SystemClock(settings.zone).now())
        except FileRefused as refused:
            for problem in refused.problems:
                print(f"line {problem.line}: {problem.reason}", file=sys.stderr)
            print("refused, nothing was changed", file=sys.stderr)
            return 1
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _load(args: argparse.Namespace) -> int:
    from bot.cli.equipment_files import load_catalogue_file

    async def work(uow_factory, now: datetime) -> int:  # noqa: ANN001
        result = await load_catalogue_file(uow_factory, args.file, args.entity, actor="cli", now=now)
        print(
            f"{args.file}: {result.categories} categories, {result.created} items created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {len(result.deactivated)} deactivated"
            + (f" ({', '.join(result.deactivated)})" if result.deactivated else "")
            + f", {result.budgets} budgets"
        )
        return 0

    return _run(work)


def _budgets(args: argparse.Namespace) -> int:
    from bot.cli.equipment_files import load_budget_file

    async def work(uow_factory, now: datetime) -> int:  # noqa: ANN001
        count = await load_budget_file(uow_factory, args.file, actor="cli", now=now)
        print(f"{args.file}: {count} budgets loaded")
        return 0

    return _run(work)
