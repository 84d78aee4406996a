"""Privacy use cases: a staff member's own data as a file (JSON or XLSX), and what their line
manager can see about them."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.domain import privacy as rules
from bot.domain.errors import NotFound
from bot.domain.staff import Staff
from storage.repositories.privacy import PersonalExport
from storage.uow import UnitOfWork

ExportFormat = Literal["json", "xlsx"]
CONTENT_TYPES: dict[ExportFormat, str] = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ACTIONS_SHEET = "actions"
CONVERSATION_SHEET = "conversation"
AUDIT_SHEET = "audit"
# Excel refuses longer sheet names.
MAX_SHEET_NAME = 31


async def personal_export(uow: UnitOfWork, staff: Staff, now: datetime, actor: str) -> PersonalExport:
    """Everything held about the staff member (inside the caller's transaction; audited)."""
    try:
        export = await uow.privacy.export_person(staff.id)
    except LookupError:
        raise NotFound() from None
    await uow.audit.record(actor, "privacy.exported", "staff", staff.id, None, {"at": now.isoformat(), "tables": sorted(export.tables)})
    return export


async def export_file(uow: UnitOfWork, staff: Staff, fmt: ExportFormat, now: datetime, actor: str) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of the staff member's data; one transaction."""
    async with uow:
        export = await personal_export(uow, staff, now, actor)
        await uow.commit()
    stamp = now.strftime("%Y%m%d")
    filename = f"mijn-gegevens-{stamp}.{fmt}"
    content = render_json(export) if fmt == "json" else render_xlsx(export)
    return filename, CONTENT_TYPES[fmt], content


def render_json(export: PersonalExport) -> bytes:
    """One object per table, plus the actions, the conversation reference and the audit trail."""
    document = {**export.tables, ACTIONS_SHEET: export.actions, CONVERSATION_SHEET: export.conversation, AUDIT_SHEET: export.audit}
    return json.dumps(document, ensure_ascii=False, indent=2, default=_json_default).encode("utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return value


def render_xlsx(export: PersonalExport) -> bytes:
    """One sheet per table (header row, then one row per stored row)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets: list[tuple[str, list[dict[str, Any]]]] = list(export.tables.items())
    sheets.append((ACTIONS_SHEET, export.actions))
    sheets.append((CONVERSATION_SHEET, [export.conversation] if export.conversation else []))
    sheets.append((AUDIT_SHEET, export.audit))
    for name, rows in sheets:
        sheet = workbook.create_sheet(name[:MAX_SHEET_NAME])
        headers: list[str] = []
        for row in rows:
            headers.extend(key for key in row if key not in headers)
        sheet.append(headers or ["-"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(row.get(key)) for key in headers])
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def manager_view(uow: UnitOfWork, staff: Staff, today: date) -> rules.ManagerView:
    """Who the staff member's manager is (and any deputy today), with what they can see."""
    async with uow:
        manager = await uow.staff.get(staff.manager_id) if staff.manager_id else None
        deputies = await uow.privacy.deputies_on(manager.id, today) if manager else []
    return rules.manager_view(manager.display_name if manager else None, tuple(deputies))


def export_summary(export: PersonalExport) -> dict[str, int]:
    """Rows per table (for tests and the audit)."""
    counts = {name: len(rows) for name, rows in export.tables.items()}
    counts[ACTIONS_SHEET] = len(export.actions)
    counts[AUDIT_SHEET] = len(export.audit)
    return counts

