"""Attendance from Teams webinar reports, and the import of past participation for the reports.

A Teams attendance report (CSV, often UTF-16 and tab-separated, or XLSX) has summary lines
before the participant table; the table is found by its header row ("Name" and "Email" or
"Participant ID (UPN)") and ends at the first blank line or the next section. Attended means
present in the report.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook

from bot.domain.directory_import import Problem
from bot.domain.errors import Forbidden, NotFound
from bot.domain.staff import Staff
from bot.domain.webinars import RegistrationStatus, SessionDraft, TargetGroup, WebinarDraft, WebinarStatus
from bot.services.directory import ImportRefused, read_import
from bot.services.tabular import UnreadableFile
from storage.uow import UnitOfWorkFactory

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_HEADERS = ("email", "e-mail", "participant id (upn)", "upn", "e-mailadres")
MAX_REPORT_BYTES = 20_000_000


@dataclass(frozen=True)
class ReportLine:
    line: int
    name: str
    email: str


@dataclass(frozen=True)
class AttendanceResult:
    attended: int
    absent: int
    unknown_emails: tuple[str, ...]  # in the report, not seated in this session
    without_email: int


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def _rows_of(path: Path) -> list[list[str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
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


def parse_attendance_rows(rows: list[list[str]]) -> tuple[list[ReportLine], int]:
    """The participant table's rows (line numbers as in the file) and how many lack an e-mail.
    Raises ImportRefused with line numbers for a missing table or malformed rows."""
    header_at = None
    for index, row in enumerate(rows):
        names = [cell.strip().lower() for cell in row]
        if ("name" in names or "naam" in names or "full name" in names) and any(h in names for h in EMAIL_HEADERS):
            header_at, header = index, names
            break
    if header_at is None:
        raise ImportRefused([Problem(1, "no participant table: no header row with 'Name' and 'Email'")])
    email_col = next(header.index(h) for h in ("email", "e-mail", "e-mailadres", "participant id (upn)", "upn") if h in header)
    name_col = next(header.index(h) for h in ("name", "full name", "naam") if h in header)
    lines: list[ReportLine] = []
    problems: list[Problem] = []
    without_email = 0
    for index in range(header_at + 1, len(rows)):
        row = [cell.strip() for cell in rows[index]]
        if not any(row):
            break  # end of the table
        if len(row) == 1 or re.match(r"^\d+\.\s", row[0]):
            break  # next section ("3. In-Meeting Activities")
        line = index + 1
        if len(row) <= max(email_col, name_col):
            problems.append(Problem(line, f"expected at least {max(email_col, name_col) + 1} columns, found {len(row)}"))
            continue
        email = row[email_col].lower()
        if not email:
            without_email += 1  # guests and phone participants have no e-mail
            continue
        if not _EMAIL.match(email):
            problems.append(Problem(line, f"{row[email_col]!r} is not an e-mail address"))
            continue
        lines.append(ReportLine(line, row[name_col], email))
    if problems:
        raise ImportRefused(problems)
    return lines, without_email


async def import_attendance(uow_factory: UnitOfWorkFactory, actor: Staff | None, session_id: int, path: Path, *, actor_name: str | None = None) -> AttendanceResult:
    """Mark attendance of one session from a Teams report: seated participants in the report
    attended, the others did not. Unknown e-mails are listed, not fatal; all or nothing."""
    if actor is not None and not actor.is_hr:
        raise Forbidden()
    try:
        rows = await asyncio.to_thread(_rows_of, path)
    except (UnreadableFile, UnicodeDecodeError, OSError) as error:
        raise ImportRefused([Problem(1, f"unreadable file: {error}")]) from None
    lines, without_email = parse_attendance_rows(rows)
    present = {line.email for line in lines}
    who = actor_name or (f"staff:{actor.id}" if actor else "cli")
    async with uow_factory() as uow:
        if await uow.webinars.get_session(session_id) is None:
            raise NotFound()
        seated = [p for p in await uow.webinars.participants(session_id) if p.status is RegistrationStatus.SEATED]
        attended = 0
        for participant in seated:
            value = participant.email.lower() in present
            attended += value
            if participant.attended != value:
                await uow.webinars.set_attended(participant.registration_id, value)
                await uow.audit.record(
                    who, "webinar.attendance", "webinar_registration", participant.registration_id,
                    {"attended": participant.attended}, {"attended": value, "source": path.name[:60]},
                )
        await uow.commit()
    seated_emails = {p.email.lower() for p in seated}
    return AttendanceResult(attended, len(seated) - attended, tuple(sorted(present - seated_emails)), without_email)


# -- participation history for the reports ---------------------------------------------------
HISTORY_COLUMNS = ("webinar_title", "target_group", "session_start", "email", "attended")
HISTORY_GROUPS = {"all": TargetGroup.ALL, "managers": TargetGroup.MANAGERS, "hr": TargetGroup.HR}


@dataclass(frozen=True)
class HistoryResult:
    webinars_created: int
    sessions_created: int
    registrations_created: int
    unchanged: int


async def import_webinar_history(uow_factory: UnitOfWorkFactory, path: Path, *, actor: str) -> HistoryResult:
    """Past participation (CSV/XLSX: webinar_title, target_group (all, managers, hr),
    session_start (ISO date-time; Brussels time without offset), email, attended (yes, no)).

    A bad row refuses the whole file with line numbers; rows already imported (same webinar
    title, session start and person) are left as they are, so a second import changes nothing.
    """
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Brussels")
    _header, rows = await read_import(path, HISTORY_COLUMNS)
    problems: list[Problem] = []
    parsed: list[tuple[int, str, TargetGroup, datetime, str, bool]] = []
    for line, raw in rows:
        row = {k: (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        reasons = []
        title = row["webinar_title"]
        if not title or len(title) > 200:
            reasons.append("webinar_title is empty or longer than 200 characters")
        group = HISTORY_GROUPS.get(row["target_group"].lower())
        if group is None:
            reasons.append(f"target_group {row['target_group']!r} is not all, managers or hr")
        try:
            start = datetime.fromisoformat(row["session_start"].replace(" ", "T", 1))
            start = start if start.tzinfo else start.replace(tzinfo=zone)
        except ValueError:
            reasons.append(f"session_start {row['session_start']!r} is not an ISO date-time")
        email = row["email"].lower()
        if not _EMAIL.match(email):
            reasons.append(f"email {row['email']!r} is not an e-mail address")
        attended = row["attended"].lower()
        if attended not in ("yes", "no", "ja", "nee"):
            reasons.append(f"attended {row['attended']!r} is not yes or no")
        if reasons:
            problems.append(Problem(line, "; ".join(reasons)))
            continue
        parsed.append((line, title, group, start.astimezone(UTC), email, attended in ("yes", "ja")))  # type: ignore[arg-type]
    if problems:
        raise ImportRefused(problems)
    webinars_created = sessions_created = created = unchanged = 0
    async with uow_factory() as uow:
        people: dict[str, int] = {}
        for line, _title, _group, _start, email, _attended in parsed:
            if email not in people:
                person = await uow.staff.get_by_email(email)
                if person is None:
                    problems.append(Problem(line, f"{email} is not in the staff directory"))
                    continue
                people[email] = person.id
        if problems:
            raise ImportRefused(problems)
        for _line, title, group, start, email, attended in parsed:
            webinar = await uow.webinars.get_by_title(title)
            if webinar is None:
                draft = WebinarDraft(title_nl=title, title_en=title, description_nl="", description_en="", target_group=group)
                webinar_id = await uow.webinars.add(draft, [], WebinarStatus.PUBLISHED, None)
                await uow.audit.record(actor, "webinar.imported", "webinar", webinar_id, None, {"title_nl": title})
                webinars_created += 1
                webinar = await uow.webinars.get(webinar_id)
            assert webinar is not None
            session = await uow.webinars.find_session(webinar.id, start)
            if session is None:
                session_id = await uow.webinars.add_session(webinar.id, SessionDraft(start, start + timedelta(hours=1), 10_000, ""))
                sessions_created += 1
            else:
                session_id = session.id
            if await uow.webinars.registration_of(webinar.id, people[email]) is not None:
                unchanged += 1
                continue
            await uow.webinars.take_seat(session_id)
            registration = await uow.webinars.add_registration(
                webinar.id, session_id, people[email], RegistrationStatus.SEATED, start, source="import", attended=attended,
            )
            assert registration is not None
            await uow.audit.record(actor, "webinar.registration_imported", "webinar_registration", registration.id, None,
                                   {"webinar_id": webinar.id, "attended": attended})
            created += 1
        await uow.commit()
    return HistoryResult(webinars_created, sessions_created, created, unchanged)
