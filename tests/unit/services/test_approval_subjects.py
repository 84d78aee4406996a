"""The home-work day as an approval subject, through the approvals' own decide, on the in-memory
unit of work: what the manager is shown, what approving or rejecting makes of the day, and what
blocks an approval."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.approvals import ApprovalStatus, HomeworkDaySummary, NeedsConfirmation, Verdict
from bot.domain.errors import DomainError
from bot.domain.homework import RegistrationStatus, TeamAgreement
from bot.domain.policy import EntityPolicy
from bot.domain.policy_sections import HomeworkPolicy
from bot.domain.staff import Role
from bot.services import approvals, homework
from bot.services.homework_approvals import HomeworkDaySubject
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))  # a Sunday
MON, TUE, WED = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
SUBJECTS = {"homework_day": HomeworkDaySubject()}


def uow(db: FakeDatabase) -> FakeUnitOfWork:
    return FakeUnitOfWork(db, approval_subjects=SUBJECTS)


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def people(db: FakeDatabase) -> dict:
    entity = db.add_entity("DV", "Departement Vlaanderen", EntityPolicy(homework=HomeworkPolicy(needs_approval=True)))
    olaf = db.add_staff("Olaf Other", entity=entity, roles=(Role.MANAGER,))
    olga = db.add_staff("Olga Other", entity=entity, manager=olaf)
    return {"olaf": olaf, "olga": olga}


async def _pending_day(db: FakeDatabase, people: dict, day: date = MON) -> int:
    result = await homework.register_days(uow(db), homework.RegisterDays(people["olga"], (day,), "home"), NOW)
    (approval_id,) = result.approval_ids
    return approval_id


def _day(db: FakeDatabase, day: date = MON):  # noqa: ANN202
    return next(r for r in db.table("work_registrations").values() if r.day == day)


async def test_the_manager_is_shown_the_day_place_and_part(db: FakeDatabase, people: dict) -> None:
    approval_id = await _pending_day(db, people)
    approval = db.table("approvals")[approval_id]
    summary = await SUBJECTS["homework_day"].describe(uow(db), approval.subject_id)
    assert isinstance(summary, HomeworkDaySummary)
    assert (summary.day, summary.place, summary.part) == (MON, "home", "full")


async def test_approving_registers_the_day_and_rejecting_makes_it_an_office_day(db: FakeDatabase, people: dict) -> None:
    first, second = await _pending_day(db, people, MON), await _pending_day(db, people, TUE)
    await approvals.decide(uow(db), approvals.DecideApproval(people["olaf"], first, Verdict.APPROVE), NOW)
    await approvals.decide(uow(db), approvals.DecideApproval(people["olaf"], second, Verdict.REJECT, comment="Teamdag"), NOW)
    assert _day(db, MON).status is RegistrationStatus.REGISTERED
    assert _day(db, TUE).status is RegistrationStatus.REJECTED
    actions = [row["action"] for row in db.audit()]
    assert "homework.approved" in actions and "homework.rejected" in actions


async def test_a_withdrawn_request_removes_the_pending_day(db: FakeDatabase, people: dict) -> None:
    approval_id = await _pending_day(db, people)
    registration_id = db.table("approvals")[approval_id].subject_id
    await homework.cancel_day(uow(db), homework.CancelDay(people["olga"], registration_id), NOW)
    assert db.table("work_registrations") == {}
    assert db.table("approvals")[approval_id].status is ApprovalStatus.CANCELLED


async def test_a_week_below_the_teams_minimum_needs_an_explicit_approve_anyway(db: FakeDatabase, people: dict) -> None:
    await uow(db).registrations.save_agreement(TeamAgreement(people["olaf"].id, frozenset(), 5))
    approval_id = await _pending_day(db, people)
    with pytest.raises(NeedsConfirmation):
        await approvals.decide(uow(db), approvals.DecideApproval(people["olaf"], approval_id, Verdict.APPROVE), NOW)
    assert _day(db).status is RegistrationStatus.PENDING
    await approvals.decide(uow(db), approvals.DecideApproval(people["olaf"], approval_id, Verdict.APPROVE, confirmed=True), NOW)
    assert _day(db).status is RegistrationStatus.REGISTERED


async def test_a_day_whose_person_became_ineligible_cannot_be_approved(db: FakeDatabase, people: dict) -> None:
    approval_id = await _pending_day(db, people, WED)
    await uow(db).registrations.add_ineligibility(
        staff_id=people["olga"].id, reason="organisational", note=None, valid_from=TUE, valid_until=None, set_by=people["olaf"].id,
    )
    with pytest.raises(DomainError) as refused:
        await approvals.decide(uow(db), approvals.DecideApproval(people["olaf"], approval_id, Verdict.APPROVE), NOW)
    assert refused.value.key == "homework.approve_blocked_not_eligible"
    assert _day(db, WED).status is RegistrationStatus.PENDING
    assert db.table("approvals")[approval_id].status is ApprovalStatus.PENDING
