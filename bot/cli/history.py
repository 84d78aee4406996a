"""`python -m bot import-history KIND FILE`: history for the years before the bot (CSV or XLSX)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    from bot.services.history_import import KINDS

    history = subparsers.add_parser("import-history", help="import history from before the bot (CSV with a header row)")
    history.add_argument("kind", choices=KINDS)
    history.add_argument("file", type=Path)
    history.set_defaults(handler=_import_history)


def _import_history(args: argparse.Namespace) -> int:
    from bot.cli.common import run_file_import
    from bot.clock import SystemClock
    from bot.services.history_import import describe, import_history

    return run_file_import(
        args.file,
        lambda uow_factory, _settings: import_history(uow_factory, args.kind, args.file, actor="cli", today=SystemClock().today()),
        lambda summary: [f"{args.file}: {describe(summary)}"],
    )
