"""Representative views for every card builder in dialogs/cards, several states each: what the card
audit (tests/unit/test_card_audit.py) builds in both languages. A new builder without samples
here fails that audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.allowances import (
    AllowanceChoice,
    ChoiceRefusal,
    ChoiceSource,
    InternetAllowanceView,
    InternetMode,
    Month,
    RegularHomeworkView,
    WorkDay,
    statement,
)
from bot.domain.approvals import ApprovalStatus, ApprovalView, HomeworkDaySummary
from bot.domain.equipment import Delivery, EquipmentRequest, FulfilmentStep, Names, RequestLine, RequestStatus
from bot.domain.errors import DomainError
from bot.domain.homework import (
    ChangedDay,
    DayRefused,
    DayResult,
    Ineligibility,
    Overview,
    Registration,
    RegistrationResult,
    TeamAgreement,
    WeekWarning,
)
from bot.domain.policy_sections import AllowancePolicy
from bot.domain.privacy import manager_view
from bot.domain.reports import EntityRef, HomeworkMonth, KeyFigures
from bot.domain.staff import Staff
from bot.domain.team import AgreementChange, EligibilityRow, MarkingPreview, TeamMemberWeek, TeamWeek
from bot.i18n import Translator
from dialogs.cards import (
    allowance,
    approvals,
    broadcasts,
    coaching,
    equipment,
    homework,
    menu,
    privacy,
    reports,
    team,
    webinars,
)

Sample = Callable[[Translator], dict[str, Any]]
BRUSSELS = ZoneInfo("Europe/Brussels")
MON = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=BRUSSELS)
STAN = Staff(3, "a3", "staff@vlaanderen.be", "Stan Staff", 1, "DWSE", 2, date(2020, 5, 1))
CATO = Staff(4, "a4", "colleague@vlaanderen.be", "Cato Collega", 1, "DWSE", 2, date(2026, 6, 14), language="en")
POLICY = AllowancePolicy()
FLAT = AllowanceChoice(id=1, staff_id=3, mode=InternetMode.FLAT_FEE, effective_from=date(2021, 9, 1), source=ChoiceSource.DEFAULT, recorded_at=datetime(2021, 9, 1, tzinfo=UTC))
THIRD = AllowanceChoice(id=2, staff_id=3, mode=InternetMode.THIRD_PARTY, effective_from=date(2026, 12, 1), provider="Telenet", customer_number="T-1", monthly_cost=Decimal("41.50"))


def _reg(day: date, place: str = "home", part: str = "full", status: str = "registered", id_: int = 1) -> Registration:
    return Registration(id=id_, staff_id=3, day=day, place=place, part=part, status=status, satellite_location="Gent" if place == "satellite" else None)  # type: ignore[arg-type]


# -- allowances --------------------------------------------------------------------------------
def _allowance_view(refusal: ChoiceRefusal | None, pending: AllowanceChoice | None = None) -> InternetAllowanceView:
    return InternetAllowanceView(
        staff=STAN, current=FLAT, pending=pending, history=[c for c in (pending, FLAT) if c], refusal=refusal,
        change_from=date(2026, 12, 1), recent_home_days=Decimal("2.5"), confirmed_by_manager=False, policy=POLICY,
    )


def _statements() -> list[Any]:
    days = [WorkDay(date(2026, 10, d), "home") for d in (1, 2, 5, 6, 7)]
    return [statement(m, days, [FLAT, THIRD], POLICY, date(2026, 11, 22)) for m in (Month(2026, 12), Month(2026, 10))]


# -- approvals ---------------------------------------------------------------------------------
HOME_DAY = HomeworkDaySummary(
    requester_id=3, staff_name="Stan Staff", day=date(2026, 11, 24), place="home", part="full", anchor_day=True,
    office_days_left=Decimal("1.5"), minimum_office_days=3,
)


def _approval(**changes: Any) -> ApprovalView:
    values: dict[str, Any] = {
        "approval_id": 7, "summary": HOME_DAY, "requester_name": "Stan Staff", "approver_name": "Mia Manager",
        "status": ApprovalStatus.PENDING, "requested_at": NOW, "can_decide": True, "refresh_user_ids": ("29:mia",),
    }
    return ApprovalView(**(values | changes))


def _subject(t: Translator) -> approvals.SubjectText:
    return approvals.SubjectText(title="Thuiswerk van Stan Staff", facts=[("Dag", "dinsdag")], warning="⚠ ankerdag")


def _pending(t: Translator, count: int) -> dict[str, Any]:
    lines = [approvals.PendingLine(n, _subject(t), "Stan Staff", NOW) for n in range(1, count + 1)]
    view = approvals.PendingListView(lines, summary="1" if count else None, refresh_user_ids=("29:mia",), problem="?" if count else None)
    return approvals.pending_list_card(t, view)


def _deputies(t: Translator, with_deputy: bool) -> dict[str, Any]:
    deputies = [approvals.DeputyLine(5, "Dirk Deputy", MON, date(2026, 12, 4), True)] if with_deputy else []
    candidates = [approvals.DeputyCandidate(5, "Dirk Deputy", "dirk@vlaanderen.be")] if with_deputy else []
    return approvals.deputies_card(t, approvals.DeputiesView(deputies, candidates, MON, message="ok" if with_deputy else None))


# -- equipment ---------------------------------------------------------------------------------
def _request(status: RequestStatus, id_: int = 11) -> EquipmentRequest:
    line = RequestLine(1, "HEADSET", Names("Headset", "Headset"), 1, 2, Decimal("41.50"))
    return EquipmentRequest(
        id=id_, staff_id=3, entity_id=1, status=status, lines=(line,), justification=None, delivery=Delivery.HOME,
        reasonable_adjustment=False, requested_on=MON, created_at=NOW, note="Levering vrijdag" if status is RequestStatus.ORDERED else None,
    )


def _form(t: Translator, problems: bool) -> dict[str, Any]:
    items = [
        equipment.FormItem(1, "Headset", "Klein materiaal", Decimal("41.50"), 2, False, True),
        equipment.FormItem(2, "Bureaustoel", "Stoelen", Decimal("389.00"), 1, True, True, hints=("Pas na 6 maanden",)),
    ]
    return equipment.form_card(t, equipment.FormView(items, problems=("Te duur",) if problems else (), notice="Prijs gewijzigd" if problems else None, quantities={1: 1}))


def _delivery_row(status: RequestStatus, steps: tuple[FulfilmentStep, ...]) -> equipment.DeliveryRow:
    return equipment.DeliveryRow(_request(status), "Stan Staff", "DWSE", steps)


# -- coaching ----------------------------------------------------------------------------------
def _queue_line(status: str = "assigned") -> coaching.QueueLine:
    return coaching.QueueLine(4, "Stan Staff", "DWSE", "resilience", status, MON, "Chris Coach" if status != "open" else None, 2)


def _coaching_detail(t: Translator, status: str, hr: bool, confirm_close: bool = False) -> dict[str, Any]:
    coaches = [coaching.CoachOption(9, "Chris Coach")] if hr else []
    view = coaching.RequestDetailView(_queue_line(status), "Graag in januari", coaches, can_follow_up=True, notice="ok", confirm_close=confirm_close)
    return coaching.request_detail_card(t, view)


# -- home work and team ------------------------------------------------------------------------
def _result() -> RegistrationResult:
    result = RegistrationResult("home", "am", None, anchor_policy="warn")
    result.days += [
        DayResult(MON, "registered", _reg(MON), anchor_day=True),
        DayResult(date(2026, 11, 24), "pending", _reg(date(2026, 11, 24), status="pending")),
        DayResult(date(2026, 11, 25), "unchanged", _reg(date(2026, 11, 25))),
        DayResult(date(2026, 11, 28), "refused", refusal=DayRefused("homework.refused_weekend", day=date(2026, 11, 28))),
        DayResult(date(2026, 9, 1), "refused", refusal=DomainError("homework.not_eligible", day=date(2026, 9, 1), reason="abuse", manager="Mia", since=date(2026, 8, 1), until=None)),
    ]
    result.below_minimum.append(WeekWarning(MON, Decimal("2.5"), 3))
    result.approver_name = "Mia Manager"
    return result


def _team_week(as_manager: bool) -> TeamWeek:
    return TeamWeek(
        monday=date(2026, 12, 21), days=[date(2026, 12, 21 + n) for n in range(5)], as_manager=as_manager, week_offset=1,
        agreement=TeamAgreement(2, frozenset({1}), 3),
        members=[
            TeamMemberWeek(STAN, {date(2026, 12, 21): _reg(date(2026, 12, 21), part="am")}, ineligible=True),
            TeamMemberWeek(CATO, {date(2026, 12, 23): _reg(date(2026, 12, 23), "office")}),
        ],
    )


MARKING = Ineligibility(7, 3, "competence", "Eerst opleiding", date(2026, 11, 1), date(2027, 2, 28), 2)


# -- webinars ----------------------------------------------------------------------------------
def _session(open_: bool = True, seats_left: int = 3) -> webinars.SessionLine:
    start = datetime(2026, 12, 3, 10, 0, tzinfo=BRUSSELS)
    return webinars.SessionLine(21, start, start.replace(hour=11), 100, seats_left, 0 if seats_left else 4, open_)


def _invitation(mine: bool = False, offer: bool = False, seats_left: int = 3) -> webinars.InvitationView:
    return webinars.InvitationView(
        webinar_id=8, title="Focus @ home", description="Over concentratie thuis", target_group="all",
        sessions=[_session(seats_left=seats_left)],
        mine=webinars.MyStatus(31, 21, True, None, "https://teams.microsoft.com/l/meetup-join/x") if mine else None,
        offer=webinars.WaitlistOffer(21, 5) if offer else None, refresh_user_ids=("29:stan",),
    )


def _managed(draft: bool) -> webinars.ManagedWebinar:
    return webinars.ManagedWebinar(8, "Focus @ home", "all", draft, [_session()])


# -- the samples, per builder ------------------------------------------------------------------
SAMPLES: dict[str, list[Sample]] = {
    "allowance.internet_allowance_card": [
        lambda t: allowance.internet_allowance_card(t, _allowance_view(None)),
        lambda t: allowance.internet_allowance_card(t, _allowance_view(None, THIRD)),
        lambda t: allowance.internet_allowance_card(t, _allowance_view(ChoiceRefusal.NOT_REGULAR)),
        lambda t: allowance.internet_allowance_card(t, _allowance_view(ChoiceRefusal.NOT_ELIGIBLE)),
    ],
    "allowance.my_allowances_card": [
        lambda t: allowance.my_allowances_card(t, _statements(), POLICY.flat_fee_amount),
        lambda t: allowance.my_allowances_card(t, [], POLICY.flat_fee_amount),
    ],
    "allowance.regular_homework_card": [
        lambda t: allowance.regular_homework_card(t, RegularHomeworkView(STAN, True, Decimal(3), POLICY)),
        lambda t: allowance.regular_homework_card(t, RegularHomeworkView(STAN, False, Decimal(1), POLICY)),
    ],
    "allowance.team_regular_card": [
        lambda t: allowance.team_regular_card(t, [RegularHomeworkView(STAN, True, Decimal(1), POLICY), RegularHomeworkView(CATO, False, Decimal("2.5"), POLICY)], notice="ok"),
    ],
    "allowance.payroll_form_card": [
        lambda t: allowance.payroll_form_card(t, allowance.PayrollFormView([("DWSE", "Departement Werk")], [Month(2026, 11), Month(2026, 10)], Month(2026, 10))),
    ],
    "approvals.approval_card": [
        lambda t: approvals.approval_card(t, _approval(), _subject(t)),
        lambda t: approvals.approval_card(t, _approval(reason_required=True), _subject(t), problem="Geef een reden", from_list=True),
        lambda t: approvals.approval_card(t, _approval(), _subject(t), confirm_warning="Ankerdag", reminder="Herinnering"),
        lambda t: approvals.approval_card(t, _approval(can_decide=False), _subject(t)),
        lambda t: approvals.approval_card(
            t, _approval(status=ApprovalStatus.REJECTED, can_decide=False, decided_by_name="Mia Manager", decided_at=NOW, comment="Teamdag"), _subject(t),
        ),
    ],
    "approvals.pending_list_card": [lambda t: _pending(t, 2), lambda t: _pending(t, 0)],
    "approvals.deputies_card": [lambda t: _deputies(t, True), lambda t: _deputies(t, False)],
    "broadcasts.progress_card": [
        lambda t: broadcasts.progress_card(t, broadcasts.ProgressView(
            3, "Focus @ home", "running", NOW, None, None, 10, 4, 1, 1, 0, 4, 60, True, True, True, "29:hr", "https://bot.example/r",
        )),
        lambda t: broadcasts.progress_card(t, broadcasts.ProgressView(
            3, "Focus @ home", "completed", NOW, NOW, NOW, 10, 9, 0, 1, 0, 0, 100, False, False, False, None, None,
        )),
    ],
    "broadcasts.list_card": [
        lambda t: broadcasts.list_card(t, [broadcasts.BroadcastLine(3, "Focus @ home", "completed", 9, 10)]),
        lambda t: broadcasts.list_card(t, []),
    ],
    "coaching.request_form_card": [
        lambda t: coaching.request_form_card(t, coaching.RequestFormView([coaching.OwnRequest("leadership", "open", MON)], notice="ok")),
        lambda t: coaching.request_form_card(t, coaching.RequestFormView([])),
    ],
    "coaching.queue_card": [
        lambda t: coaching.queue_card(t, [_queue_line(), _queue_line("open")], coach_view=False, notice="ok"),
        lambda t: coaching.queue_card(t, [], coach_view=True),
    ],
    "coaching.request_detail_card": [
        lambda t: _coaching_detail(t, "assigned", hr=True),
        lambda t: _coaching_detail(t, "assigned", hr=False),
        lambda t: _coaching_detail(t, "closed", hr=True),
        lambda t: _coaching_detail(t, "assigned", hr=False, confirm_close=True),
    ],
    "equipment.form_card": [
        lambda t: _form(t, problems=False),
        lambda t: _form(t, problems=True),
        lambda t: equipment.form_card(t, equipment.FormView(items=())),
    ],
    "equipment.request_card": [
        lambda t: equipment.request_card(t, equipment.RequestView(_request(RequestStatus.PENDING), can_cancel=True, notice="ok", refresh_user_ids=("29:stan",))),
        lambda t: equipment.request_card(t, equipment.RequestView(_request(RequestStatus.APPROVED), can_cancel=False)),
    ],
    "equipment.my_equipment_card": [
        lambda t: equipment.my_equipment_card(t, equipment.MyEquipmentView(
            [equipment.MyRequestRow(_request(RequestStatus.PENDING), True), equipment.MyRequestRow(_request(RequestStatus.ORDERED, 12), False)], notice="ok",
            refresh_user_ids=("29:stan",),
        )),
        lambda t: equipment.my_equipment_card(t, equipment.MyEquipmentView([])),
    ],
    "equipment.deliveries_card": [
        lambda t: equipment.deliveries_card(t, equipment.DeliveriesView([_delivery_row(RequestStatus.APPROVED, tuple(FulfilmentStep))], notice="ok")),
        lambda t: equipment.deliveries_card(t, equipment.DeliveriesView([])),
    ],
    "equipment.delivery_card": [
        lambda t: equipment.delivery_card(t, equipment.DeliveryView(_delivery_row(RequestStatus.APPROVED, tuple(FulfilmentStep)))),
        lambda t: equipment.delivery_card(t, equipment.DeliveryView(_delivery_row(RequestStatus.ORDERED, (FulfilmentStep.DELIVERED, FulfilmentStep.CANCELLED)), notice="ok")),
        lambda t: equipment.delivery_card(t, equipment.DeliveryView(_delivery_row(RequestStatus.DELIVERED, ()))),
        lambda t: equipment.delivery_card(t, equipment.DeliveryView(
            _delivery_row(RequestStatus.APPROVED, tuple(FulfilmentStep)), note="Via de post", problem="?", confirm_step=FulfilmentStep.DELIVERED,
        )),
        lambda t: equipment.delivery_card(t, equipment.DeliveryView(_delivery_row(RequestStatus.APPROVED, tuple(FulfilmentStep)), problem="?")),
    ],
    "homework.registration_form": [
        lambda t: homework.registration_form(t, homework.RegistrationForm(earliest=date(2026, 10, 1), latest=date(2027, 5, 23), day=MON, weekdays=(0, 3), weeks=8, notice="?")),
        lambda t: homework.registration_form(t, homework.RegistrationForm(earliest=date(2026, 10, 1), latest=date(2027, 5, 23))),
    ],
    "homework.result_card": [lambda t: homework.result_card(t, _result())],
    "homework.undone_card": [
        lambda t: homework.undone_card(t, [
            ChangedDay(MON, before={"place": "office", "part": "pm", "status": "registered"}, after={"place": "home", "part": "full", "status": "registered"}),
            ChangedDay(date(2026, 11, 24), before=None, after={"place": "satellite", "part": "am", "status": "pending", "satellite_location": "Gent"}),
        ]),
    ],
    "homework.confirm_cancel_card": [
        lambda t: homework.confirm_cancel_card(t, _reg(MON), "week"),
        lambda t: homework.confirm_cancel_card(t, _reg(MON, "satellite", "pm", "pending", 2), "month"),
    ],
    "homework.overview_card": [
        lambda t: homework.overview_card(t, Overview("month", date(2026, 11, 1), date(2026, 11, 30), [_reg(date(2026, 9, 30)), _reg(MON, "satellite", "pm", "pending", 2)], date(2026, 10, 1)), notice="ok"),
        lambda t: homework.overview_card(t, Overview("week", MON, date(2026, 11, 29), [], date(2026, 10, 1))),
    ],
    "menu.menu_card": [
        lambda t: menu.menu_card(t, menu.MenuView("Stan", [menu.MenuItem("homework", "menu.homework"), menu.MenuItem("equipment", "menu.equipment")])),
    ],
    "menu.welcome_card": [
        lambda t: menu.welcome_card(t, menu.MenuView("Stan", [menu.MenuItem("homework", "menu.homework")])),
        lambda t: menu.welcome_card(t, None),
    ],
    "privacy.privacy_home_card": [lambda t: privacy.privacy_home_card(t, notice="ok"), lambda t: privacy.privacy_home_card(t)],
    "privacy.manager_view_card": [
        lambda t: privacy.manager_view_card(t, manager_view("Mia Manager", ("Dirk Deputy",))),
        lambda t: privacy.manager_view_card(t, manager_view(None, ())),
    ],
    "reports.report_form_card": [
        lambda t: reports.report_form_card(t, reports.ReportFormView("2021-01", "2023-10", [EntityRef("DWSE", "Departement Werk")])),
    ],
    "reports.report_summary_card": [
        lambda t: reports.report_summary_card(t, reports.ReportSummaryView(
            "2021-01 – 2023-10", "DWSE",
            KeyFigures(34, Decimal("0.41"), HomeworkMonth(Month(2023, 10), 40, 100, Decimal("80.5"), Decimal("0.4")), None, 3, 120, 5, Decimal("5680.00"), None),
            "https://bot.example/d", 15,
        )),
    ],
    "team.team_week_card": [lambda t: team.team_week_card(t, _team_week(True)), lambda t: team.team_week_card(t, TeamWeek(MON, [MON], [], False, 0, None))],
    "team.agreement_card": [
        lambda t: team.agreement_card(t, TeamAgreement(2, frozenset({1}), 3), notice="ok"),
        lambda t: team.agreement_card(t, TeamAgreement(2)),
    ],
    "team.agreement_confirm_card": [
        lambda t: team.agreement_confirm_card(t, AgreementChange(
            TeamAgreement(2), TeamAgreement(2, frozenset({1}), 2), team_size=4,
        )),
        lambda t: team.agreement_confirm_card(t, AgreementChange(
            TeamAgreement(2, frozenset({1, 3}), 1), TeamAgreement(2, frozenset({1, 3}), 1), team_size=1,
        )),
    ],
    "team.mark_confirm_card": [
        lambda t: team.mark_confirm_card(t, MarkingPreview(STAN, "organisational", MON, date(2026, 12, 31), "reorganisatie", [_reg(date(2026, 11, 26)), _reg(date(2026, 12, 3), id_=2)])),
        lambda t: team.mark_confirm_card(t, MarkingPreview(STAN, "function", MON, None, None, [])),
    ],
    "team.eligibility_card": [
        lambda t: team.eligibility_card(t, [EligibilityRow(STAN, [MARKING]), EligibilityRow(CATO, [])], date(2026, 11, 22), notice="ok"),
        lambda t: team.eligibility_card(t, [], date(2026, 11, 22)),
    ],
    "webinars.invitation_card": [
        lambda t: webinars.invitation_card(t, _invitation()),
        lambda t: webinars.invitation_card(t, _invitation(mine=True)),
        lambda t: webinars.invitation_card(t, _invitation(offer=True, seats_left=0)),
    ],
    "webinars.overview_card": [
        lambda t: webinars.overview_card(t, webinars.OverviewView([_invitation(), _invitation(mine=True)], notice="ok")),
        lambda t: webinars.overview_card(t, webinars.OverviewView([])),
    ],
    "webinars.webinar_form_card": [
        lambda t: webinars.webinar_form_card(t, webinars.WebinarFormView([webinars.EntityChoice("DWSE", "Departement Werk")])),
        lambda t: webinars.webinar_form_card(t, webinars.WebinarFormView([webinars.EntityChoice("DV", "Digitaal Vlaanderen")], values={"title_nl": "Focus", "s2_date": "2026-12-04"}, error="?")),
    ],
    "webinars.cancel_webinar_card": [
        lambda t: webinars.cancel_webinar_card(t, webinars.CancelWebinarView(7, "Werkplekergonomie", 12)),
        lambda t: webinars.cancel_webinar_card(t, webinars.CancelWebinarView(7, "Ergonomics", 0)),
    ],
    "webinars.preview_card": [lambda t: webinars.preview_card(t, webinars.PreviewView(_invitation(), 120, draft=True))],
    "webinars.manage_card": [lambda t: webinars.manage_card(t, [_managed(True), _managed(False)]), lambda t: webinars.manage_card(t, [])],
    "webinars.webinar_detail_card": [lambda t: webinars.webinar_detail_card(t, _managed(False), 120)],
    "webinars.attendance_card": [
        lambda t: webinars.attendance_card(t, webinars.AttendanceView(21, "Focus @ home", NOW, [webinars.ParticipantLine(31, "Stan Staff", True, None)], notice="ok")),
        lambda t: webinars.attendance_card(t, webinars.AttendanceView(21, "Focus @ home", NOW, [])),
    ],
}
