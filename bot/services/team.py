"""A manager's team: who works where this week and next, the team agreement (anchor days and the
minimum office days) and the hybrid-work eligibility registry. The team hears of a changed
agreement, a member of a marking and of its lifting, through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain import team as rules
from bot.domain.errors import Conflict, DomainError, Forbidden, NotFound
from bot.domain.homework import (
    MAX_DAYS_AHEAD,
    Ineligibility,
    IneligibilityReason,
    Registration,
    TeamAgreement,
    make_agreement,
    validate_ineligibility,
    week_days,
    work_week_start,
)
from bot.domain.staff import Role, Staff
from bot.domain.team import (
    AgreementChange,
    AgreementChanged,
    AgreementSaved,
    EligibilityRow,
    EligibilityView,
    IneligibilityLifted,
    Lifted,
    MarkedIneligible,
    MarkingPreview,
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


async def _proposed_agreement(uow: UnitOfWork, manager: Staff, command: SaveAgreement) -> TeamAgreement:
    """The agreement as asked for; a value out of range is refused, audited and nothing saved."""
    try:
        return make_agreement(manager.id, command.anchor_weekdays, command.min_office_days)
    except DomainError:
        await uow.audit.record(
            _actor(manager), "refused", "team_agreement", manager.id, None,
            {"anchor_weekdays": list(command.anchor_weekdays), "min_office_days_per_week": command.min_office_days},
        )
        await uow.commit()
        raise


async def preview_agreement(uow: UnitOfWork, command: SaveAgreement, now: datetime) -> AgreementChange:
    """The agreement the manager entered next to the current one, for them to confirm before the
    team is told; a value the rules refuse comes back as `refused`, with the current agreement, so
    the form can show it beside the field. Writes nothing but the audit of a refusal."""
    manager = command.actor
    rules.require_manager(manager)
    async with uow:
        members = await uow.staff.list_reports(manager.id)
        if not members:
            raise DomainError("team.no_reports")
        before = await uow.registrations.agreement(manager.id) or TeamAgreement(manager.id)
        try:
            after = await _proposed_agreement(uow, manager, command)
        except DomainError as refusal:
            return AgreementChange(before, None, len(members), refused=refusal)
    return AgreementChange(before, after, len(members))


async def save_agreement(uow: UnitOfWork, command: SaveAgreement, now: datetime) -> AgreementSaved:
    """Set the team's anchor days and minimum office days (the manager confirmed). Each member
    gets one message about it, `ANNOUNCE_AFTER` from now: a further change before then replaces
    that message, which then tells the whole change since what the team last heard."""
    manager = command.actor
    rules.require_manager(manager)
    async with uow:
        members = await uow.staff.list_reports(manager.id)
        if not members:
            raise DomainError("team.no_reports")
        agreement = await _proposed_agreement(uow, manager, command)
        before = await uow.registrations.save_agreement(agreement) or TeamAgreement(manager.id)
        await uow.audit.record(
            _actor(manager), "team.agreement_saved", "team_agreement", manager.id,
            _agreement_snapshot(before), _agreement_snapshot(agreement),
        )
        announce_at = await _announce(uow, manager, members, before, agreement, now)
        await uow.commit()
    return AgreementSaved(agreement, len(members), announce_at)


async def _announce(
    uow: UnitOfWork, manager: Staff, members: list[Staff], before: TeamAgreement, after: TeamAgreement, now: datetime
) -> datetime | None:
    pending = [
        p for p in await uow.outbox.unsent(AgreementChanged, [m.id for m in members], now)
        if p.notice.manager_id == manager.id
    ]
    told = before  # what the team last heard: the agreement before the first change not yet announced
    if pending and pending[0].notice.previous_min_office_days is not None:
        first = pending[0].notice
        told = TeamAgreement(manager.id, frozenset(first.previous_anchor_weekdays or ()), first.previous_min_office_days)
    await uow.outbox.withdraw([p.id for p in pending])
    if rules.same_agreement(told, after):
        return None
    announce_at = now + rules.ANNOUNCE_AFTER
    notice = AgreementChanged(
        manager_name=manager.display_name, manager_id=manager.id,
        anchor_weekdays=tuple(sorted(after.anchor_weekdays)), min_office_days=after.min_office_days_per_week,
        previous_anchor_weekdays=tuple(sorted(told.anchor_weekdays)), previous_min_office_days=told.min_office_days_per_week,
    )
    for member in members:
        await uow.outbox.add(member.id, notice, announce_at)
    return announce_at


# -- eligibility registry --------------------------------------------------------------------------
async def eligibility_overview(uow: UnitOfWork, command: ShowEligibility, now: datetime) -> EligibilityView:
    manager, today = command.actor, now.date()
    rules.require_manager(manager)
    async with uow:
        members = await uow.staff.list_reports(manager.id)
        markings = await uow.registrations.ineligibilities_for([m.id for m in members], active_on=today)
    return EligibilityView([EligibilityRow(m, [x for x in markings if x.staff_id == m.id]) for m in members], today)


async def _marking_target(uow: UnitOfWork, manager: Staff, command: MarkIneligible, today: date) -> tuple[Staff, str | None]:
    note = (command.note or "").strip() or None
    validate_ineligibility(command.reason, command.valid_from, command.valid_until, note)
    if command.valid_until is not None and command.valid_until < today:
        raise DomainError("team.eligibility_until_past")
    member = await uow.staff.get(command.staff_id)
    if member is None:
        raise NotFound("team.member_not_found")
    rules.check_manages(manager, member)
    return member, note


async def _days_in_period(uow: UnitOfWork, member: Staff, command: MarkIneligible, today: date) -> list[Registration]:
    last = command.valid_until or today + timedelta(days=MAX_DAYS_AHEAD)
    registrations = await uow.registrations.list_for_staff(member.id, max(command.valid_from, today), last)
    return rules.days_to_cancel(registrations, command.valid_from, command.valid_until, today)


async def preview_marking(uow: UnitOfWork, command: MarkIneligible, now: datetime) -> MarkingPreview:
    """What marking a member would do (the registered days it cancels), for the manager to confirm.
    Writes nothing."""
    today = now.date()
    async with uow:
        member, note = await _marking_target(uow, command.actor, command, today)
        days = await _days_in_period(uow, member, command, today)
    return MarkingPreview(member, command.reason, command.valid_from, command.valid_until, note, days)


async def mark_ineligible(uow: UnitOfWork, command: MarkIneligible, now: datetime) -> MarkResult:
    """Mark a team member not eligible for hybrid work (the manager confirmed the preview). Their
    registered home and satellite days after today within the period are cancelled and kept on the
    marking; they are told which, why and by whom."""
    manager, today = command.actor, now.date()
    async with uow:
        member, note = await _marking_target(uow, manager, command, today)
        same = (command.reason, command.valid_from, command.valid_until)
        if any((m.reason, m.valid_from, m.valid_until) == same for m in await uow.registrations.ineligibilities_for([member.id])):
            raise Conflict("team.already_marked")  # a second click on the confirmation
        marking = await uow.registrations.add_ineligibility(
            staff_id=member.id, reason=command.reason, note=note, valid_from=command.valid_from,
            valid_until=command.valid_until, set_by=manager.id,
        )
        cancelled = await _days_in_period(uow, member, command, today)
        for registration in cancelled:
            await uow.registrations.delete(registration.id)
            await uow.audit.record(
                _actor(manager), "homework.cancelled_not_eligible", AUDIT_SUBJECT, registration.id,
                snapshot(registration), {"ineligibility_id": marking.id},
            )
        await uow.registrations.record_cancelled_days(marking.id, cancelled)
        await uow.audit.record(
            _actor(manager), "eligibility.marked", "hybrid_ineligibility", marking.id, None,
            _marking_snapshot(marking) | {"cancelled_days": [r.day.isoformat() for r in cancelled]},
        )
        await uow.outbox.add(member.id, MarkedIneligible(
            ineligibility_id=marking.id, manager_name=manager.display_name, reason=marking.reason,
            valid_from=marking.valid_from, valid_until=marking.valid_until, note=marking.note,
            cancelled_days=tuple(r.day for r in cancelled),
        ), now)
        await uow.commit()
    return MarkResult(marking, member, cancelled)


async def lift_ineligibility(uow: UnitOfWork, command: LiftIneligibility, now: datetime) -> Lifted:
    """Lift a marking. The days it cancelled that are still ahead come back as they were, unless
    the member registered something else on them since or another marking covers them; the
    member is told which."""
    manager, today = command.actor, now.date()
    async with uow:
        marking = await uow.registrations.get_ineligibility(command.ineligibility_id, for_update=True)
        if marking is None:
            raise NotFound("team.marking_not_found")
        member = await uow.staff.get(marking.staff_id)
        rules.check_manages(manager, member)
        assert member is not None
        if not await uow.registrations.lift_ineligibility(marking.id, lifted_by=manager.id, at=now):
            raise Conflict("team.already_lifted")
        restored: list[Registration] = []
        if marking.cancelled_days:
            first, last = min(r.day for r in marking.cancelled_days), max(r.day for r in marking.cancelled_days)
            taken = [r.day for r in await uow.registrations.list_for_staff(member.id, first, last)]
            others = [m for m in await uow.registrations.ineligibilities_for([member.id]) if m.id != marking.id]
            for day in rules.days_to_restore(marking.cancelled_days, taken, others, today):
                registration = await uow.registrations.save_day(
                    staff_id=member.id, day=day.day, place=day.place, part=day.part, status=day.status,
                    satellite_location=day.satellite_location, source=day.source,
                )
                await uow.audit.record(
                    _actor(manager), "homework.restored_eligible", AUDIT_SUBJECT, registration.id,
                    None, snapshot(registration) | {"ineligibility_id": marking.id},
                )
                restored.append(registration)
        await uow.audit.record(
            _actor(manager), "eligibility.lifted", "hybrid_ineligibility", marking.id,
            _marking_snapshot(marking), _marking_snapshot(marking) | {
                "lifted": True, "restored_days": [r.day.isoformat() for r in restored],
            },
        )
        await uow.outbox.add(member.id, IneligibilityLifted(
            ineligibility_id=marking.id, manager_name=manager.display_name, reason=marking.reason,
            restored_days=tuple(r.day for r in restored),
        ), now)
        await uow.commit()
    return Lifted(marking, member, restored)
