"""Home-office equipment: each entity's categories, catalogue and budgets; requests and their lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, JsonType, utcnow


class EquipmentCategoryRow(Base):
    """A budget category (small office material, chairs, ...), per entity."""

    __tablename__ = "equipment_categories"
    __table_args__ = (UniqueConstraint("entity_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    code: Mapped[str] = mapped_column(String(40))
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class EquipmentItemRow(Base):
    """A catalogue item. Items dropped from the catalogue file are deactivated, never deleted:
    requests refer to them."""

    __tablename__ = "equipment_items"
    __table_args__ = (UniqueConstraint("entity_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    code: Mapped[str] = mapped_column(String(40))
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int] = mapped_column(ForeignKey("equipment_categories.id"), index=True)
    unit_price: Mapped[Decimal]
    min_months_in_service: Mapped[int] = mapped_column(default=0)
    needs_justification: Mapped[bool] = mapped_column(default=False)
    allowed_roles: Mapped[list[str]] = mapped_column(JsonType, default=list)
    needs_approval: Mapped[bool] = mapped_column(default=True)
    once_per_years: Mapped[int | None]
    max_quantity: Mapped[int] = mapped_column(default=1)
    available_from: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EquipmentBudgetRow(Base):
    """A category's budget for a year; a one-off budget also covers the years after it.
    Approvals lock this row while they commit money against it."""

    __tablename__ = "equipment_budgets"
    __table_args__ = (UniqueConstraint("entity_id", "category_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("equipment_categories.id"), index=True)
    year: Mapped[int]
    amount: Mapped[Decimal]
    one_off: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EquipmentRequestRow(Base):
    __tablename__ = "equipment_requests"
    __table_args__ = (
        Index("ix_equipment_requests_staff_status", "staff_id", "status"),
        Index("ix_equipment_requests_entity_status", "entity_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    # The entity at the time of the request: reports count people where they were.
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    status: Mapped[str] = mapped_column(String(16))
    justification: Mapped[str | None] = mapped_column(Text)
    delivery: Mapped[str] = mapped_column(String(8))
    reasonable_adjustment: Mapped[bool] = mapped_column(default=False)
    requested_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    ordered_at: Mapped[datetime | None]
    delivered_on: Mapped[date | None]
    closed_at: Mapped[datetime | None]
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EquipmentRequestLineRow(Base):
    """One item of a request, with the catalogue price when it was requested and, once approved,
    the budget it is charged to."""

    __tablename__ = "equipment_request_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("equipment_requests.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("equipment_items.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("equipment_categories.id"))
    quantity: Mapped[int]
    unit_price: Mapped[Decimal]
    budget_id: Mapped[int | None] = mapped_column(ForeignKey("equipment_budgets.id"), index=True)
