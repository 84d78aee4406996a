"""The payroll export of one entity and month: per staff member the internet allowance mode, the
flat fee and the home-work allowance; and the third-party payer list with the monthly costs.
Amounts are Decimal all the way; nothing passes through a float."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.domain.allowances import InternetMode
from bot.domain.calendar import Month
from bot.domain.staff import Entity, Role, Staff

ZERO = Decimal("0.00")


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
        return sum((line.flat_fee for line in self.lines), ZERO)

    @property
    def homework_total(self) -> Decimal:
        return sum((line.homework_allowance for line in self.lines), ZERO)

    @property
    def third_party_total(self) -> Decimal:
        return sum((line.monthly_cost for line in self.third_party), ZERO)

    @property
    def flat_fee_count(self) -> int:
        return sum(1 for line in self.lines if line.flat_fee > 0)

    @property
    def homework_count(self) -> int:
        return sum(1 for line in self.lines if line.homework_allowance > 0)


def may_export(actor: Staff | None, entity: Entity) -> bool:
    """Admins export any entity, HR its own; the command line (no actor) is trusted."""
    if actor is None:
        return True
    return actor.has(Role.ADMIN) or (actor.is_hr and actor.entity_id == entity.id)


def exportable_entities(actor: Staff, entities: list[Entity]) -> list[Entity]:
    return [entity for entity in entities if may_export(actor, entity)]


def latest_month(today: date) -> Month:
    """The last month that can be exported: next month's payroll is prepared in advance."""
    return Month.of(today).next()
