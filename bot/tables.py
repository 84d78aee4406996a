"""Reading an imported CSV or XLSX file (header row first) into a `Table` for a use case.

The callers (the command line, a flow that received a file) read the file here and pass the
`bot.domain.directory_import.Table`; the use cases never see a path.

    table = await load_table(path)
    result = await runner.run(import_staff, ImportStaff(table, actor="cli"))
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from bot.domain.directory_import import ImportRefused, Problem, Row, Table

MAX_ROWS = 200_000

Rows = list[tuple[int, Row]]


class UnreadableFile(Exception):
    pass


def read_table(path: Path) -> tuple[list[str], Rows]:
    """Header and rows (line numbers as a spreadsheet shows them: the header is line 1)."""
    if not path.exists():
        raise UnreadableFile(f"{path} does not exist")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    return read_csv_text(path.read_bytes().decode("utf-8-sig"))


def read_csv_text(text: str) -> tuple[list[str], Rows]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return _rows(enumerate(reader, start=1))


def csv_table(text: str) -> Table:
    """A CSV text as a Table (tests, demo data)."""
    return Table(*read_csv_text(text))


def _read_xlsx(path: Path) -> tuple[list[str], Rows]:
    from openpyxl import load_workbook  # first use: not at start-up

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise UnreadableFile(f"{path.name} is not a readable xlsx file") from error
    sheet = workbook.worksheets[0]

    def cells() -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, ["" if v is None else (v.date().isoformat() if hasattr(v, "date") and hasattr(v, "hour") else str(v)) for v in values]

    try:
        return _rows(cells())
    finally:
        workbook.close()


def _rows(numbered: Iterator[tuple[int, list[str]]]) -> tuple[list[str], Rows]:
    header: list[str] | None = None
    rows: Rows = []
    for number, values in numbered:
        if header is None:
            header = [value.strip().lower() for value in values]
            continue
        if number > MAX_ROWS:
            raise UnreadableFile(f"more than {MAX_ROWS} rows")
        rows.append((number, {name: (values[i] if i < len(values) else None) for i, name in enumerate(header) if name}))
    if header is None:
        raise UnreadableFile("the file is empty")
    return header, rows


async def load_table(path: Path) -> Table:
    """A CSV/XLSX file as a Table, read off the event loop; an unreadable file is refused (line 1)."""
    try:
        header, rows = await asyncio.to_thread(read_table, path)
    except UnreadableFile as error:
        raise ImportRefused([Problem(1, str(error))]) from None
    return Table(header, rows)
