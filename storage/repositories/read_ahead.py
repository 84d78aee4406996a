"""Reading ahead, in one statement, what the home-work rules ask one by one.

Registering a day asks for the entity's policy, the team's agreement, the staff member's
eligibility markings and what the day holds already; deciding on a home day asks for the day, the agreement and the markings;
every decision and approval card starts with the approval and its requester.
Each question was a round trip of its own, and a round trip to the database (a socket write and a
read, on both sides) is most of what a short statement costs. These statements fetch the answers
together and leave them in the repositories' memory for this unit of work, where the rules' own
questions find them: the rules are unchanged, and a question the read ahead did not cover still
goes to the database.

Portable SQL (scalar subqueries and an outer join), the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, exists, or_, select
from sqlalchemy.engine import Row

from bot.domain.homework import Ineligibility, TeamAgreement
from storage.models.approvals import ApprovalRow
from storage.models.directory import EntityRow, StaffRoleRow, StaffRow
from storage.models.homework import IneligibilityRow, TeamAgreementRow, WorkRegistrationRow
from storage.repositories.approvals import ApprovalRepository, _approval
from storage.repositories.core import CoreStatements
from storage.repositories.directory import _STAFF_COLUMNS, EntityRepository, StaffRepository, _staff_of
from storage.repositories.homework import RegistrationRepository, _ineligibility, _registration

_ENTITIES = EntityRow.__table__
_STAFF = StaffRow.__table__
_REGISTRATIONS = WorkRegistrationRow.__table__
_AGREEMENTS = TeamAgreementRow.__table__
_MARKINGS = IneligibilityRow.__table__
_APPROVALS = ApprovalRow.__table__
_ROLES = StaffRoleRow.__table__
_MARKING_PREFIX = "marking_"
_MARKING_COLUMNS = tuple(column.label(_MARKING_PREFIX + column.name) for column in _MARKINGS.columns)


def _agreement_of(manager_id: Any) -> tuple[ColumnElement[Any], ...]:
    """The team agreement's fields for a manager (a bound value, or a column of the outer query)."""
    of_manager = _AGREEMENTS.c.manager_id == manager_id
    return (
        exists().where(of_manager).label("agreement_exists"),
        select(_AGREEMENTS.c.anchor_weekdays).where(of_manager).scalar_subquery().label("agreement_anchor_weekdays"),
        select(_AGREEMENTS.c.min_office_days_per_week).where(of_manager).scalar_subquery().label("agreement_min_office_days"),
    )


def _markings_touching(staff_id: Any, first: Any, last: Any) -> ColumnElement[bool]:
    """Markings not lifted that cover at least one day from `first` to `last`."""
    return and_(
        _MARKINGS.c.staff_id == staff_id, _MARKINGS.c.lifted_at.is_(None), _MARKINGS.c.valid_from <= last,
        or_(_MARKINGS.c.valid_until.is_(None), _MARKINGS.c.valid_until >= first),
    )


# A registration: the entity's policy, the team agreement, the markings over the days asked, and
# whether any of those days is registered already.
_ANY_REGISTERED = exists().where(
    _REGISTRATIONS.c.staff_id == bindparam("staff_id"), _REGISTRATIONS.c.day >= bindparam("first_day"),
    _REGISTRATIONS.c.day <= bindparam("last_day"),
).label("any_registered")
_FOR_DAYS = (
    select(_ENTITIES.c.policy, *_agreement_of(bindparam("manager_id")), _ANY_REGISTERED, *_MARKING_COLUMNS)
    .select_from(_ENTITIES.outerjoin(
        _MARKINGS, _markings_touching(bindparam("staff_id"), bindparam("first_day"), bindparam("last_day"))
    ))
    .where(_ENTITIES.c.id == bindparam("entity_id"))
)
# A decision on a home day: the day, its staff member's team agreement, the markings on that day.
_FOR_REGISTRATION = (
    select(*_REGISTRATIONS.columns, _STAFF.c.manager_id.label("staff_manager_id"), *_agreement_of(_STAFF.c.manager_id), *_MARKING_COLUMNS)
    .select_from(
        _REGISTRATIONS.join(_STAFF, _STAFF.c.id == _REGISTRATIONS.c.staff_id)
        .outerjoin(_MARKINGS, _markings_touching(_REGISTRATIONS.c.staff_id, _REGISTRATIONS.c.day, _REGISTRATIONS.c.day))
    )
    .where(_REGISTRATIONS.c.id == bindparam("registration_id"))
)


# An approval and its requester (a row per role), the approval locked when asked.
_REQUESTER_PREFIX = "requester_staff_"  # not "requester_": approvals has requester_id
_FOR_APPROVAL = (
    select(
        *_APPROVALS.columns, *(column.label(_REQUESTER_PREFIX + column.key) for column in _STAFF_COLUMNS),
        _ENTITIES.c.code.label(_REQUESTER_PREFIX + "code"), _ROLES.c.role.label(_REQUESTER_PREFIX + "role"),
    )
    .select_from(
        _APPROVALS.join(_STAFF, _STAFF.c.id == _APPROVALS.c.requester_id)
        .join(_ENTITIES, _ENTITIES.c.id == _STAFF.c.entity_id)
        .outerjoin(_ROLES, _ROLES.c.staff_id == _STAFF.c.id)
    )
    .where(_APPROVALS.c.id == bindparam("approval_id"))
)
_FOR_APPROVAL_LOCKED = _FOR_APPROVAL.with_for_update(of=_APPROVALS)


def _prefixed(row: Row, prefix: str) -> SimpleNamespace:
    return SimpleNamespace(**{key[len(prefix):]: value for key, value in row._mapping.items() if key.startswith(prefix)})


def _agreement(manager_id: int, row: Row) -> TeamAgreement | None:
    if not row.agreement_exists:
        return None
    return TeamAgreement(manager_id, frozenset(int(d) for d in row.agreement_anchor_weekdays), row.agreement_min_office_days)


def _markings(rows: list[Row]) -> list[Ineligibility]:
    found = []
    for row in rows:
        values = _prefixed(row, _MARKING_PREFIX)
        if values.id is not None:
            found.append(_ineligibility(values))  # type: ignore[arg-type]
    return found


async def rules_for_days(
    sql: CoreStatements, entities: EntityRepository, registrations: RegistrationRepository, *,
    staff_id: int, entity_id: int, manager_id: int | None, first: date, last: date,
) -> None:
    rows = list(await sql.execute(_FOR_DAYS, {
        "entity_id": entity_id, "manager_id": manager_id, "staff_id": staff_id, "first_day": first, "last_day": last,
    }))
    if not rows:
        return  # no such entity: the rules' own questions say so
    entities.remember_policy(entity_id, rows[0].policy)
    if manager_id is not None:
        registrations.remember_agreement(manager_id, _agreement(manager_id, rows[0]))
    registrations.remember_markings(staff_id, first, last, _markings(rows))
    if not rows[0].any_registered:
        registrations.remember_no_registrations(staff_id, first, last)


async def rules_for_registration(sql: CoreStatements, registrations: RegistrationRepository, registration_id: int) -> None:
    rows = list(await sql.execute(_FOR_REGISTRATION, {"registration_id": registration_id}))
    if not rows:
        return
    registration = _registration(rows[0])
    registrations.remember(registration)
    manager_id = rows[0].staff_manager_id
    if manager_id is not None:
        registrations.remember_agreement(manager_id, _agreement(manager_id, rows[0]))
    registrations.remember_markings(registration.staff_id, registration.day, registration.day, _markings(rows))


async def approval_with_requester(
    sql: CoreStatements, approvals: ApprovalRepository, staff: StaffRepository, approval_id: int, *, lock: bool
) -> None:
    rows = list(await sql.execute(_FOR_APPROVAL_LOCKED if lock else _FOR_APPROVAL, {"approval_id": approval_id}))
    if not rows:
        return  # gone (or the requester is): the rules' own questions say so
    approvals.remember(_approval(rows[0]), locked=lock)
    staff.remember(_staff_of([_prefixed(row, _REQUESTER_PREFIX) for row in rows]))
