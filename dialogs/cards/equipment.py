"""Equipment cards: the request form, one request, my equipment, and the logistics list and detail.
They format typed views; the rules live in bot/domain/equipment.py and bot/services/equipment.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

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
from pydantic import ConfigDict, Field

from bot.actions import ActionData
from bot.domain.equipment import (
    MAX_JUSTIFICATION,
    MAX_NOTE,
    MAX_QUANTITY,
    EquipmentRequest,
    FulfilmentStep,
    Refusal,
    RequestStatus,
)
from bot.i18n import Translator
from dialogs.cards.base import card, execute, facts, heading, notice, submit, text, title

QTY_PREFIX = "equipment_qty_"
JUSTIFICATION_INPUT = "equipment_justification"
DELIVERY_INPUT = "equipment_delivery"
ADJUSTMENT_INPUT = "equipment_adjustment"
NOTE_INPUT = "equipment_note"


class ShowEquipmentForm(ActionData, verb="equipment.form"):
    pass


class SubmitEquipmentRequest(ActionData, verb="equipment.request"):
    # The quantity inputs are named after the item ids (equipment_qty_<id>), so they arrive as extra keys.
    model_config = ConfigDict(extra="allow", frozen=True, str_strip_whitespace=True)

    prices: dict[str, str] = Field(default_factory=dict, max_length=100)  # item id -> unit price the card showed
    equipment_justification: str | None = Field(default=None, max_length=8000)
    equipment_delivery: str | None = Field(default=None, max_length=20)
    equipment_adjustment: str | None = Field(default=None, max_length=10)

    def quantity_inputs(self) -> list[tuple[str, Any]]:
        return [(key, value) for key, value in (self.model_extra or {}).items() if key.startswith(QTY_PREFIX)]


class ShowMyEquipment(ActionData, verb="equipment.mine"):
    pass


class CancelEquipmentRequest(ActionData, verb="equipment.cancel"):
    request_id: int


class ShowDeliveries(ActionData, verb="equipment.deliveries"):
    pass


class ShowDelivery(ActionData, verb="equipment.delivery"):
    request_id: int


class FulfilEquipmentRequest(ActionData, verb="equipment.fulfil"):
    request_id: int
    step: Literal["ordered", "delivered", "cancelled"]
    equipment_note: str | None = Field(default=None, max_length=4000)


# -- text helpers -----------------------------------------------------------------------------
def refusal_text(t: Translator, refusal: Refusal) -> str:
    params: dict[str, object] = {"item": refusal.item(t.locale)}
    if refusal.on is not None:
        params["date"] = t.date(refusal.on, "d MMMM yyyy")
    if refusal.count is not None:
        params["count"] = refusal.count
    return t(refusal.key, **params)


def _items_line(t: Translator, request: EquipmentRequest) -> str:
    return ", ".join(
        line.names(t.locale) if line.quantity == 1 else f"{line.quantity} × {line.names(t.locale)}" for line in request.lines
    )


def status_label(t: Translator, status: RequestStatus) -> str:
    return t(f"equipment.status_{status.value}")


_STATUS_COLORS = {
    RequestStatus.PENDING: "Warning", RequestStatus.APPROVED: "Accent", RequestStatus.ORDERED: "Accent",
    RequestStatus.DELIVERED: "Good", RequestStatus.REJECTED: "Attention", RequestStatus.CANCELLED: "Default",
}


def status_message(t: Translator, request: EquipmentRequest) -> str:
    """What the staff member reads when logistics moves their request on."""
    message = t(f"equipment.notify_{request.status.value}", items=_items_line(t, request), id=request.id)
    if request.note:
        message += "\n\n" + t("equipment.note_line", note=request.note)
    return message


# -- the request form -------------------------------------------------------------------------
@dataclass(frozen=True)
class FormItem:
    item_id: int
    name: str
    category: str
    unit_price: Decimal
    max_quantity: int
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
    delivery: str = "home"
    adjustment: bool = False


def form_card(t: Translator, view: FormView) -> dict[str, Any]:
    body: list[Any] = [title(t("equipment.form_title")), text(t("equipment.form_intro"))]
    if view.notice:
        body.append(text(view.notice, color="Warning", weight="Bolder"))
    if view.problems:
        body.append(text(t("equipment.not_eligible_intro"), color="Attention", weight="Bolder"))
        body.extend(text(f"• {problem}", color="Attention", spacing="None") for problem in view.problems)
    if not view.items:
        body.append(text(t("equipment.catalogue_empty"), subtle=True))
        return card(body, [submit(ShowMyEquipment(), t("equipment.my_equipment"))])
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
        details.extend(text(hint, color="Warning", size="Small", spacing="None") for hint in item.hints)
        body.append(
            ColumnSet(
                columns=[
                    Column(width="stretch", items=details),
                    Column(
                        width="auto",
                        items=[
                            NumberInput(
                                id=f"{QTY_PREFIX}{item.item_id}", min=0, max=min(item.max_quantity, MAX_QUANTITY)
                                if not view.adjustment else MAX_QUANTITY,
                                value=view.quantities.get(item.item_id, 0), label=t("equipment.quantity"),
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
            id=DELIVERY_INPUT, label=t("equipment.delivery"), style="expanded", value=view.delivery,
            choices=[Choice(title=t("equipment.delivery_home"), value="home"), Choice(title=t("equipment.delivery_office"), value="office")],
        )
    )
    body.append(
        ToggleInput(
            id=ADJUSTMENT_INPUT, title=t("equipment.adjustment_toggle"), value="true" if view.adjustment else "false",
            value_on="true", value_off="false",
        )
    )
    body.append(text(t("equipment.adjustment_hint"), subtle=True, size="Small", spacing="None"))
    prices = {str(item.item_id): f"{item.unit_price:.2f}" for item in view.items}
    actions = [
        execute(SubmitEquipmentRequest(prices=prices), t("equipment.send"), style="positive"),
        submit(ShowMyEquipment(), t("equipment.my_equipment")),
    ]
    return card(body, actions)


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
    notice: str | None = None
    can_cancel: bool = False


def request_card(t: Translator, view: RequestView) -> dict[str, Any]:
    request = view.request
    body: list[Any] = [title(t("equipment.request_title", id=request.id))]
    if view.notice:
        body.append(notice(view.notice))
    body.append(text(status_label(t, request.status), color=_STATUS_COLORS[request.status], weight="Bolder"))
    body.append(facts(_request_facts(t, request)))
    actions: list[Any] = []
    if view.can_cancel and request.status == RequestStatus.PENDING:
        actions.append(execute(CancelEquipmentRequest(request_id=request.id), t("equipment.cancel"), style="destructive"))
    actions.append(submit(ShowMyEquipment(), t("equipment.my_equipment")))
    return card(body, actions)


# -- my equipment -----------------------------------------------------------------------------
@dataclass(frozen=True)
class MyEquipmentView:
    requests: Sequence[EquipmentRequest]
    notice: str | None = None


def my_equipment_card(t: Translator, view: MyEquipmentView) -> dict[str, Any]:
    body: list[Any] = [title(t("equipment.mine_title"))]
    if view.notice:
        body.append(notice(view.notice))
    if not view.requests:
        body.append(text(t("equipment.mine_empty"), subtle=True))
    for request in view.requests:
        when = request.delivered_on or request.requested_on
        items: list[Any] = [
            text(_items_line(t, request), weight="Bolder"),
            text(
                t("equipment.mine_line", status=status_label(t, request.status), date=t.date(when, "d MMMM yyyy"), total=t.money(request.total)),
                color=_STATUS_COLORS[request.status], spacing="None",
            ),
        ]
        if request.note:
            items.append(text(t("equipment.note_line", note=request.note), subtle=True, spacing="None"))
        if request.status == RequestStatus.PENDING:
            items.append(ActionSet(actions=[execute(CancelEquipmentRequest(request_id=request.id), t("equipment.cancel"), style="destructive")]))
        body.append(Container(items=items, separator=True))
    return card(body, [submit(ShowEquipmentForm(), t("equipment.new_request"))])


# -- logistics --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeliveryRow:
    request: EquipmentRequest
    staff_name: str
    entity_code: str


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
                            text(_items_line(t, request), spacing="None"),
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
    return card(body, [submit(ShowDeliveries(), t("equipment.refresh"))])


@dataclass(frozen=True)
class DeliveryView:
    row: DeliveryRow
    notice: str | None = None


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
    if request.status in (RequestStatus.APPROVED, RequestStatus.ORDERED):
        body.append(TextInput(id=NOTE_INPUT, label=t("equipment.note"), placeholder=t("equipment.note_hint"), max_length=MAX_NOTE))
        steps = [FulfilmentStep.DELIVERED, FulfilmentStep.CANCELLED]
        if request.status == RequestStatus.APPROVED:
            steps.insert(0, FulfilmentStep.ORDERED)
        for step in steps:
            actions.append(
                execute(
                    FulfilEquipmentRequest(request_id=request.id, step=step.value), t(f"equipment.mark_{step.value}"),
                    style="destructive" if step == FulfilmentStep.CANCELLED else None,
                )
            )
    actions.append(submit(ShowDeliveries(), t("equipment.back_to_deliveries")))
    return card(body, actions)
