"""What one registration or cancellation changed, kept so that its Undo restores exactly the days before."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, JsonType, utcnow


class RegistrationChangeRow(Base):
    __tablename__ = "registration_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    made_at: Mapped[datetime] = mapped_column(default=utcnow)
    # [{"day": "2026-12-09", "before": {...} | null, "after": {...} | null}, ...]
    entries: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    undone_at: Mapped[datetime | None]
