"""Report versions and the audit trail read to explain what changed between two of them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.report_versions import AuditEvent, Figures, StoredVersion, VersionInfo
from storage.models.directory import AuditRow
from storage.models.report_versions import ReportVersionRow

# Audit rows per read when explaining changes: the trail since one version is usually short.
AUDIT_BATCH = 5000


def _info(row: ReportVersionRow) -> VersionInfo:
    return VersionInfo(row.id, row.number, row.produced_at, row.produced_by, row.content_hash)


def _day(payload: dict | None) -> date | None:
    value = (payload or {}).get("day")
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


class ReportVersionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def latest(self, params_key: str) -> StoredVersion | None:
        row = await self.session.scalar(
            select(ReportVersionRow).where(ReportVersionRow.params_key == params_key)
            .order_by(ReportVersionRow.number.desc()).limit(1)
        )
        return StoredVersion(_info(row), dict(row.params), dict(row.figures), row.audit_mark) if row else None

    async def list_for(self, params_key: str, limit: int) -> list[VersionInfo]:
        columns = (ReportVersionRow.id, ReportVersionRow.number, ReportVersionRow.produced_at, ReportVersionRow.produced_by,
                   ReportVersionRow.content_hash)
        rows = await self.session.execute(
            select(*columns).where(ReportVersionRow.params_key == params_key).order_by(ReportVersionRow.number.desc()).limit(limit)
        )
        return [VersionInfo(*row) for row in rows]

    async def add(
        self, *, params_key: str, params: dict[str, str], figures: Figures, content_hash: str, locale: str, filename: str,
        workbook: bytes, produced_by: str, produced_at: datetime, audit_mark: int,
    ) -> VersionInfo:
        number = int(await self.session.scalar(
            select(func.coalesce(func.max(ReportVersionRow.number), 0)).where(ReportVersionRow.params_key == params_key)
        )) + 1
        row = ReportVersionRow(
            params_key=params_key, number=number, params=params, figures=figures, content_hash=content_hash, locale=locale,
            filename=filename, workbook=workbook, produced_by=produced_by, produced_at=produced_at, audit_mark=audit_mark,
        )
        self.session.add(row)
        await self.session.flush()
        return _info(row)

    async def file(self, version_id: int) -> tuple[VersionInfo, dict[str, str], str, bytes] | None:
        row = await self.session.get(ReportVersionRow, version_id)
        return (_info(row), dict(row.params), row.filename, row.workbook) if row else None

    async def audit_mark(self) -> int:
        return int(await self.session.scalar(select(func.coalesce(func.max(AuditRow.id), 0))))

    async def audit_since(self, mark: int) -> list[AuditEvent]:
        events: list[AuditEvent] = []
        while True:
            rows = (await self.session.execute(
                select(AuditRow.id, AuditRow.action, AuditRow.before, AuditRow.after)
                .where(AuditRow.id > mark).order_by(AuditRow.id).limit(AUDIT_BATCH)
            )).all()
            events.extend(AuditEvent(row.action, _day(row.after) or _day(row.before)) for row in rows)
            if len(rows) < AUDIT_BATCH:
                return events
            mark = rows[-1].id
