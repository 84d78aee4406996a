"""A manager's team: who works where this week and next, the team agreement (anchor days and the
minimum office days) and the hybrid-work eligibility registry."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.domain.errors import Conflict, DomainError, Forbidden, NotFound
from bot.domain.homework import (
    AWAY_PLACES,
    MAX_DAYS_AHEAD,
    Ineligibility,
    Registration,
    TeamAgreement,
    make_agreement,
    validate_ineligibility,
    week_days,
    work_week_start,
)
from bot.domain.staff import Role, Staff
from bot.i18n import Translator
from bot.services.homework import AUDIT_SUBJECT, snapshot

if TYPE_CHECKING:
    from bot.runtime import Services
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_WEEK_OFFSET = 1  # this week and next


@dataclass(frozen=True)
class TeamMemberWeek:
    staff: Staff
    days: dict[date, Registration]
    ineligible: bool = False


@dataclass(frozen=True)
class TeamWeek:
    monday: date
    days: list[date]
    members: list[TeamMemberWeek]
    as_manager: bool
    week_offset: int
    agreement: TeamAgreement | None


async def team_of(uow: UnitOfWork, viewer: Staff) -> tuple[list[Staff], bool, int]:
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


async def team_week(uow: UnitOfWork, viewer: Staff, week_offset: int, today: date) -> TeamWeek:
    if not 0 <= week_offset <= MAX_WEEK_OFFSET:
        raise DomainError("team.week_out_of_range")
    members, as_manager, manager_id = await team_of(uow, viewer)
    monday = work_week_start(today) + timedelta(weeks=week_offset)
    days = week_days(monday)
    registrations = await uow.registrations.list_for_staff_ids([m.id for m in members], days[0], days[-1])
    by_staff: dict[int, dict[date, Registration]] = {m.id: {} for m in members}
    for registration in registrations:
        by_staff[registration.staff_id][registration.day] = registration
    ineligible: set[int] = set()
    if as_manager:  # who is not eligible is the manager's business, not the colleagues'
        ineligible = {m.staff_id for m in await uow.registrations.ineligibilities_for([s.id for s in members]) if any(m.covers(d) for d in days)}
    return TeamWeek(
        monday=monday, days=days, as_manager=as_manager, week_offset=week_offset,
        members=[TeamMemberWeek(m, by_staff[m.id], m.id in ineligible) for m in members],
        agreement=await uow.registrations.agreement(manager_id),
    )


# -- team agreement --------------------------------------------------------------------------------


def _require_manager(actor: Staff) -> None:
    if not actor.has(Role.MANAGER):
        raise Forbidden("team.managers_only")


async def agreement_of(uow: UnitOfWork, manager: Staff) -> TeamAgreement:
    _require_manager(manager)
    return await uow.registrations.agreement(manager.id) or TeamAgreement(manager.id)


def _agreement_snapshot(agreement: TeamAgreement | None) -> dict | None:
    if agreement is None:
        return None
    return {"anchor_weekdays": sorted(agreement.anchor_weekdays), "min_office_days_per_week": agreement.min_office_days_per_week}


async def save_agreement(
    services: Services, manager: Staff, anchor_weekdays: list[int], min_office_days: int, *, correlation_id: str | None = None
) -> TeamAgreement:
    """Set the team's anchor days and minimum office days; the team members are told."""
    _require_manager(manager)
    agreement = make_agreement(manager.id, anchor_weekdays, min_office_days)
    async with services.uow(correlation_id) as uow:
        members = await uow.staff.list_reports(manager.id)
        if not members:
            raise DomainError("team.no_reports")
        before = await uow.registrations.save_agreement(agreement)
        await uow.audit.record(
            f"staff:{manager.id}", "team.agreement_saved", "team_agreement", manager.id,
            _agreement_snapshot(before), _agreement_snapshot(agreement),
        )
        await uow.commit()
    if _agreement_snapshot(before) != _agreement_snapshot(agreement):
        for member in members:
            await services.proactive.notify(member.aad_object_id, _agreement_notice(agreement, manager), member.language)
    return agreement


def weekday_names(t: Translator, weekdays: Iterable[int]) -> str:
    monday = date(2026, 11, 23)  # any Monday: only the weekday's name is used
    return ", ".join(t.date(monday + timedelta(days=d), "EEEE") for d in sorted(weekdays))


def _agreement_notice(agreement: TeamAgreement, manager: Staff) -> Callable[[Translator], str]:
    def render(t: Translator) -> str:
        anchors = weekday_names(t, agreement.anchor_weekdays) if agreement.anchor_weekdays else t("team.no_anchor_days")
        return t("team.agreement_notice", manager=manager.display_name, anchors=anchors, minimum=agreement.min_office_days_per_week)

    return render


# -- eligibility registry --------------------------------------------------------------------------


@dataclass(frozen=True)
class EligibilityRow:
    staff: Staff
    markings: list[Ineligibility]


@dataclass(frozen=True)
class MarkIneligible:
    staff_id: int
    reason: str
    valid_from: date
    valid_until: date | None = None
    note: str | None = None


def _may_manage(actor: Staff, member: Staff) -> bool:
    return (actor.has(Role.MANAGER) and member.manager_id == actor.id) or actor.has(Role.ADMIN)


async def eligibility_overview(uow: UnitOfWork, manager: Staff, today: date) -> list[EligibilityRow]:
    _require_manager(manager)
    members = await uow.staff.list_reports(manager.id)
    markings = await uow.registrations.ineligibilities_for([m.id for m in members], active_on=today)
    return [EligibilityRow(m, [x for x in markings if x.staff_id == m.id]) for m in members]


def _marking_snapshot(marking: Ineligibility) -> dict:
    return {
        "staff_id": marking.staff_id, "reason": marking.reason, "note": marking.note,
        "valid_from": marking.valid_from.isoformat(),
        "valid_until": marking.valid_until.isoformat() if marking.valid_until else None,
        "lifted": marking.lifted_at is not None,
    }


@dataclass(frozen=True)
class MarkResult:
    marking: Ineligibility
    member: Staff
    removed_days: int


async def mark_ineligible(
    services: Services, manager: Staff, command: MarkIneligible, *, correlation_id: str | None = None
) -> MarkResult:
    """Mark a team member not eligible for hybrid work. Their registered home and satellite days
    from today within the period are removed; they are told why and by whom."""
    note = (command.note or "").strip() or None
    validate_ineligibility(command.reason, command.valid_from, command.valid_until, note)
    now = services.clock.now()
    today = now.date()
    if command.valid_until is not None and command.valid_until < today:
        raise DomainError("team.eligibility_until_past")
    actor = f"staff:{manager.id}"
    async with services.uow(correlation_id) as uow:
        member = await uow.staff.get(command.staff_id)
        if member is None:
            raise NotFound("team.member_not_found")
        if not _may_manage(manager, member):
            raise Forbidden("team.not_your_member")
        marking = await uow.registrations.add_ineligibility(
            staff_id=member.id, reason=command.reason, note=note, valid_from=command.valid_from,
            valid_until=command.valid_until, set_by=manager.id,
        )
        await uow.audit.record(actor, "eligibility.marked", "hybrid_ineligibility", marking.id, None, _marking_snapshot(marking))
        first = max(command.valid_from, today)
        last = command.valid_until or today + timedelta(days=MAX_DAYS_AHEAD)
        removed = 0
        for registration in await uow.registrations.list_for_staff(member.id, first, last):
            # Pending days stay for the manager to reject: only the requester withdraws an
            # approval, and approving is blocked for a day that is not eligible.
            if registration.place not in AWAY_PLACES or registration.status != "registered":
                continue
            await uow.registrations.delete(registration.id)
            await uow.audit.record(actor, "homework.removed_not_eligible", AUDIT_SUBJECT, registration.id, snapshot(registration), None)
            removed += 1
        await uow.commit()
    result = MarkResult(marking, member, removed)
    await services.proactive.notify(member.aad_object_id, _marking_notice(result, manager), member.language)
    return result


def _period(t: Translator, valid_from: date, valid_until: date | None) -> str:
    if valid_until is None:
        return t("team.period_open", since=t.date(valid_from))
    return t("team.period_closed", since=t.date(valid_from), until=t.date(valid_until))


def _marking_notice(result: MarkResult, manager: Staff) -> Callable[[Translator], str]:
    marking = result.marking

    def render(t: Translator) -> str:
        text = t(
            "team.eligibility_notice", manager=manager.display_name, reason=t(f"team.reason_{marking.reason}"),
            period=_period(t, marking.valid_from, marking.valid_until),
        )
        if marking.note:
            text += " " + t("team.eligibility_notice_note", note=marking.note)
        if result.removed_days:
            text += " " + t("team.eligibility_notice_removed", count=result.removed_days)
        return text

    return render


def _lift_notice(marking: Ineligibility, manager: Staff) -> Callable[[Translator], str]:
    def render(t: Translator) -> str:
        return t("team.eligibility_lifted_notice", manager=manager.display_name, reason=t(f"team.reason_{marking.reason}"))

    return render


async def lift_ineligibility(
    services: Services, manager: Staff, ineligibility_id: int, *, correlation_id: str | None = None
) -> tuple[Ineligibility, Staff]:
    now = services.clock.now()
    async with services.uow(correlation_id) as uow:
        marking = await uow.registrations.get_ineligibility(ineligibility_id, for_update=True)
        if marking is None:
            raise NotFound("team.marking_not_found")
        member = await uow.staff.get(marking.staff_id)
        if member is None or not _may_manage(manager, member):
            raise Forbidden("team.not_your_member")
        if not await uow.registrations.lift_ineligibility(marking.id, lifted_by=manager.id, at=now):
            raise Conflict("team.already_lifted")
        await uow.audit.record(
            f"staff:{manager.id}", "eligibility.lifted", "hybrid_ineligibility", marking.id,
            _marking_snapshot(marking), _marking_snapshot(marking) | {"lifted": True},
        )
        await uow.commit()
    await services.proactive.notify(member.aad_object_id, _lift_notice(marking, manager), member.language)
    return marking, member
