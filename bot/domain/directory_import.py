"""Validation of staff directory rows (CSV or XLSX with a header row). Pure: rows in, records or
problems with line numbers out.

Two optional columns keep older files valid: `end_date` (YYYY-MM-DD, the last day in service;
empty: in service) and `effective_from` (YYYY-MM-DD, the day the row's entity and manager take
effect; without it a change takes effect on the day of the import). A file without `end_date`
leaves the end dates already stored as they are."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.staff import IMPORTABLE_ROLES, Role

COLUMNS = (
    "aad_object_id", "email", "display_name", "entity_code", "entity_name",
    "manager_email", "start_date", "roles", "language",
)
OPTIONAL_COLUMNS = ("end_date", "effective_from")
REQUIRED = ("aad_object_id", "email", "display_name", "entity_code", "entity_name", "start_date")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_GUID = re.compile(r"^[0-9a-fA-F-]{8,64}$")


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str


@dataclass(frozen=True)
class StaffLine:
    line: int
    aad_object_id: str
    email: str
    display_name: str
    entity_code: str
    entity_name: str
    manager_email: str | None
    start_date: date
    roles: frozenset[Role]
    language: str
    end_date: date | None = None
    end_date_given: bool = False  # the file has the column (an empty cell: in service)
    effective_from: date | None = None


def check_header(header: Iterable[str]) -> list[Problem]:
    names = [name.strip().lower() for name in header]
    missing = [column for column in COLUMNS if column not in names]
    return [Problem(1, f"missing column(s): {', '.join(missing)}")] if missing else []


def parse_rows(
    rows: Iterable[tuple[int, Mapping[str, str | None]]], today: date | None = None,
) -> tuple[list[StaffLine], list[Problem]]:
    """Validate every row; also cross-checks duplicates and managers missing from the file. With
    `today`, an `effective_from` after it is refused (a move is imported once it has happened)."""
    lines: list[StaffLine] = []
    problems: list[Problem] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for line_no, raw in rows:
        row = {key.strip().lower(): (value or "").strip() for key, value in raw.items() if key}
        if not any(row.values()):
            continue  # blank line
        missing = [column for column in REQUIRED if not row.get(column)]
        if missing:
            problems.append(Problem(line_no, f"empty {', '.join(missing)}"))
            continue
        reasons = []
        if not _GUID.match(row["aad_object_id"]):
            reasons.append("aad_object_id is not an object id")
        email = row["email"].lower()
        if not _EMAIL.match(email):
            reasons.append(f"email {row['email']!r} is not an e-mail address")
        manager_email = row.get("manager_email", "").lower() or None
        if manager_email and not _EMAIL.match(manager_email):
            reasons.append(f"manager_email {manager_email!r} is not an e-mail address")
        try:
            start = date.fromisoformat(row["start_date"])
        except ValueError:
            reasons.append(f"start_date {row['start_date']!r} is not YYYY-MM-DD")
            start = date.min
        end = _optional_day(row, "end_date", reasons)
        effective = _optional_day(row, "effective_from", reasons)
        if end is not None and end < start:
            reasons.append(f"end_date {end.isoformat()} is before start_date {start.isoformat()}")
        if effective is not None and effective < start:
            reasons.append(f"effective_from {effective.isoformat()} is before start_date {start.isoformat()}")
        if effective is not None and today is not None and effective > today:
            reasons.append(f"effective_from {effective.isoformat()} is in the future: import the move once it happened")
        role_names = [name.strip().lower() for name in (row.get("roles") or "staff").split(";") if name.strip()]
        unknown = [name for name in role_names if name not in {r.value for r in IMPORTABLE_ROLES}]
        if unknown:
            reasons.append(f"unknown role(s): {', '.join(unknown)}")
        language = (row.get("language") or "nl").lower()
        if language not in ("nl", "en"):
            reasons.append(f"language {language!r} is not nl or en")
        if row["aad_object_id"] in seen_ids:
            reasons.append(f"aad_object_id repeats line {seen_ids[row['aad_object_id']]}")
        if email in seen_emails:
            reasons.append(f"email repeats line {seen_emails[email]}")
        if reasons:
            problems.append(Problem(line_no, "; ".join(reasons)))
            continue
        seen_ids[row["aad_object_id"]] = line_no
        seen_emails[email] = line_no
        lines.append(
            StaffLine(
                line=line_no, aad_object_id=row["aad_object_id"], email=email, display_name=row["display_name"],
                entity_code=row["entity_code"].upper(), entity_name=row["entity_name"], manager_email=manager_email,
                start_date=start, roles=frozenset(Role(name) for name in role_names) | {Role.STAFF}, language=language,
                end_date=end, end_date_given="end_date" in row, effective_from=effective,
            )
        )
    return lines, problems


def _optional_day(row: Mapping[str, str], column: str, reasons: list[str]) -> date | None:
    if not row.get(column):
        return None
    try:
        return date.fromisoformat(row[column])
    except ValueError:
        reasons.append(f"{column} {row[column][:30]!r} is not YYYY-MM-DD")
        return None


class ImportRefused(Exception):
    """A file refused as a whole, with the reason for each line (nothing of it was stored)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"line {p.line}: {p.reason}" for p in problems))


Row = dict[str, str | None]


@dataclass(frozen=True)
class Table:
    """An uploaded or imported file as read: the header, and each row with its line number as a
    spreadsheet shows it (the header is line 1)."""

    header: list[str]
    rows: list[tuple[int, Row]]

    def require(self, columns: Sequence[str]) -> list[tuple[int, Row]]:
        """The rows, or ImportRefused (line 1) when a column is missing."""
        missing = [column for column in columns if column not in self.header]
        if missing:
            raise ImportRefused([Problem(1, f"missing column(s): {', '.join(missing)}")])
        return self.rows
