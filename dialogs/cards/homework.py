"""Cards of the home-work flow: the registration form, the answer after registering, my overview."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated, Any

from microsoft_teams.cards import (
    ActionSet,
    CardElement,
    Choice,
    ChoiceSetInput,
    Column,
    ColumnSet,
    Container,
    DateInput,
    NumberInput,
    TextInput,
)
from pydantic import AfterValidator, BeforeValidator, Field

from bot.actions import ActionData, Id, OptionalDate, OptionalId
from bot.domain.errors import DomainError
from bot.domain.homework import (
    LOCATION_MAX_LENGTH,
    MAX_RECURRING_WEEKS,
    PARTS,
    PERIODS,
    PLACES,
    WORKING_WEEKDAYS,
    ChangedDay,
    DayState,
    Outcome,
    Overview,
    Part,
    Period,
    Place,
    Registration,
    RegistrationResult,
    RegistrationStatus,
    holiday_name,
)
from bot.i18n import Translator
from dialogs.cards.base import card, execute, heading, submit, text, title, with_menu

# The flows the menu opens (see dialogs/menu.py).
FLOW_REGISTER = "homework"
FLOW_OVERVIEW = "homework.overview"


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _split_choices(value: Any) -> Any:
    """Input.ChoiceSet with isMultiSelect sends the chosen values comma-separated: "0,3"."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",")] if value.strip() else None
    return value


def _sorted_unique(values: list[int]) -> list[int]:
    return sorted(set(values))


Blank = BeforeValidator(_blank_to_none)
Weekday = Annotated[int, Field(ge=0, le=6)]
# The weekdays chosen in a multi-select input, as a list of numbers (Monday is 0).
Weekdays = Annotated[
    Annotated[list[Weekday], Field(max_length=7), AfterValidator(_sorted_unique)] | None, BeforeValidator(_split_choices)
]


class RegisterDaysAction(
    ActionData, verb="homework.register", card_inputs=("day", "until", "place", "part", "location", "weekdays", "weeks"),
):
    """The registration form; its inputs arrive next to the verb."""

    day: OptionalDate = None
    until: OptionalDate = None
    place: Annotated[Place | None, Blank] = None
    part: Annotated[Part | None, Blank] = None
    location: Annotated[Annotated[str, Field(max_length=LOCATION_MAX_LENGTH)] | None, Blank] = None
    weekdays: Weekdays = None
    weeks: Annotated[Annotated[int, Field(ge=1, le=MAX_RECURRING_WEEKS)] | None, Blank] = None


class ShowRegistrationForm(ActionData, verb="homework.form"):
    registration_id: OptionalId = None


class ShowOverview(ActionData, verb="homework.overview"):
    period: Period = "week"


class CancelDay(ActionData, verb="homework.cancel"):
    """Cancel one day: first the confirmation (confirmed false), then the cancellation."""

    registration_id: Id
    period: Period = "week"
    confirmed: bool = False


class UndoChange(ActionData, verb="homework.undo"):
    """Restore the days a registration or cancellation changed, exactly as they were."""

    change_id: Id


@dataclass(frozen=True)
class RegistrationForm:
    """What the form shows pre-filled (from a text that was half understood, or a day to change)."""

    earliest: date
    latest: date
    day: date | None = None
    until: date | None = None
    place: Place = "home"
    part: Part = "full"
    location: str | None = None
    weekdays: tuple[int, ...] = ()
    weeks: int | None = None
    notice: str | None = None
    # Refusals worded for the user, shown right under the input they are about ("day", "until", ...).
    errors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Days to choose from when the text could mean either (each a one-click registration).
    day_choices: tuple[date, ...] = ()


def weekday_name(t: Translator, weekday: int) -> str:
    return t.date(date(2026, 11, 23) + timedelta(days=weekday), "EEEE")  # 23 Nov 2026 is a Monday


def weekday_names(t: Translator, weekdays: Iterable[int]) -> str:
    return ", ".join(weekday_name(t, d) for d in sorted(weekdays))


def _beside(field_id: str, form: RegistrationForm) -> list[CardElement]:
    return [text("⚠ " + message, color="Attention", spacing="None") for message in form.errors.get(field_id, ())]


def _choice_buttons(t: Translator, form: RegistrationForm) -> list[CardElement]:
    """One button per reading of an ambiguous text; they ignore the form's inputs (they carry the day)."""
    if not form.day_choices:
        return []
    buttons = []
    for day in form.day_choices:
        action = execute(
            RegisterDaysAction(day=day, place=form.place, part=form.part, location=form.location),
            t("homework.choose_day", day=t.date(day)), style="positive",
        )
        action.associated_inputs = "none"
        buttons.append(action)
    return [ActionSet(actions=buttons)]


def registration_form(t: Translator, form: RegistrationForm) -> dict[str, Any]:
    body: list[CardElement] = [title(t("homework.form_title")), text(t("homework.form_intro"), subtle=True)]
    if form.notice:
        body.append(text(form.notice, color="Attention", weight="Bolder"))
    body += _choice_buttons(t, form)
    bounds = {"earliest": t.date(form.earliest), "latest": t.date(form.latest)}
    body += [
        DateInput(
            id="day", label=t("homework.form_day"), value=form.day.isoformat() if form.day else None,
            min=form.earliest.isoformat(), max=form.latest.isoformat(), error_message=t("homework.form_day_bounds", **bounds),
        ),
        *_beside("day", form),
        DateInput(
            id="until", label=t("homework.form_until"), value=form.until.isoformat() if form.until else None,
            min=form.earliest.isoformat(), max=form.latest.isoformat(), error_message=t("homework.form_day_bounds", **bounds),
        ),
        *_beside("until", form),
        ChoiceSetInput(
            id="place", label=t("homework.form_place"), value=form.place, style="expanded", is_required=True,
            error_message=t("homework.form_place_required"),
            choices=[Choice(title=t(f"homework.place_{place}"), value=place) for place in PLACES],
        ),
        TextInput(
            id="location", label=t("homework.form_location"), value=form.location, max_length=LOCATION_MAX_LENGTH,
            placeholder=t("homework.form_location_placeholder"),
        ),
        ChoiceSetInput(
            id="part", label=t("homework.form_part"), value=form.part, style="expanded", is_required=True,
            error_message=t("homework.form_part_required"),
            choices=[Choice(title=t(f"homework.part_{part}"), value=part) for part in PARTS],
        ),
        text(t("homework.form_part_hint"), subtle=True),
        heading(t("homework.form_repeat")),
        text(t("homework.form_repeat_intro", maximum=MAX_RECURRING_WEEKS), subtle=True),
        ChoiceSetInput(
            id="weekdays", label=t("homework.form_weekdays"), is_multi_select=True, style="expanded",
            value=",".join(str(d) for d in form.weekdays) or None,
            choices=[Choice(title=weekday_name(t, d), value=str(d)) for d in WORKING_WEEKDAYS],
        ),
        *_beside("weekdays", form),
        NumberInput(
            id="weeks", label=t("homework.form_weeks", maximum=MAX_RECURRING_WEEKS), min=1, max=MAX_RECURRING_WEEKS,
            value=form.weeks, error_message=t("homework.weeks_out_of_range", maximum=MAX_RECURRING_WEEKS),
        ),
        *_beside("weeks", form),
    ]
    actions = [
        execute(RegisterDaysAction(), t("homework.form_submit"), style="positive"),
        submit(ShowOverview(), t("homework.my_days")),
    ]
    return card(body, with_menu(t, actions))


# -- texts shared by the answers ---------------------------------------------------------------------
def place_label(t: Translator, place: str, location: str | None = None) -> str:
    label = t(f"homework.place_{place}")
    return t("homework.place_with_location", place=label, location=location) if location else label



def localized_params(t: Translator, params: Mapping[str, object]) -> dict[str, object]:
    """Dates in a refusal read as dates in the user's language; codes become words."""
    values: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, date):
            values[key] = t.date(value)
        elif key == "reason" and isinstance(value, str):
            values[key] = t(f"team.reason_{value}")
        else:
            values[key] = value
    since, until = params.get("since"), params.get("until")
    if isinstance(since, date):
        values["period"] = (
            t("homework.period_closed", since=t.date(since), until=t.date(until))
            if isinstance(until, date) else t("homework.period_open", since=t.date(since))
        )
    if params.get("holiday_of") is not None and isinstance(params["holiday_of"], date):
        values["holiday"] = holiday_name(params["holiday_of"], t.locale) or ""
    return values


def error_text(t: Translator, error: DomainError) -> str:
    params = dict(error.params)
    if error.key == "homework.refused_holiday" and isinstance(params.get("day"), date):
        params["holiday_of"] = params["day"]
    return t(error.key, **localized_params(t, params))


def day_label(t: Translator, registration: Registration) -> str:
    what = place_label(t, registration.place, registration.satellite_location)
    return t("homework.day_line", day=t.date(registration.day), place=what, part=t(f"homework.part_{registration.part}"))


def status_suffix(t: Translator, registration: Registration) -> str:
    return status_suffix_of(t, registration.status)


def status_suffix_of(t: Translator, status: RegistrationStatus) -> str:
    if status is RegistrationStatus.REGISTERED:
        return ""
    return " " + t(f"homework.status_{status.value}")


# -- the answer after registering ---------------------------------------------------------------------


def state_label(t: Translator, state: DayState | None) -> str:
    """"kantoor (namiddag)", "thuis (hele dag)", or "geen registratie"."""
    if state is None:
        return t("homework.state_nothing")
    label = t("homework.state", place=place_label(t, state.place, state.location), part=t(f"homework.part_{state.part}"))
    return label + status_suffix_of(t, state.status)


def change_line(t: Translator, day: date, was: DayState | None, now: DayState | None) -> str:
    """"woensdag 9 december 2026: kantoor (namiddag) → thuis (hele dag)"."""
    return t("homework.change_line", day=t.date(day), was=state_label(t, was), now=state_label(t, now))


def _state(registration: Registration) -> DayState:
    return DayState(registration.place, registration.part, registration.status, registration.satellite_location)


def result_card(t: Translator, result: RegistrationResult) -> dict[str, Any]:
    body: list[CardElement] = [title(t("homework.result_title"))]
    what = place_label(t, result.place, result.location)
    part = t(f"homework.part_{result.part}")
    registered = [r for r in result.with_outcome(Outcome.REGISTERED) if r.previous is None]
    pending = [r for r in result.with_outcome(Outcome.PENDING) if r.previous is None]
    replaced = result.replaced
    unchanged = result.with_outcome(Outcome.UNCHANGED)
    refused = result.with_outcome(Outcome.REFUSED)
    if registered:
        days = t("homework.day_count", count=len(registered))
        body.append(text(t("homework.result_registered", place=what, part=part, days=days), weight="Bolder"))
        body += [text("✓ " + t.date(r.day)) for r in registered]
    if replaced:
        body.append(text(t("homework.result_changed"), weight="Bolder"))
        body += [
            text("↻ " + change_line(t, r.day, _state(r.previous), _state(r.registration)))
            for r in replaced if r.previous is not None and r.registration is not None
        ]
    if pending or any(r.outcome is Outcome.PENDING for r in replaced):
        approver = result.approver_name or t("homework.your_manager")
        body.append(text(t("homework.result_pending", place=what, part=part, approver=approver), weight="Bolder"))
        body += [text("⏳ " + t.date(r.day)) for r in result.with_outcome(Outcome.PENDING)]
    if unchanged:
        body.append(text(t("homework.result_unchanged"), weight="Bolder"))
        body += [text("= " + t.date(r.day)) for r in unchanged]
    if refused:
        body.append(text(t("homework.result_refused"), weight="Bolder", color="Attention"))
        body += [text("✗ " + error_text(t, r.refusal)) for r in refused if r.refusal is not None]
    key = "homework.anchor_needs_approval" if result.anchor_needs_approval else "homework.anchor_warning"
    for r in result.anchor_days:
        body.append(text("⚠ " + t(key, day=t.date(r.day)), color="Attention"))
    for warning in result.below_minimum:
        left = t("homework.office_days_left", count=warning.office_days_left)
        body.append(
            text(
                "⚠ " + t("homework.below_minimum_warning", week=t.date(warning.week_of, "d MMMM"), left=left, minimum=warning.minimum),
                color="Attention",
            )
        )
    actions = []
    if result.change_id is not None:
        actions.append(execute(UndoChange(change_id=result.change_id), t("homework.undo")))
    actions += [submit(ShowOverview(), t("homework.my_days")), submit(ShowRegistrationForm(), t("homework.register_more"))]
    return card(body, with_menu(t, actions))


def undone_card(t: Translator, restored: list[ChangedDay]) -> dict[str, Any]:
    """What Undo put back, day by day."""
    body: list[CardElement] = [title(t("homework.undone_title"))]
    body += [text("↺ " + change_line(t, entry.day, entry.was, entry.now)) for entry in restored]
    return card(body, with_menu(t, [submit(ShowOverview(), t("homework.my_days")), submit(ShowRegistrationForm(), t("homework.register_more"))]))


def confirm_cancel_card(t: Translator, registration: Registration, period: Period) -> dict[str, Any]:
    """Are you sure? The day as it is, what cancelling means, yes and no."""
    body: list[CardElement] = [
        title(t("homework.confirm_cancel_title")),
        text(day_label(t, registration) + status_suffix(t, registration), weight="Bolder"),
        text(t("homework.confirm_cancel_intro")),
    ]
    actions = [
        execute(CancelDay(registration_id=registration.id, period=period, confirmed=True), t("homework.confirm_cancel_yes"), style="destructive"),
        execute(ShowOverview(period=period), t("homework.confirm_cancel_no")),
    ]
    return card(body, with_menu(t, actions))


# -- my overview ----------------------------------------------------------------------------------------

_PERIOD_KEYS: dict[Period, str] = {"week": "homework.period_week", "month": "homework.period_month", "next_month": "homework.period_next_month"}


def overview_card(
    t: Translator, overview: Overview, *, notice: str | None = None, undo_change_id: int | None = None
) -> dict[str, Any]:
    body: list[CardElement] = [
        title(t("homework.overview_title")),
        text(t("homework.overview_period", period=t(_PERIOD_KEYS[overview.period]),
               start=t.short_date(overview.start), end=t.short_date(overview.end)), subtle=True),
    ]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    if undo_change_id is not None:
        body.append(ActionSet(actions=[execute(UndoChange(change_id=undo_change_id), t("homework.undo"))]))
    if not overview.registrations:
        body.append(text(t("homework.overview_empty")))
    for registration in overview.registrations:
        line = day_label(t, registration) + status_suffix(t, registration)
        columns = [Column(width="stretch", items=[text(line)])]
        if overview.changeable(registration):
            columns.append(
                Column(width="auto", items=[ActionSet(actions=[
                    submit(ShowRegistrationForm(registration_id=registration.id), t("homework.change")),
                    execute(CancelDay(registration_id=registration.id, period=overview.period), t("homework.cancel"), style="destructive"),
                ])])
            )
        body.append(Container(items=[ColumnSet(columns=columns)], separator=True))
    periods = [submit(ShowOverview(period=p), t(_PERIOD_KEYS[p])) for p in PERIODS if p != overview.period]
    body.append(ActionSet(actions=periods))
    return card(body, with_menu(t, [submit(ShowRegistrationForm(), t("homework.register_more"))]))

