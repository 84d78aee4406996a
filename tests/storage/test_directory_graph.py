"""Refreshing managers and departments from Microsoft Graph (fake Graph on https://127.0.0.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.graph import GraphClient, sync_org_from_graph
from bot.runner import UseCaseRunner
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW
from tests.fakes.graph import CLIENT_ID, CLIENT_SECRET, TENANT, FakeGraph
from tests.fakes.people import DIRECTOR, MANAGER, OTHER_MANAGER, STAFF


@pytest.fixture
async def graph(tmp_path: Path) -> AsyncIterator[FakeGraph]:
    fake = await FakeGraph(tmp_path).start()
    yield fake
    await fake.close()


def client(graph: FakeGraph) -> GraphClient:
    return GraphClient(
        tenant_id=TENANT, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, authority=graph.authority,
        base_url=graph.graph_url, ca_file=str(graph.ca_file),
    )


async def _org(uow_factory: UnitOfWorkFactory) -> dict[str, tuple[int | None, str | None]]:
    async with uow_factory() as uow:
        return {o.aad_object_id: (o.manager_id, o.department) for o in await uow.staff_org.list_current()}


async def _id(uow_factory: UnitOfWorkFactory, aad: str) -> int:
    async with uow_factory() as uow:
        staff = await uow.staff.get_by_aad(aad)
    assert staff is not None
    return staff.id


def runner(uow_factory: UnitOfWorkFactory) -> UseCaseRunner:
    return UseCaseRunner(uow_factory, FixedClock(DEFAULT_NOW))


async def test_sync_updates_manager_and_department_and_audits(directory: UnitOfWorkFactory, graph: FakeGraph) -> None:
    before = await _org(directory)
    everyone = list(before)
    for aad in everyone:
        graph.departments[aad] = "Afdeling Werk"
    graph.managers[STAFF.aad_object_id] = OTHER_MANAGER.aad_object_id  # moved to another manager
    graph.managers[MANAGER.aad_object_id] = DIRECTOR.aad_object_id
    graph.managers[DIRECTOR.aad_object_id] = "not-in-directory"
    del graph.departments[everyone[-1]]  # Graph does not know this one: department cleared

    result = await sync_org_from_graph(runner(directory), client(graph), actor="test")

    after = await _org(directory)
    assert after[STAFF.aad_object_id] == (await _id(directory, OTHER_MANAGER.aad_object_id), "Afdeling Werk")
    assert after[MANAGER.aad_object_id] == (await _id(directory, DIRECTOR.aad_object_id), "Afdeling Werk")
    # A manager outside the directory does not erase what the directory knows.
    assert after[DIRECTOR.aad_object_id] == (before[DIRECTOR.aad_object_id][0], "Afdeling Werk")
    assert result.unknown_managers == 1
    assert result.failed == 0
    assert result.updated + result.unchanged == len(everyone)
    async with directory() as uow:
        audited = await uow.audit.list_by_action("staff.graph_synced")
        rows = {(row.subject_id, row.after["department"]) for row in audited}
    assert len(rows) == result.updated
    assert (str(await _id(directory, STAFF.aad_object_id)), "Afdeling Werk") in rows

    again = await sync_org_from_graph(runner(directory), client(graph), actor="test")
    assert (again.updated, again.unchanged) == (0, len(everyone))


async def test_failed_look_ups_leave_people_unchanged(directory: UnitOfWorkFactory, graph: FakeGraph) -> None:
    before = await _org(directory)
    broken = GraphClient(
        tenant_id=TENANT, client_id=CLIENT_ID, client_secret="wrong", authority=graph.authority,
        base_url=graph.graph_url, ca_file=str(graph.ca_file),
    )
    result = await sync_org_from_graph(runner(directory), broken, actor="test")
    assert result.failed == len(before)
    assert await _org(directory) == before
