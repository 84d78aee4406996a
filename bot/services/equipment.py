"""Equipment requests: the catalogue a staff member sees, requesting, the manager's approval with
the budget check, fulfilment by logistics, and loading catalogues and budgets from files.

Prices always come from the catalogue in the database; a card only echoes the prices it showed,
so a changed or forged price is noticed and refused.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bot.domain import equipment as rules
from bot.domain.equipment import (
    MAX_JUSTIFICATION,
    MAX_LINES,
    MAX_NOTE,
    BudgetPosition,
    CatalogueItem,
    Category,
    Delivery,
    EquipmentRequest,
    FileProblem,
    FulfilmentStep,
    Names,
    NotEligible,
    Refusal,
    RequestLine,
    RequestStatus,
    WantedLine,
)
from bot.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from bot.domain.staff import Role, Staff
from bot.services import approvals
from bot.services.approvals import NeedsConfirmation
from bot.services.tabular import UnreadableFile, read_table

if TYPE_CHECKING:
    from bot.runtime import Services
    from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

SUBJECT_TYPE = "equipment_request"
_QUANTITY = re.compile(r"^(\d{1,2}(\.0*)?)?$")  # Input.Number sends "2" or "2.0"; empty: not wanted
AUDIT_SUBJECT = "equipment_request"


def _actor(staff: Staff) -> str:
    return f"staff:{staff.id}"


# -- the catalogue as a staff member sees it ---------------------------------------------------
@dataclass(frozen=True)
class OfferedItem:
    item: CatalogueItem
    category: Names
    refusals: tuple[Refusal, ...]  # why it cannot be requested now (empty: it can)


async def offered_items(uow: UnitOfWork, staff: Staff, today: date) -> list[OfferedItem]:
    items = await uow.equipment.list_items(staff.entity_id)
    categories = {c.id: c.names for c in await uow.equipment.list_categories(staff.entity_id)}
    history = await uow.equipment.history(staff.id)
    offered = []
    for item in items:
        if item.available_from is not None and today < item.available_from:
            continue  # not on offer yet
        refusals = [
            r for r in rules.check_item(item, 1, staff, history, today, justification="-")
            if r.key != "equipment.refused.quantity"
        ]
        offered.append(OfferedItem(item, categories.get(item.category_id, Names(item.category_code, item.category_code)), tuple(refusals)))
    return offered


class PriceChanged(Conflict):
    """The card showed another price than the catalogue holds now (changed since, or forged)."""

    key = "equipment.price_changed"

    def __init__(self, item: Names) -> None:
        super().__init__(item=item.nl)
        self.item = item


# -- requesting -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SubmitRequest:
    quantities: Mapping[int, int]  # item id -> quantity (0 or absent: not wanted)
    prices_seen: Mapping[int, str]  # item id -> the unit price the card showed
    justification: str | None
    delivery: str
    reasonable_adjustment: bool = False


@dataclass(frozen=True)
class Submitted:
    request: EquipmentRequest
    approval_id: int | None  # None: approved at once (items that need no decision, budget available)


async def submit_request(uow: UnitOfWork, staff: Staff, cmd: SubmitRequest, now: datetime, today: date) -> Submitted:
    """Check everything before anything is stored, then store the request and ask the manager.
    The caller commits and then delivers the approval card."""
    wanted = {item_id: qty for item_id, qty in cmd.quantities.items() if qty}
    if not wanted:
        raise InvalidInput("equipment.nothing_chosen")
    if len(wanted) > MAX_LINES:
        raise InvalidInput("equipment.too_many_lines", limit=MAX_LINES)
    try:
        delivery = Delivery(cmd.delivery)
    except ValueError:
        raise InvalidInput("equipment.delivery_unknown") from None
    justification = (cmd.justification or "").strip() or None
    if justification and len(justification) > MAX_JUSTIFICATION:
        raise InvalidInput("equipment.justification_too_long", limit=MAX_JUSTIFICATION)
    items = await uow.equipment.items_by_ids(wanted)
    for item_id in wanted:
        item = items.get(item_id)
        if item is None or item.entity_id != staff.entity_id or not item.active:
            log.warning("staff %s asked for item %s outside their catalogue", staff.id, item_id)
            raise Conflict("equipment.item_unknown")
        seen = cmd.prices_seen.get(item_id)
        if seen is None or _price(seen) != item.unit_price:
            log.warning("staff %s sent price %r for item %s (catalogue %s)", staff.id, seen, item_id, item.unit_price)
            raise PriceChanged(item.names)
    lines = [WantedLine(items[item_id], qty) for item_id, qty in sorted(wanted.items())]
    history = await uow.equipment.history(staff.id)
    refusals = rules.check_request(
        lines, staff, history, today, justification=justification, reasonable_adjustment=cmd.reasonable_adjustment
    )
    if refusals:
        raise NotEligible(refusals)
    request_lines = [
        RequestLine(line.item.id, line.item.code, line.item.names, line.item.category_id, line.quantity, line.item.unit_price)
        for line in lines
    ]
    request_id = await uow.equipment.add_request(
        staff_id=staff.id, entity_id=staff.entity_id, status=RequestStatus.PENDING, lines=request_lines,
        justification=justification, delivery=delivery, reasonable_adjustment=cmd.reasonable_adjustment,
        requested_on=today, created_at=now,
    )
    request = await _get(uow, request_id)
    await uow.audit.record(_actor(staff), "equipment.requested", AUDIT_SUBJECT, request_id, None, request.snapshot())
    if not rules.needs_manager(lines, cmd.reasonable_adjustment):
        positions = await budget_positions(uow, request, lock=True)
        if not rules.over_budget(positions):
            await _commit_budget(uow, request, positions, decided_by=None, now=now, actor="system")
            return Submitted(await _get(uow, request_id), None)
        # Over budget: the manager decides (and sees the budget on the card).
    approval_id = await approvals.request_approval(
        uow, subject_type=SUBJECT_TYPE, subject_id=request_id, requester=staff, actor=_actor(staff), now=now
    )
    return Submitted(request, approval_id)


def _price(text: str) -> Decimal | None:
    try:
        return Decimal(str(text).strip())
    except Exception:  # decimal.InvalidOperation and friends: a forged value is simply not equal
        return None


async def _get(uow: UnitOfWork, request_id: int, *, for_update: bool = False) -> EquipmentRequest:
    request = await uow.equipment.get_request(request_id, for_update=for_update)
    if request is None:
        raise NotFound()
    return request


async def cancel_request(uow: UnitOfWork, staff: Staff, request_id: int, now: datetime) -> EquipmentRequest:
    """The staff member withdraws a request while the manager has not decided. The caller commits."""
    request = await _get(uow, request_id, for_update=True)
    if request.staff_id != staff.id:
        raise Forbidden("equipment.not_yours")
    if request.status != RequestStatus.PENDING:
        raise Conflict("equipment.cannot_cancel")
    if await approvals.pending_for_subject(uow, SUBJECT_TYPE, request_id) is not None:
        await approvals.cancel_for_subject(uow, subject_type=SUBJECT_TYPE, subject_id=request_id, actor=staff, now=now)
    current = await _get(uow, request_id)
    if current.status == RequestStatus.PENDING:  # no approval waited (should not happen): close it here
        await _close(uow, current, RequestStatus.CANCELLED, staff, None, now)
        current = await _get(uow, request_id)
    return current


async def my_requests(uow: UnitOfWork, staff: Staff) -> list[EquipmentRequest]:
    return await uow.equipment.list_for_staff(staff.id)


# -- budgets --------------------------------------------------------------------------------------
async def budget_positions(uow: UnitOfWork, request: EquipmentRequest, *, lock: bool) -> list[BudgetPosition]:
    """Per category of the request: the budget of the request's year, what is used and what this
    request costs. With `lock`, the budget rows are locked until the transaction ends, so
    concurrent approvals against one budget run one after the other."""
    year = request.requested_on.year
    budgets = await uow.equipment.list_budgets(request.entity_id)
    categories = {c.id: c for c in await uow.equipment.list_categories(request.entity_id)}
    cost: dict[int, Decimal] = {}
    for line in request.lines:
        cost[line.category_id] = cost.get(line.category_id, Decimal("0")) + line.cost
    chosen = {category_id: rules.applicable_budget(budgets, category_id, year) for category_id in cost}
    ids = [budget.id for budget in chosen.values() if budget is not None]
    if lock:
        locked = {budget.id: budget for budget in await uow.equipment.lock_budgets(ids)}
        chosen = {c: (locked.get(b.id) if b else None) for c, b in chosen.items()}
    used = await uow.equipment.used_by_budget(ids)
    positions = []
    for category_id, amount in sorted(cost.items()):
        budget = chosen[category_id]
        category = categories.get(category_id)
        positions.append(
            BudgetPosition(
                category_id=category_id, category=category.names if category else Names("?", "?"), year=year,
                budget_id=budget.id if budget else None, amount=budget.amount if budget else None,
                used=used.get(budget.id, Decimal("0")) if budget else Decimal("0"), cost=amount,
            )
        )
    return positions


async def _commit_budget(
    uow: UnitOfWork, request: EquipmentRequest, positions: Sequence[BudgetPosition], *, decided_by: int | None,
    now: datetime, actor: str,
) -> None:
    await uow.equipment.charge_lines(request.id, {p.category_id: p.budget_id for p in positions})
    await uow.equipment.update_request(request.id, status=RequestStatus.APPROVED, decided_at=now, decided_by=decided_by)
    after = await _get(uow, request.id)
    await uow.audit.record(actor, "equipment.approved", AUDIT_SUBJECT, request.id, request.snapshot(), after.snapshot())
    for position in positions:
        await uow.audit.record(
            actor, "equipment.budget_committed", "equipment_budget", position.budget_id or "none", None,
            {"request_id": request.id, "category_id": position.category_id, "year": position.year,
             "amount": str(position.cost), "remaining_before": str(position.remaining)},
        )


def _over_budget_error(over: BudgetPosition, cls: type[DomainError]) -> DomainError:
    return cls(
        "equipment.over_budget_confirm" if cls is NeedsConfirmation else "equipment.over_budget_blocked",
        year=over.year, category=over.category,
        remaining=f"{max(over.remaining, Decimal('0')):.2f}", cost=f"{over.cost:.2f}",
    )


async def _close(
    uow: UnitOfWork, request: EquipmentRequest, status: RequestStatus, actor: Staff, note: str | None, now: datetime,
    *, decided: bool = False,
) -> None:
    values: dict[str, Any] = {"status": status, "closed_at": now}
    if note is not None:
        values["note"] = note
    if decided:
        values.update(decided_at=now, decided_by=actor.id)
    await uow.equipment.update_request(request.id, **values)
    after = await _get(uow, request.id)
    await uow.audit.record(_actor(actor), f"equipment.{status.value}", AUDIT_SUBJECT, request.id, request.snapshot(), after.snapshot())


# -- fulfilment -----------------------------------------------------------------------------------
def _logistics_scope(actor: Staff) -> int | None:
    """Logistics handles its own entity; an admin every entity."""
    if actor.has(Role.ADMIN):
        return None
    if actor.has(Role.LOGISTICS):
        return actor.entity_id
    raise Forbidden()


async def to_fulfil(uow: UnitOfWork, actor: Staff) -> list[EquipmentRequest]:
    return await uow.equipment.list_to_fulfil(_logistics_scope(actor))


async def request_for_logistics(uow: UnitOfWork, actor: Staff, request_id: int) -> EquipmentRequest:
    scope = _logistics_scope(actor)
    request = await _get(uow, request_id)
    if scope is not None and request.entity_id != scope:
        raise Forbidden("equipment.not_your_entity")
    return request


async def fulfil(
    uow: UnitOfWork, actor: Staff, request_id: int, step: str, note: str | None, now: datetime, today: date
) -> EquipmentRequest:
    """Ordered, delivered or cancelled, with a note; delivery spends the committed budget and a
    cancellation releases it. The caller commits and then tells the staff member."""
    scope = _logistics_scope(actor)
    try:
        fulfilment = FulfilmentStep(step)
    except ValueError:
        raise InvalidInput("equipment.step_unknown") from None
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise InvalidInput("equipment.note_too_long", limit=MAX_NOTE)
    request = await _get(uow, request_id, for_update=True)
    if scope is not None and request.entity_id != scope:
        raise Forbidden("equipment.not_your_entity")
    if fulfilment not in rules.FULFILMENT_TRANSITIONS.get(request.status, frozenset()):
        raise Conflict("equipment.step_not_possible")
    if fulfilment == FulfilmentStep.CANCELLED and not note:
        raise InvalidInput("equipment.cancel_needs_note")
    values: dict[str, Any] = {"handled_by": actor.id}
    if note is not None:
        values["note"] = note
    if fulfilment == FulfilmentStep.ORDERED:
        values.update(status=RequestStatus.ORDERED, ordered_at=now)
    elif fulfilment == FulfilmentStep.DELIVERED:
        values.update(status=RequestStatus.DELIVERED, delivered_on=today, closed_at=now)
    else:
        values.update(status=RequestStatus.CANCELLED, closed_at=now)
    await uow.equipment.update_request(request_id, **values)
    after = await _get(uow, request_id)
    await uow.audit.record(_actor(actor), f"equipment.{after.status.value}", AUDIT_SUBJECT, request_id, request.snapshot(), after.snapshot())
    return after


async def notify_requester(services: Services, request: EquipmentRequest) -> None:
    """After the commit: tell the staff member where their request stands, in their language."""
    from dialogs.cards.equipment import status_message

    async with services.uow() as uow:
        staff = await uow.staff.get(request.staff_id)
    if staff is None:
        return
    result = await services.proactive.notify(staff.aad_object_id, lambda t: status_message(t, request), staff.language)
    if result.status != "sent":
        log.info("equipment request %s: staff %s not told (%s)", request.id, staff.id, result.reason)


# -- loading catalogues and budgets ---------------------------------------------------------------
class FileRefused(Exception):
    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"line {p.line}: {p.reason}" for p in self.problems))


@dataclass(frozen=True)
class LoadResult:
    categories: int
    created: int
    updated: int
    unchanged: int
    deactivated: list[str]
    budgets: int


class _LineLoader(yaml.SafeLoader):
    """Keeps each mapping's line number, so problems can point at the line."""


def _mapping_with_line(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)

Rows = list[tuple[int, Mapping[str, Any]]]


def _yaml_rows(text: str) -> tuple[Rows, Rows, Rows, Any]:
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise FileRefused([FileProblem(mark.line + 1 if mark else 1, f"not valid YAML: {getattr(error, 'problem', error)}")]) from None
    if isinstance(data, list):
        data = {"budgets": data, "__line__": 1}
    if not isinstance(data, dict):
        raise FileRefused([FileProblem(1, "expected a mapping with categories, items and/or budgets")])
    sections = []
    problems = []
    for name in ("categories", "items", "budgets"):
        entries = data.get(name) or []
        if not isinstance(entries, list):
            problems.append(FileProblem(int(data.get("__line__", 1)), f"{name} must be a list"))
            entries = []
        rows: Rows = []
        for entry in entries:
            if not isinstance(entry, dict):
                problems.append(FileProblem(int(data.get("__line__", 1)), f"an entry of {name} is not a mapping"))
                continue
            rows.append((int(entry.get("__line__", 1)), {k: v for k, v in entry.items() if k != "__line__"}))
        sections.append(rows)
    unknown = sorted(str(k) for k in data if k not in ("categories", "items", "budgets", "entity", "__line__"))
    if unknown:
        problems.append(FileProblem(1, f"unknown section(s): {', '.join(unknown)}"))
    if problems:
        raise FileRefused(problems)
    return sections[0], sections[1], sections[2], data.get("entity")


def read_catalogue_file(path: Path) -> tuple[Rows, Rows, Rows, str | None]:
    """(categories, items, budgets, entity named in the file). CSV/XLSX rows are items; they may
    carry category_name_nl / category_name_en to define their category."""
    if path.suffix.lower() in (".yaml", ".yml"):
        if not path.exists():
            raise FileRefused([FileProblem(1, f"{path} does not exist")])
        categories, items, budgets, entity = _yaml_rows(path.read_text(encoding="utf-8"))
        return categories, items, budgets, str(entity).upper() if entity else None
    try:
        _header, rows = read_table(path)
    except UnreadableFile as error:
        raise FileRefused([FileProblem(1, str(error))]) from None
    categories: Rows = []
    seen = set()
    for line, row in rows:
        code = (row.get("category") or "").strip().lower()
        if code and code not in seen and (row.get("category_name_nl") or row.get("category_name_en")):
            seen.add(code)
            categories.append((line, {"code": code, "name_nl": row.get("category_name_nl"), "name_en": row.get("category_name_en")}))
    items = [(line, row) for line, row in rows if any((v or "").strip() for v in row.values())]
    return categories, items, [], None


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


async def load_catalogue(uow_factory: UnitOfWorkFactory, path: Path, entity_code: str, *, actor: str) -> LoadResult:
    """Upsert the entity's categories and items (and budgets, when the file has them) in one
    transaction. Items missing from the file are deactivated. Any bad line refuses the whole file."""
    categories, items, budgets, file_entity = read_catalogue_file(path)
    entity_code = entity_code.strip().upper()
    if file_entity and file_entity != entity_code:
        raise FileRefused([FileProblem(1, f"the file is for entity {file_entity}, not {entity_code}")])
    async with uow_factory() as uow:
        entity = await uow.entities.get_by_code(entity_code)
        if entity is None:
            raise FileRefused([FileProblem(1, f"unknown entity {entity_code}")])
        known = [c.code for c in await uow.equipment.list_categories(entity.id)]
        parsed, problems = rules.parse_catalogue(categories, items, budgets, known_categories=known)
        if problems:
            raise FileRefused(problems)
        if not parsed.items and not parsed.budgets:
            raise FileRefused([FileProblem(1, "the file has no items")])
        by_code: dict[str, Category] = {c.code: c for c in await uow.equipment.list_categories(entity.id)}
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


def read_budget_file(path: Path) -> Rows:
    """Files are read once by the command line, outside any turn."""
    if path.suffix.lower() in (".yaml", ".yml"):
        if not path.exists():
            raise FileRefused([FileProblem(1, f"{path} does not exist")])
        return _yaml_rows(path.read_text(encoding="utf-8"))[2]
    try:
        return list(read_table(path)[1])
    except UnreadableFile as error:
        raise FileRefused([FileProblem(1, str(error))]) from None


async def load_budgets(uow_factory: UnitOfWorkFactory, path: Path, *, actor: str) -> int:
    """Budgets per entity, category and year from CSV/XLSX (columns entity, category, year, amount,
    kind) or YAML (a list, or a `budgets:` section). All or nothing."""
    rows = read_budget_file(path)
    parsed, problems = rules.parse_catalogue([], [], rows, budget_entity_required=True)
    if problems:
        raise FileRefused(problems)
    if not parsed.budgets:
        raise FileRefused([FileProblem(1, "the file has no budgets")])
    async with uow_factory() as uow:
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
            await _store_budget(uow, entity_id, category_id, line, actor)
        await uow.commit()
    return len(targets)


def parse_quantities(values: Iterable[tuple[str, Any]], prefix: str) -> dict[int, int]:
    """Card inputs named `<prefix><item id>` -> {item id: quantity}; anything else is bad input."""
    quantities: dict[int, int] = {}
    for key, value in values:
        if not key.startswith(prefix):
            continue
        raw_id = key[len(prefix):]
        text = str(value).strip() if value is not None else ""
        if not raw_id.isdigit() or len(raw_id) > 9:
            raise InvalidInput("equipment.bad_quantity")
        if not _QUANTITY.match(text):
            raise InvalidInput("equipment.bad_quantity")
        quantity = int(text.split(".")[0] or 0)
        if quantity > rules.MAX_QUANTITY:
            raise InvalidInput("equipment.bad_quantity")
        if quantity:
            quantities[int(raw_id)] = quantity
    if len(quantities) > MAX_LINES:
        raise InvalidInput("equipment.too_many_lines", limit=MAX_LINES)
    return quantities


# -- demo data ------------------------------------------------------------------------------------
DEMO_CATALOGUES = {
    "DWSE": Path(__file__).resolve().parent.parent / "demo" / "equipment_dwse.yaml",
    "DV": Path(__file__).resolve().parent.parent / "demo" / "equipment_dv.yaml",
}


async def _demo_request(
    uow: UnitOfWork, email: str, codes: Sequence[str], status: RequestStatus, requested_on: date, *,
    delivered_on: date | None = None, note: str | None = None,
) -> None:
    staff = await uow.staff.get_by_email(email)
    if staff is None:
        return
    items = {item.code: item for item in await uow.equipment.list_items(staff.entity_id)}
    lines = [
        RequestLine(items[c].id, c, items[c].names, items[c].category_id, 1, items[c].unit_price) for c in codes if c in items
    ]
    if not lines:
        return
    moment = datetime.combine(requested_on, datetime.min.time()).astimezone()
    request_id = await uow.equipment.add_request(
        staff_id=staff.id, entity_id=staff.entity_id, status=status, lines=lines, justification=None,
        delivery=Delivery.HOME, reasonable_adjustment=False, requested_on=requested_on, created_at=moment,
    )
    request = await _get(uow, request_id)
    values: dict[str, Any] = {"decided_at": moment, "decided_by": staff.manager_id, "note": note}
    if status in rules.BUDGET_STATUSES:
        positions = await budget_positions(uow, request, lock=False)
        await uow.equipment.charge_lines(request_id, {p.category_id: p.budget_id for p in positions})
    if status == RequestStatus.ORDERED:
        values["ordered_at"] = moment
    if status in (RequestStatus.DELIVERED, RequestStatus.REJECTED, RequestStatus.CANCELLED):
        values["closed_at"] = moment
        values["delivered_on"] = delivered_on
    await uow.equipment.update_request(request_id, **values)
    await uow.audit.record("demo", f"equipment.{status.value}", AUDIT_SUBJECT, request_id, None, request.snapshot())


async def load_demo(uow_factory: UnitOfWorkFactory, today: date) -> None:
    """DWSE's and DV's catalogues and budgets, and a few requests in every state."""
    for code, path in DEMO_CATALOGUES.items():
        async with uow_factory() as uow:
            if await uow.entities.get_by_code(code) is None:
                continue
        await load_catalogue(uow_factory, path, code, actor="demo")
    year = today.year
    async with uow_factory() as uow:
        history = [
            ("adelev@example.com", ["ergonomic_chair"], RequestStatus.DELIVERED, date(year - 2, 9, 20)),
            ("adelev@example.com", ["monitor"], RequestStatus.DELIVERED, date(year - 1, 2, 10)),
            ("tom.willems@vlaanderen.be", ["monitor", "headset"], RequestStatus.DELIVERED, date(year - 1, 10, 3)),
            ("lotte.claes@vlaanderen.be", ["laptop_charger"], RequestStatus.DELIVERED, date(year - 1, 5, 15)),
            ("fien.aerts@vlaanderen.be", ["headset"], RequestStatus.DELIVERED, date(year - 1, 6, 2)),
        ]
        for email, codes, status, delivered in history:
            await _demo_request(uow, email, codes, status, delivered - timedelta(days=14), delivered_on=delivered)
        recent = today - timedelta(days=30)
        await _demo_request(uow, "wout.goossens@vlaanderen.be", ["wired_mouse", "laptop_holder"], RequestStatus.DELIVERED, recent - timedelta(days=7), delivered_on=recent)
        await _demo_request(uow, "jan.janssens@vlaanderen.be", ["headset"], RequestStatus.APPROVED, today - timedelta(days=10))
        await _demo_request(uow, "marie.maes@vlaanderen.be", ["monitor"], RequestStatus.ORDERED, today - timedelta(days=20), note="Levering verwacht binnen twee weken")
        await _demo_request(uow, "pieter.jacobs@vlaanderen.be", ["usb_hub"], RequestStatus.REJECTED, today - timedelta(days=15), note="Er liggen nog USB-hubs op kantoor")
        await _demo_request(uow, "lars.michiels@vlaanderen.be", ["monitor"], RequestStatus.APPROVED, today - timedelta(days=5))
        await uow.commit()
    async with uow_factory() as uow:
        alex = await uow.staff.get_by_email("alexw@example.com")
        if alex is not None:
            items = {item.code: item for item in await uow.equipment.list_items(alex.entity_id)}
            wanted = [items[code] for code in ("headset", "keyboard") if code in items]
            now = datetime.combine(today, datetime.min.time()).astimezone()
            try:
                await submit_request(
                    uow, alex,
                    SubmitRequest(
                        quantities={item.id: 1 for item in wanted}, prices_seen={item.id: str(item.unit_price) for item in wanted},
                        justification="Ik werk drie dagen per week thuis en bel veel met klanten.", delivery="home",
                    ),
                    now, today,
                )
            except DomainError as error:
                log.warning("demo equipment request not created: %s", error.key)
                return
            await uow.commit()
