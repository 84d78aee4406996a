"""Home-work days, registered in one message.

Steps:
1. "thuis morgen", "home every mon and thu for 8 weeks" -> read the text (bot.domain.homework_text).
2. Understood -> `register_request` registers every day (the rules, approval where the entity or an
   anchor day asks for it) -> one answer: what was registered, pending, skipped and why.
3. Understood in part -> the registration card, pre-filled with what was understood, asking for
   what is missing. The card (also from the menu) goes through the same use case when submitted.
   Ambiguous ("volgende vrijdag" on a Thursday) -> the card with one button per reading; a date
   that does not exist ("31/04") -> the card naming the problem. A form whose days are all refused
   comes back with the reason beside the field.
4. A day that held something else -> the answer says what changed ("kantoor (namiddag) → thuis
   (hele dag)") and offers Undo, which restores exactly the days before.
5. "mijn dagen" / "my days" -> this week, this month or next month, with change and cancel buttons;
   change opens the card pre-filled; cancel asks for confirmation, removes the day and shows the
   overview again with Undo.
"""

from __future__ import annotations

import functools
import logging
from calendar import monthrange
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from bot.domain.errors import DomainError, Forbidden
from bot.domain.homework import FormRequest, Missing, RegistrationFormView, RegistrationResult
from bot.domain.homework_text import MAX_REGISTRATION_TEXT_LENGTH, ParsedRequest, parse_request
from bot.registry import Registry
from bot.routing import Shown
from bot.services import homework as service
from bot.turn import Turn
from dialogs.cards.homework import (
    FLOW_OVERVIEW,
    FLOW_REGISTER,
    CancelDay,
    RegisterDaysAction,
    RegistrationForm,
    ShowOverview,
    ShowRegistrationForm,
    UndoChange,
    confirm_cancel_card,
    error_text,
    overview_card,
    registration_form,
    result_card,
    undone_card,
)

log = logging.getLogger(__name__)

# Each phrase starts a registration; the rest of the text says when, where and how long.
REGISTER_PHRASES = ("thuis", "thuiswerk", "satelliet", "home", "remote", "vandaag thuis")
OVERVIEW_PHRASES = ("mijn dagen", "my days", "mijn thuiswerkdagen")
MISSING_NOTICES: dict[Missing, str] = {
    Missing.TOO_LONG: "homework.notice_too_long",
    Missing.UNKNOWN_WORDS: "homework.notice_unknown_words",
    Missing.AMBIGUOUS_DAY: "homework.notice_ambiguous_day",
    Missing.WHICH_HALF: "homework.notice_which_half",
    Missing.WEEKDAYS: "homework.notice_which_weekdays",
    Missing.WEEKS: "homework.notice_how_many_weeks",
    Missing.PLACE: "homework.notice_which_place",
    Missing.DAY: "homework.notice_which_day",
}


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


def _notice(turn: Turn, view: RegistrationFormView) -> str | None:
    t = turn.t
    if view.missing is Missing.INVALID_DATE and view.invalid_date is not None:
        invalid = view.invalid_date
        if invalid.month is None:
            return t("homework.notice_invalid_month", typed=invalid.typed)
        first = date(invalid.year, invalid.month, 1)
        month = t.date(first, "MMMM yyyy" if invalid.month == 2 else "MMMM")
        return t("homework.notice_invalid_date", typed=invalid.typed, month=month, days=monthrange(invalid.year, invalid.month)[1])
    if view.missing is Missing.UNKNOWN_WORDS:
        return t(MISSING_NOTICES[view.missing], words=" ".join(view.unknown_words))
    if view.missing is Missing.TOO_LONG:
        return t(MISSING_NOTICES[view.missing], maximum=MAX_REGISTRATION_TEXT_LENGTH)
    if view.missing is Missing.AMBIGUOUS_DAY and len(view.alternatives) == 2 and not _single_days(view):
        first, second = (", ".join(t.date(d) for d in days) for days in view.alternatives)
        return t("homework.notice_ambiguous_days", first=first, second=second)
    return t(MISSING_NOTICES[view.missing]) if view.missing is not None else None


def _single_days(view: RegistrationFormView) -> tuple[date, ...]:
    """The days to offer as buttons: each reading of an ambiguous text is one day."""
    if view.alternatives and all(len(days) == 1 for days in view.alternatives):
        return tuple(days[0] for days in view.alternatives)
    return ()


def _form_card(turn: Turn, view: RegistrationFormView) -> dict[str, Any]:
    request = view.request
    errors: dict[str, list[str]] = {}
    for field_id, error in view.errors:
        errors.setdefault(field_id, []).append(error_text(turn.t, error))
    return registration_form(turn.t, RegistrationForm(
        earliest=view.earliest, latest=view.latest, day=request.day, until=request.until,
        place=request.place or "home", part=request.part or "full", location=request.location,
        weekdays=request.weekdays, weeks=request.weeks, notice=_notice(turn, view),
        errors={field_id: tuple(texts) for field_id, texts in errors.items()}, day_choices=_single_days(view),
    ))


async def _register(turn: Turn, request: ParsedRequest | FormRequest) -> RegistrationResult | RegistrationFormView:
    return await turn.run(service.register_request, service.RegisterRequest(turn.me, request))


async def _open_form(turn: Turn, prefill: FormRequest | None = None, registration_id: int | None = None) -> dict[str, Any]:
    command = service.OpenRegistrationForm(turn.me, prefill or FormRequest(), registration_id)
    return _form_card(turn, await turn.run(service.registration_form, command))


async def answer_text(turn: Turn, parsed: ParsedRequest) -> Shown:
    """A registration typed as text: registered in one answer, or the card with what was understood."""
    shown = await _register(turn, parsed)
    if isinstance(shown, RegistrationFormView):
        return _form_card(turn, shown)
    refusal = shown.single_refusal
    return error_text(turn.t, refusal) if refusal is not None else result_card(turn.t, shown)


def _command(phrase: str) -> Callable[[Turn, str], Awaitable[Shown]]:
    @localized
    async def handler(turn: Turn, rest: str) -> Shown:
        if not rest and phrase != "vandaag thuis":
            return await _open_form(turn, FormRequest(place="satellite" if phrase == "satelliet" else "home"))
        return await answer_text(turn, parse_request(f"{phrase} {rest}".strip(), turn.now()))

    return handler


async def on_free_text(turn: Turn, text: str) -> bool:
    """"morgen thuis", "kantoor vrijdag": a place and a day in any order."""
    parsed = parse_request(text, turn.now())
    if parsed.place is None or not (parsed.days or parsed.ranges or parsed.weekdays or parsed.alternatives or parsed.invalid_date):
        return False
    shown = await localized(answer_text)(turn, parsed)
    if isinstance(shown, dict):
        await turn.send_card(shown)
    elif isinstance(shown, str):
        await turn.send_text(shown)
    return True


@localized
async def on_register(turn: Turn, payload: RegisterDaysAction) -> Shown:
    request = FormRequest(
        place=payload.place, part=payload.part, day=payload.day, until=payload.until, location=payload.location,
        weekdays=tuple(payload.weekdays or ()), weeks=payload.weeks,
    )
    shown = await _register(turn, request)
    return _form_card(turn, shown) if isinstance(shown, RegistrationFormView) else result_card(turn.t, shown)


@localized
async def on_form(turn: Turn, payload: ShowRegistrationForm) -> Shown:
    return await _open_form(turn, registration_id=payload.registration_id)


@localized
async def on_overview(turn: Turn, payload: ShowOverview) -> Shown:
    view = await turn.run(service.my_days, service.ShowMyDays(turn.me, payload.period))
    return overview_card(turn.t, view)


@localized
async def on_cancel(turn: Turn, payload: CancelDay) -> Shown:
    """Cancel asks first; confirmed, the day goes and the overview comes back with Undo."""
    if not payload.confirmed:
        registration = await turn.run(service.day_to_cancel, service.ShowDayToCancel(turn.me, payload.registration_id))
        return confirm_cancel_card(turn.t, registration, payload.period)
    cancelled = await turn.run(service.cancel_day, service.CancelDay(turn.me, payload.registration_id))
    view = await turn.run(service.my_days, service.ShowMyDays(turn.me, payload.period))
    notice = turn.t("homework.cancelled", day=turn.t.date(cancelled.registration.day))
    return overview_card(turn.t, view, notice=notice, undo_change_id=cancelled.change_id)


@localized
async def on_undo(turn: Turn, payload: UndoChange) -> Shown:
    restored = await turn.run(service.undo_change, service.UndoChange(turn.me, payload.change_id))
    return undone_card(turn.t, restored)


@localized
async def open_form(turn: Turn, _text: str) -> Shown:
    return await _open_form(turn)


@localized
async def open_overview(turn: Turn, _text: str) -> Shown:
    return await on_overview(turn, ShowOverview())


def register(registry: Registry) -> None:
    """Register this flow's commands, free text and card verbs."""
    router = registry.router
    router.opener(FLOW_REGISTER, open_form)
    router.opener(FLOW_OVERVIEW, open_overview)
    for phrase in REGISTER_PHRASES:
        router.command((phrase,), _command(phrase))
    router.command(OVERVIEW_PHRASES, open_overview)
    router.text(on_free_text)
    router.action(RegisterDaysAction, on_register)
    router.action(ShowRegistrationForm, on_form)
    router.action(ShowOverview, on_overview)
    router.action(CancelDay, on_cancel)
    router.action(UndoChange, on_undo)
