"""Home-work registrations, team agreements, deputies and the hybrid-work eligibility registry."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, JsonType, utcnow


class WorkRegistrationRow(Base):
    __tablename__ = "work_registrations"
    __table_args__ = (
        UniqueConstraint("staff_id", "day"),
        Index("ix_work_registrations_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    day: Mapped[date]
    place: Mapped[str] = mapped_column(String(16))  # home / satellite / office
    part: Mapped[str] = mapped_column(String(8), default="full")  # full / am / pm
    satellite_location: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="registered")  # registered/pending/rejected
    source: Mapped[str] = mapped_column(String(16), default="bot")  # bot / import
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IneligibilityRow(Base):
    """A staff member marked not eligible for hybrid work (the central registry the circular asks for)."""

    __tablename__ = "hybrid_ineligibility"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(32))  # organisational/financial/competence/abuse/function
    note: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]  # inclusive last day; None = open-ended
    set_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The registered days the marking cancelled, as they were, so lifting it can give them back.
    cancelled_days: Mapped[list[dict] | None] = mapped_column(JsonType)


class TeamAgreementRow(Base):
    __tablename__ = "team_agreements"

    manager_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    anchor_weekdays: Mapped[list[int]] = mapped_column(JsonType, default=list)  # 0 = Monday
    min_office_days_per_week: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
