"""Equipment use cases on the in-memory unit of work: what is stored at which price, who is asked
or told, what logistics may do, catalogue and budget files, and refusals that write nothing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.approvals import ApprovalStatus
from bot.domain.equipment import (
    FulfilmentRecorded,
    FulfilmentStep,
    Names,
    NotEligible,
    RequestedItem,
    RequestStatus,
)
from bot.domain.equipment_catalogue import CatalogueRows, FileRefused
from bot.domain.errors import Conflict, DomainError, Forbidden, InvalidInput
from bot.domain.staff import Role, Staff
from bot.services import equipment as service
from bot.services import equipment_catalogue as catalogue
from bot.services import equipment_demo as demo
from bot.wiring import build_registry
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
TODAY = NOW.date()

CATEGORIES = [
    (3, {"code": "small_office", "name_nl": "Klein bureaumateriaal", "name_en": "Small office equipment"}),
    (6, {"code": "chairs", "name_nl": "Stoelen", "name_en": "Chairs"}),
]
ITEMS = [
    (10, {"code": "headset", "name_nl": "Headset", "name_en": "Headset", "category": "small_office", "unit_price": "89.00",
          "once_per_years": 3, "max_quantity": 2}),
    (18, {"code": "mouse", "name_nl": "Muis", "name_en": "Mouse", "category": "small_office", "unit_price": "14.50",
          "needs_approval": False}),
    (25, {"code": "chair", "name_nl": "Bureaustoel", "name_en": "Office chair", "category": "chairs", "unit_price": "389.00",
          "min_months_in_service": 6}),
    (32, {"code": "phone", "name_nl": "Gsm", "name_en": "Phone", "category": "small_office", "unit_price": "300.00",
          "needs_justification": True, "roles": "manager"}),
    (40, {"code": "docking", "name_nl": "Dockingstation", "name_en": "Docking station", "category": "small_office",
          "unit_price": "150.00", "available_from": "2027-01-01"}),
]
# The subjects as the app registers them (equipment requests wait for the manager through them).
APPROVAL_SUBJECTS = dict(build_registry().approval_subjects)
BUDGETS = [
    (50, {"category": "small_office", "year": 2026, "amount": "1000"}),
    (53, {"category": "chairs", "year": 2026, "amount": "400"}),
]


def uow(db: FakeDatabase) -> FakeUnitOfWork:
    return FakeUnitOfWork(db, approval_subjects=APPROVAL_SUBJECTS)


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def people(db: FakeDatabase) -> dict[str, Staff]:
    dwse = db.add_entity("DWSE", "Departement Werk en Sociale Economie")
    dv = db.add_entity("DV", "Departement Omgeving")
    mia = db.add_staff("Mia Manager", entity=dwse, roles=(Role.MANAGER,))
    return {
        "mia": mia,
        "stan": db.add_staff("Stan Staff", entity=dwse, manager=mia),
        "nina": db.add_staff("Nina Newcomer", entity=dwse, manager=mia, start_date=date(2026, 9, 1)),
        "lena": db.add_staff("Lena Logistics", entity=dwse, manager=mia, roles=(Role.LOGISTICS,)),
        "ada": db.add_staff("Ada Admin", entity=dwse, roles=(Role.ADMIN,)),
        "olga": db.add_staff("Olga Other", entity=dv),
        "lars": db.add_staff("Lars Logistics", entity=dv, roles=(Role.LOGISTICS,)),
    }


@pytest.fixture
async def items(db: FakeDatabase, people: dict[str, Staff]) -> dict[str, Any]:
    """DWSE's catalogue and budgets, loaded through the use case; DV has a headset of its own."""
    await catalogue.load_catalogue(uow(db), catalogue.LoadCatalogue("DWSE", CatalogueRows(CATEGORIES, ITEMS, BUDGETS), "test"), NOW)
    await catalogue.load_catalogue(uow(db), catalogue.LoadCatalogue("DV", CatalogueRows(CATEGORIES[:1], ITEMS[:1]), "test"), NOW)
    found = {}
    for entity in (people["stan"], people["olga"]):
        for item in await FakeUnitOfWork(db).equipment.list_items(entity.entity_id, active_only=False):
            found[item.code if entity is people["stan"] else f"dv_{item.code}"] = item
    return found


def order(staff: Staff, items: dict[str, Any], wanted: dict[str, int], **kw: Any) -> service.SubmitRequest:
    """What the form sends: quantities and the prices the card showed (the catalogue's)."""
    chosen = {items[code].id: quantity for code, quantity in wanted.items()}
    prices = {items[code].id: items[code].unit_price for code in wanted}
    return service.SubmitRequest(staff, chosen, kw.pop("prices", prices), **kw)


async def submit(db: FakeDatabase, staff: Staff, items: dict[str, Any], wanted: dict[str, int], **kw: Any) -> service.Submitted:
    return await service.submit_request(uow(db), order(staff, items, wanted, **kw), NOW)


def written(db: FakeDatabase) -> tuple[int, int, int, int]:
    return db.commits, len(db.table("equipment_requests")), len(db.audit()), len(db.outbox())


def budget_id(db: FakeDatabase, code: str) -> int:
    category_id = next(c.id for c in db.table("equipment_categories").values() if c.code == code and c.entity_id == 1)
    return next(b["id"] for b in db.table("equipment_budgets").values() if b["category_id"] == category_id)


async def used(db: FakeDatabase, code: str) -> Decimal:
    budget = budget_id(db, code)
    return (await FakeUnitOfWork(db).equipment.used_by_budget([budget]))[budget]


async def approved_request(db: FakeDatabase, people: dict[str, Staff], items: dict[str, Any], who: str = "stan") -> int:
    """A request logistics can fulfil (the mouse needs no decision)."""
    submitted = await submit(db, people[who], items, {"mouse": 1})
    assert submitted.request.status is RequestStatus.APPROVED
    return submitted.request.id


async def fulfil(db: FakeDatabase, actor: Staff, request_id: int, step: FulfilmentStep, note: str | None = None) -> service.DeliveryItem:
    return await service.fulfil(uow(db), service.FulfilRequest(actor, request_id, step, note), NOW)


# -- the form -------------------------------------------------------------------------------------
async def test_the_form_offers_what_is_on_offer_with_the_reasons_and_the_limits(db: FakeDatabase, people: dict, items: dict) -> None:
    offered = await service.offered_items(uow(db), service.EquipmentForm(people["nina"]), NOW)
    by_code = {o.item.code: o for o in offered}
    assert sorted(by_code) == ["chair", "headset", "mouse", "phone"]  # the docking station comes in 2027
    assert [(r.key, r.on) for r in by_code["chair"].refusals] == [("equipment.refused.too_early", date(2027, 3, 1))]
    assert [r.key for r in by_code["phone"].refusals] == ["equipment.refused.role"]  # the justification is asked on sending
    assert by_code["headset"].refusals == () and by_code["headset"].category == Names("Klein bureaumateriaal", "Small office equipment")
    assert (by_code["headset"].max_quantity, by_code["chair"].max_quantity) == (2, 1)
    adjusted = await service.offered_items(uow(db), service.EquipmentForm(people["nina"], reasonable_adjustment=True), NOW)
    assert {o.item.code: o.max_quantity for o in adjusted} == {"chair": 10, "headset": 10, "mouse": 10, "phone": 10}
    other = await service.offered_items(uow(db), service.EquipmentForm(people["olga"]), NOW)
    assert [o.item.id for o in other] == [items["dv_headset"].id]


# -- requesting -----------------------------------------------------------------------------------
async def test_a_request_is_stored_at_catalogue_prices_and_waits_for_the_manager(db: FakeDatabase, people: dict, items: dict) -> None:
    before = db.commits
    submitted = await submit(db, people["stan"], items, {"headset": 2, "chair": 1}, justification="  Veel bellen  ")
    request = submitted.request
    assert request.status is RequestStatus.PENDING and submitted.can_cancel
    assert [(line.item_code, line.quantity, line.unit_price) for line in request.lines] == [
        ("headset", 2, Decimal("89.00")), ("chair", 1, Decimal("389.00")),
    ]
    assert request.total == Decimal("567.00") and request.justification == "Veel bellen"
    approval = db.table("approvals")[submitted.approval_id]
    assert (approval.subject_id, approval.requester_id, approval.approver_id) == (request.id, people["stan"].id, people["mia"].id)
    assert [row["action"] for row in db.audit()][-2:] == ["equipment.requested", "approval.requested"]
    assert db.commits == before + 1
    assert all(line.budget_id is None for line in request.lines)  # nothing committed before the manager says yes


async def test_items_that_need_no_decision_are_approved_at_once_against_the_budget(db: FakeDatabase, people: dict, items: dict) -> None:
    submitted = await submit(db, people["stan"], items, {"mouse": 1})
    assert submitted.approval_id is None and submitted.request.status is RequestStatus.APPROVED and not submitted.can_cancel
    assert submitted.request.lines[0].budget_id == budget_id(db, "small_office")
    assert await used(db, "small_office") == Decimal("14.50")
    assert db.table("approvals") == {}
    committed = db.audit("equipment.budget_committed")[0]
    assert committed["actor"] == "system" and committed["after"]["remaining_before"] == "1000.00"


async def test_a_free_item_over_budget_goes_to_the_manager(db: FakeDatabase, people: dict, items: dict) -> None:
    db.table("equipment_budgets")[budget_id(db, "small_office")]["amount"] = Decimal("10.00")
    submitted = await submit(db, people["stan"], items, {"mouse": 1})
    assert submitted.approval_id is not None and submitted.request.status is RequestStatus.PENDING
    assert await used(db, "small_office") == Decimal("0")


async def test_a_reasonable_adjustment_goes_beyond_the_limits_to_the_manager(db: FakeDatabase, people: dict, items: dict) -> None:
    submitted = await submit(db, people["nina"], items, {"chair": 2, "mouse": 1}, justification="Rugklachten", reasonable_adjustment=True)
    assert submitted.approval_id is not None and submitted.request.reasonable_adjustment


@pytest.mark.parametrize(
    ("wanted", "changes", "error", "key"),
    [
        ({}, {}, InvalidInput, "equipment.nothing_chosen"),
        ({"chair": 1}, {"prices": {}}, service.PriceChanged, "equipment.price_changed"),
        ({"chair": 1}, {"prices": "forged"}, service.PriceChanged, "equipment.price_changed"),
        ({"dv_headset": 1}, {}, Conflict, "equipment.item_unknown"),
        ({"headset": 1}, {"justification": "x" * 1001}, InvalidInput, "equipment.justification_too_long"),
        ({"phone": 1, "docking": 1}, {}, NotEligible, "equipment.not_eligible"),
        ({"headset": 1}, {"unreadable_quantities": 1}, InvalidInput, "equipment.bad_quantity"),
    ],
)
async def test_a_refused_request_stores_nothing_but_the_audit(
    db: FakeDatabase, people: dict, items: dict, wanted: dict, changes: dict, error: type[DomainError], key: str
) -> None:
    if changes.get("prices") == "forged":
        changes = {"prices": {items["chair"].id: Decimal("1.00")}}
    before = written(db)
    with pytest.raises(error) as refused:
        await submit(db, people["stan"], items, wanted, **changes)
    assert refused.value.key == key
    commits, requests, audited, outbox = before
    assert written(db) == (commits + 1, requests, audited + 1, outbox) and db.table("approvals") == {}
    attempt = db.audit()[-1]
    assert (attempt["actor"], attempt["action"], attempt["subject_id"]) == (f"staff:{people['stan'].id}", "equipment.request_refused", str(people["stan"].id))
    assert attempt["after"]["quantities"] == {str(items[code].id): qty for code, qty in wanted.items()}


async def test_every_broken_rule_comes_back_at_once(db: FakeDatabase, people: dict, items: dict) -> None:
    await submit(db, people["nina"], items, {"headset": 1})
    with pytest.raises(NotEligible) as refused:
        await submit(db, people["nina"], items, {"headset": 1, "chair": 1, "phone": 1})
    assert [(r.key, r.item.en) for r in refused.value.refusals] == [
        ("equipment.refused.open_request", "Headset"),
        ("equipment.refused.too_early", "Office chair"),
        ("equipment.refused.justification", "Phone"),
        ("equipment.refused.role", "Phone"),
    ]


# -- cancelling and my requests ---------------------------------------------------------------
async def test_the_requester_cancels_a_pending_request_and_its_approval(db: FakeDatabase, people: dict, items: dict) -> None:
    submitted = await submit(db, people["stan"], items, {"headset": 1})
    cancelled = await service.cancel_request(uow(db), service.CancelRequest(people["stan"], submitted.request.id), NOW)
    assert cancelled.status is RequestStatus.CANCELLED and cancelled.closed_at == NOW
    assert db.table("approvals")[submitted.approval_id].status is ApprovalStatus.CANCELLED
    assert [row["action"] for row in db.audit()][-2:] == ["equipment.cancelled", "approval.cancelled"]
    again = await submit(db, people["stan"], items, {"headset": 1})  # no longer an open request
    assert again.approval_id is not None


async def test_only_the_requester_cancels_and_only_while_pending(db: FakeDatabase, people: dict, items: dict) -> None:
    submitted = await submit(db, people["stan"], items, {"headset": 1})
    before = written(db)
    with pytest.raises(Forbidden) as refused:
        await service.cancel_request(uow(db), service.CancelRequest(people["mia"], submitted.request.id), NOW)
    assert refused.value.key == "equipment.not_yours"
    assert written(db) == before and db.table("approvals")[submitted.approval_id].status is ApprovalStatus.PENDING
    approved = await approved_request(db, people, items)
    before = written(db)
    with pytest.raises(Conflict):
        await service.cancel_request(uow(db), service.CancelRequest(people["stan"], approved), NOW)
    assert written(db) == before


async def test_my_requests_are_newest_first_and_only_pending_ones_can_be_cancelled(db: FakeDatabase, people: dict, items: dict) -> None:
    pending = await submit(db, people["stan"], items, {"headset": 1})
    approved = await approved_request(db, people, items)
    mine = await service.my_requests(uow(db), service.MyRequests(people["stan"]), NOW)
    assert [(own.request.id, own.can_cancel) for own in mine] == [(approved, False), (pending.request.id, True)]
    assert await service.my_requests(uow(db), service.MyRequests(people["olga"]), NOW) == []


# -- logistics ------------------------------------------------------------------------------------
async def test_logistics_sees_its_own_entity_and_an_admin_every_entity(db: FakeDatabase, people: dict, items: dict) -> None:
    await submit(db, people["stan"], items, {"headset": 1})  # pending: not for logistics yet
    mine = await approved_request(db, people, items)
    dv = (await submit(db, people["olga"], items, {"dv_headset": 1})).request.id
    db.table("equipment_requests")[dv]["status"] = RequestStatus.APPROVED
    queue = await service.delivery_queue(uow(db), service.DeliveryQueue(people["lena"]), NOW)
    assert [(i.request.id, i.requester.display_name, i.entity_code) for i in queue] == [(mine, "Stan Staff", "DWSE")]
    assert queue[0].steps == (FulfilmentStep.ORDERED, FulfilmentStep.DELIVERED, FulfilmentStep.CANCELLED)
    everything = await service.delivery_queue(uow(db), service.DeliveryQueue(people["ada"]), NOW)
    assert {i.request.id for i in everything} == {mine, dv}
    with pytest.raises(Forbidden):
        await service.delivery_queue(uow(db), service.DeliveryQueue(people["stan"]), NOW)
    with pytest.raises(Forbidden) as refused:
        await service.delivery_request(uow(db), service.ShowDeliveryRequest(people["lena"], dv), NOW)
    assert refused.value.key == "equipment.not_your_entity"
    shown = await service.delivery_request(uow(db), service.ShowDeliveryRequest(people["lars"], dv), NOW)
    assert shown.requester == people["olga"] and shown.entity_code == "DV"


async def test_each_step_tells_the_requester_what_happened(db: FakeDatabase, people: dict, items: dict) -> None:
    request_id = (await submit(db, people["stan"], items, {"mouse": 1, "headset": 2})).request.id
    db.table("equipment_requests")[request_id]["status"] = RequestStatus.APPROVED
    ordered = await fulfil(db, people["lena"], request_id, FulfilmentStep.ORDERED, "  Bestelling 42 ")
    assert ordered.request.status is RequestStatus.ORDERED and ordered.request.note == "Bestelling 42"
    assert ordered.steps == (FulfilmentStep.DELIVERED, FulfilmentStep.CANCELLED)
    assert FakeUnitOfWork(db).equipment.row(request_id)["handled_by"] == people["lena"].id
    items_told = (RequestedItem(names=Names("Headset", "Headset"), quantity=2), RequestedItem(names=Names("Muis", "Mouse"), quantity=1))
    assert db.outbox_for(people["stan"].id) == [
        FulfilmentRecorded(request_id=request_id, status=RequestStatus.ORDERED, items=items_told, note="Bestelling 42"),
    ]
    delivered = await fulfil(db, people["lena"], request_id, FulfilmentStep.DELIVERED)
    assert delivered.request.delivered_on == TODAY and delivered.request.closed_at == NOW and delivered.steps == ()
    assert db.outbox_for(people["stan"].id)[-1].status is RequestStatus.DELIVERED
    assert [row["action"] for row in db.audit()][-2:] == ["equipment.ordered", "equipment.delivered"]
    # Only the requester hears of the fulfilment (the manager's approval card came before).
    assert [recipient for recipient, notice in db.outbox() if isinstance(notice, FulfilmentRecorded)] == [people["stan"].id] * 2


async def test_a_cancellation_by_logistics_needs_a_note_and_releases_the_budget(db: FakeDatabase, people: dict, items: dict) -> None:
    request_id = await approved_request(db, people, items)
    assert await used(db, "small_office") == Decimal("14.50")
    before = written(db)
    with pytest.raises(InvalidInput) as refused:
        await fulfil(db, people["lena"], request_id, FulfilmentStep.CANCELLED, "  ")
    assert refused.value.key == "equipment.cancel_needs_note" and written(db) == before
    cancelled = await fulfil(db, people["lena"], request_id, FulfilmentStep.CANCELLED, "Niet meer leverbaar")
    assert cancelled.request.status is RequestStatus.CANCELLED and cancelled.steps == ()
    assert await used(db, "small_office") == Decimal("0")
    assert db.outbox_for(people["stan"].id)[-1].note == "Niet meer leverbaar"


@pytest.mark.parametrize(
    ("actor", "step", "note", "error", "key"),
    [
        ("stan", FulfilmentStep.ORDERED, None, Forbidden, "common.not_allowed"),
        ("lars", FulfilmentStep.ORDERED, None, Forbidden, "equipment.not_your_entity"),
        ("lena", FulfilmentStep.ORDERED, "x" * 501, InvalidInput, "equipment.note_too_long"),
    ],
)
async def test_a_refused_step_writes_nothing(
    db: FakeDatabase, people: dict, items: dict, actor: str, step: FulfilmentStep, note: str | None, error: type[DomainError], key: str,
) -> None:
    request_id = await approved_request(db, people, items)
    before = written(db)
    with pytest.raises(error) as refused:
        await fulfil(db, people[actor], request_id, step, note)
    assert refused.value.key == key
    assert written(db) == before and db.table("equipment_requests")[request_id]["status"] is RequestStatus.APPROVED


async def test_steps_follow_the_order_of_things(db: FakeDatabase, people: dict, items: dict) -> None:
    pending = (await submit(db, people["stan"], items, {"headset": 1})).request.id
    with pytest.raises(Conflict):  # the manager has not decided yet
        await fulfil(db, people["lena"], pending, FulfilmentStep.ORDERED)
    approved = await approved_request(db, people, items)
    await fulfil(db, people["lena"], approved, FulfilmentStep.ORDERED)
    before = written(db)
    with pytest.raises(Conflict) as refused:
        await fulfil(db, people["lena"], approved, FulfilmentStep.ORDERED)
    assert refused.value.key == "equipment.step_not_possible" and written(db) == before


# -- catalogue and budget files -------------------------------------------------------------------
async def test_loading_a_catalogue_creates_updates_and_deactivates(db: FakeDatabase, people: dict, items: dict) -> None:
    rows = CatalogueRows(CATEGORIES, ITEMS, BUDGETS, entity="dwse")
    again = await catalogue.load_catalogue(uow(db), catalogue.LoadCatalogue("DWSE", rows, "cli"), NOW)
    assert (again.created, again.updated, again.unchanged, again.deactivated, again.budgets) == (0, 0, 5, [], 2)
    assert db.audit("equipment.item_updated") == [] and db.audit("equipment.budget_loaded")[-1]["actor"] == "test"
    cheaper = [(10, {**ITEMS[0][1], "unit_price": "79.00"})]
    result = await catalogue.load_catalogue(uow(db), catalogue.LoadCatalogue("DWSE", CatalogueRows(items=cheaper), "cli"), NOW)
    assert (result.categories, result.created, result.updated, result.unchanged) == (0, 0, 1, 0)
    assert result.deactivated == ["chair", "docking", "mouse", "phone"]
    updated = db.audit("equipment.item_updated")[0]
    assert (updated["actor"], updated["before"]["unit_price"], updated["after"]["unit_price"]) == ("cli", "89.00", "79.00")
    offered = await service.offered_items(uow(db), service.EquipmentForm(people["stan"]), NOW)
    assert [(o.item.code, o.item.unit_price) for o in offered] == [("headset", Decimal("79.00"))]


@pytest.mark.parametrize(
    ("entity", "rows", "problems"),
    [
        ("DV", CatalogueRows(CATEGORIES, ITEMS, entity="DWSE"), [(1, "the file is for entity DWSE, not DV")]),
        ("NOPE", CatalogueRows(CATEGORIES, ITEMS), [(1, "unknown entity NOPE")]),
        ("DWSE", CatalogueRows(CATEGORIES), [(1, "the file has no items")]),
        ("DWSE", CatalogueRows(CATEGORIES, [*ITEMS, (60, {"code": "desk", "name_nl": "Bureau", "name_en": "Desk",
                                                            "category": "desks", "unit_price": "cheap"})]),
         [(60, "unknown category 'desks'; unit_price 'cheap' is not an amount")]),
    ],
)
async def test_a_bad_catalogue_file_is_refused_whole(
    db: FakeDatabase, people: dict, entity: str, rows: CatalogueRows, problems: list
) -> None:
    with pytest.raises(FileRefused) as refused:
        await catalogue.load_catalogue(uow(db), catalogue.LoadCatalogue(entity, rows, "cli"), NOW)
    assert [(p.line, p.reason) for p in refused.value.problems] == problems
    assert db.commits == 0 and db.table("equipment_items") == {} and db.audit() == []


async def test_budgets_need_known_entities_and_categories(db: FakeDatabase, people: dict, items: dict) -> None:
    good = [(2, {"entity": "DWSE", "category": "chairs", "year": "2027", "amount": "15000", "kind": "one_off"}),
            (3, {"entity": "dv", "category": "small_office", "year": "2027", "amount": "500", "kind": "annual"})]
    assert await catalogue.load_budgets(uow(db), catalogue.LoadBudgets(good, "cli"), NOW) == 2
    stored = {(b["entity_id"], b["year"], b["amount"], b["one_off"]) for b in db.table("equipment_budgets").values()}
    assert {(people["stan"].entity_id, 2027, Decimal("15000.00"), True), (people["olga"].entity_id, 2027, Decimal("500.00"), False)} <= stored
    bad = [(2, {"entity": "DWSE", "category": "chairs", "year": "2028", "amount": "1"}),
           (3, {"entity": "NOPE", "category": "chairs", "year": "2028", "amount": "1"}),
           (4, {"entity": "DV", "category": "chairs", "year": "2028", "amount": "1"})]
    before = (db.commits, len(db.table("equipment_budgets")))
    with pytest.raises(FileRefused) as refused:
        await catalogue.load_budgets(uow(db), catalogue.LoadBudgets(bad, "cli"), NOW)
    assert [(p.line, p.reason) for p in refused.value.problems] == [
        (3, "unknown entity NOPE"), (4, "entity DV has no category 'chairs'"),
    ]
    assert (db.commits, len(db.table("equipment_budgets"))) == before
    with pytest.raises(FileRefused):
        await catalogue.load_budgets(uow(db), catalogue.LoadBudgets([], "cli"), NOW)


# -- demo data ------------------------------------------------------------------------------------
async def test_demo_requests_are_stored_in_their_state_for_whoever_exists(db: FakeDatabase, people: dict, items: dict) -> None:
    specs = [
        demo.DemoRequest(people["stan"].email, ("headset",), RequestStatus.DELIVERED, date(2026, 10, 1), delivered_on=date(2026, 10, 14)),
        demo.DemoRequest(people["lena"].email, ("chair",), RequestStatus.REJECTED, date(2026, 11, 1), note="Nog stoelen op kantoor"),
        demo.DemoRequest("nobody@vlaanderen.be", ("headset",), RequestStatus.APPROVED, date(2026, 11, 1)),
        demo.DemoRequest(people["stan"].email, ("unicorn",), RequestStatus.APPROVED, date(2026, 11, 1)),
    ]
    assert await demo.load_demo_requests(uow(db), demo.LoadDemoRequests(specs), NOW) == 2
    delivered, rejected = [await FakeUnitOfWork(db).equipment.get_request(i) for i in sorted(db.table("equipment_requests"))]
    assert (delivered.status, delivered.delivered_on, delivered.lines[0].budget_id) == (
        RequestStatus.DELIVERED, date(2026, 10, 14), budget_id(db, "small_office"),
    )
    assert await used(db, "small_office") == Decimal("89.00")
    assert (rejected.status, rejected.note, rejected.lines[0].budget_id) == (RequestStatus.REJECTED, "Nog stoelen op kantoor", None)
    assert [row["actor"] for row in db.audit()][-2:] == ["demo", "demo"]
    assert delivered.created_at.tzinfo == NOW.tzinfo
    with pytest.raises(NotEligible):  # the delivered headset counts for the once-every-three-years rule
        await submit(db, people["stan"], items, {"headset": 1})


async def test_the_demo_submission_is_what_the_form_would_send(db: FakeDatabase, people: dict, items: dict) -> None:
    command = await demo.demo_submission(uow(db), demo.DemoSubmission(people["stan"].email, ("headset", "unicorn"), "Veel bellen"), NOW)
    assert command == service.SubmitRequest(
        people["stan"], {items["headset"].id: 1}, {items["headset"].id: Decimal("89.00")}, justification="Veel bellen",
    )
    assert (await service.submit_request(uow(db), command, NOW)).approval_id is not None
    assert await demo.demo_submission(uow(db), demo.DemoSubmission("nobody@vlaanderen.be", ("headset",), "x"), NOW) is None
