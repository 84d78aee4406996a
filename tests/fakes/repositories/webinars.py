"""Webinars, sessions, registrations and reminder claims in memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.domain.staff import Role, Staff
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

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase


class FakeWebinarRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    # Webinars are stored without sessions; sessions without their waitlist count; registrations
    # without a waitlist position: those are derived on reading, as the database does.
    def _webinars(self) -> dict[int, Webinar]:
        return self.db.table("webinars")

    def _sessions(self) -> dict[int, Session]:
        return self.db.table("webinar_sessions")

    def _registrations(self) -> dict[int, Registration]:
        return self.db.table("webinar_registrations")

    def _reminders(self) -> dict[tuple[int, int], dict[str, object]]:
        return self.db.table("webinar_reminders")

    def _waitlisted(self, session_id: int) -> list[Registration]:
        return sorted(
            (r for r in self._registrations().values() if r.session_id == session_id and r.status is RegistrationStatus.WAITLISTED),
            key=lambda r: r.id,
        )

    def _session(self, session: Session) -> Session:
        return replace(session, waitlisted=len(self._waitlisted(session.id)))

    def _assemble(self, webinar: Webinar, sessions_after: datetime | None = None) -> Webinar:
        sessions = sorted(
            (self._session(s) for s in self._sessions().values()
             if s.webinar_id == webinar.id and (sessions_after is None or s.starts_at > sessions_after)),
            key=lambda s: (s.starts_at, s.id),
        )
        return replace(webinar, sessions=tuple(sessions))

    def _with_position(self, registration: Registration) -> Registration:
        if registration.status is not RegistrationStatus.WAITLISTED:
            return replace(registration, waitlist_position=None)
        ahead = [r.id for r in self._waitlisted(registration.session_id)]
        return replace(registration, waitlist_position=ahead.index(registration.id) + 1)

    # -- webinars and sessions ----------------------------------------------------------------
    async def add(self, draft: WebinarDraft, entity_ids: Iterable[int], status: WebinarStatus, created_by: int | None) -> int:
        webinar = Webinar(
            id=self.db.next_id("webinars"), title_nl=draft.title_nl, title_en=draft.title_en,
            description_nl=draft.description_nl, description_en=draft.description_en, target_group=draft.target_group,
            status=status, entity_ids=frozenset(entity_ids),
        )
        self._webinars()[webinar.id] = webinar
        for session in draft.sessions:
            await self.add_session(webinar.id, session)
        return webinar.id

    async def add_session(self, webinar_id: int, draft: SessionDraft) -> int:
        session = Session(
            id=self.db.next_id("webinar_sessions"), webinar_id=webinar_id, starts_at=draft.starts_at, ends_at=draft.ends_at,
            capacity=draft.capacity, seats_taken=0, join_url=draft.join_url, target_group=draft.target_group,
        )
        self._sessions()[session.id] = session
        return session.id

    async def set_status(self, webinar_id: int, status: WebinarStatus) -> None:
        self._webinars()[webinar_id] = replace(self._webinars()[webinar_id], status=status)

    async def update_texts(self, webinar_id: int, draft: WebinarDraft, entity_ids: Iterable[int]) -> None:
        self._webinars()[webinar_id] = replace(
            self._webinars()[webinar_id], title_nl=draft.title_nl, title_en=draft.title_en, description_nl=draft.description_nl,
            description_en=draft.description_en, target_group=draft.target_group, entity_ids=frozenset(entity_ids),
        )

    async def update_session(self, session_id: int, draft: SessionDraft) -> None:
        self._sessions()[session_id] = replace(
            self._sessions()[session_id], starts_at=draft.starts_at, ends_at=draft.ends_at, capacity=draft.capacity,
            join_url=draft.join_url,
        )

    async def delete_session(self, session_id: int) -> None:
        self._sessions().pop(session_id, None)

    async def get(self, webinar_id: int) -> Webinar | None:
        webinar = self._webinars().get(webinar_id)
        return self._assemble(webinar) if webinar else None

    async def get_by_title(self, title_nl: str) -> Webinar | None:
        wanted = title_nl.strip().lower()
        found = sorted((w for w in self._webinars().values() if w.title_nl.lower() == wanted), key=lambda w: w.id)
        return self._assemble(found[0]) if found else None

    async def list_upcoming(self, now: datetime, limit: int = 20) -> list[Webinar]:
        upcoming = [self._assemble(w, sessions_after=now) for w in self._webinars().values() if w.status is WebinarStatus.PUBLISHED]
        upcoming = [w for w in upcoming if w.sessions]
        return sorted(upcoming, key=lambda w: (w.sessions[0].starts_at, w.id))[:limit]

    async def list_recent(self, since: datetime, limit: int = 20) -> list[Webinar]:
        webinars = [self._assemble(w) for w in self._webinars().values()]
        recent = [
            w for w in webinars
            if not w.sessions or max(s.starts_at for s in w.sessions) >= since or w.status is WebinarStatus.DRAFT
        ]
        return sorted(recent, key=lambda w: -w.id)[:limit]

    async def get_session(self, session_id: int) -> Session | None:
        session = self._sessions().get(session_id)
        return replace(session, waitlisted=0) if session else None

    async def find_session(self, webinar_id: int, starts_at: datetime) -> Session | None:
        return next((s for s in self._sessions().values() if s.webinar_id == webinar_id and s.starts_at == starts_at), None)

    async def lock_session(self, session_id: int) -> Session | None:
        return await self.get_session(session_id)

    async def take_seat(self, session_id: int) -> bool:
        session = self._sessions()[session_id]
        if session.seats_taken >= session.capacity:
            return False
        self._sessions()[session_id] = replace(session, seats_taken=session.seats_taken + 1)
        return True

    async def release_seat(self, session_id: int) -> None:
        session = self._sessions()[session_id]
        if session.seats_taken > 0:
            self._sessions()[session_id] = replace(session, seats_taken=session.seats_taken - 1)

    # -- registrations ------------------------------------------------------------------------
    async def add_registration(
        self, webinar_id: int, session_id: int, staff_id: int, status: RegistrationStatus, now: datetime, source: str = "bot",
        attended: bool | None = None,
    ) -> Registration | None:
        sources = self.db.table("webinar_registration_sources")
        if any(r.session_id == session_id and r.staff_id == staff_id for r in self._registrations().values()) or (
            source == "bot" and any(r.webinar_id == webinar_id and r.staff_id == staff_id and sources.get(r.id, "bot") == "bot"
                                    for r in self._registrations().values())
        ):
            return None  # the unique constraints: one per session, and one per webinar in the bot
        registration = Registration(
            id=self.db.next_id("webinar_registrations"), webinar_id=webinar_id, session_id=session_id, staff_id=staff_id,
            status=status, registered_at=now, seated_at=now if status is RegistrationStatus.SEATED else None, attended=attended,
        )
        self._registrations()[registration.id] = registration
        sources[registration.id] = source
        return registration

    async def registration_in_session(self, session_id: int, staff_id: int) -> Registration | None:
        return next((r for r in self._registrations().values() if r.session_id == session_id and r.staff_id == staff_id), None)

    async def get_registration(self, registration_id: int) -> Registration | None:
        registration = self._registrations().get(registration_id)
        return self._with_position(registration) if registration else None

    async def registration_of(self, webinar_id: int, staff_id: int) -> Registration | None:
        found = next((r for r in self._registrations().values() if r.webinar_id == webinar_id and r.staff_id == staff_id), None)
        return self._with_position(found) if found else None

    async def registrations_of(self, staff_id: int, webinar_ids: Iterable[int]) -> dict[int, Registration]:
        wanted = set(webinar_ids)
        return {
            r.webinar_id: self._with_position(r) for r in self._registrations().values()
            if r.staff_id == staff_id and r.webinar_id in wanted
        }

    async def list_for_staff(self, staff_id: int, after: datetime) -> list[Registration]:
        sessions = self._sessions()
        mine = [r for r in self._registrations().values() if r.staff_id == staff_id and sessions[r.session_id].ends_at > after]
        return [self._with_position(r) for r in sorted(mine, key=lambda r: sessions[r.session_id].starts_at)]

    async def delete_registration(self, registration_id: int) -> None:
        self._registrations().pop(registration_id, None)
        for key in [k for k in self._reminders() if k[0] == registration_id]:
            del self._reminders()[key]  # ON DELETE CASCADE

    async def first_waitlisted(self, session_id: int) -> Registration | None:
        waiting = self._waitlisted(session_id)
        return replace(waiting[0], waitlist_position=None) if waiting else None

    async def seat(self, registration_id: int, now: datetime) -> None:
        registration = self._registrations()[registration_id]
        self._registrations()[registration_id] = replace(registration, status=RegistrationStatus.SEATED, seated_at=now)

    async def waitlist(self, session_id: int) -> list[Registration]:
        return [replace(r, waitlist_position=index) for index, r in enumerate(self._waitlisted(session_id), start=1)]

    async def participants(self, session_id: int) -> list[Participant]:
        staff: dict[int, Staff] = self.db.table("staff")
        rows = [r for r in self._registrations().values() if r.session_id == session_id and r.staff_id in staff]
        rows.sort(key=lambda r: (r.status.value, staff[r.staff_id].display_name, r.id))
        return [
            Participant(r.id, r.staff_id, staff[r.staff_id].display_name, staff[r.staff_id].email, r.status, r.attended)
            for r in rows
        ]

    async def set_attended(self, registration_id: int, attended: bool | None) -> None:
        self._registrations()[registration_id] = replace(self._registrations()[registration_id], attended=attended)

    # -- audience and reminders ---------------------------------------------------------------
    async def audience(self, target_group: TargetGroup, entity_ids: Iterable[int], today: date) -> list[int]:
        entities = set(entity_ids)
        people = [s for s in self.db.table("staff").values() if s.in_service_on(today)]
        if target_group is TargetGroup.MANAGERS:
            people = [s for s in people if Role.MANAGER in s.roles]
        elif target_group is TargetGroup.HR:
            people = [s for s in people if Role.HR in s.roles]
        elif target_group is TargetGroup.ENTITIES:
            people = [s for s in people if s.entity_id in entities]
        return sorted(s.id for s in people)

    async def reminder_candidates(self, now: datetime, until: datetime) -> list[ReminderCandidate]:
        sessions, webinars = self._sessions(), self._webinars()
        due = [
            r for r in self._registrations().values()
            if r.status is RegistrationStatus.SEATED and now < sessions[r.session_id].starts_at <= until
            and webinars[r.webinar_id].status is WebinarStatus.PUBLISHED
        ]
        due.sort(key=lambda r: (sessions[r.session_id].starts_at, r.id))
        return [
            ReminderCandidate(
                r.id, r.staff_id, r.webinar_id, r.session_id, sessions[r.session_id].starts_at, r.seated_at or r.registered_at,
                tuple(hours for (registration_id, hours) in self._reminders() if registration_id == r.id),
            )
            for r in due
        ]

    async def claim_reminder(self, registration_id: int, hours_before: int, claimed_by: str, now: datetime) -> bool:
        key = (registration_id, hours_before)
        if key in self._reminders():
            return False
        self._reminders()[key] = {"claimed_at": now, "claimed_by": claimed_by, "outcome": "claimed"}
        return True

    async def set_reminder_outcome(self, registration_id: int, hours_before: int, outcome: str) -> None:
        reminder = self._reminders().get((registration_id, hours_before))
        if reminder is not None:
            reminder["outcome"] = outcome
