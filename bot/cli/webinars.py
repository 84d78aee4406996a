"""Webinar commands: `webinars import FILE` (YAML) and `webinars attendance SESSION_ID FILE`
(a Teams attendance report, CSV or XLSX)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands."""
    webinars = subparsers.add_parser("webinars", help="wellbeing webinars")
    commands = webinars.add_subparsers(dest="webinars_command", required=True)
    imports = commands.add_parser("import", help="import webinars and sessions from a YAML file (published)")
    imports.add_argument("file", type=Path)
    imports.set_defaults(handler=_import)
    attendance = commands.add_parser("attendance", help="mark a session's attendance from a Teams attendance report")
    attendance.add_argument("session_id", type=int)
    attendance.add_argument("file", type=Path)
    attendance.set_defaults(handler=_attendance)


def _import(args: argparse.Namespace) -> int:
    from bot.cli.common import Refused, run_file_import
    from bot.clock import SystemClock
    from bot.services.webinar_import import ImportProblem, ImportWebinars, import_webinars, load_webinars_file

    async def importer(uow_factory, settings):  # noqa: ANN001, ANN202
        clock = SystemClock(settings.zone)
        try:
            webinars = await load_webinars_file(args.file, settings.zone)
            return await import_webinars(uow_factory(), ImportWebinars(webinars, actor="cli"), clock.now())
        except ImportProblem as refused:
            raise Refused([(str(where), reason) for where, reason in refused.problems]) from None

    return run_file_import(
        args.file, importer,
        lambda result: [f"{args.file}: {result.created} webinars created, {result.sessions_added} sessions added, {result.unchanged} unchanged"],
    )


def _attendance(args: argparse.Namespace) -> int:
    from bot.attendance_files import load_attendance_report
    from bot.cli.common import Refused, run_file_import
    from bot.clock import SystemClock
    from bot.domain.errors import Conflict, NotFound
    from bot.services.attendance import ImportAttendance, import_attendance

    async def importer(uow_factory, settings):  # noqa: ANN001, ANN202
        table = await load_attendance_report(args.file)
        command = ImportAttendance(args.session_id, table, actor="cli", source=args.file.name)
        try:
            return await import_attendance(uow_factory(), command, SystemClock(settings.zone).now())
        except NotFound:
            raise Refused([(f"session {args.session_id}", "does not exist")]) from None
        except Conflict:  # attendance only for a session that started
            raise Refused([(f"session {args.session_id}", "has not started yet: is this the right report?")]) from None

    def summary(result) -> list[str]:  # noqa: ANN001
        lines = [f"{args.file}: {result.attended} attended, {result.absent} absent, {result.without_email} without e-mail"]
        lines += [f"  in the report but not signed up for this session: {email}" for email in result.unknown_emails]
        return lines

    return run_file_import(args.file, importer, summary)
