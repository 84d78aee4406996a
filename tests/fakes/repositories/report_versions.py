"""Report versions in memory ("report_versions": id -> dict) and the audit trail read from the fake's audit table."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.domain.report_versions import AuditEvent, Figures, StoredVersion, VersionInfo

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase


def _info(row_id: int, row: dict) -> VersionInfo:
    return VersionInfo(row_id, row["number"], row["produced_at"], row["produced_by"], row["content_hash"])


class FakeReportVersionRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _of(self, params_key: str) -> list[tuple[int, dict]]:
        rows = [(row_id, row) for row_id, row in self.db.table("report_versions").items() if row["params_key"] == params_key]
        return sorted(rows, key=lambda item: item[1]["number"], reverse=True)

    async def latest(self, params_key: str) -> StoredVersion | None:
        rows = self._of(params_key)
        if not rows:
            return None
        row_id, row = rows[0]
        return StoredVersion(_info(row_id, row), dict(row["params"]), row["figures"], row["audit_mark"])

    async def list_for(self, params_key: str, limit: int) -> list[VersionInfo]:
        return [_info(row_id, row) for row_id, row in self._of(params_key)[:limit]]

    async def add(
        self, *, params_key: str, params: dict[str, str], figures: Figures, content_hash: str, locale: str, filename: str,
        workbook: bytes, produced_by: str, produced_at: datetime, audit_mark: int,
    ) -> VersionInfo:
        number = len(self._of(params_key)) + 1
        row_id = self.db.next_id("report_versions")
        row = {"params_key": params_key, "number": number, "params": params, "figures": figures, "content_hash": content_hash,
               "locale": locale, "filename": filename, "workbook": workbook, "produced_by": produced_by,
               "produced_at": produced_at, "audit_mark": audit_mark}
        self.db.table("report_versions")[row_id] = row
        return _info(row_id, row)

    async def file(self, version_id: int) -> tuple[VersionInfo, dict[str, str], str, bytes] | None:
        row = self.db.table("report_versions").get(version_id)
        return (_info(version_id, row), dict(row["params"]), row["filename"], row["workbook"]) if row else None

    async def audit_mark(self) -> int:
        return max(self.db.table("audit"), default=0)

    async def audit_since(self, mark: int) -> list[AuditEvent]:
        def day(payload: dict | None) -> date | None:
            value = (payload or {}).get("day")
            return date.fromisoformat(value) if isinstance(value, str) else None

        return [AuditEvent(row["action"], day(row["after"]) or day(row["before"]))
                for row_id, row in sorted(self.db.table("audit").items()) if row_id > mark]
