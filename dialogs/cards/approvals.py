"""The approval card family: one card per approval (buttons for whoever may decide, the status for
everyone else, the outcome after a decision), the pending list with bulk approve, and deputies.

The card words what the use cases return as facts (`bot.domain.approvals.ApprovalView`); how one
subject type's facts read (title, fact lines, warning) is its wording, registered per subject type
(`registry.approval_wording`, see dialogs/cards/homework_approvals.py and equipment_approvals.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from microsoft_teams.cards import (
    ActionSet,
    AdaptiveCard,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    ShowCardAction,
    TextInput,
)
from pydantic import BeforeValidator, Field

from bot.actions import ActionData, Id, IdList, OptionalId
from bot.domain.approvals import (
    MAX_COMMENT_LENGTH,
    ApprovalDecided,
    ApprovalEscalated,
    ApprovalStatus,
    ApprovalView,
    EscalatedTo,
    Verdict,
)
from bot.i18n import Translator
from dialogs.cards.base import card, execute, facts, heading, notice, text, title, with_menu

COMMENT_INPUT = "comment"
REASON_INPUT = "reason"
BULK_INPUT = "approval_ids"
DEPUTY_CHOICE_INPUT = "deputy_id"
DEPUTY_EMAIL_INPUT = "deputy_email"
DEPUTY_FROM_INPUT = "valid_from"
DEPUTY_UNTIL_INPUT = "valid_until"
WHEN = "d MMMM yyyy HH:mm"


def _unreadable_date_to_none(value: Any) -> Any:
    """A date input left empty or holding something that is no date: the flow asks again."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return value


FormDate = Annotated[date | None, BeforeValidator(_unreadable_date_to_none)]


class RefreshApproval(ActionData, verb="approval.refresh"):
    approval_id: Id


class DecideApproval(ActionData, verb="approval.decide", card_inputs=(COMMENT_INPUT, REASON_INPUT)):
    approval_id: Id
    decision: Verdict
    confirm: bool = False
    from_list: bool = False  # the card was opened from the pending list: deciding goes back to it
    comment: str | None = Field(default=None, max_length=4000)
    reason: str | None = Field(default=None, max_length=4000)  # the rejection's reason (its own input)

    @property
    def remark(self) -> str | None:
        """What the decider wrote: for a rejection its reason (or, without one, the comment)."""
        if self.decision is Verdict.REJECT:
            return (self.reason or "").strip() or self.comment
        return self.comment


class ShowApproval(ActionData, verb="approval.show"):
    approval_id: Id
    from_list: bool = False


class ShowPending(ActionData, verb="approval.pending"):
    """The pending list as it stands now (its refresh action and the way back from a request)."""


class BulkApprove(ActionData, verb="approval.bulk", card_inputs=(BULK_INPUT,)):
    approval_ids: IdList = Field(default_factory=list)


class AddDeputy(
    ActionData, verb="approval.deputy_add",
    card_inputs=(DEPUTY_CHOICE_INPUT, DEPUTY_EMAIL_INPUT, DEPUTY_FROM_INPUT, DEPUTY_UNTIL_INPUT),
):
    deputy_id: OptionalId = None
    deputy_email: str | None = Field(default=None, max_length=320)
    valid_from: FormDate = None
    valid_until: FormDate = None


class RemoveDeputy(ActionData, verb="approval.deputy_remove"):
    deputy_row_id: Id


_STATUS_KEYS = {
    ApprovalStatus.PENDING: "approvals.status_pending",
    ApprovalStatus.APPROVED: "approvals.status_approved",
    ApprovalStatus.REJECTED: "approvals.status_rejected",
    ApprovalStatus.CANCELLED: "approvals.status_cancelled",
}
_STATUS_COLOURS = {
    ApprovalStatus.PENDING: "Accent", ApprovalStatus.APPROVED: "Good", ApprovalStatus.REJECTED: "Attention",
    ApprovalStatus.CANCELLED: "Default",
}


@dataclass(frozen=True)
class SubjectText:
    """One subject's facts in the reader's language."""

    title: str  # e.g. "Thuiswerk van Stan Staff op vrijdag 27 november 2026"
    facts: list[tuple[str, str]] = field(default_factory=list)
    warning: str | None = None  # e.g. over budget, anchor day


def status_label(t: Translator, status: ApprovalStatus) -> str:
    return t(_STATUS_KEYS[status])


def _reject(t: Translator, view: ApprovalView, from_list: bool) -> ShowCardAction:
    """Reject opens its own small form: the reason (required when the entity asks for one) and the
    button that rejects, so a rejection is never one stray click."""
    reason = TextInput(
        id=REASON_INPUT, label=t("approvals.reason_label" if view.reason_required else "approvals.reason_label_optional"),
        is_multiline=True, max_length=MAX_COMMENT_LENGTH, is_required=view.reason_required or None,
        error_message=t("approvals.reason_required"),
    )
    confirm = execute(
        DecideApproval(approval_id=view.approval_id, decision=Verdict.REJECT, from_list=from_list), t("approvals.reject_confirm"),
        style="destructive",
    )
    return ShowCardAction(title=t("approvals.reject"), card=AdaptiveCard(body=[reason], actions=[confirm]))


def approval_card(
    t: Translator, view: ApprovalView, subject: SubjectText, *, confirm_warning: str | None = None, reminder: str | None = None,
    problem: str | None = None, from_list: bool = False,
) -> dict[str, Any]:
    """`confirm_warning`: approving needs an explicit "approve anyway"; `reminder`: a line on top;
    `problem`: why the last click was refused, shown just above the buttons; `from_list`: opened
    from the pending list (in its place), so deciding or "back" shows the list again."""
    body: list[Any] = []
    if reminder:
        body.append(text(reminder, color="Accent", weight="Bolder"))
    body.append(title(subject.title))
    body.append(text(t("approvals.requested_by", name=view.requester_name, when=t.datetime(view.requested_at, WHEN)), subtle=True))
    if subject.facts:
        body.append(facts(subject.facts))
    if subject.warning:
        body.append(text(subject.warning, color="Attention"))
    body.append(text(t(_STATUS_KEYS[view.status]), color=_STATUS_COLOURS[view.status], weight="Bolder"))
    if view.status is ApprovalStatus.PENDING:
        body.append(text(t("approvals.waiting_for", name=view.approver_name), subtle=True))
        if view.escalated:
            body.append(text(t("approvals.escalated_line"), subtle=True))
    elif view.decided_by_name and view.decided_at:
        body.append(text(t("approvals.decided_line", name=view.decided_by_name, when=t.datetime(view.decided_at, WHEN))))
        if view.comment:
            line = "approvals.reason_line" if view.status is ApprovalStatus.REJECTED else "approvals.comment_line"
            body.append(text(t(line, comment=view.comment), subtle=True))
    actions: list[Any] = []
    if view.can_decide and view.status is ApprovalStatus.PENDING:
        if confirm_warning:
            body.append(text(confirm_warning, color="Attention", weight="Bolder"))
        body.append(
            TextInput(
                id=COMMENT_INPUT, label=t("approvals.comment_label"), placeholder=t("approvals.comment_placeholder"),
                isMultiline=True, maxLength=MAX_COMMENT_LENGTH,
            )
        )
        if confirm_warning:
            approve = execute(
                DecideApproval(approval_id=view.approval_id, decision=Verdict.APPROVE, confirm=True, from_list=from_list),
                t("approvals.approve_anyway"), style="positive",
            )
        else:
            approve = execute(
                DecideApproval(approval_id=view.approval_id, decision=Verdict.APPROVE, from_list=from_list), t("approvals.approve"),
                style="positive",
            )
        actions = [approve, _reject(t, view, from_list)]
        if problem:
            body.append(text("⚠ " + problem, color="Attention", weight="Bolder"))
    if from_list:
        actions.append(execute(ShowPending(), t("approvals.back_to_list")))
    return card(body, with_menu(t, actions), refresh=RefreshApproval(approval_id=view.approval_id), refresh_user_ids=view.refresh_user_ids)


def decision_message(t: Translator, notice: ApprovalDecided, subject: SubjectText) -> str:
    """What the requester reads after a decision."""
    key = {
        ApprovalStatus.APPROVED: "approvals.notify_approved", ApprovalStatus.REJECTED: "approvals.notify_rejected",
    }.get(notice.status, "approvals.notify_cancelled")
    message = t(key, title=subject.title, name=notice.decided_by_name)
    if notice.comment:
        line = "approvals.reason_line" if notice.status is ApprovalStatus.REJECTED else "approvals.comment_line"
        message += "\n\n" + t(line, comment=notice.comment)
    return message


def escalation_message(t: Translator, notice: ApprovalEscalated, subject: SubjectText) -> str:
    key = "approvals.escalated_to_approver" if notice.recipient is EscalatedTo.APPROVER else "approvals.escalated_to_requester"
    return t(key, title=subject.title, name=notice.target_name)


@dataclass(frozen=True)
class PendingLine:
    approval_id: int
    subject: SubjectText
    requester_name: str
    requested_at: datetime


@dataclass(frozen=True)
class PendingListView:
    items: Sequence[PendingLine]
    summary: str | None = None  # outcome of a bulk approve or of a decision on one request, shown on top
    # The viewer's Teams user id: their client refreshes the list, so a request decided elsewhere
    # (its own card, a deputy) leaves it.
    refresh_user_ids: Sequence[str] = ()
    problem: str | None = None  # why the last click did nothing (nothing ticked), shown at the button


def pending_list_card(t: Translator, view: PendingListView) -> dict[str, Any]:
    body: list[Any] = [title(t("approvals.pending_title"))]
    if view.summary:
        body.append(notice(view.summary))
    refresh = ShowPending() if view.refresh_user_ids else None
    if not view.items:
        body.append(text(t("approvals.pending_empty")))
        return card(body, with_menu(t), refresh=refresh, refresh_user_ids=view.refresh_user_ids)
    body.append(text(t("approvals.pending_intro", count=len(view.items)), subtle=True))
    for item in view.items:
        lines: list[Any] = [
            text(item.subject.title, weight="Bolder"),
            text(t("approvals.requested_by", name=item.requester_name, when=t.datetime(item.requested_at, WHEN)), subtle=True, spacing="None"),
        ]
        if item.subject.warning:
            lines.append(text(item.subject.warning, color="Attention", spacing="None"))
        lines.append(ActionSet(actions=[execute(ShowApproval(approval_id=item.approval_id, from_list=True), t("approvals.open"))]))
        body.append(Container(items=lines, separator=True))
    body.append(heading(t("approvals.bulk_heading")))
    body.append(
        ChoiceSetInput(
            id=BULK_INPUT, isMultiSelect=True, style="expanded", label=t("approvals.bulk_label"), isRequired=True,
            errorMessage=t("approvals.bulk_nothing_chosen"),
            choices=[Choice(title=f"{item.subject.title} ({item.requester_name})", value=str(item.approval_id)) for item in view.items],
        )
    )
    if view.problem:
        body.append(text("⚠ " + view.problem, color="Attention", weight="Bolder"))
    actions = [execute(BulkApprove(), t("approvals.bulk_approve"), style="positive")]
    return card(body, with_menu(t, actions), refresh=refresh, refresh_user_ids=view.refresh_user_ids)


@dataclass(frozen=True)
class DeputyLine:
    id: int
    name: str
    valid_from: date
    valid_until: date
    active: bool


@dataclass(frozen=True)
class DeputyCandidate:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class DeputiesView:
    deputies: Sequence[DeputyLine]
    candidates: Sequence[DeputyCandidate]
    today: date
    message: str | None = None


def deputies_card(t: Translator, view: DeputiesView) -> dict[str, Any]:
    body: list[Any] = [title(t("approvals.deputies_title")), text(t("approvals.deputies_intro"), subtle=True)]
    if view.message:
        body.append(notice(view.message))
    if view.deputies:
        for deputy in view.deputies:
            key = "approvals.deputy_line_active" if deputy.active else "approvals.deputy_line"
            body.append(
                Container(
                    separator=True,
                    items=[
                        text(t(key, name=deputy.name, start=t.short_date(deputy.valid_from), end=t.short_date(deputy.valid_until))),
                        ActionSet(actions=[execute(RemoveDeputy(deputy_row_id=deputy.id), t("approvals.deputy_remove"), style="destructive")]),
                    ],
                )
            )
    else:
        body.append(text(t("approvals.deputies_none")))
    body.append(heading(t("approvals.deputy_new")))
    if view.candidates:
        body.append(
            ChoiceSetInput(
                id=DEPUTY_CHOICE_INPUT, style="compact", label=t("approvals.deputy_pick"), placeholder=t("approvals.deputy_pick_placeholder"),
                choices=[Choice(title=f"{c.name} ({c.email})", value=str(c.id)) for c in view.candidates],
            )
        )
    body.append(TextInput(id=DEPUTY_EMAIL_INPUT, label=t("approvals.deputy_email"), style="Email", maxLength=320))
    body.append(DateInput(id=DEPUTY_FROM_INPUT, label=t("approvals.deputy_from"), value=view.today.isoformat(), isRequired=True, errorMessage=t("approvals.deputy_date_required")))
    body.append(DateInput(id=DEPUTY_UNTIL_INPUT, label=t("approvals.deputy_until"), isRequired=True, errorMessage=t("approvals.deputy_date_required")))
    return card(body, with_menu(t, [execute(AddDeputy(), t("approvals.deputy_add"), style="positive")]))
