"""GraphClient against the fake identity platform and Graph on https://127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.graph import GraphClient, GraphError
from tests.conftest import make_settings
from tests.fakes.graph import CLIENT_ID, CLIENT_SECRET, TENANT, FakeGraph

BOSS = "aaaaaaaa-0000-0000-0000-000000000002"
WORKER = "aaaaaaaa-0000-0000-0000-000000000003"


@pytest.fixture
async def graph(tmp_path: Path) -> AsyncIterator[FakeGraph]:
    fake = await FakeGraph(tmp_path).start()
    yield fake
    await fake.close()


def client_for(graph: FakeGraph, secret: str = CLIENT_SECRET, catalog_id: str = "catalog-app-1") -> GraphClient:
    return GraphClient(
        tenant_id=TENANT, client_id=CLIENT_ID, client_secret=secret, authority=graph.authority,
        base_url=graph.graph_url, teams_app_catalog_id=catalog_id, ca_file=str(graph.ca_file),
    )


async def test_manager_and_department(graph: FakeGraph) -> None:
    graph.managers[WORKER] = BOSS
    graph.departments[WORKER] = "Team Loopbaan"
    graph.departments[BOSS] = None
    client = client_for(graph)
    assert await client.manager_and_department(WORKER) == (BOSS, "Team Loopbaan")
    assert await client.manager_and_department(BOSS) == (None, None)
    # The token is cached: three look-ups, one token request.
    assert graph.token_requests == 1
    assert graph.graph_requests == 4


async def test_bad_credentials_raise_graph_error(graph: FakeGraph) -> None:
    with pytest.raises(GraphError, match="invalid_client"):
        await client_for(graph, secret="wrong").manager_and_department(WORKER)


async def test_install_app_for_user(graph: FakeGraph) -> None:
    client = client_for(graph)
    graph.install_status = {BOSS: 409, "refusing-tenant-user": 403}
    assert await client.install_app_for_user(WORKER) is True
    assert await client.install_app_for_user(BOSS) is True
    assert await client.install_app_for_user("refusing-tenant-user") is False
    user, body = graph.installs[0]
    assert user == WORKER
    assert body == {"teamsApp@odata.bind": f"{graph.graph_url}/appCatalogs/teamsApps/catalog-app-1"}
    graph.install_status[WORKER] = 500
    with pytest.raises(GraphError):
        await client.install_app_for_user(WORKER)


async def test_install_without_catalog_id_is_refused_locally(graph: FakeGraph) -> None:
    assert await client_for(graph, catalog_id="").install_app_for_user(WORKER) is False
    assert graph.installs == []


def test_client_only_with_full_identity() -> None:
    url = "sqlite+aiosqlite:///:memory:"
    assert GraphClient.from_settings(make_settings(url)) is None
    multi_tenant = make_settings(url, MICROSOFT_APP_ID=CLIENT_ID, MICROSOFT_APP_PASSWORD="x", MICROSOFT_APP_TYPE="MultiTenant")
    assert GraphClient.from_settings(multi_tenant) is None  # no tenant to ask Graph in
    client = GraphClient.from_settings(
        make_settings(url, MICROSOFT_APP_ID=CLIENT_ID, MICROSOFT_APP_PASSWORD="x", MICROSOFT_APP_TENANT_ID=TENANT)
    )
    assert client is not None
    assert client.authority == f"https://login.microsoftonline.com/{TENANT}"
