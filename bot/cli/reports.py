"""`python -m bot report --from 2021-01 --to 2023-10 [--entity CODE] [--min-cell N] --out report.xlsx [--csv DIR]`.

Every workbook written is stored as the next version of its period and scope, with a Wijzigingen
sheet against the version before it:

    python -m bot report-versions --from 2021-01 --to 2023-10 [--entity CODE]        list them
    python -m bot report-versions --from 2021-01 --to 2023-10 --get 2 --out v2.xlsx   one, as sent
"""

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

    listed = subparsers.add_parser("report-versions", help="list the stored versions of a report, or write one as it was sent")
    listed.add_argument("--from", dest="start", required=True, metavar="YYYY-MM", help="first month")
    listed.add_argument("--to", dest="end", required=True, metavar="YYYY-MM", help="last month (included)")
    listed.add_argument("--entity", default=None, metavar="CODE", help="one entity; the whole administration when left out")
    listed.add_argument("--get", type=int, default=None, metavar="NUMBER", help="the version to write (with --out)")
    listed.add_argument("--out", type=Path, default=None, help="where to write the version (.xlsx)")
    listed.set_defaults(handler=_versions)


def _report(args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.domain.errors import DomainError
    from bot.i18n import Translator
    from bot.reports.csv_output import render_csv
    from bot.reports.versions import build_versioned
    from bot.services.reports import ReportRequest
    from bot.wiring import units_of_work
    from storage.db import create_engine, create_session_factory

    if args.out is None and args.csv_dir is None:
        print("error: give --out FILE.xlsx, --csv DIR or both", file=sys.stderr)
        return 2
    settings = load_settings()
    configure_logging(settings.log_level)
    t = Translator(args.lang)

    async def run() -> int:
        engine = create_engine(settings.database_url)
        factory = units_of_work(create_session_factory(engine))
        now = SystemClock(settings.zone).now()

        async def run_use_case(use_case, command):  # noqa: ANN001, ANN202
            return await use_case(factory(), command, now)

        try:
            request = ReportRequest.parse(args.start, args.end, args.entity, args.min_cell)
            built = await build_versioned(run_use_case, request, None, t, "cli")
        except DomainError as error:
            print(f"error: {t(error.key, **error.params)}", file=sys.stderr)
            return 2
        finally:
            await engine.dispose()
        report, comparison = built.report, built.comparison
        previous = comparison.previous
        print(f"version {built.version.number} ({built.version.content_hash[:12]}): " + (
            "first version" if previous is None else f"{len(comparison.changes)} figure(s) changed since version {previous.number}"
        ))
        if args.out is not None:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_bytes(built.content)
            print(f"wrote {args.out}")
        if args.csv_dir is not None:
            args.csv_dir.mkdir(parents=True, exist_ok=True)
            for name, content in render_csv(report, t).items():
                (args.csv_dir / name).write_bytes(content)
            print(f"wrote the CSV files into {args.csv_dir}")
        return 0

    return asyncio.run(run())


def _versions(args: argparse.Namespace) -> int:
    from bot.domain.errors import DomainError
    from bot.i18n import Translator
    from bot.services.report_versions import (
        ReportVersionFile,
        ReportVersions,
        report_version_file,
        report_versions,
    )
    from bot.services.reports import ReportRequest
    from bot.wiring import units_of_work
    from storage.db import create_engine, create_session_factory

    if args.get is not None and args.out is None:
        print("error: --get needs --out FILE.xlsx", file=sys.stderr)
        return 2
    settings = load_settings()
    configure_logging(settings.log_level)
    t = Translator("en")

    async def run() -> int:
        from bot.clock import SystemClock

        engine = create_engine(settings.database_url)
        factory = units_of_work(create_session_factory(engine))
        now = SystemClock(settings.zone).now()
        try:
            params = ReportRequest.parse(args.start, args.end, args.entity).as_params()
            found = await report_versions(factory(), ReportVersions(None, params), now)
            if args.get is None:
                for version in found:
                    print(f"version {version.number}  {version.produced_at.isoformat(timespec='seconds')}  {version.produced_by}  "
                          f"{version.content_hash}")
                if not found:
                    print(t("reports.versions.none"))
                return 0
            wanted = next((version for version in found if version.number == args.get), None)
            if wanted is None:
                print(f"error: {t('reports.version_unknown', version=args.get)}", file=sys.stderr)
                return 1
            file = await report_version_file(factory(), ReportVersionFile(wanted.id, None), now)
        except DomainError as error:
            print(f"error: {t(error.key, **error.params)}", file=sys.stderr)
            return 2
        finally:
            await engine.dispose()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(file.content)
        print(f"wrote {args.out} (version {file.info.number} of {file.info.produced_at.date()}, {file.info.content_hash})")
        return 0

    return asyncio.run(run())
