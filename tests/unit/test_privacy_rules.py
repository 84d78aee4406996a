"""Privacy declarations: every table about staff is configured, coaching never reaches the manager
view, the retention cutoff."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import privacy as rules
from bot.domain.privacy import AreaVisibility, TableRule
from storage.models import Base
from storage.repositories.privacy import staff_foreign_keys


def test_every_table_with_a_foreign_key_to_staff_is_configured_or_excluded() -> None:
    tables = frozenset(staff_foreign_keys())
    missing = rules.unconfigured(tables)
    assert not missing, f"add these tables to bot/domain/privacy.py TABLES or EXCLUDED: {sorted(missing)}"
    assert not set(rules.TABLES) & set(rules.EXCLUDED)


def test_a_new_table_would_be_noticed() -> None:
    assert rules.unconfigured(frozenset({"work_registrations", "sick_notes"})) == frozenset({"sick_notes"})


def test_configured_columns_exist() -> None:
    """A renamed column would otherwise make retention silently skip it."""
    for name, rule in rules.TABLES.items():
        table = Base.metadata.tables.get(name)
        assert table is not None, name
        for column in (*rule.owner, *rule.free_text, *rule.personal, *((rule.date,) if rule.date else ())):
            assert column in table.c, f"{name}.{column}"


def test_coaching_is_hr_only_and_never_visible_to_managers() -> None:
    assert "coaching_requests" in rules.hr_only_tables()
    assert not rules.manager_visible_tables() & rules.hr_only_tables()
    view = rules.manager_view("Mia Manager", ())
    for area in view.areas:
        assert not any("coaching" in key for key in area.sees)
    coaching = next(area for area in view.areas if area.area == "coaching")
    assert coaching.sees == () and coaching.does_not_see


def test_a_declaration_leaking_hr_only_tables_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    leaking = (*rules.MANAGER_VISIBILITY, AreaVisibility("coaching", sees=("x",), tables=("coaching_requests",)))
    monkeypatch.setattr(rules, "MANAGER_VISIBILITY", leaking)
    with pytest.raises(ValueError, match="coaching_requests"):
        rules.manager_view("Mia Manager", ())


def test_manager_sees_what_the_issue_lists() -> None:
    sees = {key for area in rules.MANAGER_VISIBILITY for key in area.sees}
    hidden = {key for area in rules.MANAGER_VISIBILITY for key in area.does_not_see}
    assert {"privacy.sees.registered_days", "privacy.sees.homework_approvals", "privacy.sees.eligibility",
            "privacy.sees.regular_homework"} <= sees
    assert {"privacy.hidden.coaching", "privacy.hidden.allowance_payment", "privacy.hidden.webinar_signups",
            "privacy.hidden.export"} <= hidden


@pytest.mark.parametrize(
    ("today", "months", "cutoff"),
    [
        (date(2026, 11, 22), 60, date(2021, 11, 22)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
    ],
)
def test_retention_cutoff(today: date, months: int, cutoff: date) -> None:
    assert rules.retention_cutoff(today, months) == cutoff


def test_retention_needs_a_positive_period() -> None:
    with pytest.raises(ValueError):
        rules.retention_cutoff(date(2026, 11, 22), 0)


def test_leavers_and_anonymised_markers() -> None:
    cutoff = date(2021, 11, 22)
    assert rules.left_before(date(2019, 1, 31), cutoff)
    assert not rules.left_before(None, cutoff)
    assert not rules.left_before(cutoff, cutoff)
    assert rules.is_anonymised(rules.ANONYMISED_PREFIX + "abc")
    assert not rules.is_anonymised("aaaaaaaa-0000-0000-0000-000000000003")


def test_audit_subjects_resolve_to_tables() -> None:
    known = frozenset(Base.metadata.tables)
    assert rules.audit_subject_table("work_registration", known) == "work_registrations"
    assert rules.audit_subject_table("approval", known) == "approvals"
    assert rules.audit_subject_table("file", known) is None


def test_table_rule_defaults_keep_rows() -> None:
    assert TableRule(owner=("staff_id",)).retention == "keep"
