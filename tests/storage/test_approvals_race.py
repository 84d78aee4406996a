"""Two deciders click at the same moment on PostgreSQL: exactly one decision, one audit, one message."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot.services import approval_deputies as deputies
from bot.services import approval_reminders as reminders
from storage.uow import UnitOfWorkFactory
from tests.fakes import people
from tests.fakes.approval_subject import ApprovalEnv, make_env


@pytest.fixture
async def env(pg_directory: UnitOfWorkFactory, pg_database_url: str) -> ApprovalEnv:
    environment = await make_env(pg_directory, pg_database_url)
    environment.subject.approve_delay = 0.05  # both transactions are open at the same time
    return environment


async def _decided_audits(env: ApprovalEnv, approval_id: int) -> list[str]:
    async with env.uow_factory() as uow:
        rows = await uow.audit.list_by_action("approval.decided")
        return [row.actor for row in rows if row.subject_id == str(approval_id)]


@pytest.mark.parametrize("rounds", [5])
async def test_manager_and_admin_clicking_together_decide_once(env: ApprovalEnv, rounds: int) -> None:
    manager, admin = await env.staff(people.MANAGER), await env.staff(people.ADMIN)
    for _ in range(rounds):
        approval_id = await env.request(people.STAFF)
        before = len(env.proactive.texts(people.STAFF.aad_object_id))
        results = await asyncio.gather(
            env.decide(manager, approval_id, "approve"),
            env.decide(admin, approval_id, "reject", comment="nee"),
        )
        winners = [r for r in results if r.changed]
        assert len(winners) == 1
        # The loser sees the winner's decision, not its own.
        assert {r.approval.status for r in results} == {winners[0].approval.status}
        assert len(await _decided_audits(env, approval_id)) == 1
        assert len(env.proactive.texts(people.STAFF.aad_object_id)) == before + 1
        assert [d for d in env.subject.decided if d[0] == winners[0].approval.subject_id] == [
            (winners[0].approval.subject_id, winners[0].approval.status, winners[0].approval.decided_by, winners[0].approval.comment)
        ]


async def test_manager_and_deputy_clicking_together_decide_once(env: ApprovalEnv) -> None:
    manager, hr = await env.staff(people.MANAGER), await env.staff(people.HR)
    await env.run(deputies.set_deputy, deputies.SetDeputy(manager, date(2026, 11, 22), date(2026, 11, 30), deputy_id=hr.id))
    approval_id = await env.request(people.STAFF)
    results = await asyncio.gather(
        *(env.decide(actor, approval_id, "approve") for actor in (manager, hr, manager, hr))
    )
    assert sum(r.changed for r in results) == 1
    assert len(await _decided_audits(env, approval_id)) == 1
    assert len(env.proactive.texts(people.STAFF.aad_object_id)) == 1
    assert len(env.subject.decided) == 1


async def test_two_instances_running_the_reminder_job_send_once(env: ApprovalEnv) -> None:
    from datetime import timedelta

    approval_id = await env.request(people.STAFF)
    env.proactive.clear()  # the approval card went out; count the reminders
    later = env.clock.now() + timedelta(days=3)
    env.clock.current = later
    await asyncio.gather(reminders.run_reminders(env.runner, later), reminders.run_reminders(env.runner, later))
    await env.delivered()
    assert len(env.proactive.cards(people.MANAGER.aad_object_id)) == 1
    async with env.uow_factory() as uow:
        assert [r.subject_id for r in await uow.audit.list_by_action("approval.reminded")] == [str(approval_id)]
