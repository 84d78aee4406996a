"""Where staff sit in the organisation (manager and department) as Microsoft Graph reports it,
and how a Graph answer changes what the directory holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class StaffOrg:
    """What the directory holds about one current staff member's place in the organisation."""

    staff_id: int
    aad_object_id: str
    manager_id: int | None
    department: str | None


@dataclass(frozen=True)
class GraphOrg:
    """Graph's answer for one person: the manager's object id and the department (None: none)."""

    manager_aad: str | None
    department: str | None


@dataclass(frozen=True)
class OrgUpdate:
    manager_id: int | None
    department: str | None
    # Graph names a manager who is not in the directory (the manager the directory had is kept).
    unknown_manager: bool


def org_update(person: StaffOrg, answer: GraphOrg, manager_ids: Mapping[str, int]) -> OrgUpdate:
    """The manager and department the directory should hold after Graph's answer. A manager Graph
    names who is not in the directory, or the person themselves, never erases the manager the
    directory already has; the department is Graph's."""
    manager_id = manager_ids.get(answer.manager_aad) if answer.manager_aad else None
    unknown = bool(answer.manager_aad) and manager_id is None
    if unknown or manager_id == person.staff_id:
        manager_id = person.manager_id
    return OrgUpdate(manager_id, answer.department, unknown)
