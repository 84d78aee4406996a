"""Allowance commands: the payroll export and the import of past internet allowance choices.

    python -m bot allowances export --entity DWSE --month 2026-10 --format xlsx --out payroll.xlsx
    python -m bot allowances import-history choices.csv
    python -m bot allowances go-live --entity DWSE --since 2026-12-01
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from bot.config import load_settings
from bot.logs import configure_logging


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands."""
    allowances = subparsers.add_parser("allowances", help="internet and home-work allowances")
    commands = allowances.add_subparsers(dest="allowances_command", required=True)

    export = commands.add_parser("export", help="payroll export of one entity and month (CSV or XLSX)")
    export.add_argument("--entity", required=True, help="entity code, e.g. DWSE")
    export.add_argument("--month", required=True, help="YYYY-MM")
    export.add_argument("--format", choices=("csv", "xlsx"), default="xlsx")
    export.add_argument("--out", type=Path, required=True, help="file to write; CSV also writes <name>-third-party.csv")
    export.set_defaults(handler=_export)

    history = commands.add_parser("import-history", help="import past internet allowance choices (CSV or XLSX)")
    history.add_argument("file", type=Path)
    history.set_defaults(handler=_import_history)

    go_live = commands.add_parser(
        "go-live", help="staff starting on or after this date get the entity's default mode (before it, the imported history counts)",
    )
    go_live.add_argument("--entity", required=True, help="entity code, e.g. DWSE")
    when = go_live.add_mutually_exclusive_group(required=True)
    when.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD, the first start date that gets the default")
    when.add_argument("--none", action="store_true", help="no default for anyone")
    go_live.set_defaults(handler=_go_live)


def _engine_and_factory():  # noqa: ANN202
    from bot.wiring import units_of_work
    from storage.db import create_engine, create_session_factory

    settings = load_settings()
    configure_logging(settings.log_level)
    engine = create_engine(settings.database_url)
    return settings, engine, units_of_work(create_session_factory(engine))


def export_paths(out: Path, files: list[tuple[str, str, bytes]]) -> list[Path]:
    """Where each file of an export goes: the first at --out, the others beside it."""
    return [out, *(out.with_name(f"{out.stem}-third-party{out.suffix}") for _ in files[1:2])]


def _export(args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.domain.calendar import Month
    from bot.domain.errors import DomainError
    from bot.i18n import Translator
    from bot.reports.payroll import payroll_files
    from bot.services.payroll import ExportPayroll, export_payroll

    try:
        month = Month.parse(args.month)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    settings, engine, uow_factory = _engine_and_factory()
    clock = SystemClock(settings.zone)

    async def run() -> int:
        try:
            export = await export_payroll(uow_factory(), ExportPayroll(args.entity, month), clock.now())
        except DomainError as error:
            print(f"error: {Translator('en')(error.key, **error.params)}", file=sys.stderr)
            return 1
        finally:
            await engine.dispose()
        files = payroll_files(export, args.format)
        for path, (_name, _type, content) in zip(export_paths(args.out, files), files, strict=True):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            print(f"wrote {path}")
        print(
            f"{export.entity.code} {export.month}: {len(export.lines)} staff, flat fee {export.flat_fee_total}, "
            f"home-work allowance {export.homework_total}, third party {len(export.third_party)} ({export.third_party_total})"
        )
        return 0

    return asyncio.run(run())


def _import_history(args: argparse.Namespace) -> int:
    from bot.cli.common import run_file_import
    from bot.clock import SystemClock
    from bot.services.allowances import ImportAllowanceHistory, import_allowance_history
    from bot.tables import load_table

    async def importer(uow_factory, settings):  # noqa: ANN001, ANN202
        table = await load_table(args.file)
        return await import_allowance_history(uow_factory(), ImportAllowanceHistory(table, "cli"), SystemClock(settings.zone).now())

    from bot.i18n import Translator

    return run_file_import(
        args.file,
        importer,
        lambda summary: [
            f"{args.file}: {summary.created} created, {summary.unchanged} unchanged, {summary.defaults_replaced} defaults replaced",
            f"rule: {Translator('en')('allowance.month_rule')}",
        ],
    )


def _go_live(args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.domain.errors import DomainError
    from bot.i18n import Translator
    from bot.services.allowances import SetDefaultGoLive, set_default_go_live

    settings, engine, uow_factory = _engine_and_factory()

    async def run() -> int:
        try:
            policy = await set_default_go_live(
                uow_factory(), SetDefaultGoLive(args.entity, None if args.none else args.since, "cli"), SystemClock(settings.zone).now(),
            )
        except DomainError as error:
            print(f"error: {Translator('en')(error.key, **error.params)}", file=sys.stderr)
            return 1
        finally:
            await engine.dispose()
        since = policy.default_mode_since
        print(f"{args.entity.upper()}: default {policy.default_mode_for_new_staff} for staff starting on or after {since}"
              if since else f"{args.entity.upper()}: no default for new staff")
        return 0

    return asyncio.run(run())
