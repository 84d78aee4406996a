"""Home-work registrations, team agreements and the hybrid-work eligibility registry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.homework import Ineligibility, Registration, RegistrationStatus, TeamAgreement
from storage.models.base import utcnow
from storage.models.homework import IneligibilityRow, TeamAgreementRow, WorkRegistrationRow
from storage.repositories.core import CoreStatements


def _registration(row: WorkRegistrationRow | Row) -> Registration:
    return Registration(
        id=row.id, staff_id=row.staff_id, day=row.day, place=row.place, part=row.part,  # type: ignore[arg-type]
        status=RegistrationStatus(row.status), satellite_location=row.satellite_location, source=row.source,  # type: ignore[arg-type]
    )


def _ineligibility(row: IneligibilityRow | Row) -> Ineligibility:
    return Ineligibility(
        id=row.id, staff_id=row.staff_id, reason=row.reason, note=row.note, valid_from=row.valid_from,  # type: ignore[arg-type]
        valid_until=row.valid_until, set_by=row.set_by, lifted_at=row.lifted_at, lifted_by=row.lifted_by,
        cancelled_days=tuple(_cancelled_day(row.staff_id, item) for item in row.cancelled_days or ()),
    )


def _cancelled_day(staff_id: int, item: dict) -> Registration:
    return Registration(
        id=item["id"], staff_id=staff_id, day=date.fromisoformat(item["day"]), place=item["place"], part=item["part"],
        status=RegistrationStatus(item["status"]), satellite_location=item.get("satellite_location"),
        source=item.get("source", "bot"),
    )



# Built once (they run in every registration turn and every decision): a statement object keeps
# its cache key. Reads select the table's columns (no ORM entities: they are only mapped to
# domain objects), so there is no identity map to refresh after `save_day` writes past it.
_REGISTRATIONS = WorkRegistrationRow.__table__
_DAY = select(*_REGISTRATIONS.columns).where(
    _REGISTRATIONS.c.staff_id == bindparam("staff_id"), _REGISTRATIONS.c.day == bindparam("day")
)
_DAY_FOR_UPDATE = _DAY.with_for_update()
_BY_ID = select(*_REGISTRATIONS.columns).where(_REGISTRATIONS.c.id == bindparam("registration_id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()
_AGREEMENT = select(TeamAgreementRow.__table__.c.anchor_weekdays, TeamAgreementRow.__table__.c.min_office_days_per_week).where(
    TeamAgreementRow.__table__.c.manager_id == bindparam("manager_id")
)
_SET_STATUS = (
    update(WorkRegistrationRow)
    .where(WorkRegistrationRow.id == bindparam("registration_id"))
    .values(status=bindparam("new_status"), updated_at=bindparam("now"))
    .execution_options(synchronize_session=False)
)
_SET_STATUS_IF = _SET_STATUS.where(WorkRegistrationRow.status == bindparam("only_if"))
_CHANGE_STATUS = (
    update(_REGISTRATIONS)
    .where(_REGISTRATIONS.c.id == bindparam("registration_id"), _REGISTRATIONS.c.status == bindparam("only_if"))
    .values(status=bindparam("new_status"), updated_at=bindparam("now"))
    .returning(*_REGISTRATIONS.columns)
)
_INELIGIBLE_ON = (
    select(*IneligibilityRow.__table__.columns)
    .where(
        IneligibilityRow.staff_id == bindparam("staff_id"),
        IneligibilityRow.lifted_at.is_(None),
        IneligibilityRow.valid_from <= bindparam("day"),
        or_(IneligibilityRow.valid_until.is_(None), IneligibilityRow.valid_until >= bindparam("day")),
    )
    .order_by(IneligibilityRow.valid_from.desc(), IneligibilityRow.id.desc())
    .limit(1)
)


def _save_day_statement(dialect_insert):  # noqa: ANN001, ANN202 - the dialect's insert()
    """INSERT ... ON CONFLICT (staff_id, day) DO UPDATE ... RETURNING: one round trip, and the
    unique key settles two concurrent first registrations (the later one changes the row)."""
    table = WorkRegistrationRow.__table__
    changed = ("place", "part", "status", "satellite_location", "source", "updated_at")
    statement = dialect_insert(table).values({name: bindparam(name) for name in ("staff_id", "day", "created_at", *changed)})
    return statement.on_conflict_do_update(
        index_elements=[table.c.staff_id, table.c.day], set_={name: statement.excluded[name] for name in changed}
    ).returning(*(table.c[name] for name in ("id", "staff_id", "day", "place", "part", "status", "satellite_location", "source")))


_SAVE_DAY = {"postgresql": _save_day_statement(postgresql.insert), "sqlite": _save_day_statement(sqlite.insert)}


class RegistrationRepository:
    """Registrations (work_registrations), plus the eligibility registry and team agreements."""

    def __init__(self, session: AsyncSession, sql: CoreStatements | None = None) -> None:
        self.session = session
        self.sql = sql or CoreStatements(session)
        # What this unit of work read by id, and the team agreements it read: an approval decision
        # asks for the same day and agreement three and two times (the checks, the change, the
        # card). A locking read always goes to the database; writes through here forget.
        self._seen: dict[int, Registration | None] = {}
        self._agreements: dict[int, TeamAgreement | None] = {}
        # Markings read ahead (`storage.repositories.read_ahead`): per staff member, the days
        # covered and every marking not lifted that touches them.
        self._markings: dict[int, tuple[date, date, tuple[Ineligibility, ...]]] = {}
        self._free_days: dict[int, tuple[date, date]] = {}

    # -- what a read ahead found (storage.repositories.read_ahead) -------------------------------
    def knows(self, registration_id: int) -> bool:
        return registration_id in self._seen

    def remember(self, registration: Registration) -> None:
        self._seen[registration.id] = registration

    def remember_agreement(self, manager_id: int, agreement: TeamAgreement | None) -> None:
        self._agreements[manager_id] = agreement

    def remember_markings(self, staff_id: int, first: date, last: date, markings: Sequence[Ineligibility]) -> None:
        self._markings[staff_id] = (first, last, tuple(markings))

    def remember_no_registrations(self, staff_id: int, first: date, last: date) -> None:
        """Nothing is registered from `first` to `last`: a read of one of those days, locking or not,
        finds nothing (a locking read that finds no row locks nothing) until this saves a day."""
        self._free_days[staff_id] = (first, last)

    # -- registrations ----------------------------------------------------------------------------
    async def get(self, registration_id: int, *, for_update: bool = False) -> Registration | None:
        if not for_update and registration_id in self._seen:
            return self._seen[registration_id]
        statement = _BY_ID_FOR_UPDATE if for_update else _BY_ID
        row = (await self.sql.execute(statement, {"registration_id": registration_id})).first()
        registration = self._seen[registration_id] = _registration(row) if row else None
        return registration

    async def get_for_day(self, staff_id: int, day: date, *, for_update: bool = False) -> Registration | None:
        free = self._free_days.get(staff_id)
        if free is not None and free[0] <= day <= free[1]:
            return None
        statement = _DAY_FOR_UPDATE if for_update else _DAY
        row = (await self.sql.execute(statement, {"staff_id": staff_id, "day": day})).first()
        return _registration(row) if row else None

    async def list_for_staff(self, staff_id: int, start: date, end: date) -> list[Registration]:
        """One staff member's registrations from `start` to `end`, both inclusive, by day."""
        rows = await self.session.scalars(
            select(WorkRegistrationRow)
            .where(WorkRegistrationRow.staff_id == staff_id, WorkRegistrationRow.day >= start, WorkRegistrationRow.day <= end)
            .order_by(WorkRegistrationRow.day)
            .execution_options(populate_existing=True)  # save_day writes past the identity map
        )
        return [_registration(row) for row in rows]

    async def list_for_staff_ids(self, staff_ids: list[int], start: date, end: date) -> list[Registration]:
        if not staff_ids:
            return []
        rows = await self.session.scalars(
            select(WorkRegistrationRow)
            .where(WorkRegistrationRow.staff_id.in_(staff_ids), WorkRegistrationRow.day >= start, WorkRegistrationRow.day <= end)
            .order_by(WorkRegistrationRow.day, WorkRegistrationRow.staff_id)
            .execution_options(populate_existing=True)
        )
        return [_registration(row) for row in rows]

    async def save_day(
        self, *, staff_id: int, day: date, place: str, part: str, status: RegistrationStatus | str,
        satellite_location: str | None = None, source: str = "bot",
    ) -> Registration:
        """Create or change the one registration of a staff member on a day, in one statement.

        Callers that need what it was before read it first with `get_for_day(for_update=True)`."""
        now = utcnow()
        self._seen.clear()
        self._free_days.clear()
        row = (await self.sql.execute(_SAVE_DAY[self.session.get_bind().dialect.name], {
            "staff_id": staff_id, "day": day, "place": place, "part": part, "status": RegistrationStatus(status).value,
            "satellite_location": satellite_location, "source": source, "created_at": now, "updated_at": now,
        })).one()
        return _registration(row)

    async def set_status(
        self, registration_id: int, status: RegistrationStatus | str, *, only_if: RegistrationStatus | str | None = None
    ) -> bool:
        """One conditional UPDATE (it locks the row as the read before it did): False when the
        registration is gone or, with only_if, no longer in that status."""
        self._seen.pop(registration_id, None)
        params = {"registration_id": registration_id, "new_status": RegistrationStatus(status).value, "now": utcnow()}
        if only_if is None:
            result = await self.sql.execute(_SET_STATUS, params)
        else:
            result = await self.sql.execute(_SET_STATUS_IF, {**params, "only_if": RegistrationStatus(only_if).value})
        return (result.rowcount or 0) == 1

    async def change_status(
        self, registration_id: int, status: RegistrationStatus, *, only_if: RegistrationStatus
    ) -> Registration | None:
        """One conditional UPDATE ... RETURNING: the registration with its new status, or None when
        it is gone or no longer in `only_if` (then nothing changed). The row is locked like a
        locking read would, and the registration is known afterwards without another read."""
        row = (await self.sql.execute(_CHANGE_STATUS, {
            "registration_id": registration_id, "new_status": status.value, "only_if": only_if.value, "now": utcnow(),
        })).first()
        if row is None:
            self._seen.pop(registration_id, None)
            return None
        registration = self._seen[registration_id] = _registration(row)
        return registration

    async def delete(self, registration_id: int) -> bool:
        self._seen.pop(registration_id, None)
        result = await self.session.execute(delete(WorkRegistrationRow).where(WorkRegistrationRow.id == registration_id))
        return (result.rowcount or 0) == 1

    # -- eligibility registry ---------------------------------------------------------------------
    async def ineligibility_on(self, staff_id: int, day: date) -> Ineligibility | None:
        """The marking (not lifted) that covers `day`, if any; the most recent wins."""
        known = self._markings.get(staff_id)
        if known is not None and known[0] <= day <= known[1]:
            covering = [m for m in known[2] if m.valid_from <= day and (m.valid_until is None or m.valid_until >= day)]
            return max(covering, key=lambda m: (m.valid_from, m.id), default=None)
        row = (await self.sql.execute(_INELIGIBLE_ON, {"staff_id": staff_id, "day": day})).first()
        return _ineligibility(row) if row else None

    async def ineligibilities_for(self, staff_ids: list[int], *, active_on: date | None = None) -> list[Ineligibility]:
        """Markings that are not lifted; with `active_on`, only those not yet ended on that day."""
        if not staff_ids:
            return []
        query = select(IneligibilityRow).where(IneligibilityRow.staff_id.in_(staff_ids), IneligibilityRow.lifted_at.is_(None))
        if active_on is not None:
            query = query.where(or_(IneligibilityRow.valid_until.is_(None), IneligibilityRow.valid_until >= active_on))
        rows = await self.session.scalars(query.order_by(IneligibilityRow.staff_id, IneligibilityRow.valid_from))
        return [_ineligibility(row) for row in rows]

    async def get_ineligibility(self, ineligibility_id: int, *, for_update: bool = False) -> Ineligibility | None:
        query = select(IneligibilityRow).where(IneligibilityRow.id == ineligibility_id)
        if for_update:
            query = query.with_for_update()
        row = await self.session.scalar(query.execution_options(populate_existing=True))
        return _ineligibility(row) if row else None

    async def add_ineligibility(
        self, *, staff_id: int, reason: str, note: str | None, valid_from: date, valid_until: date | None, set_by: int | None
    ) -> Ineligibility:
        self._markings.clear()
        row = IneligibilityRow(
            staff_id=staff_id, reason=reason, note=note, valid_from=valid_from, valid_until=valid_until,
            set_by=set_by, created_at=utcnow(),
        )
        self.session.add(row)
        await self.session.flush()
        return _ineligibility(row)

    async def lift_ineligibility(self, ineligibility_id: int, *, lifted_by: int, at: datetime) -> bool:
        """Lift a marking once; False when it was already lifted (double click, second manager)."""
        self._markings.clear()
        row = await self.session.scalar(
            select(IneligibilityRow).where(IneligibilityRow.id == ineligibility_id).with_for_update()
            .execution_options(populate_existing=True)
        )
        if row is None or row.lifted_at is not None:
            return False
        row.lifted_at = at
        row.lifted_by = lifted_by
        await self.session.flush()
        return True

    async def record_cancelled_days(self, ineligibility_id: int, days: Sequence[Registration]) -> None:
        self._markings.clear()
        row = await self.session.get(IneligibilityRow, ineligibility_id)
        if row is None:
            return
        row.cancelled_days = [
            {
                "id": r.id, "day": r.day.isoformat(), "place": r.place, "part": r.part, "status": str(r.status),
                "satellite_location": r.satellite_location, "source": r.source,
            }
            for r in days
        ]
        await self.session.flush()

    async def list_ineligible(self, on: date) -> list[Ineligibility]:
        """Everyone not eligible on a day (central monitoring)."""
        rows = await self.session.scalars(
            select(IneligibilityRow)
            .where(
                IneligibilityRow.lifted_at.is_(None),
                IneligibilityRow.valid_from <= on,
                or_(IneligibilityRow.valid_until.is_(None), IneligibilityRow.valid_until >= on),
            )
            .order_by(IneligibilityRow.staff_id)
        )
        return [_ineligibility(row) for row in rows]

    # -- team agreements --------------------------------------------------------------------------
    async def agreement(self, manager_id: int) -> TeamAgreement | None:
        if manager_id in self._agreements:
            return self._agreements[manager_id]
        row = (await self.sql.execute(_AGREEMENT, {"manager_id": manager_id})).first()
        agreement = None if row is None else TeamAgreement(
            manager_id, frozenset(int(d) for d in row.anchor_weekdays), row.min_office_days_per_week
        )
        self._agreements[manager_id] = agreement
        return agreement

    async def save_agreement(self, agreement: TeamAgreement) -> TeamAgreement | None:
        """Create or replace a manager's agreement; returns the previous one."""
        self._agreements.pop(agreement.manager_id, None)
        row = await self.session.get(TeamAgreementRow, agreement.manager_id, with_for_update=True)
        before = None
        values = {"anchor_weekdays": sorted(agreement.anchor_weekdays), "min_office_days_per_week": agreement.min_office_days_per_week}
        if row is None:
            try:
                async with self.session.begin_nested():
                    self.session.add(TeamAgreementRow(manager_id=agreement.manager_id, updated_at=utcnow(), **values))
                    await self.session.flush()
                return None
            except IntegrityError:
                row = await self.session.get(TeamAgreementRow, agreement.manager_id, with_for_update=True, populate_existing=True)
                if row is None:
                    raise
        before = TeamAgreement(row.manager_id, frozenset(row.anchor_weekdays), row.min_office_days_per_week)
        row.anchor_weekdays = values["anchor_weekdays"]
        row.min_office_days_per_week = values["min_office_days_per_week"]
        row.updated_at = utcnow()
        await self.session.flush()
        return before
