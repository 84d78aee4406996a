"""Reading equipment catalogue and budget files (YAML, CSV, XLSX) into rows with their line
numbers, for the command line and the demo data. Reading happens here, off the event loop; the
use cases in bot/services/equipment_catalogue.py validate and store the rows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.domain.equipment_catalogue import CatalogueRows, FileProblem, FileRefused, Rows
from bot.services.equipment_catalogue import (
    LoadBudgets,
    LoadCatalogue,
    LoadResult,
    load_budgets,
    load_catalogue,
)
from bot.services.unit_of_work import UnitOfWork
from bot.tables import UnreadableFile, read_table

SECTIONS = ("categories", "items", "budgets")


class _LineLoader(yaml.SafeLoader):
    """Keeps each mapping's line number, so problems can point at the line."""


def _mapping_with_line(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _yaml_rows(text: str) -> CatalogueRows:
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise FileRefused([FileProblem(mark.line + 1 if mark else 1, f"not valid YAML: {getattr(error, 'problem', error)}")]) from None
    if isinstance(data, list):
        data = {"budgets": data, "__line__": 1}
    if not isinstance(data, dict):
        raise FileRefused([FileProblem(1, "expected a mapping with categories, items and/or budgets")])
    sections: dict[str, Rows] = {}
    problems = []
    for name in SECTIONS:
        entries = data.get(name) or []
        if not isinstance(entries, list):
            problems.append(FileProblem(int(data.get("__line__", 1)), f"{name} must be a list"))
            entries = []
        rows = []
        for entry in entries:
            if not isinstance(entry, dict):
                problems.append(FileProblem(int(data.get("__line__", 1)), f"an entry of {name} is not a mapping"))
                continue
            rows.append((int(entry.get("__line__", 1)), {k: v for k, v in entry.items() if k != "__line__"}))
        sections[name] = rows
    unknown = sorted(str(k) for k in data if k not in (*SECTIONS, "entity", "__line__"))
    if unknown:
        problems.append(FileProblem(1, f"unknown section(s): {', '.join(unknown)}"))
    if problems:
        raise FileRefused(problems)
    entity = data.get("entity")
    return CatalogueRows(**sections, entity=str(entity) if entity else None)


def _table_rows(path: Path) -> Rows:
    try:
        return read_table(path)[1]
    except UnreadableFile as error:
        raise FileRefused([FileProblem(1, str(error))]) from None


def _read_yaml(path: Path) -> CatalogueRows:
    if not path.exists():
        raise FileRefused([FileProblem(1, f"{path} does not exist")])
    return _yaml_rows(path.read_text(encoding="utf-8"))


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in (".yaml", ".yml")


def read_catalogue_file(path: Path) -> CatalogueRows:
    """A YAML catalogue has categories, items and budgets; CSV/XLSX rows are items, which may carry
    category_name_nl / category_name_en to define their category."""
    if _is_yaml(path):
        return _read_yaml(path)
    rows = _table_rows(path)
    categories = []
    seen = set()
    for line, row in rows:
        code = (row.get("category") or "").strip().lower()
        if code and code not in seen and (row.get("category_name_nl") or row.get("category_name_en")):
            seen.add(code)
            categories.append((line, {"code": code, "name_nl": row.get("category_name_nl"), "name_en": row.get("category_name_en")}))
    items = [(line, row) for line, row in rows if any((v or "").strip() for v in row.values())]
    return CatalogueRows(categories=categories, items=items)


def read_budget_file(path: Path) -> Rows:
    """CSV/XLSX with columns entity, category, year, amount, kind; or YAML (a list, or a `budgets:` section)."""
    return _read_yaml(path).budgets if _is_yaml(path) else _table_rows(path)


async def load_catalogue_file(
    uow_factory: Callable[[], UnitOfWork], path: Path, entity_code: str, *, actor: str, now: datetime
) -> LoadResult:
    """Read the file off the event loop, then load it (one transaction)."""
    rows = await asyncio.to_thread(read_catalogue_file, path)
    return await load_catalogue(uow_factory(), LoadCatalogue(entity_code, rows, actor), now)


async def load_budget_file(uow_factory: Callable[[], UnitOfWork], path: Path, *, actor: str, now: datetime) -> int:
    rows = await asyncio.to_thread(read_budget_file, path)
    return await load_budgets(uow_factory(), LoadBudgets(rows, actor), now)
