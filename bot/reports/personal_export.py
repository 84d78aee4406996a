"""A person's own data as a file: JSON (one object per table) or a workbook (one sheet per table)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any, Literal

from bot.domain.privacy import PersonalExport
from bot.i18n import Translator

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


def export_file(export: PersonalExport, fmt: ExportFormat, day: date, t: Translator) -> tuple[str, str, bytes]:
    """(filename in the person's language, content type, bytes) of the export made on `day`."""
    content = render_json(export) if fmt == "json" else render_xlsx(export)
    return f"{t('files.name.my_data', day=f'{day:%Y%m%d}')}.{fmt}", CONTENT_TYPES[fmt], content


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
    from openpyxl import Workbook  # first use: not at start-up
    from openpyxl.styles import Font

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
