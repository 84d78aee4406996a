"""Coaching use cases: request, HR queue, assign a coach, record conversations, close; and the
import of coaching history for the reports. A request is confidential (see bot.domain.coaching)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from bot.domain import coaching as rules
from bot.domain.coaching import CoachingKind, CoachingRequest, CoachingStatus
from bot.domain.directory_import import Problem
from bot.domain.errors import Forbidden, NotFound
from bot.domain.staff import Role, Staff
from bot.services.directory import ImportRefused, read_import
from storage.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class QueueItem:
    request: CoachingRequest
    requester: Staff
    coach: Staff | None


def _snapshot(request: CoachingRequest) -> dict:
    # The note stays out of the audit trail: it is the requester's confidential text.
    return {"status": request.status.value, "kind": request.kind.value, "coach_id": request.coach_id,
            "conversations": request.conversations}


async def request_coaching(uow: UnitOfWork, staff: Staff, kind: CoachingKind, note: str, now: datetime) -> CoachingRequest:
    async with uow:
        mine = await uow.coaching.list_for_staff(staff.id)
        rules.check_new_request({r.kind for r in mine if r.status is not CoachingStatus.CLOSED}, kind, note.strip())
        request = await uow.coaching.add(staff.id, kind, note.strip(), now, now.date())
        await uow.audit.record(f"staff:{staff.id}", "coaching.requested", "coaching_request", request.id, None, _snapshot(request))
        await uow.commit()
    return request


async def my_requests(uow: UnitOfWork, staff: Staff) -> list[CoachingRequest]:
    async with uow:
        return await uow.coaching.list_for_staff(staff.id)


async def queue(uow: UnitOfWork, actor: Staff) -> list[QueueItem]:
    """HR sees every open request; a coach sees only the requests assigned to them."""
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


async def get_request(uow: UnitOfWork, actor: Staff, request_id: int) -> tuple[QueueItem, list[Staff]]:
    """One request with the coaches HR can choose from; refused to anyone who may not see it."""
    async with uow:
        request = await uow.coaching.get(request_id)
        if request is None:
            raise NotFound()
        rules.check_view(actor, request)
        requester = await uow.staff.get(request.staff_id)
        coach = await uow.staff.get(request.coach_id) if request.coach_id else None
        coaches = await uow.staff.list_by_role(Role.COACH) if rules.is_case_manager(actor) else []
    assert requester is not None
    return QueueItem(request, requester, coach), sorted((c for c in coaches if c.id != request.staff_id), key=lambda c: c.display_name)


async def assign(uow: UnitOfWork, actor: Staff, request_id: int, coach_id: int, now: datetime) -> tuple[CoachingRequest, Staff]:
    async with uow:
        request = await uow.coaching.get(request_id, lock=True)
        if request is None:
            raise NotFound()
        coach = await uow.staff.get(coach_id)
        rules.check_assign(actor, request, coach)
        assert coach is not None
        await uow.coaching.update(request.id, coach_id=coach.id, status=CoachingStatus.ASSIGNED.value, assigned_at=now)
        after = await uow.coaching.get(request.id)
        assert after is not None
        await uow.audit.record(f"staff:{actor.id}", "coaching.assigned", "coaching_request", request.id, _snapshot(request), _snapshot(after))
        await uow.commit()
    return after, coach


async def record_conversations(uow: UnitOfWork, actor: Staff, request_id: int, conversations: int) -> CoachingRequest:
    rules.check_conversations(conversations)
    async with uow:
        request = await uow.coaching.get(request_id, lock=True)
        if request is None:
            raise NotFound()
        rules.check_follow_up(actor, request)
        await uow.coaching.update(request.id, conversations=conversations)
        after = await uow.coaching.get(request.id)
        assert after is not None
        await uow.audit.record(f"staff:{actor.id}", "coaching.conversations", "coaching_request", request.id, _snapshot(request), _snapshot(after))
        await uow.commit()
    return after


async def close(uow: UnitOfWork, actor: Staff, request_id: int, now: datetime) -> CoachingRequest:
    async with uow:
        request = await uow.coaching.get(request_id, lock=True)
        if request is None:
            raise NotFound()
        rules.check_follow_up(actor, request)
        await uow.coaching.update(request.id, status=CoachingStatus.CLOSED.value, closed_at=now)
        after = await uow.coaching.get(request.id)
        assert after is not None
        await uow.audit.record(f"staff:{actor.id}", "coaching.closed", "coaching_request", request.id, _snapshot(request), _snapshot(after))
        await uow.commit()
    return after


# -- history import --------------------------------------------------------------------------
HISTORY_COLUMNS = ("email", "kind", "requested_on", "conversations")


@dataclass(frozen=True)
class HistoryResult:
    created: int
    unchanged: int


async def import_coaching_history(uow_factory: UnitOfWorkFactory, path: Path, *, actor: str) -> HistoryResult:
    """CSV/XLSX with email, kind (leadership, resilience), requested_on (YYYY-MM-DD), conversations.

    Imported requests are closed. A bad row refuses the whole file (ImportRefused with line
    numbers); a row already imported (same person, kind and day) is left as it is, so importing
    the same file twice changes nothing.
    """
    _header, rows = await read_import(path, HISTORY_COLUMNS)
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
    async with uow_factory() as uow:
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
