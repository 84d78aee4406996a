"""Approval use cases on the in-memory unit of work: who decides, what is stored and audited,
which notices go to whom, and that refusals write nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from bot.domain.approvals import (
    MAX_BULK,
    ApprovalCardOutdated,
    ApprovalCardSent,
    ApprovalDecided,
    ApprovalEscalated,
    ApprovalStatus,
    EscalatedTo,
    NeedsConfirmation,
    ReasonRequired,
    SkipReason,
    Verdict,
)
from bot.domain.conversations import StoredReference
from bot.domain.errors import DomainError, Forbidden, InvalidInput
from bot.domain.notifications import Sent
from bot.domain.staff import Role, Staff
from bot.runner import UseCaseRunner
from bot.services import approval_deputies as deputies
from bot.services import approval_reminders as reminders
from bot.services import approvals as service
from tests.fakes.approval_subject import SUBJECT_TYPE, FakeSubject, FakeSummary
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork, fake_uow_factory

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BRUSSELS)  # Monday


class World:
    """A small directory: Dirk heads Mia's team (Stan, Cato); Olaf manages another entity; Ada is
    the admin. Everyone has a usable conversation with the bot."""

    def __init__(self) -> None:
        self.db = FakeDatabase()
        self.subject = FakeSubject()
        dwse = self.db.add_entity("DWSE")
        dv = self.db.add_entity("DV", "Departement Omgeving")
        self.dirk = self.db.add_staff("Dirk Directeur", entity=dwse, roles=(Role.MANAGER,))
        self.mia = self.db.add_staff("Mia Manager", entity=dwse, manager=self.dirk, roles=(Role.MANAGER,))
        self.stan = self.db.add_staff("Stan Staff", entity=dwse, manager=self.mia)
        self.cato = self.db.add_staff("Cato Collega", entity=dwse, manager=self.mia, language="en")
        self.hilde = self.db.add_staff("Hilde HR", entity=dwse, manager=self.dirk, roles=(Role.HR,))
        self.ada = self.db.add_staff("Ada Admin", entity=dwse, manager=self.dirk, roles=(Role.ADMIN,))
        self.olaf = self.db.add_staff("Olaf Other", entity=dv, roles=(Role.MANAGER,))
        self.otto = self.db.add_staff("Otto Other", entity=dv, manager=self.olaf)
        for person in (self.dirk, self.mia, self.stan, self.cato, self.hilde, self.ada, self.olaf, self.otto):
            self.db.table("conversations")[person.aad_object_id] = StoredReference(
                aad_object_id=person.aad_object_id, user_id=f"29:{person.id}", user_name=person.display_name,
                conversation_id=f"a:{person.id}", service_url="http://127.0.0.1:1", tenant_id="t", channel_id="msteams",
                bot_id="28:bot", bot_name="Hybride werk", locale=None, usable=True,
            )

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.db, approval_subjects={SUBJECT_TYPE: self.subject})

    def runner(self, now: datetime = NOW) -> UseCaseRunner:
        return UseCaseRunner(fake_uow_factory(self.db, approval_subjects={SUBJECT_TYPE: self.subject}), FixedClock(now))

    async def request(self, requester: Staff, what: str = "laptophouder", *, at: datetime = NOW, **flags: bool) -> int:
        subject_id = self.subject.add(requester.id, what, **flags)
        async with self.uow() as uow:
            approval_id = await service.request_approval(
                uow, subject_type=SUBJECT_TYPE, subject_id=subject_id, requester=requester, actor=f"staff:{requester.id}", now=at,
            )
            await uow.commit()
        return approval_id

    async def decide(self, actor: Staff, approval_id: int, verdict: Verdict = Verdict.APPROVE, **options: object) -> service.Decision:
        return await service.decide(self.uow(), service.DecideApproval(actor, approval_id, verdict, **options), NOW)  # type: ignore[arg-type]

    async def name_deputy(self, manager: Staff, deputy: Staff, start: date = date(2026, 11, 23), end: date = date(2026, 11, 27)) -> int:
        row = await deputies.set_deputy(self.uow(), deputies.SetDeputy(manager, start, end, deputy_id=deputy.id), NOW)
        return row.id

    def approval(self, approval_id: int):  # noqa: ANN201
        return self.db.table("approvals")[approval_id]

    def written(self) -> tuple[int, int, int]:
        """(commits, notices, audit rows): what a refusal must leave unchanged."""
        return self.db.commits, len(self.db.outbox()), len(self.db.audit())


@pytest.fixture
def world() -> World:
    return World()


# -- requesting -------------------------------------------------------------------------------------
async def test_a_request_goes_to_the_manager_and_their_card_is_recorded(world: World) -> None:
    approval_id = await world.request(world.stan)
    approval = world.approval(approval_id)
    assert (approval.approver_id, approval.status) == (world.mia.id, ApprovalStatus.PENDING)
    assert [(row["action"], row["subject_id"]) for row in world.db.audit()] == [("approval.requested", str(approval_id))]
    [(recipient, notice)] = world.db.outbox()
    assert recipient == world.mia.id and isinstance(notice, ApprovalCardSent)
    assert notice.keep_for == world.mia.id and not notice.reminder
    card = notice.card
    assert (card.approval_id, card.requester_name, card.approver_name, card.can_decide) == (approval_id, "Stan Staff", "Mia Manager", True)
    assert card.summary == FakeSummary(requester_id=world.stan.id, what="laptophouder")
    # Mia decides by position; the requester never gets the buttons.
    assert card.refresh_user_ids == (f"29:{world.mia.id}",)


async def test_active_deputies_get_a_copy_that_is_not_kept(world: World) -> None:
    await world.name_deputy(world.mia, world.hilde)
    await world.request(world.stan)
    [to_mia] = world.db.outbox_for(world.mia.id)
    [to_hilde] = world.db.outbox_for(world.hilde.id)
    assert to_mia.keep_for == world.mia.id and to_hilde.keep_for is None
    assert to_hilde.card == to_mia.card and f"29:{world.hilde.id}" in to_mia.card.refresh_user_ids


async def test_a_subject_that_already_waits_returns_its_approval_and_records_nothing(world: World) -> None:
    approval_id = await world.request(world.stan)
    before = (len(world.db.outbox()), len(world.db.audit()))
    async with world.uow() as uow:
        again = await service.request_approval(
            uow, subject_type=SUBJECT_TYPE, subject_id=world.approval(approval_id).subject_id, requester=world.stan,
            actor="test", now=NOW,
        )
        await uow.commit()
    assert again == approval_id and (len(world.db.outbox()), len(world.db.audit())) == before


async def test_without_a_manager_an_admin_approves_and_without_an_admin_nobody_can(world: World) -> None:
    approval_id = await world.request(world.dirk)
    assert world.approval(approval_id).approver_id == world.ada.id
    lonely = FakeDatabase()
    boss = lonely.add_staff("Baas Zonder Chef")
    subject = FakeSubject()
    async with FakeUnitOfWork(lonely, approval_subjects={SUBJECT_TYPE: subject}) as uow:
        with pytest.raises(DomainError) as refused:
            await service.request_approval(
                uow, subject_type=SUBJECT_TYPE, subject_id=subject.add(boss.id), requester=boss, actor="test", now=NOW
            )
    assert refused.value.key == "approvals.no_approver"
    assert lonely.table("approvals") == {} and lonely.outbox() == []


# -- deciding ---------------------------------------------------------------------------------------
async def test_the_manager_decides_once_and_the_requester_is_told(world: World) -> None:
    approval_id = await world.request(world.stan)
    commits = world.db.commits
    first = await world.decide(world.mia, approval_id, Verdict.APPROVE, comment=" prima ")
    assert first.changed and world.db.commits == commits + 1
    assert (first.approval.status, first.approval.comment, first.approval.decided_by) == (ApprovalStatus.APPROVED, "prima", world.mia.id)
    # What the invoke's card needs comes back with the decision.
    assert (first.card.status, first.card.can_decide, first.card.decided_by_name) == (ApprovalStatus.APPROVED, False, "Mia Manager")
    assert world.db.outbox_for(world.stan.id) == [
        ApprovalDecided(
            approval_id=approval_id, summary=FakeSummary(requester_id=world.stan.id, what="laptophouder"),
            status=ApprovalStatus.APPROVED, decided_by_name="Mia Manager", comment="prima",
        )
    ]
    assert world.subject.decided == [(world.approval(approval_id).subject_id, ApprovalStatus.APPROVED, world.mia.id, "prima")]
    [decided] = world.db.audit("approval.decided")
    assert decided["before"]["status"] == "pending" and decided["after"]["status"] == "approved"

    before = world.written()
    second = await world.decide(world.mia, approval_id, Verdict.REJECT)
    assert not second.changed and second.approval.status is ApprovalStatus.APPROVED and not second.card.can_decide
    assert world.written()[1:] == before[1:]  # nothing more told or audited


async def test_a_rejection_needs_the_reason_its_entity_asks_for(world: World) -> None:
    approval_id = await world.request(world.stan)
    before = world.written()
    with pytest.raises(ReasonRequired) as missing:
        await world.decide(world.mia, approval_id, Verdict.REJECT, comment=" ")
    assert missing.value.card is not None and missing.value.card.reason_required and missing.value.card.can_decide
    assert world.approval(approval_id).status is ApprovalStatus.PENDING and world.written() == before
    outcome = await world.decide(world.mia, approval_id, Verdict.REJECT, comment="Budget is op")
    assert outcome.approval.comment == "Budget is op"
    assert world.db.outbox_for(world.stan.id)[-1].comment == "Budget is op"  # the requester reads the reason

    # An entity that does not ask for a reason: a rejection without one is fine.
    other = await world.request(world.otto)
    async with world.uow() as uow:
        policy = await uow.entities.policy(world.otto.entity_id)
        await uow.entities.set_policy(world.otto.entity_id, policy.model_copy(update={
            "approvals": policy.approvals.model_copy(update={"reject_reason_required": False}),
        }))
        await uow.commit()
    assert (await world.decide(world.olaf, other, Verdict.REJECT)).approval.status is ApprovalStatus.REJECTED


async def test_a_decision_elsewhere_updates_the_approvers_stored_card(world: World) -> None:
    approval_id = await world.request(world.stan)
    [card_notice] = world.db.outbox_for(world.mia.id)
    async with world.uow() as uow:  # as the dispatcher does after delivering the card
        await service.keep_card(uow, card_notice, Sent("activity-1", f"a:{world.mia.id}"), NOW)
        await uow.commit()
    outcome = await world.decide(world.ada, approval_id, Verdict.APPROVE)
    [_, update] = world.db.outbox_for(world.mia.id)
    assert update == ApprovalCardOutdated(card=outcome.card, conversation_id=f"a:{world.mia.id}", activity_id="activity-1")
    assert update.card.decided_by_name == "Ada Admin" and not update.card.can_decide


async def test_the_card_the_click_came_from_is_not_updated_again(world: World) -> None:
    approval_id = await world.request(world.stan)
    [card_notice] = world.db.outbox_for(world.mia.id)
    async with world.uow() as uow:
        await service.keep_card(uow, card_notice, Sent("activity-1", f"a:{world.mia.id}"), NOW)
        await uow.commit()
    await world.decide(world.mia, approval_id, shown_activity_id="activity-1")
    assert [type(n) for n in world.db.outbox_for(world.mia.id)] == [ApprovalCardSent]
    assert [type(n) for n in world.db.outbox_for(world.stan.id)] == [ApprovalDecided]


@pytest.mark.parametrize("who", ["olaf", "cato", "hilde", "stan"])
async def test_anyone_else_is_refused_and_only_the_refusal_is_audited(world: World, who: str) -> None:
    approval_id = await world.request(world.stan)
    commits, notices, _ = world.written()
    intruder = getattr(world, who)
    with pytest.raises(Forbidden) as refused:
        await world.decide(intruder, approval_id)
    assert refused.value.key == "approvals.not_yours"
    assert world.approval(approval_id).status is ApprovalStatus.PENDING and world.subject.decided == []
    assert len(world.db.outbox()) == notices and world.db.commits == commits + 1  # the refusal's own transaction
    [refusal] = world.db.audit("approval.refused")
    assert (refusal["actor"], refusal["subject_type"], refusal["subject_id"]) == (f"staff:{intruder.id}", "approval", str(approval_id))
    assert refusal["after"] == {"attempt": "decide:approve"}


async def test_an_active_deputy_decides_only_within_the_period(world: World) -> None:
    await world.name_deputy(world.mia, world.hilde, date(2026, 11, 24), date(2026, 11, 27))
    approval_id = await world.request(world.stan)
    with pytest.raises(Forbidden):  # Monday: the period starts tomorrow
        await world.decide(world.hilde, approval_id)
    tuesday = NOW + timedelta(days=1)
    outcome = await service.decide(world.uow(), service.DecideApproval(world.hilde, approval_id, Verdict.APPROVE), tuesday)
    assert outcome.changed and outcome.approval.decided_by == world.hilde.id


async def test_approve_anyway_is_asked_with_the_card_and_writes_nothing_until_confirmed(world: World) -> None:
    approval_id = await world.request(world.stan, "bureaustoel", needs_confirmation=True)
    before = world.written()
    with pytest.raises(NeedsConfirmation) as asked:
        await world.decide(world.mia, approval_id)
    assert asked.value.card is not None and asked.value.card.can_decide and asked.value.card.approval_id == approval_id
    assert world.written() == before and world.approval(approval_id).status is ApprovalStatus.PENDING
    outcome = await world.decide(world.mia, approval_id, confirmed=True)
    assert outcome.changed and outcome.approval.status is ApprovalStatus.APPROVED


async def test_a_blocked_subject_and_an_oversized_comment_change_nothing(world: World) -> None:
    blocked = await world.request(world.stan, blocked=True)
    other = await world.request(world.cato)
    before = world.written()
    with pytest.raises(DomainError):
        await world.decide(world.mia, blocked)
    with pytest.raises(InvalidInput) as too_long:
        await world.decide(world.mia, other, Verdict.REJECT, comment="x" * 2000)
    assert too_long.value.key == "approvals.comment_too_long"
    assert world.written() == before
    assert {world.approval(blocked).status, world.approval(other).status} == {ApprovalStatus.PENDING}


# -- the card for a viewer ----------------------------------------------------------------------------
async def test_the_card_shows_buttons_to_deciders_the_status_to_the_requester_and_refuses_others(world: World) -> None:
    approval_id = await world.request(world.stan)
    mine = await service.show_approval(world.uow(), service.ShowApproval(world.stan, approval_id), NOW)
    theirs = await service.show_approval(world.uow(), service.ShowApproval(world.mia, approval_id), NOW)
    assert (mine.can_decide, theirs.can_decide) == (False, True)
    assert mine.status is ApprovalStatus.PENDING
    commits = world.db.commits
    with pytest.raises(Forbidden):
        await service.show_approval(world.uow(), service.ShowApproval(world.olaf, approval_id), NOW)
    [refusal] = world.db.audit("approval.refused")
    assert refusal["after"] == {"attempt": "view"} and world.db.commits == commits + 1


# -- withdrawing --------------------------------------------------------------------------------------
async def test_the_requester_withdraws_and_nobody_else_can(world: World) -> None:
    approval_id = await world.request(world.stan)
    subject_id = world.approval(approval_id).subject_id
    async with world.uow() as uow:
        with pytest.raises(Forbidden):
            await service.cancel_for_subject(uow, subject_type=SUBJECT_TYPE, subject_id=subject_id, actor=world.cato, now=NOW)
    assert world.approval(approval_id).status is ApprovalStatus.PENDING
    async with world.uow() as uow:
        await service.cancel_for_subject(uow, subject_type=SUBJECT_TYPE, subject_id=subject_id, actor=world.stan, now=NOW)
        assert await service.pending_for_subject(uow, SUBJECT_TYPE, subject_id) is None
        await uow.commit()
    assert world.approval(approval_id).status is ApprovalStatus.CANCELLED
    assert world.subject.decided == [(subject_id, ApprovalStatus.CANCELLED, world.stan.id, None)]
    assert [row["action"] for row in world.db.audit()][-1] == "approval.cancelled"


# -- pending list and bulk approve -----------------------------------------------------------------
async def test_the_pending_list_holds_what_the_viewer_may_decide(world: World) -> None:
    mine = await world.request(world.stan)
    theirs = await world.request(world.otto)
    fallback = await world.request(world.dirk)  # no manager: an admin decides
    listed = await service.list_decidable(world.uow(), service.PendingApprovals(world.mia), NOW)
    assert [(i.approval_id, i.requester_name, i.summary.what) for i in listed] == [(mine, "Stan Staff", "laptophouder")]  # type: ignore[attr-defined]
    assert await service.list_decidable(world.uow(), service.PendingApprovals(world.cato), NOW) == []
    assert [i.approval_id for i in await service.list_decidable(world.uow(), service.PendingApprovals(world.olaf), NOW)] == [theirs]
    # An admin's list holds what fell back to an admin (they may still open any other approval).
    assert [i.approval_id for i in await service.list_decidable(world.uow(), service.PendingApprovals(world.ada), NOW)] == [fallback]


async def test_bulk_approve_decides_each_on_its_own_and_says_why_it_skipped(world: World) -> None:
    first = await world.request(world.stan, "muis")
    second = await world.request(world.cato, "hub")
    confirm = await world.request(world.stan, "stoel", needs_confirmation=True)
    foreign = await world.request(world.otto, "scherm")
    done = await world.request(world.cato, "kabel")
    await world.decide(world.mia, done)
    command = service.BulkApprove(world.mia, (first, second, confirm, foreign, done, first), attempt="approval.bulk")
    result = await service.bulk_approve(world.uow(), command, NOW)
    assert result.approved == [first, second]
    assert dict(result.skipped) == {
        confirm: SkipReason.NEEDS_CONFIRMATION, foreign: SkipReason.NOT_YOURS, done: SkipReason.ALREADY_DECIDED,
    }
    assert {world.approval(i).status for i in (confirm, foreign)} == {ApprovalStatus.PENDING}
    assert len(world.db.outbox_for(world.stan.id)) == 1 and len(world.db.outbox_for(world.cato.id)) == 2
    # The attempt on someone else's approval is audited with the approval and as a refused action.
    assert [row["subject_id"] for row in world.db.audit("approval.refused")] == [str(foreign)]
    assert [(row["subject_type"], row["subject_id"]) for row in world.db.audit("refused")] == [("action", "approval.bulk")]


async def test_bulk_approve_refuses_too_many_at_once(world: World) -> None:
    before = world.written()
    with pytest.raises(InvalidInput) as refused:
        await service.bulk_approve(world.uow(), service.BulkApprove(world.mia, tuple(range(1, MAX_BULK + 2))), NOW)
    assert refused.value.key == "approvals.bulk_too_many" and world.written() == before


# -- deputies ---------------------------------------------------------------------------------------
async def test_a_manager_names_lists_and_removes_a_deputy(world: World) -> None:
    row_id = await world.name_deputy(world.mia, world.hilde)
    [named] = world.db.audit("deputy.set")
    assert named["after"] == {"manager_id": world.mia.id, "deputy_id": world.hilde.id, "valid_from": "2026-11-23", "valid_until": "2026-11-27"}
    shown = await deputies.deputies(world.uow(), deputies.ShowDeputies(world.mia), NOW)
    assert [(d.id, d.name, d.active) for d in shown.current] == [(row_id, "Hilde HR", True)]
    # Peers (Dirk's other reports) and Mia's own reports, never Mia herself or another entity.
    assert [c.display_name for c in shown.candidates] == ["Ada Admin", "Cato Collega", "Hilde HR", "Stan Staff"]
    with pytest.raises(Forbidden):
        await deputies.remove_deputy(world.uow(), deputies.RemoveDeputy(world.olaf, row_id), NOW)
    assert row_id in world.db.table("deputies")
    await deputies.remove_deputy(world.uow(), deputies.RemoveDeputy(world.mia, row_id), NOW)
    assert world.db.table("deputies") == {} and len(world.db.audit("deputy.removed")) == 1


@pytest.mark.parametrize(
    ("email", "key"),
    [("nobody@vlaanderen.be", "approvals.deputy_unknown"), ("otto.other@vlaanderen.be", "approvals.deputy_other_entity"),
     ("mia.manager@vlaanderen.be", "approvals.deputy_self"), (None, "approvals.deputy_missing")],
)
async def test_bad_deputies_are_refused_and_nothing_is_stored(world: World, email: str | None, key: str) -> None:
    before = world.written()
    command = deputies.SetDeputy(world.mia, date(2026, 11, 23), date(2026, 11, 27), deputy_email=email)
    with pytest.raises(InvalidInput) as refused:
        await deputies.set_deputy(world.uow(), command, NOW)
    assert refused.value.key == key and world.written() == before and world.db.table("deputies") == {}


# -- the card's activity id ---------------------------------------------------------------------------
async def test_a_card_is_kept_only_for_the_approver_it_was_sent_to(world: World) -> None:
    approval_id = await world.request(world.stan)
    [card_notice] = world.db.outbox_for(world.mia.id)
    async with world.uow() as uow:
        await uow.approvals.claim_escalation(approval_id, world.dirk.id, NOW)  # the approver changed meanwhile
        await service.keep_card(uow, card_notice, Sent("activity-1", f"a:{world.mia.id}"), NOW)
        await uow.commit()
    assert world.approval(approval_id).card_activity_id is None
    copy = card_notice.model_copy(update={"keep_for": None})
    async with world.uow() as uow:
        await service.keep_card(uow, copy, Sent("activity-2", "a:x"), NOW)
        await uow.commit()
    assert world.approval(approval_id).card_activity_id is None


# -- reminders and escalation -------------------------------------------------------------------------
async def test_a_reminder_goes_once_after_two_working_days(world: World) -> None:
    approval_id = await world.request(world.stan)  # Monday
    world.db.table("outbox").clear()
    assert await reminders.run_reminders(world.runner(NOW + timedelta(days=1)), NOW + timedelta(days=1)) == 0
    wednesday = NOW + timedelta(days=2)
    assert await reminders.run_reminders(world.runner(wednesday), wednesday) == 1
    assert await reminders.run_reminders(world.runner(wednesday + timedelta(hours=1)), wednesday) == 0
    [(recipient, notice)] = world.db.outbox()
    assert recipient == world.mia.id and notice.reminder and notice.keep_for is None and notice.card.approval_id == approval_id
    assert world.approval(approval_id).reminded_at == wednesday
    assert [row["action"] for row in world.db.audit()][-1] == "approval.reminded"


async def test_a_decided_request_is_neither_reminded_nor_escalated(world: World) -> None:
    approval_id = await world.request(world.stan)
    await world.decide(world.mia, approval_id)
    later = NOW + timedelta(days=14)
    assert await reminders.run_reminders(world.runner(later), later) == 0
    assert await reminders.run_escalations(world.runner(later), later) == 0


async def test_escalation_hands_the_request_up_once_and_tells_both(world: World) -> None:
    approval_id = await world.request(world.stan)  # Monday 23 November
    world.db.table("outbox").clear()
    friday = NOW + timedelta(days=4)
    assert await reminders.run_escalations(world.runner(friday), friday) == 0
    monday = NOW + timedelta(days=7)  # five working days later
    assert await reminders.run_escalations(world.runner(monday), monday) == 1
    assert await reminders.run_escalations(world.runner(monday), monday) == 0
    approval = world.approval(approval_id)
    assert approval.approver_id == world.dirk.id and approval.escalated_at == monday
    [card] = world.db.outbox_for(world.dirk.id)
    assert isinstance(card, ApprovalCardSent) and card.keep_for == world.dirk.id and card.card.escalated
    summary = FakeSummary(requester_id=world.stan.id, what="laptophouder")
    assert world.db.outbox_for(world.mia.id) == [
        ApprovalEscalated(approval_id=approval_id, summary=summary, recipient=EscalatedTo.APPROVER, target_name="Dirk Directeur")
    ]
    assert world.db.outbox_for(world.stan.id) == [
        ApprovalEscalated(approval_id=approval_id, summary=summary, recipient=EscalatedTo.REQUESTER, target_name="Dirk Directeur")
    ]
    assert len(world.db.audit("approval.escalated")) == 1
    # The first approver keeps the right to decide.
    assert (await service.decide(world.uow(), service.DecideApproval(world.mia, approval_id, Verdict.REJECT, comment="Niet nu"), monday)).changed


async def test_escalation_at_the_top_goes_to_an_admin(world: World) -> None:
    approval_id = await world.request(world.mia)  # Mia's manager Dirk has no manager himself
    monday = NOW + timedelta(days=7)
    assert await reminders.run_escalations(world.runner(monday), monday) == 1
    assert world.approval(approval_id).approver_id == world.ada.id
