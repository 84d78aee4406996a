"""Typed card payloads, routed by a dotted verb.

    class DecideApproval(ActionData, verb="approval.decide"):
        approval_id: int
        decision: Literal["approve", "reject"]

A card carries `{"verb": "approval.decide", "approval_id": 7, ...}`; the router (built in
`create_app`) knows each verb's payload class from its routes and validates the data like any
user input before a handler sees it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

VERB_KEY = "verb"
# Database ids are 32-bit on SQLite and PostgreSQL alike; anything larger is a forged card.
MAX_ID = 2**31 - 1
# The most ids one card sends at once (ticked approvals, the attendance of a session).
MAX_IDS = 1_000


def _blank_to_none(value: Any) -> Any:
    """An input left empty arrives as "" (Teams sends every input as a string)."""
    return None if isinstance(value, str) and not value.strip() else value


def comma_separated(value: Any) -> Any:
    """A multi-select choice set sends its values as one comma-separated string."""
    return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


# Typed payload fields: a card sends numbers and dates as strings; these parse and bound them.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=10_000)]
OptionalId = Annotated[Id | None, BeforeValidator(_blank_to_none)]
IdList = Annotated[list[Id], BeforeValidator(comma_separated), Field(max_length=MAX_IDS)]
OptionalCount = Annotated[Count | None, BeforeValidator(_blank_to_none)]
OptionalDate = Annotated[date | None, BeforeValidator(_blank_to_none)]


class ActionData(BaseModel):
    """A card action's payload. `card_inputs` names the ids of the card's inputs the action reads
    (an id ending in "*" is a prefix: "equipment_qty_*"); an action that reads none declares
    `associatedInputs: "none"` on the card, so Teams neither validates nor sends the card's other
    inputs (a required input elsewhere on the card would otherwise block the click)."""

    # Inputs of the card arrive next to the payload; unknown keys are ignored, never trusted.
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    verb: ClassVar[str]
    card_inputs: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, verb: str | None = None, card_inputs: Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if verb is not None:
            cls.verb = verb
        if card_inputs is not None:
            cls.card_inputs = tuple(card_inputs)

    @classmethod
    def reads_inputs(cls) -> bool:
        return bool(cls.card_inputs)

    @classmethod
    def reads_input(cls, input_id: str) -> bool:
        """Whether the input with this id on the card is one this action reads."""
        return any(input_id.startswith(name[:-1]) if name.endswith("*") else input_id == name for name in cls.card_inputs)

    def to_data(self) -> dict[str, Any]:
        """The card's `data` for Action.Submit (verb included) and Action.Execute."""
        return {VERB_KEY: self.verb, **self.model_dump(mode="json", exclude_none=True)}


class InvalidPayload(Exception):
    def __init__(self, verb: str | None, reason: str) -> None:
        self.verb = verb
        self.reason = reason
        super().__init__(f"{verb}: {reason}")


def parse_payload(model: type[ActionData] | None, verb: Any, data: dict[str, Any] | None) -> ActionData:
    """Validate a card's data against `model`, the payload class routed for its verb."""
    if not verb or not isinstance(verb, str):
        raise InvalidPayload(None, "missing verb")
    if model is None:
        raise InvalidPayload(verb[:100], "unknown verb")
    if data is not None and not isinstance(data, dict):
        raise InvalidPayload(verb, "data is not an object")
    try:
        return model.model_validate({k: v for k, v in (data or {}).items() if k != VERB_KEY})
    except ValidationError as error:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "?" for e in error.errors())
        raise InvalidPayload(verb, f"invalid fields: {fields}") from None
