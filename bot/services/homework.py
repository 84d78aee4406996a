"""Home-work day use cases: register (one day, several, a recurring pattern; typed or from the
form), the form itself, my overview, cancel; the demo data; and the approval subject
"homework_day" for entities where a manager approves home days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot.domain.errors import DomainError, Forbidden, NotFound
from bot.domain.homework import (
    AWAY_PLACES,
    LOCATION_MAX_LENGTH,
    PARTS,
    PLACES,
    SAVED_OUTCOMES,
    ChangedDay,
    DayRefused,
    DayResult,
    FormRequest,
    Missing,
    NotEligible,
    Outcome,
    Overview,
    Part,
    Period,
    Place,
    Registration,
    RegistrationChange,
    RegistrationFormView,
    RegistrationResult,
    RegistrationStatus,
    TeamAgreement,
    WeekWarning,
    below_minimum,
    check_changeable,
    check_day,
    decide_day,
    earliest_registrable,
    latest_registrable,
    period_range,
    registrable,
    week_start,
    work_week_start,
)
from bot.domain.homework_text import ParsedRequest
from bot.domain.policy_sections import HomeworkPolicy
from bot.domain.staff import Staff
from bot.services.approvals import cancel_for_subject, request_approval
from bot.services.unit_of_work import UnitOfWork

SUBJECT_TYPE = "homework_day"
AUDIT_SUBJECT = "work_registration"


def day_state(registration: Registration | None) -> dict | None:
    """A day as Undo restores it: the audit snapshot and where it came from."""
    return None if registration is None else {**(snapshot(registration) or {}), "source": registration.source}


def snapshot(registration: Registration | None) -> dict | None:
    if registration is None:
        return None
    return {
        "staff_id": registration.staff_id, "day": registration.day.isoformat(), "place": registration.place,
        "part": registration.part, "status": registration.status.value, "satellite_location": registration.satellite_location,
    }


# -- commands ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterDays:
    """Register the same place and part of day on one or more days."""

    actor: Staff
    days: tuple[date, ...]
    place: Place
    part: Part = "full"
    location: str | None = None
    source: str = "bot"

    def __post_init__(self) -> None:
        if self.place not in PLACES or self.part not in PARTS:
            raise DomainError("homework.invalid_choice")
        if not self.days:
            raise DomainError("homework.no_days")
        if self.location is not None and len(self.location) > LOCATION_MAX_LENGTH:
            raise DomainError("homework.location_too_long", maximum=LOCATION_MAX_LENGTH)


@dataclass(frozen=True)
class RegisterRequest:
    """Register what a text (read by bot.domain.homework_text) or the form asks for."""

    actor: Staff
    request: ParsedRequest | FormRequest


@dataclass(frozen=True)
class OpenRegistrationForm:
    actor: Staff
    prefill: FormRequest = FormRequest()
    registration_id: int | None = None  # change this registration: the form shows it as it is


@dataclass(frozen=True)
class ShowMyDays:
    actor: Staff
    period: Period = "week"


@dataclass(frozen=True)
class CancelDay:
    actor: Staff
    registration_id: int


@dataclass(frozen=True)
class ShowDayToCancel:
    """The day someone is about to cancel, for the confirmation."""

    actor: Staff
    registration_id: int


@dataclass(frozen=True)
class Cancelled:
    registration: Registration
    change_id: int  # Undo restores the day


@dataclass(frozen=True)
class UndoChange:
    actor: Staff
    change_id: int


# -- the rules of one registration, inside the caller's transaction -----------------------------------
async def is_eligible(uow: UnitOfWork, staff_id: int, day: date) -> bool:
    """Whether a staff member may work hybrid on a day (no marking in the eligibility registry)."""
    return await uow.registrations.ineligibility_on(staff_id, day) is None


async def not_eligible_error(uow: UnitOfWork, staff_id: int, day: date) -> NotEligible | None:
    marking = await uow.registrations.ineligibility_on(staff_id, day)
    if marking is None:
        return None
    setter = await uow.staff.get(marking.set_by) if marking.set_by else None
    return NotEligible(
        "homework.not_eligible", day=day, reason=marking.reason, manager=setter.display_name if setter else "",
        since=marking.valid_from, until=marking.valid_until, note=marking.note or "",
    )


async def team_agreement_for(uow: UnitOfWork, staff: Staff) -> TeamAgreement | None:
    """A staff member's team is their manager's team."""
    return await uow.registrations.agreement(staff.manager_id) if staff.manager_id else None


async def _week_warnings(uow: UnitOfWork, staff: Staff, days: Sequence[date], agreement: TeamAgreement | None) -> list[WeekWarning]:
    if agreement is None or agreement.min_office_days_per_week <= 0:
        return []
    warnings = []
    for monday in sorted({week_start(day) for day in days}):
        registrations = await uow.registrations.list_for_staff(staff.id, monday, monday + timedelta(days=4))
        left = below_minimum(monday, registrations, agreement)
        if left is not None:
            warnings.append(WeekWarning(monday, left, agreement.min_office_days_per_week))
    return warnings


async def register_in(uow: UnitOfWork, command: RegisterDays, now: datetime, audit_actor: str | None = None) -> RegistrationResult:
    """All rules for each day, inside the caller's transaction (the caller commits). The audit
    names the staff member unless `audit_actor` says who acts for them (the demo data)."""
    staff, today = command.actor, now.date()
    actor = audit_actor or f"staff:{staff.id}"
    days = sorted(set(command.days))
    if days:  # the policy, agreement and markings asked below, in one read
        await uow.read_ahead_for_days(staff, days[0], days[-1])
    policy = (await uow.entities.policy(staff.entity_id)).homework
    agreement = await team_agreement_for(uow, staff)
    location = (command.location or None) if command.place == "satellite" else None
    result = RegistrationResult(command.place, command.part, location, anchor_policy=policy.anchor_day_home_work)
    changes: list[ChangedDay] = []
    for day in days:
        try:
            check_day(day, today, policy)
        except DayRefused as refusal:
            result.days.append(DayResult(day, Outcome.REFUSED, refusal=refusal))
            continue
        if command.place in AWAY_PLACES:
            not_eligible = await not_eligible_error(uow, staff.id, day)
            if not_eligible is not None:
                result.days.append(DayResult(day, Outcome.REFUSED, refusal=not_eligible))
                continue
        decision = decide_day(day, command.place, policy, agreement, today)
        existing = await uow.registrations.get_for_day(staff.id, day, for_update=True)
        if (
            existing is not None and existing.status is not RegistrationStatus.REJECTED
            and existing.same_as(command.place, command.part, location)
        ):
            result.days.append(DayResult(day, Outcome.UNCHANGED, existing, anchor_day=decision.warn_anchor_day))
            continue
        if existing is not None and existing.status is RegistrationStatus.PENDING:
            await cancel_for_subject(uow, subject_type=SUBJECT_TYPE, subject_id=existing.id, actor=staff, now=now)
        pending = decision.needs_approval
        status = RegistrationStatus.PENDING if pending else RegistrationStatus.REGISTERED
        registration = await uow.registrations.save_day(
            staff_id=staff.id, day=day, place=command.place, part=command.part, status=status,
            satellite_location=location, source=command.source,
        )
        action = "homework.changed" if existing is not None else "homework.registered"
        await uow.audit.record(actor, action, AUDIT_SUBJECT, registration.id, snapshot(existing), snapshot(registration))
        if pending:
            await _request_approval(uow, result, staff, registration, actor, now)
        outcome = Outcome.PENDING if pending else Outcome.REGISTERED
        result.days.append(DayResult(day, outcome, registration, anchor_day=decision.warn_anchor_day, previous=existing))
        changes.append(ChangedDay(day, day_state(existing), day_state(registration)))
    if result.replaced:  # something registered before was replaced: keep what it was, for Undo
        change = await uow.registration_changes.add(staff.id, changes, now)
        result.change_id = change.id
    if command.place in AWAY_PLACES:
        saved = [r.day for r in result.with_outcome(Outcome.REGISTERED, Outcome.PENDING, Outcome.UNCHANGED)]
        result.below_minimum = await _week_warnings(uow, staff, saved, agreement)
    return result


async def _request_approval(
    uow: UnitOfWork, result: RegistrationResult, staff: Staff, registration: Registration, actor: str, now: datetime
) -> None:
    approval_id = await request_approval(
        uow, subject_type=SUBJECT_TYPE, subject_id=registration.id, requester=staff, actor=actor, now=now
    )
    result.approval_ids.append(approval_id)
    if result.approver_name is None:  # one approver for every day: the requester's manager
        approval = await uow.approvals.get(approval_id)
        approver = await uow.staff.get(approval.approver_id) if approval else None
        result.approver_name = approver.display_name if approver else None


async def own_registration(uow: UnitOfWork, staff: Staff, registration_id: int) -> Registration:
    """A registration the staff member may change; someone else's id is refused (and audited)."""
    registration = await uow.registrations.get(registration_id)
    if registration is None:
        raise NotFound("homework.not_found")
    if registration.staff_id != staff.id:
        raise Forbidden("homework.not_yours")
    return registration


async def _policy(uow: UnitOfWork, staff: Staff) -> HomeworkPolicy:
    return (await uow.entities.policy(staff.entity_id)).homework


def _form_view(
    policy: HomeworkPolicy, request: FormRequest, today: date, missing: Missing | None = None, *,
    unknown: tuple[str, ...] = (), suggest_day: bool = False, **details: object,
) -> RegistrationFormView:
    """The form pre-filled with `request`; a day that would be refused is left out, never shown
    (unless the form comes back with that refusal beside it)."""
    if "errors" not in details:
        request = _registrable_prefill(request, today, policy)
    form = request.as_form()
    return RegistrationFormView(
        earliest=earliest_registrable(today, policy), latest=latest_registrable(today),
        request=form.with_suggested_day(today) if suggest_day else form, missing=missing, unknown_words=unknown,
        **details,  # type: ignore[arg-type]
    )


def _registrable_prefill(request: FormRequest, today: date, policy: HomeworkPolicy) -> FormRequest:
    if request.day is not None and not registrable(request.day, today, policy):
        return replace(request, day=None, until=None)
    if request.until is not None and request.until < earliest_registrable(today, policy):
        return replace(request, until=None)
    return request


def _field_of(error: DomainError) -> str:
    """The form input a refusal is about: the error is shown right beside it."""
    return {
        "homework.until_before_start": "until", "homework.range_too_long": "until",
        "homework.weeks_out_of_range": "weeks", "homework.no_weekdays": "weekdays",
    }.get(error.key, "day")


# -- use cases ---------------------------------------------------------------------------------------
async def register_days(uow: UnitOfWork, command: RegisterDays, now: datetime) -> RegistrationResult:
    """Register each day under the rules; a refused day is reported with its reason, the others
    are saved (pending with an approval where the entity or the anchor day asks for one)."""
    async with uow:
        result = await register_in(uow, command, now)
        await uow.commit()
    return result


async def register_request(uow: UnitOfWork, command: RegisterRequest, now: datetime) -> RegistrationResult | RegistrationFormView:
    """Register a typed or submitted request. One that lacks something (or is ambiguous, or names a
    date that does not exist) comes back as the form, pre-filled with what was understood and saying
    what is missing; a form whose every day is refused comes back with the reason beside the field."""
    request, today = command.request, now.date()
    missing = request.missing
    async with uow:
        # The policy is read here only for a form to show; a registration reads it with the rest.
        if missing is not None:
            policy = await _policy(uow, command.actor)
            parsed = request if isinstance(request, ParsedRequest) else None
            return _form_view(
                policy, request.as_form(), today, missing, unknown=parsed.unknown if parsed else (),
                alternatives=tuple(a for a in parsed.alternatives if all(registrable(d, today, policy) for d in a)) if parsed else (),
                invalid_date=parsed.invalid_date if parsed else None,
            )
        assert request.place is not None and request.part is not None
        from_form = isinstance(request, FormRequest)
        try:
            days = tuple(request.days_from(today))
        except DomainError as error:
            if not from_form:
                raise
            return _form_view(await _policy(uow, command.actor), request, today, errors=((_field_of(error), error),))
        result = await register_in(uow, RegisterDays(command.actor, days, request.place, request.part, request.location), now)
        if from_form and not result.with_outcome(*SAVED_OUTCOMES):
            refusals = tuple(("day", r.refusal) for r in result.days if r.refusal is not None)
            return _form_view(await _policy(uow, command.actor), request, today, errors=refusals[:3])
        await uow.commit()
    return result


async def registration_form(uow: UnitOfWork, command: OpenRegistrationForm, now: datetime) -> RegistrationFormView:
    """The form, empty (suggesting the first working day) or pre-filled, or showing one of the staff
    member's own registrations to change."""
    async with uow:
        request = command.prefill
        if command.registration_id is not None:
            registration = await own_registration(uow, command.actor, command.registration_id)
            request = FormRequest(
                place=registration.place, part=registration.part, day=registration.day,
                location=registration.satellite_location,
            )
        policy = await _policy(uow, command.actor)
    return _form_view(policy, request, now.date(), suggest_day=command.registration_id is None)


async def my_days(uow: UnitOfWork, command: ShowMyDays, now: datetime) -> Overview:
    today = now.date()
    start, end = period_range(command.period, today)
    async with uow:
        policy = await _policy(uow, command.actor)
        registrations = await uow.registrations.list_for_staff(command.actor.id, start, end)
    return Overview(command.period, start, end, registrations, earliest_registrable(today, policy))


async def day_to_cancel(uow: UnitOfWork, command: ShowDayToCancel, now: datetime) -> Registration:
    """The staff member's own day, still changeable: what the confirmation shows before cancelling."""
    async with uow:
        registration = await own_registration(uow, command.actor, command.registration_id)
        check_changeable(registration.day, now.date(), await _policy(uow, command.actor))
    return registration


async def cancel_day(uow: UnitOfWork, command: CancelDay, now: datetime) -> Cancelled:
    """Remove a registered day (the day becomes an office day again); a pending one withdraws its
    approval. What it was is kept, so that Undo can restore it."""
    staff = command.actor
    async with uow:
        registration = await own_registration(uow, staff, command.registration_id)
        check_changeable(registration.day, now.date(), await _policy(uow, staff))
        if registration.status is RegistrationStatus.PENDING:
            await cancel_for_subject(uow, subject_type=SUBJECT_TYPE, subject_id=registration.id, actor=staff, now=now)
        await uow.registrations.delete(registration.id)
        await uow.audit.record(f"staff:{staff.id}", "homework.cancelled", AUDIT_SUBJECT, registration.id, snapshot(registration), None)
        change = await uow.registration_changes.add(staff.id, [ChangedDay(registration.day, day_state(registration), None)], now)
        await uow.commit()
    return Cancelled(registration, change.id)


async def undo_change(uow: UnitOfWork, command: UndoChange, now: datetime) -> list[ChangedDay]:
    """Restore exactly what a registration or cancellation replaced (nothing registered included).
    Refused, and audited, when it is someone else's, already undone, or a day changed since."""
    staff, today = command.actor, now.date()
    actor = f"staff:{staff.id}"
    async with uow:
        change = await uow.registration_changes.get(command.change_id, for_update=True)
        if change is None:
            raise NotFound("homework.undo_not_found")
        if change.staff_id != staff.id:
            raise Forbidden("homework.not_yours")
        refusal = await _undo_refusal(uow, change, staff, today)
        if refusal is None:
            restored = [await _restore(uow, entry, staff, actor, now) for entry in change.entries]
            await uow.registration_changes.mark_undone(change.id, now)
            await uow.audit.record(actor, "homework.undone", "registration_change", change.id, None, {"days": len(restored)})
            await uow.commit()
            return restored
    async with uow:  # the refusal, in a transaction of its own
        await uow.audit.record(actor, "homework.undo_refused", "registration_change", change.id, None, {"reason": refusal.key})
        await uow.commit()
    raise refusal


async def _undo_refusal(uow: UnitOfWork, change: RegistrationChange, staff: Staff, today: date) -> DomainError | None:
    if change.undone_at is not None:
        return DomainError("homework.undo_already_done")
    policy = await _policy(uow, staff)
    for entry in change.entries:
        current = await uow.registrations.get_for_day(staff.id, entry.day, for_update=True)
        if day_state(current) != entry.after:
            return DomainError("homework.undo_changed_since", day=entry.day)
        try:
            check_changeable(entry.day, today, policy)
        except DayRefused as refused:
            return refused
    return None


async def _restore(uow: UnitOfWork, entry: ChangedDay, staff: Staff, actor: str, now: datetime) -> ChangedDay:
    """Put one day back as it was; a pending day asks its approval again."""
    current = await uow.registrations.get_for_day(staff.id, entry.day, for_update=True)
    if current is not None and current.status is RegistrationStatus.PENDING:
        await cancel_for_subject(uow, subject_type=SUBJECT_TYPE, subject_id=current.id, actor=staff, now=now)
    before = entry.before
    if before is None:
        assert current is not None  # _undo_refusal checked the day still holds what the change left
        await uow.registrations.delete(current.id)
        await uow.audit.record(actor, "homework.undone", AUDIT_SUBJECT, current.id, snapshot(current), None)
        return ChangedDay(entry.day, entry.after, None)
    restored = await uow.registrations.save_day(
        staff_id=staff.id, day=entry.day, place=before["place"], part=before["part"], status=before["status"],
        satellite_location=before.get("satellite_location"), source=before.get("source", "bot"),
    )
    await uow.audit.record(actor, "homework.undone", AUDIT_SUBJECT, restored.id, snapshot(current), snapshot(restored))
    if restored.status is RegistrationStatus.PENDING:
        await request_approval(uow, subject_type=SUBJECT_TYPE, subject_id=restored.id, requester=staff, actor=actor, now=now)
    return ChangedDay(entry.day, entry.after, day_state(restored))


# -- demo data -------------------------------------------------------------------------------------
# (e-mail, weekdays at home) for this week and next; DV needs approval, so its days wait.
_DEMO_HOME_DAYS = (
    ("alexw@example.com", (0, 3)),
    ("adelev@example.com", (1, 4)),
    ("jan.janssens@vlaanderen.be", (0,)),
    ("marie.maes@vlaanderen.be", (2, 4)),
    ("pieter.jacobs@vlaanderen.be", (3,)),
    ("tom.willems@vlaanderen.be", (0, 4)),
    ("fien.aerts@vlaanderen.be", (1, 3)),
    ("lars.michiels@vlaanderen.be", (4,)),
)
_DEMO_POLICIES = (
    ("DWSE", HomeworkPolicy(needs_approval=False, anchor_day_home_work="warn")),
    ("DV", HomeworkPolicy(needs_approval=True)),
)


@dataclass(frozen=True)
class LoadHomeworkDemo:
    """Policies for DWSE (no approval, anchor day: warn) and DV (approval), Megan Bowen's team
    agreement (anchor day Tuesday), one DV staff member not eligible, and home days this week and next."""


async def load_demo(uow: UnitOfWork, command: LoadHomeworkDemo, now: datetime) -> None:
    today = now.date()
    async with uow:
        for code, homework in _DEMO_POLICIES:
            entity = await uow.entities.get_by_code(code)
            if entity is None:
                continue
            policy = await uow.entities.policy(entity.id)
            await uow.entities.set_policy(entity.id, policy.model_copy(update={"homework": homework}))
        megan = await uow.staff.get_by_email("meganb@example.com")
        if megan is not None:
            await uow.registrations.save_agreement(TeamAgreement(megan.id, frozenset({1}), 2))
        sander = await uow.staff.get_by_email("sander.coppens@vlaanderen.be")
        if sander is not None:
            await uow.registrations.add_ineligibility(
                staff_id=sander.id, reason="function", note="Loketfunctie met vaste openingsuren.",
                valid_from=today.replace(day=1), valid_until=None, set_by=sander.manager_id,
            )
        monday = work_week_start(today)
        for email, weekdays in _DEMO_HOME_DAYS:
            staff = await uow.staff.get_by_email(email)
            if staff is None:
                continue
            days = tuple(monday + timedelta(days=week * 7 + d) for week in (0, 1) for d in weekdays)
            await register_in(uow, RegisterDays(staff, days, "home"), now, audit_actor="demo")
        await uow.commit()
