"""Attendance from Teams webinar reports, and the import of past participation for the reports.

A Teams attendance report (CSV, often UTF-16 and tab-separated, or XLSX) has summary lines
before the participant table; the table is found by its header row ("Name" and "Email" or
"Participant ID (UPN)") and ends at the first blank line or the next section. Attended means
present in the report. The caller reads the file (`load_attendance_report`, off the event loop)
and passes the participant table to `import_attendance`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from bot.domain.directory_import import ImportRefused, Problem, Table
from bot.domain.errors import Forbidden, NotFound
from bot.domain.staff import Staff
from bot.domain.webinars import (
    MAX_CAPACITY,
    MAX_TITLE,
    RegistrationStatus,
    SessionDraft,
    TargetGroup,
    WebinarDraft,
    WebinarStatus,
    check_attendance,
)
from bot.services.unit_of_work import UnitOfWork

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SECTION = re.compile(r"^\d+\.\s")
# The participant table's columns as Teams names them, in the order of preference.
NAME_HEADERS = ("name", "full name", "naam")
EMAIL_HEADERS = ("email", "e-mail", "e-mailadres", "participant id (upn)", "upn")


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


# -- reading the report -------------------------------------------------------------------------
def _columns(header: list[str]) -> tuple[str, str] | None:
    """The name and e-mail columns of a participant table's header, if it is one."""
    name = next((h for h in NAME_HEADERS if h in header), None)
    email = next((h for h in EMAIL_HEADERS if h in header), None)
    return (name, email) if name and email else None


def attendance_table(rows: list[list[str]]) -> Table:
    """The participant table of a report's rows, with line numbers as in the file."""
    headers = ([cell.strip().lower() for cell in row] for row in rows)
    found = next(((index, header) for index, header in enumerate(headers) if _columns(header)), None)
    if found is None:
        raise ImportRefused([Problem(1, "no participant table: no header row with 'Name' and 'Email'")])
    header_at, header = found
    body = []
    for number, raw in enumerate(rows[header_at + 1:], start=header_at + 2):
        cells = [cell.strip() for cell in raw]
        if not any(cells):
            break  # end of the table
        if len(cells) == 1 or _SECTION.match(cells[0]):
            break  # next section ("3. In-Meeting Activities")
        body.append((number, {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(header) if name}))
    return Table(header, body)


def parse_attendance_rows(table: Table) -> tuple[list[ReportLine], int]:
    """The participants with an e-mail (line numbers as in the file) and how many lack one.
    Raises ImportRefused with line numbers for a table that is not one or malformed rows."""
    columns = _columns(table.header)
    if columns is None:
        raise ImportRefused([Problem(1, "no participant table: no header row with 'Name' and 'Email'")])
    name_col, email_col = columns
    needed = max(table.header.index(name_col), table.header.index(email_col)) + 1
    lines: list[ReportLine] = []
    problems: list[Problem] = []
    without_email = 0
    for line, row in table.rows:
        name, email = row.get(name_col), row.get(email_col)
        if name is None or email is None:
            found = sum(value is not None for value in row.values())
            problems.append(Problem(line, f"expected at least {needed} columns, found {found}"))
            continue
        if not email.strip():
            without_email += 1  # guests and phone participants have no e-mail
            continue
        if not _EMAIL.match(email.strip().lower()):
            problems.append(Problem(line, f"{email!r} is not an e-mail address"))
            continue
        lines.append(ReportLine(line, name.strip(), email.strip().lower()))
    if problems:
        raise ImportRefused(problems)
    return lines, without_email


# -- marking attendance ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportAttendance:
    session_id: int
    table: Table  # the report's participant table (`load_attendance_report`)
    actor: Staff | str  # an HR member in the bot, or what the audit names a command-line import
    source: str = ""  # the report's file name, kept in the audit


async def import_attendance(uow: UnitOfWork, command: ImportAttendance, now: datetime) -> AttendanceResult:
    """Mark attendance of one session from a Teams report: seated participants in the report
    attended, the others did not. Unknown e-mails are listed, not fatal; all or nothing."""
    actor = command.actor
    if isinstance(actor, Staff) and not actor.is_hr:
        raise Forbidden()
    who = f"staff:{actor.id}" if isinstance(actor, Staff) else actor
    lines, without_email = parse_attendance_rows(command.table)
    present = {line.email for line in lines}
    async with uow:
        session = await uow.webinars.get_session(command.session_id)
        if session is None:
            raise NotFound()
        check_attendance(session, now)  # a report for a session still to come is the wrong file
        seated = [p for p in await uow.webinars.participants(command.session_id) if p.status is RegistrationStatus.SEATED]
        attended = 0
        for participant in seated:
            value = participant.email.lower() in present
            attended += value
            if participant.attended != value:
                await uow.webinars.set_attended(participant.registration_id, value)
                await uow.audit.record(
                    who, "webinar.attendance", "webinar_registration", participant.registration_id,
                    {"attended": participant.attended}, {"attended": value, "source": command.source[:60]},
                )
        await uow.commit()
    seated_emails = {p.email.lower() for p in seated}
    return AttendanceResult(attended, len(seated) - attended, tuple(sorted(present - seated_emails)), without_email)


# -- participation history for the reports ---------------------------------------------------------
HISTORY_COLUMNS = ("webinar_title", "target_group", "session_start", "email", "attended")
HISTORY_GROUPS = {"all": TargetGroup.ALL, "managers": TargetGroup.MANAGERS, "hr": TargetGroup.HR}


@dataclass(frozen=True)
class HistoryResult:
    webinars_created: int
    sessions_created: int
    registrations_created: int
    unchanged: int


@dataclass(frozen=True)
class ImportWebinarHistory:
    table: Table
    actor: str
    zone: tzinfo  # of session starts written without an offset


async def import_webinar_history(uow: UnitOfWork, command: ImportWebinarHistory, now: datetime) -> HistoryResult:
    """Past participation (CSV/XLSX: webinar_title, target_group (all, managers, hr),
    session_start (ISO date-time; local time in the command's zone without an offset), email,
    attended (yes, no)).

    The target group belongs to the session: a title may run once for all staff and once for
    managers. Someone who attended a repeat session of the same title has a registration for each
    session (the bot's one-per-webinar rule is for signing up, not for the past). A bad row refuses
    the whole file with line numbers (also a session given two target groups); rows already
    imported (same title, session start and person) are left as they are, so a second import
    changes nothing.
    """
    actor, zone = command.actor, command.zone
    problems: list[Problem] = []
    parsed: list[tuple[int, str, TargetGroup, datetime, str, bool]] = []
    for line, raw in command.table.require(HISTORY_COLUMNS):
        row = {k: (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        reasons = []
        title = row["webinar_title"]
        if not title or len(title) > MAX_TITLE:
            reasons.append(f"webinar_title is empty or longer than {MAX_TITLE} characters")
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
        assert group is not None
        parsed.append((line, title, group, start.astimezone(UTC), email, attended in ("yes", "ja")))
    groups: dict[tuple[str, datetime], tuple[int, TargetGroup]] = {}
    for line, title, group, start, _email, _attended in parsed:
        first = groups.setdefault((title, start), (line, group))
        if first[1] != group:
            problems.append(Problem(line, f"the session of {start.isoformat()} of {title!r} has target group {first[1].value} "
                                          f"on line {first[0]}"))
    if problems:
        raise ImportRefused(problems)
    webinars_created = sessions_created = created = unchanged = 0
    async with uow:
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
        for line, title, group, start, email, attended in parsed:
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
                session_id = await uow.webinars.add_session(
                    webinar.id, SessionDraft(start, start + timedelta(hours=1), MAX_CAPACITY, "", target_group=group.value),
                )
                sessions_created += 1
            elif (session.target_group or webinar.target_group.value) != group.value:
                problems.append(Problem(line, f"the session of {start.isoformat()} of {title!r} is already stored for "
                                               f"{session.target_group or webinar.target_group.value}"))
                continue
            else:
                session_id = session.id
            if await uow.webinars.registration_in_session(session_id, people[email]) is not None:
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
        if problems:
            raise ImportRefused(problems)
        await uow.commit()
    return HistoryResult(webinars_created, sessions_created, created, unchanged)
