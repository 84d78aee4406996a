"""Internet allowance history and the managers' confirmations of regular home work."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class AllowanceChoiceRow(Base):
    """One entry of the effective-dated internet allowance history; rows are never updated."""

    __tablename__ = "internet_allowance_choices"
    __table_args__ = (Index("ix_internet_allowance_choices_staff_from", "staff_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(24))  # flat_fee / third_party_payer
    effective_from: Mapped[date]  # first day of a month
    provider: Mapped[str | None] = mapped_column(String(100))
    customer_number: Mapped[str | None] = mapped_column(String(100))
    monthly_cost: Mapped[Decimal | None]
    source: Mapped[str] = mapped_column(String(16), default="bot")  # bot / import / default
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegularHomeworkConfirmationRow(Base):
    """A manager's confirmation that a staff member works from home regularly and structurally."""

    __tablename__ = "regular_homework_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    confirmed_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    withdrawn_at: Mapped[datetime | None]
