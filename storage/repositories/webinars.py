"""Webinars (sessions, seats, waitlist, reminders, attendance) and coaching requests, plus the
aggregations the parliamentary report reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, delete, distinct, extract, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.coaching import CoachingKind, CoachingRequest, CoachingStatus
from bot.domain.staff import Role
from bot.domain.webinars import (
    Participant,
    Registration,
    RegistrationStatus,
    ReminderCandidate,
    Session,
    SessionDraft,
    TargetGroup,
    Webinar,
    WebinarDraft,
    WebinarStatus,
)
from storage.models.base import utcnow
from storage.models.directory import EntityRow, StaffRoleRow, StaffRow
from storage.models.webinars import (
    CoachingRequestRow,
    WebinarEntityRow,
    WebinarRegistrationRow,
    WebinarReminderRow,
    WebinarRow,
    WebinarSessionRow,
)


@dataclass(frozen=True)
class WebinarParticipation:
    """One webinar's use for the report: registered (seats taken) and attended, per entity when asked."""

    webinar_id: int
    title_nl: str
    title_en: str
    target_group: str
    entity_code: str | None
    first_session: datetime
    last_session: datetime
    sessions: int
    registered: int
    attended: int


@dataclass(frozen=True)
class CoachingUsage:
    """Coaching per year (of the request): distinct staff, requests and conversations."""

    year: int
    entity_code: str | None
    kind: str | None
    staff: int
    requests: int
    conversations: int


def _session(row: WebinarSessionRow, waitlisted: int = 0) -> Session:
    return Session(
        id=row.id, webinar_id=row.webinar_id, starts_at=row.starts_at, ends_at=row.ends_at, capacity=row.capacity,
        seats_taken=row.seats_taken, join_url=row.join_url, waitlisted=waitlisted, target_group=row.target_group,
    )


def _registration(row: WebinarRegistrationRow, position: int | None = None) -> Registration:
    return Registration(
        id=row.id, webinar_id=row.webinar_id, session_id=row.session_id, staff_id=row.staff_id,
        status=RegistrationStatus(row.status), registered_at=row.registered_at, seated_at=row.seated_at,
        attended=row.attended, waitlist_position=position,
    )


class WebinarRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- webinars and sessions ----------------------------------------------------------------
    async def add(self, draft: WebinarDraft, entity_ids: Iterable[int], status: WebinarStatus, created_by: int | None) -> int:
        row = WebinarRow(
            title_nl=draft.title_nl, title_en=draft.title_en, description_nl=draft.description_nl,
            description_en=draft.description_en, target_group=draft.target_group.value, status=status.value,
            created_by=created_by, created_at=utcnow(),
        )
        self.session.add(row)
        await self.session.flush()
        for entity_id in sorted(set(entity_ids)):
            self.session.add(WebinarEntityRow(webinar_id=row.id, entity_id=entity_id))
        for session in draft.sessions:
            await self.add_session(row.id, session)
        await self.session.flush()
        return row.id

    async def add_session(self, webinar_id: int, draft: SessionDraft) -> int:
        row = WebinarSessionRow(
            webinar_id=webinar_id, starts_at=draft.starts_at, ends_at=draft.ends_at, capacity=draft.capacity,
            seats_taken=0, join_url=draft.join_url, target_group=draft.target_group,
        )
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def set_status(self, webinar_id: int, status: WebinarStatus) -> None:
        await self.session.execute(update(WebinarRow).where(WebinarRow.id == webinar_id).values(status=status.value))

    async def update_texts(self, webinar_id: int, draft: WebinarDraft, entity_ids: Iterable[int]) -> None:
        await self.session.execute(
            update(WebinarRow).where(WebinarRow.id == webinar_id).values(
                title_nl=draft.title_nl, title_en=draft.title_en, description_nl=draft.description_nl,
                description_en=draft.description_en, target_group=draft.target_group.value,
            )
        )
        await self.session.execute(delete(WebinarEntityRow).where(WebinarEntityRow.webinar_id == webinar_id))
        for entity_id in sorted(set(entity_ids)):
            self.session.add(WebinarEntityRow(webinar_id=webinar_id, entity_id=entity_id))
        await self.session.flush()

    async def update_session(self, session_id: int, draft: SessionDraft) -> None:
        await self.session.execute(
            update(WebinarSessionRow).where(WebinarSessionRow.id == session_id).values(
                starts_at=draft.starts_at, ends_at=draft.ends_at, capacity=draft.capacity, join_url=draft.join_url,
            )
        )

    async def delete_session(self, session_id: int) -> None:
        await self.session.execute(delete(WebinarSessionRow).where(WebinarSessionRow.id == session_id))

    async def _webinars(self, rows: Sequence[WebinarRow], sessions_after: datetime | None = None) -> list[Webinar]:
        if not rows:
            return []
        ids = [row.id for row in rows]
        entities: dict[int, set[int]] = {i: set() for i in ids}
        for webinar_id, entity_id in await self.session.execute(
            select(WebinarEntityRow.webinar_id, WebinarEntityRow.entity_id).where(WebinarEntityRow.webinar_id.in_(ids))
        ):
            entities[webinar_id].add(entity_id)
        waitlisted = (
            select(WebinarRegistrationRow.session_id, func.count().label("n"))
            .where(WebinarRegistrationRow.status == RegistrationStatus.WAITLISTED.value)
            .group_by(WebinarRegistrationRow.session_id)
            .subquery()
        )
        query = (
            select(WebinarSessionRow, func.coalesce(waitlisted.c.n, 0))
            .outerjoin(waitlisted, waitlisted.c.session_id == WebinarSessionRow.id)
            .where(WebinarSessionRow.webinar_id.in_(ids))
            .order_by(WebinarSessionRow.starts_at, WebinarSessionRow.id)
            .execution_options(populate_existing=True)
        )
        if sessions_after is not None:
            query = query.where(WebinarSessionRow.starts_at > sessions_after)
        sessions: dict[int, list[Session]] = {i: [] for i in ids}
        for session_row, count in (await self.session.execute(query)).tuples():
            sessions[session_row.webinar_id].append(_session(session_row, int(count)))
        return [
            Webinar(
                id=row.id, title_nl=row.title_nl, title_en=row.title_en, description_nl=row.description_nl,
                description_en=row.description_en, target_group=TargetGroup(row.target_group),
                status=WebinarStatus(row.status), entity_ids=frozenset(entities[row.id]),
                sessions=tuple(sessions[row.id]),
            )
            for row in rows
        ]

    async def get(self, webinar_id: int) -> Webinar | None:
        row = await self.session.get(WebinarRow, webinar_id, populate_existing=True)
        found = await self._webinars([row]) if row else []
        return found[0] if found else None

    async def get_by_title(self, title_nl: str) -> Webinar | None:
        row = await self.session.scalar(
            select(WebinarRow).where(func.lower(WebinarRow.title_nl) == title_nl.strip().lower()).order_by(WebinarRow.id).limit(1)
        )
        found = await self._webinars([row]) if row else []
        return found[0] if found else None

    async def list_upcoming(self, now: datetime, limit: int = 20) -> list[Webinar]:
        """Published webinars with a session still to come, soonest first (only those sessions)."""
        next_start = (
            select(WebinarSessionRow.webinar_id, func.min(WebinarSessionRow.starts_at).label("first"))
            .where(WebinarSessionRow.starts_at > now)
            .group_by(WebinarSessionRow.webinar_id)
            .subquery()
        )
        rows = (
            await self.session.scalars(
                select(WebinarRow)
                .join(next_start, next_start.c.webinar_id == WebinarRow.id)
                .where(WebinarRow.status == WebinarStatus.PUBLISHED.value)
                .order_by(next_start.c.first, WebinarRow.id)
                .limit(limit)
            )
        ).all()
        return await self._webinars(rows, sessions_after=now)

    async def list_recent(self, since: datetime, limit: int = 20) -> list[Webinar]:
        """HR's list: drafts and webinars with a session since `since`, newest first."""
        last = (
            select(WebinarSessionRow.webinar_id, func.max(WebinarSessionRow.starts_at).label("last"))
            .group_by(WebinarSessionRow.webinar_id)
            .subquery()
        )
        rows = (
            await self.session.scalars(
                select(WebinarRow)
                .outerjoin(last, last.c.webinar_id == WebinarRow.id)
                .where(or_(last.c.last >= since, last.c.last.is_(None), WebinarRow.status == WebinarStatus.DRAFT.value))
                .order_by(WebinarRow.id.desc())
                .limit(limit)
            )
        ).all()
        return await self._webinars(rows)

    async def get_session(self, session_id: int) -> Session | None:
        row = await self.session.get(WebinarSessionRow, session_id, populate_existing=True)
        return _session(row) if row else None

    async def find_session(self, webinar_id: int, starts_at: datetime) -> Session | None:
        row = await self.session.scalar(
            select(WebinarSessionRow).where(WebinarSessionRow.webinar_id == webinar_id, WebinarSessionRow.starts_at == starts_at)
        )
        return _session(row) if row else None

    async def lock_session(self, session_id: int) -> Session | None:
        """Read a session under a row lock (PostgreSQL); every change to its seats or waitlist
        happens under this lock, so seats and waitlist order follow the order of the commits.
        SQLite needs none: BEGIN IMMEDIATE already serialises writers."""
        row = await self.session.scalar(
            select(WebinarSessionRow)
            .where(WebinarSessionRow.id == session_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return _session(row) if row else None

    async def take_seat(self, session_id: int) -> bool:
        """One seat, only if one is left (conditional update; the check constraint backs it)."""
        result = await self.session.execute(
            update(WebinarSessionRow)
            .where(WebinarSessionRow.id == session_id, WebinarSessionRow.seats_taken < WebinarSessionRow.capacity)
            .values(seats_taken=WebinarSessionRow.seats_taken + 1)
        )
        return result.rowcount == 1

    async def release_seat(self, session_id: int) -> None:
        await self.session.execute(
            update(WebinarSessionRow)
            .where(WebinarSessionRow.id == session_id, WebinarSessionRow.seats_taken > 0)
            .values(seats_taken=WebinarSessionRow.seats_taken - 1)
        )

    # -- registrations ------------------------------------------------------------------------
    async def add_registration(
        self, webinar_id: int, session_id: int, staff_id: int, status: RegistrationStatus, now: datetime, source: str = "bot",
        attended: bool | None = None,
    ) -> Registration | None:
        """None when this person already holds a registration for the webinar (unique constraint)."""
        row = WebinarRegistrationRow(
            webinar_id=webinar_id, session_id=session_id, staff_id=staff_id, status=status.value, registered_at=now,
            seated_at=now if status is RegistrationStatus.SEATED else None, source=source, attended=attended,
        )
        try:
            async with self.session.begin_nested():
                self.session.add(row)
                await self.session.flush()
        except IntegrityError:
            return None
        return _registration(row)

    async def _position(self, row: WebinarRegistrationRow) -> int | None:
        if row.status != RegistrationStatus.WAITLISTED.value:
            return None
        ahead = await self.session.scalar(
            select(func.count()).where(
                WebinarRegistrationRow.session_id == row.session_id,
                WebinarRegistrationRow.status == RegistrationStatus.WAITLISTED.value,
                WebinarRegistrationRow.id <= row.id,
            )
        )
        return int(ahead or 0)

    async def get_registration(self, registration_id: int) -> Registration | None:
        row = await self.session.get(WebinarRegistrationRow, registration_id, populate_existing=True)
        return _registration(row, await self._position(row)) if row else None

    async def registration_in_session(self, session_id: int, staff_id: int) -> Registration | None:
        row = await self.session.scalar(
            select(WebinarRegistrationRow).where(WebinarRegistrationRow.session_id == session_id, WebinarRegistrationRow.staff_id == staff_id)
        )
        return _registration(row) if row else None

    async def registration_of(self, webinar_id: int, staff_id: int) -> Registration | None:
        row = await self.session.scalar(
            select(WebinarRegistrationRow)
            .where(WebinarRegistrationRow.webinar_id == webinar_id, WebinarRegistrationRow.staff_id == staff_id)
            .execution_options(populate_existing=True)
        )
        return _registration(row, await self._position(row)) if row else None

    async def registrations_of(self, staff_id: int, webinar_ids: Iterable[int]) -> dict[int, Registration]:
        ids = list(webinar_ids)
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(WebinarRegistrationRow).where(
                WebinarRegistrationRow.staff_id == staff_id, WebinarRegistrationRow.webinar_id.in_(ids)
            )
        )
        return {row.webinar_id: _registration(row, await self._position(row)) for row in rows.all()}

    async def list_for_staff(self, staff_id: int, after: datetime) -> list[Registration]:
        """A staff member's registrations for sessions that have not ended."""
        rows = await self.session.scalars(
            select(WebinarRegistrationRow)
            .join(WebinarSessionRow, WebinarSessionRow.id == WebinarRegistrationRow.session_id)
            .where(WebinarRegistrationRow.staff_id == staff_id, WebinarSessionRow.ends_at > after)
            .order_by(WebinarSessionRow.starts_at)
        )
        return [_registration(row, await self._position(row)) for row in rows.all()]

    async def delete_registration(self, registration_id: int) -> None:
        await self.session.execute(delete(WebinarRegistrationRow).where(WebinarRegistrationRow.id == registration_id))

    async def first_waitlisted(self, session_id: int) -> Registration | None:
        row = await self.session.scalar(
            select(WebinarRegistrationRow)
            .where(
                WebinarRegistrationRow.session_id == session_id,
                WebinarRegistrationRow.status == RegistrationStatus.WAITLISTED.value,
            )
            .order_by(WebinarRegistrationRow.id)
            .limit(1)
        )
        return _registration(row) if row else None

    async def seat(self, registration_id: int, now: datetime) -> None:
        await self.session.execute(
            update(WebinarRegistrationRow)
            .where(WebinarRegistrationRow.id == registration_id)
            .values(status=RegistrationStatus.SEATED.value, seated_at=now)
        )

    async def waitlist(self, session_id: int) -> list[Registration]:
        rows = await self.session.scalars(
            select(WebinarRegistrationRow)
            .where(
                WebinarRegistrationRow.session_id == session_id,
                WebinarRegistrationRow.status == RegistrationStatus.WAITLISTED.value,
            )
            .order_by(WebinarRegistrationRow.id)
        )
        return [_registration(row, index) for index, row in enumerate(rows.all(), start=1)]

    async def participants(self, session_id: int) -> list[Participant]:
        rows = await self.session.execute(
            select(WebinarRegistrationRow, StaffRow.display_name, StaffRow.email)
            .join(StaffRow, StaffRow.id == WebinarRegistrationRow.staff_id)
            .where(WebinarRegistrationRow.session_id == session_id)
            .order_by(WebinarRegistrationRow.status, StaffRow.display_name, WebinarRegistrationRow.id)
            .execution_options(populate_existing=True)
        )
        return [
            Participant(row.id, row.staff_id, name, email, RegistrationStatus(row.status), row.attended)
            for row, name, email in rows.tuples()
        ]

    async def set_attended(self, registration_id: int, attended: bool | None) -> None:
        await self.session.execute(
            update(WebinarRegistrationRow).where(WebinarRegistrationRow.id == registration_id).values(attended=attended)
        )

    # -- audience -----------------------------------------------------------------------------
    async def audience(self, target_group: TargetGroup, entity_ids: Iterable[int], today: date) -> list[int]:
        """Ids of the staff in service today that a webinar's target group covers."""
        query = select(StaffRow.id).where(
            StaffRow.start_date <= today, or_(StaffRow.end_date.is_(None), StaffRow.end_date >= today)
        )
        if target_group is TargetGroup.MANAGERS:
            query = query.where(StaffRow.id.in_(select(StaffRoleRow.staff_id).where(StaffRoleRow.role == Role.MANAGER.value)))
        elif target_group is TargetGroup.HR:
            query = query.where(StaffRow.id.in_(select(StaffRoleRow.staff_id).where(StaffRoleRow.role == Role.HR.value)))
        elif target_group is TargetGroup.ENTITIES:
            query = query.where(StaffRow.entity_id.in_(list(entity_ids)))
        return list(await self.session.scalars(query.order_by(StaffRow.id)))

    # -- reminders ----------------------------------------------------------------------------
    async def reminder_candidates(self, now: datetime, until: datetime) -> list[ReminderCandidate]:
        """Seated registrations of sessions starting in (now, until], with the reminders already claimed."""
        rows = (
            await self.session.execute(
                select(
                    WebinarRegistrationRow.id, WebinarRegistrationRow.staff_id, WebinarRegistrationRow.webinar_id,
                    WebinarRegistrationRow.session_id, WebinarSessionRow.starts_at, WebinarRegistrationRow.seated_at,
                    WebinarRegistrationRow.registered_at,
                )
                .join(WebinarSessionRow, WebinarSessionRow.id == WebinarRegistrationRow.session_id)
                .join(WebinarRow, WebinarRow.id == WebinarRegistrationRow.webinar_id)
                .where(
                    WebinarRegistrationRow.status == RegistrationStatus.SEATED.value,
                    WebinarSessionRow.starts_at > now,
                    WebinarSessionRow.starts_at <= until,
                    WebinarRow.status == WebinarStatus.PUBLISHED.value,
                )
                .order_by(WebinarSessionRow.starts_at, WebinarRegistrationRow.id)
            )
        ).all()
        if not rows:
            return []
        sent: dict[int, list[int]] = {}
        ids = [row[0] for row in rows]
        for chunk in range(0, len(ids), 1000):
            for registration_id, hours in await self.session.execute(
                select(WebinarReminderRow.registration_id, WebinarReminderRow.hours_before).where(
                    WebinarReminderRow.registration_id.in_(ids[chunk : chunk + 1000])
                )
            ):
                sent.setdefault(registration_id, []).append(hours)
        return [
            ReminderCandidate(rid, staff_id, webinar_id, session_id, starts_at, seated_at or registered_at, tuple(sent.get(rid, ())))
            for rid, staff_id, webinar_id, session_id, starts_at, seated_at, registered_at in rows
        ]

    async def claim_reminder(self, registration_id: int, hours_before: int, claimed_by: str, now: datetime) -> bool:
        """Exactly one caller across bot instances gets True for a (registration, reminder): the
        insert waits for a concurrent one's transaction, then fails on the primary key."""
        try:
            async with self.session.begin_nested():
                self.session.add(
                    WebinarReminderRow(
                        registration_id=registration_id, hours_before=hours_before, claimed_at=now, claimed_by=claimed_by[:100],
                    )
                )
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def set_reminder_outcome(self, registration_id: int, hours_before: int, outcome: str) -> None:
        await self.session.execute(
            update(WebinarReminderRow)
            .where(WebinarReminderRow.registration_id == registration_id, WebinarReminderRow.hours_before == hours_before)
            .values(outcome=outcome)
        )

    # -- report aggregations ------------------------------------------------------------------
    async def participation_per_webinar(
        self, start: datetime | None = None, end: datetime | None = None, *, by_entity: bool = False
    ) -> list[WebinarParticipation]:
        """Registered (seats held) and attended per webinar, counting the sessions that start in
        [start, end); per entity of the participant (current entity) when `by_entity`."""
        session_filter = []
        if start is not None:
            session_filter.append(WebinarSessionRow.starts_at >= start)
        if end is not None:
            session_filter.append(WebinarSessionRow.starts_at < end)
        periods = (
            select(
                WebinarSessionRow.webinar_id,
                func.min(WebinarSessionRow.starts_at).label("first"),
                func.max(WebinarSessionRow.starts_at).label("last"),
                func.count().label("sessions"),
            )
            .where(*session_filter)
            .group_by(WebinarSessionRow.webinar_id)
            .subquery()
        )
        group = [WebinarRow.id, WebinarRow.title_nl, WebinarRow.title_en, WebinarRow.target_group,
                 periods.c.first, periods.c.last, periods.c.sessions]
        registrations = (
            select(WebinarRegistrationRow)
            .join(WebinarSessionRow, WebinarSessionRow.id == WebinarRegistrationRow.session_id)
            .where(*session_filter)
            .subquery()
        )
        WebinarRegistration = registrations.c  # noqa: N806 - reads like the table it stands for
        seated = WebinarRegistration.status == RegistrationStatus.SEATED.value
        registered = func.count(case((seated, WebinarRegistration.id)))
        attended = func.count(case((and_(seated, WebinarRegistration.attended.is_(True)), WebinarRegistration.id)))
        query = (
            select(*group, registered, attended, *([EntityRow.code] if by_entity else []))
            .select_from(WebinarRow)
            .join(periods, periods.c.webinar_id == WebinarRow.id)
            .outerjoin(registrations, WebinarRegistration.webinar_id == WebinarRow.id)
        )
        if by_entity:
            query = query.outerjoin(StaffRow, StaffRow.id == WebinarRegistration.staff_id).outerjoin(
                EntityRow, EntityRow.id == StaffRow.entity_id
            )
            group.append(EntityRow.code)
        query = query.group_by(*group).order_by(periods.c.first, WebinarRow.id)
        if by_entity:
            query = query.order_by(EntityRow.code)
        result = []
        for row in (await self.session.execute(query)).all():
            values = list(row)
            code = values[9] if by_entity else None
            result.append(
                WebinarParticipation(
                    webinar_id=values[0], title_nl=values[1], title_en=values[2], target_group=values[3],
                    entity_code=code, first_session=values[4], last_session=values[5], sessions=int(values[6]),
                    registered=int(values[7]), attended=int(values[8]),
                )
            )
        return result


def _coaching(row: CoachingRequestRow) -> CoachingRequest:
    return CoachingRequest(
        id=row.id, staff_id=row.staff_id, kind=CoachingKind(row.kind), note=row.note, status=CoachingStatus(row.status),
        requested_on=row.requested_on, requested_at=row.requested_at, coach_id=row.coach_id,
        conversations=row.conversations, closed_at=row.closed_at,
    )


class CoachingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, staff_id: int, kind: CoachingKind, note: str, now: datetime, requested_on: date, *, source: str = "bot",
        status: CoachingStatus = CoachingStatus.OPEN, conversations: int = 0,
    ) -> CoachingRequest:
        row = CoachingRequestRow(
            staff_id=staff_id, kind=kind.value, note=note, status=status.value, conversations=conversations,
            requested_on=requested_on, requested_at=now, source=source,
            closed_at=now if status is CoachingStatus.CLOSED else None,
        )
        self.session.add(row)
        await self.session.flush()
        return _coaching(row)

    async def get(self, request_id: int, *, lock: bool = False) -> CoachingRequest | None:
        query = select(CoachingRequestRow).where(CoachingRequestRow.id == request_id).execution_options(populate_existing=True)
        row = await self.session.scalar(query.with_for_update() if lock else query)
        return _coaching(row) if row else None

    async def find(self, staff_id: int, kind: CoachingKind, requested_on: date) -> CoachingRequest | None:
        row = await self.session.scalar(
            select(CoachingRequestRow).where(
                CoachingRequestRow.staff_id == staff_id, CoachingRequestRow.kind == kind.value,
                CoachingRequestRow.requested_on == requested_on,
            ).order_by(CoachingRequestRow.id).limit(1)
        )
        return _coaching(row) if row else None

    async def list_for_staff(self, staff_id: int) -> list[CoachingRequest]:
        rows = await self.session.scalars(
            select(CoachingRequestRow).where(CoachingRequestRow.staff_id == staff_id).order_by(CoachingRequestRow.id.desc())
        )
        return [_coaching(row) for row in rows]

    async def list_queue(self, *, coach_id: int | None = None, limit: int = 30) -> list[CoachingRequest]:
        """Open and assigned requests, oldest first; only one coach's when `coach_id` is given."""
        query = select(CoachingRequestRow).where(CoachingRequestRow.status != CoachingStatus.CLOSED.value)
        if coach_id is not None:
            query = query.where(CoachingRequestRow.coach_id == coach_id)
        rows = await self.session.scalars(query.order_by(CoachingRequestRow.requested_at, CoachingRequestRow.id).limit(limit))
        return [_coaching(row) for row in rows]

    async def update(self, request_id: int, **values: object) -> None:
        await self.session.execute(update(CoachingRequestRow).where(CoachingRequestRow.id == request_id).values(**values))

    async def usage_per_year(
        self, first_year: int | None = None, last_year: int | None = None, *, by_entity: bool = False, by_kind: bool = False
    ) -> list[CoachingUsage]:
        """Staff who used coaching (distinct), requests and conversations per year of the request."""
        year = extract("year", CoachingRequestRow.requested_on)
        group: list = [year]
        if by_entity:
            group.append(EntityRow.code)
        if by_kind:
            group.append(CoachingRequestRow.kind)
        query = select(
            *group,
            func.count(distinct(CoachingRequestRow.staff_id)),
            func.count(CoachingRequestRow.id),
            func.coalesce(func.sum(CoachingRequestRow.conversations), 0),
        ).select_from(CoachingRequestRow)
        if by_entity:
            query = query.join(StaffRow, StaffRow.id == CoachingRequestRow.staff_id).join(EntityRow, EntityRow.id == StaffRow.entity_id)
        if first_year is not None:
            query = query.where(year >= first_year)
        if last_year is not None:
            query = query.where(year <= last_year)
        result = []
        for row in (await self.session.execute(query.group_by(*group).order_by(*group))).all():
            values = list(row)
            entity_code = values[1] if by_entity else None
            kind = values[1 + int(by_entity)] if by_kind else None
            staff, requests, conversations = values[-3:]
            result.append(CoachingUsage(int(values[0]), entity_code, kind, int(staff), int(requests), int(conversations)))
        return result
