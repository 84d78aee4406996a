"""Home-work use cases on the in-memory unit of work: what is registered, refused, audited and
asked for again, with a fixed clock (Sunday 22 November 2026)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.approvals import Approval, ApprovalStatus
from bot.domain.errors import DomainError, Forbidden, NotFound
from bot.domain.homework import (
    DayRefused,
    FormRequest,
    Missing,
    NotEligible,
    Outcome,
    RegistrationFormView,
    RegistrationResult,
    RegistrationStatus,
    TeamAgreement,
)
from bot.domain.homework_text import parse_request
from bot.domain.policy import EntityPolicy
from bot.domain.policy_sections import HomeworkPolicy
from bot.domain.staff import Role, Staff
from bot.services import homework as service
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))  # a Sunday
MON, TUE, WED, THU, FRI, SAT = (date(2026, 11, 23) + timedelta(days=n) for n in range(6))
CHRISTMAS = date(2026, 12, 25)


@cache
def _approval_subjects() -> dict[str, Any]:
    from bot.wiring import build_registry

    return dict(build_registry().approval_subjects)


def uow(db: FakeDatabase) -> FakeUnitOfWork:
    unit = FakeUnitOfWork(db, approval_subjects=_approval_subjects())
    return unit


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def people(db: FakeDatabase) -> dict[str, Staff]:
    dwse = db.add_entity("DWSE")
    dv = db.add_entity("DV", "Departement Vlaanderen", EntityPolicy(homework=HomeworkPolicy(needs_approval=True)))
    mia = db.add_staff("Mia Manager", entity=dwse, roles=(Role.MANAGER,))
    stan = db.add_staff("Stan Staff", entity=dwse, manager=mia)
    cato = db.add_staff("Cato Collega", entity=dwse, manager=mia, language="en")
    olaf = db.add_staff("Olaf Other", entity=dv, roles=(Role.MANAGER,))
    olga = db.add_staff("Olga Other", entity=dv, manager=olaf)
    return {"mia": mia, "stan": stan, "cato": cato, "olaf": olaf, "olga": olga}


def set_homework_policy(db: FakeDatabase, staff: Staff, **fields: Any) -> None:
    db.set_policy(staff.entity_id, EntityPolicy(homework=HomeworkPolicy(**fields)))


def registrations(db: FakeDatabase, staff: Staff | None = None) -> list[Any]:
    rows = sorted(db.table("work_registrations").values(), key=lambda r: r.day)
    return [r for r in rows if staff is None or r.staff_id == staff.id]


def approvals(db: FakeDatabase) -> list[Approval]:
    return sorted(db.table("approvals").values(), key=lambda a: a.id)


async def register(db: FakeDatabase, staff: Staff, *days: date, place: str = "home", part: str = "full", location: str | None = None) -> RegistrationResult:
    command = service.RegisterDays(staff, days, place, part, location)  # type: ignore[arg-type]
    return await service.register_days(uow(db), command, NOW)


# -- register_days ---------------------------------------------------------------------------------
async def test_days_are_registered_and_refused_days_say_why(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    result = await register(db, stan, MON, SAT, CHRISTMAS, date(2026, 9, 30), date(2027, 6, 1), TUE)
    assert [(d.day, d.outcome) for d in result.days] == [
        (date(2026, 9, 30), Outcome.REFUSED), (MON, Outcome.REGISTERED), (TUE, Outcome.REGISTERED),
        (SAT, Outcome.REFUSED), (CHRISTMAS, Outcome.REFUSED), (date(2027, 6, 1), Outcome.REFUSED),
    ]
    assert [d.refusal.key for d in result.days if d.refusal] == [
        "homework.refused_too_late", "homework.refused_weekend", "homework.refused_holiday", "homework.refused_too_far",
    ]
    assert [(r.day, r.place, r.part, r.status) for r in registrations(db)] == [
        (MON, "home", "full", RegistrationStatus.REGISTERED), (TUE, "home", "full", RegistrationStatus.REGISTERED),
    ]
    assert [(row["action"], row["actor"]) for row in db.audit()] == [("homework.registered", f"staff:{stan.id}")] * 2
    assert db.commits == 1 and db.outbox() == [] and result.approval_ids == []


async def test_the_same_day_again_is_unchanged_and_a_different_part_changes_it(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    first = await register(db, stan, MON)
    again = await register(db, stan, MON)
    assert again.days[0].outcome is Outcome.UNCHANGED and len(db.audit()) == 1
    changed = await register(db, stan, MON, place="satellite", part="pm", location="Gent")
    (day,) = registrations(db)
    assert day.id == first.days[0].registration.id and (day.place, day.part, day.satellite_location) == ("satellite", "pm", "Gent")
    assert changed.location == "Gent"
    assert [row["action"] for row in db.audit()] == ["homework.registered", "homework.changed"]
    assert db.audit()[1]["before"]["place"] == "home" and db.audit()[1]["after"]["status"] == "registered"


async def test_a_location_only_goes_with_a_satellite_day(db: FakeDatabase, people: dict) -> None:
    await register(db, people["stan"], MON, location="Gent")
    assert registrations(db)[0].satellite_location is None


async def test_a_bad_command_is_refused_before_anything_is_read(db: FakeDatabase, people: dict) -> None:
    for kwargs in ({"place": "moon"}, {"days": ()}, {"place": "satellite", "location": "x" * 101}):
        arguments = {"days": (MON,), "place": "home"} | kwargs
        with pytest.raises(DomainError):
            service.RegisterDays(people["stan"], **arguments)  # type: ignore[arg-type]
    assert db.commits == 0


async def test_not_eligible_refuses_home_days_with_the_managers_name_but_not_office_days(db: FakeDatabase, people: dict) -> None:
    stan, mia = people["stan"], people["mia"]
    await uow(db).registrations.add_ineligibility(
        staff_id=stan.id, reason="function", note=None, valid_from=date(2026, 11, 1), valid_until=None, set_by=mia.id,
    )
    home = await register(db, stan, MON)
    refusal = home.single_refusal
    assert isinstance(refusal, NotEligible)
    assert refusal.params["manager"] == "Mia Manager" and refusal.params["reason"] == "function"
    assert registrations(db) == []
    office = await register(db, stan, MON, place="office")
    assert office.days[0].outcome is Outcome.REGISTERED and [r.place for r in registrations(db)] == ["office"]
    assert office.below_minimum == []


async def test_an_anchor_day_warns_or_waits_for_the_manager(db: FakeDatabase, people: dict) -> None:
    stan, mia = people["stan"], people["mia"]
    await uow(db).registrations.save_agreement(TeamAgreement(mia.id, frozenset({1}), 0))
    warned = await register(db, stan, MON, TUE)
    assert [d.day for d in warned.anchor_days] == [TUE] and not warned.anchor_needs_approval
    assert {r.status for r in registrations(db)} == {RegistrationStatus.REGISTERED}
    set_homework_policy(db, stan, anchor_day_home_work="approval")
    waiting = await register(db, stan, TUE, part="am")
    assert waiting.days[0].outcome is Outcome.PENDING and waiting.anchor_needs_approval
    assert waiting.approver_name == "Mia Manager"
    (approval,) = approvals(db)
    assert (approval.subject_type, approval.approver_id, approval.requester_id) == ("homework_day", mia.id, stan.id)
    assert waiting.approval_ids == [approval.id]
    assert "approval.requested" in [row["action"] for row in db.audit()]


async def test_a_week_below_the_teams_minimum_office_days_is_warned_about(db: FakeDatabase, people: dict) -> None:
    stan, mia = people["stan"], people["mia"]
    await uow(db).registrations.save_agreement(TeamAgreement(mia.id, frozenset(), 4))
    result = await register(db, stan, MON, THU, date(2026, 12, 2))
    assert [(w.week_of, w.office_days_left, w.minimum) for w in result.below_minimum] == [(MON, Decimal(3), 4)]


async def test_where_the_entity_asks_for_approval_a_changed_pending_day_replaces_its_approval(db: FakeDatabase, people: dict) -> None:
    olga = people["olga"]
    first = await register(db, olga, MON)
    assert first.days[0].outcome is Outcome.PENDING and first.approver_name == "Olaf Other"
    await register(db, olga, MON, part="am")
    old, new = approvals(db)
    assert (old.status, new.status) == (ApprovalStatus.CANCELLED, ApprovalStatus.PENDING)
    (day,) = registrations(db)
    assert (day.part, day.status, day.id) == ("am", RegistrationStatus.PENDING, new.subject_id)


# -- register_request: a text or the form ---------------------------------------------------------
async def test_a_complete_text_is_registered_in_one_go(db: FakeDatabase, people: dict) -> None:
    parsed = parse_request("thuis elke ma en do 2 weken", NOW)
    result = await service.register_request(uow(db), service.RegisterRequest(people["stan"], parsed), NOW)
    assert isinstance(result, RegistrationResult)
    assert [r.day for r in registrations(db)] == [MON, THU, MON + timedelta(days=7), THU + timedelta(days=7)]


async def test_a_text_understood_in_part_comes_back_as_the_form_and_writes_nothing(db: FakeDatabase, people: dict) -> None:
    parsed = parse_request("thuis morgen blabla", NOW)
    view = await service.register_request(uow(db), service.RegisterRequest(people["stan"], parsed), NOW)
    assert isinstance(view, RegistrationFormView)
    assert (view.missing, view.unknown_words) == (Missing.UNKNOWN_WORDS, ("blabla",))
    assert (view.request.day, view.request.place, view.request.part) == (MON, "home", "full")
    assert (view.earliest, view.latest) == (date(2026, 10, 1), NOW.date() + timedelta(days=182))
    half = await service.register_request(uow(db), service.RegisterRequest(people["stan"], parse_request("home tomorrow half day", NOW)), NOW)
    assert isinstance(half, RegistrationFormView) and half.missing is Missing.WHICH_HALF
    assert registrations(db) == [] and db.commits == 0 and db.audit() == []


async def test_a_pattern_longer_than_26_weeks_is_refused(db: FakeDatabase, people: dict) -> None:
    with pytest.raises(DomainError) as refused:
        await service.register_request(uow(db), service.RegisterRequest(people["stan"], parse_request("thuis elke ma 27 weken", NOW)), NOW)
    assert refused.value.key == "homework.weeks_out_of_range" and registrations(db) == []


async def test_the_form_registers_a_range_or_a_pattern_and_asks_for_what_is_missing(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    ranged = FormRequest(place="home", part="am", day=MON, until=date(2026, 11, 29))
    result = await service.register_request(uow(db), service.RegisterRequest(stan, ranged), NOW)
    assert isinstance(result, RegistrationResult)
    assert [(d.outcome, d.day) for d in result.days].count((Outcome.REFUSED, SAT)) == 1
    assert [r.day for r in registrations(db)] == [MON, TUE, WED, THU, FRI]
    pattern = FormRequest(place="satellite", part="full", day=MON, location="Leuven", weekdays=(1, 3), weeks=4)
    await service.register_request(uow(db), service.RegisterRequest(people["cato"], pattern), NOW)
    cato_days = registrations(db, people["cato"])
    assert len(cato_days) == 8 and {r.satellite_location for r in cato_days} == {"Leuven"}
    commits = db.commits
    for request, missing in (
        (FormRequest(place="home", part="full", day=MON, weekdays=(0, 3)), Missing.WEEKS),
        (FormRequest(place="home", part="full", weeks=3), Missing.WEEKDAYS),
        (FormRequest(part="full", day=MON), Missing.PLACE),
        (FormRequest(place="home", part="full"), Missing.DAY),
    ):
        view = await service.register_request(uow(db), service.RegisterRequest(stan, request), NOW)
        assert isinstance(view, RegistrationFormView) and view.missing is missing
        assert view.request.weekdays == request.weekdays and view.request.place == "home"
    assert db.commits == commits


# -- the form, my days, cancel ----------------------------------------------------------------------
async def test_the_empty_form_suggests_the_first_working_day(db: FakeDatabase, people: dict) -> None:
    view = await service.registration_form(uow(db), service.OpenRegistrationForm(people["stan"]), NOW)
    assert (view.request.day, view.request.place, view.request.part, view.missing) == (MON, "home", "full", None)
    satellite = await service.registration_form(uow(db), service.OpenRegistrationForm(people["stan"], FormRequest(place="satellite")), NOW)
    assert satellite.request.place == "satellite"
    pattern = await service.registration_form(uow(db), service.OpenRegistrationForm(people["stan"], FormRequest(weekdays=(2,))), NOW)
    assert pattern.request.day is None  # a weekly pattern starts today unless a day is chosen
    christmas_eve = datetime(2026, 12, 24, 18, 0, tzinfo=NOW.tzinfo)
    late = await service.registration_form(uow(db), service.OpenRegistrationForm(people["stan"]), christmas_eve)
    assert late.request.day == date(2026, 12, 24)
    after = await service.registration_form(uow(db), service.OpenRegistrationForm(people["stan"]), christmas_eve + timedelta(days=1))
    assert after.request.day == date(2026, 12, 28)  # Christmas, then the weekend


async def test_the_form_shows_ones_own_registration_only(db: FakeDatabase, people: dict) -> None:
    await register(db, people["stan"], THU, place="satellite", part="pm", location="Gent")
    (day,) = registrations(db)
    view = await service.registration_form(uow(db), service.OpenRegistrationForm(people["stan"], registration_id=day.id), NOW)
    assert (view.request.day, view.request.place, view.request.part, view.request.location) == (THU, "satellite", "pm", "Gent")
    with pytest.raises(Forbidden):
        await service.registration_form(uow(db), service.OpenRegistrationForm(people["cato"], registration_id=day.id), NOW)
    with pytest.raises(NotFound):
        await service.registration_form(uow(db), service.OpenRegistrationForm(people["stan"], registration_id=999), NOW)


async def test_my_days_per_period_and_which_may_still_change(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    await register(db, stan, date(2026, 10, 2), MON, date(2026, 12, 3))
    week = await service.my_days(uow(db), service.ShowMyDays(stan), NOW)
    assert (week.start, week.end, [r.day for r in week.registrations]) == (MON, date(2026, 11, 29), [MON])
    month = await service.my_days(uow(db), service.ShowMyDays(stan, "month"), NOW)
    assert [r.day for r in month.registrations] == [MON]
    following = await service.my_days(uow(db), service.ShowMyDays(stan, "next_month"), NOW)
    assert [r.day for r in following.registrations] == [date(2026, 12, 3)]
    in_december = datetime(2026, 12, 2, 9, 0, tzinfo=NOW.tzinfo)
    december = await service.my_days(uow(db), service.ShowMyDays(stan, "month"), in_december)
    assert december.earliest_changeable == date(2026, 11, 1)
    october = registrations(db)[0]
    assert not december.changeable(october) and december.changeable(registrations(db)[1])
    assert (await service.my_days(uow(db), service.ShowMyDays(people["cato"], "month"), NOW)).registrations == []
    assert db.commits == 1  # reading writes nothing


async def test_cancelling_removes_the_day_and_withdraws_a_pending_approval(db: FakeDatabase, people: dict) -> None:
    stan, olga = people["stan"], people["olga"]
    await register(db, stan, MON)
    await register(db, olga, TUE)
    (stan_day,) = registrations(db, stan)
    (olga_day,) = registrations(db, olga)
    cancelled = await service.cancel_day(uow(db), service.CancelDay(stan, stan_day.id), NOW)
    assert cancelled.registration.day == MON and registrations(db, stan) == []
    assert db.audit("homework.cancelled")[0]["before"]["day"] == "2026-11-23"
    await service.cancel_day(uow(db), service.CancelDay(olga, olga_day.id), NOW)
    assert registrations(db) == [] and [a.status for a in approvals(db)] == [ApprovalStatus.CANCELLED]
    assert len(db.audit("approval.cancelled")) == 1


async def test_cancelling_someone_elses_or_a_closed_day_is_refused_and_writes_nothing(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    await register(db, stan, date(2026, 10, 2), MON)
    october, monday = registrations(db)
    commits = db.commits
    with pytest.raises(Forbidden):
        await service.cancel_day(uow(db), service.CancelDay(people["cato"], monday.id), NOW)
    with pytest.raises(NotFound):
        await service.cancel_day(uow(db), service.CancelDay(stan, 999), NOW)
    in_december = datetime(2026, 12, 2, 9, 0, tzinfo=NOW.tzinfo)
    with pytest.raises(DayRefused) as refused:
        await service.cancel_day(uow(db), service.CancelDay(stan, october.id), in_december)
    assert refused.value.key == "homework.refused_too_late"
    assert registrations(db) == [october, monday] and db.commits == commits and db.audit("homework.cancelled") == []


# -- demo data --------------------------------------------------------------------------------------
async def test_the_demo_sets_policies_an_agreement_a_marking_and_home_days(db: FakeDatabase) -> None:
    dwse, dv = db.add_entity("DWSE"), db.add_entity("DV", "Departement Vlaanderen")
    megan = db.add_staff("Megan Bowen", entity=dwse, roles=(Role.MANAGER,), email="meganb@example.com")
    alex = db.add_staff("Alex Wilber", entity=dwse, manager=megan, email="alexw@example.com")
    dora = db.add_staff("Dora Decaan", entity=dv, roles=(Role.MANAGER,))
    sander = db.add_staff("Sander Coppens", entity=dv, manager=dora, email="sander.coppens@vlaanderen.be")
    fien = db.add_staff("Fien Aerts", entity=dv, manager=dora, email="fien.aerts@vlaanderen.be")
    await service.load_demo(uow(db), service.LoadHomeworkDemo(), NOW)
    policies = db.table("entity_policies")
    assert (policies[dwse.id].homework.needs_approval, policies[dv.id].homework.needs_approval) == (False, True)
    assert db.table("team_agreements")[megan.id] == TeamAgreement(megan.id, frozenset({1}), 2)
    (marking,) = db.table("ineligibilities").values()
    assert (marking.staff_id, marking.reason, marking.set_by, marking.valid_from) == (sander.id, "function", dora.id, date(2026, 11, 1))
    assert [(r.day, r.status) for r in registrations(db, alex)] == [
        (MON, "registered"), (THU, "registered"), (date(2026, 11, 30), "registered"), (date(2026, 12, 3), "registered"),
    ]
    assert {r.status for r in registrations(db, fien)} == {RegistrationStatus.PENDING} and len(approvals(db)) == 4
    assert {row["actor"] for row in db.audit("homework.registered")} == {"demo"} and db.commits == 1


# -- what changed, and undo -------------------------------------------------------------------------
def states(db: FakeDatabase, staff: Staff) -> list[tuple[date, str, str, str]]:
    return [(r.day, r.place, r.part, r.status.value) for r in registrations(db, staff)]


async def test_only_a_replaced_day_keeps_a_change_for_undo(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    first = await register(db, stan, MON)
    assert first.change_id is None and db.table("registration_changes") == {}
    changed = await register(db, stan, MON, TUE, place="office", part="pm")
    assert changed.change_id is not None
    assert [(r.day, r.previous.place if r.previous else None) for r in changed.replaced] == [(MON, "home")]
    (change,) = db.table("registration_changes").values()
    assert [(e.day, e.before and e.before["place"], e.after["place"]) for e in change.entries] == [(MON, "home", "office"), (TUE, None, "office")]


async def test_undo_restores_the_days_before_and_is_audited(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    await register(db, stan, MON, place="office", part="pm")
    changed = await register(db, stan, MON, TUE)
    restored = await service.undo_change(uow(db), service.UndoChange(stan, changed.change_id), NOW)
    assert [(e.day, e.was.place if e.was else None, e.now.place if e.now else None) for e in restored] == [(MON, "home", "office"), (TUE, "home", None)]
    assert states(db, stan) == [(MON, "office", "pm", "registered")]
    assert [row["action"] for row in db.audit()][-3:] == ["homework.undone", "homework.undone", "homework.undone"]
    assert db.audit()[-1]["subject_type"] == "registration_change"


async def test_undo_refused_twice_and_when_changed_since_writes_only_the_refusal(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    await register(db, stan, MON, place="office")
    changed = await register(db, stan, MON)
    await register(db, stan, MON, part="am")  # changed since
    with pytest.raises(DomainError) as refused:
        await service.undo_change(uow(db), service.UndoChange(stan, changed.change_id), NOW)
    assert refused.value.key == "homework.undo_changed_since" and refused.value.params["day"] == MON
    assert states(db, stan) == [(MON, "home", "am", "registered")]
    assert db.audit()[-1]["action"] == "homework.undo_refused"
    latest = await register(db, stan, MON, place="satellite")
    await service.undo_change(uow(db), service.UndoChange(stan, latest.change_id), NOW)
    with pytest.raises(DomainError) as twice:
        await service.undo_change(uow(db), service.UndoChange(stan, latest.change_id), NOW)
    assert twice.value.key == "homework.undo_already_done"
    with pytest.raises(Forbidden):
        await service.undo_change(uow(db), service.UndoChange(people["cato"], latest.change_id), NOW)
    with pytest.raises(NotFound):
        await service.undo_change(uow(db), service.UndoChange(stan, 999), NOW)


async def test_undo_of_a_pending_day_asks_its_approval_again(db: FakeDatabase, people: dict) -> None:
    olga = people["olga"]  # DV: home days need approval
    await register(db, olga, MON)
    changed = await register(db, olga, MON, place="office")
    assert [a.status for a in approvals(db)] == [ApprovalStatus.CANCELLED]
    await service.undo_change(uow(db), service.UndoChange(olga, changed.change_id), NOW)
    assert states(db, olga) == [(MON, "home", "full", "pending")]
    assert [a.status for a in approvals(db)] == [ApprovalStatus.CANCELLED, ApprovalStatus.PENDING]


async def test_a_cancelled_day_comes_back_with_undo(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    await register(db, stan, MON, place="satellite", part="am", location="Gent")
    (day,) = registrations(db, stan)
    cancelled = await service.cancel_day(uow(db), service.CancelDay(stan, day.id), NOW)
    assert registrations(db, stan) == []
    await service.undo_change(uow(db), service.UndoChange(stan, cancelled.change_id), NOW)
    (back,) = registrations(db, stan)
    assert (back.day, back.place, back.part, back.satellite_location) == (MON, "satellite", "am", "Gent")


async def test_the_day_to_cancel_is_only_ones_own(db: FakeDatabase, people: dict) -> None:
    await register(db, people["stan"], MON)
    (day,) = registrations(db)
    assert (await service.day_to_cancel(uow(db), service.ShowDayToCancel(people["stan"], day.id), NOW)).day == MON
    with pytest.raises(Forbidden):
        await service.day_to_cancel(uow(db), service.ShowDayToCancel(people["cato"], day.id), NOW)
    assert len(registrations(db)) == 1


async def test_the_not_understood_form_never_prefills_a_refused_day(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    for text in ("thuis zondag blabla", "thuis 3 januari 2020 blabla", "thuis 25/12 blabla", "thuis blabla"):
        view = await service.register_request(uow(db), service.RegisterRequest(stan, parse_request(text, NOW)), NOW)
        assert isinstance(view, RegistrationFormView) and view.request.day is None, text
    view = await service.register_request(uow(db), service.RegisterRequest(stan, parse_request("thuis dinsdagnamiddag blabla", NOW)), NOW)
    assert (view.request.day, view.request.part) == (TUE, "pm")


async def test_a_form_with_every_day_refused_comes_back_with_the_reason_by_the_field(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"]
    view = await service.register_request(uow(db), service.RegisterRequest(stan, FormRequest("home", "full", SAT)), NOW)
    assert isinstance(view, RegistrationFormView) and view.request.day == SAT
    assert [(field_id, error.key) for field_id, error in view.errors] == [("day", "homework.refused_weekend")]
    view = await service.register_request(uow(db), service.RegisterRequest(stan, FormRequest("home", "full", FRI, until=MON)), NOW)
    assert [(field_id, error.key) for field_id, error in view.errors] == [("until", "homework.until_before_start")]
    assert registrations(db) == [] and db.commits == 0
