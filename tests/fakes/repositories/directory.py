"""Entities, staff, audit, conversation references, job claims and the outbox, in memory."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.domain.conversations import StoredReference
from bot.domain.notifications import Notice, UnsentNotice
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
            "end_date": staff.end_date.isoformat() if staff.end_date else None,
            "language": staff.language, "roles": sorted(staff.roles),
            "assignments": [
                [row["entity_id"], row["valid_from"].isoformat(), row["valid_until"].isoformat() if row["valid_until"] else None]
                for row in self._assignments(staff.id)
            ],
        }

    def _assignments(self, staff_id: int) -> list[dict[str, Any]]:
        """The entity history, in the table the history fake reads ("history_assignments")."""
        rows = [row for row in self.db.table("history_assignments").values() if row["staff_id"] == staff_id]
        return sorted(rows, key=lambda row: row["valid_from"])

    def _assign(self, staff_id: int, entity_id: int, valid_from: date) -> None:
        self.db.table("history_assignments")[self.db.next_id("history_assignments")] = {
            "staff_id": staff_id, "entity_id": entity_id, "valid_from": valid_from, "valid_until": None,
        }

    async def upsert(self, record: StaffRecord, entity_id: int, manager_id: int | None, effective: date) -> tuple[int, bool]:
        entity = self.db.table("entities")[entity_id]
        existing = await self.get_by_aad(record.aad_object_id)
        staff_id = existing.id if existing else self.db.next_id("staff")
        if existing is None:
            self._assign(staff_id, entity_id, record.start_date)
        elif existing.entity_id != entity_id:
            table = self.db.table("history_assignments")
            for row_id, row in list(table.items()):
                if row["staff_id"] != staff_id:
                    continue
                if row["valid_from"] >= effective:
                    del table[row_id]
                elif row["valid_until"] is None or row["valid_until"] > effective:
                    row["valid_until"] = effective
            self._assign(staff_id, entity_id, effective)
        end_date = existing.end_date if existing else None
        self.db.table("staff")[staff_id] = Staff(
            id=staff_id, aad_object_id=record.aad_object_id, email=record.email.lower(), display_name=record.display_name,
            entity_id=entity_id, entity_code=entity.code, manager_id=manager_id, start_date=record.start_date,
            end_date=end_date if record.keep_end_date else record.end_date, language=record.language,
            roles=frozenset(record.roles | {Role.STAFF}),
        )
        return staff_id, existing is None

    async def list_in_service(self, entity_ids: list[int], today: date) -> list[Staff]:
        return sorted(
            (s for s in self._all() if s.entity_id in set(entity_ids) and (s.end_date is None or s.end_date >= today)),
            key=lambda s: s.email,
        )

    async def set_end_date(self, staff_id: int, end_date: date | None) -> None:
        self.db.table("staff")[staff_id] = replace(self.db.table("staff")[staff_id], end_date=end_date)

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

    async def teams_user_ids(self, staff_ids: Iterable[int], *, with_deputies_on: date, excluding: int) -> list[str]:
        people = set(staff_ids)
        people |= {d.deputy_id for d in self.db.table("deputies").values() if d.manager_id in people and d.active_on(with_deputies_on)}
        people.discard(excluding)
        staff, references = self.db.table("staff"), self.db.table("conversations")
        found = (references.get(staff[i].aad_object_id) for i in people if i in staff)
        return sorted({ref.user_id for ref in found if ref is not None and ref.user_id})

    async def reach(self, staff_id: int) -> tuple[str, StoredReference | None] | None:
        staff = self.db.table("staff").get(staff_id)
        if staff is None:
            return None
        return staff.language, self.db.table("conversations").get(staff.aad_object_id)

    async def save(self, ref: StoredReference) -> bool:
        table = self.db.table("conversations")
        stored = table.get(ref.aad_object_id)
        # The locale last seen: an activity without one keeps the stored locale.
        saved = replace(ref, usable=True, locale=ref.locale or (stored.locale if stored else None))
        table[ref.aad_object_id] = saved
        return stored != saved

    async def mark_unusable(self, aad_object_id: str, reason: str) -> None:
        table = self.db.table("conversations")
        if aad_object_id in table:
            table[aad_object_id] = replace(table[aad_object_id], usable=False)


class FakeJobClaimRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    async def claim(self, job: str, slot: str, instance: str, now: datetime, lease: timedelta) -> bool:
        claims = self.db.table("job_claims")
        held = claims.get((job, slot))
        if held is not None and (held["finished"] or held["until"] >= now):
            return False
        claims[(job, slot)] = {"by": instance, "until": now + lease, "finished": False}
        return True

    async def renew(self, job: str, slot: str, instance: str, now: datetime, lease: timedelta) -> bool:
        held = self.db.table("job_claims").get((job, slot))
        if held is None or held["by"] != instance or held["finished"]:
            return False
        held["until"] = now + lease
        return True

    async def finish(self, job: str, slot: str, instance: str, now: datetime) -> None:
        held = self.db.table("job_claims").get((job, slot))
        if held is not None and held["by"] == instance:
            held["finished"] = True

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

    async def unsent(self, notice_type: type[Any], recipient_ids: Sequence[int], now: datetime) -> list[UnsentNotice[Any]]:
        # Nothing is ever delivered here: every row recorded is still unsent.
        return [
            UnsentNotice(row_id, row["recipient_id"], row["notice"], row["due_at"])
            for row_id, row in sorted(self.db.table("outbox").items())
            if isinstance(row["notice"], notice_type) and row["recipient_id"] in recipient_ids
        ]

    async def withdraw(self, notification_ids: Sequence[int]) -> None:
        for row_id in notification_ids:
            self.db.table("outbox").pop(row_id, None)
