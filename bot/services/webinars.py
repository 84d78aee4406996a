"""Webinar use cases: create, invite (through the broadcast engine), sign up with capacity and
waitlist, cancel with promotion, reminders, attendance, and the YAML import of webinars."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from bot.domain.staff import Staff
from bot.domain.webinars import (
    CancelResult,
    DraftProblem,
    Registration,
    RegistrationStatus,
    SessionDraft,
    SignUpResult,
    TargetGroup,
    Webinar,
    WebinarDraft,
    WebinarStatus,
    can_sign_up,
    check_draft,
    due_reminder,
    is_audience,
)
from bot.i18n import Translator
from bot.scheduler import Job, register_job
from storage.uow import UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:
    from bot.runtime import Services

log = logging.getLogger(__name__)

INVITATION_KIND = "webinar.invitation"
REMINDER_JOB = "webinars.reminders"
MAX_YAML_BYTES = 1_000_000


class SessionFull(DomainError):
    """The session has no seat left; the waitlist is offered at `position`."""

    key = "webinars.full_offer_waitlist"


class DraftRefused(InvalidInput):
    """The webinar as entered breaks rules; `problems` lists them all."""

    key = "webinars.invalid_draft"

    def __init__(self, problems: list[DraftProblem]) -> None:
        super().__init__(problems="; ".join(f"{p.where}: {p.reason}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class UpcomingWebinar:
    webinar: Webinar
    registration: Registration | None


@dataclass(frozen=True)
class MyRegistration:
    registration: Registration
    webinar: Webinar


@dataclass(frozen=True)
class Promotion:
    """Someone moved from the waitlist to a seat; they are told after the commit."""

    staff: Staff
    webinar: Webinar
    starts_at: datetime


# -- HR: create and invite -------------------------------------------------------------------
def _require_hr(actor: Staff) -> None:
    if not actor.is_hr:
        raise Forbidden()


async def _save_webinar(uow: UnitOfWork, actor_name: str, created_by: int | None, draft: WebinarDraft, now: datetime, status: WebinarStatus) -> int:
    entities = await uow.entities.list_all()
    problems = check_draft(draft, now, [e.code for e in entities])
    if problems:
        raise DraftRefused(problems)
    by_code = {e.code: e.id for e in entities}
    entity_ids = [by_code[code.upper()] for code in draft.entity_codes] if draft.target_group is TargetGroup.ENTITIES else []
    webinar_id = await uow.webinars.add(draft, entity_ids, status, created_by)
    await uow.audit.record(
        actor_name, "webinar.created", "webinar", webinar_id, None,
        {"title_nl": draft.title_nl, "target_group": draft.target_group.value, "status": status.value,
         "sessions": [s.starts_at.isoformat() for s in draft.sessions]},
    )
    return webinar_id


async def create_webinar(uow: UnitOfWork, actor: Staff, draft: WebinarDraft, now: datetime) -> int:
    """Save a webinar as a draft (staff see it once the invitation goes out)."""
    _require_hr(actor)
    async with uow:
        webinar_id = await _save_webinar(uow, f"staff:{actor.id}", actor.id, draft, now, WebinarStatus.DRAFT)
        await uow.commit()
    return webinar_id


async def get_webinar(uow: UnitOfWork, webinar_id: int) -> Webinar:
    async with uow:
        webinar = await uow.webinars.get(webinar_id)
    if webinar is None:
        raise NotFound()
    return webinar


async def audience_size(uow: UnitOfWork, actor: Staff, webinar_id: int, now: datetime) -> int:
    _require_hr(actor)
    async with uow:
        webinar = await uow.webinars.get(webinar_id)
        if webinar is None:
            raise NotFound()
        return len(await uow.webinars.audience(webinar.target_group, webinar.entity_ids, now.date()))


async def invite(uow: UnitOfWork, actor: Staff, webinar_id: int, now: datetime, scheduled_at: datetime | None = None) -> int:
    """Publish the webinar and create the invitation broadcast to its audience; returns its id."""
    from bot.services.broadcasts import create_broadcast

    _require_hr(actor)
    if scheduled_at is not None and scheduled_at <= now:
        raise InvalidInput("webinars.schedule_in_past")
    async with uow:
        webinar = await uow.webinars.get(webinar_id)
        if webinar is None:
            raise NotFound()
        if not any(s.starts_at > (scheduled_at or now) for s in webinar.sessions):
            raise Conflict("webinars.no_future_session")
        recipients = await uow.webinars.audience(webinar.target_group, webinar.entity_ids, now.date())
        if not recipients:
            raise InvalidInput("webinars.no_audience")
        broadcast_id = await create_broadcast(
            uow, kind=INVITATION_KIND, title=webinar.title_nl, payload={"webinar_id": webinar.id},
            recipient_ids=recipients, created_by=actor, now=now, scheduled_at=scheduled_at,
        )
        if webinar.status is not WebinarStatus.PUBLISHED:
            await uow.webinars.set_status(webinar.id, WebinarStatus.PUBLISHED)
        await uow.audit.record(
            f"staff:{actor.id}", "webinar.invited", "webinar", webinar.id, {"status": webinar.status.value},
            {"status": WebinarStatus.PUBLISHED.value, "broadcast_id": broadcast_id, "recipients": len(recipients),
             "scheduled_at": scheduled_at.isoformat() if scheduled_at else None},
        )
        await uow.commit()
    return broadcast_id


async def list_for_hr(uow: UnitOfWork, actor: Staff, now: datetime) -> list[Webinar]:
    _require_hr(actor)
    async with uow:
        return await uow.webinars.list_recent(now - timedelta(days=60))


# -- staff: browse, sign up, cancel ----------------------------------------------------------
async def upcoming_for(uow: UnitOfWork, staff: Staff, now: datetime) -> list[UpcomingWebinar]:
    """Published webinars meant for this person, with their own registration if any."""
    async with uow:
        webinars = [w for w in await uow.webinars.list_upcoming(now) if is_audience(staff, w.target_group, w.entity_ids)]
        mine = await uow.webinars.registrations_of(staff.id, [w.id for w in webinars])
    return [UpcomingWebinar(w, mine.get(w.id)) for w in webinars]


async def my_registrations(uow: UnitOfWork, staff: Staff, now: datetime) -> list[MyRegistration]:
    async with uow:
        registrations = await uow.webinars.list_for_staff(staff.id, now)
        webinars = {}
        for registration in registrations:
            if registration.webinar_id not in webinars:
                webinars[registration.webinar_id] = await uow.webinars.get(registration.webinar_id)
    return [MyRegistration(r, webinars[r.webinar_id]) for r in registrations if webinars.get(r.webinar_id)]


async def invitation(uow: UnitOfWork, webinar_id: int, staff: Staff) -> UpcomingWebinar:
    """The webinar as one recipient sees it: live seats and their own registration."""
    async with uow:
        return await invitation_in(uow, webinar_id, staff)


async def invitation_in(uow: UnitOfWork, webinar_id: int, staff: Staff) -> UpcomingWebinar:
    """Same as `invitation`, inside a unit of work the caller already opened (broadcast renderer)."""
    webinar = await uow.webinars.get(webinar_id)
    if webinar is None or (webinar.status is not WebinarStatus.PUBLISHED and not staff.is_hr):
        raise NotFound()
    if not is_audience(staff, webinar.target_group, webinar.entity_ids) and not staff.is_hr:
        raise Forbidden()
    return UpcomingWebinar(webinar, await uow.webinars.registration_of(webinar.id, staff.id))


async def sign_up(uow: UnitOfWork, staff: Staff, session_id: int, now: datetime, *, accept_waitlist: bool = False) -> SignUpResult:
    """Take a seat in a session, or a place on its waitlist when it is full and the person accepts.

    The session row is locked first, so concurrent sign-ups queue: seats never overbook and the
    waitlist order is the order in which the sign-ups commit. One registration per person per
    webinar is a unique constraint.
    """
    async with uow:
        session = await uow.webinars.lock_session(session_id)
        if session is None:
            raise NotFound()
        webinar = await uow.webinars.get(session.webinar_id)
        assert webinar is not None
        if webinar.status is not WebinarStatus.PUBLISHED or not is_audience(staff, webinar.target_group, webinar.entity_ids):
            raise Forbidden()
        if not can_sign_up(session, now):
            raise Conflict("webinars.session_started")
        existing = await uow.webinars.registration_of(webinar.id, staff.id)
        if existing is not None:
            raise Conflict("webinars.already_registered")
        seated = await uow.webinars.take_seat(session.id)
        if not seated and not accept_waitlist:
            raise SessionFull(position=len(await uow.webinars.waitlist(session.id)) + 1)
        status = RegistrationStatus.SEATED if seated else RegistrationStatus.WAITLISTED
        registration = await uow.webinars.add_registration(webinar.id, session.id, staff.id, status, now)
        if registration is None:
            raise Conflict("webinars.already_registered")
        position = None
        if not seated:
            registration = await uow.webinars.get_registration(registration.id)
            assert registration is not None
            position = registration.waitlist_position
        await uow.audit.record(
            f"staff:{staff.id}", "webinar.signed_up", "webinar_registration", registration.id, None,
            {"webinar_id": webinar.id, "session_id": session.id, "status": status.value, "position": position},
        )
        await uow.commit()
    return SignUpResult(registration, seated, position)


async def cancel(uow: UnitOfWork, staff: Staff, registration_id: int, now: datetime) -> tuple[CancelResult, Promotion | None]:
    """Give up a seat or a waitlist place; a freed seat goes to the first on the waitlist."""
    async with uow:
        registration = await uow.webinars.get_registration(registration_id)
        if registration is None:
            raise NotFound()
        if registration.staff_id != staff.id:
            raise Forbidden()
        session = await uow.webinars.lock_session(registration.session_id)
        assert session is not None
        if not can_sign_up(session, now):
            raise Conflict("webinars.session_started")
        await uow.webinars.delete_registration(registration.id)
        promoted = None
        if registration.status is RegistrationStatus.SEATED:
            promoted = await uow.webinars.first_waitlisted(session.id)
            if promoted is None:
                await uow.webinars.release_seat(session.id)
            else:
                await uow.webinars.seat(promoted.id, now)
                await uow.audit.record(
                    "system", "webinar.promoted", "webinar_registration", promoted.id,
                    {"status": RegistrationStatus.WAITLISTED.value}, {"status": RegistrationStatus.SEATED.value},
                )
        await uow.audit.record(
            f"staff:{staff.id}", "webinar.cancelled", "webinar_registration", registration.id,
            {"session_id": session.id, "status": registration.status.value}, None,
        )
        promotion = None
        if promoted is not None:
            person = await uow.staff.get(promoted.staff_id)
            webinar = await uow.webinars.get(session.webinar_id)
            if person is not None and webinar is not None:
                promotion = Promotion(person, webinar, session.starts_at)
        await uow.commit()
    return CancelResult(registration, promoted), promotion


async def notify_promotion(services: Services, promotion: Promotion) -> None:
    """Tell the person who moved up from the waitlist (after the commit; never raises)."""
    zone = ZoneInfo(services.settings.timezone)
    webinar, starts_at = promotion.webinar, promotion.starts_at.astimezone(zone)

    def render(t: Translator) -> str:
        return t("webinars.promoted", title=webinar.title(t.locale), when=t.datetime(starts_at))

    result = await services.proactive.notify(promotion.staff.aad_object_id, render, promotion.staff.language)
    if result.status != "sent":
        log.warning("promotion notice to staff %s: %s", promotion.staff.id, result.status)


# -- reminders -------------------------------------------------------------------------------
async def send_due_reminders(services: Services, now: datetime) -> int:
    """Send the reminders that are due; each (registration, reminder) is claimed in its own
    committed insert before sending, so a second instance or a rerun never sends it again."""
    offsets = tuple(services.settings.webinar_reminder_hours)
    if not offsets:
        return 0
    zone = ZoneInfo(services.settings.timezone)
    async with services.uow() as uow:
        candidates = await uow.webinars.reminder_candidates(now, now + timedelta(hours=max(offsets)))
    sent = 0
    webinars: dict[int, Webinar] = {}
    for candidate in candidates:
        hours = due_reminder(candidate.starts_at, candidate.seated_at, now, offsets, candidate.sent_hours)
        if hours is None:
            continue
        async with services.uow() as uow:
            if not await uow.webinars.claim_reminder(candidate.registration_id, hours, services.instance_id, now):
                continue
            staff = await uow.staff.get(candidate.staff_id)
            if candidate.webinar_id not in webinars:
                found = await uow.webinars.get(candidate.webinar_id)
                if found is not None:
                    webinars[candidate.webinar_id] = found
            session = await uow.webinars.get_session(candidate.session_id)
            await uow.commit()
        webinar = webinars.get(candidate.webinar_id)
        if staff is None or webinar is None or session is None:
            continue
        starts_at = session.starts_at.astimezone(zone)

        def render(t: Translator, webinar: Webinar = webinar, starts_at: datetime = starts_at, link: str = session.join_url) -> str:
            return t("webinars.reminder", title=webinar.title(t.locale), when=t.datetime(starts_at), link=link)

        result = await services.proactive.notify(staff.aad_object_id, render, staff.language)
        async with services.uow() as uow:
            await uow.webinars.set_reminder_outcome(candidate.registration_id, hours, result.status)
            await uow.commit()
        sent += result.status == "sent"
    return sent


async def _reminder_job(services: Services, now: datetime) -> None:
    await send_due_reminders(services, now)


register_job(Job(REMINDER_JOB, _reminder_job, every=timedelta(minutes=5)))


# -- attendance in the bot -------------------------------------------------------------------
async def participants(uow: UnitOfWork, actor: Staff, session_id: int):  # noqa: ANN201 - list[Participant]
    _require_hr(actor)
    async with uow:
        session = await uow.webinars.get_session(session_id)
        if session is None:
            raise NotFound()
        webinar = await uow.webinars.get(session.webinar_id)
        return webinar, session, await uow.webinars.participants(session_id)


async def record_attendance(uow: UnitOfWork, actor: Staff, session_id: int, attended_ids: set[int]) -> int:
    """Mark who attended a session (the seated participants ticked); returns how many attended."""
    _require_hr(actor)
    async with uow:
        session = await uow.webinars.get_session(session_id)
        if session is None:
            raise NotFound()
        seated = {p.registration_id: p for p in await uow.webinars.participants(session_id) if p.status is RegistrationStatus.SEATED}
        unknown = attended_ids - set(seated)
        if unknown:
            raise Forbidden()  # ids that are not seats of this session: a forged or stale card
        for registration_id, participant in seated.items():
            attended = registration_id in attended_ids
            if participant.attended != attended:
                await uow.webinars.set_attended(registration_id, attended)
                await uow.audit.record(
                    f"staff:{actor.id}", "webinar.attendance", "webinar_registration", registration_id,
                    {"attended": participant.attended}, {"attended": attended},
                )
        await uow.commit()
    return len(attended_ids)


# -- YAML import -----------------------------------------------------------------------------
class ImportProblem(Exception):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems  # (where: "line N (path)", reason)
        super().__init__("; ".join(f"{where}: {reason}" for where, reason in problems))


class _SessionFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: datetime
    end: datetime
    capacity: int = Field(ge=1, le=10_000)
    join_url: str = Field(max_length=1000)


class _WebinarFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title_nl: str = Field(min_length=1, max_length=200)
    title_en: str = Field(min_length=1, max_length=200)
    description_nl: str = Field("", max_length=2000)
    description_en: str = Field("", max_length=2000)
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


def _line_map(node: yaml.Node, path: tuple = (), lines: dict | None = None) -> dict[tuple, int]:
    """Path (keys and indexes) -> line number (1-based) of every node in a YAML document."""
    lines = {} if lines is None else lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[(*path, key.value)] = key.start_mark.line + 1
            _line_map(value, (*path, key.value), lines)
            lines[(*path, key.value)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines)
    return lines


def _where(lines: dict[tuple, int], loc: Sequence[Any]) -> str:
    path = tuple(loc)
    while path and path not in lines:
        path = path[:-1]
    dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    return f"line {lines.get(path, 1)} ({dotted or 'file'})"


def parse_webinars_yaml(text: str, zone: ZoneInfo) -> list[WebinarDraft]:
    """Read the import file; every problem is reported with its line and path."""
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
    return drafts


def _read_yaml_file(path: Path, zone: ZoneInfo) -> tuple[list[WebinarDraft], dict[tuple, int]]:
    if not path.exists():
        raise ImportProblem([("line 1", f"{path} does not exist")])
    if path.stat().st_size > MAX_YAML_BYTES:
        raise ImportProblem([("line 1", f"file larger than {MAX_YAML_BYTES} bytes")])
    text = path.read_text(encoding="utf-8-sig")
    drafts = parse_webinars_yaml(text, zone)
    return drafts, _line_map(yaml.compose(text, Loader=yaml.SafeLoader))


@dataclass(frozen=True)
class WebinarImportResult:
    created: int
    sessions_added: int
    unchanged: int


async def import_webinars(
    uow_factory: UnitOfWorkFactory, path: Path, *, actor: str, now: datetime, zone: ZoneInfo
) -> WebinarImportResult:
    """Import webinars (published) from YAML; a webinar whose Dutch title exists gets only its
    new sessions, so importing the same file twice changes nothing. All or nothing."""
    drafts, lines = await asyncio.to_thread(_read_yaml_file, path, zone)
    created = added = unchanged = 0
    async with uow_factory() as uow:
        problems: list[tuple[str, str]] = []
        codes = [e.code for e in await uow.entities.list_all()]
        for index, draft in enumerate(drafts):
            existing = await uow.webinars.get_by_title(draft.title_nl)
            known_starts = {s.starts_at for s in existing.sessions} if existing else set()
            new_sessions = tuple(s for s in draft.sessions if s.starts_at not in known_starts)
            check = check_draft(
                WebinarDraft(**{**draft.__dict__, "sessions": new_sessions}) if existing else draft, now, codes
            )
            problems += [
                (_where(lines, ("webinars", index, *_loc(p.where))), p.reason)
                for p in check if not (existing and p.where == "sessions" and not new_sessions)
            ]
        if problems:
            raise ImportProblem(problems)
        for draft in drafts:
            existing = await uow.webinars.get_by_title(draft.title_nl)
            if existing is None:
                await _save_webinar(uow, actor, None, draft, now, WebinarStatus.PUBLISHED)
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


def _loc(where: str) -> tuple:
    """"sessions[1]" -> ("sessions", 1); "title_nl" -> ("title_nl",)."""
    if "[" in where:
        name, index = where.rstrip("]").split("[")
        return (name, int(index))
    return (where,)


# -- demo data -------------------------------------------------------------------------------
DEMO_FILE = Path(__file__).resolve().parent.parent / "demo" / "webinars.yaml"
DEMO_JOIN_URL = "https://teams.microsoft.com/l/meetup-join/demo-webinar"


async def load_demo(uow_factory: UnitOfWorkFactory, today: date) -> None:
    """Upcoming demo webinars with a few sign-ups, and one coaching request."""
    from bot.domain.coaching import CoachingKind

    zone = ZoneInfo("Europe/Brussels")
    data = yaml.safe_load(await asyncio.to_thread(DEMO_FILE.read_text, encoding="utf-8"))
    async with uow_factory() as uow:
        for item in data["webinars"]:
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
            await _save_webinar(uow, "demo", None, draft, datetime.combine(today, time(0), tzinfo=zone), WebinarStatus.PUBLISHED)
        webinars = await uow.webinars.list_upcoming(datetime.combine(today, time(0), tzinfo=zone))
        staff = [s for s in await uow.staff.list_by_ids(list(range(1, 200)))]
        now = datetime.combine(today, time(8), tzinfo=zone)
        for webinar in webinars[:2]:
            session = webinar.sessions[0]
            for person in staff[:6]:
                if is_audience(person, webinar.target_group, webinar.entity_ids) and await uow.webinars.take_seat(session.id):
                    await uow.webinars.add_registration(webinar.id, session.id, person.id, RegistrationStatus.SEATED, now)
        if staff:
            await uow.coaching.add(staff[-1].id, CoachingKind.RESILIENCE, "", now, today)
        await uow.commit()
