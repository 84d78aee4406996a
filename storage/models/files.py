"""files tables: files waiting for the user's consent before the bot uploads them to OneDrive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class PendingFileRow(Base):
    """A file offered with a Teams file consent card; kept until uploaded or expired, so a
    declined or failed upload can still be fetched through a signed link."""

    __tablename__ = "pending_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, so the consent card's context does not reveal or guess other people's files.
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
