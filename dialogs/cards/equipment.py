"""Equipment cards: the request form, one request, my equipment, and the logistics list and detail.
They format typed views; the rules (what may be cancelled, which steps logistics can take, how many
of an item the form allows) come decided in the views, from bot/domain/equipment.py."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Protocol

from microsoft_teams.cards import (
    ActionSet,
    ChoiceSetInput,
    Column,
    ColumnSet,
    Container,
    NumberInput,
    TextInput,
    ToggleInput,
)
from microsoft_teams.cards.core import Choice
from pydantic import BeforeValidator, Field, model_validator

from bot.actions import MAX_ID, ActionData, Id
from bot.domain.equipment import (
    MAX_JUSTIFICATION,
    MAX_NOTE,
    MAX_PRICE,
    MAX_QUANTITY,
    Delivery,
    EquipmentRequest,
    FulfilmentStep,
    Names,
    Refusal,
    RequestStatus,
)
from bot.i18n import Translator
from dialogs.cards.base import card, execute, facts, heading, notice, submit, text, title, with_menu

# The flows the menu opens.
FORM_FLOW = "equipment"
MINE_FLOW = "equipment.mine"
LOGISTICS_FLOW = "logistics"

QTY_PREFIX = "equipment_qty_"
JUSTIFICATION_INPUT = "equipment_justification"
DELIVERY_INPUT = "equipment_delivery"
ADJUSTMENT_INPUT = "equipment_adjustment"
NOTE_INPUT = "equipment_note"

_QUANTITY = re.compile(r"^(\d{1,2}(\.0*)?)?$")  # Input.Number sends "2" or "2.0"; empty: not wanted
Price = Annotated[Decimal, Field(ge=0, le=MAX_PRICE, decimal_places=2)]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]


def _quantity(value: Any) -> int | None:
    """The quantity an input holds (0: not wanted), or None when it is no whole number from 0 to MAX_QUANTITY."""
    text = "" if value is None else str(value).strip()
    if not _QUANTITY.match(text):
        return None
    quantity = int(text.split(".")[0] or 0)
    return quantity if quantity <= MAX_QUANTITY else None


def _item_id(raw: str) -> int | None:
    if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAX_ID))):
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_ID else None


def _blank_is_home(value: Any) -> Any:
    return Delivery.HOME if value is None or (isinstance(value, str) and not value.strip()) else value


class ShowEquipmentForm(ActionData, verb="equipment.form"):
    pass


class SubmitEquipmentRequest(
    ActionData, verb="equipment.request",
    card_inputs=(f"{QTY_PREFIX}*", JUSTIFICATION_INPUT, DELIVERY_INPUT, ADJUSTMENT_INPUT),
):
    """The form. Each item's Input.Number is named equipment_qty_<item id>, so the quantities
    arrive as separate keys next to the payload; they are gathered into `quantities` (wanted items
    only) before validation. A quantity that is no whole number from 0 to MAX_QUANTITY is counted
    in `unreadable_quantities`, so the staff member reads what a quantity must be."""

    prices: dict[Id, Price] = Field(default_factory=dict, max_length=100)  # item id -> unit price the card showed
    # The card's inputs, never part of the action's data:
    quantities: dict[Id, Quantity] = Field(default_factory=dict, max_length=100, exclude=True)
    unreadable_quantities: int = Field(default=0, ge=0, exclude=True)
    equipment_justification: str | None = Field(default=None, max_length=8000, exclude=True)
    equipment_delivery: Annotated[Delivery, BeforeValidator(_blank_is_home)] = Field(default=Delivery.HOME, exclude=True)
    equipment_adjustment: bool = Field(default=False, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _gather_quantities(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        quantities: dict[int, int] = {}
        unreadable = 0
        for key, value in data.items():
            if not isinstance(key, str) or not key.startswith(QTY_PREFIX):
                continue
            item_id, quantity = _item_id(key[len(QTY_PREFIX):]), _quantity(value)
            if item_id is None or quantity is None:
                unreadable += 1
            elif quantity:
                quantities[item_id] = quantity
        kept = {k: v for k, v in data.items() if k not in ("quantities", "unreadable_quantities")}
        return {**kept, "quantities": quantities, "unreadable_quantities": unreadable}


class ShowMyEquipment(ActionData, verb="equipment.mine"):
    pass


class CancelEquipmentRequest(ActionData, verb="equipment.cancel"):
    request_id: Id


class ShowEquipmentRequest(ActionData, verb="equipment.request.show"):
    """The requester's own request card, as it stands now (its refresh action)."""

    request_id: Id


class ShowDeliveries(ActionData, verb="equipment.deliveries"):
    pass


class ShowDelivery(ActionData, verb="equipment.delivery"):
    request_id: Id


class FulfilEquipmentRequest(ActionData, verb="equipment.fulfil", card_inputs=(NOTE_INPUT,)):
    request_id: Id
    step: FulfilmentStep
    confirmed: bool = False  # the second click of a step that asks for one
    equipment_note: str | None = Field(default=None, max_length=4000, exclude=True)  # the card's input


# -- text helpers -----------------------------------------------------------------------------
def refusal_text(t: Translator, refusal: Refusal) -> str:
    params: dict[str, object] = {"item": refusal.item(t.locale)}
    if refusal.on is not None:
        params["date"] = t.date(refusal.on, "d MMMM yyyy")
    if refusal.count is not None:
        params["count"] = refusal.count
    return t(refusal.key, **params)


class ItemCount(Protocol):
    @property
    def names(self) -> Names: ...

    @property
    def quantity(self) -> int: ...


def items_line(t: Translator, lines: Iterable[ItemCount]) -> str:
    """"Headset, 2 × Monitor" in the reader's language."""
    return ", ".join(
        line.names(t.locale) if line.quantity == 1 else f"{line.quantity} × {line.names(t.locale)}" for line in lines
    )


def status_label(t: Translator, status: RequestStatus) -> str:
    return t(f"equipment.status_{status.value}")


_STATUS_COLORS = {
    RequestStatus.PENDING: "Default", RequestStatus.APPROVED: "Accent", RequestStatus.ORDERED: "Accent",
    RequestStatus.DELIVERED: "Good", RequestStatus.REJECTED: "Attention", RequestStatus.CANCELLED: "Default",
}


# -- the request form -------------------------------------------------------------------------
@dataclass(frozen=True)
class FormItem:
    item_id: int
    name: str
    category: str
    unit_price: Decimal
    max_quantity: int  # the most the form offers (decided by the rules)
    needs_justification: bool
    needs_approval: bool
    hints: Sequence[str] = ()  # why it is not possible now (already localized)


@dataclass(frozen=True)
class FormView:
    items: Sequence[FormItem]
    problems: Sequence[str] = ()  # refusals of the last attempt (already localized)
    notice: str | None = None
    quantities: dict[int, int] = field(default_factory=dict)  # what the staff member had filled in
    justification: str | None = None
    delivery: Delivery = Delivery.HOME
    adjustment: bool = False


def form_card(t: Translator, view: FormView) -> dict[str, Any]:
    body: list[Any] = [title(t("equipment.form_title")), text(t("equipment.form_intro"))]
    if view.notice or view.problems:
        # The form is long: the top only points down to the details, which sit at Send.
        body.append(text("⚠ " + t("equipment.problems_below"), color="Attention", weight="Bolder"))
    if not view.items:
        body.append(text(t("equipment.catalogue_empty"), subtle=True))
        return card(body, with_menu(t, [submit(ShowMyEquipment(), t("equipment.my_equipment"))]))
    category = None
    for item in view.items:
        if item.category != category:
            category = item.category
            body.append(heading(category))
        notes = [t("equipment.price_each", price=t.money(item.unit_price))]
        if item.needs_justification:
            notes.append(t("equipment.needs_justification"))
        if not item.needs_approval:
            notes.append(t("equipment.no_approval_needed"))
        details: list[Any] = [text(item.name, weight="Bolder", spacing="None"), text(" · ".join(notes), subtle=True, spacing="None")]
        details.extend(text("⚠ " + hint, size="Small", spacing="None") for hint in item.hints)
        body.append(
            ColumnSet(
                columns=[
                    Column(width="stretch", items=details),
                    Column(
                        width="auto",
                        items=[
                            NumberInput(
                                id=f"{QTY_PREFIX}{item.item_id}", min=0, max=item.max_quantity,
                                value=view.quantities.get(item.item_id, 0), label=t("equipment.quantity"),
                                error_message=t("equipment.quantity_range", count=item.max_quantity),
                            )
                        ],
                    ),
                ],
                separator=True,
            )
        )
    body.append(
        TextInput(
            id=JUSTIFICATION_INPUT, label=t("equipment.justification"), placeholder=t("equipment.justification_hint"),
            is_multiline=True, max_length=MAX_JUSTIFICATION, value=view.justification,
        )
    )
    body.append(
        ChoiceSetInput(
            id=DELIVERY_INPUT, label=t("equipment.delivery"), style="expanded", value=view.delivery.value,
            choices=[Choice(title=t(f"equipment.delivery_{option.value}"), value=option.value) for option in Delivery],
        )
    )
    body.append(
        ToggleInput(
            id=ADJUSTMENT_INPUT, title=t("equipment.adjustment_toggle"), value="true" if view.adjustment else "false",
            value_on="true", value_off="false",
        )
    )
    body.append(text(t("equipment.adjustment_hint"), subtle=True, size="Small", spacing="None"))
    if view.notice:
        body.append(Container(style="warning", items=[text("⚠ " + view.notice, weight="Bolder")]))
    if view.problems:
        body.append(Container(style="attention", items=[
            text("⚠ " + t("equipment.not_eligible_intro"), weight="Bolder"),
            *(text(f"• {problem}", spacing="None") for problem in view.problems),
        ]))
    prices = {item.item_id: item.unit_price.quantize(Decimal("0.01")) for item in view.items}
    actions = [
        execute(SubmitEquipmentRequest(prices=prices), t("equipment.send"), style="positive"),
        submit(ShowMyEquipment(), t("equipment.my_equipment")),
    ]
    return card(body, with_menu(t, actions))


# -- one request ------------------------------------------------------------------------------
def _request_facts(t: Translator, request: EquipmentRequest) -> list[tuple[str, str]]:
    pairs = [
        (line.names(t.locale), t("equipment.line_cost", quantity=line.quantity, price=t.money(line.unit_price), cost=t.money(line.cost)))
        for line in request.lines
    ]
    pairs.append((t("equipment.total"), t.money(request.total)))
    pairs.append((t("equipment.delivery"), t(f"equipment.delivery_{request.delivery.value}")))
    pairs.append((t("equipment.requested_on"), t.date(request.requested_on, "d MMMM yyyy")))
    if request.delivered_on:
        pairs.append((t("equipment.delivered_on"), t.date(request.delivered_on, "d MMMM yyyy")))
    if request.note:
        pairs.append((t("equipment.note"), request.note))
    return pairs


@dataclass(frozen=True)
class RequestView:
    request: EquipmentRequest
    can_cancel: bool
    notice: str | None = None
    problem: str | None = None  # why the last click was refused (a withdraw after the decision)
    # The requester's Teams user id: their client refreshes the card, so every copy shows the
    # current state (decided, ordered, delivered) instead of "Waiting for your manager".
    refresh_user_ids: Sequence[str] = ()


def request_card(t: Translator, view: RequestView) -> dict[str, Any]:
    request = view.request
    body: list[Any] = [title(t("equipment.request_title", id=request.id))]
    if view.notice:
        body.append(notice(view.notice))
    if view.problem:
        body.append(text("⚠ " + view.problem, color="Attention", weight="Bolder"))
    body.append(text(status_label(t, request.status), color=_STATUS_COLORS[request.status], weight="Bolder"))
    body.append(facts(_request_facts(t, request)))
    actions: list[Any] = []
    if view.can_cancel:
        actions.append(execute(CancelEquipmentRequest(request_id=request.id), t("equipment.cancel"), style="destructive"))
    actions.append(submit(ShowMyEquipment(), t("equipment.my_equipment")))
    refresh = ShowEquipmentRequest(request_id=request.id) if view.refresh_user_ids else None
    return card(body, with_menu(t, actions), refresh=refresh, refresh_user_ids=view.refresh_user_ids)


# -- my equipment -----------------------------------------------------------------------------
@dataclass(frozen=True)
class MyRequestRow:
    request: EquipmentRequest
    can_cancel: bool


@dataclass(frozen=True)
class MyEquipmentView:
    rows: Sequence[MyRequestRow]
    notice: str | None = None
    refresh_user_ids: Sequence[str] = ()  # the staff member's Teams user id (see RequestView)


def my_equipment_card(t: Translator, view: MyEquipmentView) -> dict[str, Any]:
    body: list[Any] = [title(t("equipment.mine_title"))]
    if view.notice:
        body.append(notice(view.notice))
    if not view.rows:
        body.append(text(t("equipment.mine_empty"), subtle=True))
    for row in view.rows:
        request = row.request
        when = request.delivered_on or request.requested_on
        items: list[Any] = [
            text(items_line(t, request.lines), weight="Bolder"),
            text(
                t("equipment.mine_line", status=status_label(t, request.status), date=t.date(when, "d MMMM yyyy"), total=t.money(request.total)),
                color=_STATUS_COLORS[request.status], spacing="None",
            ),
        ]
        if request.note:
            items.append(text(t("equipment.note_line", note=request.note), subtle=True, spacing="None"))
        if row.can_cancel:
            items.append(ActionSet(actions=[execute(CancelEquipmentRequest(request_id=request.id), t("equipment.cancel"), style="destructive")]))
        body.append(Container(items=items, separator=True))
    refresh = ShowMyEquipment() if view.refresh_user_ids else None
    return card(body, with_menu(t, [submit(ShowEquipmentForm(), t("equipment.new_request"))]), refresh=refresh, refresh_user_ids=view.refresh_user_ids)


# -- logistics --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeliveryRow:
    request: EquipmentRequest
    staff_name: str
    entity_code: str
    steps: Sequence[FulfilmentStep]  # what logistics can do next, in this order


@dataclass(frozen=True)
class DeliveriesView:
    rows: Sequence[DeliveryRow]
    notice: str | None = None


def deliveries_card(t: Translator, view: DeliveriesView) -> dict[str, Any]:
    body: list[Any] = [title(t("equipment.deliveries_title"))]
    if view.notice:
        body.append(notice(view.notice))
    if not view.rows:
        body.append(text(t("equipment.deliveries_empty"), subtle=True))
    for row in view.rows:
        request = row.request
        body.append(
            ColumnSet(
                separator=True,
                columns=[
                    Column(
                        width="stretch",
                        items=[
                            text(t("equipment.delivery_row", id=request.id, name=row.staff_name, entity=row.entity_code), weight="Bolder"),
                            text(items_line(t, request.lines), spacing="None"),
                            text(
                                f"{status_label(t, request.status)} · {t(f'equipment.delivery_{request.delivery.value}')}",
                                subtle=True, spacing="None",
                            ),
                        ],
                    ),
                    Column(width="auto", items=[ActionSet(actions=[submit(ShowDelivery(request_id=request.id), t("equipment.open"))])]),
                ],
            )
        )
    return card(body, with_menu(t, [submit(ShowDeliveries(), t("equipment.refresh"))]))


@dataclass(frozen=True)
class DeliveryView:
    row: DeliveryRow
    notice: str | None = None
    note: str | None = None  # what logistics typed before a refusal or a question, kept in the field
    problem: str | None = None  # why the last click did nothing, shown at the buttons
    confirm_step: FulfilmentStep | None = None  # the step that waits for its second click


def delivery_card(t: Translator, view: DeliveryView) -> dict[str, Any]:
    request = view.row.request
    body: list[Any] = [
        title(t("equipment.delivery_title", id=request.id)),
        text(t("equipment.delivery_for", name=view.row.staff_name, entity=view.row.entity_code)),
    ]
    if view.notice:
        body.append(notice(view.notice))
    body.append(text(status_label(t, request.status), color=_STATUS_COLORS[request.status], weight="Bolder"))
    body.append(facts(_request_facts(t, request)))
    actions: list[Any] = []
    if view.row.steps:
        body.append(TextInput(
            id=NOTE_INPUT, label=t("equipment.note"), placeholder=t("equipment.note_hint"), max_length=MAX_NOTE, value=view.note,
            error_message=t("equipment.note_too_long", limit=MAX_NOTE),
        ))
    if view.confirm_step is not None:
        # The question sits at the buttons, where the click was made.
        body.append(Container(style="warning", items=[
            text("⚠ " + (view.problem or ""), weight="Bolder"),
            ActionSet(actions=[
                execute(
                    FulfilEquipmentRequest(request_id=request.id, step=view.confirm_step, confirmed=True),
                    t(f"equipment.confirm_mark_{view.confirm_step.value}"), style="destructive",
                ),
                execute(ShowDelivery(request_id=request.id), t("common.cancel")),
            ]),
        ]))
    elif view.problem:
        body.append(text("⚠ " + view.problem, color="Attention", weight="Bolder"))
    for step in view.row.steps:
        actions.append(
            execute(
                FulfilEquipmentRequest(request_id=request.id, step=step), t(f"equipment.mark_{step.value}"),
                style="destructive" if step is FulfilmentStep.CANCELLED else None,
            )
        )
    actions.append(submit(ShowDeliveries(), t("equipment.back_to_deliveries")))
    return card(body, with_menu(t, actions))
