"""`python -m bot report --from 2021-01 --to 2023-10 [--entity CODE] [--min-cell N] --out report.xlsx [--csv DIR]`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.config import load_settings
from bot.logs import configure_logging

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser("report", help="write the parliamentary report (xlsx and/or one CSV per sheet)")
    report.add_argument("--from", dest="start", required=True, metavar="YYYY-MM", help="first month")
    report.add_argument("--to", dest="end", required=True, metavar="YYYY-MM", help="last month (included)")
    report.add_argument("--entity", default=None, metavar="CODE", help="one entity; the whole administration when left out")
    report.add_argument("--out", type=Path, default=None, help="the workbook to write (.xlsx)")
    report.add_argument("--csv", dest="csv_dir", type=Path, default=None, metavar="DIR", help="also write one CSV per sheet into DIR")
    report.add_argument("--min-cell", dest="min_cell", default=None, metavar="N",
                        help="hide cells counting 1 to N-1 people (2 to 100; off when left out); stated on the Definities sheet")
    report.add_argument("--lang", choices=("nl", "en"), default="nl", help="language of headers and definitions")
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.domain.errors import DomainError
    from bot.i18n import Translator
    from bot.reports.csv_output import render_csv
    from bot.reports.workbook import render_workbook
    from bot.services.reports import BuildReport, ReportRequest, build_report
    from storage.db import create_engine, create_session_factory
    from storage.uow import UnitOfWorkFactory

    if args.out is None and args.csv_dir is None:
        print("error: give --out FILE.xlsx, --csv DIR or both", file=sys.stderr)
        return 2
    settings = load_settings()
    configure_logging(settings.log_level)
    t = Translator(args.lang)

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            request = ReportRequest.parse(args.start, args.end, args.entity, args.min_cell)
            report = await build_report(
                UnitOfWorkFactory(create_session_factory(engine))(), BuildReport(request, actor=None, locale=args.lang),
                SystemClock(settings.zone).now(),
            )
        except DomainError as error:
            print(f"error: {t(error.key, **error.params)}", file=sys.stderr)
            return 2
        finally:
            await engine.dispose()
        if args.out is not None:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_bytes(render_workbook(report, t))
            print(f"wrote {args.out}")
        if args.csv_dir is not None:
            args.csv_dir.mkdir(parents=True, exist_ok=True)
            for name, content in render_csv(report, t).items():
                (args.csv_dir / name).write_bytes(content)
            print(f"wrote the CSV files into {args.csv_dir}")
        return 0

    return asyncio.run(run())
