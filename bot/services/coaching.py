"""Coaching use cases: request, HR queue, assign a coach, record conversations, close; and the
import of coaching history for the reports. A request is confidential (see bot.domain.coaching)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from bot.domain import coaching as rules
from bot.domain.coaching import (
    CoachAssigned,
    CoachingKind,
    CoachingRequest,
    CoachingRequested,
    CoachingStatus,
)
from bot.domain.directory_import import ImportRefused, Problem, Table
from bot.domain.errors import Forbidden, NotFound
from bot.domain.staff import Role, Staff
from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class QueueItem:
    request: CoachingRequest
    requester: Staff
    coach: Staff | None


@dataclass(frozen=True)
class RequestDetail:
    item: QueueItem
    coaches: list[Staff]      # whom HR can assign (empty for a coach)
    can_follow_up: bool


def _snapshot(request: CoachingRequest) -> dict:
    # The note stays out of the audit trail: it is the requester's confidential text.
    return {"status": request.status.value, "kind": request.kind.value, "coach_id": request.coach_id,
            "conversations": request.conversations}


def _actor(staff: Staff) -> str:
    return f"staff:{staff.id}"


# -- commands -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RequestCoaching:
    actor: Staff
    kind: CoachingKind
    note: str = ""


@dataclass(frozen=True)
class MyCoachingRequests:
    actor: Staff


@dataclass(frozen=True)
class CoachingQueue:
    actor: Staff


@dataclass(frozen=True)
class ShowCoachingRequest:
    actor: Staff
    request_id: int


@dataclass(frozen=True)
class AssignCoach:
    actor: Staff
    request_id: int
    coach_id: int


@dataclass(frozen=True)
class RecordConversations:
    actor: Staff
    request_id: int
    conversations: int


@dataclass(frozen=True)
class CloseCoachingRequest:
    actor: Staff
    request_id: int


# -- use cases ----------------------------------------------------------------------------------
async def request_coaching(uow: UnitOfWork, command: RequestCoaching, now: datetime) -> CoachingRequest:
    """A staff member asks for coaching; every other HR member is told a request waits."""
    staff, note = command.actor, command.note.strip()
    async with uow:
        mine = await uow.coaching.list_for_staff(staff.id)
        rules.check_new_request({r.kind for r in mine if r.status is not CoachingStatus.CLOSED}, command.kind, note)
        request = await uow.coaching.add(staff.id, command.kind, note, now, now.date())
        await uow.audit.record(_actor(staff), "coaching.requested", "coaching_request", request.id, None, _snapshot(request))
        for person in await uow.staff.list_by_role(Role.HR):
            if person.id != staff.id:
                await uow.outbox.add(person.id, CoachingRequested(request_id=request.id), now)
        await uow.commit()
    return request


async def my_requests(uow: UnitOfWork, command: MyCoachingRequests, now: datetime) -> list[CoachingRequest]:
    async with uow:
        return await uow.coaching.list_for_staff(command.actor.id)


async def queue(uow: UnitOfWork, command: CoachingQueue, now: datetime) -> list[QueueItem]:
    """HR sees every open request; a coach sees only the requests assigned to them."""
    actor = command.actor
    if rules.is_case_manager(actor):
        coach_filter = None
    elif actor.has(Role.COACH):
        coach_filter = actor.id
    else:
        raise Forbidden()
    async with uow:
        requests = await uow.coaching.list_queue(coach_id=coach_filter)
        people = {s.id: s for s in await uow.staff.list_by_ids(sorted({r.staff_id for r in requests} | {r.coach_id for r in requests if r.coach_id}))}
    return [QueueItem(r, people[r.staff_id], people.get(r.coach_id) if r.coach_id else None) for r in requests if r.staff_id in people]


async def show_request(uow: UnitOfWork, command: ShowCoachingRequest, now: datetime) -> RequestDetail:
    """One request with the coaches HR can choose from; refused to anyone who may not see it."""
    actor = command.actor
    async with uow:
        request = await uow.coaching.get(command.request_id)
        if request is None:
            raise NotFound()
        rules.check_view(actor, request)
        requester = await uow.staff.get(request.staff_id)
        coach = await uow.staff.get(request.coach_id) if request.coach_id else None
        coaches = await uow.staff.list_by_role(Role.COACH) if rules.is_case_manager(actor) else []
    if requester is None:
        raise NotFound()
    choices = sorted((c for c in coaches if c.id != request.staff_id), key=lambda c: c.display_name)
    return RequestDetail(QueueItem(request, requester, coach), choices, rules.may_follow_up(actor, request))


async def assign(uow: UnitOfWork, command: AssignCoach, now: datetime) -> tuple[CoachingRequest, Staff]:
    """HR assigns a coach, who is told."""
    actor = command.actor
    async with uow:
        request = await uow.coaching.get(command.request_id, lock=True)
        if request is None:
            raise NotFound()
        coach = await uow.staff.get(command.coach_id)
        rules.check_assign(actor, request, coach)
        assert coach is not None
        await uow.coaching.update(request.id, coach_id=coach.id, status=CoachingStatus.ASSIGNED.value, assigned_at=now)
        after = await uow.coaching.get(request.id)
        assert after is not None
        await uow.audit.record(_actor(actor), "coaching.assigned", "coaching_request", request.id, _snapshot(request), _snapshot(after))
        await uow.outbox.add(coach.id, CoachAssigned(request_id=request.id), now)
        await uow.commit()
    return after, coach


async def record_conversations(uow: UnitOfWork, command: RecordConversations, now: datetime) -> CoachingRequest:
    rules.check_conversations(command.conversations)
    async with uow:
        request = await uow.coaching.get(command.request_id, lock=True)
        if request is None:
            raise NotFound()
        rules.check_follow_up(command.actor, request)
        await uow.coaching.update(request.id, conversations=command.conversations)
        after = await uow.coaching.get(request.id)
        assert after is not None
        await uow.audit.record(
            _actor(command.actor), "coaching.conversations", "coaching_request", request.id, _snapshot(request), _snapshot(after)
        )
        await uow.commit()
    return after


async def close(uow: UnitOfWork, command: CloseCoachingRequest, now: datetime) -> CoachingRequest:
    async with uow:
        request = await uow.coaching.get(command.request_id, lock=True)
        if request is None:
            raise NotFound()
        rules.check_follow_up(command.actor, request)
        await uow.coaching.update(request.id, status=CoachingStatus.CLOSED.value, closed_at=now)
        after = await uow.coaching.get(request.id)
        assert after is not None
        await uow.audit.record(_actor(command.actor), "coaching.closed", "coaching_request", request.id, _snapshot(request), _snapshot(after))
        await uow.commit()
    return after


# -- history import --------------------------------------------------------------------------
HISTORY_COLUMNS = ("email", "kind", "requested_on", "conversations")


@dataclass(frozen=True)
class HistoryResult:
    created: int
    unchanged: int


@dataclass(frozen=True)
class ImportCoachingHistory:
    table: Table
    actor: str


async def import_coaching_history(uow: UnitOfWork, command: ImportCoachingHistory, now: datetime) -> HistoryResult:
    """CSV/XLSX with email, kind (leadership, resilience), requested_on (YYYY-MM-DD), conversations.

    Imported requests are closed. A bad row refuses the whole file (ImportRefused with line
    numbers); a row already imported (same person, kind and day) is left as it is, so importing
    the same file twice changes nothing.
    """
    actor = command.actor
    rows = command.table.require(HISTORY_COLUMNS)
    problems: list[Problem] = []
    parsed: list[tuple[int, str, CoachingKind, date, int]] = []
    for line, raw in rows:
        row = {k: (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        reasons = []
        try:
            kind = CoachingKind(row["kind"].lower())
        except ValueError:
            reasons.append(f"kind {row['kind']!r} is not leadership or resilience")
        try:
            requested_on = date.fromisoformat(row["requested_on"][:10])
        except ValueError:
            reasons.append(f"requested_on {row['requested_on']!r} is not YYYY-MM-DD")
        try:
            conversations = int(row["conversations"] or "0")
            if not 0 <= conversations <= rules.MAX_CONVERSATIONS:
                raise ValueError
        except ValueError:
            reasons.append(f"conversations {row['conversations']!r} is not a number from 0 to {rules.MAX_CONVERSATIONS}")
        if "@" not in row["email"]:
            reasons.append(f"email {row['email']!r} is not an e-mail address")
        if reasons:
            problems.append(Problem(line, "; ".join(reasons)))
            continue
        parsed.append((line, row["email"].lower(), kind, requested_on, conversations))
    if problems:
        raise ImportRefused(problems)
    created = unchanged = 0
    async with uow:
        staff_ids: dict[str, int] = {}
        for line, email, *_ in parsed:
            if email not in staff_ids:
                person = await uow.staff.get_by_email(email)
                if person is None:
                    problems.append(Problem(line, f"{email} is not in the staff directory"))
                    continue
                staff_ids[email] = person.id
        if problems:
            raise ImportRefused(problems)
        seen: set[tuple[int, CoachingKind, date]] = set()
        for _line, email, kind, requested_on, conversations in parsed:
            key = (staff_ids[email], kind, requested_on)
            if key in seen or await uow.coaching.find(*key) is not None:
                unchanged += 1
                continue
            seen.add(key)
            at = datetime.combine(requested_on, time(9), tzinfo=UTC)
            request = await uow.coaching.add(
                staff_ids[email], kind, "", at, requested_on, source="import", status=CoachingStatus.CLOSED,
                conversations=conversations,
            )
            await uow.audit.record(actor, "coaching.imported", "coaching_request", request.id, None, _snapshot(request))
            created += 1
        await uow.commit()
    return HistoryResult(created, unchanged)
