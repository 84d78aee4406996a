"""Core commands: run, migrate, seed-demo, import-staff, package-app."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
from pathlib import Path

from bot.config import Settings, load_settings
from bot.logs import configure_logging

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="migrate, load demo data into an empty database, serve the bot")
    run.add_argument("--no-demo", action="store_true", help="do not load demo data")
    run.set_defaults(handler=_run)

    migrate = subparsers.add_parser("migrate", help="upgrade the database to the newest schema")
    migrate.set_defaults(handler=_migrate)

    demo = subparsers.add_parser("seed-demo", help="load the demo data if the database is empty")
    demo.set_defaults(handler=_seed_demo)

    staff = subparsers.add_parser("import-staff", help="import the staff directory from CSV or XLSX")
    staff.add_argument("file", type=Path)
    staff.add_argument("--full", action="store_true",
                       help="the file is the whole directory of its entities: list who is in service but missing from it")
    staff.add_argument("--end-missing", action="store_true",
                       help="with --full: end the service of who is missing (last day: yesterday); nobody is deleted")
    staff.set_defaults(handler=_import_staff)

    package = subparsers.add_parser("package-app", help="write the Teams app package (zip)")
    package.add_argument("--out", type=Path, default=Path("build/appPackage.zip"))
    package.set_defaults(handler=_package_app)

    sync_graph = subparsers.add_parser("sync-graph", help="refresh every staff member's manager and department from Microsoft Graph")
    sync_graph.set_defaults(handler=_sync_graph)


def _migrate(_args: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    settings = load_settings()
    configure_logging(settings.log_level)
    upgrade(settings.database_url)
    log.info("database is at the newest schema")
    return 0


def _seed_demo(_args: argparse.Namespace) -> int:
    from bot.demo import load_demo_if_empty

    settings = load_settings()
    configure_logging(settings.log_level)
    loaded = asyncio.run(load_demo_if_empty(settings))
    print("demo data loaded" if loaded else "database not empty: demo data not loaded")
    return 0


def _prepare_database(settings: Settings, demo: bool) -> None:
    from bot.demo import load_demo_if_empty
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    if demo and asyncio.run(load_demo_if_empty(settings)):
        log.info("demo data loaded into the empty database")


def _prepare_database_apart(settings: Settings, demo: bool) -> int:
    """Migrate (and load the demo data into an empty database) in a child process where the
    platform forks: alembic, mako and pygments, and the demo loader, would otherwise stay imported
    in the service, some 13 MiB resident for its whole life. Returns the child's exit code."""
    if not hasattr(os, "fork"):
        _prepare_database(settings, demo)
        return 0
    pid = os.fork()
    if pid == 0:  # the child: nothing but the preparation, then out without the parent's clean-up
        code = 1
        try:
            _prepare_database(settings, demo)
            code = 0
        except BaseException:
            log.exception("preparing the database failed")
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _run(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import create_app

    settings = load_settings()
    configure_logging(settings.log_level)
    if code := _prepare_database_apart(settings, settings.demo_data and not args.no_demo):
        return code
    log.info("serving on http://%s:%s/api/messages", settings.host, settings.port)
    app = create_app(settings)
    # Everything built at start-up lives as long as the process: keep it out of the garbage
    # collector's scans, which otherwise stall turns every few hundred requests.
    gc.freeze()
    web.run_app(app, host=settings.host, port=settings.port, print=None)
    return 0


def _import_staff(args: argparse.Namespace) -> int:
    from bot.cli.common import run_file_import
    from bot.clock import SystemClock
    from bot.services.directory import ImportStaff, import_staff
    from bot.tables import load_table

    async def importer(uow_factory, settings):  # noqa: ANN001, ANN202
        table = await load_table(args.file)
        command = ImportStaff(table, actor="cli", full=args.full or args.end_missing, end_missing=args.end_missing)
        return await import_staff(uow_factory(), command, SystemClock(settings.zone).now())

    def describe(result) -> list[str]:  # noqa: ANN001
        lines = [f"{args.file}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"]
        if result.missing:
            verb = "ended (last day yesterday)" if args.end_missing else "still in service (use --end-missing to end them)"
            lines.append(f"missing from the file, {verb}: {len(result.missing)}")
            lines.extend(f"  {email}" for email in result.missing)
        return lines

    return run_file_import(args.file, importer, describe)


def _package_app(args: argparse.Namespace) -> int:
    from bot.app_package import build_app_package
    from bot.config import PackagingSettings

    settings = load_settings(kind=PackagingSettings)
    path = build_app_package(settings, args.out)
    print(f"wrote {path}")
    return 0


def _sync_graph(_args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.graph import GraphClient, sync_org_from_graph
    from bot.runner import UseCaseRunner
    from bot.wiring import units_of_work
    from storage.db import create_engine, create_session_factory

    settings = load_settings()
    configure_logging(settings.log_level)
    graph = GraphClient.from_settings(settings)
    if graph is None:
        print("sync-graph needs MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID", file=sys.stderr)
        return 2

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            runner = UseCaseRunner(units_of_work(create_session_factory(engine)), SystemClock(settings.zone))
            result = await sync_org_from_graph(runner, graph, actor="cli:sync-graph")
        finally:
            await engine.dispose()
        print(
            f"{result.updated} updated, {result.unchanged} unchanged, {result.failed} failed, "
            f"{result.unknown_managers} with a manager outside the directory"
        )
        return 1 if result.failed else 0

    return asyncio.run(run())
