"""Wellbeing webinars.

Staff: "webinars" -> upcoming webinars for their target group with live seats -> sign up for a
session (a full session offers the waitlist with the position) -> their registration with the
join link and cancel (a freed seat goes to the first on the waitlist, who is told).
Invitation card (sent by the broadcast engine): the same sign-up and cancel, refreshed per viewer.
Reminders before a session (a scheduled job) reach the seated participants with the join link.
HR: "webinars.manage" -> new webinar form (or Cancel back to the list) -> preview with audience
size and warnings (weekend, past, no English text) -> send now or schedule -> broadcast progress;
per webinar: sessions, seats, waitlist -> attendance per session once it started; change the
webinar (registered people told of a new time or link); cancel it (after confirming; registered
people told, in their language).
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo

from bot.domain.errors import InvalidInput
from bot.domain.notifications import Message
from bot.domain.staff import HR_ROLES
from bot.domain.webinars import (
    DraftProblem,
    InvitationPayload,
    PromotedFromWaitlist,
    RegistrationStatus,
    SessionDraft,
    TargetGroup,
    Webinar,
    WebinarCancelled,
    WebinarDraft,
    WebinarReminder,
    WebinarSessionChanged,
    WebinarStatus,
    in_language,
)
from bot.i18n import Translator
from bot.registry import BroadcastRecipient, Registry
from bot.services import webinars as service
from bot.turn import Turn
from dialogs.broadcasts import progress_card_for
from dialogs.cards.webinars import (
    SESSION_SLOTS,
    AttendanceView,
    CancelRegistration,
    CancelWebinar,
    CancelWebinarView,
    CardSource,
    EditWebinar,
    EntityChoice,
    InvitationView,
    ManagedWebinar,
    ManageWebinar,
    MyStatus,
    NewWebinar,
    OverviewView,
    ParticipantLine,
    PreviewInvitation,
    PreviewView,
    SaveAttendance,
    SaveWebinar,
    SendInvitation,
    SessionLine,
    SessionRow,
    ShowAttendance,
    ShowInvitation,
    SignUp,
    WaitlistOffer,
    WebinarFormView,
    attendance_card,
    cancel_webinar_card,
    invitation_card,
    manage_card,
    overview_card,
    preview_card,
    webinar_detail_card,
    webinar_form_card,
)

log = logging.getLogger(__name__)


# -- views from the use cases' results -------------------------------------------------------------
def _zone(turn: Turn) -> tzinfo:
    zone = turn.now().tzinfo
    assert zone is not None
    return zone


def session_lines(state: service.WebinarState, zone: tzinfo) -> list[SessionLine]:
    return [
        SessionLine(
            session_id=s.session.id, starts_at=s.session.starts_at.astimezone(zone), ends_at=s.session.ends_at.astimezone(zone),
            capacity=s.session.capacity, seats_left=s.session.seats_left, waitlisted=s.session.waitlisted, open=s.open,
        )
        for s in state.sessions
    ]


def invitation_view(
    t: Translator, state: service.WebinarState, zone: tzinfo, *, user_ids: tuple[str, ...] = (),
    source: CardSource = CardSource.INVITATION, notice: str | None = None, offer: WaitlistOffer | None = None,
    live: bool = True,
) -> InvitationView:
    """`live=False` draws the sessions without buttons (HR's preview)."""
    webinar, registration = state.webinar, state.registration
    mine = None
    if registration is not None:
        session = webinar.session(registration.session_id)
        mine = MyStatus(
            registration_id=registration.id, session_id=registration.session_id,
            seated=registration.status is RegistrationStatus.SEATED, position=registration.waitlist_position,
            join_url=session.join_url if session else None,
        )
    return InvitationView(
        webinar_id=webinar.id, title=webinar.title(t.locale), description=webinar.description(t.locale),
        target_group=webinar.target_group.value, sessions=session_lines(state, zone), mine=mine, offer=offer,
        notice=notice, refresh_user_ids=user_ids, source=source, live=live,
        cancelled=webinar.status is WebinarStatus.CANCELLED,
    )


def _user_ids(turn: Turn) -> tuple[str, ...]:
    user = turn.context.activity.from_property
    return (user.id,) if user is not None and user.id else ()


async def _invitation(turn: Turn, webinar_id: int, *, notice: str | None = None, offer: WaitlistOffer | None = None) -> dict:
    state = await turn.run(service.invitation, service.ShowInvitation(turn.me, webinar_id))
    view = invitation_view(turn.t, state, _zone(turn), user_ids=_user_ids(turn), notice=notice, offer=offer)
    return invitation_card(turn.t, view)


async def _overview(turn: Turn, *, notice: str | None = None, offer: WaitlistOffer | None = None) -> dict:
    states = await turn.run(service.overview, service.WebinarOverview(turn.me))
    zone = _zone(turn)
    views = [
        invitation_view(
            turn.t, state, zone, source=CardSource.OVERVIEW,
            offer=offer if offer and state.webinar.session(offer.session_id) else None,
        )
        for state in states
    ]
    return overview_card(turn.t, OverviewView(webinars=views, notice=notice))


async def _redraw(
    turn: Turn, source: CardSource, webinar_id: int, *, notice: str | None = None, offer: WaitlistOffer | None = None
) -> dict:
    """The card the button was on, drawn again."""
    if source is CardSource.OVERVIEW:
        return await _overview(turn, notice=notice, offer=offer)
    return await _invitation(turn, webinar_id, notice=notice, offer=offer)


# -- staff -----------------------------------------------------------------------------------------
async def open_overview(turn: Turn, _text: str) -> dict:
    return await _overview(turn)


async def show_invitation(turn: Turn, payload: ShowInvitation) -> dict:
    return await _invitation(turn, payload.webinar_id)


async def sign_up(turn: Turn, payload: SignUp) -> dict:
    try:
        result = await turn.run(service.sign_up, service.SignUp(turn.me, payload.session_id, accept_waitlist=payload.waitlist))
    except service.SessionFull as full:
        offer = WaitlistOffer(payload.session_id, full.position)
        return await _redraw(turn, payload.source, full.webinar_id, offer=offer)
    if result.seated:
        notice = turn.t("webinars.signed_up")
    else:
        notice = turn.t("webinars.waitlisted", position=result.position or 0)
    return await _redraw(turn, payload.source, result.registration.webinar_id, notice=notice)


async def cancel(turn: Turn, payload: CancelRegistration) -> dict:
    result = await turn.run(service.cancel, service.CancelRegistration(turn.me, payload.registration_id))
    return await _redraw(turn, payload.source, result.cancelled.webinar_id, notice=turn.t("webinars.cancelled"))


# -- what others are told and sent -----------------------------------------------------------------
def render_promoted(notice: PromotedFromWaitlist, t: Translator) -> Message:
    title = in_language(t.locale, notice.title_nl, notice.title_en)
    return Message(t("webinars.promoted", title=title, when=t.datetime(notice.starts_at)))


def render_reminder(notice: WebinarReminder, t: Translator) -> Message:
    title = in_language(t.locale, notice.title_nl, notice.title_en)
    return Message(t("webinars.reminder", title=title, when=t.datetime(notice.starts_at), link=notice.join_url))


def render_webinar_cancelled(notice: WebinarCancelled, t: Translator) -> Message:
    title = in_language(t.locale, notice.title_nl, notice.title_en)
    key = "webinars.cancelled_notice_waitlisted" if notice.waitlisted else "webinars.cancelled_notice"
    return Message(t(key, title=title, when=t.datetime(notice.starts_at)))


def render_session_changed(notice: WebinarSessionChanged, t: Translator) -> Message:
    title = in_language(t.locale, notice.title_nl, notice.title_en)
    text = t(
        "webinars.session_changed_notice", title=title, was=t.datetime(notice.was_starts_at),
        when=t.datetime(notice.starts_at), until=t.datetime(notice.ends_at, "HH:mm"),
    )
    if notice.link_changed:
        text += " " + t("webinars.session_changed_link", link=notice.join_url)
    return Message(text)


def render_invitation(state: service.WebinarState, recipient: BroadcastRecipient, t: Translator) -> dict:
    """One recipient's invitation card (drawn by the broadcast workers at send time)."""
    return invitation_card(t, invitation_view(t, state, recipient.zone, user_ids=(recipient.user_id,)))


# -- HR: create, preview, invite -------------------------------------------------------------------
async def _form(turn: Turn, form: SaveWebinar | None = None, error: str | None = None) -> dict:
    entities = await turn.run(service.form_entities, service.WebinarForm(turn.me))
    view = WebinarFormView(
        entities=[EntityChoice(e.code, e.name) for e in entities], values=form.inputs() if form else {}, error=error,
        webinar_id=form.webinar_id if form else None,
    )
    return webinar_form_card(turn.t, view)


async def new_webinar(turn: Turn, _payload: NewWebinar) -> dict:
    return await _form(turn)


def form_of(webinar: Webinar, entity_codes: dict[int, str], zone: tzinfo) -> SaveWebinar:
    """A stored webinar as the form holds it, to change it."""
    rows = {}
    for slot, session in enumerate(webinar.sessions, start=1):
        start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
        rows |= {
            f"s{slot}_date": start.date().isoformat(), f"s{slot}_start": start.strftime("%H:%M"),
            f"s{slot}_end": end.strftime("%H:%M"), f"s{slot}_capacity": str(session.capacity), f"s{slot}_url": session.join_url,
        }
    return SaveWebinar.model_validate({
        "webinar_id": webinar.id, "title_nl": webinar.title_nl, "title_en": webinar.title_en,
        "description_nl": webinar.description_nl, "description_en": webinar.description_en,
        "target_group": webinar.target_group.value, "entities": ",".join(sorted(entity_codes[i] for i in webinar.entity_ids)), **rows,
    })


async def edit_webinar(turn: Turn, payload: EditWebinar) -> dict | str:
    found = await turn.run(service.webinar_to_edit, service.ShowWebinarToEdit(turn.me, payload.webinar_id))
    if not _editable(found.webinar):
        return turn.t("webinars.not_editable", maximum=SESSION_SLOTS)
    form = form_of(found.webinar, {e.id: e.code for e in found.entities}, _zone(turn))
    view = WebinarFormView(
        entities=[EntityChoice(e.code, e.name) for e in found.entities], values=form.inputs(), webinar_id=found.webinar.id,
    )
    return webinar_form_card(turn.t, view)


def _editable(webinar: Webinar) -> bool:
    return webinar.status is not WebinarStatus.CANCELLED and len(webinar.sessions) <= SESSION_SLOTS


def draft_from_form(form: SaveWebinar, zone: tzinfo) -> WebinarDraft:
    """The form as a draft; a session row without a date, start or end is refused (rows after the
    first only count when they have a date)."""
    sessions = []
    for number, row in enumerate(form.sessions or [SessionRow()], start=1):
        if number > 1 and row.date is None:
            continue
        if row.date is None or row.start is None or row.end is None:
            raise InvalidInput("webinars.bad_session", number=number)
        sessions.append(SessionDraft(
            datetime.combine(row.date, row.start, tzinfo=zone), datetime.combine(row.date, row.end, tzinfo=zone),
            row.capacity or 0, row.url.strip(),
        ))
    group = form.target_group
    codes = tuple(code.upper() for code in form.entities) if group is TargetGroup.ENTITIES else ()
    return WebinarDraft(
        title_nl=form.title_nl, title_en=form.title_en, description_nl=form.description_nl,
        description_en=form.description_en, target_group=group, entity_codes=codes, sessions=tuple(sessions),
    )


def _problem_line(t: Translator, problem: DraftProblem) -> str:
    where = problem.where
    if where.startswith("sessions["):
        label = t("webinars.field.session", number=int(where[9:-1]) + 1)
    elif where == "sessions":
        label = t("webinars.field.sessions")
    else:
        label = t(f"webinars.field.{where}")
    return f"{label}: {t(f'webinars.problem.{problem.code}')}"


def _problems_text(t: Translator, problems: list[DraftProblem]) -> str:
    return t("webinars.invalid_form") + "\n" + "\n".join(f"- {_problem_line(t, p)}" for p in problems)


async def save_webinar(turn: Turn, form: SaveWebinar) -> dict:
    try:
        draft = draft_from_form(form, _zone(turn))
        if form.webinar_id is None:
            webinar_id = await turn.run(service.create_webinar, service.CreateWebinar(turn.me, draft))
            notice = None
        else:
            updated = await turn.run(service.update_webinar, service.UpdateWebinar(turn.me, form.webinar_id, draft))
            webinar_id = updated.webinar_id
            notice = turn.t("webinars.updated_told", count=updated.told) if updated.told else turn.t("webinars.updated")
    except service.DraftRefused as refused:
        log.info("webinar form refused: %s", refused)
        return await _form(turn, form, _problems_text(turn.t, refused.problems))
    except InvalidInput as error:
        log.info("webinar form refused: %s", error)
        return await _form(turn, form, turn.t(error.key, **error.params))
    return await _preview(turn, webinar_id, notice=notice)


async def _preview(turn: Turn, webinar_id: int, *, notice: str | None = None) -> dict:
    found = await turn.run(service.webinar_for_hr, service.ShowWebinarForHr(turn.me, webinar_id))
    # The preview shows what recipients see, without live buttons.
    view = invitation_view(turn.t, found.state, _zone(turn), live=False, notice=notice)
    draft = found.state.webinar.status is WebinarStatus.DRAFT
    warnings = [_problem_line(turn.t, problem) for problem in found.warnings]
    return preview_card(turn.t, PreviewView(invitation=view, audience=found.audience, draft=draft, warnings=warnings))


async def preview_invitation(turn: Turn, payload: PreviewInvitation) -> dict:
    return await _preview(turn, payload.webinar_id)


async def send_invitation(turn: Turn, payload: SendInvitation) -> dict | str:
    scheduled_at = None
    if payload.when == "later":
        if payload.schedule_date is None or payload.schedule_time is None:
            return turn.t("webinars.bad_schedule")
        scheduled_at = datetime.combine(payload.schedule_date, payload.schedule_time, tzinfo=_zone(turn))
    broadcast_id = await turn.run(service.invite, service.InviteToWebinar(turn.me, payload.webinar_id, scheduled_at))
    return await progress_card_for(turn, broadcast_id)


# -- HR: manage and attendance ---------------------------------------------------------------------
def _managed(turn: Turn, found: service.WebinarState, registered: int = 0) -> ManagedWebinar:
    webinar = found.webinar
    return ManagedWebinar(
        webinar_id=webinar.id, title=webinar.title(turn.locale), target_group=webinar.target_group.value,
        draft=webinar.status is WebinarStatus.DRAFT, sessions=session_lines(found, _zone(turn)),
        status=webinar.status.value, registered=registered, editable=_editable(webinar),
    )


async def open_manage(turn: Turn, _text: str) -> dict:
    states = await turn.run(service.webinars_for_hr, service.WebinarsForHr(turn.me))
    return manage_card(turn.t, [_managed(turn, state) for state in states])


async def _detail(turn: Turn, webinar_id: int, notice: str | None = None) -> dict:
    found = await turn.run(service.webinar_for_hr, service.ShowWebinarForHr(turn.me, webinar_id))
    return webinar_detail_card(turn.t, _managed(turn, found.state, found.registered), found.audience, notice_text=notice)


async def manage_webinar(turn: Turn, payload: ManageWebinar) -> dict:
    return await _detail(turn, payload.webinar_id)


async def cancel_webinar(turn: Turn, payload: CancelWebinar) -> dict:
    """First press: who will be told; the confirmation cancels and tells them."""
    if not payload.confirmed:
        found = await turn.run(service.webinar_for_hr, service.ShowWebinarForHr(turn.me, payload.webinar_id))
        webinar = found.state.webinar
        return cancel_webinar_card(turn.t, CancelWebinarView(webinar.id, webinar.title(turn.locale), found.registered))
    result = await turn.run(service.cancel_webinar, service.CancelWebinar(turn.me, payload.webinar_id))
    return await _detail(turn, payload.webinar_id, turn.t("webinars.cancelled_told", count=result.told))


async def _attendance(turn: Turn, session_id: int, notice: str | None = None) -> dict:
    sheet = await turn.run(service.attendance_sheet, service.ShowAttendance(turn.me, session_id))
    view = AttendanceView(
        session_id=sheet.session.id, webinar_title=sheet.webinar.title(turn.locale),
        starts_at=sheet.session.starts_at.astimezone(_zone(turn)),
        participants=[
            ParticipantLine(p.registration_id, p.display_name, p.status is RegistrationStatus.SEATED, p.attended)
            for p in sheet.participants
        ],
        notice=notice,
    )
    return attendance_card(turn.t, view)


async def show_attendance(turn: Turn, payload: ShowAttendance) -> dict:
    return await _attendance(turn, payload.session_id)


async def save_attendance(turn: Turn, payload: SaveAttendance) -> dict:
    command = service.RecordAttendance(turn.me, payload.session_id, frozenset(payload.attended))
    count = await turn.run(service.record_attendance, command)
    return await _attendance(turn, payload.session_id, turn.t("webinars.attendance_saved", count=count))


def register(registry: Registry) -> None:
    """Register this flow's commands, card verbs, notices and the invitation broadcast."""
    router = registry.router
    router.command(("webinars", "webinar", "welzijnswebinars"), open_overview)
    router.opener("webinars", open_overview)
    router.action(ShowInvitation, show_invitation)
    router.action(SignUp, sign_up)
    router.action(CancelRegistration, cancel)
    router.command(("webinars beheren", "manage webinars"), open_manage, roles=HR_ROLES)
    router.opener("webinars.manage", open_manage, roles=HR_ROLES)
    router.action(NewWebinar, new_webinar, roles=HR_ROLES)
    router.action(SaveWebinar, save_webinar, roles=HR_ROLES)
    router.action(PreviewInvitation, preview_invitation, roles=HR_ROLES)
    router.action(SendInvitation, send_invitation, roles=HR_ROLES)
    router.action(ManageWebinar, manage_webinar, roles=HR_ROLES)
    router.action(EditWebinar, edit_webinar, roles=HR_ROLES)
    router.action(CancelWebinar, cancel_webinar, roles=HR_ROLES)
    router.action(ShowAttendance, show_attendance, roles=HR_ROLES)
    router.action(SaveAttendance, save_attendance, roles=HR_ROLES)
    registry.notice(PromotedFromWaitlist, render_promoted)
    registry.notice(WebinarReminder, render_reminder, after_sent=service.reminder_delivered)
    registry.notice(WebinarCancelled, render_webinar_cancelled)
    registry.notice(WebinarSessionChanged, render_session_changed)
    registry.broadcast_renderer(InvitationPayload, render_invitation, content=service.invitation_contents)
