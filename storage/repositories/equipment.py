"""Equipment catalogue, budgets and requests (the use cases' port: bot/services/ports/equipment.py);
plus the aggregated figures the reports need."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, extract, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.equipment import (
    BUDGET_STATUSES,
    COMMITTED_STATUSES,
    Budget,
    CatalogueItem,
    Category,
    Delivery,
    EquipmentRequest,
    Names,
    PastLine,
    RequestLine,
    RequestStatus,
)
from bot.domain.staff import Role
from storage.models.directory import EntityRow
from storage.models.equipment import (
    EquipmentBudgetRow,
    EquipmentCategoryRow,
    EquipmentItemRow,
    EquipmentRequestLineRow,
    EquipmentRequestRow,
)


def _category(row: EquipmentCategoryRow) -> Category:
    return Category(row.id, row.entity_id, row.code, Names(row.name_nl, row.name_en))


def _item(row: EquipmentItemRow, category_code: str) -> CatalogueItem:
    return CatalogueItem(
        id=row.id, entity_id=row.entity_id, code=row.code, names=Names(row.name_nl, row.name_en),
        category_id=row.category_id, category_code=category_code, unit_price=row.unit_price,
        min_months_in_service=row.min_months_in_service, needs_justification=row.needs_justification,
        allowed_roles=frozenset(Role(name) for name in row.allowed_roles or ()), needs_approval=row.needs_approval,
        once_per_years=row.once_per_years, max_quantity=row.max_quantity, available_from=row.available_from,
        active=row.active,
    )


def _budget(row: EquipmentBudgetRow, category_code: str) -> Budget:
    return Budget(row.id, row.entity_id, row.category_id, category_code, row.year, row.amount, row.one_off)


def _line_cost():  # noqa: ANN202 - a SQL expression
    return EquipmentRequestLineRow.unit_price * EquipmentRequestLineRow.quantity


class EquipmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- catalogue ------------------------------------------------------------------------------
    async def list_categories(self, entity_id: int) -> list[Category]:
        rows = await self.session.scalars(
            select(EquipmentCategoryRow).where(EquipmentCategoryRow.entity_id == entity_id).order_by(EquipmentCategoryRow.code)
        )
        return [_category(row) for row in rows]

    def _items_query(self) -> Select:
        return select(EquipmentItemRow, EquipmentCategoryRow.code).join(
            EquipmentCategoryRow, EquipmentCategoryRow.id == EquipmentItemRow.category_id
        )

    async def list_items(self, entity_id: int, *, active_only: bool = True) -> list[CatalogueItem]:
        query = self._items_query().where(EquipmentItemRow.entity_id == entity_id)
        if active_only:
            query = query.where(EquipmentItemRow.active.is_(True))
        rows = (await self.session.execute(query.order_by(EquipmentCategoryRow.code, EquipmentItemRow.name_nl))).tuples()
        return [_item(row, code) for row, code in rows]

    async def items_by_ids(self, ids: Iterable[int]) -> dict[int, CatalogueItem]:
        ids = list(ids)
        if not ids:
            return {}
        rows = (await self.session.execute(self._items_query().where(EquipmentItemRow.id.in_(ids)))).tuples()
        return {row.id: _item(row, code) for row, code in rows}

    async def upsert_category(self, entity_id: int, code: str, names: Names) -> tuple[Category, dict[str, Any] | None]:
        """Create or rename; returns the category and its previous values (None when created)."""
        row = await self.session.scalar(
            select(EquipmentCategoryRow).where(EquipmentCategoryRow.entity_id == entity_id, EquipmentCategoryRow.code == code)
        )
        before = None
        if row is None:
            row = EquipmentCategoryRow(entity_id=entity_id, code=code, name_nl=names.nl, name_en=names.en)
            self.session.add(row)
            await self.session.flush()
        else:
            before = {"name_nl": row.name_nl, "name_en": row.name_en}
            row.name_nl, row.name_en = names.nl, names.en
        return _category(row), before

    async def upsert_item(self, entity_id: int, code: str, values: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        """Create or update an item by code; returns its id and its previous values (None when created)."""
        row = await self.session.scalar(
            select(EquipmentItemRow).where(EquipmentItemRow.entity_id == entity_id, EquipmentItemRow.code == code)
        )
        before = None
        if row is None:
            row = EquipmentItemRow(entity_id=entity_id, code=code, **values)
            self.session.add(row)
        else:
            before = {key: getattr(row, key) for key in values}
            for key, value in values.items():
                setattr(row, key, value)
        await self.session.flush()
        return row.id, before

    async def deactivate_except(self, entity_id: int, codes: Iterable[str]) -> list[str]:
        """Deactivate the entity's active items whose code is not in `codes`; returns their codes."""
        codes = set(codes)
        rows = await self.session.scalars(
            select(EquipmentItemRow).where(EquipmentItemRow.entity_id == entity_id, EquipmentItemRow.active.is_(True))
        )
        gone = [row for row in rows if row.code not in codes]
        for row in gone:
            row.active = False
        return sorted(row.code for row in gone)

    # -- budgets --------------------------------------------------------------------------------
    def _budgets_query(self) -> Select:
        return select(EquipmentBudgetRow, EquipmentCategoryRow.code).join(
            EquipmentCategoryRow, EquipmentCategoryRow.id == EquipmentBudgetRow.category_id
        )

    async def list_budgets(self, entity_id: int) -> list[Budget]:
        rows = (
            await self.session.execute(
                self._budgets_query().where(EquipmentBudgetRow.entity_id == entity_id).order_by(EquipmentBudgetRow.year)
            )
        ).tuples()
        return [_budget(row, code) for row, code in rows]

    async def lock_budgets(self, budget_ids: Iterable[int]) -> list[Budget]:
        """SELECT ... FOR UPDATE, in id order so two approvals never wait on each other in a cycle.
        SQLite ignores the clause; its BEGIN IMMEDIATE already lets one writer in at a time."""
        ids = sorted(set(budget_ids))
        if not ids:
            return []
        rows = (
            await self.session.execute(
                self._budgets_query().where(EquipmentBudgetRow.id.in_(ids)).order_by(EquipmentBudgetRow.id)
                .with_for_update(of=EquipmentBudgetRow)
            )
        ).tuples()
        return [_budget(row, code) for row, code in rows]

    async def used_by_budget(self, budget_ids: Iterable[int]) -> dict[int, Decimal]:
        """Money committed or spent against each budget."""
        ids = list(set(budget_ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            select(EquipmentRequestLineRow.budget_id, func.sum(_line_cost()))
            .join(EquipmentRequestRow, EquipmentRequestRow.id == EquipmentRequestLineRow.request_id)
            .where(
                EquipmentRequestLineRow.budget_id.in_(ids),
                EquipmentRequestRow.status.in_([s.value for s in BUDGET_STATUSES]),
            )
            .group_by(EquipmentRequestLineRow.budget_id)
        )
        used = {budget_id: Decimal("0") for budget_id in ids}
        for budget_id, total in rows:
            used[budget_id] = Decimal(total or 0)
        return used

    async def upsert_budget(
        self, entity_id: int, category_id: int, year: int, amount: Decimal, one_off: bool
    ) -> tuple[int, dict[str, Any] | None]:
        row = await self.session.scalar(
            select(EquipmentBudgetRow).where(
                EquipmentBudgetRow.entity_id == entity_id, EquipmentBudgetRow.category_id == category_id,
                EquipmentBudgetRow.year == year,
            )
        )
        before = None
        if row is None:
            row = EquipmentBudgetRow(entity_id=entity_id, category_id=category_id, year=year, amount=amount, one_off=one_off)
            self.session.add(row)
            await self.session.flush()
        else:
            before = {"amount": str(row.amount), "one_off": row.one_off}
            row.amount, row.one_off = amount, one_off
        return row.id, before

    # -- requests -------------------------------------------------------------------------------
    async def add_request(
        self,
        *,
        staff_id: int,
        entity_id: int,
        status: RequestStatus,
        lines: Sequence[RequestLine],
        justification: str | None,
        delivery: Delivery,
        reasonable_adjustment: bool,
        requested_on: date,
        created_at: datetime,
    ) -> int:
        row = EquipmentRequestRow(
            staff_id=staff_id, entity_id=entity_id, status=status.value, justification=justification,
            delivery=delivery.value, reasonable_adjustment=reasonable_adjustment, requested_on=requested_on,
            created_at=created_at,
        )
        self.session.add(row)
        await self.session.flush()
        for line in lines:
            self.session.add(
                EquipmentRequestLineRow(
                    request_id=row.id, item_id=line.item_id, category_id=line.category_id, quantity=line.quantity,
                    unit_price=line.unit_price,
                )
            )
        await self.session.flush()
        return row.id

    async def _lines(self, request_ids: list[int]) -> dict[int, list[RequestLine]]:
        lines: dict[int, list[RequestLine]] = {request_id: [] for request_id in request_ids}
        if not request_ids:
            return lines
        rows = (
            await self.session.execute(
                select(EquipmentRequestLineRow, EquipmentItemRow)
                .join(EquipmentItemRow, EquipmentItemRow.id == EquipmentRequestLineRow.item_id)
                .where(EquipmentRequestLineRow.request_id.in_(request_ids))
                .order_by(EquipmentRequestLineRow.id)
            )
        ).tuples()
        for line, item in rows:
            lines[line.request_id].append(
                RequestLine(
                    item_id=item.id, item_code=item.code, names=Names(item.name_nl, item.name_en),
                    category_id=line.category_id, quantity=line.quantity, unit_price=line.unit_price,
                    budget_id=line.budget_id,
                )
            )
        return lines

    async def _requests(self, query: Select) -> list[EquipmentRequest]:
        rows = list(await self.session.scalars(query))
        lines = await self._lines([row.id for row in rows])
        return [
            EquipmentRequest(
                id=row.id, staff_id=row.staff_id, entity_id=row.entity_id, status=RequestStatus(row.status),
                lines=tuple(lines[row.id]), justification=row.justification, delivery=Delivery(row.delivery),
                reasonable_adjustment=row.reasonable_adjustment, requested_on=row.requested_on, created_at=row.created_at,
                decided_at=row.decided_at, ordered_at=row.ordered_at, delivered_on=row.delivered_on,
                closed_at=row.closed_at, note=row.note,
            )
            for row in rows
        ]

    async def get_request(self, request_id: int, *, for_update: bool = False) -> EquipmentRequest | None:
        """One request; `for_update` locks it so two clicks on the same request run one after the other."""
        query = select(EquipmentRequestRow).where(EquipmentRequestRow.id == request_id)
        if for_update:
            query = query.with_for_update()
        found = await self._requests(query)
        return found[0] if found else None

    async def update_request(self, request_id: int, **values: Any) -> None:
        if isinstance(values.get("status"), RequestStatus):
            values["status"] = values["status"].value
        await self.session.execute(update(EquipmentRequestRow).where(EquipmentRequestRow.id == request_id).values(**values))

    async def charge_lines(self, request_id: int, budget_by_category: dict[int, int | None]) -> None:
        """Point each line at the budget it is committed against."""
        for category_id, budget_id in budget_by_category.items():
            await self.session.execute(
                update(EquipmentRequestLineRow)
                .where(EquipmentRequestLineRow.request_id == request_id, EquipmentRequestLineRow.category_id == category_id)
                .values(budget_id=budget_id)
            )

    async def history(self, staff_id: int) -> list[PastLine]:
        rows = await self.session.execute(
            select(
                EquipmentRequestLineRow.item_id, EquipmentRequestRow.status, EquipmentRequestRow.requested_on,
                EquipmentRequestRow.delivered_on,
            )
            .join(EquipmentRequestRow, EquipmentRequestRow.id == EquipmentRequestLineRow.request_id)
            .where(EquipmentRequestRow.staff_id == staff_id)
        )
        return [PastLine(item_id, RequestStatus(status), requested_on, delivered_on) for item_id, status, requested_on, delivered_on in rows]

    async def list_for_staff(self, staff_id: int, limit: int = 20) -> list[EquipmentRequest]:
        return await self._requests(
            select(EquipmentRequestRow).where(EquipmentRequestRow.staff_id == staff_id)
            .order_by(EquipmentRequestRow.created_at.desc(), EquipmentRequestRow.id.desc()).limit(limit)
        )

    async def list_to_fulfil(self, entity_id: int | None, limit: int = 25) -> list[EquipmentRequest]:
        """Approved and ordered requests, oldest first; `entity_id` None: every entity."""
        query = select(EquipmentRequestRow).where(
            EquipmentRequestRow.status.in_([s.value for s in COMMITTED_STATUSES])
        )
        if entity_id is not None:
            query = query.where(EquipmentRequestRow.entity_id == entity_id)
        return await self._requests(query.order_by(EquipmentRequestRow.decided_at, EquipmentRequestRow.id).limit(limit))

    # -- figures for the reports (SQL aggregation) --------------------------------------------
    async def delivered_per_item_per_year(
        self, entity_id: int | None, year_from: int, year_to: int
    ) -> list[DeliveredPerItem]:
        """Items delivered per entity, item and year of delivery (quantities and distinct staff)."""
        year = extract("year", EquipmentRequestRow.delivered_on)
        query = (
            select(
                EquipmentRequestRow.entity_id, EntityRow.code, year.label("year"), EquipmentItemRow.code,
                EquipmentItemRow.name_nl, EquipmentItemRow.name_en, EquipmentCategoryRow.code,
                func.sum(EquipmentRequestLineRow.quantity), func.count(func.distinct(EquipmentRequestRow.staff_id)),
                func.sum(_line_cost()),
            )
            .select_from(EquipmentRequestLineRow)
            .join(EquipmentRequestRow, EquipmentRequestRow.id == EquipmentRequestLineRow.request_id)
            .join(EquipmentItemRow, EquipmentItemRow.id == EquipmentRequestLineRow.item_id)
            .join(EquipmentCategoryRow, EquipmentCategoryRow.id == EquipmentRequestLineRow.category_id)
            .join(EntityRow, EntityRow.id == EquipmentRequestRow.entity_id)
            .where(EquipmentRequestRow.status == RequestStatus.DELIVERED.value, year.between(year_from, year_to))
            .group_by(
                EquipmentRequestRow.entity_id, EntityRow.code, year, EquipmentItemRow.code, EquipmentItemRow.name_nl,
                EquipmentItemRow.name_en, EquipmentCategoryRow.code,
            )
            .order_by(EntityRow.code, year, EquipmentItemRow.code)
        )
        if entity_id is not None:
            query = query.where(EquipmentRequestRow.entity_id == entity_id)
        return [
            DeliveredPerItem(e_id, e_code, int(y), i_code, nl, en, c_code, int(qty), int(staff), Decimal(cost or 0))
            for e_id, e_code, y, i_code, nl, en, c_code, qty, staff, cost in await self.session.execute(query)
        ]

    async def staff_served_per_year(self, entity_id: int | None, year_from: int, year_to: int) -> list[StaffServed]:
        """Distinct staff who received at least one item, per entity and year of delivery."""
        year = extract("year", EquipmentRequestRow.delivered_on)
        query = (
            select(
                EquipmentRequestRow.entity_id, EntityRow.code, year.label("year"),
                func.count(func.distinct(EquipmentRequestRow.staff_id)), func.count(EquipmentRequestRow.id),
            )
            .join(EntityRow, EntityRow.id == EquipmentRequestRow.entity_id)
            .where(EquipmentRequestRow.status == RequestStatus.DELIVERED.value, year.between(year_from, year_to))
            .group_by(EquipmentRequestRow.entity_id, EntityRow.code, year)
            .order_by(EntityRow.code, year)
        )
        if entity_id is not None:
            query = query.where(EquipmentRequestRow.entity_id == entity_id)
        return [StaffServed(e_id, code, int(y), int(staff), int(requests)) for e_id, code, y, staff, requests in await self.session.execute(query)]

    async def staff_served_total(self, entity_id: int | None, year: int) -> int:
        """Distinct staff served in a year across entities (a person who moved counts once)."""
        query = select(func.count(func.distinct(EquipmentRequestRow.staff_id))).where(
            EquipmentRequestRow.status == RequestStatus.DELIVERED.value,
            extract("year", EquipmentRequestRow.delivered_on) == year,
        )
        if entity_id is not None:
            query = query.where(EquipmentRequestRow.entity_id == entity_id)
        return int(await self.session.scalar(query) or 0)

    async def spend_against_budget(self, entity_id: int | None, year_from: int, year_to: int) -> list[BudgetSpend]:
        """Per entity, category and year: the budget granted that year, what was spent (delivered in
        that year) and what is committed (approved or ordered, requested that year)."""
        figures: dict[tuple[int, int, int], dict[str, Any]] = {}

        def slot(e_id: int, category_id: int, year: int) -> dict[str, Any]:
            return figures.setdefault(
                (e_id, category_id, year),
                {"budget": None, "one_off": False, "spent": Decimal("0"), "committed": Decimal("0"), "items": 0},
            )

        budgets = select(
            EquipmentBudgetRow.entity_id, EquipmentBudgetRow.category_id, EquipmentBudgetRow.year,
            EquipmentBudgetRow.amount, EquipmentBudgetRow.one_off,
        ).where(EquipmentBudgetRow.year.between(year_from, year_to))
        if entity_id is not None:
            budgets = budgets.where(EquipmentBudgetRow.entity_id == entity_id)
        for e_id, category_id, year, amount, one_off in await self.session.execute(budgets):
            slot(e_id, category_id, year).update(budget=Decimal(amount), one_off=one_off)

        for status_filter, year_column, key in (
            ([RequestStatus.DELIVERED.value], EquipmentRequestRow.delivered_on, "spent"),
            ([s.value for s in COMMITTED_STATUSES], EquipmentRequestRow.requested_on, "committed"),
        ):
            year = extract("year", year_column)
            query = (
                select(
                    EquipmentRequestRow.entity_id, EquipmentRequestLineRow.category_id, year.label("year"),
                    func.sum(_line_cost()), func.sum(EquipmentRequestLineRow.quantity),
                )
                .join(EquipmentRequestRow, EquipmentRequestRow.id == EquipmentRequestLineRow.request_id)
                .where(EquipmentRequestRow.status.in_(status_filter), year.between(year_from, year_to))
                .group_by(EquipmentRequestRow.entity_id, EquipmentRequestLineRow.category_id, year)
            )
            if entity_id is not None:
                query = query.where(EquipmentRequestRow.entity_id == entity_id)
            for e_id, category_id, y, total, quantity in await self.session.execute(query):
                target = slot(e_id, category_id, int(y))
                target[key] += Decimal(total or 0)
                if key == "spent":
                    target["items"] += int(quantity or 0)

        if not figures:
            return []
        names = {
            row.id: (row.code, row.name_nl, row.name_en)
            for row in await self.session.scalars(
                select(EquipmentCategoryRow).where(EquipmentCategoryRow.id.in_({key[1] for key in figures}))
            )
        }
        entities = dict((await self.session.execute(select(EntityRow.id, EntityRow.code))).tuples().all())
        result = [
            BudgetSpend(
                entity_id=e_id, entity_code=entities.get(e_id, "?"), category_code=names[c_id][0],
                category_name_nl=names[c_id][1], category_name_en=names[c_id][2], year=year,
                budget=values["budget"], one_off=values["one_off"], spent=values["spent"],
                committed=values["committed"], items_delivered=values["items"],
            )
            for (e_id, c_id, year), values in figures.items()
        ]
        return sorted(result, key=lambda r: (r.entity_code, r.year, r.category_code))


@dataclass(frozen=True)
class DeliveredPerItem:
    entity_id: int
    entity_code: str
    year: int
    item_code: str
    item_name_nl: str
    item_name_en: str
    category_code: str
    quantity: int  # pieces delivered
    staff_count: int  # distinct staff who received the item that year
    cost: Decimal


@dataclass(frozen=True)
class StaffServed:
    entity_id: int
    entity_code: str
    year: int
    staff_count: int  # distinct staff with at least one delivery that year
    requests: int  # delivered requests


@dataclass(frozen=True)
class BudgetSpend:
    entity_id: int
    entity_code: str
    category_code: str
    category_name_nl: str
    category_name_en: str
    year: int
    budget: Decimal | None  # granted for that year (one-off: the year it was granted); None: no budget row
    one_off: bool
    spent: Decimal  # delivered in that year
    committed: Decimal  # approved or ordered, requested in that year, not delivered yet
    items_delivered: int

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.spent - self.committed
