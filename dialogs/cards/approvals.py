"""The approval card family: one card per approval (buttons for whoever may decide, the status for
everyone else, the outcome after a decision), the pending list with bulk approve, and deputies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from microsoft_teams.cards import ActionSet, Choice, ChoiceSetInput, Container, DateInput, TextInput
from pydantic import Field

from bot.actions import ActionData
from bot.domain.approvals import APPROVED, CANCELLED, PENDING, REJECTED
from bot.i18n import Translator
from bot.services.approvals import DeputyItem, PendingItem, SubjectView
from dialogs.cards.base import card, execute, facts, heading, notice, submit, text, title

COMMENT_INPUT = "comment"
BULK_INPUT = "approval_ids"
DEPUTY_CHOICE_INPUT = "deputy_id"
DEPUTY_EMAIL_INPUT = "deputy_email"
DEPUTY_FROM_INPUT = "valid_from"
DEPUTY_UNTIL_INPUT = "valid_until"
COMMENT_MAX = 1000


class RefreshApproval(ActionData, verb="approval.refresh"):
    approval_id: int


class DecideApproval(ActionData, verb="approval.decide"):
    approval_id: int
    decision: Literal["approve", "reject"]
    confirm: bool = False
    comment: str | None = Field(default=None, max_length=4000)


class ShowApproval(ActionData, verb="approval.show"):
    approval_id: int


class BulkApprove(ActionData, verb="approval.bulk"):
    # Input.ChoiceSet with isMultiSelect sends the chosen values comma-separated.
    approval_ids: str = Field(default="", max_length=2000)


class AddDeputy(ActionData, verb="approval.deputy_add"):
    deputy_id: str | None = Field(default=None, max_length=20)
    deputy_email: str | None = Field(default=None, max_length=320)
    valid_from: str | None = Field(default=None, max_length=20)
    valid_until: str | None = Field(default=None, max_length=20)


class RemoveDeputy(ActionData, verb="approval.deputy_remove"):
    deputy_row_id: int


_STATUS_KEYS = {
    PENDING: "approvals.status_pending",
    APPROVED: "approvals.status_approved",
    REJECTED: "approvals.status_rejected",
    CANCELLED: "approvals.status_cancelled",
}
_STATUS_COLOURS = {PENDING: "Warning", APPROVED: "Good", REJECTED: "Attention", CANCELLED: "Default"}


@dataclass(frozen=True)
class ApprovalCardView:
    approval_id: int
    subject: SubjectView
    requester_name: str
    approver_name: str
    status: str
    requested_at: datetime
    can_decide: bool
    decided_by_name: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None
    escalated: bool = False
    confirm_warning: str | None = None  # approving needs an explicit "approve anyway"
    notice: str | None = None  # e.g. a reminder line on top
    refresh_user_ids: tuple[str, ...] = ()


def approval_card(t: Translator, view: ApprovalCardView) -> dict[str, Any]:
    body: list[Any] = []
    if view.notice:
        body.append(text(view.notice, color="Accent", weight="Bolder"))
    body.append(title(view.subject.title))
    body.append(text(t("approvals.requested_by", name=view.requester_name, when=t.datetime(view.requested_at, "d MMMM yyyy HH:mm")), subtle=True))
    if view.subject.facts:
        body.append(facts(view.subject.facts))
    if view.subject.warning:
        body.append(text(view.subject.warning, color="Attention"))
    status_text = t(_STATUS_KEYS.get(view.status, "approvals.status_pending"))
    body.append(text(status_text, color=_STATUS_COLOURS.get(view.status, "Default"), weight="Bolder"))
    if view.status == PENDING:
        body.append(text(t("approvals.waiting_for", name=view.approver_name), subtle=True))
        if view.escalated:
            body.append(text(t("approvals.escalated_line"), subtle=True))
    elif view.decided_by_name and view.decided_at:
        body.append(text(t("approvals.decided_line", name=view.decided_by_name, when=t.datetime(view.decided_at, "d MMMM yyyy HH:mm"))))
        if view.comment:
            body.append(text(t("approvals.comment_line", comment=view.comment), subtle=True))
    actions: list[Any] = []
    if view.can_decide and view.status == PENDING:
        if view.confirm_warning:
            body.append(text(view.confirm_warning, color="Attention", weight="Bolder"))
        body.append(
            TextInput(
                id=COMMENT_INPUT, label=t("approvals.comment_label"), placeholder=t("approvals.comment_placeholder"),
                isMultiline=True, maxLength=COMMENT_MAX,
            )
        )
        if view.confirm_warning:
            approve = execute(DecideApproval(approval_id=view.approval_id, decision="approve", confirm=True), t("approvals.approve_anyway"), style="positive")
        else:
            approve = execute(DecideApproval(approval_id=view.approval_id, decision="approve"), t("approvals.approve"), style="positive")
        reject = execute(DecideApproval(approval_id=view.approval_id, decision="reject"), t("approvals.reject"), style="destructive")
        actions = [approve, reject]
    return card(body, actions, refresh=RefreshApproval(approval_id=view.approval_id), refresh_user_ids=view.refresh_user_ids)


def decision_message(t: Translator, subject_title: str, status: str, decider_name: str, comment: str | None) -> str:
    """What the requester reads after a decision."""
    key = {APPROVED: "approvals.notify_approved", REJECTED: "approvals.notify_rejected"}.get(status, "approvals.notify_cancelled")
    message = t(key, title=subject_title, name=decider_name)
    if comment:
        message += "\n\n" + t("approvals.comment_line", comment=comment)
    return message


def escalation_message(t: Translator, role: str, subject_title: str, target_name: str) -> str:
    key = "approvals.escalated_to_approver" if role == "approver" else "approvals.escalated_to_requester"
    return t(key, title=subject_title, name=target_name)


@dataclass(frozen=True)
class PendingListView:
    items: Sequence[PendingItem]
    summary: str | None = None  # outcome of a bulk approve, shown on top


def pending_list_card(t: Translator, view: PendingListView) -> dict[str, Any]:
    body: list[Any] = [title(t("approvals.pending_title"))]
    if view.summary:
        body.append(notice(view.summary))
    if not view.items:
        body.append(text(t("approvals.pending_empty")))
        return card(body)
    body.append(text(t("approvals.pending_intro", count=len(view.items)), subtle=True))
    for item in view.items:
        lines: list[Any] = [
            text(item.title, weight="Bolder"),
            text(t("approvals.requested_by", name=item.requester_name, when=t.datetime(item.requested_at, "d MMMM yyyy HH:mm")), subtle=True, spacing="None"),
        ]
        if item.warning:
            lines.append(text(item.warning, color="Attention", spacing="None"))
        lines.append(ActionSet(actions=[submit(ShowApproval(approval_id=item.approval_id), t("approvals.open"))]))
        body.append(Container(items=lines, separator=True))
    body.append(heading(t("approvals.bulk_heading")))
    body.append(
        ChoiceSetInput(
            id=BULK_INPUT, isMultiSelect=True, style="expanded", label=t("approvals.bulk_label"),
            choices=[Choice(title=f"{item.title} ({item.requester_name})", value=str(item.approval_id)) for item in view.items],
        )
    )
    return card(body, [execute(BulkApprove(), t("approvals.bulk_approve"), style="positive")])


@dataclass(frozen=True)
class DeputyCandidate:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class DeputiesView:
    deputies: Sequence[DeputyItem]
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
    return card(body, [execute(AddDeputy(), t("approvals.deputy_add"), style="positive")])
