"""Loading an entity's equipment catalogue and the budgets, from files the command line read.

The caller reads the file (YAML, CSV or XLSX; see bot/cli/equipment.py) and passes its rows with
their line numbers; these use cases validate every row and store all of it, or nothing: any bad
line refuses the whole file with the line numbers (FileRefused).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bot.domain import equipment_catalogue as rules
from bot.domain.equipment import Category
from bot.domain.equipment_catalogue import CatalogueRows, FileProblem, FileRefused, Rows
from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LoadCatalogue:
    entity_code: str
    file: CatalogueRows
    actor: str  # how the audit log names who loaded it ("cli", "demo")


@dataclass(frozen=True)
class LoadBudgets:
    rows: Rows  # columns entity, category, year, amount, kind
    actor: str


@dataclass(frozen=True)
class LoadResult:
    categories: int
    created: int
    updated: int
    unchanged: int
    deactivated: list[str]
    budgets: int


def _item_values(line: rules.ItemLine, category_id: int) -> dict[str, Any]:
    return {
        "name_nl": line.names.nl, "name_en": line.names.en, "category_id": category_id, "unit_price": line.unit_price,
        "min_months_in_service": line.min_months_in_service, "needs_justification": line.needs_justification,
        "allowed_roles": sorted(role.value for role in line.allowed_roles), "needs_approval": line.needs_approval,
        "once_per_years": line.once_per_years, "max_quantity": line.max_quantity, "available_from": line.available_from,
        "active": line.active,
    }


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal | date) else v) for k, v in values.items()}


async def load_catalogue(uow: UnitOfWork, command: LoadCatalogue, now: datetime) -> LoadResult:
    """Upsert the entity's categories and items (and budgets, when the file has them) in one
    transaction. Items missing from the file are deactivated. Any bad line refuses the whole file."""
    file, actor = command.file, command.actor
    entity_code = command.entity_code.strip().upper()
    file_entity = str(file.entity).strip().upper() if file.entity else None
    if file_entity and file_entity != entity_code:
        raise FileRefused([FileProblem(1, f"the file is for entity {file_entity}, not {entity_code}")])
    async with uow:
        entity = await uow.entities.get_by_code(entity_code)
        if entity is None:
            raise FileRefused([FileProblem(1, f"unknown entity {entity_code}")])
        by_code: dict[str, Category] = {c.code: c for c in await uow.equipment.list_categories(entity.id)}
        parsed, problems = rules.parse_catalogue(file.categories, file.items, file.budgets, known_categories=list(by_code))
        if problems:
            raise FileRefused(problems)
        if not parsed.items and not parsed.budgets:
            raise FileRefused([FileProblem(1, "the file has no items")])
        for line in parsed.categories:
            category, before = await uow.equipment.upsert_category(entity.id, line.code, line.names)
            by_code[line.code] = category
            after = {"name_nl": line.names.nl, "name_en": line.names.en}
            if before != after:
                await uow.audit.record(actor, "equipment.category_loaded", "equipment_category", category.id, before, after)
        created = updated = unchanged = 0
        for line in parsed.items:
            values = _item_values(line, by_code[line.category].id)
            item_id, before = await uow.equipment.upsert_item(entity.id, line.code, values)
            if before is None:
                created += 1
                await uow.audit.record(actor, "equipment.item_created", "equipment_item", item_id, None, _plain(values))
            elif _plain(before) != _plain(values):
                updated += 1
                await uow.audit.record(actor, "equipment.item_updated", "equipment_item", item_id, _plain(before), _plain(values))
            else:
                unchanged += 1
        deactivated = []
        if parsed.items:
            deactivated = await uow.equipment.deactivate_except(entity.id, [line.code for line in parsed.items])
            for code in deactivated:
                await uow.audit.record(actor, "equipment.item_deactivated", "equipment_item", code, {"active": True}, {"active": False})
        for budget in parsed.budgets:
            await _store_budget(uow, entity.id, by_code[budget.category].id, budget, actor)
        await uow.commit()
    return LoadResult(len(parsed.categories), created, updated, unchanged, deactivated, len(parsed.budgets))


async def _store_budget(uow: UnitOfWork, entity_id: int, category_id: int, line: rules.BudgetLine, actor: str) -> None:
    budget_id, before = await uow.equipment.upsert_budget(entity_id, category_id, line.year, line.amount, line.one_off)
    after = {"amount": str(line.amount), "one_off": line.one_off}
    if before != after:
        await uow.audit.record(actor, "equipment.budget_loaded", "equipment_budget", budget_id, before, {**after, "year": line.year})


async def load_budgets(uow: UnitOfWork, command: LoadBudgets, now: datetime) -> int:
    """Budgets per entity, category and year; returns how many the file holds. All or nothing."""
    parsed, problems = rules.parse_catalogue([], [], command.rows, budget_entity_required=True)
    if problems:
        raise FileRefused(problems)
    if not parsed.budgets:
        raise FileRefused([FileProblem(1, "the file has no budgets")])
    async with uow:
        targets = []
        for line in parsed.budgets:
            entity = await uow.entities.get_by_code(line.entity_code or "")
            if entity is None:
                problems.append(FileProblem(line.line, f"unknown entity {line.entity_code}"))
                continue
            categories = {c.code: c.id for c in await uow.equipment.list_categories(entity.id)}
            if line.category not in categories:
                problems.append(FileProblem(line.line, f"entity {line.entity_code} has no category {line.category!r}"))
                continue
            targets.append((entity.id, categories[line.category], line))
        if problems:
            raise FileRefused(problems)
        for entity_id, category_id, line in targets:
            await _store_budget(uow, entity_id, category_id, line, command.actor)
        await uow.commit()
    return len(targets)
