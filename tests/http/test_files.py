"""Files to the user: a Teams file consent card in the personal chat, the upload on accept, and a
signed link on decline, on upload failure and outside personal chats."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import BOT
from bot.files import CONSENT_CARD_TYPE, FILE_INFO_CARD_TYPE, send_file
from bot.turn import Turn
from tests.conftest import BotHarness
from tests.fakes import teams
from tests.fakes.people import COLLEAGUE, MANAGER, STAFF, UNKNOWN
from tests.fakes.teams import TeamsUser

CONTENT = b"dag;plaats\n2026-11-23;thuis\n"


@dataclass
class FakeOneDrive:
    """The upload session Teams creates in the user's OneDrive, on 127.0.0.1."""

    status: int = 201
    uploads: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    server: TestServer | None = None

    async def _put(self, request: web.Request) -> web.Response:
        self.uploads.append((await request.read(), dict(request.headers)))
        return web.json_response({"id": "drive-item-1"}, status=self.status)

    @property
    def upload_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/upload/session-1"))


@pytest.fixture
async def onedrive() -> AsyncIterator[FakeOneDrive]:
    fake = FakeOneDrive()
    app = web.Application()
    app.router.add_put("/upload/{session}", fake._put)
    fake.server = TestServer(app, host="127.0.0.1")
    await fake.server.start_server()
    yield fake
    await fake.server.close()


@pytest.fixture
def with_file_command(harness: BotHarness) -> BotHarness:
    """A command that sends a file, as a report or export flow does."""

    async def send_export(turn: Turn, _rest: str) -> None:
        await send_file(turn, "thuiswerk.csv", CONTENT, description="Je thuiswerkdagen")

    harness.client.server.app[BOT].router.command(("testbestand",), send_export)
    return harness


def consent_invoke(user: TeamsUser, service_url: str, action: str, context: Any, upload_url: str | None = None) -> dict[str, Any]:
    activity = teams.execute(user, service_url, "unused", {})
    activity["name"] = "fileConsent/invoke"
    value: dict[str, Any] = {"type": "fileUpload", "action": action, "context": context}
    if upload_url:
        value["uploadInfo"] = {
            "name": "thuiswerk.csv", "uploadUrl": upload_url, "contentUrl": "https://contoso.sharepoint.com/thuiswerk.csv",
            "uniqueId": "unique-1", "fileType": "csv",
        }
    activity["value"] = value
    return activity


async def offered(harness: BotHarness, user: TeamsUser) -> dict[str, Any]:
    sent = await harness.say(user, "testbestand")
    attachments = [a for s in sent for a in s.activity.get("attachments") or []]
    assert len(attachments) == 1
    assert attachments[0]["contentType"] == CONSENT_CARD_TYPE
    assert attachments[0]["name"] == "thuiswerk.csv"
    return attachments[0]["content"]


async def download(harness: BotHarness, text: str) -> bytes:
    link = re.search(r"https?://\S+/downloads/\S+", text)
    assert link is not None, text
    response = await harness.client.get(urlsplit(link.group(0)).path)
    assert response.status == 200
    return await response.read()


async def test_accept_uploads_the_bytes_and_posts_the_file_card(with_file_command: BotHarness, onedrive: FakeOneDrive) -> None:
    harness = with_file_command
    card = await offered(harness, STAFF)
    assert card["sizeInBytes"] == len(CONTENT)
    assert card["description"] == "Je thuiswerkdagen"
    before = len(harness.connector.to(STAFF.conversation_id))
    response = await harness.post(consent_invoke(STAFF, harness.service_url, "accept", card["acceptContext"], onedrive.upload_url))
    assert response.status == 200
    assert len(onedrive.uploads) == 1
    body, headers = onedrive.uploads[0]
    assert body == CONTENT
    assert headers["Content-Range"] == f"bytes 0-{len(CONTENT) - 1}/{len(CONTENT)}"
    sent = harness.connector.to(STAFF.conversation_id)[before:]
    info = [a for s in sent for a in s.activity.get("attachments") or []]
    assert info[0]["contentType"] == FILE_INFO_CARD_TYPE
    assert info[0]["contentUrl"] == "https://contoso.sharepoint.com/thuiswerk.csv"
    assert info[0]["content"] == {"uniqueId": "unique-1", "fileType": "csv"}
    # Accepting the same card again finds nothing left to upload.
    again = await harness.post(consent_invoke(STAFF, harness.service_url, "accept", card["acceptContext"], onedrive.upload_url))
    assert again.status == 200
    assert len(onedrive.uploads) == 1
    assert "niet meer beschikbaar" in harness.connector.texts(STAFF.conversation_id)[-1]


async def test_decline_answers_politely_with_a_download_link(with_file_command: BotHarness, onedrive: FakeOneDrive) -> None:
    harness = with_file_command
    card = await offered(harness, STAFF)
    response = await harness.post(consent_invoke(STAFF, harness.service_url, "decline", card["declineContext"]))
    assert response.status == 200
    assert onedrive.uploads == []
    texts = harness.connector.texts(STAFF.conversation_id)
    assert texts[-2] == "Geen probleem, ik zet thuiswerk.csv niet in je OneDrive."
    assert await download(harness, texts[-1]) == CONTENT


async def test_decline_in_english(with_file_command: BotHarness) -> None:
    harness = with_file_command
    card = await offered(harness, COLLEAGUE)
    await harness.post(consent_invoke(COLLEAGUE, harness.service_url, "decline", card["declineContext"]))
    assert harness.connector.texts(COLLEAGUE.conversation_id)[-2] == "No problem, I will not put thuiswerk.csv in your OneDrive."


async def test_failed_upload_falls_back_to_a_link(with_file_command: BotHarness, onedrive: FakeOneDrive) -> None:
    harness = with_file_command
    onedrive.status = 500
    card = await offered(harness, STAFF)
    response = await harness.post(consent_invoke(STAFF, harness.service_url, "accept", card["acceptContext"], onedrive.upload_url))
    assert response.status == 200
    texts = harness.connector.texts(STAFF.conversation_id)
    assert "Het lukte niet" in texts[-2]
    assert await download(harness, texts[-1]) == CONTENT


async def test_someone_elses_file_is_refused(with_file_command: BotHarness, onedrive: FakeOneDrive) -> None:
    harness = with_file_command
    card = await offered(harness, STAFF)
    response = await harness.post(consent_invoke(MANAGER, harness.service_url, "accept", card["acceptContext"], onedrive.upload_url))
    assert response.status == 200
    assert onedrive.uploads == []
    assert harness.connector.texts(MANAGER.conversation_id)[-1] == "Dat mag je niet doen met jouw rol."


async def test_forged_and_unknown_user_consents(with_file_command: BotHarness, onedrive: FakeOneDrive) -> None:
    harness = with_file_command
    for context in ({"file": "guessed"}, "not an object", None):
        response = await harness.post(consent_invoke(STAFF, harness.service_url, "accept", context, onedrive.upload_url))
        assert response.status == 200
    assert onedrive.uploads == []
    response = await harness.post(consent_invoke(UNKNOWN, harness.service_url, "accept", {"file": "x"}, onedrive.upload_url))
    assert response.status == 200
    assert harness.connector.texts(UNKNOWN.conversation_id)[-1].startswith("Ik vind je niet")


async def test_outside_a_personal_chat_a_link_is_sent(with_file_command: BotHarness) -> None:
    harness = with_file_command
    activity = teams.message(STAFF, harness.service_url, "testbestand")
    activity["conversation"] = {"id": "19:group-chat", "conversationType": "groupChat", "tenantId": STAFF.tenant_id}
    response = await harness.post(activity)
    assert response.status in (200, 201)
    sent = harness.connector.to("19:group-chat")
    assert not any(s.activity.get("attachments") for s in sent)
    assert await download(harness, sent[-1].text) == CONTENT
