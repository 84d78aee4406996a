"""The personal data export over every table, on SQLite and PostgreSQL: the person's own rows,
their actions on others' rows without the others' data, their conversation reference and audit."""

from __future__ import annotations

import io
import json
from datetime import date

from openpyxl import load_workbook

from bot.domain.staff import Staff
from bot.i18n import Translator
from bot.reports.personal_export import export_file, render_json, render_xlsx
from bot.services.privacy import ExportPersonalData, WhatMyManagerSees, export_personal_data, manager_view
from storage.models.approvals import ApprovalRow, DeputyRow
from storage.models.directory import AuditRow, ConversationReferenceRow
from storage.models.homework import WorkRegistrationRow
from storage.models.webinars import CoachingRequestRow
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW, utc
from tests.fakes.people import COLLEAGUE, DIRECTOR, MANAGER, STAFF


async def _dataset(uow_factory: UnitOfWorkFactory) -> dict[str, int]:
    async with uow_factory() as uow:
        staff = await uow.staff.get_by_aad(STAFF.aad_object_id)
        colleague = await uow.staff.get_by_aad(COLLEAGUE.aad_object_id)
        manager = await uow.staff.get_by_aad(MANAGER.aad_object_id)
        director = await uow.staff.get_by_aad(DIRECTOR.aad_object_id)
        s = uow.session
        own = WorkRegistrationRow(staff_id=staff.id, day=date(2026, 11, 23), place="home", part="full", status="registered")
        theirs = WorkRegistrationRow(staff_id=colleague.id, day=date(2026, 11, 23), place="satellite", part="full",
                                     satellite_location="Colleague's secret place", status="pending")
        s.add_all([own, theirs])
        s.add(CoachingRequestRow(staff_id=staff.id, kind="resilience", note="my own note", requested_on=date(2026, 11, 1)))
        s.add(ApprovalRow(subject_type="homework_day", subject_id=2, requester_id=colleague.id, approver_id=manager.id,
                          status="pending", comment="colleague's comment", created_at=utc(2026, 11, 20, 9)))
        s.add(ApprovalRow(subject_type="homework_day", subject_id=1, requester_id=staff.id, approver_id=manager.id,
                          status="approved", comment="ok", created_at=utc(2026, 11, 20, 9)))
        s.add(DeputyRow(manager_id=manager.id, deputy_id=director.id, valid_from=date(2026, 11, 20), valid_until=date(2026, 11, 30)))
        s.add(DeputyRow(manager_id=manager.id, deputy_id=colleague.id, valid_from=date(2026, 12, 1), valid_until=date(2026, 12, 5)))
        await s.flush()
        s.add(ConversationReferenceRow(aad_object_id=STAFF.aad_object_id, user_id=STAFF.user_id, conversation_id=STAFF.conversation_id,
                                       service_url="https://smba.example", bot_id="28:bot"))
        s.add(AuditRow(at=utc(2026, 11, 20, 9), actor=f"staff:{staff.id}", action="homework.registered", subject_type="work_registration",
                       subject_id=str(own.id), before=None, after={"place": "home"}))
        s.add(AuditRow(at=utc(2026, 11, 20, 9), actor=f"staff:{manager.id}", action="homework.approved", subject_type="work_registration",
                       subject_id=str(theirs.id), before={"location": "Colleague's secret place"}, after={"status": "registered"}))
        await uow.commit()
        return {"staff": staff.id, "colleague": colleague.id, "manager": manager.id}


async def _export_json(uow_factory: UnitOfWorkFactory, staff: Staff) -> tuple[str, str, bytes]:
    export = await export_personal_data(uow_factory(), ExportPersonalData(staff), DEFAULT_NOW)
    return export_file(export, "json", DEFAULT_NOW.date(), Translator("nl"))


async def test_export_holds_own_rows_and_only_actions_on_others(directory: UnitOfWorkFactory) -> None:
    ids = await _dataset(directory)
    async with directory() as uow:
        staff = await uow.staff.get(ids["staff"])
        manager = await uow.staff.get(ids["manager"])
    _name, content_type, content = await _export_json(directory, staff)
    assert content_type == "application/json"
    data = json.loads(content)
    assert data["staff"][0]["email"] == "staff@vlaanderen.be"
    assert {r["role"] for r in data["staff_roles"]} == {"staff"}
    assert [r["day"] for r in data["work_registrations"]] == ["2026-11-23"]
    assert data["coaching_requests"][0]["note"] == "my own note"  # their own coaching request
    assert [r["comment"] for r in data["approvals"]] == ["ok"]
    assert data["conversation"]["conversation_id"] == STAFF.conversation_id
    assert data["audit"][0]["after"] == {"place": "home"}
    assert "Colleague" not in content.decode()

    _name, _type, content = await _export_json(directory, manager)
    text_ = content.decode()
    data = json.loads(text_)
    assert "colleague's comment" not in text_ and "secret place" not in text_ and "my own note" not in text_
    approver = [a for a in data["actions"] if a["table"] == "approvals" and a["as"] == "approver_id"]
    assert len(approver) == 2 and all(set(a) == {"table", "row", "as", "at"} for a in approver)
    assert {a["as"] for a in data["actions"] if a["table"] == "staff"} == {"manager_id"}
    decided = [entry for entry in data["audit"] if entry["action"] == "homework.approved"]
    assert decided and "before" not in decided[0] and "after" not in decided[0]
    assert data["conversation"] is None
    assert len(data["deputies"]) == 2  # their own deputy arrangements

    async with directory() as uow:
        trail = [row.subject_id for row in await uow.audit.list_by_action("privacy.exported")]
    assert trail == [str(ids["staff"]), str(ids["manager"])]


async def test_xlsx_has_one_sheet_per_table(directory: UnitOfWorkFactory) -> None:
    ids = await _dataset(directory)
    async with directory() as uow:
        export = await uow.privacy.export_person(ids["staff"])
    workbook = load_workbook(io.BytesIO(render_xlsx(export)))
    assert {"staff", "work_registrations", "coaching_requests", "actions", "conversation", "audit"} <= set(workbook.sheetnames)
    sheet = workbook["work_registrations"]
    header = [cell.value for cell in sheet[1]]
    assert "day" in header and sheet.max_row == 2
    assert json.loads(render_json(export))["staff"][0]["id"] == ids["staff"]


async def test_manager_view_names_manager_and_todays_deputy(directory: UnitOfWorkFactory) -> None:
    ids = await _dataset(directory)
    async with directory() as uow:
        staff = await uow.staff.get(ids["staff"])
        director = await uow.staff.get_by_aad(DIRECTOR.aad_object_id)
    view = await manager_view(directory(), WhatMyManagerSees(staff), DEFAULT_NOW)
    assert view.manager_name == "Mia Manager"
    assert view.deputy_names == ("Dirk Directeur",)  # the December deputy is not active yet
    view = await manager_view(directory(), WhatMyManagerSees(director), DEFAULT_NOW)
    assert view.manager_name is None and view.deputy_names == ()
