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

from microsoft_teams.cards import ActionSet, Choice, ChoiceSetInput, Container, DateInput, TextInput
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
from dialogs.cards.base import card, execute, facts, heading, notice, submit, text, title

COMMENT_INPUT = "comment"
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


class DecideApproval(ActionData, verb="approval.decide"):
    approval_id: Id
    decision: Verdict
    confirm: bool = False
    comment: str | None = Field(default=None, max_length=4000)


class ShowApproval(ActionData, verb="approval.show"):
    approval_id: Id


class BulkApprove(ActionData, verb="approval.bulk"):
    approval_ids: IdList = Field(default_factory=list)


class AddDeputy(ActionData, verb="approval.deputy_add"):
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
    ApprovalStatus.PENDING: "Warning", ApprovalStatus.APPROVED: "Good", ApprovalStatus.REJECTED: "Attention",
    ApprovalStatus.CANCELLED: "Default",
}


@dataclass(frozen=True)
class SubjectText:
    """One subject's facts in the reader's language."""

    title: str  # e.g. "Thuiswerk van Stan Staff op vrijdag 27 november 2026"
    facts: list[tuple[str, str]] = field(default_factory=list)
    warning: str | None = None  # e.g. over budget, anchor day


def approval_card(
    t: Translator, view: ApprovalView, subject: SubjectText, *, confirm_warning: str | None = None, reminder: str | None = None
) -> dict[str, Any]:
    """`confirm_warning`: approving needs an explicit "approve anyway"; `reminder`: a line on top."""
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
            body.append(text(t("approvals.comment_line", comment=view.comment), subtle=True))
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
                DecideApproval(approval_id=view.approval_id, decision=Verdict.APPROVE, confirm=True), t("approvals.approve_anyway"),
                style="positive",
            )
        else:
            approve = execute(DecideApproval(approval_id=view.approval_id, decision=Verdict.APPROVE), t("approvals.approve"), style="positive")
        reject = execute(DecideApproval(approval_id=view.approval_id, decision=Verdict.REJECT), t("approvals.reject"), style="destructive")
        actions = [approve, reject]
    return card(body, actions, refresh=RefreshApproval(approval_id=view.approval_id), refresh_user_ids=view.refresh_user_ids)


def decision_message(t: Translator, notice: ApprovalDecided, subject: SubjectText) -> str:
    """What the requester reads after a decision."""
    key = {
        ApprovalStatus.APPROVED: "approvals.notify_approved", ApprovalStatus.REJECTED: "approvals.notify_rejected",
    }.get(notice.status, "approvals.notify_cancelled")
    message = t(key, title=subject.title, name=notice.decided_by_name)
    if notice.comment:
        message += "\n\n" + t("approvals.comment_line", comment=notice.comment)
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
            text(item.subject.title, weight="Bolder"),
            text(t("approvals.requested_by", name=item.requester_name, when=t.datetime(item.requested_at, WHEN)), subtle=True, spacing="None"),
        ]
        if item.subject.warning:
            lines.append(text(item.subject.warning, color="Attention", spacing="None"))
        lines.append(ActionSet(actions=[submit(ShowApproval(approval_id=item.approval_id), t("approvals.open"))]))
        body.append(Container(items=lines, separator=True))
    body.append(heading(t("approvals.bulk_heading")))
    body.append(
        ChoiceSetInput(
            id=BULK_INPUT, isMultiSelect=True, style="expanded", label=t("approvals.bulk_label"),
            choices=[Choice(title=f"{item.subject.title} ({item.requester_name})", value=str(item.approval_id)) for item in view.items],
        )
    )
    return card(body, [execute(BulkApprove(), t("approvals.bulk_approve"), style="positive")])


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
    return card(body, [execute(AddDeputy(), t("approvals.deputy_add"), style="positive")])
