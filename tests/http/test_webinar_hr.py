"""HR's webinar work over HTTP, in Dutch and English clients: the preview shows a draft's
sessions with warnings (weekend, past, no English text), the form has Cancel, HR changes and
cancels a webinar (whoever registered is told, in their language), attendance once a session
started."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.domain.webinars import WebinarStatus
from dialogs.cards.webinars import SaveWebinar
from storage.models.directory import AuditRow
from tests.cards import assert_valid_card
from tests.conftest import DEFAULT_NOW, BotHarness
from tests.fakes.people import COLLEAGUE, HR, STAFF
from tests.http.test_eligibility import button, press
from tests.http.test_webinar_flow import add_webinar, card_text

ENGLISH_HR = dataclasses.replace(HR, locale="en-GB")
SATURDAY = (DEFAULT_NOW + timedelta(days=6)).date().isoformat()  # DEFAULT_NOW is a Sunday
TUESDAY = (DEFAULT_NOW + timedelta(days=9)).date().isoformat()


def form(**changes: str) -> dict[str, Any]:
    values = {
        "title_nl": "Focus @ home", "title_en": "Focus @ home", "description_nl": "Concentratie thuis",
        "description_en": "Focus at home", "target_group": "all", "s1_date": TUESDAY, "s1_start": "10:00",
        "s1_end": "11:30", "s1_capacity": "100", "s1_url": "https://teams.example/j/focus",
    }
    return SaveWebinar.model_validate(values | changes).to_data()


async def test_the_preview_of_a_draft_shows_its_session_and_warns_before_sending(harness: BotHarness) -> None:
    preview = (await harness.execute(HR, "webinar.save", form(s1_date=SATURDAY, description_en="")))["value"]
    assert_valid_card(preview)
    text = card_text(preview)
    assert "Er zijn geen sessies meer" not in text
    assert "za 28 nov 2026 10:00–11:30" in text
    assert "Kijk dit na vóór je de uitnodiging verstuurt" in text
    assert "Sessie 1: valt in het weekend" in text
    assert "Beschrijving (Engels): ontbreekt: Engelstalige medewerkers krijgen dan de Nederlandse tekst" in text
    assert "webinar.signup" not in text  # what recipients will see, without live buttons
    english = (await harness.execute(ENGLISH_HR, "webinar.save", form(title_nl="Samen werkt", s1_date=SATURDAY, description_en="")))["value"]
    assert_valid_card(english)
    assert "Sat 28 Nov 2026 10:00–11:30" in card_text(english)
    assert "Session 1: is on a weekend" in card_text(english)
    assert "Description (English): is missing: English-speaking staff would get the Dutch text" in card_text(english)
    # A clean draft has no warnings; a session that has passed by the time HR looks again has one.
    clean = (await harness.execute(HR, "webinar.save", form(title_nl="Leidinggeven op afstand")))["value"]
    assert "Kijk dit na" not in card_text(clean)
    async with harness.uow() as uow:
        webinar = await uow.webinars.get_by_title("Leidinggeven op afstand")
    harness.clock.advance(days=10)
    again = (await harness.submit(HR, {"verb": "webinar.preview", "webinar_id": webinar.id}))[0].cards[0]
    assert "Sessie 1: ligt in het verleden" in card_text(again)


async def test_the_new_webinar_form_has_cancel(harness: BotHarness) -> None:
    for user, label, listing in ((HR, "Annuleren", "Webinars beheren"), (ENGLISH_HR, "Cancel", "Manage webinars")):
        new = (await harness.submit(user, {"verb": "webinar.new"}))[0].cards[0]
        assert_valid_card(new)
        cancel = button(new, label)
        assert cancel["type"] == "Action.Submit" and cancel["associatedInputs"] == "none"
        (back,) = await harness.submit(user, cancel["data"])
        assert listing in card_text(back.cards[0])
    async with harness.uow() as uow:
        assert await uow.webinars.get_by_title("Focus @ home") is None


async def test_a_refused_form_says_why_at_preview_in_both_languages(harness: BotHarness) -> None:
    yesterday = (DEFAULT_NOW - timedelta(days=1)).date().isoformat()
    for user, pointer, reason in (
        (HR, 'onderaan deze kaart, boven "Voorbeeld bekijken"', "Sessie 1: ligt in het verleden"),
        (ENGLISH_HR, 'at the bottom of this card, above "Preview"', "Session 1: is in the past"),
    ):
        refused = (await harness.execute(user, "webinar.save", form(s1_date=yesterday)))["value"]
        assert_valid_card(refused)
        body = refused["body"]
        assert pointer in body[1]["text"] and reason not in card_text(body[:-1])
        # The reasons are the last thing in the body: right above Preview, where HR clicked.
        assert body[-1]["type"] == "Container" and body[-1]["style"] == "attention" and reason in card_text(body[-1])
        assert refused["actions"][0]["verb"] == "webinar.save"
    async with harness.uow() as uow:
        assert await uow.webinars.get_by_title("Focus @ home") is None


async def test_hr_changes_a_session_and_the_registered_are_told_in_their_language(harness: BotHarness) -> None:
    webinar_id, session_id = await add_webinar(harness, capacity=5)
    await harness.install(STAFF)
    await harness.install(COLLEAGUE)
    await harness.execute(STAFF, "webinar.signup", {"session_id": session_id})
    await harness.execute(COLLEAGUE, "webinar.signup", {"session_id": session_id})
    detail = (await harness.submit(HR, {"verb": "webinar.manage", "webinar_id": webinar_id}))[0].cards[0]
    edit = (await harness.submit(HR, button(detail, "Wijzigen")["data"]))[0].cards[0]
    assert_valid_card(edit)
    assert "Webinar wijzigen" in card_text(edit)
    inputs = {e["id"]: e.get("value") for e in _inputs(edit)}
    assert inputs["title_nl"] == "Corona care: mentaal welzijn" and inputs["s1_start"] == "10:00" and inputs["s1_capacity"] == 1 * 5
    save = button(edit, "Voorbeeld bekijken")
    data = {**save["data"], **{k: str(v) for k, v in inputs.items() if v is not None}, "s1_start": "14:00", "s1_end": "15:00"}
    preview = (await harness.execute(HR, save["verb"], data))["value"]
    assert_valid_card(preview)
    assert "2 ingeschreven personen krijgen een bericht" in card_text(preview)
    told = harness.connector.texts(STAFF.conversation_id)[-1]
    assert "HR heeft je sessie van het webinar „Corona care: mentaal welzijn” gewijzigd" in told and "14:00 tot 15:00" in told and "was woensdag 25 november 2026 10:00" in told
    english = harness.connector.texts(COLLEAGUE.conversation_id)[-1]
    assert "HR changed your session of the webinar “Corona care: mental wellbeing”" in english and "14:00 to 15:00" in english
    async with harness.uow() as uow:
        webinar = await uow.webinars.get(webinar_id)
        assert webinar.sessions[0].starts_at.astimezone(DEFAULT_NOW.tzinfo).hour == 14 and webinar.sessions[0].seats_taken == 2
        (audit,) = await uow.audit.list_by_action("webinar.updated")
        assert audit.after["told"] == 2
    # Fewer seats than taken is refused whole, beside the form as HR entered it.
    refused = (await harness.execute(HR, save["verb"], {**data, "s1_capacity": "1", "title_nl": "Nieuwe titel"}))["value"]
    assert_valid_card(refused)
    assert "minder plaatsen dan er al ingenomen zijn" in card_text(refused) and "Webinar wijzigen" in card_text(refused)
    async with harness.uow() as uow:
        webinar = await uow.webinars.get(webinar_id)
        assert (webinar.title_nl, webinar.sessions[0].capacity) == ("Corona care: mentaal welzijn", 5)


async def test_hr_cancels_a_webinar_after_confirming_and_everyone_registered_is_told(harness: BotHarness) -> None:
    webinar_id, session_id = await add_webinar(harness, capacity=1)
    await harness.install(STAFF)
    await harness.install(COLLEAGUE)
    await harness.execute(STAFF, "webinar.signup", {"session_id": session_id})
    await harness.execute(COLLEAGUE, "webinar.signup", {"session_id": session_id, "waitlist": True})
    detail = (await harness.submit(ENGLISH_HR, {"verb": "webinar.manage", "webinar_id": webinar_id}))[0].cards[0]
    confirm = (await press(harness, ENGLISH_HR, detail, "Cancel webinar"))["value"]
    assert_valid_card(confirm)
    assert "2 registered people (and people waiting) get a message" in card_text(confirm)
    async with harness.uow() as uow:
        assert (await uow.webinars.get(webinar_id)).status is WebinarStatus.PUBLISHED  # not before confirming
    done = (await press(harness, ENGLISH_HR, confirm, "Cancel webinar"))["value"]
    assert_valid_card(done)
    assert "The webinar is cancelled; 2 people were told." in card_text(done) and "Cancelled" in card_text(done)
    assert "webinar.cancel_webinar" not in card_text(done)
    told = harness.connector.texts(STAFF.conversation_id)[-1]
    assert "Het webinar „Corona care: mentaal welzijn” van woensdag 25 november 2026 10:00 is geannuleerd door HR" in told
    waiting = harness.connector.texts(COLLEAGUE.conversation_id)[-1]
    assert "“Corona care: mental wellbeing”" in waiting and "place on the waiting list lapses" in waiting
    # The invitation now says so and takes no sign-ups; a second cancel is refused.
    invitation = (await harness.execute(STAFF, "webinar.card", {"webinar_id": webinar_id}))["value"]
    assert "Dit webinar is geannuleerd." in card_text(invitation) and "webinar.signup" not in card_text(invitation)
    assert "webinar.cancel" not in card_text(invitation)
    async with harness.uow() as uow:
        assert (await uow.webinars.get(webinar_id)).status is WebinarStatus.CANCELLED
        cancelled = list(await uow.session.scalars(select(AuditRow).where(AuditRow.action == "webinar.cancelled_by_hr")))
        assert [row.after for row in cancelled] == [{"status": "cancelled", "told": 2}]
    again = await harness.execute(HR, "webinar.cancel_webinar", {"webinar_id": webinar_id, "confirmed": True})
    assert again["value"] == "Dit webinar is geannuleerd."
    invite = await harness.execute(HR, "webinar.invite", {"webinar_id": webinar_id, "when": "now"})
    assert invite["value"] == "Dit webinar is geannuleerd."
    late = await harness.execute(COLLEAGUE, "webinar.signup", {"session_id": session_id})
    assert late["value"] == "This webinar is cancelled."
    refused = await harness.execute(STAFF, "webinar.cancel_webinar", {"webinar_id": webinar_id, "confirmed": True})
    assert refused["value"] == "Dat mag je niet doen met jouw rol."


def _inputs(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input.") and "id" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found
