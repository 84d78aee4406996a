"""Wellbeing webinars.

Staff: "webinars" -> upcoming webinars for their target group with live seats -> sign up for a
session (a full session offers the waitlist with the position) -> their registration with the
join link and cancel (a freed seat goes to the first on the waitlist, who is told).
Invitation card (sent by the broadcast engine): the same sign-up and cancel, refreshed per viewer.
HR: "webinars.manage" -> new webinar form -> preview with audience size -> send now or schedule
-> broadcast progress; per webinar: sessions, seats, waitlist -> attendance per session.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidInput
from bot.domain.staff import HR_ROLES, Staff
from bot.domain.webinars import (
    DraftProblem,
    RegistrationStatus,
    SessionDraft,
    TargetGroup,
    Webinar,
    WebinarDraft,
    WebinarStatus,
)
from bot.i18n import Translator
from bot.registry import Registry
from bot.services import webinars as service
from bot.services.broadcasts import register_renderer
from bot.turn import Turn
from dialogs.cards.webinars import (
    SESSION_SLOTS,
    AttendanceView,
    CancelRegistration,
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
    ShowAttendance,
    ShowInvitation,
    SignUp,
    Source,
    WaitlistOffer,
    WebinarFormView,
    attendance_card,
    invitation_card,
    manage_card,
    overview_card,
    preview_card,
    webinar_detail_card,
    webinar_form_card,
)
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# Broadcast renderers get no settings; invitations show Belgian time, like the service default.
RENDER_ZONE = ZoneInfo("Europe/Brussels")


# -- views from domain objects ---------------------------------------------------------------
def _zone(turn: Turn) -> ZoneInfo:
    return ZoneInfo(turn.services.settings.timezone)


def session_lines(webinar: Webinar, now: datetime, zone: ZoneInfo) -> list[SessionLine]:
    return [
        SessionLine(
            session_id=s.id, starts_at=s.starts_at.astimezone(zone), ends_at=s.ends_at.astimezone(zone),
            capacity=s.capacity, seats_left=s.seats_left, waitlisted=s.waitlisted, open=s.starts_at > now,
        )
        for s in webinar.sessions
    ]


def invitation_view(
    t: Translator, item: service.UpcomingWebinar, now: datetime, zone: ZoneInfo, *, user_ids: tuple[str, ...] = (),
    source: Source = "invitation", notice: str | None = None, offer: WaitlistOffer | None = None,
) -> InvitationView:
    webinar, registration = item.webinar, item.registration
    mine = None
    if registration is not None:
        session = next((s for s in webinar.sessions if s.id == registration.session_id), None)
        mine = MyStatus(
            registration_id=registration.id, session_id=registration.session_id,
            seated=registration.status is RegistrationStatus.SEATED, position=registration.waitlist_position,
            join_url=session.join_url if session else None,
        )
    return InvitationView(
        webinar_id=webinar.id, title=webinar.title(t.locale), description=webinar.description(t.locale),
        target_group=webinar.target_group.value, sessions=session_lines(webinar, now, zone), mine=mine, offer=offer,
        notice=notice, refresh_user_ids=user_ids, source=source,
    )


def _user_ids(turn: Turn) -> tuple[str, ...]:
    user = turn.context.activity.from_property
    return (user.id,) if user is not None and user.id else ()


async def _invitation(turn: Turn, webinar_id: int, *, notice: str | None = None, offer: WaitlistOffer | None = None) -> dict:
    item = await service.invitation(turn.uow(), webinar_id, turn.me)
    view = invitation_view(turn.t, item, turn.now(), _zone(turn), user_ids=_user_ids(turn), notice=notice, offer=offer)
    return invitation_card(turn.t, view)


async def _overview(turn: Turn, *, notice: str | None = None, offer: WaitlistOffer | None = None) -> dict:
    now, zone = turn.now(), _zone(turn)
    items = await service.upcoming_for(turn.uow(), turn.me, now)
    listed = {item.webinar.id for item in items}
    # Registrations for webinars no longer listed (e.g. a session later today) still show, to cancel.
    for mine in await service.my_registrations(turn.uow(), turn.me, now):
        if mine.webinar.id not in listed:
            items.append(service.UpcomingWebinar(mine.webinar, mine.registration))
            listed.add(mine.webinar.id)
    views = [
        invitation_view(
            turn.t, item, now, zone, source="overview",
            offer=offer if offer and any(s.id == offer.session_id for s in item.webinar.sessions) else None,
        )
        for item in items
    ]
    return overview_card(turn.t, OverviewView(webinars=views, notice=notice))


# -- staff -----------------------------------------------------------------------------------
async def open_overview(turn: Turn, _text: str) -> dict:
    return await _overview(turn)


async def show_invitation(turn: Turn, payload: ShowInvitation) -> dict:
    return await _invitation(turn, payload.webinar_id)


async def _webinar_of_session(turn: Turn, session_id: int) -> int | None:
    async with turn.uow() as uow:
        session = await uow.webinars.get_session(session_id)
    return session.webinar_id if session else None


async def sign_up(turn: Turn, payload: SignUp) -> dict | str:
    webinar_id = await _webinar_of_session(turn, payload.session_id)
    if webinar_id is None:
        return turn.t("common.stale_card")
    try:
        result = await service.sign_up(turn.uow(), turn.me, payload.session_id, turn.now(), accept_waitlist=payload.waitlist)
    except service.SessionFull as full:
        offer = WaitlistOffer(payload.session_id, int(full.params["position"]))
        if payload.source == "overview":
            return await _overview(turn, offer=offer)
        return await _invitation(turn, webinar_id, offer=offer)
    if result.seated:
        notice = turn.t("webinars.signed_up")
    else:
        notice = turn.t("webinars.waitlisted", position=result.position or 0)
    if payload.source == "overview":
        return await _overview(turn, notice=notice)
    return await _invitation(turn, webinar_id, notice=notice)


async def cancel(turn: Turn, payload: CancelRegistration) -> dict | str:
    result, promotion = await service.cancel(turn.uow(), turn.me, payload.registration_id, turn.now())
    if promotion is not None:
        await service.notify_promotion(turn.services, promotion)
    notice = turn.t("webinars.cancelled")
    if payload.source == "overview":
        return await _overview(turn, notice=notice)
    return await _invitation(turn, result.cancelled.webinar_id, notice=notice)


# -- broadcast renderer ----------------------------------------------------------------------
async def render_invitation(uow: UnitOfWork, payload: dict, recipient: Staff, t: Translator) -> dict:
    """The invitation card for one recipient (called by the broadcast workers)."""
    item = await service.invitation_in(uow, int(payload["webinar_id"]), recipient)
    reference = await uow.conversations.get(recipient.aad_object_id)
    user_ids = (reference.user_id,) if reference is not None else (f"8:orgid:{recipient.aad_object_id}",)
    # The renderer gets no clock: the worker renders at send time, so the wall clock is right here.
    now = datetime.now(RENDER_ZONE)
    return invitation_card(t, invitation_view(t, item, now, RENDER_ZONE, user_ids=user_ids))


register_renderer(service.INVITATION_KIND, render_invitation)


# -- HR: create, preview, invite -------------------------------------------------------------
async def _form(turn: Turn, values: dict[str, str] | None = None, error: str | None = None) -> dict:
    async with turn.uow() as uow:
        entities = await uow.entities.list_all()
    view = WebinarFormView(entities=[EntityChoice(e.code, e.name) for e in entities], values=values or {}, error=error)
    return webinar_form_card(turn.t, view)


async def new_webinar(turn: Turn, _payload: NewWebinar) -> dict:
    return await _form(turn)


def _local(day: str, clock: str, zone: ZoneInfo) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=zone)


def draft_from_form(form: SaveWebinar, zone: ZoneInfo) -> WebinarDraft:
    """The form's text inputs as a draft; unreadable dates, times or numbers are refused."""
    try:
        group = TargetGroup(form.target_group or "all")
    except ValueError:
        raise InvalidInput("webinars.bad_form", reason="target_group") from None
    sessions = []
    for slot in range(1, SESSION_SLOTS + 1):
        fields = {name: getattr(form, f"s{slot}_{name}") for name in ("date", "start", "end", "capacity", "url")}
        if slot > 1 and not fields["date"]:
            continue
        try:
            starts_at = _local(fields["date"], fields["start"], zone)
            ends_at = _local(fields["date"], fields["end"], zone)
            capacity = int(fields["capacity"] or "0")
        except ValueError:
            raise InvalidInput("webinars.bad_session", number=slot) from None
        sessions.append(SessionDraft(starts_at, ends_at, capacity, fields["url"].strip()))
    codes = tuple(code.strip().upper() for code in form.entities.split(",") if code.strip())
    return WebinarDraft(
        title_nl=form.title_nl, title_en=form.title_en, description_nl=form.description_nl,
        description_en=form.description_en, target_group=group, entity_codes=codes if group is TargetGroup.ENTITIES else (),
        sessions=tuple(sessions),
    )


def _problems_text(t: Translator, problems: list[DraftProblem]) -> str:
    lines = []
    for problem in problems:
        where = problem.where
        if where.startswith("sessions["):
            label = t("webinars.field.session", number=int(where[9:-1]) + 1)
        elif where == "sessions":
            label = t("webinars.field.sessions")
        else:
            label = t(f"webinars.field.{where}")
        lines.append(f"- {label}: {t(f'webinars.problem.{problem.code}')}")
    return t("webinars.invalid_form") + "\n" + "\n".join(lines)


async def save_webinar(turn: Turn, form: SaveWebinar) -> dict:
    values = {key: value for key, value in form.model_dump().items() if isinstance(value, str)}
    try:
        draft = draft_from_form(form, _zone(turn))
        webinar_id = await service.create_webinar(turn.uow(), turn.me, draft, turn.now())
    except service.DraftRefused as refused:
        log.info("webinar form refused: %s", refused)
        return await _form(turn, values, _problems_text(turn.t, refused.problems))
    except InvalidInput as error:
        log.info("webinar form refused: %s", error)
        return await _form(turn, values, turn.t(error.key, **error.params))
    return await _preview(turn, webinar_id)


async def _preview(turn: Turn, webinar_id: int) -> dict:
    webinar = await service.get_webinar(turn.uow(), webinar_id)
    audience = await service.audience_size(turn.uow(), turn.me, webinar_id, turn.now())
    view = invitation_view(turn.t, service.UpcomingWebinar(webinar, None), turn.now(), _zone(turn))
    # The preview shows what recipients see, without live buttons.
    view = InvitationView(**{**view.__dict__, "sessions": [s.__class__(**{**s.__dict__, "open": False}) for s in view.sessions]})
    return preview_card(turn.t, PreviewView(invitation=view, audience=audience, draft=webinar.status is WebinarStatus.DRAFT))


async def preview_invitation(turn: Turn, payload: PreviewInvitation) -> dict:
    return await _preview(turn, payload.webinar_id)


async def send_invitation(turn: Turn, payload: SendInvitation) -> dict | str:
    scheduled_at = None
    if payload.when == "later":
        try:
            scheduled_at = _local(payload.schedule_date, payload.schedule_time, _zone(turn))
        except ValueError:
            return turn.t("webinars.bad_schedule")
    broadcast_id = await service.invite(turn.uow(), turn.me, payload.webinar_id, turn.now(), scheduled_at)
    try:
        from dialogs.broadcasts import progress_card_for
    except ImportError:  # the broadcast flow is optional for this flow's own tests
        progress_card_for = None
    if progress_card_for is not None:
        return await progress_card_for(turn, broadcast_id)
    if scheduled_at is not None:
        return turn.t("webinars.invitation_scheduled", when=turn.t.datetime(scheduled_at))
    return turn.t("webinars.invitation_sent")


# -- HR: manage and attendance ---------------------------------------------------------------
def _managed(turn: Turn, webinar: Webinar) -> ManagedWebinar:
    return ManagedWebinar(
        webinar_id=webinar.id, title=webinar.title(turn.locale), target_group=webinar.target_group.value,
        draft=webinar.status is WebinarStatus.DRAFT, sessions=session_lines(webinar, turn.now(), _zone(turn)),
    )


async def open_manage(turn: Turn, _text: str) -> dict:
    webinars = await service.list_for_hr(turn.uow(), turn.me, turn.now())
    return manage_card(turn.t, [_managed(turn, w) for w in webinars])


async def manage_webinar(turn: Turn, payload: ManageWebinar) -> dict:
    webinar = await service.get_webinar(turn.uow(), payload.webinar_id)
    audience = await service.audience_size(turn.uow(), turn.me, webinar.id, turn.now())
    return webinar_detail_card(turn.t, _managed(turn, webinar), audience)


async def _attendance(turn: Turn, session_id: int, notice: str | None = None) -> dict:
    webinar, session, people = await service.participants(turn.uow(), turn.me, session_id)
    view = AttendanceView(
        session_id=session.id, webinar_title=webinar.title(turn.locale) if webinar else "",
        starts_at=session.starts_at.astimezone(_zone(turn)),
        participants=[
            ParticipantLine(p.registration_id, p.display_name, p.status is RegistrationStatus.SEATED, p.attended) for p in people
        ],
        notice=notice,
    )
    return attendance_card(turn.t, view)


async def show_attendance(turn: Turn, payload: ShowAttendance) -> dict:
    return await _attendance(turn, payload.session_id)


async def save_attendance(turn: Turn, payload: SaveAttendance) -> dict | str:
    try:
        ids = {int(part) for part in payload.attended.split(",") if part.strip()}
    except ValueError:
        return turn.t("common.stale_card")
    count = await service.record_attendance(turn.uow(), turn.me, payload.session_id, ids)
    return await _attendance(turn, payload.session_id, turn.t("webinars.attendance_saved", count=count))


def register(registry: Registry) -> None:
    router = registry.router
    """Register this flow's commands and card verbs."""
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
    router.action(ShowAttendance, show_attendance, roles=HR_ROLES)
    router.action(SaveAttendance, save_attendance, roles=HR_ROLES)
