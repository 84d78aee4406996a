"""Individual coaching (leadership or resilience). A request is confidential: the requester, HR
and the assigned coach see it; the line manager never does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.domain.errors import Conflict, Forbidden, InvalidInput
from bot.domain.notifications import Notice
from bot.domain.staff import Role, Staff

MAX_NOTE = 1000
MAX_CONVERSATIONS = 50


class CoachingKind(StrEnum):
    LEADERSHIP = "leadership"
    RESILIENCE = "resilience"


class CoachingStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    CLOSED = "closed"


@dataclass(frozen=True)
class CoachingRequest:
    id: int
    staff_id: int
    kind: CoachingKind
    note: str
    status: CoachingStatus
    requested_on: date
    requested_at: datetime
    coach_id: int | None = None
    conversations: int = 0
    closed_at: datetime | None = None


def is_case_manager(actor: Staff) -> bool:
    """HR and admins run the coaching queue."""
    return actor.is_hr


def may_view(actor: Staff, request: CoachingRequest) -> bool:
    return actor.id == request.staff_id or is_case_manager(actor) or (
        actor.has(Role.COACH) and request.coach_id == actor.id
    )


def check_view(actor: Staff, request: CoachingRequest) -> None:
    if not may_view(actor, request):
        raise Forbidden()


def check_assign(actor: Staff, request: CoachingRequest, coach: Staff | None) -> None:
    if not is_case_manager(actor):
        raise Forbidden()
    if request.status is CoachingStatus.CLOSED:
        raise Conflict("coaching.already_closed")
    if coach is None or not coach.has(Role.COACH):
        raise InvalidInput("coaching.not_a_coach")
    if coach.id == request.staff_id:
        raise InvalidInput("coaching.coach_is_requester")


def check_follow_up(actor: Staff, request: CoachingRequest) -> None:
    """Recording conversations and closing: HR, or the coach the request is assigned to."""
    if not (is_case_manager(actor) or (actor.has(Role.COACH) and request.coach_id == actor.id)):
        raise Forbidden()
    if request.status is CoachingStatus.CLOSED:
        raise Conflict("coaching.already_closed")


def check_conversations(count: int) -> None:
    if not 0 <= count <= MAX_CONVERSATIONS:
        raise InvalidInput("coaching.bad_conversations", max=MAX_CONVERSATIONS)


def check_new_request(open_kinds: set[CoachingKind], kind: CoachingKind, note: str) -> None:
    if len(note) > MAX_NOTE:
        raise InvalidInput("coaching.note_too_long", max=MAX_NOTE)
    if kind in open_kinds:
        raise Conflict("coaching.already_requested")


def may_follow_up(actor: Staff, request: CoachingRequest) -> bool:
    """Whether `actor` may record conversations on and close an open request."""
    return request.status is not CoachingStatus.CLOSED and (
        is_case_manager(actor) or (actor.has(Role.COACH) and request.coach_id == actor.id)
    )


# -- notices (rendered in the recipient's language by dialogs/coaching.py) ------------------------
class CoachingRequested(Notice, kind="coaching.requested"):
    """To every HR member: a new request waits in the queue (no name: the queue shows it)."""

    request_id: int


class CoachAssigned(Notice, kind="coaching.assigned"):
    """To the coach: a request was assigned to them."""

    request_id: int
