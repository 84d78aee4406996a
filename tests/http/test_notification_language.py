"""The language of what the bot sends on its own, over HTTP on SQLite and PostgreSQL: the locale
last seen from the person's Teams client (stored with the conversation reference), then the
directory's language, then the default. Stan's directory language is nl, Cato's en."""

from __future__ import annotations

import pytest

from tests.conftest import BotHarness
from tests.fakes.people import COLLEAGUE, MANAGER, STAFF
from tests.fakes.teams import TeamsUser
from tests.http.test_equipment import action, load_catalogues, request_items

APPROVED = {"en": "Good news: your request", "nl": "Goed nieuws: je aanvraag"}


async def _approve_a_request_of(harness: BotHarness, requester: TeamsUser) -> list[str]:
    """The requester asks for a headset, the manager approves: what the requester was told."""
    await load_catalogues(harness)
    await harness.install(MANAGER)
    await request_items(harness, requester, {"headset": 1}, equipment_justification="Veel bellen")
    decide = action(harness.connector.cards(MANAGER.conversation_id)[-1], "approval.decide")
    before = len(harness.connector.texts(requester.conversation_id))
    await harness.execute(MANAGER, "approval.decide", {**decide, "decision": "approve"})
    return harness.connector.texts(requester.conversation_id)[before:]


@pytest.mark.parametrize(("client_locale", "language"), [("en-GB", "en"), ("en-US", "en"), ("nl-BE", "nl")])
async def test_the_approval_decision_comes_in_the_language_of_the_client(
    harness: BotHarness, client_locale: str, language: str,
) -> None:
    stan = TeamsUser(STAFF.aad_object_id, STAFF.name, locale=client_locale)
    await harness.install(stan)
    told = await _approve_a_request_of(harness, stan)
    assert len(told) == 1 and told[0].startswith(APPROVED[language]), told


async def test_activities_without_a_locale_keep_the_one_last_seen(harness: BotHarness) -> None:
    await harness.install(TeamsUser(STAFF.aad_object_id, STAFF.name, locale="en-GB"))
    # Later activities (the request itself) carry no locale at all.
    told = await _approve_a_request_of(harness, TeamsUser(STAFF.aad_object_id, STAFF.name, locale=""))
    assert len(told) == 1 and told[0].startswith(APPROVED["en"]), told


@pytest.mark.parametrize(("person", "language"), [(STAFF, "nl"), (COLLEAGUE, "en")], ids=["directory nl", "directory en"])
async def test_without_a_client_locale_the_directory_language_is_used(harness: BotHarness, person: TeamsUser, language: str) -> None:
    silent = TeamsUser(person.aad_object_id, person.name, locale="")
    await harness.install(silent)
    async with harness.uow() as uow:
        assert (await uow.conversations.get(person.aad_object_id)).locale is None  # type: ignore[union-attr]
    told = await _approve_a_request_of(harness, silent)
    assert len(told) == 1 and told[0].startswith(APPROVED[language]), told
