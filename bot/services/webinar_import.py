"""Webinars from a YAML file (`python -m bot webinars import FILE`) and the demo webinars.

The caller reads the file (off the event loop: `load_webinars_file`), which also checks its shape
with line numbers; `import_webinars` then checks the webinars against the directory and the clock
and stores them, all or nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.domain.coaching import CoachingKind
from bot.domain.webinars import (
    MAX_CAPACITY,
    MAX_DESCRIPTION,
    MAX_JOIN_URL,
    MAX_TITLE,
    RegistrationStatus,
    SessionDraft,
    TargetGroup,
    WebinarDraft,
    WebinarStatus,
    check_draft,
    is_audience,
)
from bot.services.unit_of_work import UnitOfWork
from bot.services.webinars import add_webinar

MAX_YAML_BYTES = 1_000_000
LineMap = dict[tuple[Any, ...], int]


class ImportProblem(Exception):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems  # (where: "line N (path)", reason)
        super().__init__("; ".join(f"{where}: {reason}" for where, reason in problems))


class _SessionFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: datetime
    end: datetime
    capacity: int = Field(ge=1, le=MAX_CAPACITY)
    join_url: str = Field(max_length=MAX_JOIN_URL)


class _WebinarFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title_nl: str = Field(min_length=1, max_length=MAX_TITLE)
    title_en: str = Field(min_length=1, max_length=MAX_TITLE)
    description_nl: str = Field("", max_length=MAX_DESCRIPTION)
    description_en: str = Field("", max_length=MAX_DESCRIPTION)
    target_group: TargetGroup
    entities: list[str] = Field(default_factory=list)
    sessions: list[_SessionFile] = Field(min_length=1)

    @field_validator("entities")
    @classmethod
    def _upper(cls, value: list[str]) -> list[str]:
        return [code.strip().upper() for code in value]


class _WebinarsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    webinars: list[_WebinarFile] = Field(min_length=1)


@dataclass(frozen=True)
class WebinarsFile:
    """The webinars of an import file, with the line of every key (for later problems)."""

    drafts: list[WebinarDraft]
    lines: LineMap


def _line_map(node: yaml.Node, path: tuple[Any, ...] = (), lines: LineMap | None = None) -> LineMap:
    """Path (keys and indexes) -> line number (1-based) of every node in a YAML document."""
    lines = {} if lines is None else lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _line_map(value, (*path, key.value), lines)
            lines[(*path, key.value)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines)
    return lines


def _where(lines: LineMap, loc: Sequence[Any]) -> str:
    path = tuple(loc)
    while path and path not in lines:
        path = path[:-1]
    dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    return f"line {lines.get(path, 1)} ({dotted or 'file'})"


def parse_webinars_yaml(text: str, zone: tzinfo) -> WebinarsFile:
    """Read the import file; every problem is reported with its line and path. Times without an
    offset are in `zone`."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ImportProblem([(f"line {mark.line + 1 if mark else 1}", "not valid YAML")]) from None
    if root is None:
        raise ImportProblem([("line 1", "the file is empty")])
    lines = _line_map(root)
    try:
        parsed = _WebinarsFile.model_validate(data)
    except ValidationError as error:
        raise ImportProblem([(_where(lines, e["loc"]), e["msg"]) for e in error.errors()]) from None
    drafts = []
    for webinar in parsed.webinars:
        sessions = tuple(
            SessionDraft(
                starts_at=s.start if s.start.tzinfo else s.start.replace(tzinfo=zone),
                ends_at=s.end if s.end.tzinfo else s.end.replace(tzinfo=zone),
                capacity=s.capacity, join_url=s.join_url.strip(),
            )
            for s in webinar.sessions
        )
        drafts.append(
            WebinarDraft(
                title_nl=webinar.title_nl.strip(), title_en=webinar.title_en.strip(),
                description_nl=webinar.description_nl.strip(), description_en=webinar.description_en.strip(),
                target_group=webinar.target_group, entity_codes=tuple(webinar.entities), sessions=sessions,
            )
        )
    return WebinarsFile(drafts, lines)


def read_webinars_file(path: Path, zone: tzinfo) -> WebinarsFile:
    if not path.exists():
        raise ImportProblem([("line 1", f"{path} does not exist")])
    if path.stat().st_size > MAX_YAML_BYTES:
        raise ImportProblem([("line 1", f"file larger than {MAX_YAML_BYTES} bytes")])
    return parse_webinars_yaml(path.read_text(encoding="utf-8-sig"), zone)


async def load_webinars_file(path: Path, zone: tzinfo) -> WebinarsFile:
    """`read_webinars_file` off the event loop."""
    return await asyncio.to_thread(read_webinars_file, path, zone)


@dataclass(frozen=True)
class ImportWebinars:
    file: WebinarsFile
    actor: str


@dataclass(frozen=True)
class WebinarImportResult:
    created: int
    sessions_added: int
    unchanged: int


def _loc(where: str) -> tuple[Any, ...]:
    """"sessions[1]" -> ("sessions", 1); "title_nl" -> ("title_nl",)."""
    if "[" in where:
        name, index = where.rstrip("]").split("[")
        return (name, int(index))
    return (where,)


async def import_webinars(uow: UnitOfWork, command: ImportWebinars, now: datetime) -> WebinarImportResult:
    """Import webinars (published); a webinar whose Dutch title exists gets only its new
    sessions, so importing the same file twice changes nothing. All or nothing."""
    drafts, lines, actor = command.file.drafts, command.file.lines, command.actor
    created = added = unchanged = 0
    async with uow:
        problems: list[tuple[str, str]] = []
        codes = [e.code for e in await uow.entities.list_all()]
        for index, draft in enumerate(drafts):
            existing = await uow.webinars.get_by_title(draft.title_nl)
            known_starts = {s.starts_at for s in existing.sessions} if existing else set()
            new_sessions = tuple(s for s in draft.sessions if s.starts_at not in known_starts)
            check = check_draft(replace(draft, sessions=new_sessions) if existing else draft, now, codes)
            problems += [
                (_where(lines, ("webinars", index, *_loc(p.where))), p.reason)
                for p in check if not (existing and p.where == "sessions" and not new_sessions)
            ]
        if problems:
            raise ImportProblem(problems)
        for draft in drafts:
            existing = await uow.webinars.get_by_title(draft.title_nl)
            if existing is None:
                await add_webinar(uow, draft, now, WebinarStatus.PUBLISHED, actor=actor, created_by=None)
                created += 1
                continue
            known_starts = {s.starts_at for s in existing.sessions}
            new_sessions = [s for s in draft.sessions if s.starts_at not in known_starts]
            for session in new_sessions:
                session_id = await uow.webinars.add_session(existing.id, session)
                await uow.audit.record(actor, "webinar.session_added", "webinar_session", session_id, None,
                                       {"webinar_id": existing.id, "starts_at": session.starts_at.isoformat()})
            added += len(new_sessions)
            unchanged += not new_sessions
        await uow.commit()
    return WebinarImportResult(created, added, unchanged)


# -- demo data -------------------------------------------------------------------------------------
DEMO_FILE = Path(__file__).resolve().parent.parent / "demo" / "webinars.yaml"
DEMO_JOIN_URL = "https://teams.microsoft.com/l/meetup-join/demo-webinar"


def read_demo_file() -> dict[str, Any]:
    return yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class LoadDemoWebinars:
    data: dict[str, Any]  # bot/demo/webinars.yaml as read
    today: date


async def load_demo(uow: UnitOfWork, command: LoadDemoWebinars, now: datetime) -> None:
    """Upcoming demo webinars with a few sign-ups, and one coaching request; sessions are placed
    relative to `today`, at their local times in the zone of `now`."""
    zone, today = now.tzinfo, command.today
    start_of_day = datetime.combine(today, time(0), tzinfo=zone)
    async with uow:
        for item in command.data["webinars"]:
            sessions = []
            for s in item["sessions"]:
                day = today + timedelta(days=int(s["in_days"]))
                sessions.append(SessionDraft(
                    starts_at=datetime.combine(day, time.fromisoformat(s["start"]), tzinfo=zone),
                    ends_at=datetime.combine(day, time.fromisoformat(s["end"]), tzinfo=zone),
                    capacity=int(s["capacity"]), join_url=DEMO_JOIN_URL,
                ))
            draft = WebinarDraft(
                title_nl=item["title_nl"], title_en=item["title_en"], description_nl=item["description_nl"],
                description_en=item["description_en"], target_group=TargetGroup(item["target_group"]), sessions=tuple(sessions),
            )
            await add_webinar(uow, draft, start_of_day, WebinarStatus.PUBLISHED, actor="demo", created_by=None)
        webinars = await uow.webinars.list_upcoming(start_of_day)
        staff = await uow.staff.list_by_ids(list(range(1, 200)))
        signed_up_at = datetime.combine(today, time(8), tzinfo=zone)
        for webinar in webinars[:2]:
            session = webinar.sessions[0]
            for person in staff[:6]:
                if is_audience(person, webinar.target_group, webinar.entity_ids) and await uow.webinars.take_seat(session.id):
                    await uow.webinars.add_registration(webinar.id, session.id, person.id, RegistrationStatus.SEATED, signed_up_at)
        if staff:
            await uow.coaching.add(staff[-1].id, CoachingKind.RESILIENCE, "", signed_up_at, today)
        await uow.commit()
