"""Webinar use cases on the in-memory unit of work: seats, waitlist and promotion, who is told
what, reminders once, HR's creation and invitation, attendance; refusals write nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from bot.domain.broadcasts import BroadcastStatus
from bot.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.domain.notifications import Sent
from bot.domain.staff import Role
from bot.domain.webinars import (
    InvitationPayload,
    PromotedFromWaitlist,
    RegistrationStatus,
    SessionDraft,
    TargetGroup,
    WebinarCancelled,
    WebinarDraft,
    WebinarReminder,
    WebinarSessionChanged,
    WebinarStatus,
)
from bot.runner import UseCaseRunner
from bot.services import webinars as service
from bot.services.broadcasts import BroadcastContent
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork, fake_uow_factory

ZONE = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)
JOIN = "https://teams.example/j/focus"
STARTED = NOW + timedelta(days=7, minutes=10)  # the first session of `draft()` is under way


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def people(db: FakeDatabase) -> dict:
    dwse = db.add_entity("DWSE", "Departement Werk en Sociale Economie")
    dv = db.add_entity("DV", "Digitaal Vlaanderen")
    return {
        "hilde": db.add_staff("Hilde HR", entity=dwse, roles=(Role.HR,)),
        "mia": db.add_staff("Mia Manager", entity=dwse, roles=(Role.MANAGER,)),
        "stan": db.add_staff("Stan Staff", entity=dwse),
        "cato": db.add_staff("Cato Collega", entity=dwse),
        "olga": db.add_staff("Olga Other", entity=dv),
        "gone": db.add_staff("Gert Gone", entity=dwse, end_date=NOW.date() - timedelta(days=1)),
    }


def draft(capacity: int = 2, group: TargetGroup = TargetGroup.ALL, starts_in: timedelta = timedelta(days=7), sessions: int = 1,
          entity_codes: tuple[str, ...] = ()) -> WebinarDraft:
    return WebinarDraft(
        "Focus @ home", "Focus at home", "Over focus", "On focus", group, entity_codes=entity_codes,
        sessions=tuple(
            SessionDraft(NOW + starts_in + timedelta(days=i), NOW + starts_in + timedelta(days=i, hours=1), capacity, JOIN)
            for i in range(sessions)
        ),
    )


async def published(db: FakeDatabase, webinar: WebinarDraft | None = None, entity_ids: tuple[int, ...] = ()) -> tuple[int, list[int]]:
    repository = FakeUnitOfWork(db).webinars
    webinar_id = await repository.add(webinar or draft(), entity_ids, WebinarStatus.PUBLISHED, None)
    found = await repository.get(webinar_id)
    return webinar_id, [s.id for s in found.sessions]


async def sign_up(db: FakeDatabase, person, session_id: int, *, waitlist: bool = False, now: datetime = NOW):  # noqa: ANN001, ANN202
    return await service.sign_up(FakeUnitOfWork(db), service.SignUp(person, session_id, accept_waitlist=waitlist), now)


async def cancel(db: FakeDatabase, person, registration_id: int, now: datetime = NOW):  # noqa: ANN001, ANN202
    return await service.cancel(FakeUnitOfWork(db), service.CancelRegistration(person, registration_id), now)


def written(db: FakeDatabase) -> tuple:
    """Everything a refused use case must leave as it was."""
    return (db.commits, len(db.audit()), len(db.outbox()), repr(sorted(db.state.get("webinar_registrations", {}).items())),
            repr(sorted(db.state.get("webinar_sessions", {}).items())), len(db.state.get("broadcasts", {})))


# -- sign-up, waitlist, cancel -----------------------------------------------------------------
async def test_seats_then_an_offered_waitlist_then_waitlist_places_in_order(db: FakeDatabase, people: dict) -> None:
    webinar_id, (session_id,) = await published(db)
    first = await sign_up(db, people["stan"], session_id)
    second = await sign_up(db, people["cato"], session_id)
    assert (first.seated, second.seated, first.position) == (True, True, None)
    assert first.registration.seated_at == NOW and first.registration.status is RegistrationStatus.SEATED

    before = written(db)
    with pytest.raises(service.SessionFull) as full:
        await sign_up(db, people["olga"], session_id)
    assert (full.value.webinar_id, full.value.position, full.value.params) == (webinar_id, 1, {"position": 1})
    assert written(db) == before

    third = await sign_up(db, people["olga"], session_id, waitlist=True)
    fourth = await sign_up(db, people["mia"], session_id, waitlist=True)
    assert [(r.seated, r.position) for r in (third, fourth)] == [(False, 1), (False, 2)]
    session = await FakeUnitOfWork(db).webinars.get_session(session_id)
    assert session.seats_taken == 2
    audits = db.audit("webinar.signed_up")
    assert [a["after"]["status"] for a in audits] == ["seated", "seated", "waitlisted", "waitlisted"]
    assert audits[2]["after"]["position"] == 1 and audits[0]["actor"] == f"staff:{people['stan'].id}"
    assert db.outbox() == []  # signing up tells nobody else


async def test_sign_up_refusals_write_nothing(db: FakeDatabase, people: dict) -> None:
    _, (managers_session,) = await published(db, draft(group=TargetGroup.MANAGERS))
    _, (first, second) = await published(db, draft(capacity=5, sessions=2))
    await sign_up(db, people["stan"], first)
    before = written(db)
    with pytest.raises(Forbidden):  # not the target group
        await sign_up(db, people["stan"], managers_session)
    with pytest.raises(Conflict) as twice:  # one registration per webinar, whichever session
        await sign_up(db, people["stan"], second)
    assert twice.value.key == "webinars.already_registered"
    with pytest.raises(Conflict) as started:
        await sign_up(db, people["cato"], first, now=NOW + timedelta(days=7, minutes=1))
    assert started.value.key == "webinars.session_started"
    with pytest.raises(NotFound):
        await sign_up(db, people["cato"], 999)
    assert written(db) == before
    assert (await sign_up(db, people["mia"], managers_session)).seated


async def test_a_draft_takes_no_sign_ups_and_only_hr_sees_it(db: FakeDatabase, people: dict) -> None:
    webinar_id = await service.create_webinar(FakeUnitOfWork(db), service.CreateWebinar(people["hilde"], draft()), NOW)
    webinar = await FakeUnitOfWork(db).webinars.get(webinar_id)
    with pytest.raises(Forbidden):
        await sign_up(db, people["stan"], webinar.sessions[0].id)
    with pytest.raises(NotFound):
        await service.invitation(FakeUnitOfWork(db), service.ShowInvitation(people["stan"], webinar_id), NOW)
    seen = await service.invitation(FakeUnitOfWork(db), service.ShowInvitation(people["hilde"], webinar_id), NOW)
    assert seen.webinar.status is WebinarStatus.DRAFT


async def test_cancelling_a_seat_promotes_the_first_waiting_who_is_told(db: FakeDatabase, people: dict) -> None:
    webinar_id, (session_id,) = await published(db, draft(capacity=1))
    stan = await sign_up(db, people["stan"], session_id)
    olga = await sign_up(db, people["olga"], session_id, waitlist=True)
    mia = await sign_up(db, people["mia"], session_id, waitlist=True)

    result = await cancel(db, people["stan"], stan.registration.id)
    assert result.cancelled.id == stan.registration.id and result.promoted.id == olga.registration.id
    repository = FakeUnitOfWork(db).webinars
    promoted = await repository.get_registration(olga.registration.id)
    assert promoted.status is RegistrationStatus.SEATED and promoted.seated_at == NOW
    assert (await repository.get_registration(mia.registration.id)).waitlist_position == 1
    assert (await repository.get_session(session_id)).seats_taken == 1
    assert await repository.get_registration(stan.registration.id) is None
    session = await repository.get_session(session_id)
    assert db.outbox() == [(people["olga"].id, PromotedFromWaitlist(
        registration_id=olga.registration.id, webinar_id=webinar_id, title_nl="Focus @ home", title_en="Focus at home",
        starts_at=session.starts_at,
    ))]
    told = db.outbox_for(people["olga"].id)[0]
    assert told.starts_at.utcoffset() == NOW.utcoffset()  # the service's time zone, for the text
    assert [a["action"] for a in db.audit()][-2:] == ["webinar.promoted", "webinar.cancelled"]


async def test_cancelling_without_waitlist_frees_the_seat_and_tells_nobody(db: FakeDatabase, people: dict) -> None:
    _, (session_id,) = await published(db, draft(capacity=1))
    stan = await sign_up(db, people["stan"], session_id)
    olga = await sign_up(db, people["olga"], session_id, waitlist=True)
    assert (await cancel(db, people["olga"], olga.registration.id)).promoted is None  # a waitlist place frees no seat
    assert (await FakeUnitOfWork(db).webinars.get_session(session_id)).seats_taken == 1
    result = await cancel(db, people["stan"], stan.registration.id)
    assert result.promoted is None
    assert (await FakeUnitOfWork(db).webinars.get_session(session_id)).seats_taken == 0
    assert db.outbox() == []


async def test_cancel_refusals_write_nothing(db: FakeDatabase, people: dict) -> None:
    _, (session_id,) = await published(db, draft(capacity=1))
    stan = await sign_up(db, people["stan"], session_id)
    await sign_up(db, people["olga"], session_id, waitlist=True)
    before = written(db)
    with pytest.raises(Forbidden):  # someone else's registration
        await cancel(db, people["cato"], stan.registration.id)
    with pytest.raises(Conflict):
        await cancel(db, people["stan"], stan.registration.id, now=NOW + timedelta(days=8))
    with pytest.raises(NotFound):
        await cancel(db, people["stan"], 999)
    assert written(db) == before


# -- what staff see ------------------------------------------------------------------------------
async def test_overview_shows_my_target_group_and_my_registrations(db: FakeDatabase, people: dict) -> None:
    for_all, (all_session,) = await published(db)
    managers, _ = await published(db, draft(group=TargetGroup.MANAGERS, starts_in=timedelta(days=3)))
    for_dv, _ = await published(db, draft(group=TargetGroup.ENTITIES), entity_ids=(people["olga"].entity_id,))
    # Under way now: no longer upcoming, but Stan is still registered and sees it to join.
    running, (running_session,) = await published(db, draft(starts_in=timedelta(hours=1)))
    await sign_up(db, people["stan"], all_session)
    await sign_up(db, people["stan"], running_session)
    later = NOW + timedelta(hours=1, minutes=30)

    stan = await service.overview(FakeUnitOfWork(db), service.WebinarOverview(people["stan"]), later)
    assert [s.webinar.id for s in stan] == [for_all, running]
    assert stan[0].registration.staff_id == people["stan"].id and stan[0].sessions[0].open
    assert stan[1].registration is not None and not stan[1].sessions[0].open  # started: no cancelling
    mia = await service.overview(FakeUnitOfWork(db), service.WebinarOverview(people["mia"]), later)
    assert [s.webinar.id for s in mia] == [managers, for_all] and all(s.registration is None for s in mia)
    olga = await service.overview(FakeUnitOfWork(db), service.WebinarOverview(people["olga"]), later)
    assert [s.webinar.id for s in olga] == [for_all, for_dv]


async def test_the_invitation_refuses_whom_it_is_not_for(db: FakeDatabase, people: dict) -> None:
    managers, _ = await published(db, draft(group=TargetGroup.MANAGERS))
    with pytest.raises(Forbidden):
        await service.invitation(FakeUnitOfWork(db), service.ShowInvitation(people["stan"], managers), NOW)
    with pytest.raises(NotFound):
        await service.invitation(FakeUnitOfWork(db), service.ShowInvitation(people["stan"], 999), NOW)
    seen = await service.invitation(FakeUnitOfWork(db), service.ShowInvitation(people["hilde"], managers), NOW)
    assert seen.webinar.id == managers and seen.registration is None


async def test_invitation_contents_for_the_broadcast_leave_out_who_may_not_see_it(db: FakeDatabase, people: dict) -> None:
    webinar_id, (session_id,) = await published(db, draft(group=TargetGroup.MANAGERS))
    await sign_up(db, people["mia"], session_id)
    query = BroadcastContent(InvitationPayload(webinar_id=webinar_id), [people["mia"], people["stan"], people["hilde"]])
    contents = await service.invitation_contents(FakeUnitOfWork(db), query, NOW)
    assert set(contents) == {people["mia"].id, people["hilde"].id}
    assert contents[people["mia"].id].registration.staff_id == people["mia"].id
    assert contents[people["hilde"].id].registration is None
    assert [s.open for s in contents[people["mia"].id].sessions] == [True]
    later = await service.invitation_contents(FakeUnitOfWork(db), query, NOW + timedelta(days=8))
    assert [s.open for s in later[people["mia"].id].sessions] == [False]
    with pytest.raises(NotFound):
        await service.invitation_contents(FakeUnitOfWork(db), BroadcastContent(InvitationPayload(webinar_id=999), [people["mia"]]), NOW)


# -- HR: create, preview, invite -----------------------------------------------------------------
async def test_hr_creates_a_draft_and_sees_its_audience(db: FakeDatabase, people: dict) -> None:
    hilde = people["hilde"]
    entities = await service.form_entities(FakeUnitOfWork(db), service.WebinarForm(hilde), NOW)
    assert [e.code for e in entities] == ["DV", "DWSE"]
    webinar_id = await service.create_webinar(
        FakeUnitOfWork(db), service.CreateWebinar(hilde, draft(group=TargetGroup.ENTITIES, entity_codes=("dv",))), NOW
    )
    found = await service.webinar_for_hr(FakeUnitOfWork(db), service.ShowWebinarForHr(hilde, webinar_id), NOW)
    assert found.state.webinar.status is WebinarStatus.DRAFT
    assert found.state.webinar.entity_ids == frozenset({people["olga"].entity_id})
    assert found.audience == 1  # Olga, the only one in DV
    everyone = await service.webinar_for_hr(FakeUnitOfWork(db), service.ShowWebinarForHr(hilde, (await published(db))[0]), NOW)
    assert everyone.audience == 5  # all in service; Gert left yesterday
    assert db.audit("webinar.created")[0]["after"]["status"] == "draft"
    listed = await service.webinars_for_hr(FakeUnitOfWork(db), service.WebinarsForHr(hilde), NOW)
    assert [s.webinar.id for s in listed] == [everyone.state.webinar.id, webinar_id]


async def test_only_hr_creates_and_a_bad_draft_is_refused_whole(db: FakeDatabase, people: dict) -> None:
    before = written(db)
    with pytest.raises(Forbidden):
        await service.create_webinar(FakeUnitOfWork(db), service.CreateWebinar(people["stan"], draft()), NOW)
    with pytest.raises(Forbidden):
        await service.form_entities(FakeUnitOfWork(db), service.WebinarForm(people["stan"]), NOW)
    with pytest.raises(Forbidden):
        await service.webinars_for_hr(FakeUnitOfWork(db), service.WebinarsForHr(people["stan"]), NOW)
    bad = WebinarDraft("", "Focus", "", "", TargetGroup.ENTITIES, entity_codes=("XYZ",),
                       sessions=(SessionDraft(NOW - timedelta(days=1), NOW, 0, "http://insecure"),))
    with pytest.raises(service.DraftRefused) as refused:
        await service.create_webinar(FakeUnitOfWork(db), service.CreateWebinar(people["hilde"], bad), NOW)
    assert {p.code for p in refused.value.problems} == {"empty", "unknown_entities", "in_past", "bad_capacity", "bad_url"}
    assert written(db) == before and db.state.get("webinars", {}) == {}


async def test_inviting_publishes_and_broadcasts_to_the_audience(db: FakeDatabase, people: dict) -> None:
    hilde = people["hilde"]
    webinar_id = await service.create_webinar(FakeUnitOfWork(db), service.CreateWebinar(hilde, draft(group=TargetGroup.MANAGERS)), NOW)
    at = NOW + timedelta(hours=2)
    broadcast_id = await service.invite(FakeUnitOfWork(db), service.InviteToWebinar(hilde, webinar_id, at), NOW)
    uow = FakeUnitOfWork(db)
    broadcast = await uow.broadcasts.get(broadcast_id)
    assert (broadcast.kind, broadcast.title, broadcast.status, broadcast.scheduled_at) == (
        "webinar.invitation", "Focus @ home", BroadcastStatus.SCHEDULED, at)
    assert InvitationPayload.model_validate(broadcast.payload) == InvitationPayload(webinar_id=webinar_id)
    assert [d.staff_id for d in await uow.broadcasts.list_deliveries(broadcast_id)] == [people["mia"].id]
    assert (await uow.webinars.get(webinar_id)).status is WebinarStatus.PUBLISHED
    invited = db.audit("webinar.invited")[0]
    assert invited["after"] == {"status": "published", "broadcast_id": broadcast_id, "recipients": 1, "scheduled_at": at.isoformat()}
    assert [a["action"] for a in db.audit()] == ["webinar.created", "broadcast.created", "webinar.invited"]


async def test_invite_refusals_write_nothing(db: FakeDatabase, people: dict) -> None:
    hilde = people["hilde"]
    webinar_id = await service.create_webinar(FakeUnitOfWork(db), service.CreateWebinar(hilde, draft(starts_in=timedelta(hours=1))), NOW)
    db.add_entity("LEEG", "An entity without staff")
    nobody = await service.create_webinar(FakeUnitOfWork(db), service.CreateWebinar(hilde, draft(group=TargetGroup.ENTITIES, entity_codes=("LEEG",))), NOW)
    before = written(db)
    cases = [
        (service.InviteToWebinar(people["stan"], webinar_id), Forbidden, "common.not_allowed"),
        (service.InviteToWebinar(hilde, webinar_id, NOW - timedelta(minutes=1)), InvalidInput, "webinars.schedule_in_past"),
        (service.InviteToWebinar(hilde, webinar_id, NOW + timedelta(hours=2)), Conflict, "webinars.no_future_session"),
        (service.InviteToWebinar(hilde, nobody), InvalidInput, "webinars.no_audience"),
        (service.InviteToWebinar(hilde, 999), NotFound, "common.stale_card"),
    ]
    for command, error, key in cases:
        with pytest.raises(error) as refused:
            await service.invite(FakeUnitOfWork(db), command, NOW)
        assert refused.value.key == key
    assert written(db) == before
    assert (await FakeUnitOfWork(db).webinars.get(webinar_id)).status is WebinarStatus.DRAFT


# -- reminders -----------------------------------------------------------------------------------
async def test_reminders_go_once_to_the_seated_with_the_link(db: FakeDatabase, people: dict) -> None:
    _, (session_id,) = await published(db, draft(capacity=1, starts_in=timedelta(days=2)))
    stan = await sign_up(db, people["stan"], session_id)
    await sign_up(db, people["cato"], session_id, waitlist=True)  # waiting: no reminder
    reminders = service.SendDueReminders((24, 1))

    assert await service.send_due_reminders(FakeUnitOfWork(db), reminders, NOW) == 0  # 48 h before
    day_before = NOW + timedelta(days=1, minutes=2)
    assert await service.send_due_reminders(FakeUnitOfWork(db), reminders, day_before) == 1
    assert await service.send_due_reminders(FakeUnitOfWork(db), reminders, day_before + timedelta(minutes=5)) == 0
    starts_at = (await FakeUnitOfWork(db).webinars.get_session(session_id)).starts_at
    assert db.outbox() == [(people["stan"].id, WebinarReminder(
        registration_id=stan.registration.id, hours_before=24, title_nl="Focus @ home", title_en="Focus at home",
        starts_at=starts_at, join_url=JOIN,
    ))]
    hour_before = NOW + timedelta(days=1, hours=23, minutes=5)
    assert await service.send_due_reminders(FakeUnitOfWork(db), reminders, hour_before) == 1
    assert [n.hours_before for n in db.outbox_for(people["stan"].id)] == [24, 1]
    assert db.outbox_for(people["cato"].id) == []
    assert await service.send_due_reminders(FakeUnitOfWork(db), service.SendDueReminders(()), hour_before) == 0


async def test_a_late_sign_up_gets_only_the_closest_reminder_and_delivery_is_recorded(db: FakeDatabase, people: dict) -> None:
    _, (session_id,) = await published(db, draft(starts_in=timedelta(hours=3)))
    stan = await sign_up(db, people["stan"], session_id)  # inside the 24 h window: they know
    reminders = service.SendDueReminders((24, 1))
    assert await service.send_due_reminders(FakeUnitOfWork(db), reminders, NOW + timedelta(minutes=5)) == 0
    assert await service.send_due_reminders(FakeUnitOfWork(db), reminders, NOW + timedelta(hours=2, minutes=10)) == 1
    notice = db.outbox_for(people["stan"].id)[0]
    assert notice.hours_before == 1
    key = (stan.registration.id, 1)
    assert db.table("webinar_reminders")[key]["outcome"] == "claimed"
    uow = FakeUnitOfWork(db)
    async with uow:
        await service.reminder_delivered(uow, notice, Sent("activity-1", "a:conversation"), NOW)
        await uow.commit()
    assert db.table("webinar_reminders")[key]["outcome"] == "sent"


async def test_the_reminder_job_runs_the_use_case_with_its_hours(db: FakeDatabase, people: dict) -> None:
    _, (session_id,) = await published(db, draft(starts_in=timedelta(hours=20)))
    await sign_up(db, people["stan"], session_id, now=NOW - timedelta(days=2))
    runner = UseCaseRunner(fake_uow_factory(db), FixedClock(NOW))
    assert await service.run_reminders(runner, NOW, hours_before=(1,)) == 0
    assert await service.run_reminders(runner, NOW, hours_before=(24, 1)) == 1
    assert [n.hours_before for n in db.outbox_for(people["stan"].id)] == [24]


# -- attendance ----------------------------------------------------------------------------------
async def test_hr_marks_attendance_of_the_seated_only(db: FakeDatabase, people: dict) -> None:
    _, (session_id,) = await published(db, draft(capacity=2))
    stan = await sign_up(db, people["stan"], session_id)
    cato = await sign_up(db, people["cato"], session_id)
    olga = await sign_up(db, people["olga"], session_id, waitlist=True)
    hilde = people["hilde"]
    # Not before the session has started: nothing is marked ahead of it.
    before_start = written(db)
    with pytest.raises(Conflict) as early:
        await service.record_attendance(FakeUnitOfWork(db), service.RecordAttendance(hilde, session_id, frozenset({stan.registration.id})), NOW)
    assert early.value.key == "webinars.attendance_not_started" and written(db) == before_start
    with pytest.raises(Conflict):
        await service.attendance_sheet(FakeUnitOfWork(db), service.ShowAttendance(hilde, session_id), NOW)
    # The session (a week ahead) has begun.
    sheet = await service.attendance_sheet(FakeUnitOfWork(db), service.ShowAttendance(hilde, session_id), STARTED)
    assert [(p.display_name, p.status) for p in sheet.participants] == [
        ("Cato Collega", RegistrationStatus.SEATED), ("Stan Staff", RegistrationStatus.SEATED), ("Olga Other", RegistrationStatus.WAITLISTED),
    ]
    count = await service.record_attendance(FakeUnitOfWork(db), service.RecordAttendance(hilde, session_id, frozenset({stan.registration.id})), STARTED)
    assert count == 1
    marks = {p.display_name: p.attended for p in await FakeUnitOfWork(db).webinars.participants(session_id)}
    assert marks == {"Stan Staff": True, "Cato Collega": False, "Olga Other": None}
    assert sorted((a["subject_id"], a["after"]["attended"]) for a in db.audit("webinar.attendance")) == [
        (str(stan.registration.id), True), (str(cato.registration.id), False),
    ]
    # Saving the same again changes and audits nothing.
    await service.record_attendance(FakeUnitOfWork(db), service.RecordAttendance(hilde, session_id, frozenset({stan.registration.id})), STARTED)
    assert len(db.audit("webinar.attendance")) == 2

    before = written(db)
    for command in (
        service.RecordAttendance(hilde, session_id, frozenset({olga.registration.id})),  # not seated: a forged card
        service.RecordAttendance(people["stan"], session_id, frozenset()),
    ):
        with pytest.raises(Forbidden):
            await service.record_attendance(FakeUnitOfWork(db), command, STARTED)
    with pytest.raises(Forbidden):
        await service.attendance_sheet(FakeUnitOfWork(db), service.ShowAttendance(people["stan"], session_id), STARTED)
    with pytest.raises(NotFound):
        await service.attendance_sheet(FakeUnitOfWork(db), service.ShowAttendance(hilde, 999), STARTED)
    assert written(db) == before


# -- HR: warnings, changing and cancelling a webinar ---------------------------------------------
async def test_the_preview_warns_of_weekend_holiday_past_sessions_and_missing_english(db: FakeDatabase, people: dict) -> None:
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=ZONE)
    armistice = datetime(2026, 11, 11, 10, 0, tzinfo=ZONE)  # a Belgian public holiday, and past by NOW
    christmas = datetime(2026, 12, 25, 10, 0, tzinfo=ZONE)
    webinar = WebinarDraft(
        "Focus @ home", "", "Over focus", "", TargetGroup.ALL,
        sessions=tuple(SessionDraft(s, s + timedelta(hours=1), 10, JOIN) for s in (saturday, armistice, christmas, NOW + timedelta(days=2))),
    )
    webinar_id = await FakeUnitOfWork(db).webinars.add(webinar, [], WebinarStatus.DRAFT, None)
    found = await service.webinar_for_hr(FakeUnitOfWork(db), service.ShowWebinarForHr(people["hilde"], webinar_id), NOW)
    assert [(w.where, w.code) for w in found.warnings] == [
        ("title_en", "no_english"), ("description_en", "no_english"),
        ("sessions[0]", "in_past"), ("sessions[2]", "weekend"), ("sessions[3]", "holiday"),
    ]  # sessions come sorted by start: 11 November, 25 November (clean), 28 November, 25 December


async def test_cancelling_a_webinar_tells_everyone_registered_for_a_session_to_come(db: FakeDatabase, people: dict) -> None:
    webinar_id, (first, second) = await published(db, draft(capacity=1, sessions=2))
    await sign_up(db, people["stan"], first)
    await sign_up(db, people["cato"], first, waitlist=True)
    await sign_up(db, people["mia"], second)
    hilde = people["hilde"]
    shown = await service.webinar_for_hr(FakeUnitOfWork(db), service.ShowWebinarForHr(hilde, webinar_id), NOW)
    assert shown.registered == 3
    with pytest.raises(Forbidden):
        await service.cancel_webinar(FakeUnitOfWork(db), service.CancelWebinar(people["stan"], webinar_id), NOW)
    # Once the first session is under way, only the second one is called off.
    under_way = NOW + timedelta(days=7, minutes=5)
    result = await service.cancel_webinar(FakeUnitOfWork(db), service.CancelWebinar(hilde, webinar_id), under_way)
    assert result.told == 1
    assert db.outbox_for(people["stan"].id) == [] and db.outbox_for(people["cato"].id) == []
    (notice,) = db.outbox_for(people["mia"].id)
    assert isinstance(notice, WebinarCancelled) and notice.title_en == "Focus at home" and not notice.waitlisted
    assert (await FakeUnitOfWork(db).webinars.get(webinar_id)).status is WebinarStatus.CANCELLED
    assert [a["after"] for a in db.audit("webinar.cancelled_by_hr")] == [{"status": "cancelled", "told": 1}]
    before = written(db)
    for use_case, command in (
        (service.cancel_webinar, service.CancelWebinar(hilde, webinar_id)),
        (service.invite, service.InviteToWebinar(hilde, webinar_id)),
        (service.update_webinar, service.UpdateWebinar(hilde, webinar_id, draft())),
    ):
        with pytest.raises(Conflict) as refused:
            await use_case(FakeUnitOfWork(db), command, NOW)
        assert refused.value.key == "webinars.webinar_cancelled"
    assert written(db) == before
    with pytest.raises(Conflict) as late:
        await sign_up(db, people["olga"], second)
    assert late.value.key == "webinars.webinar_cancelled"
    mias = next(r for r in db.table("webinar_registrations").values() if r.staff_id == people["mia"].id)
    with pytest.raises(Conflict):  # nothing to give up: no seat is freed for anyone
        await cancel(db, people["mia"], mias.id)
    states = await service.overview(FakeUnitOfWork(db), service.WebinarOverview(people["mia"]), NOW)
    assert states == []  # a cancelled webinar is not offered, not even to those who had registered


async def test_changing_a_webinar_moves_sessions_and_tells_whom_it_concerns(db: FakeDatabase, people: dict) -> None:
    webinar_id, (first, second) = await published(db, draft(capacity=3, sessions=2))
    await sign_up(db, people["stan"], first)
    await sign_up(db, people["cato"], second)
    original = await FakeUnitOfWork(db).webinars.get(webinar_id)
    moved = SessionDraft(NOW + timedelta(days=9), NOW + timedelta(days=9, hours=2), 3, JOIN)
    changed = WebinarDraft(
        "Focus @ thuis", "Focus at home", "Over focus", "On focus", TargetGroup.ALL,
        sessions=(SessionDraft(original.sessions[0].starts_at, original.sessions[0].ends_at, 10, JOIN), moved),
    )
    result = await service.update_webinar(FakeUnitOfWork(db), service.UpdateWebinar(people["hilde"], webinar_id, changed), NOW)
    assert result.told == 1  # more seats tells nobody; a new time tells who registered for it
    assert db.outbox_for(people["stan"].id) == []
    (notice,) = db.outbox_for(people["cato"].id)
    assert isinstance(notice, WebinarSessionChanged) and notice.starts_at == moved.starts_at and not notice.link_changed
    assert notice.was_starts_at == original.sessions[1].starts_at and notice.title_nl == "Focus @ thuis"
    webinar = await FakeUnitOfWork(db).webinars.get(webinar_id)
    assert (webinar.title_nl, [s.capacity for s in webinar.sessions], webinar.sessions[1].seats_taken) == ("Focus @ thuis", [10, 3], 1)
    (audit,) = db.audit("webinar.updated")
    assert audit["before"]["title_nl"] == "Focus @ home" and audit["after"]["told"] == 1


async def test_a_change_that_breaks_registrations_or_history_is_refused_whole(db: FakeDatabase, people: dict) -> None:
    webinar_id, (first, second) = await published(db, draft(capacity=3, sessions=2))
    await sign_up(db, people["stan"], first)
    await sign_up(db, people["cato"], second)
    await sign_up(db, people["mia"], second)
    original = await FakeUnitOfWork(db).webinars.get(webinar_id)
    one, two = (SessionDraft(s.starts_at, s.ends_at, s.capacity, s.join_url) for s in original.sessions)
    before = written(db)
    cases = [
        ((one,), [("sessions[1]", "has_registrations")]),  # the second session dropped
        ((one, SessionDraft(two.starts_at, two.ends_at, 1, JOIN)), [("sessions[1]", "below_seats")]),
    ]
    for sessions, expected in cases:
        changed = WebinarDraft("Focus @ home", "Focus at home", "Over focus", "On focus", TargetGroup.ALL, sessions=sessions)
        with pytest.raises(service.DraftRefused) as refused:
            await service.update_webinar(FakeUnitOfWork(db), service.UpdateWebinar(people["hilde"], webinar_id, changed), NOW)
        assert [(p.where, p.code) for p in refused.value.problems] == expected
    assert written(db) == before
    # Once the first session started it stays as it was; leaving it alone is fine.
    started = NOW + timedelta(days=7, minutes=5)
    later = SessionDraft(one.starts_at + timedelta(hours=2), one.ends_at + timedelta(hours=2), 3, JOIN)
    changed = WebinarDraft("Focus @ home", "Focus at home", "Over focus", "On focus", TargetGroup.ALL, sessions=(later, two))
    with pytest.raises(service.DraftRefused) as refused:
        await service.update_webinar(FakeUnitOfWork(db), service.UpdateWebinar(people["hilde"], webinar_id, changed), started)
    assert ("sessions[0]", "started") in [(p.where, p.code) for p in refused.value.problems]
    retitled = WebinarDraft("Focus @ thuis", "Focus at home", "Over focus", "On focus", TargetGroup.ALL, sessions=(one, two))
    result = await service.update_webinar(FakeUnitOfWork(db), service.UpdateWebinar(people["hilde"], webinar_id, retitled), started)
    assert result.told == 0 and db.outbox() == []
