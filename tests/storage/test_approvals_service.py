"""The approval service on SQLite and PostgreSQL: requesting, deciding, deputies, bulk approve,
reminders and escalation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from bot.domain.approvals import ReasonRequired
from bot.domain.errors import DomainError, Forbidden, InvalidInput
from bot.i18n import Translator
from bot.services import approval_deputies as deputies
from bot.services import approval_reminders as reminders
from bot.services import approvals as service
from bot.services.approvals import NeedsConfirmation
from storage.uow import UnitOfWorkFactory
from tests.cards import assert_valid_card
from tests.fakes import people
from tests.fakes.approval_subject import SUBJECT_TYPE, ApprovalEnv, fake_text, make_env


@pytest.fixture
async def env(directory: UnitOfWorkFactory, database_url: str) -> ApprovalEnv:
    return await make_env(directory, database_url)


@dataclass(frozen=True)
class Audit:
    actor: str
    action: str
    subject_type: str
    subject_id: str


async def audits(env: ApprovalEnv, action: str) -> list[Audit]:
    async with env.uow_factory() as uow:
        return [Audit(r.actor, r.action, r.subject_type, r.subject_id) for r in await uow.audit.list_by_action(action)]


async def get(env: ApprovalEnv, approval_id: int):  # noqa: ANN201
    async with env.uow_factory() as uow:
        return await uow.approvals.get(approval_id)


def actions_of(card: dict) -> list[dict]:
    """The card's decision buttons (the Menu button left out; Reject's own form opened)."""
    found = []
    for action in card.get("actions") or []:
        if action["type"] == "Action.ShowCard":
            found.extend(action["card"]["actions"])
        elif (action.get("data") or {}).get("verb") != "menu.show":
            found.append(action)
    return found


class TestRequest:
    async def test_the_requesters_manager_becomes_the_approver(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)
        approval = await get(env, approval_id)
        manager = await env.staff(people.MANAGER)
        assert approval.approver_id == manager.id and approval.status == "pending"
        assert [a.subject_id for a in await audits(env, "approval.requested")] == [str(approval_id)]

    async def test_a_second_request_for_the_same_subject_returns_the_pending_one(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)
        requester = await env.staff(people.STAFF)
        subject_id = (await get(env, approval_id)).subject_id
        async with env.uow_factory() as uow:
            again = await service.request_approval(
                uow, subject_type=SUBJECT_TYPE, subject_id=subject_id, requester=requester, actor="test", now=env.clock.now()
            )
            await uow.commit()
        assert again == approval_id
        assert len(await audits(env, "approval.requested")) == 1

    async def test_without_a_manager_an_admin_approves(self, env: ApprovalEnv) -> None:
        approval = await get(env, await env.request(people.DIRECTOR))
        assert approval.approver_id == (await env.staff(people.ADMIN)).id

    async def test_the_card_goes_to_the_approver_with_buttons_and_refresh_for_the_deciders(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)
        [card] = env.proactive.cards(people.MANAGER.aad_object_id)
        assert_valid_card(card)
        assert [a["data"]["decision"] for a in actions_of(card)] == ["approve", "reject"]
        assert card["refresh"]["action"]["verb"] == "approval.refresh"
        assert card["refresh"]["action"]["data"] == {"approval_id": approval_id}
        assert people.MANAGER.user_id in card["refresh"]["userIds"]
        assert people.STAFF.user_id not in card["refresh"]["userIds"]
        stored = await get(env, approval_id)
        assert stored.card_activity_id == "card-1" and stored.card_conversation_id == people.MANAGER.conversation_id


class TestDecide:
    async def test_the_manager_approves_once_and_the_requester_is_told(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)
        manager = await env.staff(people.MANAGER)
        first = await env.decide(manager, approval_id, "approve", comment=" prima ")
        second = await env.decide(manager, approval_id, "reject")
        assert first.changed and not second.changed
        assert second.approval.status == "approved" and second.approval.comment == "prima"
        assert [d[1:] for d in env.subject.decided] == [("approved", manager.id, "prima")]
        assert len(await audits(env, "approval.decided")) == 1
        [message] = env.proactive.texts(people.STAFF.aad_object_id)
        assert "goedgekeurd door Mia Manager" in message and "prima" in message

    async def test_the_english_requester_is_told_in_english(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.COLLEAGUE, "headset")
        manager = await env.staff(people.MANAGER)
        await env.decide(manager, approval_id, "reject", comment="Not now")
        [message] = env.proactive.texts(people.COLLEAGUE.aad_object_id)
        assert message.startswith("Your request 'Request: headset' was rejected by Mia Manager")

    @pytest.mark.parametrize("intruder", [people.OTHER_MANAGER, people.COLLEAGUE, people.HR, people.STAFF])
    async def test_anyone_else_is_refused_and_audited_with_the_approval(self, env: ApprovalEnv, intruder) -> None:  # noqa: ANN001
        approval_id = await env.request(people.STAFF)
        env.proactive.clear()  # the approval card went out; count what the refusal sends
        actor = await env.staff(intruder)
        with pytest.raises(Forbidden):
            await env.decide(actor, approval_id, "approve")
        assert (await get(env, approval_id)).status == "pending"
        assert env.subject.decided == []
        [refusal] = await audits(env, "approval.refused")
        assert refusal.subject_type == "approval" and refusal.subject_id == str(approval_id)
        assert refusal.actor == f"staff:{actor.id}"
        assert env.proactive.sent == []

    async def test_an_admin_may_decide(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)
        outcome = await env.decide(await env.staff(people.ADMIN), approval_id, "reject", comment="Dubbel aangevraagd")
        assert outcome.changed and outcome.approval.status == "rejected"

    async def test_a_rejection_needs_the_reason_the_entity_asks_for(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)
        manager = await env.staff(people.MANAGER)
        with pytest.raises(ReasonRequired) as missing:
            await env.decide(manager, approval_id, "reject", comment="  ")
        assert missing.value.card is not None and missing.value.card.reason_required
        assert (await get(env, approval_id)).status == "pending" and env.subject.decided == []
        async with env.uow_factory() as uow:
            staff = await uow.staff.get_by_aad(people.STAFF.aad_object_id)
            policy = await uow.entities.policy(staff.entity_id)
            await uow.entities.set_policy(staff.entity_id, policy.model_copy(update={"approvals": policy.approvals.model_copy(update={"reject_reason_required": False})}))
            await uow.commit()
        outcome = await env.decide(manager, approval_id, "reject")
        assert outcome.approval.status == "rejected" and outcome.approval.comment is None

    async def test_a_subject_asking_confirmation_needs_approve_anyway(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF, "stoel", needs_confirmation=True)
        manager = await env.staff(people.MANAGER)
        with pytest.raises(NeedsConfirmation):
            await env.decide(manager, approval_id, "approve")
        assert (await get(env, approval_id)).status == "pending"
        outcome = await env.decide(manager, approval_id, "approve", confirmed=True)
        assert outcome.approval.status == "approved"

    async def test_a_blocked_subject_changes_nothing(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF, blocked=True)
        with pytest.raises(DomainError):
            await env.decide(await env.staff(people.MANAGER), approval_id, "approve")
        assert (await get(env, approval_id)).status == "pending"
        assert await audits(env, "approval.decided") == []

    async def test_a_decision_elsewhere_updates_the_approvers_stored_card(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)
        await env.decide(await env.staff(people.ADMIN), approval_id, "approve")
        [(aad, activity_id, card)] = env.proactive.updates
        assert (aad, activity_id) == (people.MANAGER.aad_object_id, "card-1")
        assert_valid_card(card)
        assert actions_of(card) == []

    async def test_the_card_the_click_came_from_is_not_updated_twice(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)
        await env.decide(await env.staff(people.MANAGER), approval_id, "approve", shown_activity_id="card-1")
        assert env.proactive.updates == []

    async def test_an_oversized_comment_is_refused(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)
        with pytest.raises(InvalidInput):
            await env.decide(await env.staff(people.MANAGER), approval_id, "reject", comment="x" * 2000)
        assert (await get(env, approval_id)).status == "pending"


class TestCancel:
    async def test_the_requester_withdraws(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)
        subject_id = (await get(env, approval_id)).subject_id
        staff = await env.staff(people.STAFF)
        async with env.uow_factory() as uow:
            await service.cancel_for_subject(uow, subject_type=SUBJECT_TYPE, subject_id=subject_id, actor=staff, now=env.clock.now())
            await uow.commit()
        assert (await get(env, approval_id)).status == "cancelled"
        assert env.subject.decided == [(subject_id, "cancelled", staff.id, None)]
        async with env.uow_factory() as uow:
            assert await service.pending_for_subject(uow, SUBJECT_TYPE, subject_id) is None

    async def test_someone_else_cannot_withdraw(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)
        subject_id = (await get(env, approval_id)).subject_id
        colleague = await env.staff(people.COLLEAGUE)
        async with env.uow_factory() as uow:
            with pytest.raises(Forbidden):
                await service.cancel_for_subject(
                    uow, subject_type=SUBJECT_TYPE, subject_id=subject_id, actor=colleague, now=env.clock.now()
                )
        assert (await get(env, approval_id)).status == "pending"


class TestDeputies:
    async def _name(self, env: ApprovalEnv, deputy: str, start: date, end: date) -> int:
        manager = await env.staff(people.MANAGER)
        row = await env.run(deputies.set_deputy, deputies.SetDeputy(manager, start, end, deputy_email=deputy))
        return row.id

    async def test_an_active_deputy_decides_and_sees_the_pending_list(self, env: ApprovalEnv) -> None:
        await self._name(env, "HR@vlaanderen.be", date(2026, 11, 22), date(2026, 11, 27))
        approval_id = await env.request(people.STAFF)
        hr = await env.staff(people.HR)
        items = await env.run(service.list_decidable, service.PendingApprovals(hr))
        assert [i.approval_id for i in items] == [approval_id]
        outcome = await env.decide(hr, approval_id, "approve")
        assert outcome.changed and outcome.approval.decided_by == hr.id

    async def test_a_deputy_outside_the_period_is_refused(self, env: ApprovalEnv) -> None:
        await self._name(env, "hr@vlaanderen.be", date(2026, 11, 23), date(2026, 11, 27))
        approval_id = await env.request(people.STAFF)
        with pytest.raises(Forbidden):
            await env.decide(await env.staff(people.HR), approval_id, "approve")
        env.clock.advance(days=6)  # Saturday 28 November: the period has ended
        with pytest.raises(Forbidden):
            await env.decide(await env.staff(people.HR), approval_id, "approve")
        env.clock.advance(days=-4)  # Tuesday 24 November: inside the period
        assert (await env.decide(await env.staff(people.HR), approval_id, "approve")).changed

    async def test_an_active_deputy_gets_a_copy_of_the_card_and_is_in_the_refresh_list(self, env: ApprovalEnv) -> None:
        await self._name(env, "hr@vlaanderen.be", date(2026, 11, 22), date(2026, 11, 27))
        approval_id = await env.request(people.STAFF)
        [card] = env.proactive.cards(people.HR.aad_object_id)
        assert people.HR.user_id in card["refresh"]["userIds"] and people.MANAGER.user_id in card["refresh"]["userIds"]
        assert (await get(env, approval_id)).card_conversation_id == people.MANAGER.conversation_id

    async def test_deputies_are_listed_and_removed_by_their_manager_only(self, env: ApprovalEnv) -> None:
        row_id = await self._name(env, "hr@vlaanderen.be", date(2026, 11, 22), date(2026, 11, 27))
        manager = await env.staff(people.MANAGER)
        other = await env.staff(people.OTHER_MANAGER)
        [item] = (await env.run(deputies.deputies, deputies.ShowDeputies(manager))).current
        assert (item.name, item.active) == ("Hilde HR", True)
        with pytest.raises(Forbidden):
            await env.run(deputies.remove_deputy, deputies.RemoveDeputy(other, row_id))
        await env.run(deputies.remove_deputy, deputies.RemoveDeputy(manager, row_id))
        assert (await env.run(deputies.deputies, deputies.ShowDeputies(manager))).current == []
        assert [a.action for a in await audits(env, "deputy.removed")] == ["deputy.removed"]

    @pytest.mark.parametrize(
        ("email", "key"),
        [("nobody@vlaanderen.be", "approvals.deputy_unknown"), ("otherstaff@vlaanderen.be", "approvals.deputy_other_entity"),
         ("manager@vlaanderen.be", "approvals.deputy_self")],
    )
    async def test_bad_deputies_are_refused(self, env: ApprovalEnv, email: str, key: str) -> None:
        with pytest.raises(InvalidInput) as error:
            await self._name(env, email, date(2026, 11, 22), date(2026, 11, 27))
        assert error.value.key == key

    async def test_candidates_are_peers_and_reports(self, env: ApprovalEnv) -> None:
        manager = await env.staff(people.MANAGER)
        names = [c.display_name for c in (await env.run(deputies.deputies, deputies.ShowDeputies(manager))).candidates]
        assert names == ["Ada Admin", "Cato Collega", "Hilde HR", "Lode Logistiek", "Stan Staff"]


class TestBulk:
    async def test_bulk_approve_skips_what_needs_a_confirmation_or_is_not_yours(self, env: ApprovalEnv) -> None:
        first = await env.request(people.STAFF, "muis")
        second = await env.request(people.COLLEAGUE, "hub")
        confirm = await env.request(people.STAFF, "stoel", needs_confirmation=True)
        foreign = await env.request(people.OTHER_STAFF, "scherm")
        manager = await env.staff(people.MANAGER)
        result = await env.run(service.bulk_approve, service.BulkApprove(manager, (first, second, confirm, foreign, first)))
        assert result.approved == [first, second]
        assert dict(result.skipped) == {
            confirm: "approvals.skipped_needs_confirmation", foreign: "approvals.skipped_not_yours",
        }
        assert (await get(env, confirm)).status == "pending" and (await get(env, foreign)).status == "pending"
        assert len(env.proactive.texts(people.STAFF.aad_object_id)) == 1
        assert len(env.proactive.texts(people.COLLEAGUE.aad_object_id)) == 1

    async def test_the_pending_list_shows_only_what_the_viewer_may_decide(self, env: ApprovalEnv) -> None:
        mine = await env.request(people.STAFF)
        await env.request(people.OTHER_STAFF)
        items = await env.run(service.list_decidable, service.PendingApprovals(await env.staff(people.MANAGER)))
        titles = [(i.approval_id, fake_text(i.summary, Translator("nl")).title, i.requester_name) for i in items]
        assert titles == [(mine, "Aanvraag: laptophouder", "Stan Staff")]
        assert await env.run(service.list_decidable, service.PendingApprovals(await env.staff(people.COLLEAGUE))) == []


class TestRemindersAndEscalation:
    async def test_a_reminder_is_sent_once_after_the_working_days(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)  # Sunday 22 November
        env.proactive.clear()  # the approval card went out; count the reminders
        monday = env.clock.now() + timedelta(days=1)
        await env.job(reminders.run_reminders, monday)
        assert env.proactive.cards(people.MANAGER.aad_object_id) == []
        tuesday = monday + timedelta(days=1)
        await env.job(reminders.run_reminders, tuesday)
        await env.job(reminders.run_reminders, tuesday + timedelta(hours=1))
        [card] = env.proactive.cards(people.MANAGER.aad_object_id)
        assert_valid_card(card)
        assert "Herinnering" in card["body"][0]["text"]
        assert (await get(env, approval_id)).reminded_at is not None
        assert len(await audits(env, "approval.reminded")) == 1

    async def test_a_decided_request_gets_no_reminder(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)
        await env.decide(await env.staff(people.MANAGER), approval_id, "approve")
        env.proactive.clear()  # the approval card went out; count the reminders
        await env.job(reminders.run_reminders, env.clock.now() + timedelta(days=7))
        assert env.proactive.cards(people.MANAGER.aad_object_id) == []

    async def test_escalation_goes_to_the_managers_manager_once_and_everyone_is_told(self, env: ApprovalEnv) -> None:
        approval_id = await env.request(people.STAFF)
        start = env.clock.now()
        thursday = start + timedelta(days=4)
        await env.job(reminders.run_escalations, thursday)
        assert (await get(env, approval_id)).escalated_at is None
        monday = start + timedelta(days=8)  # 5 working days after Sunday: Mon 30 November
        await env.job(reminders.run_escalations, monday)
        await env.job(reminders.run_escalations, monday + timedelta(hours=2))
        approval = await get(env, approval_id)
        director = await env.staff(people.DIRECTOR)
        assert approval.approver_id == director.id and approval.escalated_at is not None
        [card] = env.proactive.cards(people.DIRECTOR.aad_object_id)
        assert_valid_card(card)
        assert [a["data"]["decision"] for a in actions_of(card)] == ["approve", "reject"]
        assert approval.card_conversation_id == people.DIRECTOR.conversation_id
        assert len(env.proactive.texts(people.MANAGER.aad_object_id)) == 1
        assert "Dirk Directeur" in env.proactive.texts(people.STAFF.aad_object_id)[0]
        assert len(await audits(env, "approval.escalated")) == 1
        # The first manager can still decide.
        outcome = await env.decide(await env.staff(people.MANAGER), approval_id, "approve")
        assert outcome.changed

    async def test_the_entity_policy_sets_the_thresholds(self, env: ApprovalEnv) -> None:
        from bot.domain.policy import EntityPolicy

        staff = await env.staff(people.STAFF)
        async with env.uow_factory() as uow:
            await uow.entities.set_policy(staff.entity_id, EntityPolicy.from_json({"approvals": {"reminder_after_working_days": 1}}))
            await uow.commit()
        await env.request(people.STAFF)
        env.proactive.clear()  # the approval card went out; count the reminders
        await env.job(reminders.run_reminders, env.clock.now() + timedelta(days=1))
        assert len(env.proactive.cards(people.MANAGER.aad_object_id)) == 1
