"""The webinars repository as the use cases see it (implemented in storage/repositories/webinars.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

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


class WebinarRepository(Protocol):
    # -- webinars and sessions ----------------------------------------------------------------
    async def add(self, draft: WebinarDraft, entity_ids: Iterable[int], status: WebinarStatus, created_by: int | None) -> int:
        """A webinar with its sessions; returns its id."""
        ...

    async def add_session(self, webinar_id: int, draft: SessionDraft) -> int: ...

    async def set_status(self, webinar_id: int, status: WebinarStatus) -> None: ...

    async def update_texts(self, webinar_id: int, draft: WebinarDraft, entity_ids: Iterable[int]) -> None:
        """Replace the titles, descriptions, target group and entities (not the sessions)."""
        ...

    async def update_session(self, session_id: int, draft: SessionDraft) -> None:
        """New start, end, capacity and link for a session (its registrations stay)."""
        ...

    async def delete_session(self, session_id: int) -> None:
        """Remove a session nobody registered for."""
        ...

    async def get(self, webinar_id: int) -> Webinar | None:
        """With every session (oldest first), seats taken and waitlist length."""
        ...

    async def get_by_title(self, title_nl: str) -> Webinar | None:
        """The first webinar with this Dutch title, case-insensitive."""
        ...

    async def list_upcoming(self, now: datetime, limit: int = 20) -> list[Webinar]:
        """Published webinars with a session still to come, soonest first (only those sessions)."""
        ...

    async def list_recent(self, since: datetime, limit: int = 20) -> list[Webinar]:
        """HR's list: drafts and webinars with a session since `since`, newest first."""
        ...

    async def get_session(self, session_id: int) -> Session | None: ...

    async def find_session(self, webinar_id: int, starts_at: datetime) -> Session | None: ...

    async def lock_session(self, session_id: int) -> Session | None:
        """Read a session under a row lock: seats and waitlist change only under it."""
        ...

    async def take_seat(self, session_id: int) -> bool:
        """One seat, only if one is left."""
        ...

    async def release_seat(self, session_id: int) -> None: ...

    # -- registrations ------------------------------------------------------------------------
    async def add_registration(
        self, webinar_id: int, session_id: int, staff_id: int, status: RegistrationStatus, now: datetime, source: str = "bot",
        attended: bool | None = None,
    ) -> Registration | None:
        """None when this person already holds a registration for the webinar."""
        ...

    async def get_registration(self, registration_id: int) -> Registration | None:
        """With the waitlist position of a waitlisted registration."""
        ...

    async def registration_of(self, webinar_id: int, staff_id: int) -> Registration | None: ...
    async def registration_in_session(self, session_id: int, staff_id: int) -> Registration | None:
        """This person's registration for this very session (imported history may hold one per session)."""
        ...

    async def registrations_of(self, staff_id: int, webinar_ids: Iterable[int]) -> dict[int, Registration]:
        """A staff member's registrations, by webinar id."""
        ...

    async def list_for_staff(self, staff_id: int, after: datetime) -> list[Registration]:
        """A staff member's registrations for sessions that have not ended, soonest first."""
        ...

    async def delete_registration(self, registration_id: int) -> None: ...

    async def first_waitlisted(self, session_id: int) -> Registration | None: ...

    async def seat(self, registration_id: int, now: datetime) -> None:
        """A waitlisted registration takes the seat another one freed."""
        ...

    async def waitlist(self, session_id: int) -> list[Registration]:
        """In the order people joined it, positions from 1."""
        ...

    async def participants(self, session_id: int) -> list[Participant]: ...

    async def set_attended(self, registration_id: int, attended: bool | None) -> None: ...

    # -- audience and reminders ---------------------------------------------------------------
    async def audience(self, target_group: TargetGroup, entity_ids: Iterable[int], today: date) -> list[int]:
        """Ids of the staff in service today that a webinar's target group covers."""
        ...

    async def reminder_candidates(self, now: datetime, until: datetime) -> list[ReminderCandidate]:
        """Seated registrations of published sessions starting in (now, until]."""
        ...

    async def claim_reminder(self, registration_id: int, hours_before: int, claimed_by: str, now: datetime) -> bool:
        """Exactly one caller across bot instances gets True for a (registration, reminder)."""
        ...

    async def set_reminder_outcome(self, registration_id: int, hours_before: int, outcome: str) -> None: ...
