"""Equipment on SQLite and PostgreSQL: catalogue loading, requests, the budget at approval (also
under concurrent approvals on PostgreSQL), fulfilment and the report figures."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli.equipment_files import load_budget_file, load_catalogue_file
from bot.demo.equipment import load_demo
from bot.domain.approvals import Verdict
from bot.domain.equipment import Delivery, FulfilmentStep, NotEligible, RequestStatus
from bot.domain.equipment_catalogue import FileRefused
from bot.domain.errors import Conflict, DomainError, Forbidden
from bot.domain.policy import EntityPolicy
from bot.domain.policy_sections import EquipmentPolicy
from bot.i18n import Translator
from bot.services import approvals
from bot.services import equipment as service
from bot.services.approvals import NeedsConfirmation
from storage.models.equipment import EquipmentItemRow
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW
from tests.fakes import people

DWSE_YAML = Path(service.__file__).resolve().parent.parent / "demo" / "equipment_dwse.yaml"
TODAY = DEFAULT_NOW.date()


async def load_catalogue(uow_factory: UnitOfWorkFactory, path: Path, entity: str):  # noqa: ANN201
    return await load_catalogue_file(uow_factory, path, entity, actor="test", now=DEFAULT_NOW)


async def load_dwse(uow_factory: UnitOfWorkFactory) -> None:
    await load_catalogue(uow_factory, DWSE_YAML, "DWSE")


async def staff_of(uow_factory: UnitOfWorkFactory, user: people.TeamsUser):  # noqa: ANN201
    async with uow_factory() as uow:
        found = await uow.staff.get_by_aad(user.aad_object_id)
    assert found is not None
    return found


async def items(uow_factory: UnitOfWorkFactory, entity_id: int) -> dict:
    async with uow_factory() as uow:
        return {item.code: item for item in await uow.equipment.list_items(entity_id)}


async def submit(uow_factory: UnitOfWorkFactory, user: people.TeamsUser, codes: dict[str, int], **kw) -> service.Submitted:  # noqa: ANN003
    who = await staff_of(uow_factory, user)
    catalogue = await items(uow_factory, who.entity_id)
    command = service.SubmitRequest(
        actor=who, quantities={catalogue[c].id: q for c, q in codes.items()},
        prices_seen={catalogue[c].id: catalogue[c].unit_price for c in codes},
        justification=kw.pop("justification", None), delivery=Delivery(kw.pop("delivery", "home")), **kw,
    )
    return await service.submit_request(uow_factory(), command, DEFAULT_NOW)


async def fulfil(uow_factory: UnitOfWorkFactory, actor, request_id: int, step: str, note: str | None = None):  # noqa: ANN001, ANN201
    command = service.FulfilRequest(actor, request_id, FulfilmentStep(step), note)
    return (await service.fulfil(uow_factory(), command, DEFAULT_NOW)).request


async def set_budget(uow_factory: UnitOfWorkFactory, category: str, amount: str, year: int = 2026) -> None:
    async with uow_factory() as uow:
        entity = await uow.entities.get_by_code("DWSE")
        categories = {c.code: c.id for c in await uow.equipment.list_categories(entity.id)}
        await uow.equipment.upsert_budget(entity.id, categories[category], year, Decimal(amount), False)
        await uow.commit()


async def approve(uow_factory: UnitOfWorkFactory, approval_id: int, actor, *, confirmed: bool = False) -> approvals.Decision:  # noqa: ANN001
    """The manager's approval, as the approval card's button runs it (its notices stay in the outbox)."""
    command = approvals.DecideApproval(actor, approval_id, Verdict.APPROVE, confirmed=confirmed)
    return await approvals.decide(uow_factory(), command, DEFAULT_NOW)


async def approver_of(uow_factory: UnitOfWorkFactory, approval_id: int):  # noqa: ANN201
    async with uow_factory() as uow:
        approval = await uow.approvals.get(approval_id)
        return await uow.staff.get(approval.approver_id)


# -- catalogue files ---------------------------------------------------------------------------
async def test_load_catalogue_is_idempotent_and_updates(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    await load_dwse(directory)
    again = await load_catalogue(directory, DWSE_YAML, "DWSE")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 9)
    dwse = await staff_of(directory, people.STAFF)
    catalogue = await items(directory, dwse.entity_id)
    assert catalogue["ergonomic_chair"].min_months_in_service == 6
    assert catalogue["monitor"].available_from == date(2023, 1, 1)
    assert catalogue["smartphone"].allowed_roles and catalogue["smartphone"].needs_justification
    assert catalogue["wired_mouse"].unit_price == Decimal("14.50") and not catalogue["wired_mouse"].needs_approval
    async with directory() as uow:
        budgets = await uow.equipment.list_budgets(dwse.entity_id)
    assert {(b.category_code, b.year, b.amount, b.one_off) for b in budgets} >= {
        ("small_office", 2026, Decimal("64000.00"), False), ("monitors", 2023, Decimal("30000.00"), True),
    }
    smaller = tmp_path / "smaller.csv"
    smaller.write_text(
        "code,name_nl,name_en,category,unit_price,once_per_years\nheadset,Headset,Headset,small_office,95.50,3\n", encoding="utf-8"
    )
    result = await load_catalogue(directory, smaller, "DWSE")
    assert result.updated == 1 and len(result.deactivated) == 8
    catalogue = await items(directory, dwse.entity_id)
    assert list(catalogue) == ["headset"] and catalogue["headset"].unit_price == Decimal("95.50")


async def test_bad_catalogue_file_is_refused_with_line_numbers_and_nothing_changes(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    await load_dwse(directory)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "categories:\n  - code: chairs\n    name_nl: Stoelen\n    name_en: Chairs\n"
        "items:\n"
        "  - code: chair\n    name_nl: Stoel\n    name_en: Chair\n    category: chairs\n    unit_price: 10\n"
        "  - code: phone\n    name_nl: Gsm\n    name_en: Phone\n    category: phones\n    unit_price: cheap\n",
        encoding="utf-8",
    )
    with pytest.raises(FileRefused) as refused:
        await load_catalogue(directory, bad, "DWSE")
    assert [(p.line, p.reason) for p in refused.value.problems] == [(11, "unknown category 'phones'; unit_price 'cheap' is not an amount")]
    broken = tmp_path / "broken.yaml"
    broken.write_text("items:\n  - code: a\n   name_nl: [\n", encoding="utf-8")
    with pytest.raises(FileRefused) as refused:
        await load_catalogue(directory, broken, "DWSE")
    assert refused.value.problems[0].line == 3
    async with directory() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(EquipmentItemRow).where(EquipmentItemRow.active)) == 13 - 4
    with pytest.raises(FileRefused):
        await load_catalogue(directory, DWSE_YAML, "DV")  # the file names DWSE


async def test_budgets_file_needs_known_entities_and_categories(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    await load_dwse(directory)
    good = tmp_path / "budgets.csv"
    good.write_text("entity,category,year,amount,kind\nDWSE,chairs,2027,15000,one_off\nDWSE,small_office,2027,64000,annual\n", encoding="utf-8")
    assert await load_budget_file(directory, good, actor="test", now=DEFAULT_NOW) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("entity,category,year,amount,kind\nDWSE,chairs,2028,1,annual\nNOPE,chairs,2028,1,annual\nDV,chairs,2028,1,annual\n", encoding="utf-8")
    with pytest.raises(FileRefused) as refused:
        await load_budget_file(directory, bad, actor="test", now=DEFAULT_NOW)
    assert [p.line for p in refused.value.problems] == [3, 4]
    async with directory() as uow:
        entity = await uow.entities.get_by_code("DWSE")
        years = {b.year for b in await uow.equipment.list_budgets(entity.id)}
    assert 2027 in years and 2028 not in years


# -- requesting --------------------------------------------------------------------------------
async def test_request_is_stored_with_catalogue_prices_and_sent_for_approval(directory: UnitOfWorkFactory) -> None:
    await load_dwse(directory)
    submitted = await submit(directory, people.STAFF, {"headset": 1, "keyboard": 1}, justification="Veel telefoons")
    assert submitted.approval_id is not None
    request = submitted.request
    assert request.status == RequestStatus.PENDING and request.total == Decimal("128.00")
    manager = await staff_of(directory, people.MANAGER)
    assert (await approver_of(directory, submitted.approval_id)).id == manager.id
    async with directory() as uow:
        actions = [a.action for a in await uow.audit.list_for_subject("equipment_request", request.id)]
    assert actions == ["equipment.requested"]
    with pytest.raises(NotEligible) as refused:
        await submit(directory, people.STAFF, {"headset": 1})
    assert [r.key for r in refused.value.refusals] == ["equipment.refused.open_request"]


async def test_items_that_need_no_decision_are_approved_at_once(directory: UnitOfWorkFactory) -> None:
    await load_dwse(directory)
    submitted = await submit(directory, people.STAFF, {"wired_mouse": 1})
    assert submitted.approval_id is None and submitted.request.status == RequestStatus.APPROVED
    assert submitted.request.lines[0].budget_id is not None


async def test_forged_prices_and_items_are_refused_before_anything_is_stored(directory: UnitOfWorkFactory) -> None:
    await load_dwse(directory)
    await load_catalogue(directory, DWSE_YAML.with_name("equipment_dv.yaml"), "DV")
    me = await staff_of(directory, people.STAFF)
    other = await staff_of(directory, people.OTHER_STAFF)
    mine = await items(directory, me.entity_id)
    theirs = await items(directory, other.entity_id)
    chair = mine["ergonomic_chair"]
    forged = [
        service.SubmitRequest(me, {chair.id: 1}, {chair.id: Decimal("1.00")}),
        service.SubmitRequest(me, {chair.id: 1}, {}),
        service.SubmitRequest(me, {theirs["monitor"].id: 1}, {theirs["monitor"].id: theirs["monitor"].unit_price}),
        service.SubmitRequest(me, {999999: 1}, {999999: Decimal("1")}),
    ]
    for command in forged:
        with pytest.raises(Conflict):
            await service.submit_request(directory(), command, DEFAULT_NOW)
    async with directory() as uow:
        assert await uow.equipment.list_for_staff(me.id) == []


async def test_cancel_only_own_pending_request(directory: UnitOfWorkFactory) -> None:
    await load_dwse(directory)
    submitted = await submit(directory, people.STAFF, {"headset": 1})
    colleague = await staff_of(directory, people.COLLEAGUE)
    with pytest.raises(Forbidden):
        await service.cancel_request(directory(), service.CancelRequest(colleague, submitted.request.id), DEFAULT_NOW)
    me = await staff_of(directory, people.STAFF)
    cancelled = await service.cancel_request(directory(), service.CancelRequest(me, submitted.request.id), DEFAULT_NOW)
    assert cancelled.status == RequestStatus.CANCELLED
    async with directory() as uow:
        assert await approvals.pending_for_subject(uow, "equipment_request", submitted.request.id) is None
    with pytest.raises(Conflict):
        await service.cancel_request(directory(), service.CancelRequest(me, submitted.request.id), DEFAULT_NOW)
    assert (await submit(directory, people.STAFF, {"headset": 1})).approval_id is not None  # no longer open


# -- budget at approval ------------------------------------------------------------------------
async def test_blocking_policy_refuses_an_approval_above_the_remaining_budget(directory: UnitOfWorkFactory, database_url: str) -> None:
    await load_dwse(directory)
    await set_budget(directory, "small_office", "100.00")
    first = await submit(directory, people.STAFF, {"headset": 1})
    second = await submit(directory, people.HR, {"headset": 1})
    decided = await approve(directory, first.approval_id, await approver_of(directory, first.approval_id))
    assert decided.changed
    with pytest.raises(DomainError) as blocked:
        await approve(directory, second.approval_id, await approver_of(directory, second.approval_id))
    assert blocked.value.key == "equipment.over_budget_blocked" and blocked.value.params["remaining"] == "11.00"
    # The refusal names the category in the reader's language.
    category = blocked.value.params["category"]
    assert category.nl in Translator("nl")(blocked.value.key, **blocked.value.params)
    assert category.en in Translator("en")(blocked.value.key, **blocked.value.params)
    async with directory() as uow:
        assert (await uow.equipment.get_request(second.request.id)).status == RequestStatus.PENDING
        assert await approvals.pending_for_subject(uow, "equipment_request", second.request.id) == second.approval_id


async def test_confirm_policy_asks_before_going_over_budget(directory: UnitOfWorkFactory, database_url: str) -> None:
    await load_dwse(directory)
    await set_budget(directory, "small_office", "50.00")
    async with directory() as uow:
        entity = await uow.entities.get_by_code("DWSE")
        await uow.entities.set_policy(entity.id, EntityPolicy(equipment=EquipmentPolicy(over_budget="confirm")))
        await uow.commit()
    submitted = await submit(directory, people.STAFF, {"headset": 1})
    manager = await approver_of(directory, submitted.approval_id)
    with pytest.raises(NeedsConfirmation) as asked:
        await approve(directory, submitted.approval_id, manager)
    assert asked.value.params["remaining"] == "50.00" and asked.value.params["cost"] == "89.00"
    await approve(directory, submitted.approval_id, manager, confirmed=True)
    async with directory() as uow:
        request = await uow.equipment.get_request(submitted.request.id)
        used = await uow.equipment.used_by_budget([request.lines[0].budget_id])
    assert request.status == RequestStatus.APPROVED and used[request.lines[0].budget_id] == Decimal("89.00")


async def test_concurrent_approvals_never_exceed_a_blocking_budget(pg_directory: UnitOfWorkFactory, pg_database_url: str) -> None:
    """Six managers approve six chairs (389 each) at the same moment against 1,000: two fit."""
    uow_factory = pg_directory
    await load_dwse(uow_factory)
    async with uow_factory() as uow:
        entity = await uow.entities.get_by_code("DWSE")
        chairs = next(c for c in await uow.equipment.list_categories(entity.id) if c.code == "chairs")
        await uow.equipment.upsert_budget(entity.id, chairs.id, 2026, Decimal("1000.00"), False)
        await uow.commit()
    requesters = [people.STAFF, people.MANAGER, people.HR, people.ADMIN, people.LOGISTICS, people.DIRECTOR]
    submitted = [await submit(uow_factory, user, {"ergonomic_chair": 1}) for user in requesters]
    deciders = [await approver_of(uow_factory, s.approval_id) for s in submitted]

    async def approve_one(approval_id: int, actor) -> str:  # noqa: ANN001
        try:
            await approve(uow_factory, approval_id, actor)
        except DomainError as error:
            return error.key
        return "approved"

    outcomes = await asyncio.gather(*(approve_one(s.approval_id, d) for s, d in zip(submitted, deciders, strict=True)))
    assert sorted(outcomes) == ["approved"] * 2 + ["equipment.over_budget_blocked"] * 4
    async with uow_factory() as uow:
        budget = next(b for b in await uow.equipment.list_budgets(entity.id) if b.category_id == chairs.id and b.year == 2026)
        used = (await uow.equipment.used_by_budget([budget.id]))[budget.id]
        statuses = [(await uow.equipment.get_request(s.request.id)).status for s in submitted]
    assert used == Decimal("778.00") <= budget.amount
    assert statuses.count(RequestStatus.APPROVED) == 2 and statuses.count(RequestStatus.PENDING) == 4


# -- fulfilment and figures --------------------------------------------------------------------
async def test_fulfilment_moves_the_budget_from_committed_to_spent_and_feeds_the_figures(directory: UnitOfWorkFactory, database_url: str) -> None:
    await load_dwse(directory)
    submitted = await submit(directory, people.STAFF, {"headset": 1, "keyboard": 1})
    logistics = await staff_of(directory, people.LOGISTICS)
    with pytest.raises(Conflict):  # still waiting for the manager
        await fulfil(directory, logistics, submitted.request.id, "ordered")
    await approve(directory, submitted.approval_id, await approver_of(directory, submitted.approval_id))
    not_logistics = await staff_of(directory, people.OTHER_STAFF)
    queue = await service.delivery_queue(directory(), service.DeliveryQueue(logistics), DEFAULT_NOW)
    assert [item.request.id for item in queue] == [submitted.request.id]
    with pytest.raises(Forbidden):
        await fulfil(directory, not_logistics, submitted.request.id, "ordered")
    async with directory() as uow:
        spend = await uow.equipment.spend_against_budget(None, 2026, 2026)
    small = next(s for s in spend if s.category_code == "small_office" and s.entity_code == "DWSE")
    assert (small.committed, small.spent, small.budget) == (Decimal("128.00"), Decimal("0"), Decimal("64000.00"))
    ordered = await fulfil(directory, logistics, submitted.request.id, "ordered", "Bestelling 42")
    assert ordered.status == RequestStatus.ORDERED and ordered.note == "Bestelling 42"
    with pytest.raises(Conflict):
        await fulfil(directory, logistics, submitted.request.id, "ordered")
    delivered = await fulfil(directory, logistics, submitted.request.id, "delivered")
    assert delivered.status == RequestStatus.DELIVERED and delivered.delivered_on == TODAY
    async with directory() as uow:
        spend = await uow.equipment.spend_against_budget(None, 2026, 2026)
        per_item = await uow.equipment.delivered_per_item_per_year(None, 2024, 2026)
        served = await uow.equipment.staff_served_per_year(None, 2024, 2026)
        dv = await uow.equipment.staff_served_per_year((await uow.entities.get_by_code("DV")).id, 2024, 2026)
    small = next(s for s in spend if s.category_code == "small_office" and s.entity_code == "DWSE")
    assert (small.committed, small.spent, small.items_delivered) == (Decimal("0"), Decimal("128.00"), 2)
    assert small.remaining == Decimal("63872.00")
    assert [(r.entity_code, r.year, r.item_code, r.quantity, r.staff_count) for r in per_item] == [
        ("DWSE", 2026, "headset", 1, 1), ("DWSE", 2026, "keyboard", 1, 1),
    ]
    assert [(r.entity_code, r.year, r.staff_count) for r in served] == [("DWSE", 2026, 1)] and dv == []
    # Received within its period: the next request for a headset is refused until 2029.
    with pytest.raises(NotEligible) as refused:
        await submit(directory, people.STAFF, {"headset": 1})
    assert refused.value.refusals[0].key == "equipment.refused.received"
    assert refused.value.refusals[0].on == TODAY.replace(year=2029)


async def test_cancellation_by_logistics_releases_the_budget(directory: UnitOfWorkFactory) -> None:
    await load_dwse(directory)
    submitted = await submit(directory, people.STAFF, {"wired_mouse": 1})
    logistics = await staff_of(directory, people.LOGISTICS)
    with pytest.raises(DomainError) as needs_note:
        await fulfil(directory, logistics, submitted.request.id, "cancelled", "  ")
    assert needs_note.value.key == "equipment.cancel_needs_note"
    await fulfil(directory, logistics, submitted.request.id, "cancelled", "Niet meer leverbaar")
    async with directory() as uow:
        budget_id = (await uow.equipment.get_request(submitted.request.id)).lines[0].budget_id
        assert (await uow.equipment.used_by_budget([budget_id]))[budget_id] == Decimal("0")


async def test_demo_loader_fills_both_entities_with_requests_in_every_state(directory: UnitOfWorkFactory) -> None:
    await load_demo(directory, TODAY)
    async with directory() as uow:
        dv = await uow.entities.get_by_code("DV")
        assert len(await uow.equipment.list_items(dv.id)) == 4
        figures = await uow.equipment.spend_against_budget(None, 2024, 2026)
    assert {f.entity_code for f in figures} == {"DWSE", "DV"}
