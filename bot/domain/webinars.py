"""Wellbeing webinars: who a webinar is for, what a valid webinar looks like, seats, waitlist and
reminders, and what participants are told. Pure rules; the clock and the settings come in as
arguments."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.broadcasts import BroadcastPayload
from bot.domain.calendar import WORKING_WEEKDAYS, holiday_name
from bot.domain.errors import Conflict, Forbidden, NotFound
from bot.domain.notifications import Notice
from bot.domain.staff import Role, Staff

MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_CAPACITY = 10_000
MAX_SESSIONS = 20
MAX_JOIN_URL = 1000
_URL = re.compile(r"^https://[^\s]+$")


class TargetGroup(StrEnum):
    ALL = "all"
    MANAGERS = "managers"
    HR = "hr"
    ENTITIES = "entities"


class RegistrationStatus(StrEnum):
    SEATED = "seated"
    WAITLISTED = "waitlisted"


class WebinarStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"  # by HR; whoever was registered for a session to come was told


@dataclass(frozen=True)
class SessionDraft:
    starts_at: datetime
    ends_at: datetime
    capacity: int
    join_url: str
    target_group: str | None = None  # None: the webinar's (a history file gives one per session)


@dataclass(frozen=True)
class WebinarDraft:
    """A webinar as HR enters it (card or YAML file), before it has an id."""

    title_nl: str
    title_en: str
    description_nl: str
    description_en: str
    target_group: TargetGroup
    entity_codes: tuple[str, ...] = ()
    sessions: tuple[SessionDraft, ...] = ()


@dataclass(frozen=True)
class Session:
    id: int
    webinar_id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    seats_taken: int
    join_url: str
    waitlisted: int = 0
    target_group: str | None = None  # None: the webinar's

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def full(self) -> bool:
        return self.seats_taken >= self.capacity


@dataclass(frozen=True)
class Webinar:
    id: int
    title_nl: str
    title_en: str
    description_nl: str
    description_en: str
    target_group: TargetGroup
    status: WebinarStatus
    entity_ids: frozenset[int] = frozenset()
    sessions: tuple[Session, ...] = ()

    def title(self, locale: str) -> str:
        return in_language(locale, self.title_nl, self.title_en)

    def description(self, locale: str) -> str:
        return in_language(locale, self.description_nl, self.description_en)

    def session(self, session_id: int) -> Session | None:
        return next((s for s in self.sessions if s.id == session_id), None)


def in_language(locale: str, dutch: str, english: str) -> str:
    """A text entered in both languages, as a reader in `locale` sees it (Dutch when no English)."""
    return english if locale == "en" and english else dutch


@dataclass(frozen=True)
class Registration:
    id: int
    webinar_id: int
    session_id: int
    staff_id: int
    status: RegistrationStatus
    registered_at: datetime
    seated_at: datetime | None
    attended: bool | None = None
    waitlist_position: int | None = None


@dataclass(frozen=True)
class Participant:
    registration_id: int
    staff_id: int
    display_name: str
    email: str
    status: RegistrationStatus
    attended: bool | None


@dataclass(frozen=True)
class ReminderCandidate:
    """A seated registration of a session starting soon, with the reminders already claimed."""

    registration_id: int
    staff_id: int
    webinar_id: int
    session_id: int
    starts_at: datetime
    seated_at: datetime
    sent_hours: tuple[int, ...]


@dataclass(frozen=True)
class SignUpResult:
    registration: Registration
    seated: bool
    position: int | None = None


@dataclass(frozen=True)
class CancelResult:
    cancelled: Registration
    promoted: Registration | None = None


@dataclass(frozen=True)
class DraftProblem:
    where: str  # "title_nl", "entities", "sessions", "sessions[0]"
    reason: str  # plain English, for files and logs
    code: str  # short name for localized text: "webinars.problem.<code>"


@dataclass
class DraftCheck:
    problems: list[DraftProblem] = field(default_factory=list)

    def add(self, where: str, reason: str, code: str) -> None:
        self.problems.append(DraftProblem(where, reason, code))


def check_draft(draft: WebinarDraft, now: datetime, known_entities: Iterable[str]) -> list[DraftProblem]:
    """Every problem of a webinar as entered; empty when it can be saved."""
    check = DraftCheck()
    for name, value, limit in (
        ("title_nl", draft.title_nl, MAX_TITLE), ("title_en", draft.title_en, MAX_TITLE),
        ("description_nl", draft.description_nl, MAX_DESCRIPTION), ("description_en", draft.description_en, MAX_DESCRIPTION),
    ):
        if name.startswith("title") and not value.strip():
            check.add(name, "empty", "empty")
        if len(value) > limit:
            check.add(name, f"longer than {limit} characters", "too_long")
    known = {code.upper() for code in known_entities}
    if draft.target_group is TargetGroup.ENTITIES:
        if not draft.entity_codes:
            check.add("entities", "no entity chosen for target group 'entities'", "no_entities")
        unknown = sorted({code for code in draft.entity_codes if code.upper() not in known})
        if unknown:
            check.add("entities", f"unknown entity code(s): {', '.join(unknown)}", "unknown_entities")
    if not draft.sessions:
        check.add("sessions", "at least one session is needed", "no_sessions")
    if len(draft.sessions) > MAX_SESSIONS:
        check.add("sessions", f"more than {MAX_SESSIONS} sessions", "too_many_sessions")
    starts = [s.starts_at for s in draft.sessions]
    for index, session in enumerate(draft.sessions):
        where = f"sessions[{index}]"
        if session.starts_at.tzinfo is None or session.ends_at.tzinfo is None:
            check.add(where, "start and end need a time zone", "no_timezone")
            continue
        if session.ends_at <= session.starts_at:
            check.add(where, "ends before it starts", "ends_before_start")
        if session.starts_at <= now:
            check.add(where, "starts in the past", "in_past")
        if not 1 <= session.capacity <= MAX_CAPACITY:
            check.add(where, f"capacity must be between 1 and {MAX_CAPACITY}", "bad_capacity")
        if len(session.join_url) > MAX_JOIN_URL or not _URL.match(session.join_url):
            check.add(where, "join link must be an https:// address", "bad_url")
        if starts.count(session.starts_at) > 1 and starts.index(session.starts_at) != index:
            check.add(where, "two sessions start at the same time", "same_start")
    return check.problems


def webinar_warnings(webinar: Webinar, now: datetime) -> list[DraftProblem]:
    """What HR should look at before the invitation goes out; not refused (a Saturday session
    can be meant), shown on the preview. Days are read in the service's time zone (`now`'s)."""
    check = DraftCheck()
    if not webinar.title_en.strip():
        check.add("title_en", "no English title: English staff would get the Dutch one", "no_english")
    if webinar.description_nl.strip() and not webinar.description_en.strip():
        check.add("description_en", "no English description: English staff would get the Dutch one", "no_english")
    for index, session in enumerate(webinar.sessions):
        where, day = f"sessions[{index}]", session.starts_at.astimezone(now.tzinfo).date()
        if session.starts_at <= now:
            check.add(where, "starts in the past", "in_past")
        elif day.weekday() not in WORKING_WEEKDAYS:
            check.add(where, "on a weekend day", "weekend")
        elif holiday_name(day) is not None:
            check.add(where, "on a public holiday", "holiday")
    return check.problems


def same_session(session: Session, draft: SessionDraft) -> bool:
    return (session.starts_at, session.ends_at, session.capacity, session.join_url) == (
        draft.starts_at, draft.ends_at, draft.capacity, draft.join_url
    )


def check_edit(webinar: Webinar, draft: WebinarDraft, now: datetime, known_entities: Iterable[str]) -> list[DraftProblem]:
    """Every problem of a webinar as HR changed it. The n-th session of the form is the webinar's
    n-th session: one that started stays as it was, one with registrations stays (it may move),
    and a capacity is never below the seats taken."""
    existing = webinar.sessions
    problems = [
        p for p in check_draft(draft, now, known_entities)
        # A session that already took place is not "in the past" as long as it is left alone.
        if not (p.code == "in_past" and _index(p.where) < len(existing)
                and existing[_index(p.where)].starts_at == draft.sessions[_index(p.where)].starts_at)
    ]
    check = DraftCheck(problems)
    for index, session in enumerate(existing):
        where = f"sessions[{index}]"
        if index >= len(draft.sessions):
            if session.seats_taken or session.waitlisted:
                check.add(where, "has registrations: it cannot be removed (cancel the webinar instead)", "has_registrations")
            continue
        changed = draft.sessions[index]
        if session.starts_at <= now and not same_session(session, changed):
            check.add(where, "has started: it can no longer be changed", "started")
        if changed.capacity < session.seats_taken:
            check.add(where, f"capacity below the {session.seats_taken} seats taken", "below_seats")
    return check.problems


def _index(where: str) -> int:
    return int(where[9:-1]) if where.startswith("sessions[") else -1


def check_editable(webinar: Webinar) -> None:
    if webinar.status is WebinarStatus.CANCELLED:
        raise Conflict("webinars.webinar_cancelled")


def check_attendance(session: Session, now: datetime) -> None:
    """Attendance is marked for a session that has started, never ahead of it."""
    if session.starts_at > now:
        raise Conflict("webinars.attendance_not_started")


def is_audience(staff: Staff, target_group: TargetGroup, entity_ids: frozenset[int]) -> bool:
    """Whether a webinar with this target group is meant for this staff member."""
    if target_group is TargetGroup.ALL:
        return True
    if target_group is TargetGroup.MANAGERS:
        return staff.has(Role.MANAGER)
    if target_group is TargetGroup.HR:
        return staff.has(Role.HR)
    return staff.entity_id in entity_ids


def can_sign_up(session: Session, now: datetime) -> bool:
    """Registrations (and cancelling one) stay open until the session starts."""
    return session.starts_at > now


def check_view(staff: Staff, webinar: Webinar) -> None:
    """Staff see published webinars meant for them (and a cancelled one, as cancelled); HR sees
    every webinar."""
    if staff.is_hr:
        return
    if webinar.status is WebinarStatus.DRAFT:
        raise NotFound()
    if not is_audience(staff, webinar.target_group, webinar.entity_ids):
        raise Forbidden()


def check_sign_up(staff: Staff, webinar: Webinar, session: Session, existing: Registration | None, now: datetime) -> None:
    check_editable(webinar)  # an invitation card sent before HR cancelled it
    if webinar.status is not WebinarStatus.PUBLISHED or not is_audience(staff, webinar.target_group, webinar.entity_ids):
        raise Forbidden()
    if not can_sign_up(session, now):
        raise Conflict("webinars.session_started")
    if existing is not None:
        raise Conflict("webinars.already_registered")


def check_cancel(staff: Staff, registration: Registration, session: Session, now: datetime) -> None:
    """Only one's own registration, and only before the session starts."""
    if registration.staff_id != staff.id:
        raise Forbidden()
    if not can_sign_up(session, now):
        raise Conflict("webinars.session_started")


def due_reminder(
    starts_at: datetime, seated_at: datetime, now: datetime, offsets_hours: Sequence[int], sent_hours: Iterable[int]
) -> int | None:
    """The reminder (hours before the start) to send now, if any.

    Only the closest due reminder is sent, never one whose window had already opened when the
    participant got the seat (they just signed up, they know), and never one at or after a
    closer reminder that already went out.
    """
    if now >= starts_at:
        return None
    due = [h for h in offsets_hours if starts_at - timedelta(hours=h) <= now and seated_at < starts_at - timedelta(hours=h)]
    if not due:
        return None
    closest = min(due)
    if any(sent <= closest for sent in sent_hours):
        return None
    return closest


# -- what the webinar's broadcast and its participants carry -----------------------------------
class InvitationPayload(BroadcastPayload, kind="webinar.invitation"):
    """The invitation broadcast: each recipient's card is drawn at send time from the webinar."""

    webinar_id: int


class PromotedFromWaitlist(Notice, kind="webinar.promoted"):
    """To the first on the waitlist: a seat became free and is theirs (rendered by dialogs/webinars.py)."""

    registration_id: int
    webinar_id: int
    title_nl: str
    title_en: str
    starts_at: datetime  # in the service's time zone


class WebinarReminder(Notice, kind="webinar.reminder"):
    """To a seated participant, `hours_before` the session starts, with the link to join."""

    registration_id: int
    hours_before: int
    title_nl: str
    title_en: str
    starts_at: datetime  # in the service's time zone
    join_url: str


class WebinarCancelled(Notice, kind="webinar.cancelled"):
    """To everyone registered (seated or waiting) for a session to come: HR cancelled the webinar."""

    webinar_id: int
    title_nl: str
    title_en: str
    starts_at: datetime  # their session, in the service's time zone
    waitlisted: bool = False


class WebinarSessionChanged(Notice, kind="webinar.session_changed"):
    """To everyone registered for a session whose time or link HR changed."""

    webinar_id: int
    title_nl: str
    title_en: str
    was_starts_at: datetime
    starts_at: datetime
    ends_at: datetime
    join_url: str
    link_changed: bool = False
