"""Webinars, their sessions, registrations (seats and waitlist), sent reminders, and coaching."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class WebinarRow(Base):
    __tablename__ = "webinars"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_nl: Mapped[str] = mapped_column(String(200), index=True)
    title_en: Mapped[str] = mapped_column(String(200))
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(String(16))  # all, managers, hr, entities
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft, published
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebinarEntityRow(Base):
    """The entities a webinar with target group "entities" is meant for."""

    __tablename__ = "webinar_entities"

    webinar_id: Mapped[int] = mapped_column(ForeignKey("webinars.id", ondelete="CASCADE"), primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), primary_key=True)


class WebinarSessionRow(Base):
    __tablename__ = "webinar_sessions"
    __table_args__ = (
        UniqueConstraint("webinar_id", "starts_at"),
        # The last line of defence against overbooking, whatever the code above it does.
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webinar_id: Mapped[int] = mapped_column(ForeignKey("webinars.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    join_url: Mapped[str] = mapped_column(String(1000))
    # The session's own target group (a history file gives one per session); None: the webinar's.
    target_group: Mapped[str | None] = mapped_column(String(16))


BOT_REGISTRATIONS = text("source = 'bot'")


class WebinarRegistrationRow(Base):
    """One per person per webinar in the bot: a seat in one session, or a place on that session's
    waitlist (ordered by id, which is handed out under the session's row lock). Imported history
    may hold one per session: someone attended a repeat session of the same title."""

    __tablename__ = "webinar_registrations"
    __table_args__ = (
        UniqueConstraint("session_id", "staff_id"),
        Index("uq_webinar_registrations_bot_webinar_staff", "webinar_id", "staff_id", unique=True,
              sqlite_where=BOT_REGISTRATIONS, postgresql_where=BOT_REGISTRATIONS),
        Index("ix_webinar_registrations_session_status", "session_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webinar_id: Mapped[int] = mapped_column(ForeignKey("webinars.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("webinar_sessions.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # seated, waitlisted
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    seated_at: Mapped[datetime | None]
    attended: Mapped[bool | None]
    source: Mapped[str] = mapped_column(String(16), default="bot")  # bot, import


class WebinarReminderRow(Base):
    """A reminder claimed for one registration, in the transaction that records its notification,
    so it goes out once."""

    __tablename__ = "webinar_reminders"
    __table_args__ = (UniqueConstraint("registration_id", "hours_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("webinar_registrations.id", ondelete="CASCADE"))
    hours_before: Mapped[int]
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(16), default="claimed")  # claimed, then sent once delivered


class CoachingRequestRow(Base):
    __tablename__ = "coaching_requests"
    __table_args__ = (Index("ix_coaching_requests_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # leadership, resilience
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, assigned, closed
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    conversations: Mapped[int] = mapped_column(default=0)
    requested_on: Mapped[date]
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(16), default="bot")  # bot, import
