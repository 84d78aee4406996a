from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.approvals import (
    Approval,
    ApprovalStatus,
    Deputy,
    check_comment,
    check_deputy,
    decides_without_deputies,
    escalation_due,
    may_decide,
    may_view,
    reminder_due,
    thresholds,
)
from bot.domain.calendar import is_working_day, working_days_between
from bot.domain.errors import InvalidInput
from bot.domain.policy import EntityPolicy
from bot.domain.staff import Role, Staff


def person(staff_id: int, manager_id: int | None = None, *roles: Role, entity_id: int = 1, end: date | None = None) -> Staff:
    return Staff(
        id=staff_id, aad_object_id=f"aad-{staff_id}", email=f"p{staff_id}@vlaanderen.be", display_name=f"P{staff_id}",
        entity_id=entity_id, entity_code="DWSE", manager_id=manager_id, start_date=date(2020, 1, 1), end_date=end,
        roles=frozenset({Role.STAFF, *roles}),
    )


DIRECTOR = person(1, None, Role.MANAGER)
MANAGER = person(2, 1, Role.MANAGER)
STAFF = person(3, 2)
PEER = person(4, 1)
ADMIN = person(6, 1, Role.ADMIN)
STRANGER = person(9, 8, Role.MANAGER, entity_id=2)


def approval(**overrides: object) -> Approval:
    values: dict[str, object] = {
        "id": 7, "subject_type": "test_request", "subject_id": 1, "requester_id": STAFF.id, "approver_id": MANAGER.id,
        "status": ApprovalStatus.PENDING, "created_at": datetime(2026, 11, 20, 9, tzinfo=UTC),
    }
    values.update(overrides)
    return Approval(**values)  # type: ignore[arg-type]


class TestWhoMayDecide:
    def test_the_manager_may(self) -> None:
        assert may_decide(MANAGER, approval(), STAFF, set())

    def test_an_admin_may(self) -> None:
        assert may_decide(ADMIN, approval(), STAFF, set())

    def test_a_deputy_of_the_manager_may(self) -> None:
        assert may_decide(PEER, approval(), STAFF, {MANAGER.id})

    def test_a_colleague_without_deputyship_may_not(self) -> None:
        assert not may_decide(PEER, approval(), STAFF, set())

    def test_another_manager_may_not(self) -> None:
        assert not may_decide(STRANGER, approval(), STAFF, set())

    def test_a_deputy_of_someone_else_may_not(self) -> None:
        assert not may_decide(PEER, approval(), STAFF, {STRANGER.id})

    def test_nobody_decides_their_own_request_not_even_an_admin(self) -> None:
        own = approval(requester_id=ADMIN.id, approver_id=MANAGER.id)
        assert not may_decide(ADMIN, own, ADMIN, set())

    def test_after_escalation_both_the_new_approver_and_the_manager_may(self) -> None:
        escalated = approval(approver_id=DIRECTOR.id)
        assert may_decide(DIRECTOR, escalated, STAFF, set())
        assert may_decide(MANAGER, escalated, STAFF, set())

    def test_only_someone_deciding_as_a_deputy_needs_the_deputies_read(self) -> None:
        # The access check reads whom the actor stands in for only when this says None.
        assert decides_without_deputies(MANAGER, approval(), STAFF) is True
        assert decides_without_deputies(DIRECTOR, approval(approver_id=DIRECTOR.id), STAFF) is True
        assert decides_without_deputies(ADMIN, approval(), STAFF) is True
        assert decides_without_deputies(STAFF, approval(), STAFF) is False
        assert decides_without_deputies(PEER, approval(), STAFF) is None
        assert decides_without_deputies(STRANGER, approval(), STAFF) is None

    def test_the_requester_may_view_but_not_decide(self) -> None:
        assert may_view(STAFF, approval(), STAFF, set())
        assert not may_decide(STAFF, approval(), STAFF, set())
        assert not may_view(STRANGER, approval(), STAFF, set())


class TestWorkingDays:
    def test_weekends_and_belgian_holidays_are_not_working_days(self) -> None:
        assert not is_working_day(date(2026, 11, 21))  # Saturday
        assert not is_working_day(date(2026, 11, 11))  # Armistice, a Wednesday
        assert not is_working_day(date(2026, 12, 25))  # Christmas, a Friday
        assert is_working_day(date(2026, 11, 23))

    def test_counts_days_after_the_start_up_to_the_end(self) -> None:
        assert working_days_between(date(2026, 11, 22), date(2026, 11, 22)) == 0
        assert working_days_between(date(2026, 11, 22), date(2026, 11, 24)) == 2
        # 9 Nov (Mon) to 13 Nov (Fri): 10, 12, 13 count; the 11th is a holiday.
        assert working_days_between(date(2026, 11, 9), date(2026, 11, 13)) == 3
        assert working_days_between(date(2026, 12, 24), date(2026, 12, 28)) == 1

    def test_reminder_and_escalation_become_due_after_their_working_days(self) -> None:
        created = date(2026, 11, 20)  # Friday
        pending = approval()
        assert not reminder_due(pending, date(2026, 11, 23), created, 2)
        assert reminder_due(pending, date(2026, 11, 24), created, 2)
        assert not reminder_due(approval(reminded_at=datetime(2026, 11, 24, tzinfo=UTC)), date(2026, 11, 25), created, 2)
        assert not reminder_due(approval(status=ApprovalStatus.APPROVED), date(2026, 11, 30), created, 2)
        assert not escalation_due(pending, date(2026, 11, 26), created, 5)
        assert escalation_due(pending, date(2026, 11, 27), created, 5)
        assert not escalation_due(approval(escalated_at=datetime(2026, 11, 27, tzinfo=UTC)), date(2026, 12, 4), created, 5)

    def test_zero_days_switches_reminders_off(self) -> None:
        assert not reminder_due(approval(), date(2026, 12, 31), date(2026, 11, 20), 0)

    def test_home_work_days_use_the_homework_policy_others_the_approval_policy(self) -> None:
        policy = EntityPolicy.from_json(
            {"homework": {"reminder_after_working_days": 1, "escalate_after_working_days": 3},
             "approvals": {"reminder_after_working_days": 4, "escalate_after_working_days": 8}}
        )
        assert thresholds(policy, "homework_day") == (1, 3)
        assert thresholds(policy, "equipment_request") == (4, 8)


class TestDeputiesAndComments:
    today = date(2026, 11, 22)

    def test_a_valid_deputy_passes(self) -> None:
        check_deputy(MANAGER, PEER, self.today, date(2026, 12, 5), self.today)

    @pytest.mark.parametrize(
        ("deputy", "start", "end", "key"),
        [
            (MANAGER, date(2026, 11, 22), date(2026, 11, 30), "approvals.deputy_self"),
            (PEER, date(2026, 11, 30), date(2026, 11, 22), "approvals.deputy_dates_order"),
            (PEER, date(2026, 11, 1), date(2026, 11, 20), "approvals.deputy_in_past"),
            (PEER, date(2026, 11, 22), date(2028, 1, 1), "approvals.deputy_too_long"),
            (person(5, 1, end=date(2026, 10, 31)), date(2026, 11, 22), date(2026, 11, 30), "approvals.deputy_not_in_service"),
        ],
    )
    def test_bad_deputies_are_refused(self, deputy: Staff, start: date, end: date, key: str) -> None:
        with pytest.raises(InvalidInput) as error:
            check_deputy(MANAGER, deputy, start, end, self.today)
        assert error.value.key == key

    def test_a_deputy_is_active_from_and_until_inclusive(self) -> None:
        deputy = Deputy(1, MANAGER.id, PEER.id, date(2026, 11, 23), date(2026, 11, 27))
        assert [deputy.active_on(date(2026, 11, d)) for d in (22, 23, 27, 28)] == [False, True, True, False]

    def test_comments_are_trimmed_and_limited(self) -> None:
        assert check_comment("  ok  ") == "ok"
        assert check_comment("   ") is None
        with pytest.raises(InvalidInput):
            check_comment("x" * 1001)
