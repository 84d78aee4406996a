"""The card audit: every card builder in dialogs/cards, built in Dutch and English from the samples
in tests/card_samples.py, is a valid Adaptive Card 1.5 whose buttons Teams will send.

Teams validates a card's inputs before it sends an action whose `associatedInputs` is not "none":
one required input anywhere on the card blocks every such button. So an action whose payload
reads no input (`ActionData.card_inputs` empty) must declare "none"; an action that reads inputs
sits on a card that holds at least one of them; every input is read by some action on the card
(an input nothing reads is a form whose answers are thrown away); and every input carries the
bounds Teams checks before sending, with the error message it shows beside the field."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest

import dialogs.cards
from bot.actions import ActionData
from bot.i18n import Translator
from bot.wiring import build_registry
from tests.card_samples import SAMPLES
from tests.cards import assert_valid_card

SUBMITTING = ("Action.Execute", "Action.Submit")
# The menu itself (and the welcome card that offers its first entries) need no way back to it.
WITHOUT_MENU_BUTTON = {"menu.menu_card", "menu.welcome_card"}


def builders() -> dict[str, Any]:
    """Every public function in dialogs/cards/* that takes the translator first and returns a card."""
    found = {}
    for info in pkgutil.iter_modules(dialogs.cards.__path__):
        module = importlib.import_module(f"dialogs.cards.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            parameters = list(inspect.signature(function).parameters)
            if parameters[:1] == ["t"] and str(inspect.signature(function).return_annotation) == "dict[str, Any]":
                found[f"{info.name}.{name}"] = function
    return found


def payload_classes() -> dict[str, type[ActionData]]:
    classes: dict[str, type[ActionData]] = {}
    pending = list(ActionData.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if hasattr(cls, "verb"):
            classes[cls.verb] = cls
    return classes


def actions_with_inputs(card: dict[str, Any], inherited: tuple[str, ...] = ()) -> Iterator[tuple[dict[str, Any], tuple[str, ...]]]:
    """(action, ids of the inputs it can reach): those of its own card and, inside an
    Action.ShowCard, of the cards around it."""
    reachable = inherited + tuple(_input_ids(card))
    for node in _own_nodes(card):
        if node.get("type") in SUBMITTING:
            yield node, reachable
        if node.get("type") == "Action.ShowCard":
            yield from actions_with_inputs(node["card"], reachable)
    refresh = card.get("refresh", {}).get("action")
    if refresh:
        yield refresh, ()


def _own_nodes(node: Any) -> Iterator[dict[str, Any]]:
    """The elements and actions of one card, not descending into the card of an Action.ShowCard."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key in ("card", "refresh", "data"):
                continue
            yield from _own_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _own_nodes(value)


def _input_ids(card: dict[str, Any]) -> list[str]:
    return [node["id"] for node in _own_nodes(card) if str(node.get("type", "")).startswith("Input.")]


def verb_of(action: dict[str, Any]) -> str:
    return action["verb"] if action["type"] == "Action.Execute" else action["data"]["verb"]


def test_every_builder_has_samples() -> None:
    assert sorted(builders()) == sorted(SAMPLES), "add samples to tests/card_samples.py for a new card builder"


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.parametrize("builder", sorted(SAMPLES))
def test_every_card_is_valid_and_its_buttons_are_sent(builder: str, locale: str) -> None:
    t = Translator(locale)  # type: ignore[arg-type]
    payloads = payload_classes()
    routed = build_registry().router.verbs()
    for number, sample in enumerate(SAMPLES[builder]):
        card = sample(t)
        where = f"{builder} sample {number} ({locale})"
        assert_valid_card(card)
        read: set[str] = set()
        required = {node["id"] for node in _every_node(card) if str(node.get("type", "")).startswith("Input.") and node.get("isRequired")}
        verbs = []
        for action, reachable in actions_with_inputs(card):
            verb = verb_of(action)
            verbs.append(verb)
            assert verb in routed, f"{where}: {verb} is not routed"
            payload = payloads[verb]
            if not payload.reads_inputs():
                assert str(action.get("associatedInputs", "auto")).lower() == "none", f"{where}: {verb} reads no input but sends them"
                continue
            assert str(action.get("associatedInputs", "auto")).lower() == "auto", f"{where}: {verb} reads inputs but sends none"
            used = {input_id for input_id in set(reachable) if payload.reads_input(input_id)}
            assert used, f"{where}: {verb} reads {payload.card_inputs} but the card holds none of them"
            read |= used
            blocking = {input_id for input_id in set(reachable) & required if not payload.reads_input(input_id)}
            assert not blocking, f"{where}: {verb} is blocked by required inputs it does not read: {sorted(blocking)}"
        unread = set(_all_input_ids(card)) - read
        assert not unread, f"{where}: inputs no action reads: {sorted(unread)}"
        pale = [n["text"] for n in _every_node(card) if n.get("type") == "TextBlock" and str(n.get("color", "")).lower() == "warning"]
        assert not pale, f"{where}: warning-coloured text is unreadable on white: {pale}"
        assert not unbounded_inputs(card), f"{where}: inputs without bounds or error message: {unbounded_inputs(card)}"
        if builder not in WITHOUT_MENU_BUTTON:
            assert "menu.show" in verbs, f"{where}: no way back to the menu"


def _all_input_ids(card: dict[str, Any]) -> Iterator[str]:
    yield from _input_ids(card)
    for node in _own_nodes(card):
        if node.get("type") == "Action.ShowCard":
            yield from _all_input_ids(node["card"])


def unbounded_inputs(card: dict[str, Any]) -> list[str]:
    """Inputs Teams cannot check before sending: text without maxLength, a number without min and
    max, and any required or bounded input without the errorMessage Teams shows beside it."""
    problems = []
    for node in _every_node(card):
        kind = str(node.get("type", ""))
        if not kind.startswith("Input."):
            continue
        if kind == "Input.Text" and "maxLength" not in node:
            problems.append(f"{node['id']}: no maxLength")
        if kind == "Input.Number" and ("min" not in node or "max" not in node):
            problems.append(f"{node['id']}: no min and max")
        checked = node.get("isRequired") or any(key in node for key in ("min", "max", "regex"))
        if checked and not node.get("errorMessage"):
            problems.append(f"{node['id']}: no errorMessage")
    return problems


def _every_node(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _every_node(value)
    elif isinstance(node, list):
        for value in node:
            yield from _every_node(value)
