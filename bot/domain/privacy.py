"""Privacy rules: which stored rows belong to whom, what retention does to them, and what a line
manager can see about a staff member. Pure declarations and functions; the storage layer applies
them to whatever tables exist (see storage/repositories/privacy.py).

Every table with a foreign key to staff.id must be either configured in TABLES or listed in
EXCLUDED with a reason (a test checks it), so a table added later cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

STAFF_TABLE = "staff"
# What an anonymised staff row carries instead of a name, an e-mail address and an object id.
ANONYMISED_PREFIX = "anonymised:"
ANONYMISED_NAME = "-"
ANONYMISED_EMAIL_DOMAIN = "anonymised.invalid"
# Staff columns that identify a person; blanked or replaced when a person is anonymised.
STAFF_IDENTIFYING = ("aad_object_id", "email", "display_name", "department")

Retention = Literal["keep", "delete"]


@dataclass(frozen=True)
class TableRule:
    """How one table is treated.

    owner: columns naming the person a row is about (their export, their retention).
    date: the column that says how old a row is (retention); None: the row never ages out.
    free_text: columns blanked once the row is older than the cutoff.
    personal: extra columns blanked only when the person is anonymised entirely (e.g. a customer
        number still needed while the allowance runs).
    retention: "keep" keeps old rows (the reports count them); "delete" removes them (logs).
    hr_only: only HR may see these rows about someone else (never listed to a manager).
    others: columns that name or reach someone else (the approver's chat and card, a notice's
        content naming the sender, who recorded a choice); the owner's export leaves them empty
        unless they hold the owner's own id. Columns referring to staff.id are treated so without
        being listed.
    """

    owner: tuple[str, ...]
    date: str | None = None
    free_text: tuple[str, ...] = ()
    personal: tuple[str, ...] = ()
    retention: Retention = "keep"
    hr_only: bool = False
    others: tuple[str, ...] = ()


TABLES: Mapping[str, TableRule] = {
    STAFF_TABLE: TableRule(owner=("id",)),
    "staff_roles": TableRule(owner=("staff_id",)),
    "staff_assignments": TableRule(owner=("staff_id",)),
    "work_registrations": TableRule(owner=("staff_id",), date="day", free_text=("satellite_location",)),
    # What a registration replaced, kept for its Undo only: it ages out like a log.
    "registration_changes": TableRule(owner=("staff_id",), date="made_at", retention="delete"),
    "hybrid_ineligibility": TableRule(owner=("staff_id",), date="valid_from", free_text=("note",)),
    "team_agreements": TableRule(owner=("manager_id",)),
    "equipment_requests": TableRule(owner=("staff_id",), date="requested_on", free_text=("justification", "note")),
    "internet_allowance_choices": TableRule(
        owner=("staff_id",), date="effective_from", personal=("customer_number",), others=("recorded_by",),
    ),
    "regular_homework_confirmations": TableRule(owner=("staff_id",), date="confirmed_at"),
    "webinar_registrations": TableRule(owner=("staff_id",), date="registered_at"),
    "coaching_requests": TableRule(owner=("staff_id",), date="requested_on", free_text=("note",), hr_only=True),
    # The card sits in the approver's personal chat: its ids are the approver's, not the requester's.
    "approvals": TableRule(
        owner=("requester_id",), date="created_at", free_text=("comment",), others=("card_activity_id", "card_conversation_id"),
    ),
    "deputies": TableRule(owner=("manager_id",), date="valid_until"),
    "broadcast_deliveries": TableRule(owner=("staff_id",), date="updated_at", retention="delete"),
    "pending_files": TableRule(owner=("staff_id",), date="created_at", retention="delete"),
    # What the bot told (or is about to tell) the person: they received it, so it is theirs; the
    # notice's content names others (the manager who decided), so only its kind and dates go out.
    "outbox": TableRule(owner=("recipient_id",), date="created_at", retention="delete", others=("payload",)),
}

# Tables with a foreign key to staff.id that hold no data about that person, with the reason.
EXCLUDED: Mapping[str, str] = {
    "webinars": "created_by only says who entered a catalogue entry",
    "broadcasts": "created_by only says who sent an announcement; its deliveries are configured",
}

# Audit subject types whose subject is a row of a table (to tell whose data a change was about).
AUDIT_SUBJECT_TABLES: Mapping[str, str] = {
    "staff": STAFF_TABLE,
    "work_registration": "work_registrations",
    "homework_day": "work_registrations",
    "equipment_request": "equipment_requests",
    "coaching_request": "coaching_requests",
    "hybrid_ineligibility": "hybrid_ineligibility",
    "webinar_registration": "webinar_registrations",
    "approval": "approvals",
}


def audit_subject_table(subject_type: str, known_tables: frozenset[str]) -> str | None:
    """The table an audit subject type refers to, if any."""
    if subject_type in AUDIT_SUBJECT_TABLES:
        return AUDIT_SUBJECT_TABLES[subject_type]
    for candidate in (subject_type, subject_type + "s"):
        if candidate in known_tables:
            return candidate
    return None


def unconfigured(tables_referring_to_staff: frozenset[str]) -> frozenset[str]:
    """Tables with a foreign key to staff.id that are neither configured nor excluded."""
    return frozenset(name for name in tables_referring_to_staff if name not in TABLES and name not in EXCLUDED)


def retention_cutoff(today: date, months: int) -> date:
    """The first day that is kept: `months` calendar months before today (clamped to month end)."""
    if months < 1:
        raise ValueError("retention must be at least one month")
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last_day = 31
    while True:
        try:
            return date(year, month, min(today.day, last_day))
        except ValueError:
            last_day -= 1


def is_anonymised(aad_object_id: str) -> bool:
    return aad_object_id.startswith(ANONYMISED_PREFIX)


def left_before(end_date: date | None, cutoff: date) -> bool:
    """Staff who left service before the cutoff are anonymised entirely."""
    return end_date is not None and end_date < cutoff


@dataclass
class PersonalExport:
    """Everything stored about one person, as plain values (one list of rows per table): their own
    rows, the rows about others where they acted (which row, in which capacity, when), their
    conversation reference and their audit trail."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    actions: list[dict[str, Any]] = field(default_factory=list)
    conversation: dict[str, Any] | None = None
    audit: list[dict[str, Any]] = field(default_factory=list)


# -- what a line manager can see ------------------------------------------------------------


@dataclass(frozen=True)
class AreaVisibility:
    """What a line manager sees of one area about their staff member, and what not.

    `tables` are the tables whose rows the manager sees; an hr_only table may never be among them.
    """

    area: str
    sees: tuple[str, ...] = ()
    does_not_see: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()


MANAGER_VISIBILITY: tuple[AreaVisibility, ...] = (
    AreaVisibility(
        "homework",
        sees=("privacy.sees.registered_days", "privacy.sees.homework_approvals", "privacy.sees.eligibility"),
        tables=("work_registrations", "approvals", "hybrid_ineligibility"),
    ),
    AreaVisibility("equipment", sees=("privacy.sees.equipment_requests",), tables=("equipment_requests", "approvals")),
    AreaVisibility(
        "allowance",
        sees=("privacy.sees.regular_homework",),
        does_not_see=("privacy.hidden.allowance_payment",),
        tables=("regular_homework_confirmations",),
    ),
    AreaVisibility("webinars", does_not_see=("privacy.hidden.webinar_signups",)),
    AreaVisibility("coaching", does_not_see=("privacy.hidden.coaching",)),
    AreaVisibility("privacy", does_not_see=("privacy.hidden.export",)),
)


def manager_visible_tables(visibility: tuple[AreaVisibility, ...] | None = None) -> frozenset[str]:
    return frozenset(table for area in (visibility or MANAGER_VISIBILITY) for table in area.tables)


def hr_only_tables(tables: Mapping[str, TableRule] | None = None) -> frozenset[str]:
    return frozenset(name for name, rule in (tables or TABLES).items() if rule.hr_only)


@dataclass(frozen=True)
class ManagerView:
    """The card's content: the manager, any active deputies, and the declaration per area."""

    manager_name: str | None
    deputy_names: tuple[str, ...]
    areas: tuple[AreaVisibility, ...]


def manager_view(manager_name: str | None, deputy_names: tuple[str, ...]) -> ManagerView:
    leaked = manager_visible_tables() & hr_only_tables()
    if leaked:  # a declaration error, never shown to anyone
        raise ValueError(f"HR-only tables declared visible to managers: {sorted(leaked)}")
    return ManagerView(manager_name, deputy_names, MANAGER_VISIBILITY)
