"""A new user's first turns, over HTTP on SQLite and PostgreSQL: when Teams installs the app it
sends conversationUpdate, installationUpdate and the first message at once. Each turn is answered,
none is told the database is unavailable, each person gets exactly one welcome and one reference."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from storage.models.directory import ConversationReferenceRow
from tests.conftest import BotHarness, load_directory
from tests.fakes import teams
from tests.fakes.people import CSV
from tests.fakes.teams import TeamsUser

NEW_USERS = 50
WAVE = 50  # people whose first turns arrive together: all of them, 150 activities at once
UNAVAILABLE = ("De databank is even niet bereikbaar", "The database is briefly unavailable")
APOLOGY = ("Sorry, er ging iets mis", "Sorry, something went wrong")
WELCOME = ("Welkom", "Welcome")


def _new_users() -> tuple[list[TeamsUser], str]:
    users, rows = [], []
    for n in range(NEW_USERS):
        aad = f"bbbbbbbb-0000-0000-0000-{n:012d}"
        locale = "en-GB" if n % 2 else "nl-BE"
        users.append(TeamsUser(aad, f"Nieuw Personeelslid {n}", locale=locale))
        rows.append(
            f"{aad},new{n}@vlaanderen.be,Nieuw Personeelslid {n},DWSE,Departement Werk en Sociale Economie,"
            f"manager@vlaanderen.be,2026-11-02,staff,nl"
        )
    return users, CSV + "\n".join(rows) + "\n"


def _is_welcome(card: dict) -> bool:
    title = card["body"][0].get("text", "") if card.get("body") else ""
    return any(title.startswith(word) for word in WELCOME)


async def test_concurrent_first_turns_of_new_users_all_succeed_with_one_welcome(harness: BotHarness) -> None:
    users, csv = _new_users()
    await load_directory(harness.services.uow_factory, csv)
    activities, statuses = [], []
    # Each person's three activities arrive at once (the race), and all 50 people together, as when
    # the app is installed for a team; WAVE can split them into waves to look at the race alone.
    for wave in range(0, NEW_USERS, WAVE):
        arriving = [
            activity for user in users[wave:wave + WAVE] for activity in (
                teams.conversation_update(user, harness.service_url),
                teams.install(user, harness.service_url),
                teams.message(user, harness.service_url, "menu"),
            )
        ]
        responses = await asyncio.gather(*(harness.post(activity) for activity in arriving))
        statuses += [response.status for response in responses]
        activities += arriving
    await harness.delivered()

    failed_statuses = [status for status in statuses if status not in (200, 201)]
    texts = [sent.text or "" for sent in harness.connector.sent]
    outages = [text for text in texts if text.startswith(UNAVAILABLE) or text.startswith(APOLOGY)]
    welcomes = {
        user.aad_object_id: sum(_is_welcome(card) for card in harness.connector.cards(user.conversation_id))
        for user in users
    }
    print(f"{len(activities)} turns: {len(failed_statuses)} failed statuses, {len(outages)} outage answers, "
          f"welcomes per user {sorted(set(welcomes.values()))}")
    assert failed_statuses == [] and outages == []
    assert set(welcomes.values()) == {1}, {aad: count for aad, count in welcomes.items() if count != 1}
    for user in users:  # the menu answered the first message, in the client's language
        menu = [card for card in harness.connector.cards(user.conversation_id) if not _is_welcome(card)]
        assert len(menu) == 1
        expected = "What would you like to do?" if user.locale.startswith("en") else "Wat wil je doen?"
        assert expected in json.dumps(menu[0], ensure_ascii=False)
    async with harness.uow() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(ConversationReferenceRow))
        references = await uow.conversations.get_many([user.aad_object_id for user in users])
    assert count == NEW_USERS
    assert all(references[user.aad_object_id].conversation_id == user.conversation_id for user in users)
    assert all(references[user.aad_object_id].locale == user.locale for user in users)


async def test_people_outside_the_directory_are_answered_and_nothing_is_stored(harness: BotHarness) -> None:
    strangers = [
        TeamsUser(f"dddddddd-0000-0000-0000-{n:012d}", f"Onbekend {n}", locale="en-US" if n % 2 else "nl-BE")
        for n in range(20)
    ]
    for stranger in strangers:
        await harness.post(teams.conversation_update(stranger, harness.service_url))
        welcome = await harness.install(stranger)
        answer = await harness.say(stranger, "thuis morgen")
        body = await harness.execute(stranger, "menu.open", {"flow": "homework"})
        assert _is_welcome(welcome[0].cards[0])
        expected = ("I cannot find you in the Flemish government staff directory" if stranger.locale.startswith("en")
                    else "Ik vind je niet in de personeelslijst")
        assert answer[0].text.startswith(expected) and body["value"].startswith(expected)
    async with harness.uow() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(ConversationReferenceRow))
    assert count == 0
