"""What report versioning reads and writes (implemented in storage/repositories/report_versions.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.report_versions import AuditEvent, Figures, StoredVersion, VersionInfo


class ReportVersionRepository(Protocol):
    async def latest(self, params_key: str) -> StoredVersion | None:
        """The newest version of this period and scope, with its figures."""
        ...

    async def list_for(self, params_key: str, limit: int) -> list[VersionInfo]:
        """The versions of this period and scope, newest first."""
        ...

    async def add(
        self, *, params_key: str, params: dict[str, str], figures: Figures, content_hash: str, locale: str, filename: str,
        workbook: bytes, produced_by: str, produced_at: datetime, audit_mark: int,
    ) -> VersionInfo:
        """Store a version with the next number of its period and scope."""
        ...

    async def file(self, version_id: int) -> tuple[VersionInfo, dict[str, str], str, bytes] | None:
        """A stored version's info, parameters, file name and workbook."""
        ...

    async def audit_mark(self) -> int:
        """The id of the last audit row (0 when there is none)."""
        ...

    async def audit_since(self, mark: int) -> list[AuditEvent]:
        """Every state change recorded after the audit row `mark`, oldest first."""
        ...
