"""Webinar use cases: create, invite (through the broadcast engine), browse, sign up with capacity
and waitlist, cancel with promotion, reminders and attendance. The YAML import and the demo data
are in bot/services/webinar_import.py, Teams attendance reports in bot/services/attendance.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from bot.domain.notifications import Sent
from bot.domain.staff import Entity, Staff
from bot.domain.webinars import (
    CancelResult,
    DraftProblem,
    InvitationPayload,
    Participant,
    PromotedFromWaitlist,
    Registration,
    RegistrationStatus,
    Session,
    SignUpResult,
    TargetGroup,
    Webinar,
    WebinarCancelled,
    WebinarDraft,
    WebinarReminder,
    WebinarSessionChanged,
    WebinarStatus,
    can_sign_up,
    check_attendance,
    check_cancel,
    check_draft,
    check_edit,
    check_editable,
    check_sign_up,
    check_view,
    due_reminder,
    is_audience,
    same_session,
    webinar_warnings,
)
from bot.services.broadcasts import BroadcastContent, CreateBroadcast, add_broadcast
from bot.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from bot.runner import UseCaseRunner

REMINDER_JOB = "webinars.reminders"
# HR's list shows webinars whose last session is at most this old.
HR_LIST_SINCE = timedelta(days=60)


class SessionFull(DomainError):
    """The session has no seat left; the waitlist is offered at `position`."""

    key = "webinars.full_offer_waitlist"

    def __init__(self, webinar_id: int, position: int) -> None:
        super().__init__(position=position)
        self.webinar_id = webinar_id
        self.position = position


class DraftRefused(InvalidInput):
    """The webinar as entered breaks rules; `problems` lists them all."""

    key = "webinars.invalid_draft"

    def __init__(self, problems: list[DraftProblem]) -> None:
        super().__init__(problems="; ".join(f"{p.where}: {p.reason}" for p in problems))
        self.problems = problems


# -- what the cards show -------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionState:
    session: Session
    open: bool  # sign-up and cancelling are still possible (the session has not started)


@dataclass(frozen=True)
class WebinarState:
    """A webinar as one person sees it now: its sessions and their own registration, if any."""

    webinar: Webinar
    sessions: tuple[SessionState, ...]
    registration: Registration | None = None


@dataclass(frozen=True)
class HrWebinar:
    state: WebinarState
    audience: int  # staff in service today whom the target group covers
    warnings: tuple[DraftProblem, ...] = ()  # what to look at before sending (weekend, past, no English)

    @property
    def registered(self) -> int:
        """People seated or waiting for a session that has not started (told if it is cancelled)."""
        return sum(s.session.seats_taken + s.session.waitlisted for s in self.state.sessions if s.open)


@dataclass(frozen=True)
class WebinarCancellation:
    webinar: Webinar
    told: int  # registered people told


@dataclass(frozen=True)
class WebinarUpdate:
    webinar_id: int
    told: int  # registered people told of a new time or link


@dataclass(frozen=True)
class AttendanceSheet:
    webinar: Webinar
    session: Session
    participants: list[Participant]


def _state(webinar: Webinar, registration: Registration | None, now: datetime) -> WebinarState:
    return WebinarState(webinar, tuple(SessionState(s, can_sign_up(s, now)) for s in webinar.sessions), registration)


def _require_hr(actor: Staff) -> None:
    if not actor.is_hr:
        raise Forbidden()


def _actor(staff: Staff) -> str:
    return f"staff:{staff.id}"


async def _webinar(uow: UnitOfWork, webinar_id: int) -> Webinar:
    webinar = await uow.webinars.get(webinar_id)
    if webinar is None:
        raise NotFound()
    return webinar


# -- commands -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class WebinarForm:
    actor: Staff


@dataclass(frozen=True)
class CreateWebinar:
    actor: Staff
    draft: WebinarDraft


@dataclass(frozen=True)
class ShowWebinarForHr:
    actor: Staff
    webinar_id: int


@dataclass(frozen=True)
class WebinarsForHr:
    actor: Staff


@dataclass(frozen=True)
class InviteToWebinar:
    actor: Staff
    webinar_id: int
    scheduled_at: datetime | None = None


@dataclass(frozen=True)
class WebinarOverview:
    actor: Staff


@dataclass(frozen=True)
class ShowInvitation:
    actor: Staff
    webinar_id: int


@dataclass(frozen=True)
class SignUp:
    actor: Staff
    session_id: int
    accept_waitlist: bool = False


@dataclass(frozen=True)
class CancelRegistration:
    actor: Staff
    registration_id: int


@dataclass(frozen=True)
class SendDueReminders:
    hours_before: Sequence[int]  # the reminders to send, in hours before the start


@dataclass(frozen=True)
class ShowAttendance:
    actor: Staff
    session_id: int


@dataclass(frozen=True)
class CancelWebinar:
    actor: Staff
    webinar_id: int


@dataclass(frozen=True)
class UpdateWebinar:
    actor: Staff
    webinar_id: int
    draft: WebinarDraft


@dataclass(frozen=True)
class RecordAttendance:
    actor: Staff
    session_id: int
    attended: frozenset[int]  # registration ids of the seated participants who attended


# -- HR: create and invite -------------------------------------------------------------------------
async def add_webinar(
    uow: UnitOfWork, draft: WebinarDraft, now: datetime, status: WebinarStatus, *, actor: str, created_by: int | None
) -> int:
    """Check and store a webinar in the caller's open unit of work (the caller commits), audited.
    Raises DraftRefused with every problem."""
    entities = await uow.entities.list_all()
    problems = check_draft(draft, now, [e.code for e in entities])
    if problems:
        raise DraftRefused(problems)
    by_code = {e.code: e.id for e in entities}
    entity_ids = [by_code[code.upper()] for code in draft.entity_codes] if draft.target_group is TargetGroup.ENTITIES else []
    webinar_id = await uow.webinars.add(draft, entity_ids, status, created_by)
    await uow.audit.record(
        actor, "webinar.created", "webinar", webinar_id, None,
        {"title_nl": draft.title_nl, "target_group": draft.target_group.value, "status": status.value,
         "sessions": [s.starts_at.isoformat() for s in draft.sessions]},
    )
    return webinar_id


async def form_entities(uow: UnitOfWork, command: WebinarForm, now: datetime) -> list[Entity]:
    """The entities HR can choose as a target group on the webinar form."""
    _require_hr(command.actor)
    async with uow:
        return await uow.entities.list_all()


async def create_webinar(uow: UnitOfWork, command: CreateWebinar, now: datetime) -> int:
    """Save a webinar as a draft (staff see it once the invitation goes out)."""
    actor = command.actor
    _require_hr(actor)
    async with uow:
        webinar_id = await add_webinar(uow, command.draft, now, WebinarStatus.DRAFT, actor=_actor(actor), created_by=actor.id)
        await uow.commit()
    return webinar_id


async def webinar_for_hr(uow: UnitOfWork, command: ShowWebinarForHr, now: datetime) -> HrWebinar:
    """One webinar with the size of its audience (preview and details)."""
    _require_hr(command.actor)
    async with uow:
        webinar = await _webinar(uow, command.webinar_id)
        audience = await uow.webinars.audience(webinar.target_group, webinar.entity_ids, now.date())
    return HrWebinar(_state(webinar, None, now), len(audience), tuple(webinar_warnings(webinar, now)))


async def webinars_for_hr(uow: UnitOfWork, command: WebinarsForHr, now: datetime) -> list[WebinarState]:
    """Drafts and the webinars of the last two months, newest first."""
    _require_hr(command.actor)
    async with uow:
        return [_state(w, None, now) for w in await uow.webinars.list_recent(now - HR_LIST_SINCE)]


async def invite(uow: UnitOfWork, command: InviteToWebinar, now: datetime) -> int:
    """Publish the webinar and create the invitation broadcast to its audience; returns its id."""
    actor, scheduled_at = command.actor, command.scheduled_at
    _require_hr(actor)
    if scheduled_at is not None and scheduled_at <= now:
        raise InvalidInput("webinars.schedule_in_past")
    async with uow:
        webinar = await _webinar(uow, command.webinar_id)
        check_editable(webinar)
        if not any(s.starts_at > (scheduled_at or now) for s in webinar.sessions):
            raise Conflict("webinars.no_future_session")
        recipients = await uow.webinars.audience(webinar.target_group, webinar.entity_ids, now.date())
        if not recipients:
            raise InvalidInput("webinars.no_audience")
        broadcast_id = await add_broadcast(
            uow, CreateBroadcast(actor, InvitationPayload(webinar_id=webinar.id), webinar.title_nl, recipients, scheduled_at), now
        )
        if webinar.status is not WebinarStatus.PUBLISHED:
            await uow.webinars.set_status(webinar.id, WebinarStatus.PUBLISHED)
        await uow.audit.record(
            _actor(actor), "webinar.invited", "webinar", webinar.id, {"status": webinar.status.value},
            {"status": WebinarStatus.PUBLISHED.value, "broadcast_id": broadcast_id, "recipients": len(recipients),
             "scheduled_at": scheduled_at.isoformat() if scheduled_at else None},
        )
        await uow.commit()
    return broadcast_id


async def update_webinar(uow: UnitOfWork, command: UpdateWebinar, now: datetime) -> WebinarUpdate:
    """HR changes a webinar: texts, target group and sessions (the n-th row of the form is the
    n-th session). Whoever is registered for a session whose time or link changed is told."""
    actor, draft = command.actor, command.draft
    _require_hr(actor)
    async with uow:
        webinar = await _webinar(uow, command.webinar_id)
        check_editable(webinar)
        entities = await uow.entities.list_all()
        problems = check_edit(webinar, draft, now, [e.code for e in entities])
        if problems:
            raise DraftRefused(problems)
        by_code = {e.code: e.id for e in entities}
        entity_ids = [by_code[code.upper()] for code in draft.entity_codes] if draft.target_group is TargetGroup.ENTITIES else []
        await uow.webinars.update_texts(webinar.id, draft, entity_ids)
        told = 0
        for index, session in enumerate(webinar.sessions):
            if index >= len(draft.sessions):
                await uow.webinars.delete_session(session.id)  # nobody registered (check_edit)
                continue
            changed = draft.sessions[index]
            if same_session(session, changed):
                continue
            await uow.webinars.update_session(session.id, changed)
            if (session.starts_at, session.ends_at, session.join_url) != (changed.starts_at, changed.ends_at, changed.join_url):
                notice = WebinarSessionChanged(
                    webinar_id=webinar.id, title_nl=draft.title_nl, title_en=draft.title_en,
                    was_starts_at=session.starts_at.astimezone(now.tzinfo), starts_at=changed.starts_at.astimezone(now.tzinfo),
                    ends_at=changed.ends_at.astimezone(now.tzinfo), join_url=changed.join_url,
                    link_changed=session.join_url != changed.join_url,
                )
                for participant in await uow.webinars.participants(session.id):
                    await uow.outbox.add(participant.staff_id, notice, now)
                    told += 1
        for added in draft.sessions[len(webinar.sessions):]:
            await uow.webinars.add_session(webinar.id, added)
        await uow.audit.record(
            _actor(actor), "webinar.updated", "webinar", webinar.id, _webinar_snapshot(webinar), _draft_snapshot(draft) | {"told": told},
        )
        await uow.commit()
    return WebinarUpdate(webinar.id, told)


@dataclass(frozen=True)
class ShowWebinarToEdit:
    actor: Staff
    webinar_id: int


@dataclass(frozen=True)
class WebinarToEdit:
    webinar: Webinar
    entities: list[Entity]  # to choose from; the webinar's own are among them


async def webinar_to_edit(uow: UnitOfWork, command: ShowWebinarToEdit, now: datetime) -> WebinarToEdit:
    """A webinar as the form shows it to be changed; a cancelled one cannot be."""
    _require_hr(command.actor)
    async with uow:
        webinar = await _webinar(uow, command.webinar_id)
        check_editable(webinar)
        return WebinarToEdit(webinar, await uow.entities.list_all())


async def cancel_webinar(uow: UnitOfWork, command: CancelWebinar, now: datetime) -> WebinarCancellation:
    """HR cancels a webinar: no more sign-ups or reminders; everyone registered for a session to
    come (seated or waiting) is told, in their language. Registrations stay as a record."""
    actor = command.actor
    _require_hr(actor)
    async with uow:
        webinar = await _webinar(uow, command.webinar_id)
        check_editable(webinar)
        await uow.webinars.set_status(webinar.id, WebinarStatus.CANCELLED)
        told = 0
        for session in webinar.sessions:
            if not can_sign_up(session, now):
                continue  # took place or under way: nothing to call off
            for participant in await uow.webinars.participants(session.id):
                await uow.outbox.add(participant.staff_id, WebinarCancelled(
                    webinar_id=webinar.id, title_nl=webinar.title_nl, title_en=webinar.title_en,
                    starts_at=session.starts_at.astimezone(now.tzinfo),
                    waitlisted=participant.status is RegistrationStatus.WAITLISTED,
                ), now)
                told += 1
        await uow.audit.record(
            _actor(actor), "webinar.cancelled_by_hr", "webinar", webinar.id, {"status": webinar.status.value},
            {"status": WebinarStatus.CANCELLED.value, "told": told},
        )
        await uow.commit()
    return WebinarCancellation(webinar, told)


def _webinar_snapshot(webinar: Webinar) -> dict:
    return {
        "title_nl": webinar.title_nl, "title_en": webinar.title_en, "target_group": webinar.target_group.value,
        "sessions": [[s.starts_at.isoformat(), s.ends_at.isoformat(), s.capacity, s.join_url] for s in webinar.sessions],
    }


def _draft_snapshot(draft: WebinarDraft) -> dict:
    return {
        "title_nl": draft.title_nl, "title_en": draft.title_en, "target_group": draft.target_group.value,
        "sessions": [[s.starts_at.isoformat(), s.ends_at.isoformat(), s.capacity, s.join_url] for s in draft.sessions],
    }


# -- staff: browse, sign up, cancel ----------------------------------------------------------------
async def overview(uow: UnitOfWork, command: WebinarOverview, now: datetime) -> list[WebinarState]:
    """Published webinars meant for this person with a session to come, with their own
    registration; then the webinars they are still registered for that the first list leaves out
    (e.g. a session under way), so they can still cancel or join."""
    staff = command.actor
    async with uow:
        webinars = [w for w in await uow.webinars.list_upcoming(now) if is_audience(staff, w.target_group, w.entity_ids)]
        mine = await uow.webinars.registrations_of(staff.id, [w.id for w in webinars])
        states = [_state(w, mine.get(w.id), now) for w in webinars]
        listed = {w.id for w in webinars}
        for registration in await uow.webinars.list_for_staff(staff.id, now):
            if registration.webinar_id in listed:
                continue
            webinar = await uow.webinars.get(registration.webinar_id)
            if webinar is not None and webinar.status is not WebinarStatus.CANCELLED:
                states.append(_state(webinar, registration, now))
                listed.add(webinar.id)
    return states


async def invitation(uow: UnitOfWork, command: ShowInvitation, now: datetime) -> WebinarState:
    """The webinar as one recipient sees it: live seats and their own registration."""
    async with uow:
        webinar = await _webinar(uow, command.webinar_id)
        check_view(command.actor, webinar)
        return _state(webinar, await uow.webinars.registration_of(webinar.id, command.actor.id), now)


async def invitation_contents(uow: UnitOfWork, command: BroadcastContent[InvitationPayload], now: datetime) -> dict[int, WebinarState]:
    """What the invitation broadcast shows each recipient at send time (the broadcast worker's
    query); a recipient who may not see the webinar is left out."""
    async with uow:
        webinar = await _webinar(uow, command.payload.webinar_id)
        states: dict[int, WebinarState] = {}
        for staff in command.recipients:
            try:
                check_view(staff, webinar)
            except DomainError:
                continue
            states[staff.id] = _state(webinar, await uow.webinars.registration_of(webinar.id, staff.id), now)
    return states


async def sign_up(uow: UnitOfWork, command: SignUp, now: datetime) -> SignUpResult:
    """Take a seat in a session, or a place on its waitlist when it is full and the person accepts.

    The session row is locked first, so concurrent sign-ups queue: seats never overbook and the
    waitlist order is the order in which the sign-ups commit. One registration per person per
    webinar is a unique constraint.
    """
    staff = command.actor
    async with uow:
        session = await uow.webinars.lock_session(command.session_id)
        if session is None:
            raise NotFound()
        webinar = await _webinar(uow, session.webinar_id)
        check_sign_up(staff, webinar, session, await uow.webinars.registration_of(webinar.id, staff.id), now)
        seated = await uow.webinars.take_seat(session.id)
        if not seated and not command.accept_waitlist:
            raise SessionFull(webinar.id, len(await uow.webinars.waitlist(session.id)) + 1)
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
            _actor(staff), "webinar.signed_up", "webinar_registration", registration.id, None,
            {"webinar_id": webinar.id, "session_id": session.id, "status": status.value, "position": position},
        )
        await uow.commit()
    return SignUpResult(registration, seated, position)


async def cancel(uow: UnitOfWork, command: CancelRegistration, now: datetime) -> CancelResult:
    """Give up a seat or a waitlist place; a freed seat goes to the first on the waitlist, who is
    told."""
    staff = command.actor
    async with uow:
        registration = await uow.webinars.get_registration(command.registration_id)
        if registration is None:
            raise NotFound()
        session = await uow.webinars.lock_session(registration.session_id)
        assert session is not None
        check_cancel(staff, registration, session, now)
        # A cancelled webinar frees no seat for anyone (and tells nobody one became free).
        check_editable(await _webinar(uow, session.webinar_id))
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
            _actor(staff), "webinar.cancelled", "webinar_registration", registration.id,
            {"session_id": session.id, "status": registration.status.value}, None,
        )
        if promoted is not None:
            webinar = await _webinar(uow, session.webinar_id)
            await uow.outbox.add(promoted.staff_id, PromotedFromWaitlist(
                registration_id=promoted.id, webinar_id=webinar.id, title_nl=webinar.title_nl, title_en=webinar.title_en,
                starts_at=session.starts_at.astimezone(now.tzinfo),
            ), now)
        await uow.commit()
    return CancelResult(registration, promoted)


# -- reminders -------------------------------------------------------------------------------------
async def send_due_reminders(uow: UnitOfWork, command: SendDueReminders, now: datetime) -> int:
    """Queue the reminders that are due; returns how many. Each (registration, reminder) is claimed
    by a row with a unique key in the same transaction as its notification, so a second instance
    or a rerun never sends it again."""
    offsets = tuple(command.hours_before)
    if not offsets:
        return 0
    async with uow:
        candidates = await uow.webinars.reminder_candidates(now, now + timedelta(hours=max(offsets)))
        webinars: dict[int, Webinar | None] = {}
        queued = 0
        for candidate in candidates:
            hours = due_reminder(candidate.starts_at, candidate.seated_at, now, offsets, candidate.sent_hours)
            if hours is None or not await uow.webinars.claim_reminder(candidate.registration_id, hours, REMINDER_JOB, now):
                continue
            if candidate.webinar_id not in webinars:
                webinars[candidate.webinar_id] = await uow.webinars.get(candidate.webinar_id)
            webinar = webinars[candidate.webinar_id]
            session = webinar.session(candidate.session_id) if webinar else None
            if webinar is None or session is None:
                continue
            await uow.outbox.add(candidate.staff_id, WebinarReminder(
                registration_id=candidate.registration_id, hours_before=hours, title_nl=webinar.title_nl,
                title_en=webinar.title_en, starts_at=session.starts_at.astimezone(now.tzinfo), join_url=session.join_url,
            ), now)
            queued += 1
        await uow.commit()
    return queued


async def reminder_delivered(uow: UnitOfWork, notice: WebinarReminder, sent: Sent, now: datetime) -> None:
    """After a reminder reached its participant (run by the dispatcher in its own transaction)."""
    await uow.webinars.set_reminder_outcome(notice.registration_id, notice.hours_before, "sent")


async def run_reminders(runner: UseCaseRunner, now: datetime, *, hours_before: Sequence[int]) -> int:
    """The scheduled job (registered in bot/wiring.py)."""
    return await runner.run(send_due_reminders, SendDueReminders(tuple(hours_before)))


# -- attendance in the bot -------------------------------------------------------------------------
async def attendance_sheet(uow: UnitOfWork, command: ShowAttendance, now: datetime) -> AttendanceSheet:
    _require_hr(command.actor)
    async with uow:
        session = await uow.webinars.get_session(command.session_id)
        if session is None:
            raise NotFound()
        check_attendance(session, now)
        webinar = await _webinar(uow, session.webinar_id)
        return AttendanceSheet(webinar, session, await uow.webinars.participants(session.id))


async def record_attendance(uow: UnitOfWork, command: RecordAttendance, now: datetime) -> int:
    """Mark who attended a session (the seated participants ticked); returns how many attended."""
    actor, attended_ids = command.actor, command.attended
    _require_hr(actor)
    async with uow:
        session = await uow.webinars.get_session(command.session_id)
        if session is None:
            raise NotFound()
        check_attendance(session, now)
        seated = {p.registration_id: p for p in await uow.webinars.participants(session.id) if p.status is RegistrationStatus.SEATED}
        if attended_ids - set(seated):
            raise Forbidden()  # ids that are not seats of this session: a forged or stale card
        for registration_id, participant in seated.items():
            attended = registration_id in attended_ids
            if participant.attended != attended:
                await uow.webinars.set_attended(registration_id, attended)
                await uow.audit.record(
                    _actor(actor), "webinar.attendance", "webinar_registration", registration_id,
                    {"attended": participant.attended}, {"attended": attended},
                )
        await uow.commit()
    return len(attended_ids)
