"""A manager's team: who works where in a week, the team agreement and the hybrid-work
eligibility registry as the use cases return them; who may act on whom; and what the team and a
member are told (notices, rendered by dialogs/team.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.calendar import holiday_name
from bot.domain.errors import Forbidden
from bot.domain.homework import (
    Ineligibility,
    IneligibilityReason,
    Registration,
    RegistrationStatus,
    TeamAgreement,
)
from bot.domain.notifications import Notice
from bot.domain.staff import Role, Staff

MAX_WEEK_OFFSET = 1  # this week and next


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


@dataclass(frozen=True)
class MarkResult:
    marking: Ineligibility
    member: Staff
    removed_days: int


@dataclass(frozen=True)
class Lifted:
    marking: Ineligibility
    member: Staff


# -- notices -----------------------------------------------------------------------------------------
class AgreementChanged(Notice, kind="team.agreement_changed"):
    """To every team member: their manager changed the team's anchor days or minimum office days."""

    manager_name: str
    anchor_weekdays: tuple[int, ...]
    min_office_days: int


class MarkedIneligible(Notice, kind="team.marked_ineligible"):
    """To the member: their manager marked them not eligible for hybrid work, and why."""

    ineligibility_id: int
    manager_name: str
    reason: IneligibilityReason
    valid_from: date
    valid_until: date | None = None
    note: str | None = None
    removed_days: int = 0  # registered home and satellite days removed with the marking


class IneligibilityLifted(Notice, kind="team.ineligibility_lifted"):
    """To the member: the marking was lifted."""

    ineligibility_id: int
    manager_name: str
    reason: IneligibilityReason
