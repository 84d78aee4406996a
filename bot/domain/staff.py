"""Staff members and their roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Role(StrEnum):
    STAFF = "staff"
    MANAGER = "manager"
    HR = "hr"
    ADMIN = "admin"
    LOGISTICS = "logistics"
    COACH = "coach"


IMPORTABLE_ROLES = frozenset(Role)
# Who runs HR's work (webinars, broadcasts, reports, payroll, the coaching queue): HR and admins.
HR_ROLES = frozenset({Role.HR, Role.ADMIN})


@dataclass(frozen=True)
class Entity:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Staff:
    id: int
    aad_object_id: str
    email: str
    display_name: str
    entity_id: int
    entity_code: str
    manager_id: int | None
    start_date: date
    end_date: date | None = None
    language: str = "nl"
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.STAFF}))

    def has(self, *roles: Role) -> bool:
        """True if the staff member holds any of the given roles."""
        return any(role in self.roles for role in roles)

    @property
    def is_hr(self) -> bool:
        return self.has(*HR_ROLES)

    def in_service_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def months_in_service(self, on: date) -> int:
        """Whole months from the start date to `on` (0 before the first month is complete)."""
        months = (on.year - self.start_date.year) * 12 + on.month - self.start_date.month
        if on.day < self.start_date.day:
            months -= 1
        return max(months, 0)


@dataclass(frozen=True)
class StaffRecord:
    """A staff member as imported (directory file or Graph), before it has a database id."""

    aad_object_id: str
    email: str
    display_name: str
    entity_code: str
    entity_name: str
    manager_email: str | None
    start_date: date
    roles: frozenset[Role]
    language: str
    end_date: date | None = None
    keep_end_date: bool = True  # a file without the end_date column leaves the stored one alone
