"""Registering over HTTP, what the text means and what changed: relative weeks, glued parts of
the day, ranges, dates that do not exist, two readings asked about; a changed day said and undone;
cancel confirmed and undone; the form's refusals beside the field; plurals; in both languages.
The tests' clock starts on Sunday 22 November 2026 and is moved to other weekdays where it matters."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from storage.models.directory import AuditRow
from tests.cards import assert_valid_card
from tests.conftest import BotHarness
from tests.fakes.people import COLLEAGUE, MANAGER, STAFF
from tests.fakes.teams import TeamsUser
from tests.http.test_homework import MON, THU, TUE, WED, days_of, one_card, set_agreement, text_of

NEXT_WED, NEXT_FRI = date(2026, 12, 2), date(2026, 12, 4)
DEC_9 = date(2026, 12, 9)


def inputs(card: dict[str, Any]) -> dict[str, Any]:
    return {e["id"]: e.get("value") for e in card["body"] if "id" in e}


def actions_of(card: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(card.get("actions", []))
    for element in card["body"]:
        found += element.get("actions", [])
    return found


def undo_data(card: dict[str, Any]) -> dict[str, Any]:
    (undo,) = [a for a in actions_of(card) if a.get("verb") == "homework.undo"]
    assert undo["type"] == "Action.Execute"
    return undo["data"]


async def stored(harness: BotHarness, user: TeamsUser) -> list[tuple[date, str, str, str]]:
    return [(r.day, r.place, r.part, r.status) for r in await days_of(harness, user)]


async def audit_actions(harness: BotHarness, *actions: str) -> list[str]:
    async with harness.uow() as uow:
        rows = await uow.session.scalars(select(AuditRow).where(AuditRow.action.in_(actions)).order_by(AuditRow.id))
        return [row.action for row in rows]


# -- item 1: what the text means ---------------------------------------------------------------------
async def test_next_week_wednesday_in_both_word_orders_and_languages_on_a_tuesday(harness: BotHarness) -> None:
    harness.clock.advance(days=2)  # Tuesday 24 November: this week's Wednesday is tomorrow, not meant
    for text in ("thuis volgende week woensdag", "woensdag volgende week thuis"):
        card = await one_card(harness, STAFF, text)
        assert "woensdag 2 december 2026" in text_of(card), text
    for text in ("home next week wednesday", "home wednesday next week"):
        card = await one_card(harness, COLLEAGUE, text)
        assert "Wednesday 2 December 2026" in text_of(card), text
    assert await stored(harness, STAFF) == [(NEXT_WED, "home", "full", "registered")]
    assert await stored(harness, COLLEAGUE) == [(NEXT_WED, "home", "full", "registered")]


async def test_glued_part_of_day_ranges_and_in_two_weeks(harness: BotHarness) -> None:
    await one_card(harness, STAFF, "thuis donderdagnamiddag")
    await one_card(harness, STAFF, "kantoor vrijdagvoormiddag")
    card = await one_card(harness, STAFF, "thuis 7 tot 11 december")
    assert "(5 dagen)" in text_of(card)
    card = await one_card(harness, COLLEAGUE, "home mon-wed")
    assert "(3 days)" in text_of(card)
    await one_card(harness, COLLEAGUE, "satellite in two weeks tuesday Ghent")
    staff_days = await stored(harness, STAFF)
    assert staff_days[:2] == [(THU, "home", "pm", "registered"), (date(2026, 11, 27), "office", "am", "registered")]
    assert [d for d, *_ in staff_days[2:]] == [date(2026, 12, d) for d in range(7, 12)]
    colleague = await days_of(harness, COLLEAGUE)
    assert [(r.day, r.place) for r in colleague] == [(MON, "home"), (TUE, "home"), (WED, "home"), (date(2026, 12, 1), "satellite")]
    assert colleague[-1].satellite_location == "Ghent"


async def test_next_friday_on_a_thursday_asks_and_a_button_registers_the_chosen_day(harness: BotHarness) -> None:
    harness.clock.advance(days=4)  # Thursday 26 November
    card = await one_card(harness, STAFF, "thuis volgende vrijdag")
    assert "Welke dag bedoel je?" in text_of(card)
    assert inputs(card)["day"] is None  # no guess pre-filled
    choices = [a for a in actions_of(card) if a.get("verb") == "homework.register" and "day" in a["data"]]
    # One button per reading; they ignore the form's inputs (the day they carry is the choice).
    assert [(a["data"]["day"], a.get("associatedInputs")) for a in choices] == [("2026-11-27", "none"), ("2026-12-04", "none")]
    assert await days_of(harness, STAFF) == []
    body = await harness.execute(STAFF, "homework.register", choices[1]["data"])
    assert_valid_card(body["value"])
    assert await stored(harness, STAFF) == [(NEXT_FRI, "home", "full", "registered")]
    card = await one_card(harness, COLLEAGUE, "home next friday")
    assert "Which day do you mean?" in text_of(card) and "Friday 27 November 2026" in text_of(card)


async def test_dates_that_do_not_exist_are_named_never_the_apology(harness: BotHarness) -> None:
    card = await one_card(harness, STAFF, "thuis 29/02")
    assert "'29/02' bestaat niet: februari 2027 heeft maar 28 dagen" in text_of(card)
    card = await one_card(harness, STAFF, "thuis 31/04")
    assert "'31/04' bestaat niet: april heeft maar 30 dagen" in text_of(card)
    card = await one_card(harness, COLLEAGUE, "home 31 april")
    assert "'31 april' does not exist: April has only 30 days" in text_of(card)
    assert inputs(card)["place"] == "home" and inputs(card)["day"] is None
    assert await days_of(harness, STAFF) == [] and await days_of(harness, COLLEAGUE) == []


async def test_a_very_long_text_is_answered_without_reading_it(harness: BotHarness) -> None:
    card = await one_card(harness, STAFF, "thuis " + "morgen " * 60)
    assert "te lang" in text_of(card)
    assert await days_of(harness, STAFF) == []


# -- item 3: the not-understood card --------------------------------------------------------------
async def test_not_understood_card_prefills_what_was_understood_and_never_a_refused_day(harness: BotHarness) -> None:
    card = await one_card(harness, STAFF, "thuis donderdagnamiddag blabla")
    assert (inputs(card)["day"], inputs(card)["part"], inputs(card)["place"]) == ("2026-11-26", "pm", "home")
    card = await one_card(harness, STAFF, "thuis 3 januari 2020 blabla")  # far in the past
    assert inputs(card)["day"] is None
    card = await one_card(harness, COLLEAGUE, "office sunday blabla")  # a Sunday is never registrable
    assert (inputs(card)["day"], inputs(card)["place"]) == (None, "office")
    card = await one_card(harness, COLLEAGUE, "home blabla")  # no day understood: none pre-filled, not today
    assert inputs(card)["day"] is None
    assert await days_of(harness, STAFF) == [] and await days_of(harness, COLLEAGUE) == []


# -- item 2: what changed, and Undo ---------------------------------------------------------------
async def test_a_different_registration_is_named_and_undo_restores_it_exactly(harness: BotHarness) -> None:
    await one_card(harness, STAFF, "kantoor 9/12 namiddag")
    card = await one_card(harness, STAFF, "thuis 9/12")
    assert "woensdag 9 december 2026: kantoor (namiddag) → thuis (hele dag)" in text_of(card)
    assert await stored(harness, STAFF) == [(DEC_9, "home", "full", "registered")]
    body = await harness.execute(STAFF, "homework.undo", undo_data(card))
    assert_valid_card(body["value"])
    assert "woensdag 9 december 2026: thuis (hele dag) → kantoor (namiddag)" in text_of(body["value"])
    assert await stored(harness, STAFF) == [(DEC_9, "office", "pm", "registered")]
    # Undone once: a second click is refused with a clear answer, and audited.
    again = await harness.execute(STAFF, "homework.undo", undo_data(card))
    assert "al ongedaan gemaakt" in text_of(again["value"])
    assert await stored(harness, STAFF) == [(DEC_9, "office", "pm", "registered")]
    assert await audit_actions(harness, "homework.undone", "homework.undo_refused") == [
        "homework.undone", "homework.undone", "homework.undo_refused",
    ]


async def test_undo_in_english_also_removes_days_that_were_new(harness: BotHarness) -> None:
    await one_card(harness, COLLEAGUE, "office wednesday afternoon")
    card = await one_card(harness, COLLEAGUE, "home mon-wed")
    assert "Wednesday 25 November 2026: office (afternoon) → home (full day)" in text_of(card)
    body = await harness.execute(COLLEAGUE, "homework.undo", undo_data(card))
    assert "Monday 23 November 2026: home (full day) → nothing registered" in text_of(body["value"])
    assert await stored(harness, COLLEAGUE) == [(WED, "office", "pm", "registered")]


async def test_undo_refused_when_the_day_changed_since_or_for_someone_else(harness: BotHarness) -> None:
    await one_card(harness, STAFF, "kantoor 9/12")
    card = await one_card(harness, STAFF, "thuis 9/12")
    forged = await harness.execute(COLLEAGUE, "homework.undo", undo_data(card))
    assert "your own" in text_of(forged["value"])
    await one_card(harness, STAFF, "satelliet 9/12 Gent")
    stale = await harness.execute(STAFF, "homework.undo", undo_data(card))
    assert "intussen opnieuw gewijzigd" in text_of(stale["value"])
    (day,) = await days_of(harness, STAFF)
    assert (day.place, day.satellite_location) == ("satellite", "Gent")
    missing = await harness.execute(COLLEAGUE, "homework.undo", {"change_id": 999999})
    assert "cannot find" in text_of(missing["value"])


async def test_the_card_path_says_what_changed_and_undoes(harness: BotHarness) -> None:
    await one_card(harness, STAFF, "kantoor 9/12 namiddag")
    body = await harness.execute(STAFF, "homework.register", {"day": "2026-12-09", "place": "home", "part": "am"})
    card = body["value"]
    assert_valid_card(card)
    assert "kantoor (namiddag) → thuis (voormiddag)" in text_of(card)
    await harness.execute(STAFF, "homework.undo", undo_data(card))
    assert await stored(harness, STAFF) == [(DEC_9, "office", "pm", "registered")]


# -- item 11: cancel asks, then offers Undo ---------------------------------------------------------
async def test_cancel_asks_first_then_undo_brings_the_day_back(harness: BotHarness) -> None:
    await one_card(harness, COLLEAGUE, "home tuesday morning")
    (day,) = await days_of(harness, COLLEAGUE)
    ask = await harness.execute(COLLEAGUE, "homework.cancel", {"registration_id": day.id})
    assert_valid_card(ask["value"])
    assert "Cancel this day?" in text_of(ask["value"]) and "Tuesday 24 November 2026" in text_of(ask["value"])
    assert len(await days_of(harness, COLLEAGUE)) == 1
    yes = next(a for a in actions_of(ask["value"]) if a.get("verb") == "homework.cancel")
    done = await harness.execute(COLLEAGUE, "homework.cancel", yes["data"])
    assert_valid_card(done["value"])
    assert "has been cancelled" in text_of(done["value"]) and await days_of(harness, COLLEAGUE) == []
    await harness.execute(COLLEAGUE, "homework.undo", undo_data(done["value"]))
    assert await stored(harness, COLLEAGUE) == [(TUE, "home", "am", "registered")]


async def test_cancel_in_dutch_asks_with_yes_and_no(harness: BotHarness) -> None:
    await one_card(harness, STAFF, "thuis morgen")
    (day,) = await days_of(harness, STAFF)
    ask = await harness.execute(STAFF, "homework.cancel", {"registration_id": day.id})
    assert "Dag annuleren?" in text_of(ask["value"]) and "Ja, annuleren" in text_of(ask["value"]) and "Nee, terug" in text_of(ask["value"])
    no = next(a for a in actions_of(ask["value"]) if a.get("verb") == "homework.overview")
    back = await harness.execute(STAFF, "homework.overview", no["data"])
    assert "Mijn thuiswerkdagen" in text_of(back["value"])
    assert len(await days_of(harness, STAFF)) == 1


# -- item 8: the form's refusals beside the field ------------------------------------------------------
async def test_a_past_date_on_the_form_comes_back_with_the_error_beside_the_day(harness: BotHarness) -> None:
    form = (await harness.submit(STAFF, {"verb": "menu.open", "flow": "homework"}))[0].cards[0]
    day_input = next(e for e in form["body"] if e.get("id") == "day")
    assert day_input["min"] == "2026-10-01" and "1 oktober 2026" in day_input["errorMessage"]
    body = await harness.execute(STAFF, "homework.register", {"day": "2026-09-15", "place": "home", "part": "full"})
    card = body["value"]
    assert_valid_card(card)
    ids = [e.get("id") for e in card["body"]]
    beside = card["body"][ids.index("day") + 1]
    assert "te ver in het verleden" in beside["text"] and beside["color"] == "Attention"
    assert inputs(card)["day"] == "2026-09-15"  # what was entered stays, with the reason next to it
    body = await harness.execute(COLLEAGUE, "homework.register", {"day": "2026-11-27", "until": "2026-11-23", "place": "home", "part": "full"})
    ids = [e.get("id") for e in body["value"]["body"]]
    assert "end date is before" in body["value"]["body"][ids.index("until") + 1]["text"]
    assert await days_of(harness, STAFF) == [] and await days_of(harness, COLLEAGUE) == []


# -- item 13: anchor days and plurals ---------------------------------------------------------------
async def test_no_anchor_day_warning_for_a_past_day(harness: BotHarness) -> None:
    await set_agreement(harness, MANAGER, [1], 0)  # Tuesday
    card = await one_card(harness, STAFF, "thuis 17/11")  # last week's Tuesday, a late registration
    assert "ankerdag" not in text_of(card)
    card = await one_card(harness, STAFF, "thuis dinsdag")
    assert "ankerdag" in text_of(card)


async def test_plurals_follow_the_language(harness: BotHarness) -> None:
    assert "(1 dag)" in text_of(await one_card(harness, STAFF, "thuis morgen"))
    assert "(2 dagen)" in text_of(await one_card(harness, STAFF, "thuis di en wo"))
    assert "(1 day)" in text_of(await one_card(harness, COLLEAGUE, "home tomorrow"))
    assert "(2 days)" in text_of(await one_card(harness, COLLEAGUE, "home tue and wed"))
    await set_agreement(harness, MANAGER, [], 4)
    card = await one_card(harness, STAFF, "thuis do")
    assert "heb je nog 1 kantoordag over" in text_of(card)
    card = await one_card(harness, COLLEAGUE, "home thu")
    assert "you have 1 office day left" in text_of(card)
