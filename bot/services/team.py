"""A manager's team: who works where this week and next, the team agreement (anchor days and the
minimum office days) and the hybrid-work eligibility registry. The team hears of a changed
agreement, a member of a marking and of its lifting, through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain import team as rules
from bot.domain.errors import Conflict, DomainError, Forbidden, NotFound
from bot.domain.homework import (
    AWAY_PLACES,
    MAX_DAYS_AHEAD,
    Ineligibility,
    IneligibilityReason,
    Registration,
    RegistrationStatus,
    TeamAgreement,
    make_agreement,
    validate_ineligibility,
    week_days,
    work_week_start,
)
from bot.domain.staff import Role, Staff
from bot.domain.team import (
    AgreementChanged,
    EligibilityRow,
    EligibilityView,
    IneligibilityLifted,
    Lifted,
    MarkedIneligible,
    MarkResult,
    TeamMemberWeek,
    TeamWeek,
)
from bot.services.homework import AUDIT_SUBJECT, snapshot
from bot.services.unit_of_work import UnitOfWork


def _actor(staff: Staff) -> str:
    return f"staff:{staff.id}"


def _agreement_snapshot(agreement: TeamAgreement | None) -> dict | None:
    if agreement is None:
        return None
    return {"anchor_weekdays": sorted(agreement.anchor_weekdays), "min_office_days_per_week": agreement.min_office_days_per_week}


def _marking_snapshot(marking: Ineligibility) -> dict:
    return {
        "staff_id": marking.staff_id, "reason": marking.reason, "note": marking.note,
        "valid_from": marking.valid_from.isoformat(),
        "valid_until": marking.valid_until.isoformat() if marking.valid_until else None,
        "lifted": marking.lifted_at is not None,
    }


# -- commands ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShowTeamWeek:
    actor: Staff
    week_offset: int = 0  # 0 this week, 1 next week


@dataclass(frozen=True)
class ShowAgreement:
    actor: Staff


@dataclass(frozen=True)
class SaveAgreement:
    actor: Staff
    anchor_weekdays: tuple[int, ...]
    min_office_days: int


@dataclass(frozen=True)
class ShowEligibility:
    actor: Staff


@dataclass(frozen=True)
class MarkIneligible:
    actor: Staff
    staff_id: int
    reason: IneligibilityReason
    valid_from: date
    valid_until: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class LiftIneligibility:
    actor: Staff
    ineligibility_id: int


# -- who works where -----------------------------------------------------------------------------------
async def _team_of(uow: UnitOfWork, viewer: Staff) -> tuple[list[Staff], bool, int]:
    """The team a viewer sees: a manager their reports; a member their manager's team, where the
    entity allows it. Returns (members, as_manager, manager id)."""
    if viewer.has(Role.MANAGER):
        reports = await uow.staff.list_reports(viewer.id)
        if reports:
            return reports, True, viewer.id
    if viewer.manager_id is None:
        raise DomainError("team.no_team")
    policy = (await uow.entities.policy(viewer.entity_id)).homework
    if not policy.team_view_for_members:
        raise Forbidden("team.view_not_allowed")
    return await uow.staff.list_reports(viewer.manager_id), False, viewer.manager_id


async def team_week(uow: UnitOfWork, command: ShowTeamWeek, now: datetime) -> TeamWeek:
    if not 0 <= command.week_offset <= rules.MAX_WEEK_OFFSET:
        raise DomainError("team.week_out_of_range")
    async with uow:
        members, as_manager, manager_id = await _team_of(uow, command.actor)
        monday = work_week_start(now.date()) + timedelta(weeks=command.week_offset)
        days = week_days(monday)
        registrations = await uow.registrations.list_for_staff_ids([m.id for m in members], days[0], days[-1])
        ineligible: set[int] = set()
        if as_manager:  # who is not eligible is the manager's business, not the colleagues'
            markings = await uow.registrations.ineligibilities_for([m.id for m in members])
            ineligible = {m.staff_id for m in markings if any(m.covers(d) for d in days)}
        agreement = await uow.registrations.agreement(manager_id)
    by_staff: dict[int, dict[date, Registration]] = {m.id: {} for m in members}
    for registration in registrations:
        by_staff[registration.staff_id][registration.day] = registration
    return TeamWeek(
        monday=monday, days=days, as_manager=as_manager, week_offset=command.week_offset, agreement=agreement,
        members=[TeamMemberWeek(m, by_staff[m.id], m.id in ineligible) for m in members],
    )


# -- team agreement --------------------------------------------------------------------------------
async def agreement_of(uow: UnitOfWork, command: ShowAgreement, now: datetime) -> TeamAgreement:
    manager = command.actor
    rules.require_manager(manager)
    async with uow:
        return await uow.registrations.agreement(manager.id) or TeamAgreement(manager.id)


async def save_agreement(uow: UnitOfWork, command: SaveAgreement, now: datetime) -> TeamAgreement:
    """Set the team's anchor days and minimum office days; when they change, every member is told."""
    manager = command.actor
    rules.require_manager(manager)
    agreement = make_agreement(manager.id, command.anchor_weekdays, command.min_office_days)
    async with uow:
        members = await uow.staff.list_reports(manager.id)
        if not members:
            raise DomainError("team.no_reports")
        before = await uow.registrations.save_agreement(agreement)
        await uow.audit.record(
            _actor(manager), "team.agreement_saved", "team_agreement", manager.id,
            _agreement_snapshot(before), _agreement_snapshot(agreement),
        )
        if _agreement_snapshot(before) != _agreement_snapshot(agreement):
            notice = AgreementChanged(
                manager_name=manager.display_name, anchor_weekdays=tuple(sorted(agreement.anchor_weekdays)),
                min_office_days=agreement.min_office_days_per_week,
            )
            for member in members:
                await uow.outbox.add(member.id, notice, now)
        await uow.commit()
    return agreement


# -- eligibility registry --------------------------------------------------------------------------
async def eligibility_overview(uow: UnitOfWork, command: ShowEligibility, now: datetime) -> EligibilityView:
    manager, today = command.actor, now.date()
    rules.require_manager(manager)
    async with uow:
        members = await uow.staff.list_reports(manager.id)
        markings = await uow.registrations.ineligibilities_for([m.id for m in members], active_on=today)
    return EligibilityView([EligibilityRow(m, [x for x in markings if x.staff_id == m.id]) for m in members], today)


async def mark_ineligible(uow: UnitOfWork, command: MarkIneligible, now: datetime) -> MarkResult:
    """Mark a team member not eligible for hybrid work. Their registered home and satellite days
    from today within the period are removed; they are told why and by whom."""
    manager, today = command.actor, now.date()
    note = (command.note or "").strip() or None
    validate_ineligibility(command.reason, command.valid_from, command.valid_until, note)
    if command.valid_until is not None and command.valid_until < today:
        raise DomainError("team.eligibility_until_past")
    async with uow:
        member = await uow.staff.get(command.staff_id)
        if member is None:
            raise NotFound("team.member_not_found")
        rules.check_manages(manager, member)
        marking = await uow.registrations.add_ineligibility(
            staff_id=member.id, reason=command.reason, note=note, valid_from=command.valid_from,
            valid_until=command.valid_until, set_by=manager.id,
        )
        await uow.audit.record(_actor(manager), "eligibility.marked", "hybrid_ineligibility", marking.id, None, _marking_snapshot(marking))
        first = max(command.valid_from, today)
        last = command.valid_until or today + timedelta(days=MAX_DAYS_AHEAD)
        removed = 0
        for registration in await uow.registrations.list_for_staff(member.id, first, last):
            # Pending days stay for the manager to reject: only the requester withdraws an
            # approval, and approving is blocked for a day that is not eligible.
            if registration.place not in AWAY_PLACES or registration.status is not RegistrationStatus.REGISTERED:
                continue
            await uow.registrations.delete(registration.id)
            await uow.audit.record(
                _actor(manager), "homework.removed_not_eligible", AUDIT_SUBJECT, registration.id, snapshot(registration), None
            )
            removed += 1
        await uow.outbox.add(member.id, MarkedIneligible(
            ineligibility_id=marking.id, manager_name=manager.display_name, reason=marking.reason,
            valid_from=marking.valid_from, valid_until=marking.valid_until, note=marking.note, removed_days=removed,
        ), now)
        await uow.commit()
    return MarkResult(marking, member, removed)


async def lift_ineligibility(uow: UnitOfWork, command: LiftIneligibility, now: datetime) -> Lifted:
    manager = command.actor
    async with uow:
        marking = await uow.registrations.get_ineligibility(command.ineligibility_id, for_update=True)
        if marking is None:
            raise NotFound("team.marking_not_found")
        member = await uow.staff.get(marking.staff_id)
        rules.check_manages(manager, member)
        assert member is not None
        if not await uow.registrations.lift_ineligibility(marking.id, lifted_by=manager.id, at=now):
            raise Conflict("team.already_lifted")
        await uow.audit.record(
            _actor(manager), "eligibility.lifted", "hybrid_ineligibility", marking.id,
            _marking_snapshot(marking), _marking_snapshot(marking) | {"lifted": True},
        )
        await uow.outbox.add(
            member.id, IneligibilityLifted(ineligibility_id=marking.id, manager_name=manager.display_name, reason=marking.reason), now
        )
        await uow.commit()
    return Lifted(marking, member)
