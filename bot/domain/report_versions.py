"""Versions of the parliamentary workbook: the figures of every sheet kept generically, so that a
report of the same period produced later says which figures changed since the version already
sent, and why.

Figures are stored per sheet as [row key, column, value] triples of text (the row key joins the
values of the row's dimension columns: texts, months, dates and the year). The why comes from the
audit log: every state change recorded after the earlier version was produced, sorted into a few
kinds (late registrations, corrections, imports, ...); a change whose row names a month only
counts what happened to days of that month.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

# sheet slug -> [[row key, column, value], ...]
Figures = dict[str, list[list[str]]]
FigureKey = tuple[str, str, str]

# Kinds of recorded change, in the order the Wijzigingen sheet names them.
LATE_REGISTRATION = "late_registration"
CORRECTION = "correction"
IMPORT = "import"
DIRECTORY = "directory"
APPROVAL = "approval"
ELIGIBILITY = "eligibility"
ALLOWANCE = "allowance"
EQUIPMENT = "equipment"
WEBINAR = "webinar"
COACHING = "coaching"
UNEXPLAINED = "unexplained"  # nothing recorded explains it (a rule or a setting changed)
KINDS = (LATE_REGISTRATION, CORRECTION, IMPORT, DIRECTORY, APPROVAL, ELIGIBILITY, ALLOWANCE, EQUIPMENT, WEBINAR, COACHING)

_PREFIX_KINDS = (
    ("history.", IMPORT), ("allowance.history_imported", IMPORT), ("allowance.default_replaced", IMPORT),
    ("webinar.registration_imported", IMPORT), ("webinar.imported", IMPORT), ("coaching.imported", IMPORT),
    ("homework.registered", LATE_REGISTRATION), ("homework.", CORRECTION),
    ("staff.", DIRECTORY), ("entity.", DIRECTORY), ("approval.decided", APPROVAL), ("eligibility.", ELIGIBILITY),
    ("allowance.", ALLOWANCE), ("equipment.", EQUIPMENT), ("webinar.", WEBINAR), ("coaching.", COACHING),
)
# Which kinds of change can move the figures of a sheet (a sheet not listed: every kind).
SHEET_KINDS: Mapping[str, frozenset[str]] = {
    "thuiswerk-per-maand": frozenset({LATE_REGISTRATION, CORRECTION, IMPORT, DIRECTORY, APPROVAL, ELIGIBILITY}),
    "thuiswerkvergoeding": frozenset({LATE_REGISTRATION, CORRECTION, IMPORT, DIRECTORY, APPROVAL}),
    "internetvergoeding": frozenset({ALLOWANCE, IMPORT, DIRECTORY, ELIGIBILITY}),
    "webinars": frozenset({WEBINAR, IMPORT, DIRECTORY}),
    "coaching": frozenset({COACHING, IMPORT, DIRECTORY}),
    "materiaal": frozenset({EQUIPMENT, IMPORT, DIRECTORY}),
    "niet-in-aanmerking": frozenset({ELIGIBILITY, IMPORT, DIRECTORY}),
}
# Sheets that are not figures: the definitions (they carry the production time) and the changes.
NOT_FIGURES = frozenset({"definities", "wijzigingen"})
_MONTH = re.compile(r"\b(\d{4})-(\d{2})\b")


def params_key(params: Mapping[str, str]) -> str:
    """What makes two reports "the same period": their period and scope."""
    return f"{params.get('from', '')}..{params.get('to', '')}|{params.get('entity') or '*'}"


def content_hash(figures: Figures) -> str:
    canonical = json.dumps(figures, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def flatten(figures: Figures) -> dict[FigureKey, str]:
    return {(sheet, row, column): value for sheet, triples in figures.items() for row, column, value in triples}


@dataclass(frozen=True)
class AuditEvent:
    """One recorded state change, as far as the comparison needs it."""

    action: str
    day: date | None = None  # the day it concerns (a registration's day), when known


def kind_of(action: str) -> str | None:
    for prefix, kind in _PREFIX_KINDS:
        if action.startswith(prefix):
            return kind
    return None


@dataclass(frozen=True)
class FigureChange:
    sheet: str
    row: str
    column: str
    before: str | None  # None: the row is new
    after: str | None  # None: the row is gone
    reasons: tuple[tuple[str, int], ...]  # (kind, how many recorded changes of that kind)


@dataclass(frozen=True)
class VersionInfo:
    id: int
    number: int  # 1, 2, ... per period and scope
    produced_at: datetime
    produced_by: str
    content_hash: str


@dataclass(frozen=True)
class StoredVersion:
    info: VersionInfo
    params: dict[str, str]
    figures: Figures
    audit_mark: int  # the last audit row recorded when it was produced


@dataclass(frozen=True)
class Comparison:
    """A report about to be sent, against the latest version of the same period and scope."""

    previous: VersionInfo | None
    changes: list[FigureChange]
    audit_mark: int
    earlier: list[VersionInfo] = field(default_factory=list)  # newest first

    @property
    def unchanged(self) -> bool:
        return self.previous is not None and not self.changes


def _months_in(row: str) -> set[tuple[int, int]]:
    return {(int(year), int(month)) for year, month in _MONTH.findall(row)}


def reasons_for(sheet: str, row: str, events: Sequence[AuditEvent]) -> tuple[tuple[str, int], ...]:
    """The recorded changes that can explain a figure of this sheet and row, counted per kind."""
    wanted = SHEET_KINDS.get(sheet)
    months = _months_in(row)
    counts: Counter[str] = Counter()
    for event in events:
        kind = kind_of(event.action)
        if kind is None or (wanted is not None and kind not in wanted):
            continue
        if months and event.day is not None and (event.day.year, event.day.month) not in months:
            continue
        counts[kind] += 1
    if not counts:
        return ((UNEXPLAINED, 0),)
    return tuple((kind, counts[kind]) for kind in KINDS if counts[kind])


def compare(previous: Figures, current: Figures, events: Iterable[AuditEvent]) -> list[FigureChange]:
    """Every figure that differs (new, changed or gone), in sheet and row order of the new report."""
    before, after = flatten(previous), flatten(current)
    events = list(events)
    keys = list(after) + [key for key in before if key not in after]
    return [
        FigureChange(sheet, row, column, before.get((sheet, row, column)), after.get((sheet, row, column)),
                     reasons_for(sheet, row, events))
        for sheet, row, column in keys
        if before.get((sheet, row, column)) != after.get((sheet, row, column))
    ]
