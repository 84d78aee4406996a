"""`python -m bot import-history KIND FILE`: history for the years before the bot (CSV or XLSX)."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.services.unit_of_work import UnitOfWorkFactory


def register(subparsers: argparse._SubParsersAction) -> None:
    from bot.services.history_import import KINDS

    history = subparsers.add_parser("import-history", help="import history from before the bot (CSV with a header row)")
    history.add_argument("kind", choices=KINDS)
    history.add_argument("file", type=Path)
    history.set_defaults(handler=_import_history)


async def import_history_file(uow_factory: UnitOfWorkFactory, kind: str, path: Path, *, actor: str, now: datetime) -> Any:
    """Import one history file of any kind: the file is read here into a Table for the use case."""
    from bot.domain.directory_import import ImportRefused, Problem
    from bot.services.history_import import KINDS, ImportHistory, import_history
    from bot.tables import load_table

    if kind not in KINDS:
        raise ImportRefused([Problem(0, f"unknown kind {kind!r}; one of {', '.join(KINDS)}")])
    table = await load_table(path)
    return await import_history(uow_factory(), ImportHistory(kind, table, actor), now)


def _import_history(args: argparse.Namespace) -> int:
    from bot.cli.common import run_file_import
    from bot.clock import SystemClock
    from bot.i18n import Translator
    from bot.services.history_import import describe

    def lines(summary: Any) -> list[str]:
        # The allowance rule is stated here in the words of the card and the Definities sheet.
        rule = [f"rule: {Translator('en')('allowance.month_rule')}"] if args.kind == "allowances" else []
        return [f"{args.file}: {describe(summary)}", *rule]

    return run_file_import(
        args.file,
        lambda uow_factory, settings: import_history_file(
            uow_factory, args.kind, args.file, actor="cli", now=SystemClock(settings.zone).now()
        ),
        lines,
    )
