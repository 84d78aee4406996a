"""A team's presence, its agreements and the eligibility registry.

Steps:
1. "team" (or the menu) -> who works where this week; a button shows next week. Managers see their
   reports; members see their own team when the entity allows it.
2. "afspraken" / "agreements" (managers) -> anchor days and minimum office days -> save -> the
   change shown (a value out of range answered beside the field) -> confirm; the team is told in
   one message a few minutes after the last change (further changes until then replace it).
3. "niet in aanmerking" / "eligibility" (managers) -> the registry of their team -> mark a member not
   eligible (reason, note, from/until) -> the registered days it cancels shown -> confirm; or lift
   a marking (the cancelled days still ahead come back). The member is told which days and why.
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
from dialogs.cards.homework import error_text
from dialogs.cards.team import (
    FLOW_TEAM,
    ConfirmAgreement,
    ConfirmMarkIneligible,
    LiftIneligibility,
    MarkIneligibleAction,
    SaveAgreement,
    ShowAgreement,
    ShowEligibility,
    ShowTeam,
    agreement_card,
    agreement_confirm_card,
    anchor_days_text,
    days_list,
    eligibility_card,
    mark_confirm_card,
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
    """Save pressed: a value out of range is answered beside the field; otherwise the change is
    shown for the manager to confirm before the team hears of it."""
    command = service.SaveAgreement(turn.me, tuple(payload.anchor_weekdays or ()), payload.min_office_days)
    change = await turn.run(service.preview_agreement, command)
    if change.refused is not None:
        return agreement_card(turn.t, change.before, error=error_text(turn.t, change.refused), entered=payload)
    if not change.changed:
        return agreement_card(turn.t, change.before, notice=turn.t("team.agreement_unchanged"))
    return agreement_confirm_card(turn.t, change)


@localized
async def on_confirm_agreement(turn: Turn, payload: ConfirmAgreement) -> Shown:
    command = service.SaveAgreement(turn.me, tuple(payload.anchor_weekdays or ()), payload.min_office_days)
    saved = await turn.run(service.save_agreement, command)
    if saved.announce_at is None:
        notice = turn.t("team.agreement_saved_nothing_to_tell")
    else:
        notice = turn.t("team.agreement_saved_announce", count=saved.team_size, time=turn.t.datetime(saved.announce_at, "HH:mm"))
    return agreement_card(turn.t, saved.agreement, notice=notice)


async def _eligibility(turn: Turn, notice: str | None = None) -> Shown:
    view = await turn.run(service.eligibility_overview, service.ShowEligibility(turn.me))
    return eligibility_card(turn.t, view.rows, view.today, notice=notice)


@localized
async def on_eligibility(turn: Turn, _payload: ShowEligibility) -> Shown:
    return await _eligibility(turn)


@localized
async def on_mark(turn: Turn, payload: MarkIneligibleAction) -> Shown:
    """The form sent: show what marking means (the registered days it cancels) and ask to confirm."""
    if payload.staff_id is None or payload.reason is None or payload.valid_from is None:
        raise DomainError("team.mark_incomplete")
    command = service.MarkIneligible(
        turn.me, payload.staff_id, payload.reason, payload.valid_from, payload.valid_until, payload.note
    )
    return mark_confirm_card(turn.t, await turn.run(service.preview_marking, command))


@localized
async def on_confirm_mark(turn: Turn, payload: ConfirmMarkIneligible) -> Shown:
    command = service.MarkIneligible(
        turn.me, payload.staff_id, payload.reason, payload.valid_from, payload.valid_until, payload.note
    )
    result = await turn.run(service.mark_ineligible, command)
    notice = turn.t("team.marked", name=result.member.display_name)
    if result.cancelled:
        notice += " " + turn.t("team.marked_cancelled", count=len(result.cancelled))
    return await _eligibility(turn, notice)


@localized
async def on_lift(turn: Turn, payload: LiftIneligibility) -> Shown:
    lifted = await turn.run(service.lift_ineligibility, service.LiftIneligibility(turn.me, payload.ineligibility_id))
    notice = turn.t("team.lifted", name=lifted.member.display_name)
    if lifted.restored:
        notice += " " + turn.t("team.lifted_restored", count=len(lifted.restored))
    return await _eligibility(turn, notice)


async def open_team(turn: Turn, _text: str) -> Shown:
    return await on_team(turn, ShowTeam())


async def open_agreement(turn: Turn, _text: str) -> Shown:
    return await on_agreement(turn, ShowAgreement())


async def open_eligibility(turn: Turn, _text: str) -> Shown:
    return await on_eligibility(turn, ShowEligibility())


# -- what the team and a member are told ---------------------------------------------------------------
def render_agreement_changed(notice: AgreementChanged, t: Translator) -> Message:
    anchors = anchor_days_text(t, notice.anchor_weekdays)
    minimum = t("team.office_days", count=notice.min_office_days)
    if notice.previous_min_office_days is not None:
        anchors = _changed(t, anchor_days_text(t, notice.previous_anchor_weekdays or ()), anchors)
        minimum = _changed(t, t("team.office_days", count=notice.previous_min_office_days), minimum)
    return Message(t("team.agreement_notice", manager=notice.manager_name, anchors=anchors, minimum=minimum))


def _changed(t: Translator, before: str, after: str) -> str:
    return after if before == after else t("team.agreement_change", before=before, after=after)


def render_marked_ineligible(notice: MarkedIneligible, t: Translator) -> Message:
    text = t(
        "team.eligibility_notice", manager=notice.manager_name, reason=t(f"team.reason_{notice.reason}"),
        period=period_text(t, notice.valid_from, notice.valid_until),
    )
    if notice.note:
        text += " " + t("team.eligibility_notice_note", note=notice.note)
    if notice.cancelled_days:
        text += "\n\n" + t("team.eligibility_notice_cancelled", count=len(notice.cancelled_days))
        text += "\n" + days_list(t, notice.cancelled_days)
    elif notice.removed_days:
        text += " " + t("team.eligibility_notice_removed", count=notice.removed_days)
    return Message(text)


def render_ineligibility_lifted(notice: IneligibilityLifted, t: Translator) -> Message:
    text = t("team.eligibility_lifted_notice", manager=notice.manager_name, reason=t(f"team.reason_{notice.reason}"))
    if notice.restored_days:
        text += "\n\n" + t("team.eligibility_lifted_restored", count=len(notice.restored_days))
        text += "\n" + days_list(t, notice.restored_days)
    return Message(text)


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
    router.action(ConfirmAgreement, on_confirm_agreement, roles=MANAGERS)
    router.action(ShowEligibility, on_eligibility, roles=MANAGERS)
    router.action(MarkIneligibleAction, on_mark, roles=MANAGERS)
    router.action(ConfirmMarkIneligible, on_confirm_mark, roles=MANAGERS)
    router.action(LiftIneligibility, on_lift, roles=MANAGERS)
    registry.notice(AgreementChanged, render_agreement_changed)
    registry.notice(MarkedIneligible, render_marked_ineligible)
    registry.notice(IneligibilityLifted, render_ineligibility_lifted)
