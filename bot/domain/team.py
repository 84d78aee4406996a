"""A manager's team: who works where in a week, the team agreement and the hybrid-work
eligibility registry as the use cases return them; who may act on whom; and what the team and a
member are told (notices, rendered by dialogs/team.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.calendar import holiday_name
from bot.domain.errors import DomainError, Forbidden
from bot.domain.homework import (
    AWAY_PLACES,
    Ineligibility,
    IneligibilityReason,
    Registration,
    RegistrationStatus,
    TeamAgreement,
)
from bot.domain.notifications import Notice
from bot.domain.staff import Role, Staff

MAX_WEEK_OFFSET = 1  # this week and next
# A manager often adjusts an agreement in a few clicks: the team hears of it once, this long
# after the last change (each further change in that time replaces the pending message).
ANNOUNCE_AFTER = timedelta(minutes=5)


def require_manager(actor: Staff) -> None:
    if not actor.has(Role.MANAGER):
        raise Forbidden("team.managers_only")


def may_manage(actor: Staff, member: Staff) -> bool:
    """A member's own manager (or an admin) marks and lifts their eligibility."""
    return (actor.has(Role.MANAGER) and member.manager_id == actor.id) or actor.has(Role.ADMIN)


def check_manages(actor: Staff, member: Staff | None) -> None:
    if member is None or not may_manage(actor, member):
        raise Forbidden("team.not_your_member")


@dataclass(frozen=True)
class TeamMemberWeek:
    staff: Staff
    days: dict[date, Registration]
    ineligible: bool = False

    def on(self, day: date) -> Registration | None:
        """What the member registered for the day; a rejected day is an office day like any other."""
        registration = self.days.get(day)
        return None if registration is None or registration.status is RegistrationStatus.REJECTED else registration


@dataclass(frozen=True)
class TeamWeek:
    monday: date
    days: list[date]
    members: list[TeamMemberWeek]
    as_manager: bool
    week_offset: int
    agreement: TeamAgreement | None

    def is_holiday(self, day: date) -> bool:
        return holiday_name(day) is not None

    def is_anchor_day(self, day: date) -> bool:
        return self.agreement is not None and self.agreement.is_anchor_day(day)


@dataclass(frozen=True)
class EligibilityRow:
    staff: Staff
    markings: list[Ineligibility]


@dataclass(frozen=True)
class EligibilityView:
    rows: list[EligibilityRow]
    today: date  # a marking starts today at the earliest


def days_to_cancel(registrations: Iterable[Registration], valid_from: date, valid_until: date | None, today: date) -> list[Registration]:
    """The registered days a marking cancels: home and satellite days after today within its
    period. Today and the past are facts and stay; a pending day stays for the manager to reject
    (approving it is refused while the member is not eligible)."""
    return sorted(
        (
            r for r in registrations
            if r.place in AWAY_PLACES and r.status is RegistrationStatus.REGISTERED
            and r.day > today and valid_from <= r.day and (valid_until is None or r.day <= valid_until)
        ),
        key=lambda r: r.day,
    )


def days_to_restore(
    cancelled: Iterable[Registration], taken: Iterable[date], other_markings: Sequence[Ineligibility], today: date
) -> list[Registration]:
    """The cancelled days lifting a marking gives back: those still ahead (today included), on
    which the member registered nothing since and that no other marking covers."""
    taken_days = set(taken)
    return sorted(
        (
            r for r in cancelled
            if r.day >= today and r.day not in taken_days and not any(m.covers(r.day) for m in other_markings)
        ),
        key=lambda r: r.day,
    )


@dataclass(frozen=True)
class MarkingPreview:
    """What marking a member would do, shown to the manager before they confirm."""

    member: Staff
    reason: IneligibilityReason
    valid_from: date
    valid_until: date | None
    note: str | None
    days_to_cancel: list[Registration]


@dataclass(frozen=True)
class MarkResult:
    marking: Ineligibility
    member: Staff
    cancelled: list[Registration]


@dataclass(frozen=True)
class Lifted:
    marking: Ineligibility
    member: Staff
    restored: list[Registration]


@dataclass(frozen=True)
class AgreementChange:
    """A proposed agreement next to the current one, for the manager to confirm."""

    before: TeamAgreement
    after: TeamAgreement | None  # None when refused
    team_size: int
    refused: DomainError | None = None  # a value out of range: shown beside the field, nothing saved

    @property
    def changed(self) -> bool:
        return self.after is not None and not same_agreement(self.before, self.after)


@dataclass(frozen=True)
class AgreementSaved:
    agreement: TeamAgreement
    team_size: int
    announce_at: datetime | None  # None: the team has nothing new to hear (back to what it was told)


def same_agreement(a: TeamAgreement, b: TeamAgreement) -> bool:
    return a.anchor_weekdays == b.anchor_weekdays and a.min_office_days_per_week == b.min_office_days_per_week


# -- notices -----------------------------------------------------------------------------------------
class AgreementChanged(Notice, kind="team.agreement_changed"):
    """To every team member: their manager changed the team's anchor days or minimum office days."""

    manager_name: str
    anchor_weekdays: tuple[int, ...]
    min_office_days: int
    # What the team last heard (None in notices recorded before it was kept); the manager who
    # changed it, so that a later change in the same few minutes replaces this notice.
    previous_anchor_weekdays: tuple[int, ...] | None = None
    previous_min_office_days: int | None = None
    manager_id: int | None = None


class MarkedIneligible(Notice, kind="team.marked_ineligible"):
    """To the member: their manager marked them not eligible for hybrid work, and why."""

    ineligibility_id: int
    manager_name: str
    reason: IneligibilityReason
    valid_from: date
    valid_until: date | None = None
    note: str | None = None
    removed_days: int = 0  # notices recorded before the cancelled days were listed carry a count only
    cancelled_days: tuple[date, ...] = ()  # registered home and satellite days cancelled with the marking


class IneligibilityLifted(Notice, kind="team.ineligibility_lifted"):
    """To the member: the marking was lifted, and which of the days it cancelled are registered again."""

    ineligibility_id: int
    manager_name: str
    reason: IneligibilityReason
    restored_days: tuple[date, ...] = ()
