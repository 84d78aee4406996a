"""The team use cases on the in-memory unit of work: who sees which team, agreements told to the
team, markings told to the member, and refusals that write nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.errors import Conflict, DomainError, Forbidden, NotFound
from bot.domain.homework import RegistrationStatus, TeamAgreement
from bot.domain.policy import EntityPolicy
from bot.domain.policy_sections import HomeworkPolicy
from bot.domain.staff import Role, Staff
from bot.domain.team import (
    ANNOUNCE_AFTER,
    AgreementChanged,
    AgreementSaved,
    IneligibilityLifted,
    MarkedIneligible,
)
from bot.services import team as service
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))  # a Sunday
MON, TUE, WED, THU, FRI = (date(2026, 11, 23) + timedelta(days=n) for n in range(5))


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def people(db: FakeDatabase) -> dict[str, Staff]:
    dwse = db.add_entity("DWSE")
    dv = db.add_entity("DV", "Departement Vlaanderen")
    mia = db.add_staff("Mia Manager", entity=dwse, roles=(Role.MANAGER,))
    stan = db.add_staff("Stan Staff", entity=dwse, manager=mia)
    cato = db.add_staff("Cato Collega", entity=dwse, manager=mia, language="en")
    olaf = db.add_staff("Olaf Other", entity=dv, roles=(Role.MANAGER,))
    olga = db.add_staff("Olga Other", entity=dv, manager=olaf)
    ada = db.add_staff("Ada Admin", entity=dwse, roles=(Role.ADMIN,))
    lone = db.add_staff("Lone Manager", entity=dv, roles=(Role.MANAGER,))
    return {"mia": mia, "stan": stan, "cato": cato, "olaf": olaf, "olga": olga, "ada": ada, "lone": lone}


async def save_day(db: FakeDatabase, staff: Staff, day: date, place: str = "home", part: str = "full", status: str = "registered") -> Any:
    return await FakeUnitOfWork(db).registrations.save_day(staff_id=staff.id, day=day, place=place, part=part, status=status)


def days_of(db: FakeDatabase, staff: Staff) -> list[tuple[date, str]]:
    return sorted((r.day, r.place) for r in db.table("work_registrations").values() if r.staff_id == staff.id)


def unchanged(db: FakeDatabase) -> tuple[int, int, int]:
    return db.commits, len(db.audit()), len(db.outbox())


async def mark(db: FakeDatabase, actor: Staff, member_id: int, reason: str = "competence", **kwargs: Any) -> service.MarkResult:
    command = service.MarkIneligible(actor, member_id, reason, kwargs.pop("valid_from", MON), **kwargs)  # type: ignore[arg-type]
    return await service.mark_ineligible(FakeUnitOfWork(db), command, NOW)


# -- who works where ---------------------------------------------------------------------------------
async def test_a_manager_sees_the_reports_week_with_who_is_not_eligible(db: FakeDatabase, people: dict) -> None:
    stan, cato, mia = people["stan"], people["cato"], people["mia"]
    await save_day(db, stan, MON)
    await save_day(db, cato, TUE, part="am", status="pending")
    await save_day(db, stan, date(2026, 12, 1), place="satellite")
    await FakeUnitOfWork(db).registrations.save_agreement(TeamAgreement(mia.id, frozenset({3}), 2))
    await FakeUnitOfWork(db).registrations.add_ineligibility(
        staff_id=stan.id, reason="abuse", note=None, valid_from=FRI, valid_until=None, set_by=mia.id,
    )
    week = await service.team_week(FakeUnitOfWork(db), service.ShowTeamWeek(mia), NOW)
    assert (week.monday, week.days, week.as_manager, week.week_offset) == (MON, [MON, TUE, WED, THU, FRI], True, 0)
    assert [(m.staff.display_name, m.ineligible) for m in week.members] == [("Cato Collega", False), ("Stan Staff", True)]
    assert week.members[1].on(MON).place == "home" and week.members[0].on(TUE).status is RegistrationStatus.PENDING
    assert week.is_anchor_day(THU) and not week.is_anchor_day(MON)
    following = await service.team_week(FakeUnitOfWork(db), service.ShowTeamWeek(mia, 1), NOW)
    assert following.monday == date(2026, 11, 30) and following.members[1].on(date(2026, 12, 1)).place == "satellite"
    assert db.commits == 0


async def test_a_rejected_day_shows_as_an_office_day(db: FakeDatabase, people: dict) -> None:
    await save_day(db, people["stan"], MON, status="rejected")
    week = await service.team_week(FakeUnitOfWork(db), service.ShowTeamWeek(people["mia"]), NOW)
    stan = next(m for m in week.members if m.staff.id == people["stan"].id)
    assert stan.days[MON].status is RegistrationStatus.REJECTED and stan.on(MON) is None


async def test_a_member_sees_the_team_where_the_entity_allows_it_without_markings(db: FakeDatabase, people: dict) -> None:
    stan, mia = people["stan"], people["mia"]
    await FakeUnitOfWork(db).registrations.add_ineligibility(
        staff_id=stan.id, reason="abuse", note=None, valid_from=MON, valid_until=None, set_by=mia.id,
    )
    week = await service.team_week(FakeUnitOfWork(db), service.ShowTeamWeek(people["cato"]), NOW)
    assert not week.as_manager and [m.staff.id for m in week.members] == [people["cato"].id, stan.id]
    assert not any(m.ineligible for m in week.members)  # the colleagues are not told
    db.set_policy(stan.entity_id, EntityPolicy(homework=HomeworkPolicy(team_view_for_members=False)))
    with pytest.raises(Forbidden):
        await service.team_week(FakeUnitOfWork(db), service.ShowTeamWeek(people["cato"]), NOW)
    # A manager without reports sees their own manager's team like any member.
    nina = db.add_staff("Nina Nieuw", entity=db.table("entities")[people["olaf"].entity_id], manager=people["olaf"], roles=(Role.MANAGER,))
    nina_week = await service.team_week(FakeUnitOfWork(db), service.ShowTeamWeek(nina), NOW)
    assert not nina_week.as_manager and [m.staff.display_name for m in nina_week.members] == ["Nina Nieuw", "Olga Other"]


async def test_no_team_and_a_week_out_of_range_are_refused(db: FakeDatabase, people: dict) -> None:
    with pytest.raises(DomainError) as no_team:
        await service.team_week(FakeUnitOfWork(db), service.ShowTeamWeek(people["lone"]), NOW)
    assert no_team.value.key == "team.no_team"
    with pytest.raises(DomainError) as out_of_range:
        await service.team_week(FakeUnitOfWork(db), service.ShowTeamWeek(people["mia"], 2), NOW)
    assert out_of_range.value.key == "team.week_out_of_range"


# -- the team agreement ------------------------------------------------------------------------------
async def test_the_agreement_is_the_managers_and_empty_until_saved(db: FakeDatabase, people: dict) -> None:
    mia = people["mia"]
    assert await service.agreement_of(FakeUnitOfWork(db), service.ShowAgreement(mia), NOW) == TeamAgreement(mia.id)
    with pytest.raises(Forbidden):
        await service.agreement_of(FakeUnitOfWork(db), service.ShowAgreement(people["stan"]), NOW)


async def test_saving_an_agreement_tells_every_member_once_a_few_minutes_later(db: FakeDatabase, people: dict) -> None:
    mia, stan, cato = people["mia"], people["stan"], people["cato"]
    command = service.SaveAgreement(mia, (3, 1), 3)
    change = await service.preview_agreement(FakeUnitOfWork(db), command, NOW)
    assert (change.before, change.after, change.team_size, change.changed) == (TeamAgreement(mia.id), TeamAgreement(mia.id, frozenset({1, 3}), 3), 2, True)
    assert unchanged(db) == (0, 0, 0)  # the preview writes nothing
    saved = await service.save_agreement(FakeUnitOfWork(db), command, NOW)
    assert saved == AgreementSaved(TeamAgreement(mia.id, frozenset({1, 3}), 3), 2, NOW + ANNOUNCE_AFTER)
    assert await service.agreement_of(FakeUnitOfWork(db), service.ShowAgreement(mia), NOW) == saved.agreement
    told = AgreementChanged(
        manager_name="Mia Manager", manager_id=mia.id, anchor_weekdays=(1, 3), min_office_days=3,
        previous_anchor_weekdays=(), previous_min_office_days=0,
    )
    assert db.outbox_for(stan.id) == [told] and db.outbox_for(cato.id) == [told] and db.outbox_for(mia.id) == []
    assert {row["due_at"] for row in db.table("outbox").values()} == {NOW + ANNOUNCE_AFTER}
    (audit,) = db.audit("team.agreement_saved")
    assert (audit["before"], audit["after"]) == ({"anchor_weekdays": [], "min_office_days_per_week": 0}, {"anchor_weekdays": [1, 3], "min_office_days_per_week": 3})
    # A second change two minutes later replaces the message; it still tells the whole change.
    later = NOW + timedelta(minutes=2)
    await service.save_agreement(FakeUnitOfWork(db), service.SaveAgreement(mia, (1,), 2), later)
    merged = told.model_copy(update={"anchor_weekdays": (1,), "min_office_days": 2})
    assert db.outbox_for(stan.id) == [merged] and db.outbox_for(cato.id) == [merged]
    assert {row["due_at"] for row in db.table("outbox").values()} == {later + ANNOUNCE_AFTER}
    # Back to what the team knows: nobody is told anything.
    back = await service.save_agreement(FakeUnitOfWork(db), service.SaveAgreement(mia, (), 0), later)
    assert back.announce_at is None and db.outbox() == []
    assert len(db.audit("team.agreement_saved")) == 3


async def test_a_bad_agreement_is_refused_and_writes_nothing(db: FakeDatabase, people: dict) -> None:
    with pytest.raises(DomainError) as weekend:
        await service.save_agreement(FakeUnitOfWork(db), service.SaveAgreement(people["mia"], (5,), 1), NOW)
    assert weekend.value.key == "team.anchor_not_weekday"
    change = await service.preview_agreement(FakeUnitOfWork(db), service.SaveAgreement(people["mia"], (5,), 1), NOW)
    assert change.refused is not None and change.refused.key == "team.anchor_not_weekday" and not change.changed
    cases = [
        (service.SaveAgreement(people["lone"], (1,), 1), DomainError, "team.no_reports"),
        (service.SaveAgreement(people["stan"], (1,), 1), Forbidden, "team.managers_only"),
    ]
    for use_case in (service.preview_agreement, service.save_agreement):
        for command, error, key in cases:
            with pytest.raises(error) as refused:
                await use_case(FakeUnitOfWork(db), command, NOW)
            assert refused.value.key == key
    assert db.table("team_agreements") == {} and db.outbox() == []


async def test_a_minimum_out_of_range_is_refused_with_the_range_and_audited(db: FakeDatabase, people: dict) -> None:
    mia = people["mia"]
    change = await service.preview_agreement(FakeUnitOfWork(db), service.SaveAgreement(mia, (1,), 9), NOW)
    with pytest.raises(DomainError) as refused:
        await service.save_agreement(FakeUnitOfWork(db), service.SaveAgreement(mia, (1,), 9), NOW)
    for error in (change.refused, refused.value):
        assert error is not None
        assert (error.key, error.params) == ("team.min_office_out_of_range", {"value": 9, "minimum": 0, "maximum": 5})
    assert change.before == TeamAgreement(mia.id) and change.after is None
    assert db.table("team_agreements") == {} and db.outbox() == []
    assert [(row["action"], row["after"]["min_office_days_per_week"]) for row in db.audit()] == [("refused", 9), ("refused", 9)]


# -- the eligibility registry ------------------------------------------------------------------------
async def test_the_registry_lists_every_member_with_their_current_markings(db: FakeDatabase, people: dict) -> None:
    mia, stan = people["mia"], people["stan"]
    registry = FakeUnitOfWork(db).registrations
    await registry.add_ineligibility(staff_id=stan.id, reason="financial", note=None, valid_from=date(2026, 1, 1), valid_until=date(2026, 3, 31), set_by=mia.id)
    current = await registry.add_ineligibility(staff_id=stan.id, reason="abuse", note="n", valid_from=MON, valid_until=None, set_by=mia.id)
    view = await service.eligibility_overview(FakeUnitOfWork(db), service.ShowEligibility(mia), NOW)
    assert view.today == NOW.date()
    assert [(row.staff.display_name, [m.id for m in row.markings]) for row in view.rows] == [("Cato Collega", []), ("Stan Staff", [current.id])]
    with pytest.raises(Forbidden):
        await service.eligibility_overview(FakeUnitOfWork(db), service.ShowEligibility(stan), NOW)


async def test_marking_cancels_registered_away_days_after_today_and_tells_the_member(db: FakeDatabase, people: dict) -> None:
    mia, stan = people["mia"], people["stan"]
    await save_day(db, stan, date(2026, 11, 20))  # before today: a fact, stays
    await save_day(db, stan, MON)
    await save_day(db, stan, TUE, place="satellite")
    await save_day(db, stan, WED, place="office")
    await save_day(db, stan, THU, status="pending")  # for the manager to reject
    await save_day(db, stan, date(2027, 3, 1))  # after the period: stays
    command = service.MarkIneligible(mia, stan.id, "competence", date(2026, 11, 1), date(2027, 2, 28), "  Eerst opleiding  ")
    preview = await service.preview_marking(FakeUnitOfWork(db), command, NOW)
    assert [r.day for r in preview.days_to_cancel] == [MON, TUE] and preview.note == "Eerst opleiding"
    assert db.commits == 0
    result = await service.mark_ineligible(FakeUnitOfWork(db), command, NOW)
    assert (result.member.id, [r.day for r in result.cancelled], result.marking.note) == (stan.id, [MON, TUE], "Eerst opleiding")
    assert days_of(db, stan) == [(date(2026, 11, 20), "home"), (WED, "office"), (THU, "home"), (date(2027, 3, 1), "home")]
    assert db.outbox_for(stan.id) == [MarkedIneligible(
        ineligibility_id=result.marking.id, manager_name="Mia Manager", reason="competence", valid_from=date(2026, 11, 1),
        valid_until=date(2027, 2, 28), note="Eerst opleiding", cancelled_days=(MON, TUE),
    )]
    assert [row["action"] for row in db.audit()] == ["homework.cancelled_not_eligible"] * 2 + ["eligibility.marked"]
    assert [(r.day, r.place) for r in db.table("ineligibilities")[result.marking.id].cancelled_days] == [(MON, "home"), (TUE, "satellite")]
    assert db.commits == 1
    with pytest.raises(Conflict):  # the confirmation pressed twice
        await service.mark_ineligible(FakeUnitOfWork(db), command, NOW)
    assert db.commits == 1


async def test_marking_from_today_keeps_today(db: FakeDatabase, people: dict) -> None:
    mia, stan = people["mia"], people["stan"]
    await save_day(db, stan, MON)
    await save_day(db, stan, TUE)
    monday = NOW + timedelta(days=1)
    result = await service.mark_ineligible(FakeUnitOfWork(db), service.MarkIneligible(mia, stan.id, "abuse", MON), monday)
    assert [r.day for r in result.cancelled] == [TUE] and days_of(db, stan) == [(MON, "home")]


async def test_lifting_restores_the_cancelled_days_still_ahead_and_free(db: FakeDatabase, people: dict) -> None:
    mia, stan = people["mia"], people["stan"]
    for day in (MON, WED, FRI):
        await save_day(db, stan, day)
    marking = (await mark(db, mia, stan.id, "function")).marking
    await save_day(db, stan, WED, place="office")  # planned differently since
    wednesday = NOW + timedelta(days=3)  # Monday is past by now
    lifted = await service.lift_ineligibility(FakeUnitOfWork(db), service.LiftIneligibility(mia, marking.id), wednesday)
    assert [r.day for r in lifted.restored] == [FRI]
    assert days_of(db, stan) == [(WED, "office"), (FRI, "home")]
    assert db.outbox_for(stan.id)[-1] == IneligibilityLifted(
        ineligibility_id=marking.id, manager_name="Mia Manager", reason="function", restored_days=(FRI,)
    )
    assert [row["after"]["day"] for row in db.audit("homework.restored_eligible")] == [FRI.isoformat()]


async def test_an_admin_may_mark_anyone_and_an_open_period_runs_to_the_planning_horizon(db: FakeDatabase, people: dict) -> None:
    olga = people["olga"]
    await save_day(db, olga, date(2027, 5, 20))
    result = await mark(db, people["ada"], olga.id, "organisational")
    assert len(result.cancelled) == 1 and result.marking.valid_until is None and result.marking.set_by == people["ada"].id
    assert db.outbox_for(olga.id)[0].manager_name == "Ada Admin"


async def test_bad_markings_are_refused_and_write_nothing(db: FakeDatabase, people: dict) -> None:
    mia, stan = people["mia"], people["stan"]
    await save_day(db, stan, MON)
    before = unchanged(db)
    cases: list[tuple[dict[str, Any], type[DomainError], str]] = [
        ({"actor": people["olaf"], "member_id": stan.id}, Forbidden, "team.not_your_member"),
        ({"actor": stan, "member_id": stan.id}, Forbidden, "team.not_your_member"),
        ({"actor": mia, "member_id": 999}, NotFound, "team.member_not_found"),
        ({"actor": mia, "member_id": stan.id, "reason": "lazy"}, DomainError, "team.eligibility_reason_unknown"),
        ({"actor": mia, "member_id": stan.id, "valid_until": date(2026, 11, 1)}, DomainError, "team.eligibility_until_before_from"),
        ({"actor": mia, "member_id": stan.id, "valid_from": date(2026, 10, 1), "valid_until": date(2026, 11, 1)}, DomainError, "team.eligibility_until_past"),
        ({"actor": mia, "member_id": stan.id, "note": "x" * 501}, DomainError, "team.eligibility_note_too_long"),
    ]
    for arguments, error, key in cases:
        with pytest.raises(error) as refused:
            await mark(db, **arguments)
        assert refused.value.key == key, arguments
    assert unchanged(db) == before and db.table("ineligibilities") == {} and days_of(db, stan) == [(MON, "home")]


async def test_lifting_tells_the_member_once(db: FakeDatabase, people: dict) -> None:
    mia, stan = people["mia"], people["stan"]
    marking = (await mark(db, mia, stan.id, "function")).marking
    lifted = await service.lift_ineligibility(FakeUnitOfWork(db), service.LiftIneligibility(mia, marking.id), NOW)
    assert lifted.member.id == stan.id and lifted.marking.id == marking.id
    assert db.table("ineligibilities")[marking.id].lifted_at == NOW and db.table("ineligibilities")[marking.id].lifted_by == mia.id
    assert db.outbox_for(stan.id)[-1] == IneligibilityLifted(ineligibility_id=marking.id, manager_name="Mia Manager", reason="function")
    (audit,) = db.audit("eligibility.lifted")
    assert (audit["before"]["lifted"], audit["after"]["lifted"]) == (False, True)
    before = unchanged(db)
    with pytest.raises(Conflict):
        await service.lift_ineligibility(FakeUnitOfWork(db), service.LiftIneligibility(mia, marking.id), NOW)
    assert unchanged(db) == before


async def test_only_the_members_manager_lifts(db: FakeDatabase, people: dict) -> None:
    marking = (await mark(db, people["mia"], people["stan"].id)).marking
    before = unchanged(db)
    with pytest.raises(Forbidden):
        await service.lift_ineligibility(FakeUnitOfWork(db), service.LiftIneligibility(people["olaf"], marking.id), NOW)
    with pytest.raises(NotFound):
        await service.lift_ineligibility(FakeUnitOfWork(db), service.LiftIneligibility(people["mia"], 999), NOW)
    assert unchanged(db) == before and db.table("ineligibilities")[marking.id].lifted_at is None
