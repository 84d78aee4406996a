"""Webinar cards: the invitation (per recipient, refreshed live), the staff overview, and HR's
form, preview, management and attendance cards."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import Annotated, Any, Literal

from microsoft_teams.cards import (
    ActionSet,
    Choice,
    ChoiceSetInput,
    Column,
    ColumnSet,
    Container,
    DateInput,
    NumberInput,
    OpenUrlAction,
    TargetElement,
    TextInput,
    TimeInput,
    ToggleVisibilityAction,
)
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from bot.actions import MAX_ID, VERB_KEY, ActionData, Id, IdList, OptionalDate, OptionalId
from bot.domain.webinars import TargetGroup
from bot.i18n import Translator
from dialogs.cards.base import card, execute, facts, heading, notice, submit, text, title, with_menu
from dialogs.cards.menu import OpenFlow

SESSION_SLOTS = 3
MANAGE_FLOW = "webinars.manage"  # HR's list of webinars (the flow the menu opens)
# The inputs of one session row of the form: s1_date, s1_start, ... up to s3_url.
SESSION_FIELDS = ("date", "start", "end", "capacity", "url")
_SESSION_INPUT = re.compile(r"s([1-9][0-9]?)_(" + "|".join(SESSION_FIELDS) + ")")


class CardSource(StrEnum):
    """Which card a sign-up or cancel button sits on (the answer redraws that card)."""

    INVITATION = "invitation"
    OVERVIEW = "overview"


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _comma_separated(value: Any) -> Any:
    """A multi-select choice set sends its values as one comma-separated string."""
    return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


OptionalTime = Annotated[time | None, BeforeValidator(_blank_to_none)]


def session_input(slot: int, name: str) -> str:
    """The id of one input of a session row on the form ("s2_date")."""
    return f"s{slot}_{name}"


def _hh_mm(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


# -- payloads --------------------------------------------------------------------------------
class ShowInvitation(ActionData, verb="webinar.card"):
    webinar_id: Id


class SignUp(ActionData, verb="webinar.signup"):
    session_id: Id
    waitlist: bool = False
    source: CardSource = CardSource.INVITATION


class CancelRegistration(ActionData, verb="webinar.cancel"):
    registration_id: Id
    source: CardSource = CardSource.INVITATION


class NewWebinar(ActionData, verb="webinar.new"):
    pass


class SessionRow(BaseModel):
    """One session row of the webinar form."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    date: OptionalDate = None
    start: OptionalTime = None
    end: OptionalTime = None
    # Bounded like an id only: the service tells a capacity out of range in the form.
    capacity: Annotated[Annotated[int, Field(ge=0, le=MAX_ID)] | None, BeforeValidator(_blank_to_none)] = None
    url: str = ""


_FORM_INPUTS = ("title_nl", "title_en", "description_nl", "description_en", "target_group", "entities")
_SESSION_INPUTS = tuple(session_input(slot, name) for slot in range(1, SESSION_SLOTS + 1) for name in SESSION_FIELDS)


class SaveWebinar(ActionData, verb="webinar.save", card_inputs=_FORM_INPUTS + _SESSION_INPUTS):
    """The creation form. The card sends each session row's inputs as s1_date, s1_start, ...,
    gathered here into `sessions` (row 1 first); the service checks the webinar as a whole."""

    webinar_id: OptionalId = None  # set when HR changes an existing webinar
    title_nl: str = ""
    title_en: str = ""
    description_nl: str = ""
    description_en: str = ""
    target_group: Annotated[TargetGroup, BeforeValidator(lambda v: _blank_to_none(v) or TargetGroup.ALL)] = TargetGroup.ALL
    entities: Annotated[list[str], BeforeValidator(_comma_separated)] = Field(default_factory=list)
    sessions: list[SessionRow] = Field(default_factory=list, max_length=SESSION_SLOTS)

    @model_validator(mode="before")
    @classmethod
    def _session_rows(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        rows: dict[int, dict[str, Any]] = {}
        rest: dict[str, Any] = {}
        for key, value in data.items():
            match = _SESSION_INPUT.fullmatch(key) if isinstance(key, str) else None
            if match:
                rows.setdefault(int(match[1]), {})[match[2]] = value
            else:
                rest[key] = value
        if rows:
            rest["sessions"] = [rows.get(slot, {}) for slot in range(1, max(rows) + 1)]
        return rest

    def inputs(self) -> dict[str, str]:
        """The form's inputs as the card holds them (input id -> text), to draw the form again."""
        values = {
            "title_nl": self.title_nl, "title_en": self.title_en, "description_nl": self.description_nl,
            "description_en": self.description_en, "target_group": self.target_group.value, "entities": ",".join(self.entities),
        }
        for slot, row in enumerate(self.sessions, start=1):
            texts = {
                "date": row.date.isoformat() if row.date else "", "start": _hh_mm(row.start), "end": _hh_mm(row.end),
                "capacity": "" if row.capacity is None else str(row.capacity), "url": row.url,
            }
            values |= {session_input(slot, name): texts[name] for name in SESSION_FIELDS}
        return values

    def to_data(self) -> dict[str, Any]:
        edited = {"webinar_id": self.webinar_id} if self.webinar_id else {}
        return {VERB_KEY: self.verb, **edited, **{key: value for key, value in self.inputs().items() if value}}


class EditWebinar(ActionData, verb="webinar.edit"):
    webinar_id: Id


class CancelWebinar(ActionData, verb="webinar.cancel_webinar"):
    """Asks to confirm; `confirmed` (the confirmation card's button) cancels."""

    webinar_id: Id
    confirmed: bool = False


class SendInvitation(ActionData, verb="webinar.invite", card_inputs=("schedule_date", "schedule_time")):
    webinar_id: Id
    when: Literal["now", "later"] = "now"
    schedule_date: OptionalDate = None
    schedule_time: OptionalTime = None


class PreviewInvitation(ActionData, verb="webinar.preview"):
    webinar_id: Id


class ManageWebinar(ActionData, verb="webinar.manage"):
    webinar_id: Id


class ShowAttendance(ActionData, verb="webinar.attendance"):
    session_id: Id


class SaveAttendance(ActionData, verb="webinar.attendance.save", card_inputs=("attended",)):
    session_id: Id
    attended: IdList = Field(default_factory=list)  # registration ids ticked on the card


# -- views -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionLine:
    session_id: int
    starts_at: datetime  # local time
    ends_at: datetime
    capacity: int
    seats_left: int
    waitlisted: int
    open: bool  # registrations still open (not started)


@dataclass(frozen=True)
class MyStatus:
    registration_id: int
    session_id: int
    seated: bool
    position: int | None
    join_url: str | None


@dataclass(frozen=True)
class WaitlistOffer:
    session_id: int
    position: int


@dataclass(frozen=True)
class InvitationView:
    webinar_id: int
    title: str
    description: str
    target_group: str
    sessions: Sequence[SessionLine]
    mine: MyStatus | None = None
    offer: WaitlistOffer | None = None
    notice: str | None = None
    refresh_user_ids: Sequence[str] = ()
    source: CardSource = CardSource.INVITATION
    live: bool = True  # False: HR's preview, the sessions without buttons
    cancelled: bool = False


@dataclass(frozen=True)
class OverviewView:
    webinars: Sequence[InvitationView]
    notice: str | None = None


@dataclass(frozen=True)
class EntityChoice:
    code: str
    name: str


@dataclass(frozen=True)
class WebinarFormView:
    entities: Sequence[EntityChoice]
    values: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    webinar_id: int | None = None  # changing an existing webinar


@dataclass(frozen=True)
class PreviewView:
    invitation: InvitationView
    audience: int
    draft: bool
    warnings: Sequence[str] = ()  # worded: what to look at before sending


@dataclass(frozen=True)
class ManagedWebinar:
    webinar_id: int
    title: str
    target_group: str
    draft: bool
    sessions: Sequence[SessionLine]
    status: str = "published"
    registered: int = 0  # seated or waiting for a session to come
    editable: bool = True  # not cancelled, and its sessions fit the form


@dataclass(frozen=True)
class CancelWebinarView:
    webinar_id: int
    title: str
    registered: int


@dataclass(frozen=True)
class ParticipantLine:
    registration_id: int
    name: str
    seated: bool
    attended: bool | None


@dataclass(frozen=True)
class AttendanceView:
    session_id: int
    webinar_title: str
    starts_at: datetime
    participants: Sequence[ParticipantLine]
    notice: str | None = None


# -- helpers ---------------------------------------------------------------------------------
def _when(t: Translator, line: SessionLine) -> str:
    return f"{t.datetime(line.starts_at, 'EEE d MMM yyyy HH:mm')}–{t.datetime(line.ends_at, 'HH:mm')}"


def _seats(t: Translator, line: SessionLine) -> str:
    if line.seats_left > 0:
        return t("webinars.seats_left", left=line.seats_left, capacity=line.capacity)
    return t("webinars.full_with_waitlist", waiting=line.waitlisted)


def _session_row(t: Translator, view: InvitationView, line: SessionLine) -> ColumnSet:
    left = Column(width="stretch", items=[text(_when(t, line), weight="Bolder"), text(_seats(t, line), subtle=True, spacing="None")])
    columns = [left]
    if view.mine is None and line.open and view.live and not view.cancelled:
        label = t("webinars.sign_up") if line.seats_left > 0 else t("webinars.join_waitlist")
        button = execute(SignUp(session_id=line.session_id, waitlist=line.seats_left <= 0, source=view.source), label)
        columns.append(Column(width="auto", items=[ActionSet(actions=[button])]))
    elif view.mine is not None and view.mine.session_id == line.session_id:
        columns.append(Column(width="auto", items=[text(t("webinars.your_session"), color="Good", weight="Bolder")]))
    return ColumnSet(columns=columns, separator=True)


def _webinar_block(t: Translator, view: InvitationView, *, large: bool) -> list[Any]:
    body: list[Any] = [title(view.title) if large else heading(view.title)]
    if view.description:
        body.append(text(view.description))
    body.append(text(t("webinars.for_group", group=t(f"webinars.group.{view.target_group}")), subtle=True))
    open_sessions = [line for line in view.sessions if line.open]
    if not open_sessions and not view.cancelled:
        body.append(text(t("webinars.no_open_sessions"), subtle=True))
    body += [_session_row(t, view, line) for line in open_sessions]
    if view.cancelled:
        body.append(text(t("webinars.webinar_cancelled_note"), color="Attention", weight="Bolder"))
    if view.mine is not None:
        mine = view.mine
        session = next((s for s in view.sessions if s.session_id == mine.session_id), None)
        when = _when(t, session) if session else ""
        status = t("webinars.you_are_seated", when=when) if mine.seated else t("webinars.you_are_waitlisted", when=when, position=mine.position or 0)
        actions: list[Any] = []
        if mine.seated and mine.join_url:
            actions.append(OpenUrlAction(title=t("webinars.join"), url=mine.join_url))
        if (session is None or session.open) and not view.cancelled:
            actions.append(execute(CancelRegistration(registration_id=mine.registration_id, source=view.source), t("webinars.cancel")))
        items: list[Any] = [text(status, color="Good" if mine.seated else "Accent", weight="Bolder")]
        if actions:
            items.append(ActionSet(actions=actions))
        body.append(Container(items=items, style="emphasis", spacing="Medium"))
    if view.offer is not None:
        body.append(
            Container(
                style="warning", spacing="Medium",
                items=[
                    text(t("webinars.full_offer_waitlist", position=view.offer.position)),
                    ActionSet(actions=[execute(SignUp(session_id=view.offer.session_id, waitlist=True, source=view.source), t("webinars.join_waitlist"))]),
                ],
            )
        )
    return body


# -- builders --------------------------------------------------------------------------------
def invitation_card(t: Translator, view: InvitationView) -> dict[str, Any]:
    """The invitation a recipient sees; refreshing it (automatically in Teams) shows live seats."""
    body = _webinar_block(t, view, large=True)
    if view.notice:
        body.insert(1, text(view.notice, color="Accent", weight="Bolder"))
    return card(body, with_menu(t, ), refresh=ShowInvitation(webinar_id=view.webinar_id), refresh_user_ids=view.refresh_user_ids)


def overview_card(t: Translator, view: OverviewView) -> dict[str, Any]:
    body: list[Any] = [title(t("webinars.overview_title"))]
    if view.notice:
        body.append(text(view.notice, color="Accent", weight="Bolder"))
    if not view.webinars:
        body.append(text(t("webinars.none_upcoming")))
    for webinar in view.webinars:
        body.append(Container(items=_webinar_block(t, webinar, large=False), separator=True, spacing="Large"))
    return card(body, with_menu(t))


def _capacity(value: str) -> int:
    return int(value) if value.isdigit() else 100


def _input_value(view: WebinarFormView, key: str, default: str = "") -> str:
    return view.values.get(key, default)


def webinar_form_card(t: Translator, view: WebinarFormView) -> dict[str, Any]:
    """HR's creation form: texts in both languages, target group, up to three sessions."""
    body: list[Any] = [title(t("webinars.edit_title") if view.webinar_id else t("webinars.form_title"))]
    if view.error:
        # The form is two screens long: the top only points down to the reasons, which sit at Preview.
        body.append(text("⚠ " + t("webinars.problems_below"), color="Attention", weight="Bolder"))
    body += [
        TextInput(id="title_nl", label=t("webinars.field.title_nl"), is_required=True, max_length=200, value=_input_value(view, "title_nl"),
                  error_message=t("webinars.field.title_required")),
        TextInput(id="title_en", label=t("webinars.field.title_en"), is_required=True, max_length=200, value=_input_value(view, "title_en"),
                  error_message=t("webinars.field.title_required")),
        TextInput(id="description_nl", label=t("webinars.field.description_nl"), is_multiline=True, max_length=2000, value=_input_value(view, "description_nl")),
        TextInput(id="description_en", label=t("webinars.field.description_en"), is_multiline=True, max_length=2000, value=_input_value(view, "description_en")),
        ChoiceSetInput(
            id="target_group", label=t("webinars.field.target_group"), style="compact", value=_input_value(view, "target_group", "all"),
            choices=[Choice(title=t(f"webinars.group.{g}"), value=g) for g in ("all", "managers", "hr", "entities")],
        ),
        ChoiceSetInput(
            id="entities", label=t("webinars.field.entities"), is_multi_select=True, style="compact", value=_input_value(view, "entities") or None,
            choices=[Choice(title=f"{e.code} – {e.name}", value=e.code) for e in view.entities],
        ),
    ]
    for slot in range(1, SESSION_SLOTS + 1):
        def input_id(name: str, slot: int = slot) -> str:
            return session_input(slot, name)

        items: list[Any] = [
            heading(t("webinars.field.session", number=slot)),
            DateInput(id=input_id("date"), label=t("webinars.field.date"), is_required=slot == 1, value=_input_value(view, input_id("date")) or None,
                      error_message=t("webinars.field.date_required") if slot == 1 else None),
            ColumnSet(columns=[
                Column(width="stretch", items=[TimeInput(id=input_id("start"), label=t("webinars.field.start"), value=_input_value(view, input_id("start")) or None)]),
                Column(width="stretch", items=[TimeInput(id=input_id("end"), label=t("webinars.field.end"), value=_input_value(view, input_id("end")) or None)]),
                Column(width="stretch", items=[NumberInput(
                    id=input_id("capacity"), label=t("webinars.field.capacity"), min=1, max=10000,
                    error_message=t("webinars.field.capacity_range"),
                    value=_capacity(_input_value(view, input_id("capacity"), "100")),
                )]),
            ]),
            TextInput(id=input_id("url"), label=t("webinars.field.join_url"), style="Url", max_length=1000, value=_input_value(view, input_id("url"))),
        ]
        if slot == 1:
            body += items
        else:
            visible = bool(_input_value(view, input_id("date")))
            body.append(Container(id=f"session{slot}", items=items, is_visible=None if visible else False))
    toggles = [
        ToggleVisibilityAction(title=t("webinars.add_session", number=slot), target_elements=[TargetElement(element_id=f"session{slot}")])
        for slot in range(2, SESSION_SLOTS + 1)
    ]
    body.append(ActionSet(actions=toggles))
    if view.error:
        body.append(Container(style="attention", items=[text("⚠ " + view.error, weight="Bolder")]))
    back = ManageWebinar(webinar_id=view.webinar_id) if view.webinar_id else OpenFlow(flow=MANAGE_FLOW)
    return card(body, with_menu(t, [
        execute(SaveWebinar(webinar_id=view.webinar_id), t("webinars.preview"), style="positive"),
        submit(back, t("webinars.form_cancel")),
    ]))


def preview_card(t: Translator, view: PreviewView) -> dict[str, Any]:
    body: list[Any] = [text(t("webinars.preview_intro"), weight="Bolder", color="Accent")]
    if view.invitation.notice:
        body.insert(0, notice(view.invitation.notice))
    if view.warnings:
        body.append(Container(style="warning", items=[
            text(t("webinars.warnings_heading"), weight="Bolder"), text("\n".join(f"- {w}" for w in view.warnings)),
        ]))
    body += _webinar_block(t, view.invitation, large=True)
    body.append(facts([(t("webinars.audience"), t.number(view.audience))]))
    body.append(heading(t("webinars.schedule_heading")))
    body.append(ColumnSet(columns=[
        Column(width="stretch", items=[DateInput(id="schedule_date", label=t("webinars.field.date"))]),
        Column(width="stretch", items=[TimeInput(id="schedule_time", label=t("webinars.field.start"))]),
    ]))
    actions = [
        execute(SendInvitation(webinar_id=view.invitation.webinar_id, when="now"), t("webinars.send_now"), style="positive"),
        execute(SendInvitation(webinar_id=view.invitation.webinar_id, when="later"), t("webinars.schedule")),
        submit(EditWebinar(webinar_id=view.invitation.webinar_id), t("webinars.edit")),
    ]
    return card(body, with_menu(t, actions))


def manage_card(t: Translator, webinars: Sequence[ManagedWebinar]) -> dict[str, Any]:
    body: list[Any] = [title(t("webinars.manage_title"))]
    if not webinars:
        body.append(text(t("webinars.none_managed")))
    for webinar in webinars:
        status = t(f"webinars.status.{webinar.status}")
        lines = [
            f"{_when(t, s)}: {s.capacity - s.seats_left}/{s.capacity}" + (f" (+{s.waitlisted})" if s.waitlisted else "")
            for s in webinar.sessions
        ]
        body.append(Container(separator=True, items=[
            heading(webinar.title),
            text(f"{status} · {t(f'webinars.group.{webinar.target_group}')}", subtle=True),
            text("\n\n".join(lines) or t("webinars.no_open_sessions"), spacing="None"),
            ActionSet(actions=[submit(ManageWebinar(webinar_id=webinar.webinar_id), t("webinars.details"))]),
        ]))
    return card(body, with_menu(t, [submit(NewWebinar(), t("webinars.new"), style="positive")]))


def webinar_detail_card(t: Translator, webinar: ManagedWebinar, audience: int, *, notice_text: str | None = None) -> dict[str, Any]:
    body: list[Any] = [title(webinar.title)]
    if notice_text:
        body.append(notice(notice_text))
    body += [text(f"{t(f'webinars.status.{webinar.status}')} · {t(f'webinars.group.{webinar.target_group}')}", subtle=True),
             facts([(t("webinars.audience"), t.number(audience))])]
    for line in webinar.sessions:
        # Attendance is marked once a session has started (an open session has not).
        buttons = [] if line.open else [Column(width="auto", items=[ActionSet(actions=[
            submit(ShowAttendance(session_id=line.session_id), t("webinars.attendance"))])])]
        body.append(ColumnSet(separator=True, columns=[
            Column(width="stretch", items=[
                text(_when(t, line), weight="Bolder"),
                text(t("webinars.taken", taken=line.capacity - line.seats_left, capacity=line.capacity, waiting=line.waitlisted), subtle=True, spacing="None"),
            ]),
            *buttons,
        ]))
    actions: list[Any] = []
    if webinar.status != "cancelled":
        actions.append(submit(PreviewInvitation(webinar_id=webinar.webinar_id), t("webinars.invitation_preview")))
        if webinar.editable:
            actions.append(submit(EditWebinar(webinar_id=webinar.webinar_id), t("webinars.edit")))
        actions.append(execute(CancelWebinar(webinar_id=webinar.webinar_id), t("webinars.cancel_webinar"), style="destructive"))
    actions.append(submit(OpenFlow(flow=MANAGE_FLOW), t("webinars.back_to_list")))
    return card(body, with_menu(t, actions))


def cancel_webinar_card(t: Translator, view: CancelWebinarView) -> dict[str, Any]:
    """Before HR cancels: who will be told."""
    told = t("webinars.cancel_told", count=view.registered) if view.registered else t("webinars.cancel_nobody")
    return card(
        [title(t("webinars.cancel_confirm_title", title=view.title)), text(told)],
        with_menu(t, [
            execute(CancelWebinar(webinar_id=view.webinar_id, confirmed=True), t("webinars.cancel_confirm"), style="destructive"),
            submit(ManageWebinar(webinar_id=view.webinar_id), t("webinars.cancel_back")),
        ]),
    )




def attendance_card(t: Translator, view: AttendanceView) -> dict[str, Any]:
    seated = [p for p in view.participants if p.seated]
    body: list[Any] = [title(t("webinars.attendance_title")), text(f"{view.webinar_title} · {t.datetime(view.starts_at, 'EEE d MMM yyyy HH:mm')}", subtle=True)]
    if view.notice:
        body.append(notice(view.notice))
    if not seated:
        body.append(text(t("webinars.no_participants")))
        return card(body, with_menu(t))
    body.append(ChoiceSetInput(
        id="attended", label=t("webinars.attended_label"), is_multi_select=True, style="expanded",
        value=",".join(str(p.registration_id) for p in seated if p.attended) or None,
        choices=[Choice(title=p.name, value=str(p.registration_id)) for p in seated],
    ))
    return card(body, with_menu(t, [execute(SaveAttendance(session_id=view.session_id), t("webinars.save_attendance"), style="positive")]))
