"""Personal data in memory. Besides the staff table, the conversation references and the audit
log, a person's rows live in the "personal_rows" table as plain dicts:

    {"table": "work_registrations", "owner": staff_id, "date": date, "free_text": "Gent", "log": False}

Retention treats them as the declarations say: free text blanked once older than the cutoff (or
when the owner is anonymised), logs deleted. Deputies are {"manager_id", "deputy_id",
"valid_from", "valid_until"} rows of "deputies".
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.domain import privacy as rules
from bot.domain.privacy import PersonalExport

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase

_tokens = itertools.count(1)


class FakePrivacyRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _rows(self) -> dict[int, dict[str, Any]]:
        return self.db.table("personal_rows")

    # -- export -----------------------------------------------------------------------------------
    async def export_person(self, staff_id: int) -> PersonalExport | None:
        staff = self.db.table("staff").get(staff_id)
        if staff is None:
            return None
        export = PersonalExport()
        export.tables[rules.STAFF_TABLE] = [{
            "id": staff.id, "aad_object_id": staff.aad_object_id, "email": staff.email, "display_name": staff.display_name,
            "entity_id": staff.entity_id, "manager_id": staff.manager_id, "start_date": staff.start_date.isoformat(),
        }]
        for row_id, row in sorted(self._rows().items()):
            if row["owner"] == staff_id:
                export.tables.setdefault(row["table"], []).append({"id": row_id, **row})
        reference = self.db.table("conversations").get(staff.aad_object_id)
        if reference is not None:
            export.conversation = {"conversation_id": reference.conversation_id, "service_url": reference.service_url}
        export.audit = [
            {"action": row["action"], "subject_type": row["subject_type"], "subject_id": row["subject_id"]}
            for row in self.db.table("audit").values() if row["actor"] == f"staff:{staff_id}"
        ]
        return export

    async def deputies_on(self, manager_id: int, day: date) -> list[str]:
        staff = self.db.table("staff")
        return sorted(
            staff[row["deputy_id"]].display_name for row in self.db.table("deputies").values()
            if row["manager_id"] == manager_id and row["valid_from"] <= day <= row["valid_until"]
        )

    # -- retention --------------------------------------------------------------------------------
    async def staff_to_anonymise(self, cutoff: date) -> list[int]:
        return sorted(
            s.id for s in self.db.table("staff").values()
            if rules.left_before(s.end_date, cutoff) and not rules.is_anonymised(s.aad_object_id)
        )

    async def anonymise(self, staff_id: int) -> dict[str, int]:
        staff = self.db.table("staff").get(staff_id)
        if staff is None or rules.is_anonymised(staff.aad_object_id):
            return {}
        token = f"token{next(_tokens)}"
        self.db.table("staff")[staff_id] = replace(
            staff, aad_object_id=rules.ANONYMISED_PREFIX + token, email=f"{token}@{rules.ANONYMISED_EMAIL_DOMAIN}",
            display_name=rules.ANONYMISED_NAME, manager_id=None,
        )
        changed: dict[str, int] = {rules.STAFF_TABLE: 1}
        for row_id, row in list(self._rows().items()):
            if row["owner"] == staff_id:
                self._forget(row_id, row, changed)
        if self.db.table("conversations").pop(staff.aad_object_id, None) is not None:
            changed["conversation_references"] = 1
        return changed

    def _forget(self, row_id: int, row: dict[str, Any], changed: dict[str, int]) -> None:
        if row["log"]:
            del self._rows()[row_id]
        elif row["free_text"]:
            row["free_text"] = None
        else:
            return
        changed[row["table"]] = changed.get(row["table"], 0) + 1

    def _old(self, row: dict[str, Any], cutoff: date) -> bool:
        return row["date"] < cutoff and (row["log"] or bool(row["free_text"]))

    async def staff_with_old_rows(self, cutoff: date, cutoff_at: datetime) -> list[int]:
        return sorted({row["owner"] for row in self._rows().values() if self._old(row, cutoff)})

    async def age_out(self, staff_id: int, cutoff: date, cutoff_at: datetime) -> dict[str, int]:
        changed: dict[str, int] = {}
        for row_id, row in list(self._rows().items()):
            if row["owner"] == staff_id and self._old(row, cutoff):
                self._forget(row_id, row, changed)
        return changed

    async def strip_old_audit(self, cutoff_at: datetime) -> int:
        stripped = 0
        for row in self.db.table("audit").values():
            if row.get("at") is not None and row["at"] < cutoff_at and (row["before"] is not None or row["after"] is not None):
                row["before"] = row["after"] = None
                stripped += 1
        return stripped
