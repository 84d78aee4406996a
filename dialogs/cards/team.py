"""Cards of the team flow: who works where, the team agreement and the eligibility registry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
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
from pydantic import Field

from bot.actions import ActionData, Id, OptionalDate, OptionalId
from bot.domain.homework import (
    INELIGIBILITY_REASONS,
    NOTE_MAX_LENGTH,
    WORKING_WEEKDAYS,
    IneligibilityReason,
    Registration,
    RegistrationStatus,
    TeamAgreement,
)
from bot.domain.team import (
    ANNOUNCE_AFTER,
    MAX_WEEK_OFFSET,
    AgreementChange,
    EligibilityRow,
    MarkingPreview,
    TeamWeek,
)
from bot.i18n import Translator
from dialogs.cards.allowance import ShowTeamRegular
from dialogs.cards.base import card, execute, facts, heading, submit, text, title, with_menu
from dialogs.cards.homework import Blank, Weekdays, weekday_name, weekday_names

FLOW_TEAM = "team"  # the flow the menu opens (see dialogs/menu.py)
# Teams cards stay under 28 KB; a larger team is cut off with a note.
MAX_TEAM_ROWS = 40


class ShowTeam(ActionData, verb="team.view"):
    week: int = Field(0, ge=0, le=MAX_WEEK_OFFSET)


class ShowAgreement(ActionData, verb="team.agreement"):
    pass


# Wide enough that a number typed out of range reaches the rule, which answers with the range.
EnteredDays = Annotated[int, Field(ge=-1000, le=1000)]


class SaveAgreement(ActionData, verb="team.agreement.save", card_inputs=("anchor_weekdays", "min_office_days")):
    anchor_weekdays: Weekdays = None
    # Required: the form always sends it (pre-filled), so a payload without it is not from the form.
    min_office_days: EnteredDays


class ConfirmAgreement(ActionData, verb="team.agreement.confirm"):
    """The manager confirmed the change shown: the agreement as entered (the card has no inputs)."""

    anchor_weekdays: Weekdays = None
    min_office_days: EnteredDays


class ShowEligibility(ActionData, verb="team.eligibility"):
    pass


class MarkIneligibleAction(
    ActionData, verb="team.eligibility.mark", card_inputs=("staff_id", "reason", "note", "valid_from", "valid_until"),
):
    staff_id: OptionalId = None
    reason: Annotated[IneligibilityReason | None, Blank] = None
    note: Annotated[Annotated[str, Field(max_length=NOTE_MAX_LENGTH)] | None, Blank] = None
    valid_from: OptionalDate = None
    valid_until: OptionalDate = None


class ConfirmMarkIneligible(ActionData, verb="team.eligibility.mark.confirm"):
    """The manager confirmed the preview: the marking as it was shown (the card has no inputs)."""

    staff_id: Id
    reason: IneligibilityReason
    valid_from: date
    valid_until: OptionalDate = None
    note: Annotated[Annotated[str, Field(max_length=NOTE_MAX_LENGTH)] | None, Blank] = None


class LiftIneligibility(ActionData, verb="team.eligibility.lift"):
    ineligibility_id: Id


def _cell(t: Translator, registration: Registration | None, holiday: bool) -> tuple[str, str | None]:
    if holiday:
        return t("team.cell_holiday"), None
    if registration is None:
        return t("team.cell_none"), None
    label = t(f"team.cell_{registration.place}")
    if registration.part != "full":
        label += " " + t(f"team.cell_part_{registration.part}")
    if registration.status is RegistrationStatus.PENDING:
        label += " ⏳"
    return label, ("Accent" if registration.place == "home" else "Good" if registration.place == "office" else None)


def anchor_days_text(t: Translator, weekdays: Iterable[int]) -> str:
    weekdays = sorted(weekdays)
    return weekday_names(t, weekdays) if weekdays else t("team.no_anchor_days")


def agreement_summary(t: Translator, agreement: TeamAgreement | None) -> str:
    if agreement is None or (not agreement.anchor_weekdays and agreement.min_office_days_per_week == 0):
        return t("team.no_agreement")
    return t(
        "team.agreement_summary", anchors=anchor_days_text(t, agreement.anchor_weekdays),
        minimum=t("team.office_days", count=agreement.min_office_days_per_week),
    )


def team_week_card(t: Translator, view: TeamWeek) -> dict[str, Any]:
    week_key = "team.this_week" if view.week_offset == 0 else "team.next_week"
    body: list[CardElement] = [
        title(t("team.view_title")),
        text(t("team.view_week", week=t(week_key), start=t.short_date(view.days[0]), end=t.short_date(view.days[-1])), subtle=True),
        text(agreement_summary(t, view.agreement), subtle=True),
    ]
    header = [Column(width="stretch", items=[text(t("team.column_name"), weight="Bolder")])]
    for day in view.days:
        label = t.short_date(day) + (" ⚓" if view.is_anchor_day(day) else "")
        header.append(Column(width="stretch", items=[text(label, weight="Bolder", size="Small")]))
    body.append(ColumnSet(columns=header))
    for member in view.members[:MAX_TEAM_ROWS]:
        name = member.staff.display_name + (" ⛔" if member.ineligible else "")
        columns = [Column(width="stretch", items=[text(name, size="Small")])]
        for day in view.days:
            label, color = _cell(t, member.on(day), view.is_holiday(day))
            columns.append(Column(width="stretch", items=[text(label, size="Small", color=color)]))
        body.append(ColumnSet(columns=columns, separator=True))
    if len(view.members) > MAX_TEAM_ROWS:
        body.append(text(t("team.more_members", count=len(view.members) - MAX_TEAM_ROWS), subtle=True))
    legend = t("team.legend_manager") if view.as_manager else t("team.legend")
    body.append(text(legend, subtle=True, size="Small"))
    other = 1 - view.week_offset
    actions = [submit(ShowTeam(week=other), t("team.next_week" if other == 1 else "team.this_week"))]
    if view.as_manager:
        actions += [
            submit(ShowAgreement(), t("team.agreement_button")), submit(ShowEligibility(), t("team.eligibility_button")),
            submit(ShowTeamRegular(), t("allowance.regular_team_button")),
        ]
    return card(body, with_menu(t, actions))


def _weekday_choices(t: Translator) -> list[Choice]:
    return [Choice(title=weekday_name(t, d), value=str(d)) for d in WORKING_WEEKDAYS]


def agreement_card(
    t: Translator, agreement: TeamAgreement, *, notice: str | None = None, error: str | None = None,
    entered: SaveAgreement | None = None,
) -> dict[str, Any]:
    """The agreement form; `error` (a refused value) is shown beside the field, with what was entered."""
    anchors = sorted(entered.anchor_weekdays or ()) if entered else sorted(agreement.anchor_weekdays)
    minimum = entered.min_office_days if entered else agreement.min_office_days_per_week
    body: list[CardElement] = [title(t("team.agreement_title")), text(t("team.agreement_intro"), subtle=True)]
    if notice:
        body.append(text(notice, color="Good", weight="Bolder"))
    body += [
        text(agreement_summary(t, agreement)),
        ChoiceSetInput(
            id="anchor_weekdays", label=t("team.agreement_anchor_days"), is_multi_select=True, style="expanded",
            value=",".join(str(d) for d in anchors) or None, choices=_weekday_choices(t),
        ),
        NumberInput(
            id="min_office_days", label=t("team.agreement_min_office_days", maximum=len(WORKING_WEEKDAYS)),
            min=0, max=len(WORKING_WEEKDAYS), value=minimum, is_required=True,
            error_message=t("team.min_office_range_hint", maximum=len(WORKING_WEEKDAYS)),
        ),
    ]
    if error:
        body.append(text(error, color="Attention", weight="Bolder"))
    return card(body, with_menu(t, [
        execute(SaveAgreement(min_office_days=agreement.min_office_days_per_week), t("team.agreement_save"), style="positive"),
        submit(ShowTeam(), t("team.view_title")),
    ]))


def _change_line(t: Translator, before: str, after: str) -> str:
    return after if before == after else t("team.agreement_change", before=before, after=after)


def agreement_confirm_card(t: Translator, change: AgreementChange) -> dict[str, Any]:
    """Before the team is told: the change, and who will hear of it."""
    before, after = change.before, change.after
    assert after is not None  # a refused change is shown on the form
    body: list[CardElement] = [
        title(t("team.agreement_confirm_title")),
        facts([
            (t("team.agreement_anchor_days"), _change_line(
                t, anchor_days_text(t, before.anchor_weekdays), anchor_days_text(t, after.anchor_weekdays))),
            (t("team.agreement_minimum_fact"), _change_line(
                t, t("team.office_days", count=before.min_office_days_per_week),
                t("team.office_days", count=after.min_office_days_per_week))),
        ]),
        text(t("team.agreement_confirm_told", count=change.team_size, minutes=int(ANNOUNCE_AFTER.total_seconds() // 60))),
    ]
    confirm = ConfirmAgreement(anchor_weekdays=sorted(after.anchor_weekdays), min_office_days=after.min_office_days_per_week)
    return card(body, with_menu(t, [
        execute(confirm, t("team.agreement_confirm"), style="positive"),
        execute(ShowAgreement(), t("team.agreement_back")),
    ]))


def period_text(t: Translator, since: date, until: date | None) -> str:
    if until is None:
        return t("team.period_open", since=t.date(since))
    return t("team.period_closed", since=t.date(since), until=t.date(until))


def eligibility_card(t: Translator, rows: list[EligibilityRow], today: date, *, notice: str | None = None) -> dict[str, Any]:
    body: list[CardElement] = [title(t("team.eligibility_title")), text(t("team.eligibility_intro"), subtle=True)]
    if notice:
        body.append(text(notice, color="Good"))
    for row in rows[:MAX_TEAM_ROWS]:
        if not row.markings:
            body.append(Container(separator=True, items=[text(t("team.eligible_line", name=row.staff.display_name))]))
            continue
        for marking in row.markings:
            line = t(
                "team.ineligible_line", name=row.staff.display_name, reason=t(f"team.reason_{marking.reason}"),
                period=period_text(t, marking.valid_from, marking.valid_until),
            )
            items: list[CardElement] = [text(line, color="Attention")]
            if marking.note:
                items.append(text(marking.note, subtle=True, size="Small"))
            columns = [
                Column(width="stretch", items=items),
                Column(width="auto", items=[ActionSet(actions=[execute(LiftIneligibility(ineligibility_id=marking.id), t("team.lift"))])]),
            ]
            body.append(Container(separator=True, items=[ColumnSet(columns=columns)]))
    if rows:
        body += [
            heading(t("team.mark_heading")),
            ChoiceSetInput(
                id="staff_id", label=t("team.mark_member"), is_required=True, error_message=t("team.mark_member_required"),
                choices=[Choice(title=row.staff.display_name, value=str(row.staff.id)) for row in rows[:MAX_TEAM_ROWS]],
            ),
            ChoiceSetInput(
                id="reason", label=t("team.mark_reason"), is_required=True, error_message=t("team.mark_reason_required"),
                choices=[Choice(title=t(f"team.reason_{reason}"), value=reason) for reason in INELIGIBILITY_REASONS],
            ),
            TextInput(id="note", label=t("team.mark_note"), is_multiline=True, max_length=NOTE_MAX_LENGTH),
            DateInput(id="valid_from", label=t("team.mark_from"), value=today.isoformat(), is_required=True,
                      error_message=t("team.mark_from_required")),
            DateInput(id="valid_until", label=t("team.mark_until"), min=today.isoformat(), error_message=t("team.eligibility_until_past")),
        ]
    actions = [execute(MarkIneligibleAction(), t("team.mark_submit"), style="destructive")] if rows else []
    return card(body, with_menu(t, [*actions, submit(ShowTeam(), t("team.view_title"))]))


def days_list(t: Translator, days: Iterable[date]) -> str:
    return "\n".join(f"- {t.date(day)}" for day in days)


def mark_confirm_card(t: Translator, preview: MarkingPreview) -> dict[str, Any]:
    """Before a member is marked not eligible: what it means, and the registered days it cancels."""
    body: list[CardElement] = [
        title(t("team.mark_confirm_title", name=preview.member.display_name)),
        facts([
            (t("team.mark_reason"), t(f"team.reason_{preview.reason}")),
            (t("team.mark_period"), period_text(t, preview.valid_from, preview.valid_until)),
            *([(t("team.mark_note"), preview.note)] if preview.note else []),
        ]),
    ]
    days = [r.day for r in preview.days_to_cancel]
    if days:
        body += [
            text(t("team.mark_confirm_days", count=len(days)), color="Attention", weight="Bolder"),
            text(days_list(t, days)),
        ]
    else:
        body.append(text(t("team.mark_confirm_no_days"), subtle=True))
    body.append(text(t("team.mark_confirm_told", name=preview.member.display_name), subtle=True))
    confirm = ConfirmMarkIneligible(
        staff_id=preview.member.id, reason=preview.reason, valid_from=preview.valid_from,
        valid_until=preview.valid_until, note=preview.note,
    )
    return card(body, with_menu(t, [
        execute(confirm, t("team.mark_confirm"), style="destructive"),
        execute(ShowEligibility(), t("team.mark_back")),
    ]))
