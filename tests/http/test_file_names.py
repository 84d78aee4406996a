"""Files come in the language of the chat they were asked in, names included, over HTTP on SQLite
and PostgreSQL: the Teams client's locale first, then the directory's language (Stan's is nl)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from bot.domain.staff import Role
from bot.registry import DownloadRequest, FileOut, Registry
from bot.runner import UseCaseRunner
from bot.wiring import build_registry
from tests.conftest import BotHarness
from tests.fakes import teams
from tests.fakes.people import STAFF
from tests.fakes.teams import TeamsUser
from tests.http.test_privacy import _consent

KIND = "tests.language_echo"


async def _echo(runner: UseCaseRunner, request: DownloadRequest) -> FileOut:
    return FileOut(f"file-{request.locale}.txt", "text/plain", request.locale.encode())


@pytest.fixture
def app_registry() -> Registry:
    registry = build_registry()
    registry.download(KIND, _echo, roles=frozenset({Role.STAFF}))
    return registry


@pytest.mark.parametrize(("client_locale", "name"), [("en-GB", "my-data-20261122.json"), ("nl-BE", "mijn-gegevens-20261122.json")])
async def test_my_data_is_named_in_the_language_of_the_client(harness: BotHarness, client_locale: str, name: str) -> None:
    stan = TeamsUser(STAFF.aad_object_id, STAFF.name, locale=client_locale)
    body = await harness.execute(stan, "privacy.export", {"format": "json"})
    assert name in str(body["value"])
    offer = _consent(harness, stan.conversation_id)
    assert offer["name"] == name
    # Declined: the link gives the same file, with the same name.
    decline = teams.execute(stan, harness.service_url, "unused", {})
    decline["name"] = "fileConsent/invoke"
    decline["value"] = {"type": "fileUpload", "action": "decline", "context": offer["content"]["declineContext"]}
    assert (await harness.post(decline)).status == 200
    link = re.search(r"https?://\S+/downloads/\S+", harness.connector.texts(stan.conversation_id)[-1])
    assert link is not None
    response = await harness.client.get(urlsplit(link.group(0)).path)
    assert response.status == 200 and f'filename="{name}"' in response.headers["Content-Disposition"]


async def test_a_link_carries_the_language_of_its_chat_and_falls_back_to_the_directory(harness: BotHarness) -> None:
    async with harness.uow() as uow:
        stan = await uow.staff.get_by_aad(STAFF.aad_object_id)
    assert stan is not None and stan.language == "nl"
    for params, expected in (({"lang": "en"}, "en"), ({"lang": "nl"}, "nl"), ({}, "nl")):
        link = harness.services.links.make(KIND, params, stan.id)
        response = await harness.client.get(urlsplit(link).path)
        assert response.status == 200 and f'filename="file-{expected}.txt"' in response.headers["Content-Disposition"], params
