"""Entities, staff, audit, conversation references and job claims."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.conversations import StoredReference
from bot.domain.policy import EntityPolicy
from bot.domain.staff import Entity, Role, Staff, StaffRecord
from storage.models.approvals import DeputyRow
from storage.models.base import utcnow
from storage.models.directory import (
    AuditRow,
    ConversationReferenceRow,
    EntityRow,
    JobClaimRow,
    StaffAssignmentRow,
    StaffRoleRow,
    StaffRow,
)
from storage.repositories.core import CoreStatements, PendingInsert


class EntityRepository:
    def __init__(self, session: AsyncSession, sql: CoreStatements | None = None) -> None:
        self.session = session
        self.sql = sql or CoreStatements(session)
        # Policies read in this unit of work (frozen models): a use case and the rules it calls
        # each ask for the policy, and the card for the same turn asks again.
        self._policies: dict[int, EntityPolicy] = {}

    async def get(self, entity_id: int) -> Entity | None:
        row = await self.session.get(EntityRow, entity_id)
        return Entity(row.id, row.code, row.name) if row else None

    async def get_by_code(self, code: str) -> Entity | None:
        row = await self.session.scalar(select(EntityRow).where(EntityRow.code == code))
        return Entity(row.id, row.code, row.name) if row else None

    async def list_all(self) -> list[Entity]:
        rows = await self.session.scalars(select(EntityRow).order_by(EntityRow.code))
        return [Entity(r.id, r.code, r.name) for r in rows]

    async def policy(self, entity_id: int) -> EntityPolicy:
        policy = self._policies.get(entity_id)
        if policy is None:
            data = await self.sql.scalar(_ENTITY_POLICY, {"entity_id": entity_id})
            policy = self._policies[entity_id] = EntityPolicy.from_json(data)
        return policy

    def remember_policy(self, entity_id: int, data: Any) -> None:
        """A policy read ahead with other rows (storage.repositories.read_ahead)."""
        self._policies[entity_id] = EntityPolicy.from_json(data)

    async def set_policy(self, entity_id: int, policy: EntityPolicy) -> None:
        self._policies.pop(entity_id, None)
        await self.session.execute(
            update(EntityRow).where(EntityRow.id == entity_id).values(policy=policy.model_dump(mode="json"))
        )

    async def upsert(self, code: str, name: str) -> tuple[Entity, bool]:
        """Create or rename an entity; returns it and whether it was created."""
        row = await self.session.scalar(select(EntityRow).where(EntityRow.code == code))
        created = row is None
        if row is None:
            row = EntityRow(code=code, name=name, policy={})
            self.session.add(row)
            await self.session.flush()
        elif row.name != name:
            row.name = name
        return Entity(row.id, row.code, row.name), created


_STAFF_COLUMNS = (
    StaffRow.id, StaffRow.aad_object_id, StaffRow.email, StaffRow.display_name, StaffRow.entity_id,
    StaffRow.manager_id, StaffRow.start_date, StaffRow.end_date, StaffRow.language,
)



def _staff_query():  # noqa: ANN202
    return (
        select(*_STAFF_COLUMNS, EntityRow.code, StaffRoleRow.role)
        .join(EntityRow, EntityRow.id == StaffRow.entity_id)
        .outerjoin(StaffRoleRow, StaffRoleRow.staff_id == StaffRow.id)
    )


# Built once: a statement object keeps its cache key, which SQLAlchemy otherwise recomputes on
# every execution (a large share of a turn's CPU for these look-ups, which run in every turn).
_STAFF_BY_ID = _staff_query().where(StaffRow.id == bindparam("staff_id"))
_STAFF_BY_AAD = _staff_query().where(StaffRow.aad_object_id == bindparam("aad_object_id"))
_STAFF_BY_IDS = _staff_query().where(StaffRow.id.in_(bindparam("staff_ids", expanding=True)))
_ENTITY_POLICY = select(EntityRow.policy).where(EntityRow.id == bindparam("entity_id"))


def _staff_of(rows: list[Any]) -> Staff:
    """One person from the rows of `_staff_query` (one per role)."""
    first = rows[0]
    return Staff(
        id=first.id, aad_object_id=first.aad_object_id, email=first.email, display_name=first.display_name,
        entity_id=first.entity_id, entity_code=first.code, manager_id=first.manager_id,
        start_date=first.start_date, end_date=first.end_date, language=first.language,
        roles=frozenset(Role(row.role) for row in rows if row.role) | {Role.STAFF},
    )


class StaffRepository:
    def __init__(self, session: AsyncSession, sql: CoreStatements | None = None) -> None:
        self.session = session
        self.sql = sql or CoreStatements(session)
        # Staff read in this unit of work, by id and by object id: a decision reads the same
        # people several times. Writes through this repository clear it.
        self._seen: dict[object, Staff] = {}

    def _query(self):
        return select(StaffRow, EntityRow.code).join(EntityRow, EntityRow.id == StaffRow.entity_id)

    async def _to_domain(self, rows: list[tuple[StaffRow, str]]) -> list[Staff]:
        if not rows:
            return []
        ids = [row.id for row, _ in rows]
        roles: dict[int, set[Role]] = {i: set() for i in ids}
        for staff_id, role in await self.session.execute(
            select(StaffRoleRow.staff_id, StaffRoleRow.role).where(StaffRoleRow.staff_id.in_(ids))
        ):
            roles[staff_id].add(Role(role))
        return [
            Staff(
                id=row.id, aad_object_id=row.aad_object_id, email=row.email, display_name=row.display_name,
                entity_id=row.entity_id, entity_code=code, manager_id=row.manager_id,
                start_date=row.start_date, end_date=row.end_date, language=row.language,
                roles=frozenset(roles[row.id] | {Role.STAFF}),
            )
            for row, code in rows
        ]

    async def _one(self, condition, params: dict[str, object] | None = None) -> Staff | None:  # noqa: ANN001
        """One staff member with entity code and roles in a single round trip (a row per role);
        this runs several times in every turn."""
        statement = condition if params is not None else _staff_query().where(condition)
        rows = (await self.sql.execute(statement, params)).all()
        return _staff_of(rows) if rows else None

    async def get(self, staff_id: int) -> Staff | None:
        if staff_id in self._seen:
            return self._seen[staff_id]
        return self._keep(await self._one(_STAFF_BY_ID, {"staff_id": staff_id}))

    async def get_by_aad(self, aad_object_id: str) -> Staff | None:
        key = ("aad", aad_object_id)
        if key in self._seen:
            return self._seen[key]
        return self._keep(await self._one(_STAFF_BY_AAD, {"aad_object_id": aad_object_id}))

    def remember(self, staff: Staff) -> None:
        """Someone read ahead with other rows (storage.repositories.read_ahead)."""
        self._keep(staff)

    def _keep(self, staff: Staff | None) -> Staff | None:
        if staff is not None:
            self._seen[staff.id] = staff
            self._seen[("aad", staff.aad_object_id)] = staff
        return staff

    async def get_by_email(self, email: str) -> Staff | None:
        return await self._one(func.lower(StaffRow.email) == email.strip().lower())

    async def list_by_ids(self, ids: list[int]) -> list[Staff]:
        """In the order asked, without duplicates; people read earlier in this unit of work are not
        read again, the others in one round trip (a row per role)."""
        wanted = list(dict.fromkeys(ids))
        missing = [i for i in wanted if i not in self._seen]
        if missing:
            rows: dict[int, list[Any]] = {}
            for row in (await self.sql.execute(_STAFF_BY_IDS, {"staff_ids": missing})).all():
                rows.setdefault(row.id, []).append(row)
            for group in rows.values():
                self._keep(_staff_of(group))
        return [self._seen[i] for i in wanted if i in self._seen]

    async def list_reports(self, manager_id: int) -> list[Staff]:
        """Direct reports of a manager, by name."""
        rows = (
            await self.session.execute(
                self._query().where(StaffRow.manager_id == manager_id).order_by(StaffRow.display_name)
            )
        ).tuples().all()
        return await self._to_domain(list(rows))

    async def list_by_role(self, role: Role) -> list[Staff]:
        rows = (
            await self.session.execute(
                self._query().join(StaffRoleRow, StaffRoleRow.staff_id == StaffRow.id).where(StaffRoleRow.role == role.value)
            )
        ).tuples().all()
        return await self._to_domain(list(rows))

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(StaffRow)) or 0)

    async def snapshot(self, aad_object_id: str) -> dict[str, Any] | None:
        """The stored fields of one staff member as plain values (for audit before/after)."""
        row = await self.session.scalar(select(StaffRow).where(StaffRow.aad_object_id == aad_object_id))
        if row is None:
            return None
        roles = await self.session.scalars(select(StaffRoleRow.role).where(StaffRoleRow.staff_id == row.id))
        assignments = await self.session.execute(
            select(StaffAssignmentRow.entity_id, StaffAssignmentRow.valid_from, StaffAssignmentRow.valid_until)
            .where(StaffAssignmentRow.staff_id == row.id).order_by(StaffAssignmentRow.valid_from, StaffAssignmentRow.id)
        )
        return {
            "aad_object_id": row.aad_object_id, "email": row.email, "display_name": row.display_name,
            "entity_id": row.entity_id, "manager_id": row.manager_id, "start_date": row.start_date.isoformat(),
            "end_date": row.end_date.isoformat() if row.end_date else None,
            "language": row.language, "roles": sorted(roles),
            "assignments": [
                [entity_id, start.isoformat(), until.isoformat() if until else None] for entity_id, start, until in assignments
            ],
        }

    async def upsert(self, record: StaffRecord, entity_id: int, manager_id: int | None, effective: date) -> tuple[int, bool]:
        """Insert or update by Azure AD object id; keeps the entity history, a move taking effect
        on `effective`. Returns (id, created)."""
        self._seen.clear()
        row = await self.session.scalar(select(StaffRow).where(StaffRow.aad_object_id == record.aad_object_id))
        created = row is None
        if row is None:
            row = StaffRow(
                aad_object_id=record.aad_object_id, email=record.email.lower(), display_name=record.display_name,
                entity_id=entity_id, manager_id=manager_id, start_date=record.start_date, language=record.language,
                end_date=None if record.keep_end_date else record.end_date,
            )
            self.session.add(row)
            await self.session.flush()
            self.session.add(StaffAssignmentRow(staff_id=row.id, entity_id=entity_id, valid_from=record.start_date))
        else:
            if row.entity_id != entity_id:
                # Moved to another entity on `effective`: periods that started since are replaced,
                # the one running then ends there, the new one starts.
                assignment = StaffAssignmentRow
                await self.session.execute(delete(assignment).where(assignment.staff_id == row.id, assignment.valid_from >= effective))
                await self.session.execute(
                    update(assignment)
                    .where(assignment.staff_id == row.id, or_(assignment.valid_until.is_(None), assignment.valid_until > effective))
                    .values(valid_until=effective)
                )
                self.session.add(StaffAssignmentRow(staff_id=row.id, entity_id=entity_id, valid_from=effective))
            if not record.keep_end_date:
                row.end_date = record.end_date
            row.email = record.email.lower()
            row.display_name = record.display_name
            row.entity_id = entity_id
            row.manager_id = manager_id
            row.start_date = record.start_date
            row.language = record.language
        await self.session.execute(delete(StaffRoleRow).where(StaffRoleRow.staff_id == row.id))
        for role in sorted(record.roles | {Role.STAFF}):
            self.session.add(StaffRoleRow(staff_id=row.id, role=role.value))
        await self.session.flush()
        return row.id, created

    async def set_manager(self, staff_id: int, manager_id: int | None) -> None:
        self._seen.clear()
        await self.session.execute(update(StaffRow).where(StaffRow.id == staff_id).values(manager_id=manager_id))

    async def list_in_service(self, entity_ids: list[int], today: date) -> list[Staff]:
        if not entity_ids:
            return []
        rows = (await self.session.execute(
            self._query().where(StaffRow.entity_id.in_(entity_ids), or_(StaffRow.end_date.is_(None), StaffRow.end_date >= today))
            .order_by(StaffRow.email)
        )).tuples().all()
        return await self._to_domain(list(rows))

    async def set_end_date(self, staff_id: int, end_date: date | None) -> None:
        self._seen.clear()
        await self.session.execute(update(StaffRow).where(StaffRow.id == staff_id).values(end_date=end_date))


class AuditRepository:
    """Audit rows are written with the unit of work's commit (`PendingInsert`)."""

    def __init__(self, session: AsyncSession, correlation_id: str | None = None, sql: CoreStatements | None = None) -> None:
        self.session = session
        self.correlation_id = correlation_id
        self.sql = sql or CoreStatements(session)
        self._pending = PendingInsert(AuditRow.__table__, self.sql)

    async def record(
        self,
        actor: str,
        action: str,
        subject_type: str,
        subject_id: object,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Record one state change (or a refused attempt) in the same transaction as the change."""
        self._pending.add({
            "at": utcnow(), "actor": actor, "action": action, "subject_type": subject_type, "subject_id": str(subject_id),
            "before": before, "after": after, "correlation_id": self.correlation_id,
        })

    async def flush(self) -> None:
        """Write what was recorded (the unit of work calls this before it commits)."""
        await self._pending.flush()

    def discard(self) -> None:
        self._pending.discard()

    async def list_for_subject(self, subject_type: str, subject_id: object) -> list[AuditRow]:
        rows = await self.session.scalars(
            select(AuditRow)
            .where(AuditRow.subject_type == subject_type, AuditRow.subject_id == str(subject_id))
            .order_by(AuditRow.id)
        )
        return list(rows)

    async def list_by_action(self, action: str) -> list[AuditRow]:
        rows = await self.session.scalars(select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.id))
        return list(rows)


_REFERENCE_FIELDS = ("user_id", "user_name", "conversation_id", "service_url", "tenant_id", "channel_id", "bot_id", "bot_name")


def _save_reference_statement(dialect_insert):  # noqa: ANN001, ANN202 - the dialect's insert()
    """The upsert of one reference; the update happens (and a row is returned) only when a value
    differs, so an unchanged reference writes nothing."""
    table = ConversationReferenceRow.__table__
    columns = ("aad_object_id", *_REFERENCE_FIELDS, "locale", "updated_at")
    statement = dialect_insert(table).values({name: bindparam(name) for name in columns}).values(usable=True)
    new = statement.excluded
    locale = func.coalesce(new.locale, table.c.locale)
    differs = or_(
        *(table.c[name].is_distinct_from(new[name]) for name in _REFERENCE_FIELDS),
        table.c.locale.is_distinct_from(locale), table.c.usable.is_(False),
    )
    return statement.on_conflict_do_update(
        index_elements=[table.c.aad_object_id],
        set_={**{name: new[name] for name in _REFERENCE_FIELDS}, "locale": locale, "usable": True,
              "unusable_reason": None, "updated_at": new.updated_at},
        where=differs,
    ).returning(table.c.id)


_SAVE_REFERENCE = {"postgresql": _save_reference_statement(postgresql.insert), "sqlite": _save_reference_statement(sqlite.insert)}


# A stored reference's columns, in the order of StoredReference.
_REFERENCE_COLUMNS = tuple(ConversationReferenceRow.__table__.c[name] for name in (
    "aad_object_id", "user_id", "user_name", "conversation_id", "service_url", "tenant_id", "channel_id", "bot_id",
    "bot_name", "locale", "usable",
))
_REFERENCE_BY_AAD = select(*_REFERENCE_COLUMNS).where(ConversationReferenceRow.aad_object_id == bindparam("aad_object_id"))
_REFERENCES_BY_AAD = select(*_REFERENCE_COLUMNS).where(
    ConversationReferenceRow.aad_object_id.in_(bindparam("aad_object_ids", expanding=True))
)
_REACH = (
    select(StaffRow.language, *_REFERENCE_COLUMNS)
    .select_from(StaffRow)
    .outerjoin(ConversationReferenceRow, ConversationReferenceRow.aad_object_id == StaffRow.aad_object_id)
    .where(StaffRow.id == bindparam("staff_id"))
)

_DEPUTIES = DeputyRow.__table__
# A card's refresh list: the people's and their active deputies' Teams ids, in one read.
_TEAMS_USER_IDS = (
    select(ConversationReferenceRow.user_id).distinct()
    .select_from(StaffRow)
    .join(ConversationReferenceRow, ConversationReferenceRow.aad_object_id == StaffRow.aad_object_id)
    .where(
        StaffRow.id != bindparam("excluding"), ConversationReferenceRow.user_id.is_not(None),
        or_(
            StaffRow.id.in_(bindparam("people", expanding=True)),
            StaffRow.id.in_(select(_DEPUTIES.c.deputy_id).where(
                _DEPUTIES.c.manager_id.in_(bindparam("managers", expanding=True)),
                _DEPUTIES.c.valid_from <= bindparam("day"), _DEPUTIES.c.valid_until >= bindparam("day"),
            )),
        ),
    )
)


class ConversationReferenceRepository:
    def __init__(self, session: AsyncSession, sql: CoreStatements | None = None) -> None:
        self.session = session
        self.sql = sql or CoreStatements(session)

    @staticmethod
    def _domain(row: Any) -> StoredReference:  # a row of _REFERENCE_COLUMNS (or an ORM row)
        return StoredReference(
            row.aad_object_id, row.user_id, row.user_name, row.conversation_id, row.service_url, row.tenant_id,
            row.channel_id, row.bot_id, row.bot_name, row.locale, row.usable,
        )

    async def get(self, aad_object_id: str) -> StoredReference | None:
        row = (await self.sql.execute(_REFERENCE_BY_AAD, {"aad_object_id": aad_object_id})).first()
        return self._domain(row) if row else None

    async def reach(self, staff_id: int) -> tuple[str, StoredReference | None] | None:
        """How to reach a staff member, in one statement: their directory language and their
        personal chat's reference (None when there is none); None when nobody has that id."""
        row = (await self.sql.execute(_REACH, {"staff_id": staff_id})).first()
        if row is None:
            return None
        return row.language, self._domain(row) if row.aad_object_id is not None else None

    async def get_many(self, aad_object_ids: list[str]) -> dict[str, StoredReference]:
        if not aad_object_ids:
            return {}
        rows = await self.sql.execute(_REFERENCES_BY_AAD, {"aad_object_ids": list(aad_object_ids)})
        return {row.aad_object_id: self._domain(row) for row in rows}

    async def teams_user_ids(self, staff_ids: Iterable[int], *, with_deputies_on: date, excluding: int) -> list[str]:
        people = sorted(set(staff_ids))
        if not people:
            return []
        rows = await self.sql.execute(_TEAMS_USER_IDS, {"people": people, "managers": people, "day": with_deputies_on, "excluding": excluding})
        return [user_id for (user_id,) in rows if user_id]

    async def save(self, ref: StoredReference) -> bool:
        """Insert or refresh a reference in one statement; returns True when something changed.

        INSERT ... ON CONFLICT (aad_object_id) DO UPDATE: the unique key settles the first turns
        Teams sends at once (conversationUpdate, installationUpdate, the first message), where a
        read-then-insert had two of them insert. The locale is the one last seen: an activity
        without one keeps the stored locale."""
        statement = _SAVE_REFERENCE[self.session.get_bind().dialect.name]
        changed = await self.sql.scalar(statement, {
            "aad_object_id": ref.aad_object_id, "user_id": ref.user_id, "user_name": ref.user_name,
            "conversation_id": ref.conversation_id, "service_url": ref.service_url, "tenant_id": ref.tenant_id,
            "channel_id": ref.channel_id, "bot_id": ref.bot_id, "bot_name": ref.bot_name, "locale": ref.locale,
            "updated_at": utcnow(),
        })
        return changed is not None

    async def mark_unusable(self, aad_object_id: str, reason: str) -> None:
        await self.session.execute(
            update(ConversationReferenceRow)
            .where(ConversationReferenceRow.aad_object_id == aad_object_id)
            .values(usable=False, unusable_reason=reason[:500], updated_at=utcnow())
        )


class JobClaimRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, job: str, slot: str, instance: str, now: datetime, lease: timedelta) -> bool:
        """Hold a job's slot until `now + lease`: True for one caller across all bot instances,
        the first one, or later one whose predecessor left the slot unfinished and its lease run out.
        PostgreSQL's row lock makes a second taker re-read the renewed lease and get False."""
        try:
            async with self.session.begin_nested():
                self.session.add(
                    JobClaimRow(job=job, slot=slot, claimed_by=instance, claimed_at=now, claimed_until=now + lease)
                )
                await self.session.flush()
        except IntegrityError:
            result = await self.session.execute(
                update(JobClaimRow)
                .where(
                    JobClaimRow.job == job, JobClaimRow.slot == slot, JobClaimRow.finished_at.is_(None),
                    JobClaimRow.claimed_until < now,
                )
                .values(claimed_by=instance, claimed_at=now, claimed_until=now + lease)
            )
            return result.rowcount == 1
        return True

    async def renew(self, job: str, slot: str, instance: str, now: datetime, lease: timedelta) -> bool:
        """Extend the lease of a slot this instance still holds; False when another took it over."""
        result = await self.session.execute(
            update(JobClaimRow)
            .where(
                JobClaimRow.job == job, JobClaimRow.slot == slot, JobClaimRow.claimed_by == instance,
                JobClaimRow.finished_at.is_(None),
            )
            .values(claimed_until=now + lease)
        )
        return result.rowcount == 1

    async def finish(self, job: str, slot: str, instance: str, now: datetime) -> None:
        await self.session.execute(
            update(JobClaimRow)
            .where(JobClaimRow.job == job, JobClaimRow.slot == slot, JobClaimRow.claimed_by == instance)
            .values(finished_at=now, claimed_until=None)
        )

    async def delete_before(self, before: datetime) -> int:
        result = await self.session.execute(delete(JobClaimRow).where(JobClaimRow.claimed_at < before))
        return result.rowcount or 0
