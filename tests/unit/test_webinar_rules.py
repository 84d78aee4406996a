"""Pure webinar and coaching rules: draft checks, audiences, reminder timing, permissions, and
the attendance report parser."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain import coaching
from bot.domain.coaching import CoachingKind, CoachingRequest, CoachingStatus
from bot.domain.errors import Conflict, Forbidden, InvalidInput
from bot.domain.staff import Role, Staff
from bot.domain.webinars import (
    SessionDraft,
    TargetGroup,
    WebinarDraft,
    check_draft,
    due_reminder,
    is_audience,
)
from bot.services.attendance import attendance_table, parse_attendance_rows
from bot.services.directory import ImportRefused
from tests.conftest import DEFAULT_NOW

NOW = DEFAULT_NOW


def person(staff_id: int, *roles: Role, entity_id: int = 1) -> Staff:
    return Staff(staff_id, f"aad-{staff_id}", f"p{staff_id}@vlaanderen.be", f"P {staff_id}", entity_id, "DWSE", None,
                 date(2020, 1, 1), roles=frozenset({Role.STAFF, *roles}))


def session(start_in: timedelta, capacity: int = 100, url: str = "https://teams.example/j") -> SessionDraft:
    return SessionDraft(NOW + start_in, NOW + start_in + timedelta(hours=1), capacity, url)


def test_check_draft_reports_every_problem() -> None:
    draft = WebinarDraft(
        "", "Title", "", "", TargetGroup.ENTITIES, entity_codes=("XYZ",),
        sessions=(session(timedelta(days=-1)), session(timedelta(days=2), capacity=0, url="http://x")),
    )
    codes = {(p.where, p.code) for p in check_draft(draft, NOW, ["DWSE", "DV"])}
    assert codes == {
        ("title_nl", "empty"), ("entities", "unknown_entities"), ("sessions[0]", "in_past"),
        ("sessions[1]", "bad_capacity"), ("sessions[1]", "bad_url"),
    }
    good = WebinarDraft("Focus", "Focus", "", "", TargetGroup.ENTITIES, entity_codes=("dv",), sessions=(session(timedelta(days=2)),))
    assert check_draft(good, NOW, ["DWSE", "DV"]) == []


def test_audience_by_target_group() -> None:
    staff, manager, hr = person(1), person(2, Role.MANAGER), person(3, Role.HR, entity_id=2)
    assert all(is_audience(p, TargetGroup.ALL, frozenset()) for p in (staff, manager, hr))
    assert [is_audience(p, TargetGroup.MANAGERS, frozenset()) for p in (staff, manager, hr)] == [False, True, False]
    assert [is_audience(p, TargetGroup.HR, frozenset()) for p in (staff, manager, hr)] == [False, False, True]
    assert [is_audience(p, TargetGroup.ENTITIES, frozenset({2})) for p in (staff, manager, hr)] == [False, False, True]


@pytest.mark.parametrize(
    ("seated_before", "now_before", "sent", "expected"),
    [
        (timedelta(days=3), timedelta(hours=30), (), None),  # too early
        (timedelta(days=3), timedelta(hours=23), (), 24),
        (timedelta(days=3), timedelta(minutes=50), (24,), 1),
        (timedelta(days=3), timedelta(minutes=50), (24, 1), None),  # sent already
        (timedelta(days=3), timedelta(minutes=50), (), 1),  # missed the 24 h one: only the closest
        (timedelta(hours=2), timedelta(hours=1, minutes=30), (), None),  # signed up inside the 24 h window
        (timedelta(hours=2), timedelta(minutes=30), (), 1),
        (timedelta(days=3), timedelta(minutes=-5), (), None),  # started
    ],
)
def test_due_reminder(seated_before: timedelta, now_before: timedelta, sent: tuple[int, ...], expected: int | None) -> None:
    start = NOW + timedelta(days=5)
    assert due_reminder(start, start - seated_before, start - now_before, (24, 1), sent) == expected


def test_coaching_is_confidential_to_hr_and_the_assigned_coach() -> None:
    requester, manager, hr, coach, other_coach = person(1), person(2, Role.MANAGER), person(3, Role.HR), person(4, Role.COACH), person(5, Role.COACH)
    request = CoachingRequest(9, requester.id, CoachingKind.LEADERSHIP, "", CoachingStatus.ASSIGNED, date(2026, 11, 1), NOW, coach_id=coach.id)
    assert [coaching.may_view(p, request) for p in (requester, manager, hr, coach, other_coach)] == [True, False, True, True, False]
    with pytest.raises(Forbidden):
        coaching.check_follow_up(manager, request)
    with pytest.raises(Forbidden):
        coaching.check_assign(coach, request, other_coach)
    with pytest.raises(InvalidInput):
        coaching.check_assign(hr, request, manager)
    coaching.check_follow_up(coach, request)
    with pytest.raises(Conflict):
        coaching.check_follow_up(hr, CoachingRequest(**{**request.__dict__, "status": CoachingStatus.CLOSED}))
    with pytest.raises(Conflict):
        coaching.check_new_request({CoachingKind.LEADERSHIP}, CoachingKind.LEADERSHIP, "")
    with pytest.raises(InvalidInput):
        coaching.check_conversations(51)


def test_attendance_report_finds_the_table_after_summary_lines() -> None:
    rows = [
        ["Meeting Summary"], ["Total Number of Participants", "2"], [],
        ["Full Name", "Join Time", "Leave Time", "Duration", "Email", "Role"],
        ["Stan Staff", "x", "y", "1h", "Staff@Vlaanderen.be", "Attendee"],
        ["Guest", "x", "y", "1h", "", "Attendee"],
        [],
        ["Ignored", "after", "the", "table", "x@y.be", ""],
    ]
    lines, without_email = parse_attendance_rows(attendance_table(rows))
    assert [(line.line, line.email) for line in lines] == [(5, "staff@vlaanderen.be")]
    assert without_email == 1
    with pytest.raises(ImportRefused):
        parse_attendance_rows(attendance_table([["no", "table"], ["here"]]))
