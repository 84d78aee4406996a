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
from bot.domain.notifications import Message
from bot.domain.staff import Role
from bot.domain.team import AgreementChanged, IneligibilityLifted, MarkedIneligible
from bot.i18n import Translator
from bot.registry import Registry
from bot.routing import Shown
from bot.services import team as service
from bot.turn import Turn
from dialogs.cards.team import (
    FLOW_TEAM,
    LiftIneligibility,
    MarkIneligibleAction,
    SaveAgreement,
    ShowAgreement,
    ShowEligibility,
    ShowTeam,
    agreement_card,
    anchor_days_text,
    eligibility_card,
    period_text,
    team_week_card,
)
from dialogs.homework import localized

MANAGERS = (Role.MANAGER,)
TEAM_PHRASES = ("team", "mijn team", "my team", "wie werkt waar", "who works where")
AGREEMENT_PHRASES = ("afspraken", "teamafspraken", "agreements", "team agreements")
ELIGIBILITY_PHRASES = ("niet in aanmerking", "eligibility")


@localized
async def on_team(turn: Turn, payload: ShowTeam) -> Shown:
    view = await turn.run(service.team_week, service.ShowTeamWeek(turn.me, payload.week))
    return team_week_card(turn.t, view)


@localized
async def on_agreement(turn: Turn, _payload: ShowAgreement) -> Shown:
    agreement = await turn.run(service.agreement_of, service.ShowAgreement(turn.me))
    return agreement_card(turn.t, agreement)


@localized
async def on_save_agreement(turn: Turn, payload: SaveAgreement) -> Shown:
    command = service.SaveAgreement(turn.me, tuple(payload.anchor_weekdays or ()), payload.min_office_days)
    agreement = await turn.run(service.save_agreement, command)
    return agreement_card(turn.t, agreement, notice=turn.t("team.agreement_saved"))


async def _eligibility(turn: Turn, notice: str | None = None) -> Shown:
    view = await turn.run(service.eligibility_overview, service.ShowEligibility(turn.me))
    return eligibility_card(turn.t, view.rows, view.today, notice=notice)


@localized
async def on_eligibility(turn: Turn, _payload: ShowEligibility) -> Shown:
    return await _eligibility(turn)


@localized
async def on_mark(turn: Turn, payload: MarkIneligibleAction) -> Shown:
    if payload.staff_id is None or payload.reason is None or payload.valid_from is None:
        raise DomainError("team.mark_incomplete")
    command = service.MarkIneligible(
        turn.me, payload.staff_id, payload.reason, payload.valid_from, payload.valid_until, payload.note
    )
    result = await turn.run(service.mark_ineligible, command)
    return await _eligibility(turn, turn.t("team.marked", name=result.member.display_name))


@localized
async def on_lift(turn: Turn, payload: LiftIneligibility) -> Shown:
    lifted = await turn.run(service.lift_ineligibility, service.LiftIneligibility(turn.me, payload.ineligibility_id))
    return await _eligibility(turn, turn.t("team.lifted", name=lifted.member.display_name))


async def open_team(turn: Turn, _text: str) -> Shown:
    return await on_team(turn, ShowTeam())


async def open_agreement(turn: Turn, _text: str) -> Shown:
    return await on_agreement(turn, ShowAgreement())


async def open_eligibility(turn: Turn, _text: str) -> Shown:
    return await on_eligibility(turn, ShowEligibility())


# -- what the team and a member are told ---------------------------------------------------------------
def render_agreement_changed(notice: AgreementChanged, t: Translator) -> Message:
    return Message(t(
        "team.agreement_notice", manager=notice.manager_name, anchors=anchor_days_text(t, notice.anchor_weekdays),
        minimum=notice.min_office_days,
    ))


def render_marked_ineligible(notice: MarkedIneligible, t: Translator) -> Message:
    text = t(
        "team.eligibility_notice", manager=notice.manager_name, reason=t(f"team.reason_{notice.reason}"),
        period=period_text(t, notice.valid_from, notice.valid_until),
    )
    if notice.note:
        text += " " + t("team.eligibility_notice_note", note=notice.note)
    if notice.removed_days:
        text += " " + t("team.eligibility_notice_removed", count=notice.removed_days)
    return Message(text)


def render_ineligibility_lifted(notice: IneligibilityLifted, t: Translator) -> Message:
    return Message(t("team.eligibility_lifted_notice", manager=notice.manager_name, reason=t(f"team.reason_{notice.reason}")))


def register(registry: Registry) -> None:
    """Register this flow's commands, card verbs and notices."""
    router = registry.router
    # Members may see their team where the entity allows it; the use case checks that.
    router.opener(FLOW_TEAM, open_team)
    router.command(TEAM_PHRASES, open_team)
    router.command(AGREEMENT_PHRASES, open_agreement, roles=MANAGERS)
    router.command(ELIGIBILITY_PHRASES, open_eligibility, roles=MANAGERS)
    router.action(ShowTeam, on_team)
    router.action(ShowAgreement, on_agreement, roles=MANAGERS)
    router.action(SaveAgreement, on_save_agreement, roles=MANAGERS)
    router.action(ShowEligibility, on_eligibility, roles=MANAGERS)
    router.action(MarkIneligibleAction, on_mark, roles=MANAGERS)
    router.action(LiftIneligibility, on_lift, roles=MANAGERS)
    registry.notice(AgreementChanged, render_agreement_changed)
    registry.notice(MarkedIneligible, render_marked_ineligible)
    registry.notice(IneligibilityLifted, render_ineligibility_lifted)
