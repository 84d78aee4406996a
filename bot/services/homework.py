"""Home-work days: register (one day, several, a recurring pattern), change, cancel, my overview,
and the approval subject "homework_day" for entities where a manager approves home days."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from bot.domain.errors import DomainError, Forbidden, NotFound
from bot.domain.homework import (
    AWAY_PLACES,
    LOCATION_MAX_LENGTH,
    PARTS,
    PLACES,
    DayRefused,
    NotEligible,
    Part,
    Period,
    Place,
    Registration,
    TeamAgreement,
    below_minimum,
    check_day,
    decide_day,
    earliest_registrable,
    period_range,
    week_start,
)
from bot.domain.staff import Staff
from bot.i18n import Translator
from bot.services.approvals import cancel_for_subject, request_approval

if TYPE_CHECKING:
    from bot.runtime import Services
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

SUBJECT_TYPE = "homework_day"
AUDIT_SUBJECT = "work_registration"

Outcome = Literal["registered", "pending", "unchanged", "refused"]


@dataclass(frozen=True)
class RegisterDays:
    """Register the same place and part of day on one or more days."""

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
class DayResult:
    day: date
    outcome: Outcome
    registration: Registration | None = None
    refusal: DomainError | None = None
    anchor_day: bool = False


@dataclass(frozen=True)
class WeekWarning:
    week_of: date
    office_days_left: Decimal
    minimum: int


@dataclass
class RegistrationResult:
    place: Place
    part: Part
    location: str | None
    days: list[DayResult] = field(default_factory=list)
    below_minimum: list[WeekWarning] = field(default_factory=list)
    approver_name: str | None = None
    approval_ids: list[int] = field(default_factory=list)
    anchor_policy: str = "warn"

    def with_outcome(self, *outcomes: Outcome) -> list[DayResult]:
        return [result for result in self.days if result.outcome in outcomes]


def snapshot(registration: Registration | None) -> dict | None:
    if registration is None:
        return None
    return {
        "staff_id": registration.staff_id, "day": registration.day.isoformat(), "place": registration.place,
        "part": registration.part, "status": registration.status, "satellite_location": registration.satellite_location,
    }


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


async def register_in(uow: UnitOfWork, staff: Staff, command: RegisterDays, now: datetime, actor: str) -> RegistrationResult:
    """All rules for each day, inside the caller's transaction (the caller commits)."""
    today = now.date()
    policy = (await uow.entities.policy(staff.entity_id)).homework
    agreement = await team_agreement_for(uow, staff)
    location = (command.location or None) if command.place == "satellite" else None
    result = RegistrationResult(command.place, command.part, location, anchor_policy=policy.anchor_day_home_work)
    for day in sorted(set(command.days)):
        try:
            check_day(day, today, policy)
        except DayRefused as refusal:
            result.days.append(DayResult(day, "refused", refusal=refusal))
            continue
        if command.place in AWAY_PLACES:
            refusal = await not_eligible_error(uow, staff.id, day)
            if refusal is not None:
                result.days.append(DayResult(day, "refused", refusal=refusal))
                continue
        decision = decide_day(day, command.place, policy, agreement)
        existing = await uow.registrations.get_for_day(staff.id, day, for_update=True)
        if existing is not None and existing.status != "rejected" and existing.same_as(command.place, command.part, location):
            result.days.append(DayResult(day, "unchanged", existing, anchor_day=decision.anchor_day))
            continue
        if existing is not None and existing.status == "pending":
            await cancel_for_subject(uow, subject_type=SUBJECT_TYPE, subject_id=existing.id, actor=staff, now=now)
        status = "pending" if decision.needs_approval else "registered"
        registration = await uow.registrations.save_day(
            staff_id=staff.id, day=day, place=command.place, part=command.part, status=status,
            satellite_location=location, source=command.source,
        )
        action = "homework.changed" if existing is not None else "homework.registered"
        await uow.audit.record(actor, action, AUDIT_SUBJECT, registration.id, snapshot(existing), snapshot(registration))
        if status == "pending":
            approval_id = await request_approval(
                uow, subject_type=SUBJECT_TYPE, subject_id=registration.id, requester=staff, actor=actor, now=now
            )
            result.approval_ids.append(approval_id)
            if result.approver_name is None:
                approval = await uow.approvals.get(approval_id)
                approver = await uow.staff.get(approval.approver_id) if approval else None
                result.approver_name = approver.display_name if approver else None
        result.days.append(DayResult(day, status, registration, anchor_day=decision.anchor_day))  # type: ignore[arg-type]
    if command.place in AWAY_PLACES:
        saved = [r.day for r in result.with_outcome("registered", "pending", "unchanged")]
        result.below_minimum = await _week_warnings(uow, staff, saved, agreement)
    return result


async def register_days(services: Services, staff: Staff, command: RegisterDays, *, correlation_id: str | None = None) -> RegistrationResult:
    now = services.clock.now()
    async with services.uow(correlation_id) as uow:
        result = await register_in(uow, staff, command, now, f"staff:{staff.id}")
        await uow.commit()
    return result


async def own_registration(uow: UnitOfWork, staff: Staff, registration_id: int) -> Registration:
    """A registration the staff member may change; someone else's id is refused (and audited)."""
    registration = await uow.registrations.get(registration_id)
    if registration is None:
        raise NotFound("homework.not_found")
    if registration.staff_id != staff.id:
        raise Forbidden("homework.not_yours")
    return registration


async def cancel_day(services: Services, staff: Staff, registration_id: int, *, correlation_id: str | None = None) -> Registration:
    """Remove a registered day (the day becomes an office day again); a pending one withdraws its approval."""
    now = services.clock.now()
    async with services.uow(correlation_id) as uow:
        registration = await own_registration(uow, staff, registration_id)
        policy = (await uow.entities.policy(staff.entity_id)).homework
        earliest = earliest_registrable(now.date(), policy)
        if registration.day < earliest:
            raise DayRefused("homework.refused_too_late", day=registration.day, earliest=earliest)
        if registration.status == "pending":
            await cancel_for_subject(uow, subject_type=SUBJECT_TYPE, subject_id=registration.id, actor=staff, now=now)
        await uow.registrations.delete(registration.id)
        await uow.audit.record(f"staff:{staff.id}", "homework.cancelled", AUDIT_SUBJECT, registration.id, snapshot(registration), None)
        await uow.commit()
    return registration


# -- overview --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    period: Period
    start: date
    end: date
    registrations: list[Registration]
    earliest_changeable: date


async def overview(uow: UnitOfWork, staff: Staff, period: Period, today: date) -> Overview:
    start, end = period_range(period, today)
    policy = (await uow.entities.policy(staff.entity_id)).homework
    registrations = await uow.registrations.list_for_staff(staff.id, start, end)
    return Overview(period, start, end, registrations, earliest_registrable(today, policy))


# -- the approval subject --------------------------------------------------------------------------


def place_label(t: Translator, place: str, location: str | None = None) -> str:
    label = t(f"homework.place_{place}")
    return t("homework.place_with_location", place=label, location=location) if location else label



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


async def load_demo(uow_factory: Callable[[], UnitOfWork], today: date) -> None:
    """Policies for DWSE (no approval, anchor day: warn) and DV (approval), Megan Bowen's team
    agreement (anchor day Tuesday), one DV staff member not eligible, and home days this week and next."""
    from zoneinfo import ZoneInfo

    from bot.domain.homework import work_week_start
    from bot.domain.policy_sections import HomeworkPolicy

    now = datetime.combine(today, time(9, 0), tzinfo=ZoneInfo("Europe/Brussels"))
    async with uow_factory() as uow:
        for code, homework in (
            ("DWSE", HomeworkPolicy(needs_approval=False, anchor_day_home_work="warn")),
            ("DV", HomeworkPolicy(needs_approval=True)),
        ):
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
            await register_in(uow, staff, RegisterDays(days, "home"), now, "demo")
        await uow.commit()
