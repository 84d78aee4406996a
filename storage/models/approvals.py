"""Generic approvals: one mechanism for home-work days, equipment requests and anything later."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class ApprovalRow(Base):
    __tablename__ = "approvals"
    __table_args__ = (
        Index("ix_approvals_subject", "subject_type", "subject_id"),
        Index("ix_approvals_approver_status", "approver_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(50))  # "homework_day", "equipment_request", ...
    subject_id: Mapped[int]
    requester_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    approver_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending/approved/rejected/cancelled
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalated_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    # Activity id of the card sent to the approver, so the card can be updated after a decision.
    card_activity_id: Mapped[str | None] = mapped_column(String(200))
    card_conversation_id: Mapped[str | None] = mapped_column(String(400))


class DeputyRow(Base):
    __tablename__ = "deputies"

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    valid_from: Mapped[date]
    valid_until: Mapped[date]  # inclusive
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
