"""Personal data over every table: the export of one person, and what retention does, driven by
the declarations in bot/domain/privacy.py and the tables in Base.metadata (not a fixed list)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    LargeBinary,
    String,
    Table,
    TypeDecorator,
    and_,
    cast,
    delete,
    false,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import privacy as rules
from bot.domain.privacy import PersonalExport
from storage.models import Base
from storage.models.directory import AuditRow, ConversationReferenceRow, StaffRow

STAFF_KEY = "staff.id"


def staff_foreign_keys() -> dict[str, tuple[str, ...]]:
    """Every table with a foreign key to staff.id, with those columns (the staff table included)."""
    found: dict[str, tuple[str, ...]] = {}
    for table in Base.metadata.sorted_tables:
        columns = tuple(
            column.name for column in table.columns
            if any(fk.target_fullname == STAFF_KEY for fk in column.foreign_keys)
        )
        if columns:
            found[table.name] = columns
    found.setdefault(rules.STAFF_TABLE, ())
    return found


def staff_reference_names() -> frozenset[str]:
    """Every column name that refers to staff.id somewhere (approver_id, decided_by, ...): in an
    audit row's before/after such a key names a person too."""
    return frozenset(
        column.name for table in Base.metadata.sorted_tables for column in table.columns
        if any(fk.target_fullname == STAFF_KEY for fk in column.foreign_keys)
    )


def _own_or_none(value: Any, staff_id: int) -> Any:
    """A value naming a person, kept only when it names the person of the export."""
    return value if value in (staff_id, str(staff_id), f"staff:{staff_id}") else None


def _without_others(value: Any, staff_id: int, keys: frozenset[str]) -> Any:
    """A JSON value with every staff reference to someone else emptied (at any depth)."""
    if isinstance(value, dict):
        return {
            k: _own_or_none(v, staff_id) if k in keys and not isinstance(v, dict | list) else _without_others(v, staff_id, keys)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_without_others(v, staff_id, keys) for v in value]
    return value


def _table(name: str) -> Table | None:
    return Base.metadata.tables.get(name)


def plain(value: Any) -> Any:
    """A stored value as JSON can carry it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _exportable(column: Column) -> bool:
    return not isinstance(column.type, LargeBinary)


def _is_datetime_column(column: Column) -> bool:
    kind = column.type
    return isinstance(kind, DateTime) or (isinstance(kind, TypeDecorator) and isinstance(kind.impl, DateTime))


def _blank(column: Column) -> Any:
    return None if column.nullable else ""


def _filled(column: Column) -> Any:
    return and_(column.is_not(None), cast(column, String) != "")


class PrivacyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- export -----------------------------------------------------------------------------------
    async def export_person(self, staff_id: int) -> PersonalExport | None:
        """Everything stored about one staff member; None when there is no such staff member."""
        staff = await self.session.get(StaffRow, staff_id)
        if staff is None:
            return None
        export = PersonalExport()
        for name, staff_columns in staff_foreign_keys().items():
            table = _table(name)
            if table is None:
                continue
            rule = rules.TABLES.get(name)
            owner = [table.c[c] for c in (rule.owner if rule else ()) if c in table.c]
            if owner and name not in rules.EXCLUDED:
                rows = await self.session.execute(
                    select(*[c for c in table.columns if _exportable(c)]).where(or_(*[c == staff_id for c in owner]))
                    .order_by(*table.primary_key.columns)
                )
                # Only the person's own data: who else a row names (approver, coach, the approver's
                # chat) is left empty; `actions` tells the others what they did.
                others = {c for c in staff_columns if c not in (rule.owner if rule else ())} | set(rule.others if rule else ())
                export.tables[name] = [
                    {key: _own_or_none(value, staff_id) if key in others else plain(value) for key, value in row._mapping.items()}
                    for row in rows
                ]
            await self._actions(export, table, rule, [c for c in staff_columns if c not in (rule.owner if rule else ())], owner, staff_id)
        reference = await self.session.scalar(
            select(ConversationReferenceRow).where(ConversationReferenceRow.aad_object_id == staff.aad_object_id)
        )
        if reference is not None:
            export.conversation = {
                c.name: plain(getattr(reference, c.key)) for c in ConversationReferenceRow.__table__.columns
            }
        await self._audit(export, staff_id)
        return export

    async def _actions(self, export: PersonalExport, table: Table, rule: rules.TableRule | None, acting: list[str], owner: list[Column], staff_id: int) -> None:
        """Rows about someone else where this person acted (approver, coach, ...): which row,
        in which capacity and when, never the other person's data."""
        date_column = table.c[rule.date] if rule and rule.date and rule.date in table.c else None
        keys = list(table.primary_key.columns)
        for column_name in acting:
            column = table.c[column_name]
            condition = column == staff_id
            if owner:
                condition = and_(condition, *[or_(o.is_(None), o != staff_id) for o in owner])
            query = select(*keys, *([date_column] if date_column is not None else [])).where(condition).order_by(*keys)
            for row in await self.session.execute(query):
                values = row._mapping
                export.actions.append({
                    "table": table.name,
                    "row": ",".join(str(values[k.name]) for k in keys),
                    "as": column_name,
                    "at": plain(values[date_column.name]) if date_column is not None else None,
                })

    async def _audit(self, export: PersonalExport, staff_id: int) -> None:
        rows = list(await self.session.scalars(
            select(AuditRow).where(AuditRow.actor == f"staff:{staff_id}").order_by(AuditRow.id)
        ))
        own = await self._own_subjects(rows, staff_id)
        keys = staff_reference_names()
        for row in rows:
            entry: dict[str, Any] = {
                "at": plain(row.at), "action": row.action, "subject_type": row.subject_type, "subject_id": row.subject_id,
            }
            if (row.subject_type, row.subject_id) in own:
                entry["before"] = _without_others(row.before, staff_id, keys)
                entry["after"] = _without_others(row.after, staff_id, keys)
            export.audit.append(entry)

    async def _own_subjects(self, rows: list[AuditRow], staff_id: int) -> set[tuple[str, str]]:
        """The audit subjects that are this person's own rows (their before/after may be shown)."""
        known = frozenset(Base.metadata.tables)
        wanted: dict[str, set[str]] = {}
        for row in rows:
            name = rules.audit_subject_table(row.subject_type, known)
            if name is not None:
                wanted.setdefault(name, set()).add(row.subject_id)
        types_by_table: dict[str, set[str]] = {}
        for row in rows:
            name = rules.audit_subject_table(row.subject_type, known)
            if name is not None:
                types_by_table.setdefault(name, set()).add(row.subject_type)
        own: set[tuple[str, str]] = set()
        for name, ids in wanted.items():
            table = _table(name)
            rule = rules.TABLES.get(name)
            if table is None or rule is None or "id" not in table.c:
                continue
            numeric = [int(i) for i in ids if i.isdigit()]
            if not numeric:
                continue
            owner = [table.c[c] for c in rule.owner if c in table.c]
            found = await self.session.scalars(
                select(table.c.id).where(table.c.id.in_(numeric), or_(*[c == staff_id for c in owner]))
            )
            for row_id in found:
                for subject_type in types_by_table[name]:
                    own.add((subject_type, str(row_id)))
        return own

    # -- retention --------------------------------------------------------------------------------
    async def staff_to_anonymise(self, cutoff: date) -> list[int]:
        """Staff who left service before the cutoff and still carry their identity."""
        rows = await self.session.scalars(
            select(StaffRow.id).where(
                StaffRow.end_date.is_not(None), StaffRow.end_date < cutoff,
                ~StaffRow.aad_object_id.startswith(rules.ANONYMISED_PREFIX),
            ).order_by(StaffRow.id)
        )
        return list(rows)

    async def anonymise(self, staff_id: int) -> dict[str, int]:
        """Remove everything that identifies one person; their rows stay (the reports count them).
        Returns the number of rows changed per table."""
        staff = await self.session.get(StaffRow, staff_id, with_for_update=True)
        if staff is None or rules.is_anonymised(staff.aad_object_id):
            return {}
        changed: dict[str, int] = {}
        old_aad = staff.aad_object_id
        token = uuid.uuid4().hex
        await self.session.execute(
            update(StaffRow).where(StaffRow.id == staff_id).values(
                aad_object_id=f"{rules.ANONYMISED_PREFIX}{token}", email=f"{token}@{rules.ANONYMISED_EMAIL_DOMAIN}",
                display_name=rules.ANONYMISED_NAME, department=None, manager_id=None,
            )
        )
        changed[rules.STAFF_TABLE] = 1
        for name, rule in rules.TABLES.items():
            table = _table(name)
            if table is None or name == rules.STAFF_TABLE:
                continue
            owned = or_(*[table.c[c] == staff_id for c in rule.owner if c in table.c])
            if rule.retention == "delete":
                count = (await self.session.execute(delete(table).where(owned))).rowcount or 0
            else:
                columns = [table.c[c] for c in (*rule.free_text, *rule.personal) if c in table.c]
                if not columns:
                    continue
                count = (await self.session.execute(
                    update(table).where(owned, or_(*[_filled(c) for c in columns])).values({c.name: _blank(c) for c in columns})
                )).rowcount or 0
            if count:
                changed[name] = count
        references = await self.session.execute(
            delete(ConversationReferenceRow).where(ConversationReferenceRow.aad_object_id == old_aad)
        )
        if references.rowcount:
            changed[ConversationReferenceRow.__tablename__] = references.rowcount
        audit = await self.session.execute(
            update(AuditRow)
            .where(
                or_(AuditRow.actor == f"staff:{staff_id}", and_(AuditRow.subject_type == "staff", AuditRow.subject_id == str(staff_id))),
                or_(_json_filled(AuditRow.before), _json_filled(AuditRow.after)),
            )
            .values(before=null(), after=null())
        )
        if audit.rowcount:
            changed[AuditRow.__tablename__] = audit.rowcount
        return changed

    def _ageing(self, cutoff: date, cutoff_at: datetime) -> list[tuple[str, Table, rules.TableRule, Any]]:
        """Each configured table with a date column, with its "older than the cutoff" condition."""
        found = []
        for name, rule in rules.TABLES.items():
            table = _table(name)
            if table is None or rule.date is None or rule.date not in table.c:
                continue
            column = table.c[rule.date]
            old = column < (cutoff_at if _is_datetime_column(column) else cutoff)
            found.append((name, table, rule, old))
        return found

    def _work_condition(self, table: Table, rule: rules.TableRule, old: Any) -> Any:
        if rule.retention == "delete":
            return old
        columns = [table.c[c] for c in rule.free_text if c in table.c]
        return and_(old, or_(*[_filled(c) for c in columns])) if columns else None

    async def staff_with_old_rows(self, cutoff: date, cutoff_at: datetime) -> list[int]:
        """Staff with rows older than the cutoff that still hold free text or are logs to delete."""
        people: set[int] = set()
        for _name, table, rule, old in self._ageing(cutoff, cutoff_at):
            condition = self._work_condition(table, rule, old)
            if condition is None:
                continue
            for column_name in rule.owner:
                if column_name in table.c:
                    people.update(
                        p for p in await self.session.scalars(select(table.c[column_name]).where(condition).distinct()) if p is not None
                    )
        return sorted(people)

    async def age_out(self, staff_id: int, cutoff: date, cutoff_at: datetime) -> dict[str, int]:
        """One person's rows older than the cutoff: free text blanked, logs deleted."""
        changed: dict[str, int] = {}
        for name, table, rule, old in self._ageing(cutoff, cutoff_at):
            condition = self._work_condition(table, rule, old)
            if condition is None:
                continue
            owned = or_(*[table.c[c] == staff_id for c in rule.owner if c in table.c])
            if rule.retention == "delete":
                count = (await self.session.execute(delete(table).where(owned, condition))).rowcount or 0
            else:
                columns = [table.c[c] for c in rule.free_text if c in table.c]
                count = (await self.session.execute(
                    update(table).where(owned, condition).values({c.name: _blank(c) for c in columns})
                )).rowcount or 0
            if count:
                changed[name] = count
        return changed

    async def strip_old_audit(self, cutoff_at: datetime) -> int:
        """Audit rows older than the cutoff keep who, what and when, not the before/after values."""
        result = await self.session.execute(
            update(AuditRow)
            .where(AuditRow.at < cutoff_at, or_(_json_filled(AuditRow.before), _json_filled(AuditRow.after)))
            .values(before=null(), after=null())
        )
        return result.rowcount or 0

    async def deputies_on(self, manager_id: int, day: date) -> list[str]:
        """Names of a manager's deputies whose period covers the day."""
        table = _table("deputies")
        if table is None:
            return []
        rows = await self.session.scalars(
            select(StaffRow.display_name)
            .join(table, table.c.deputy_id == StaffRow.id)
            .where(table.c.manager_id == manager_id, table.c.valid_from <= day, table.c.valid_until >= day)
            .order_by(StaffRow.display_name)
        )
        return list(rows)


def _json_filled(column: Any) -> Any:
    """Neither SQL NULL nor a stored JSON null."""
    return and_(column.is_not(None), cast(column, String) != "null") if column is not None else false()
