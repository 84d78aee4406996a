"""Equipment catalogue and budget files: every row validated with its line number, so a file
with a bad line is refused as a whole and the loader can say which line and why. Reading the
file (YAML, CSV, XLSX) is the caller's part; this checks the rows it read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.domain.equipment import MAX_PRICE, MAX_QUANTITY, Names
from bot.domain.staff import Role

CODE_PATTERN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass(frozen=True)
class FileProblem:
    line: int
    reason: str


class FileRefused(Exception):
    """A catalogue or budget file refused as a whole, with the reason for each bad line."""

    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"line {p.line}: {p.reason}" for p in self.problems))


Rows = Sequence[tuple[int, Mapping[str, Any]]]  # (line number, the row's values by column)


@dataclass(frozen=True)
class CatalogueRows:
    """A catalogue or budget file as read from disk: its sections' rows with their line numbers,
    and the entity the file names (YAML only)."""

    categories: Rows = ()
    items: Rows = ()
    budgets: Rows = ()
    entity: str | None = None


@dataclass(frozen=True)
class CategoryLine:
    line: int
    code: str
    names: Names


@dataclass(frozen=True)
class ItemLine:
    line: int
    code: str
    names: Names
    category: str
    unit_price: Decimal
    min_months_in_service: int
    needs_justification: bool
    allowed_roles: frozenset[Role]
    needs_approval: bool
    once_per_years: int | None
    max_quantity: int
    available_from: date | None
    active: bool


@dataclass(frozen=True)
class BudgetLine:
    line: int
    entity_code: str | None
    category: str
    year: int
    amount: Decimal
    one_off: bool


@dataclass
class CatalogueFile:
    categories: list[CategoryLine] = field(default_factory=list)
    items: list[ItemLine] = field(default_factory=list)
    budgets: list[BudgetLine] = field(default_factory=list)


class _Row:
    """One row of a catalogue file, read field by field; every problem is kept with its line."""

    def __init__(self, line: int, raw: Mapping[str, Any]) -> None:
        self.line = line
        self.raw = {str(k).strip().lower(): v for k, v in raw.items() if k is not None}
        self.reasons: list[str] = []

    def _value(self, name: str) -> Any:
        value = self.raw.get(name)
        return value.strip() if isinstance(value, str) else value

    def text(self, name: str, *, required: bool = True, max_length: int = 200) -> str:
        value = self._value(name)
        if value is None or value == "":
            if required:
                self.reasons.append(f"{name} is empty")
            return ""
        value = str(value)
        if len(value) > max_length:
            self.reasons.append(f"{name} is longer than {max_length} characters")
        return value

    def code(self, name: str) -> str:
        value = self.text(name, max_length=40).lower()
        if value and not set(value) <= CODE_PATTERN_CHARS:
            self.reasons.append(f"{name} {value!r} may only hold a-z, 0-9, '-' and '_'")
        return value

    def integer(self, name: str, *, default: int | None, low: int, high: int) -> int | None:
        value = self._value(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            self.reasons.append(f"{name} is not a whole number")
            return default
        try:
            number = int(str(value))
        except ValueError:
            self.reasons.append(f"{name} {value!r} is not a whole number")
            return default
        if not low <= number <= high:
            self.reasons.append(f"{name} {number} is not between {low} and {high}")
        return number

    def money(self, name: str) -> Decimal:
        value = self._value(name)
        if value is None or value == "":
            self.reasons.append(f"{name} is empty")
            return Decimal("0")
        if isinstance(value, float):
            value = repr(value)  # YAML floats: keep the written digits
        try:
            amount = Decimal(str(value).replace(",", "."))
        except InvalidOperation:
            self.reasons.append(f"{name} {value!r} is not an amount")
            return Decimal("0")
        if not amount.is_finite() or amount < 0 or amount > MAX_PRICE * 100:
            self.reasons.append(f"{name} {value!r} is not a sensible amount")
            return Decimal("0")
        if amount != amount.quantize(Decimal("0.01")):
            self.reasons.append(f"{name} {value!r} has more than two decimals")
        return amount.quantize(Decimal("0.01"))

    def flag(self, name: str, *, default: bool) -> bool:
        value = self._value(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        lowered = str(value).lower()
        if lowered in ("true", "yes", "ja", "1", "y"):
            return True
        if lowered in ("false", "no", "nee", "0", "n"):
            return False
        self.reasons.append(f"{name} {value!r} is not yes or no")
        return default

    def day(self, name: str) -> date | None:
        value = self._value(name)
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.reasons.append(f"{name} {value!r} is not YYYY-MM-DD")
            return None

    def roles(self, name: str) -> frozenset[Role]:
        value = self._value(name)
        if value is None or value == "":
            return frozenset()
        names = value if isinstance(value, list) else str(value).replace(",", ";").split(";")
        roles = set()
        for role_name in (str(n).strip().lower() for n in names):
            if not role_name:
                continue
            try:
                roles.add(Role(role_name))
            except ValueError:
                self.reasons.append(f"unknown role {role_name!r}")
        return frozenset(roles)

    def problem(self) -> FileProblem | None:
        return FileProblem(self.line, "; ".join(self.reasons)) if self.reasons else None


def parse_catalogue(
    categories: Iterable[tuple[int, Mapping[str, Any]]],
    items: Iterable[tuple[int, Mapping[str, Any]]],
    budgets: Iterable[tuple[int, Mapping[str, Any]]] = (),
    *,
    known_categories: Iterable[str] = (),
    budget_entity_required: bool = False,
) -> tuple[CatalogueFile, list[FileProblem]]:
    """Validate a catalogue (and/or budget) file's rows; returns the lines or the problems."""
    result = CatalogueFile()
    problems: list[FileProblem] = []
    seen_categories: dict[str, int] = {}
    for line, raw in categories:
        row = _Row(line, raw)
        code = row.code("code")
        names = Names(row.text("name_nl"), row.text("name_en"))
        if code in seen_categories:
            row.reasons.append(f"category {code!r} repeats line {seen_categories[code]}")
        if (problem := row.problem()) is not None:
            problems.append(problem)
            continue
        seen_categories[code] = line
        result.categories.append(CategoryLine(line, code, names))
    category_codes = set(seen_categories) | {code.lower() for code in known_categories}
    seen_items: dict[str, int] = {}
    for line, raw in items:
        row = _Row(line, raw)
        code = row.code("code")
        names = Names(row.text("name_nl"), row.text("name_en"))
        category = row.code("category")
        if category and category not in category_codes:
            row.reasons.append(f"unknown category {category!r}")
        price = row.money("unit_price")
        if price > MAX_PRICE:
            row.reasons.append(f"unit_price {price} is above {MAX_PRICE}")
        item = ItemLine(
            line=line, code=code, names=names, category=category, unit_price=price,
            min_months_in_service=row.integer("min_months_in_service", default=0, low=0, high=120) or 0,
            needs_justification=row.flag("needs_justification", default=False),
            allowed_roles=row.roles("roles"),
            needs_approval=row.flag("needs_approval", default=True),
            once_per_years=row.integer("once_per_years", default=None, low=1, high=20),
            max_quantity=row.integer("max_quantity", default=1, low=1, high=MAX_QUANTITY) or 1,
            available_from=row.day("available_from"),
            active=row.flag("active", default=True),
        )
        if code in seen_items:
            row.reasons.append(f"item {code!r} repeats line {seen_items[code]}")
        if (problem := row.problem()) is not None:
            problems.append(problem)
            continue
        seen_items[code] = line
        result.items.append(item)
    seen_budgets: dict[tuple[str | None, str, int], int] = {}
    for line, raw in budgets:
        row = _Row(line, raw)
        entity_code = row.text("entity", required=budget_entity_required, max_length=32).upper() or None
        category = row.code("category")
        if category and not budget_entity_required and category not in category_codes:
            row.reasons.append(f"unknown category {category!r}")
        year = row.integer("year", default=None, low=2000, high=2100)
        if year is None and row.raw.get("year") in (None, ""):
            row.reasons.append("year is empty")
        amount = row.money("amount")
        kind = row.text("kind", required=False, max_length=20).lower() or "annual"
        if kind not in ("annual", "one_off", "one-off"):
            row.reasons.append(f"kind {kind!r} is not annual or one_off")
        key = (entity_code, category, year or 0)
        if key in seen_budgets:
            row.reasons.append(f"budget repeats line {seen_budgets[key]}")
        if (problem := row.problem()) is not None:
            problems.append(problem)
            continue
        seen_budgets[key] = line
        result.budgets.append(BudgetLine(line, entity_code, category, year or 0, amount, kind != "annual"))
    problems.sort(key=lambda p: p.line)
    return result, problems
