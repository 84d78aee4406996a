"""Payroll export per entity and month: per staff member the internet allowance mode, the flat fee
and the home-work allowance; and the third-party payer list with the monthly costs.

CSV files are UTF-8, comma-separated, with a dot as decimal separator and two decimals (a payroll
system reads them); the staff file ends with a TOTAL line. The XLSX workbook holds both lists
on two sheets, with totals. Amounts are Decimal all the way; nothing passes through a float.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.domain.allowances import InternetMode, choice_in_month, homework_month, internet_amount
from bot.domain.calendar import Month
from bot.domain.errors import Forbidden, InvalidInput, NotFound
from bot.domain.staff import Entity, Role, Staff
from bot.services.allowances import apply_default_modes
from storage.uow import UnitOfWorkFactory

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")
MONEY_FORMAT = "#,##0.00"

STAFF_COLUMNS = (
    "email", "name", "internet_mode", "flat_fee", "home_days", "working_days", "home_days_per_week",
    "homework_allowance", "total", "not_eligible_for_hybrid_work",
)
THIRD_PARTY_COLUMNS = ("email", "name", "provider", "customer_number", "monthly_cost")


@dataclass(frozen=True)
class PayrollLine:
    staff_id: int
    email: str
    name: str
    mode: InternetMode | None
    flat_fee: Decimal
    home_days: Decimal
    working_days: int
    per_week: Decimal
    homework_allowance: Decimal
    not_eligible: bool

    @property
    def total(self) -> Decimal:
        return self.flat_fee + self.homework_allowance


@dataclass(frozen=True)
class ThirdPartyLine:
    staff_id: int
    email: str
    name: str
    provider: str | None
    customer_number: str | None
    monthly_cost: Decimal


@dataclass(frozen=True)
class PayrollExport:
    entity: Entity
    month: Month
    lines: list[PayrollLine]
    third_party: list[ThirdPartyLine]

    @property
    def flat_fee_total(self) -> Decimal:
        return sum((line.flat_fee for line in self.lines), Decimal("0.00"))

    @property
    def homework_total(self) -> Decimal:
        return sum((line.homework_allowance for line in self.lines), Decimal("0.00"))

    @property
    def third_party_total(self) -> Decimal:
        return sum((line.monthly_cost for line in self.third_party), Decimal("0.00"))

    @property
    def flat_fee_count(self) -> int:
        return sum(1 for line in self.lines if line.flat_fee > 0)

    @property
    def homework_count(self) -> int:
        return sum(1 for line in self.lines if line.homework_allowance > 0)

    def filename(self, suffix: str = "") -> str:
        return f"payroll-{self.entity.code}-{self.month}{suffix}"


def may_export(actor: Staff | None, entity: Entity) -> bool:
    """Admins export any entity, HR its own; the command line (no actor) is trusted."""
    if actor is None:
        return True
    return actor.has(Role.ADMIN) or (actor.is_hr and actor.entity_id == entity.id)


def exportable_entities(actor: Staff, entities: list[Entity]) -> list[Entity]:
    return [entity for entity in entities if may_export(actor, entity)]


async def build_payroll(
    uow_factory: UnitOfWorkFactory, actor: Staff | None, entity_code: str, month: Month, today: date, now: datetime
) -> PayrollExport:
    """The export's figures; applies the entity's default mode to staff without a choice first."""
    if month > Month.of(today).next():
        raise InvalidInput("payroll.month_in_future")
    async with uow_factory() as uow:
        entity = await uow.entities.get_by_code(entity_code.strip().upper()[:32])
        if entity is None:
            raise NotFound("payroll.unknown_entity", entity=entity_code[:32])
        if not may_export(actor, entity):
            raise Forbidden()
        actor_name = f"staff:{actor.id}" if actor else "cli"
        if await apply_default_modes(uow, entity.id, today, now, actor="system"):
            await uow.commit()
        policy = (await uow.entities.policy(entity.id)).allowance
        staff_ids = await uow.allowances.staff_in_service(entity.id, month)
        staff = {person.id: person for person in await uow.staff.list_by_ids(staff_ids)}
        histories = await uow.allowances.histories(staff_ids)
        days = await uow.allowances.work_days(staff_ids, month.first, month.last)
        ineligible = await uow.allowances.ineligible_on(staff_ids, month.first)
        await uow.audit.record(actor_name, "payroll.exported", "entity", entity.id, None, {"month": str(month)})
        await uow.commit()
    lines: list[PayrollLine] = []
    third_party: list[ThirdPartyLine] = []
    for staff_id in staff_ids:
        person = staff[staff_id]
        choice = choice_in_month(histories[staff_id], month) if month.last >= policy.internet_allowance_since else None
        homework = homework_month(days[staff_id], month, policy, start=person.start_date, end=person.end_date)
        lines.append(PayrollLine(
            staff_id=staff_id, email=person.email, name=person.display_name, mode=choice.mode if choice else None,
            flat_fee=internet_amount(choice, month, policy), home_days=homework.home_days,
            working_days=homework.working_days, per_week=homework.per_week, homework_allowance=homework.amount,
            not_eligible=staff_id in ineligible,
        ))
        if choice is not None and choice.mode == InternetMode.THIRD_PARTY:
            third_party.append(ThirdPartyLine(
                staff_id=staff_id, email=person.email, name=person.display_name, provider=choice.provider,
                customer_number=choice.customer_number, monthly_cost=choice.monthly_cost or Decimal("0.00"),
            ))
    return PayrollExport(entity=entity, month=month, lines=lines, third_party=third_party)


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _staff_row(line: PayrollLine) -> list[str]:
    return [
        line.email, line.name, line.mode.value if line.mode else "", _money(line.flat_fee), str(line.home_days),
        str(line.working_days), str(line.per_week), _money(line.homework_allowance), _money(line.total),
        "yes" if line.not_eligible else "no",
    ]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def payroll_csv(export: PayrollExport) -> list[tuple[str, bytes]]:
    """Two CSV files: the staff lines (with a TOTAL line) and the third-party payer list."""
    staff_rows = [list(STAFF_COLUMNS), *(_staff_row(line) for line in export.lines)]
    staff_rows.append([
        "TOTAL", str(len(export.lines)), "", _money(export.flat_fee_total), "", "", "",
        _money(export.homework_total), _money(export.flat_fee_total + export.homework_total), "",
    ])
    third_rows = [list(THIRD_PARTY_COLUMNS)] + [
        [line.email, line.name, line.provider or "", line.customer_number or "", _money(line.monthly_cost)]
        for line in export.third_party
    ]
    third_rows.append(["TOTAL", str(len(export.third_party)), "", "", _money(export.third_party_total)])
    return [(export.filename(".csv"), _csv(staff_rows)), (export.filename("-third-party.csv"), _csv(third_rows))]


def payroll_xlsx(export: PayrollExport) -> bytes:
    """One workbook: sheet "Staff" and sheet "Third party", each with a bold header and totals."""
    workbook = Workbook()
    staff_sheet = workbook.active
    staff_sheet.title = "Staff"
    staff_sheet.append(list(STAFF_COLUMNS))
    for line in export.lines:
        staff_sheet.append([
            line.email, line.name, line.mode.value if line.mode else "", line.flat_fee, line.home_days,
            line.working_days, line.per_week, line.homework_allowance, line.total, "yes" if line.not_eligible else "no",
        ])
    staff_sheet.append([
        "TOTAL", len(export.lines), "", export.flat_fee_total, None, None, None, export.homework_total,
        export.flat_fee_total + export.homework_total, None,
    ])
    third_sheet = workbook.create_sheet("Third party")
    third_sheet.append(list(THIRD_PARTY_COLUMNS))
    for line in export.third_party:
        third_sheet.append([line.email, line.name, line.provider or "", line.customer_number or "", line.monthly_cost])
    third_sheet.append(["TOTAL", len(export.third_party), None, None, export.third_party_total])
    for sheet, money_columns in ((staff_sheet, "DHI"), (third_sheet, "E")):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for column in money_columns:
            for cell in sheet[column][1:]:
                cell.number_format = MONEY_FORMAT
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def payroll_files(export: PayrollExport, fmt: str) -> list[tuple[str, str, bytes]]:
    """(filename, content type, content) for each file of the export in a format."""
    if fmt == "xlsx":
        return [(export.filename(".xlsx"), XLSX_TYPE, payroll_xlsx(export))]
    if fmt == "csv":
        return [(name, CSV_TYPE, content) for name, content in payroll_csv(export)]
    raise InvalidInput("payroll.unknown_format")
