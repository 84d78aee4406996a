"""Every parliamentary workbook produced: its parameters, its figures (generic per sheet), a hash
of them, who asked and when, and the file itself, so a version sent stays reproducible."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, JsonType, utcnow


class ReportVersionRow(Base):
    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("params_key", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    params_key: Mapped[str] = mapped_column(String(200), index=True)  # period and scope
    number: Mapped[int]  # 1, 2, ... per params_key
    params: Mapped[dict[str, Any]] = mapped_column(JsonType)
    figures: Mapped[dict[str, Any]] = mapped_column(JsonType)  # sheet slug -> [[row key, column, value], ...]
    content_hash: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(2))
    filename: Mapped[str] = mapped_column(String(255))
    workbook: Mapped[bytes] = mapped_column(LargeBinary)
    produced_by: Mapped[str] = mapped_column(String(100))  # "staff:<id>" or "cli"
    produced_at: Mapped[datetime] = mapped_column(default=utcnow)
    audit_mark: Mapped[int] = mapped_column(default=0)  # the last audit row when it was produced
