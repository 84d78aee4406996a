"""Typed card payloads, routed by a dotted verb.

    class DecideApproval(ActionData, verb="approval.decide"):
        approval_id: int
        decision: Literal["approve", "reject"]

A card carries `{"verb": "approval.decide", "approval_id": 7, ...}`; the router validates it
like any user input before a handler sees it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

VERB_KEY = "verb"

_REGISTRY: dict[str, type[ActionData]] = {}


class ActionData(BaseModel):
    # Inputs of the card arrive next to the payload; unknown keys are ignored, never trusted.
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    verb: ClassVar[str]

    def __init_subclass__(cls, verb: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if verb is not None:
            if verb in _REGISTRY and _REGISTRY[verb].__qualname__ != cls.__qualname__:
                raise ValueError(f"card verb {verb!r} is declared twice")
            cls.verb = verb
            _REGISTRY[verb] = cls

    def to_data(self) -> dict[str, Any]:
        """The card's `data` for Action.Submit (verb included) and Action.Execute."""
        return {VERB_KEY: self.verb, **self.model_dump(mode="json", exclude_none=True)}


class InvalidPayload(Exception):
    def __init__(self, verb: str | None, reason: str) -> None:
        self.verb = verb
        self.reason = reason
        super().__init__(f"{verb}: {reason}")


def payload_type(verb: str) -> type[ActionData] | None:
    return _REGISTRY.get(verb)


def registered_verbs() -> frozenset[str]:
    return frozenset(_REGISTRY)


def parse_payload(verb: str | None, data: dict[str, Any] | None) -> ActionData:
    """Validate a card's data against the payload type of its verb."""
    if not verb or not isinstance(verb, str):
        raise InvalidPayload(verb, "missing verb")
    model = _REGISTRY.get(verb)
    if model is None:
        raise InvalidPayload(verb, "unknown verb")
    if data is not None and not isinstance(data, dict):
        raise InvalidPayload(verb, "data is not an object")
    try:
        return model.model_validate({k: v for k, v in (data or {}).items() if k != VERB_KEY})
    except ValidationError as error:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "?" for e in error.errors())
        raise InvalidPayload(verb, f"invalid fields: {fields}") from None
