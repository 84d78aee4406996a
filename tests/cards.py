"""Card checks shared by the tests: the official Adaptive Cards 1.5 schema, as Teams renders them."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

SCHEMA = Path(__file__).parent / "schemas" / "adaptive-card-1.5.0.json"
MAX_CARD_BYTES = 28 * 1024


@cache
def _validator() -> Draft6Validator:
    return Draft6Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def _strip_msteams(node: Any) -> Any:
    # Teams' `msteams` extension is not part of the AC schema (which forbids extra properties).
    if isinstance(node, dict):
        return {k: _strip_msteams(v) for k, v in node.items() if k != "msteams" or "type" not in node}
    if isinstance(node, list):
        return [_strip_msteams(v) for v in node]
    return node


def card_errors(card: dict[str, Any]) -> list[str]:
    problems = []
    if card.get("type") != "AdaptiveCard":
        problems.append("type is not AdaptiveCard")
    if card.get("version") != "1.5":
        problems.append(f"version is {card.get('version')!r}, not 1.5")
    if card.get("msteams", {}).get("width", "Full") != "Full":
        problems.append("msteams.width must be Full")
    data = _strip_msteams(copy.deepcopy(card))
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.path)
        problems.append(f"{where}: {error.message[:300]}")
    size = len(json.dumps(card, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    if size > MAX_CARD_BYTES:
        problems.append(f"card is {size} bytes, over {MAX_CARD_BYTES}")
    ids = [n.get("id") for n in walk(card) if isinstance(n, dict) and n.get("id") and "type" in n]
    duplicates = {i for i in ids if ids.count(i) > 1}
    # Microsoft's renderer library rejects a required input without an error message, which is
    # also what Teams shows when the field is left empty.
    silent = [n.get("id") for n in walk(card) if isinstance(n, dict) and n.get("isRequired") and not n.get("errorMessage")]
    if silent:
        problems.append(f"required inputs without errorMessage: {silent}")
    if duplicates:
        problems.append(f"duplicate ids: {sorted(duplicates)}")
    return problems


def walk(node: Any):  # noqa: ANN201
    """Every dict, list and value in a card, depth first (for finding actions and inputs)."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def assert_valid_card(card: dict[str, Any]) -> None:
    problems = card_errors(card)
    assert not problems, "invalid Adaptive Card:\n" + "\n".join(problems)
