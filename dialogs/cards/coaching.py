"""Coaching cards: the request form with one's own requests, HR's (or a coach's) queue, and one
request with assign, conversations and close."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from microsoft_teams.cards import ActionSet, Choice, ChoiceSetInput, Container, NumberInput, TextInput

from bot.actions import ActionData, Id, OptionalCount, OptionalId
from bot.i18n import Translator
from dialogs.cards.base import card, execute, facts, heading, submit, text, title, with_menu
from dialogs.cards.base import notice as notice_text

KINDS = ("leadership", "resilience")


class RequestCoaching(ActionData, verb="coaching.request", card_inputs=("kind", "note")):
    kind: str = ""
    note: str = ""


class OpenCoachingRequest(ActionData, verb="coaching.open"):
    request_id: Id


class AssignCoach(ActionData, verb="coaching.assign", card_inputs=("coach_id",)):
    request_id: Id
    coach_id: OptionalId = None


class RecordConversations(ActionData, verb="coaching.record", card_inputs=("conversations",)):
    request_id: Id
    conversations: OptionalCount = None


class CloseCoaching(ActionData, verb="coaching.close"):
    request_id: Id
    confirmed: bool = False  # closing is final: the first click asks, the second closes


class ShowCoachingQueue(ActionData, verb="coaching.queue"):
    """The queue again, in place of one request."""


@dataclass(frozen=True)
class OwnRequest:
    kind: str
    status: str
    requested_on: date


@dataclass(frozen=True)
class RequestFormView:
    mine: Sequence[OwnRequest]
    notice: str | None = None


@dataclass(frozen=True)
class QueueLine:
    request_id: int
    requester: str
    entity_code: str
    kind: str
    status: str
    requested_on: date
    coach: str | None
    conversations: int
    coach_id: int | None = None  # the assigned coach, chosen already in the card's coach list


@dataclass(frozen=True)
class CoachOption:
    staff_id: int
    name: str


@dataclass(frozen=True)
class RequestDetailView:
    line: QueueLine
    note: str
    coaches: Sequence[CoachOption]  # empty for a coach (only HR assigns)
    can_follow_up: bool
    notice: str | None = None
    confirm_close: bool = False  # Close was clicked once: ask before closing for good


def request_form_card(t: Translator, view: RequestFormView) -> dict[str, Any]:
    body: list[Any] = [title(t("coaching.title")), text(t("coaching.intro")), text(t("coaching.confidential"), subtle=True)]
    if view.notice:
        body.append(notice_text(view.notice))
    body += [
        ChoiceSetInput(
            id="kind", label=t("coaching.kind_label"), style="expanded", is_required=True, value=KINDS[0],
            error_message=t("coaching.kind_required"),
            choices=[Choice(title=t(f"coaching.kind.{kind}"), value=kind) for kind in KINDS],
        ),
        TextInput(id="note", label=t("coaching.note_label"), is_multiline=True, max_length=1000, placeholder=t("coaching.note_hint")),
    ]
    if view.mine:
        body.append(heading(t("coaching.mine")))
        body.append(facts([
            (t.short_date(r.requested_on), f"{t(f'coaching.kind.{r.kind}')} – {t(f'coaching.status.{r.status}')}") for r in view.mine
        ]))
    return card(body, with_menu(t, [execute(RequestCoaching(), t("coaching.send"), style="positive")]))


def queue_card(t: Translator, lines: Sequence[QueueLine], *, coach_view: bool, notice: str | None = None) -> dict[str, Any]:
    body: list[Any] = [title(t("coaching.queue_title_coach") if coach_view else t("coaching.queue_title"))]
    if notice:
        body.append(notice_text(notice))
    if not lines:
        body.append(text(t("coaching.queue_empty")))
    for line in lines:
        summary = f"{t(f'coaching.kind.{line.kind}')} · {t(f'coaching.status.{line.status}')} · {t.short_date(line.requested_on)}"
        if line.coach:
            summary += f" · {t('coaching.coach')}: {line.coach}"
        body.append(Container(separator=True, items=[
            heading(f"{line.requester} ({line.entity_code})"),
            text(summary, subtle=True, spacing="None"),
            ActionSet(actions=[submit(OpenCoachingRequest(request_id=line.request_id), t("coaching.open"))]),
        ]))
    return card(body, with_menu(t))


def request_detail_card(t: Translator, view: RequestDetailView) -> dict[str, Any]:
    line = view.line
    body: list[Any] = [title(f"{line.requester} ({line.entity_code})")]
    if view.notice:
        body.append(notice_text(view.notice))
    body.append(facts([
        (t("coaching.kind_label"), t(f"coaching.kind.{line.kind}")),
        (t("coaching.requested_on"), t.date(line.requested_on)),
        (t("coaching.status_label"), t(f"coaching.status.{line.status}")),
        (t("coaching.coach"), line.coach or "–"),
        (t("coaching.conversations"), str(line.conversations)),
    ]))
    if view.note:
        body.append(text(view.note))
    actions: list[Any] = []
    if line.status != "closed" and view.coaches:
        body.append(ChoiceSetInput(
            id="coach_id", label=t("coaching.choose_coach"), style="compact",
            value=str(line.coach_id) if line.coach_id is not None else None,
            choices=[Choice(title=c.name, value=str(c.staff_id)) for c in view.coaches],
        ))
        actions.append(execute(AssignCoach(request_id=line.request_id), t("coaching.assign")))
    if line.status != "closed" and view.can_follow_up:
        body.append(NumberInput(
            id="conversations", label=t("coaching.conversations"), min=0, max=50, value=line.conversations,
            error_message=t("coaching.bad_conversations", max=50),
        ))
        actions.append(execute(RecordConversations(request_id=line.request_id), t("coaching.save_conversations")))
        if not view.confirm_close:
            actions.append(execute(CloseCoaching(request_id=line.request_id), t("coaching.close"), style="destructive"))
    if actions:
        body.append(ActionSet(actions=actions))
    if view.confirm_close and line.status != "closed":
        body.append(Container(style="warning", items=[
            text("⚠ " + t("coaching.confirm_close"), weight="Bolder"),
            ActionSet(actions=[
                execute(CloseCoaching(request_id=line.request_id, confirmed=True), t("coaching.close_confirmed"), style="destructive"),
                execute(OpenCoachingRequest(request_id=line.request_id), t("coaching.keep_open")),
            ]),
        ]))
    return card(body, with_menu(t, [execute(ShowCoachingQueue(), t("coaching.back_to_queue"))]))
