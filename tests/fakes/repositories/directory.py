"""Entities, staff, audit, conversation references, job claims and the outbox, in memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.domain.conversations import StoredReference
from bot.domain.notifications import Notice
from bot.domain.policy import EntityPolicy
from bot.domain.staff import Entity, Role, Staff, StaffRecord

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase


class FakeEntityRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def get(self, entity_id: int) -> Entity | None:
        return self.db.table("entities").get(entity_id)

    async def get_by_code(self, code: str) -> Entity | None:
        return next((e for e in self.db.table("entities").values() if e.code == code), None)

    async def list_all(self) -> list[Entity]:
        return sorted(self.db.table("entities").values(), key=lambda e: e.code)

    async def policy(self, entity_id: int) -> EntityPolicy:
        return self.db.table("entity_policies").get(entity_id) or EntityPolicy()

    async def set_policy(self, entity_id: int, policy: EntityPolicy) -> None:
        self.db.table("entity_policies")[entity_id] = policy

    async def upsert(self, code: str, name: str) -> tuple[Entity, bool]:
        existing = await self.get_by_code(code)
        if existing is None:
            return self.db.add_entity(code, name), True
        renamed = replace(existing, name=name)
        self.db.table("entities")[existing.id] = renamed
        return renamed, False


class FakeStaffRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _all(self) -> list[Staff]:
        return list(self.db.table("staff").values())

    async def get(self, staff_id: int) -> Staff | None:
        return self.db.table("staff").get(staff_id)

    async def get_by_aad(self, aad_object_id: str) -> Staff | None:
        return next((s for s in self._all() if s.aad_object_id == aad_object_id), None)

    async def get_by_email(self, email: str) -> Staff | None:
        wanted = email.strip().lower()
        return next((s for s in self._all() if s.email.lower() == wanted), None)

    async def list_by_ids(self, ids: list[int]) -> list[Staff]:
        by_id = {s.id: s for s in self._all()}
        return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]

    async def list_reports(self, manager_id: int) -> list[Staff]:
        return sorted((s for s in self._all() if s.manager_id == manager_id), key=lambda s: s.display_name)

    async def list_by_role(self, role: Role) -> list[Staff]:
        return [s for s in self._all() if role in s.roles]

    async def count(self) -> int:
        return len(self._all())

    async def snapshot(self, aad_object_id: str) -> dict[str, Any] | None:
        staff = await self.get_by_aad(aad_object_id)
        if staff is None:
            return None
        return {
            "aad_object_id": staff.aad_object_id, "email": staff.email, "display_name": staff.display_name,
            "entity_id": staff.entity_id, "manager_id": staff.manager_id, "start_date": staff.start_date.isoformat(),
            "language": staff.language, "roles": sorted(staff.roles),
        }

    async def upsert(self, record: StaffRecord, entity_id: int, manager_id: int | None, today: date) -> tuple[int, bool]:
        entity = self.db.table("entities")[entity_id]
        existing = await self.get_by_aad(record.aad_object_id)
        staff_id = existing.id if existing else self.db.next_id("staff")
        self.db.table("staff")[staff_id] = Staff(
            id=staff_id, aad_object_id=record.aad_object_id, email=record.email.lower(), display_name=record.display_name,
            entity_id=entity_id, entity_code=entity.code, manager_id=manager_id, start_date=record.start_date,
            end_date=existing.end_date if existing else None, language=record.language,
            roles=frozenset(record.roles | {Role.STAFF}),
        )
        return staff_id, existing is None

    async def set_manager(self, staff_id: int, manager_id: int | None) -> None:
        staff = self.db.table("staff")[staff_id]
        self.db.table("staff")[staff_id] = replace(staff, manager_id=manager_id)


class FakeAuditRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def record(
        self, actor: str, action: str, subject_type: str, subject_id: object,
        before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
    ) -> None:
        row_id = self.db.next_id("audit")
        self.db.table("audit")[row_id] = {
            "actor": actor, "action": action, "subject_type": subject_type, "subject_id": str(subject_id),
            "before": before, "after": after,
        }


class FakeConversationRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def get(self, aad_object_id: str) -> StoredReference | None:
        return self.db.table("conversations").get(aad_object_id)

    async def get_many(self, aad_object_ids: list[str]) -> dict[str, StoredReference]:
        table = self.db.table("conversations")
        return {aad: table[aad] for aad in aad_object_ids if aad in table}

    async def save(self, ref: StoredReference) -> bool:
        table = self.db.table("conversations")
        changed = table.get(ref.aad_object_id) != ref
        table[ref.aad_object_id] = replace(ref, usable=True)
        return changed

    async def mark_unusable(self, aad_object_id: str, reason: str) -> None:
        table = self.db.table("conversations")
        if aad_object_id in table:
            table[aad_object_id] = replace(table[aad_object_id], usable=False)


class FakeJobClaimRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def claim(self, job: str, slot: str, instance: str) -> bool:
        claims = self.db.table("job_claims")
        if (job, slot) in claims:
            return False
        claims[(job, slot)] = instance
        return True

    async def delete_before(self, before: datetime) -> int:
        return 0


class FakeOutboxRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def add(self, recipient_id: int, notice: Notice, due_at: datetime) -> None:
        # Stored as the dispatcher would read it back: through JSON, so a payload that does not
        # survive serialisation fails here, not at delivery.
        restored = type(notice).model_validate_json(notice.model_dump_json())
        self.db.table("outbox")[self.db.next_id("outbox")] = {"recipient_id": recipient_id, "notice": restored, "due_at": due_at}
