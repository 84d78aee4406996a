"""Privacy commands: `retention [--dry-run] [--months N]`."""

from __future__ import annotations

import argparse
import asyncio

from bot.config import load_settings
from bot.logs import configure_logging


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands."""
    retention = subparsers.add_parser(
        "retention", help="anonymise personal data older than the retention period (RETENTION_MONTHS)"
    )
    retention.add_argument("--dry-run", action="store_true", help="report what would change, change nothing")
    retention.add_argument("--months", type=int, default=None, help="retention period in months (default: RETENTION_MONTHS)")
    retention.set_defaults(handler=_retention)


def _retention(args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.services.retention import ApplyRetention, apply_retention
    from bot.wiring import units_of_work
    from storage.db import create_engine, create_session_factory

    settings = load_settings()
    configure_logging(settings.log_level)
    months = args.months if args.months is not None else settings.retention_months
    if months < 1:
        print("--months must be at least 1")
        return 2

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            result = await apply_retention(
                units_of_work(create_session_factory(engine))(), ApplyRetention(months, dry_run=args.dry_run, actor="cli"),
                SystemClock(settings.zone).now(),
            )
        finally:
            await engine.dispose()
        verb = "would change" if result.dry_run else "changed"
        print(f"cutoff {result.cutoff.isoformat()}: {verb} {len(result.anonymised)} staff anonymised, "
              f"{len(result.aged)} staff with old rows, rows {dict(sorted(result.rows.items()))}, "
              f"{result.audit_stripped} audit rows stripped")
        return 0

    return asyncio.run(run())
