"""Retention on SQLite and PostgreSQL: data across the cutoff, the report figures before and after
(computed by SQL and by the report repository) identical, the personal fields gone, idempotent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast, func, select

from bot.domain.calendar import Month
from bot.domain.privacy import ANONYMISED_PREFIX
from bot.domain.reports import Period
from bot.services.retention import ApplyRetention, RetentionResult, apply_retention
from storage.models.allowances import AllowanceChoiceRow
from storage.models.approvals import ApprovalRow
from storage.models.broadcasts import BroadcastDeliveryRow, BroadcastRow
from storage.models.directory import AuditRow, ConversationReferenceRow, StaffAssignmentRow, StaffRow
from storage.models.equipment import EquipmentRequestRow
from storage.models.homework import IneligibilityRow, WorkRegistrationRow
from storage.models.webinars import CoachingRequestRow
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW, utc
from tests.fakes.people import MANAGER, STAFF

LEAVER_AAD = "bbbbbbbb-0000-0000-0000-00000000000l"


async def retention(uow_factory: UnitOfWorkFactory, *, months: int, dry_run: bool = False) -> RetentionResult:
    """Retention as the command line runs it, on DEFAULT_NOW (60 months: cutoff 2021-11-22)."""
    return await apply_retention(uow_factory(), ApplyRetention(months, dry_run=dry_run), DEFAULT_NOW)


async def build_dataset(uow_factory: UnitOfWorkFactory) -> dict[str, int]:
    """Staff and a leaver with rows on both sides of the cutoff."""
    async with uow_factory() as uow:
        staff = await uow.staff.get_by_aad(STAFF.aad_object_id)
        manager = await uow.staff.get_by_aad(MANAGER.aad_object_id)
        assert staff is not None and manager is not None
        s = uow.session
        leaver = StaffRow(
            aad_object_id=LEAVER_AAD, email="leaver@vlaanderen.be", display_name="Lea Vertrokken", entity_id=staff.entity_id,
            manager_id=manager.id, start_date=date(2015, 3, 1), end_date=date(2020, 12, 31), language="nl", department="Team Data",
        )
        s.add(leaver)
        await s.flush()
        s.add(StaffAssignmentRow(staff_id=leaver.id, entity_id=staff.entity_id, valid_from=date(2015, 3, 1)))
        for who, day, place, location in [
            (staff.id, date(2020, 3, 2), "satellite", "Gent Virginie Lovelinggebouw"),
            (staff.id, date(2020, 3, 3), "home", None),
            (staff.id, date(2021, 6, 7), "home", None),
            (staff.id, date(2025, 5, 6), "satellite", "Brugge Werkplek"),
            (leaver.id, date(2020, 3, 2), "home", None),
            (leaver.id, date(2020, 6, 8), "home", None),
        ]:
            s.add(WorkRegistrationRow(staff_id=who, day=day, place=place, part="full", satellite_location=location, status="registered"))
        s.add(IneligibilityRow(staff_id=staff.id, reason="function", note="loketfunctie tot herschikking", valid_from=date(2019, 1, 1),
                               valid_until=date(2019, 12, 31), set_by=manager.id))
        for who, on, justification in [
            (staff.id, date(2019, 10, 1), "rugklachten, advies arbeidsgeneesheer"),
            (staff.id, date(2025, 2, 3), "nieuwe monitor"),
            (leaver.id, date(2020, 2, 3), "tweede scherm"),
        ]:
            s.add(EquipmentRequestRow(staff_id=who, entity_id=staff.entity_id, status="delivered", justification=justification,
                                      note="geleverd", delivery="office", requested_on=on, decided_by=manager.id))
        s.add(CoachingRequestRow(staff_id=staff.id, kind="resilience", note="burn-out signalen", requested_on=date(2020, 4, 1)))
        s.add(ApprovalRow(subject_type="homework_day", subject_id=1, requester_id=staff.id, approver_id=manager.id, status="rejected",
                          comment="teamdag", created_at=utc(2020, 5, 1, 8)))
        s.add(AllowanceChoiceRow(staff_id=leaver.id, mode="third_party_payer", effective_from=date(2019, 1, 1), provider="Proximus",
                                 customer_number="CUST-123", monthly_cost=Decimal("45.00"), recorded_by="import"))
        s.add(AllowanceChoiceRow(staff_id=staff.id, mode="third_party_payer", effective_from=date(2019, 1, 1), provider="Telenet",
                                 customer_number="TEL-999", monthly_cost=Decimal("50.00"), recorded_by="import"))
        broadcast = BroadcastRow(kind="announcement", title="Webinar", payload={}, created_by=manager.id, status="done")
        s.add(broadcast)
        await s.flush()
        s.add(BroadcastDeliveryRow(broadcast_id=broadcast.id, staff_id=staff.id, status="sent", updated_at=utc(2020, 1, 5, 9)))
        s.add(BroadcastDeliveryRow(broadcast_id=broadcast.id, staff_id=leaver.id, status="sent", updated_at=utc(2020, 1, 5, 9)))
        s.add(BroadcastDeliveryRow(broadcast_id=broadcast.id, staff_id=manager.id, status="sent", updated_at=utc(2026, 1, 5, 9)))
        s.add(AuditRow(at=utc(2020, 3, 2, 9), actor=f"staff:{staff.id}", action="homework.registered", subject_type="work_registration",
                       subject_id="1", before=None, after={"place": "satellite", "location": "Gent"}))
        s.add(AuditRow(at=utc(2026, 3, 2, 9), actor=f"staff:{staff.id}", action="homework.registered", subject_type="work_registration",
                       subject_id="4", before=None, after={"place": "satellite", "location": "Brugge"}))
        s.add(AuditRow(at=utc(2024, 3, 2, 9), actor="test", action="staff.updated", subject_type="staff",
                       subject_id=str(leaver.id), before={"email": "leaver@vlaanderen.be"}, after={"email": "lea@vlaanderen.be"}))
        s.add(ConversationReferenceRow(aad_object_id=LEAVER_AAD, user_id="29:leaver", conversation_id="a:leaver",
                                       service_url="https://smba", bot_id="28:bot"))
        await uow.commit()
        return {"staff": staff.id, "manager": manager.id, "leaver": leaver.id, "entity": staff.entity_id}


async def figures(uow_factory: UnitOfWorkFactory) -> dict[str, Any]:
    """What the reports count, by plain SQL and through the report repository."""
    async with uow_factory() as uow:
        s = uow.session
        month = func.substr(cast(WorkRegistrationRow.day, String), 1, 7)
        home_workers = sorted(
            (m, n) for m, n in await s.execute(
                select(month, func.count(func.distinct(WorkRegistrationRow.staff_id)))
                .where(WorkRegistrationRow.place.in_(("home", "satellite"))).group_by(month)
            )
        )
        per_entity = sorted(
            tuple(row) for row in await s.execute(
                select(EquipmentRequestRow.entity_id, func.count(), func.count(func.distinct(EquipmentRequestRow.staff_id)))
                .group_by(EquipmentRequestRow.entity_id)
            )
        )
        counts = {
            model.__tablename__: await s.scalar(select(func.count()).select_from(model))
            for model in (WorkRegistrationRow, EquipmentRequestRow, CoachingRequestRow, ApprovalRow, AllowanceChoiceRow,
                          IneligibilityRow, StaffRow, StaffAssignmentRow)
        }
        modes = sorted(tuple(r) for r in await s.execute(
            select(AllowanceChoiceRow.mode, func.count(func.distinct(AllowanceChoiceRow.staff_id))).group_by(AllowanceChoiceRow.mode)))
        period = Period.between(Month(2019, 1), Month(2026, 10))
        report = [(str(m.month), m.home_workers, m.eligible_staff, m.home_days) for m in await uow.reports.homework_months(period, None)]
        in_service = await uow.reports.staff_per_year(period, None)
        ineligible = await uow.reports.ineligible_groups(Period.between(Month(2019, 1), Month(2019, 12)), None)
    return {"home_workers": home_workers, "per_entity": per_entity, "counts": counts, "modes": modes, "report": report,
            "in_service": in_service, "ineligible": ineligible}


async def test_retention_keeps_figures_and_removes_personal_fields(directory: UnitOfWorkFactory) -> None:
    ids = await build_dataset(directory)
    before = await figures(directory)
    assert before["home_workers"][0] == ("2020-03", 2)  # the dataset is what the figures count

    dry = await retention(directory, months=60, dry_run=True)
    assert dry.anonymised == [ids["leaver"]] and ids["staff"] in dry.aged
    async with directory() as uow:
        untouched = await uow.session.get(StaffRow, ids["leaver"])
        assert untouched.display_name == "Lea Vertrokken"  # a dry run changes nothing

    result = await retention(directory, months=60)
    assert result.cutoff == date(2021, 11, 22)
    assert result.anonymised == [ids["leaver"]]
    assert await figures(directory) == before

    async with directory() as uow:
        s = uow.session
        leaver = await s.get(StaffRow, ids["leaver"])
        assert leaver.aad_object_id.startswith(ANONYMISED_PREFIX)
        assert "Lea" not in leaver.display_name and "leaver" not in leaver.email and leaver.department is None
        assert (leaver.start_date, leaver.end_date, leaver.entity_id) == (date(2015, 3, 1), date(2020, 12, 31), ids["entity"])
        assert await s.scalar(select(func.count()).select_from(ConversationReferenceRow)) == 0
        leaver_choice = await s.scalar(select(AllowanceChoiceRow).where(AllowanceChoiceRow.staff_id == ids["leaver"]))
        assert leaver_choice.customer_number is None and leaver_choice.mode == "third_party_payer"
        # A running allowance of someone still in service keeps what the payment needs.
        staff_choice = await s.scalar(select(AllowanceChoiceRow).where(AllowanceChoiceRow.staff_id == ids["staff"]))
        assert staff_choice.customer_number == "TEL-999"
        locations = dict((r.day, r.satellite_location) for r in await s.scalars(
            select(WorkRegistrationRow).where(WorkRegistrationRow.staff_id == ids["staff"])))
        assert locations[date(2020, 3, 2)] is None and locations[date(2025, 5, 6)] == "Brugge Werkplek"
        justifications = sorted((r.requested_on, r.justification) for r in await s.scalars(select(EquipmentRequestRow)))
        assert justifications == [(date(2019, 10, 1), None), (date(2020, 2, 3), None), (date(2025, 2, 3), "nieuwe monitor")]
        assert await s.scalar(select(CoachingRequestRow.note)) == ""
        assert await s.scalar(select(ApprovalRow.comment)) is None
        assert await s.scalar(select(IneligibilityRow.note)) is None
        deliveries = list(await s.scalars(select(BroadcastDeliveryRow.staff_id)))
        assert deliveries == [ids["manager"]]
        audit = {(r.subject_type, r.subject_id, r.at.year): (r.before, r.after) for r in await s.scalars(
            select(AuditRow).where(AuditRow.action.in_(("homework.registered", "staff.updated"))))}
        assert audit[("work_registration", "1", 2020)] == (None, None)
        assert audit[("work_registration", "4", 2026)] == (None, {"place": "satellite", "location": "Brugge"})
        assert audit[("staff", str(ids["leaver"]), 2024)] == (None, None)  # about the anonymised person
        trail = {r.action for r in await s.scalars(select(AuditRow).where(AuditRow.action.like("privacy.%")))}
        assert {"privacy.anonymised", "privacy.aged_out", "privacy.audit_stripped"} <= trail

    audit_rows = await _count(directory, AuditRow)
    again = await retention(directory, months=60)
    assert not again.changed_anything
    assert await _count(directory, AuditRow) == audit_rows
    assert await figures(directory) == before


async def test_shorter_period_reaches_newer_rows(directory: UnitOfWorkFactory) -> None:
    ids = await build_dataset(directory)
    result = await retention(directory, months=12)
    assert result.cutoff == date(2025, 11, 22)
    async with directory() as uow:
        location = await uow.session.scalar(
            select(WorkRegistrationRow.satellite_location).where(WorkRegistrationRow.day == date(2025, 5, 6)))
        manager_delivery = await uow.session.scalar(
            select(func.count()).select_from(BroadcastDeliveryRow).where(BroadcastDeliveryRow.staff_id == ids["manager"]))
    assert location is None
    assert manager_delivery == 1  # sent in January 2026, inside the period


async def _count(uow_factory: UnitOfWorkFactory, model: Any) -> int:
    async with uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)
