"""Hostile activities at the edge, over HTTP on both backends: each is refused with 400 before any
work (no traceback, nothing stored, nothing sent), or normalised and served; and an error the
database raises because of what was sent is never reported to the user as an outage."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text

from bot.inbound import NAME_MAX
from storage.models.directory import AuditRow, ConversationReferenceRow, EntityRow
from storage.repositories.directory import StaffRepository
from tests.conftest import BotHarness
from tests.fakes import teams
from tests.fakes.people import STAFF

UNAVAILABLE = "De databank is even niet bereikbaar"
APOLOGY = "Sorry, er ging iets mis"


def _message(**changes: Any) -> dict[str, Any]:
    activity = teams.message(STAFF, "http://127.0.0.1:9", "thuis morgen")
    activity.update(changes)
    return activity


def _deep(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"x": value}
    return value


HOSTILE: dict[str, Any] = {
    "nested body": b"[" * 100_000,
    "nested value": lambda url: _message(serviceUrl=url, value=_deep(500)),
    "from.id missing": lambda url: _message(serviceUrl=url, **{"from": {"name": "Stan", "aadObjectId": STAFF.aad_object_id}}),
    "channelData.tenant a string": lambda url: _message(serviceUrl=url, channelData={"tenant": teams.TENANT}),
    "tenant id over 64": lambda url: _message(serviceUrl=url, conversation={"id": STAFF.conversation_id, "tenantId": "t" * 65}),
    "NUL in the text": lambda url: _message(serviceUrl=url, text="thuis\x00morgen"),
    "NUL in the name": lambda url: _message(serviceUrl=url, **{"from": {"id": STAFF.user_id, "name": "St\x00an", "aadObjectId": STAFF.aad_object_id}}),
    "lone surrogate": lambda url: _message(serviceUrl=url, text="thuis \ud800 morgen"),
    "aadObjectId over 64": lambda url: _message(serviceUrl=url, **{"from": {"id": STAFF.user_id, "aadObjectId": "a" * 65}}),
}


async def _count(harness: BotHarness, model: Any) -> int:
    async with harness.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("case", sorted(HOSTILE))
async def test_hostile_activity_is_400_before_any_work(
    harness: BotHarness, case: str, caplog: pytest.LogCaptureFixture,
) -> None:
    body = HOSTILE[case] if isinstance(HOSTILE[case], bytes) else HOSTILE[case](harness.service_url)
    audited = await _count(harness, AuditRow)  # the directory import's
    with caplog.at_level(logging.WARNING):
        if isinstance(body, bytes):
            response = await harness.client.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
        else:
            response = await harness.post(body)
    assert response.status == 400, await response.text()
    assert (await response.json())["error"]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in caplog.records if r.name == "bot.app"][0].startswith("refused an activity")
    assert harness.connector.sent == []
    assert await _count(harness, ConversationReferenceRow) == 0
    assert await _count(harness, AuditRow) == audited


async def test_overlong_locale_and_names_are_normalised_and_served(harness: BotHarness) -> None:
    activity = _message(serviceUrl=harness.service_url, text="menu", locale="nl-BE-" + "x" * 40)
    activity["entities"][0]["locale"] = "en-" + "x" * 40
    activity["from"]["name"] = "S" * 500
    activity["recipient"]["name"] = "B" * 500
    response = await harness.post(activity)
    assert response.status in (200, 201), await response.text()
    assert harness.connector.cards(STAFF.conversation_id)  # the menu, in the staff member's language
    async with harness.uow() as uow:
        reference = await uow.conversations.get(STAFF.aad_object_id)
    assert reference is not None
    assert reference.locale is None
    assert reference.user_name == "S" * NAME_MAX and reference.bot_name == "B" * NAME_MAX


async def _duplicate_entity(self: StaffRepository, _aad: str) -> None:
    await self.session.execute(insert(EntityRow).values(code="DWSE", name="again", policy={}))


async def _not_a_number(self: StaffRepository, _aad: str) -> None:
    await self.session.execute(text("SELECT CAST(:value AS integer)"), {"value": "twelve"})


@pytest.mark.parametrize("fault", [_duplicate_entity, _not_a_number], ids=["constraint", "data"])
async def test_a_constraint_or_data_error_is_not_called_an_outage(
    harness: BotHarness, database_url: str, monkeypatch: pytest.MonkeyPatch, fault: Any,
) -> None:
    if fault is _not_a_number and database_url.startswith("sqlite"):
        pytest.skip("SQLite casts any text to a number")
    monkeypatch.setattr(StaffRepository, "get_by_aad", fault)
    sent = await harness.say(STAFF, "menu")
    assert APOLOGY in sent[-1].text and UNAVAILABLE not in sent[-1].text
    body = await harness.execute(STAFF, "homework.register", {"day": "2026-11-23", "place": "home", "part": "full"})
    assert APOLOGY in body["value"] and UNAVAILABLE not in body["value"]
