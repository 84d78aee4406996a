"""Reading a Teams attendance report file (CSV in UTF-16 or UTF-8, or XLSX) into the participant
table the attendance import takes. File I/O stays here, on the caller's side, off the event loop."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

from bot.domain.directory_import import ImportRefused, Problem, Table
from bot.services.attendance import attendance_table
from bot.tables import UnreadableFile


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def _rows_of(path: Path) -> list[list[str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook  # first use: not at start-up

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:
            raise UnreadableFile(f"{path.name} is not a readable xlsx file") from error
        try:
            return [["" if v is None else str(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    text = _decode(path.read_bytes())
    delimiter = "\t" if text.count("\t") >= text.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def read_attendance_report(path: Path) -> Table:
    """A Teams attendance report (CSV or XLSX) as its participant table; refused (line 1) when it
    cannot be read."""
    try:
        rows = _rows_of(path)
    except (UnreadableFile, UnicodeDecodeError, OSError) as error:
        raise ImportRefused([Problem(1, f"unreadable file: {error}")]) from None
    return attendance_table(rows)


async def load_attendance_report(path: Path) -> Table:
    """`read_attendance_report` off the event loop."""
    return await asyncio.to_thread(read_attendance_report, path)
