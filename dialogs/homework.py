"""Home-work days, registered in one message.

Steps:
1. "thuis morgen", "home every mon and thu for 8 weeks" (or the menu's card) -> read the text.
2. Understood -> register every day (the service applies the rules; approval where the entity or an
   anchor day asks for it) -> one answer: what was registered, pending, skipped and why.
3. Understood in part -> the registration card, pre-filled with what was understood.
4. "mijn dagen" / "my days" -> this week, this month or next month, with change and cancel buttons.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from bot.domain.calendar import is_working_day
from bot.domain.errors import DomainError, Forbidden
from bot.domain.homework import (
    date_range,
    earliest_registrable,
    latest_registrable,
    recurring_days,
)
from bot.domain.homework_text import ParsedRequest, parse_request
from bot.registry import Registry
from bot.routing import Shown
from bot.services.homework import (
    RegisterDays,
    RegistrationResult,
    cancel_day,
    overview,
    own_registration,
    register_days,
)
from bot.turn import Turn
from dialogs.cards.homework import (
    CancelDay,
    RegisterDaysAction,
    RegistrationForm,
    ShowOverview,
    ShowRegistrationForm,
    error_text,
    overview_card,
    registration_form,
    result_card,
)

log = logging.getLogger(__name__)

# Each phrase starts a registration; the rest of the text says when, where and how long.
REGISTER_PHRASES = ("thuis", "thuiswerk", "satelliet", "home", "remote", "vandaag thuis")
OVERVIEW_PHRASES = ("mijn dagen", "my days", "mijn thuiswerkdagen")


def localized(handler: Callable[..., Awaitable[Shown]]) -> Callable[..., Awaitable[Shown]]:
    """Refusals carry dates and codes; they are worded here in the user's language. A Forbidden
    goes on to the router, which audits it."""

    @functools.wraps(handler)
    async def wrapper(turn: Turn, *args: Any) -> Shown:
        try:
            return await handler(turn, *args)
        except Forbidden:
            raise
        except DomainError as error:
            return error_text(turn.t, error)

    return wrapper


async def _form(turn: Turn, **prefill: Any) -> dict[str, Any]:
    today = turn.today()
    async with turn.uow() as uow:
        policy = (await uow.entities.policy(turn.me.entity_id)).homework
    day = prefill.pop("day", None)
    if day is None and not prefill.get("weekdays"):
        day = first_working_day(today)
    return registration_form(
        turn.t, RegistrationForm(earliest=earliest_registrable(today, policy), latest=latest_registrable(today), day=day, **prefill)
    )


def _notice_for(turn: Turn, parsed: ParsedRequest) -> str:
    if parsed.unknown:
        return turn.t("homework.notice_unknown_words", words=" ".join(parsed.unknown))
    if parsed.half_day_unspecified:
        return turn.t("homework.notice_which_half")
    if parsed.repeat and not parsed.weekdays:
        return turn.t("homework.notice_which_weekdays")
    if parsed.repeat and parsed.weeks is None:
        return turn.t("homework.notice_how_many_weeks")
    if parsed.place is None:
        return turn.t("homework.notice_which_place")
    return turn.t("homework.notice_which_day")


async def _register(turn: Turn, command: RegisterDays) -> RegistrationResult:
    return await register_days(turn.services, turn.me, command, correlation_id=turn.correlation_id)


async def answer_text(turn: Turn, text: str) -> Shown:
    """A registration typed as text: registered in one answer, or the card with what was understood."""
    parsed = parse_request(text, turn.now())
    if not parsed.complete:
        return await _form(
            turn, day=parsed.days[0] if parsed.days and not parsed.repeat else None, place=parsed.place or "home",
            part=parsed.part or "full", location=parsed.location, weekdays=parsed.weekdays if parsed.repeat else (),
            weeks=parsed.weeks, notice=_notice_for(turn, parsed),
        )
    assert parsed.place is not None and parsed.part is not None
    days = recurring_days(turn.today(), parsed.weekdays, parsed.weeks or 0) if parsed.repeat else list(parsed.days)
    result = await _register(turn, RegisterDays(tuple(days), parsed.place, parsed.part, parsed.location))
    refused = result.with_outcome("refused")
    if len(result.days) == 1 and refused and refused[0].refusal is not None:
        return error_text(turn.t, refused[0].refusal)
    return result_card(turn.t, result)


def _command(phrase: str) -> Callable[[Turn, str], Awaitable[Shown]]:
    @localized
    async def handler(turn: Turn, rest: str) -> Shown:
        if not rest and phrase != "vandaag thuis":
            return await _form(turn, place="satellite" if phrase == "satelliet" else "home")
        return await answer_text(turn, f"{phrase} {rest}".strip())

    return handler


async def on_free_text(turn: Turn, text: str) -> bool:
    """"morgen thuis", "kantoor vrijdag": a place and a day in any order."""
    parsed = parse_request(text, turn.now())
    if parsed.place is None or not (parsed.days or parsed.weekdays):
        return False
    shown = await localized(answer_text)(turn, text)
    if isinstance(shown, dict):
        await turn.send_card(shown)
    elif isinstance(shown, str):
        await turn.send_text(shown)
    return True


@localized
async def on_register(turn: Turn, payload: RegisterDaysAction) -> Shown:
    prefill: dict[str, Any] = {
        "day": payload.day, "until": payload.until, "place": payload.place or "home", "part": payload.part or "full",
        "location": payload.location, "weekdays": payload.weekday_numbers(), "weeks": payload.weeks,
    }
    if payload.place is None or payload.part is None:
        return await _form(turn, **prefill, notice=turn.t("homework.notice_which_place"))
    weekdays = payload.weekday_numbers()
    if weekdays or payload.weeks is not None:
        if not weekdays:
            return await _form(turn, **prefill, notice=turn.t("homework.notice_which_weekdays"))
        if payload.weeks is None:
            return await _form(turn, **prefill, notice=turn.t("homework.notice_how_many_weeks"))
        days = recurring_days(payload.day or turn.today(), weekdays, payload.weeks)
    elif payload.day is None:
        return await _form(turn, **prefill, notice=turn.t("homework.notice_which_day"))
    else:
        days = date_range(payload.day, payload.until) if payload.until else [payload.day]
    location = payload.location if payload.place == "satellite" else None
    result = await _register(turn, RegisterDays(tuple(days), payload.place, payload.part, location))
    return result_card(turn.t, result)


@localized
async def on_form(turn: Turn, payload: ShowRegistrationForm) -> Shown:
    if payload.registration_id is None:
        return await _form(turn)
    async with turn.uow() as uow:
        registration = await own_registration(uow, turn.me, payload.registration_id)
    return await _form(
        turn, day=registration.day, place=registration.place, part=registration.part,
        location=registration.satellite_location,
    )


@localized
async def on_overview(turn: Turn, payload: ShowOverview) -> Shown:
    async with turn.uow() as uow:
        view = await overview(uow, turn.me, payload.period, turn.today())
    return overview_card(turn.t, view)


@localized
async def on_cancel(turn: Turn, payload: CancelDay) -> Shown:
    cancelled = await cancel_day(turn.services, turn.me, payload.registration_id, correlation_id=turn.correlation_id)
    async with turn.uow() as uow:
        view = await overview(uow, turn.me, payload.period, turn.today())
    return overview_card(turn.t, view, notice=turn.t("homework.cancelled", day=turn.t.date(cancelled.day)))


@localized
async def open_form(turn: Turn, _text: str) -> Shown:
    return await _form(turn)


@localized
async def open_overview(turn: Turn, _text: str) -> Shown:
    return await on_overview(turn, ShowOverview())


def register(registry: Registry) -> None:
    router = registry.router
    router.opener("homework", open_form)
    router.opener("homework.overview", open_overview)
    for phrase in REGISTER_PHRASES:
        router.command((phrase,), _command(phrase))
    router.command(OVERVIEW_PHRASES, open_overview)
    router.text(on_free_text)
    router.action(RegisterDaysAction, on_register)
    router.action(ShowRegistrationForm, on_form)
    router.action(ShowOverview, on_overview)
    router.action(CancelDay, on_cancel)


def first_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
