"""Foundation tables: entities, staff, roles, entity history, audit, conversation references,
bot state and run-once job claims."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class EntityRow(Base):
    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Per-entity policy (bot.domain.policy.EntityPolicy), validated on read and write.
    policy: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StaffRow(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    language: Mapped[str] = mapped_column(String(2), default="nl")
    department: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StaffRoleRow(Base):
    __tablename__ = "staff_roles"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class StaffAssignmentRow(Base):
    """Which entity a staff member belonged to when: reports count people where they were."""

    __tablename__ = "staff_assignments"
    __table_args__ = (Index("ix_staff_assignments_staff_from", "staff_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]  # exclusive; None while current


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # "staff:<id>", "aad:<object id>", "system", "cli"
    action: Mapped[str] = mapped_column(String(100), index=True)
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[str] = mapped_column(String(100))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    correlation_id: Mapped[str | None] = mapped_column(String(64))


class ConversationReferenceRow(Base):
    """Where to reach a Teams user later (proactive messages)."""

    __tablename__ = "conversation_references"

    id: Mapped[int] = mapped_column(primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(String(200))
    user_name: Mapped[str | None] = mapped_column(String(200))
    conversation_id: Mapped[str] = mapped_column(String(400))
    service_url: Mapped[str] = mapped_column(String(400))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(32), default="msteams")
    bot_id: Mapped[str] = mapped_column(String(200))
    bot_name: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(16))
    usable: Mapped[bool] = mapped_column(default=True)
    unusable_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class JobClaimRow(Base):
    """A periodic job's slot, held by one bot instance at a time (unique insert) under a lease the
    instance renews while the job runs; an unfinished slot whose lease ran out (the instance died)
    is taken over by another instance."""

    __tablename__ = "job_claims"
    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    slot: Mapped[str] = mapped_column(String(200))
    claimed_by: Mapped[str] = mapped_column(String(100))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
