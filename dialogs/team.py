"""A team's presence, its agreements and the eligibility registry.

Steps:
1. "team" (or the menu) -> who works where this week; a button shows next week. Managers see their
   reports; members see their own team when the entity allows it.
2. "afspraken" / "agreements" (managers) -> anchor days and minimum office days -> save; the team is told.
3. "niet in aanmerking" / "eligibility" (managers) -> the registry of their team -> mark a member not
   eligible (reason, note, from/until) or lift a marking; the member is told.
"""

from __future__ import annotations

from bot.domain.errors import DomainError
from bot.domain.staff import Role
from bot.registry import Registry
from bot.routing import Shown
from bot.services.team import (
    MarkIneligible,
    agreement_of,
    eligibility_overview,
    lift_ineligibility,
    mark_ineligible,
    save_agreement,
    team_week,
)
from bot.turn import Turn
from dialogs.cards.team import (
    LiftIneligibility,
    MarkIneligibleAction,
    SaveAgreement,
    ShowAgreement,
    ShowEligibility,
    ShowTeam,
    agreement_card,
    eligibility_card,
    team_week_card,
)
from dialogs.homework import localized

MANAGERS = (Role.MANAGER,)
TEAM_PHRASES = ("team", "mijn team", "my team", "wie werkt waar", "who works where")
AGREEMENT_PHRASES = ("afspraken", "teamafspraken", "agreements", "team agreements")
ELIGIBILITY_PHRASES = ("niet in aanmerking", "eligibility")


@localized
async def on_team(turn: Turn, payload: ShowTeam) -> Shown:
    async with turn.uow() as uow:
        view = await team_week(uow, turn.me, payload.week, turn.today())
    return team_week_card(turn.t, view)


@localized
async def on_agreement(turn: Turn, _payload: ShowAgreement) -> Shown:
    async with turn.uow() as uow:
        agreement = await agreement_of(uow, turn.me)
    return agreement_card(turn.t, agreement)


@localized
async def on_save_agreement(turn: Turn, payload: SaveAgreement) -> Shown:
    agreement = await save_agreement(
        turn.services, turn.me, payload.weekday_numbers(), payload.min_office_days, correlation_id=turn.correlation_id
    )
    return agreement_card(turn.t, agreement, notice=turn.t("team.agreement_saved"))


async def _eligibility(turn: Turn, notice: str | None = None) -> Shown:
    async with turn.uow() as uow:
        rows = await eligibility_overview(uow, turn.me, turn.today())
    return eligibility_card(turn.t, rows, turn.today(), notice=notice)


@localized
async def on_eligibility(turn: Turn, _payload: ShowEligibility) -> Shown:
    return await _eligibility(turn)


@localized
async def on_mark(turn: Turn, payload: MarkIneligibleAction) -> Shown:
    if payload.staff_id is None or payload.reason is None or payload.valid_from is None:
        raise DomainError("team.mark_incomplete")
    result = await mark_ineligible(
        turn.services, turn.me,
        MarkIneligible(payload.staff_id, payload.reason, payload.valid_from, payload.valid_until, payload.note),
        correlation_id=turn.correlation_id,
    )
    return await _eligibility(turn, turn.t("team.marked", name=result.member.display_name))


@localized
async def on_lift(turn: Turn, payload: LiftIneligibility) -> Shown:
    _, member = await lift_ineligibility(turn.services, turn.me, payload.ineligibility_id, correlation_id=turn.correlation_id)
    return await _eligibility(turn, turn.t("team.lifted", name=member.display_name))


def register(registry: Registry) -> None:
    router = registry.router
    async def open_team(turn: Turn, _text: str) -> Shown:
        return await on_team(turn, ShowTeam())

    async def open_agreement(turn: Turn, _text: str) -> Shown:
        return await on_agreement(turn, ShowAgreement())

    async def open_eligibility(turn: Turn, _text: str) -> Shown:
        return await on_eligibility(turn, ShowEligibility())

    # Members may see their team where the entity allows it; the service checks that.
    router.opener("team", open_team)
    router.command(TEAM_PHRASES, open_team)
    router.command(AGREEMENT_PHRASES, open_agreement, roles=MANAGERS)
    router.command(ELIGIBILITY_PHRASES, open_eligibility, roles=MANAGERS)
    router.action(ShowTeam, on_team)
    router.action(ShowAgreement, on_agreement, roles=MANAGERS)
    router.action(SaveAgreement, on_save_agreement, roles=MANAGERS)
    router.action(ShowEligibility, on_eligibility, roles=MANAGERS)
    router.action(MarkIneligibleAction, on_mark, roles=MANAGERS)
    router.action(LiftIneligibility, on_lift, roles=MANAGERS)
