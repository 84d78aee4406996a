"""Card ids out of range, over HTTP on SQLite and PostgreSQL: every card verb that takes an id,
sent with an id no database row can have (2^63, just past 32 bits, 0, negative, a huge number
string, a huge text), answers "this card is no longer valid" in the user's language, never the
generic apology, and no business row changes.

Every payload field that names an id is found by its name (`*_id`, `*_ids`, and the item ids that
key `prices`, the registrations ticked in `attended`), so a new verb with an unbounded id fails here."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import select

from bot.actions import MAX_IDS, ActionData, InvalidPayload, parse_payload
from bot.wiring import build_registry
from storage.models import Base
from tests.conftest import BotHarness
from tests.fakes import teams
from tests.fakes.people import ADMIN, COLLEAGUE
from tests.fakes.teams import TeamsUser

OUT_OF_RANGE: list[Any] = [2**63, 2**31, 0, -1, "9" * 5_000, "x" * 20_000]
ON_THE_WIRE: list[Any] = [2**63, "9" * 5_000]  # over HTTP; the parser sees every value above
STALE = {"nl": "Deze kaart is niet meer geldig", "en": "This card is no longer valid"}
APOLOGY = ("Sorry", "De databank", "The database")
# Fields keyed by item id, and lists of ids, not named after an id.
ID_KEYED = {"prices": "10.00"}
ID_LISTS = {"attended"}  # the registration ids ticked on the attendance card
# What each verb needs besides its ids to be a valid payload, so an id alone is what is refused.
REQUIRED: dict[str, dict[str, Any]] = {
    "allowance.confirm_regular": {"confirmed": True},
    "approval.decide": {"decision": "approve"},
    "equipment.fulfil": {"step": "ordered"},
    "team.agreement.save": {"min_office_days": 1},
    "team.eligibility.mark.confirm": {"reason": "competence", "valid_from": "2026-11-23"},
}
# Tables any turn may write: the audit log and where to reach the person.
MAY_CHANGE = {"audit_log", "conversation_references", "job_claims"}


def _id_fields(model: type[ActionData]) -> list[str]:
    return [name for name in model.model_fields if name.endswith(("_id", "_ids")) or name in ID_KEYED or name in ID_LISTS]


def _verbs_with_ids() -> dict[str, type[ActionData]]:
    routes = build_registry().router._actions  # noqa: SLF001 - the routed payload classes
    return {verb: route.payload for verb, route in sorted(routes.items()) if _id_fields(route.payload)}


def _payload(model: type[ActionData], verb: str, field: str, value: Any) -> dict[str, Any]:
    """A payload valid in everything but `field`, which holds `value`."""
    data: dict[str, Any] = dict(REQUIRED.get(verb, {}))
    for name in _id_fields(model):
        data[name] = _shape(name, 1)
    data[field] = _shape(field, value)
    return data


def _shape(field: str, value: Any) -> Any:
    if field in ID_KEYED:
        return {str(value): ID_KEYED[field]}
    return [1, value] if field.endswith("_ids") or field in ID_LISTS else value


VERBS = _verbs_with_ids()
CASES = [(verb, field) for verb, model in VERBS.items() for field in _id_fields(model)]


def test_every_id_field_of_every_payload_is_bounded() -> None:
    assert len(VERBS) >= 30 and len(CASES) >= 34  # the registry's verbs were found
    for verb, field in CASES:
        model = VERBS[verb]
        parse_payload(model, verb, _payload(model, verb, field, 7))  # valid with an id in range
        for value in OUT_OF_RANGE:
            with pytest.raises(InvalidPayload):
                parse_payload(model, verb, _payload(model, verb, field, value))
        if field.endswith("_ids") or field in ID_LISTS:  # and no card sends more ids than MAX_IDS
            parse_payload(model, verb, {**_payload(model, verb, field, 7), field: list(range(1, MAX_IDS + 1))})
            with pytest.raises(InvalidPayload):
                parse_payload(model, verb, {**_payload(model, verb, field, 7), field: list(range(1, MAX_IDS + 2))})


async def _business_fingerprint(harness: BotHarness) -> str:
    digest = hashlib.sha256()
    async with harness.uow() as uow:
        for table in Base.metadata.sorted_tables:
            if table.name not in MAY_CHANGE:
                rows = (await uow.session.execute(select(table))).all()
                digest.update(table.name.encode() + repr(sorted(map(repr, rows))).encode())
    return digest.hexdigest()


async def _execute(harness: BotHarness, user: TeamsUser, verb: str, data: dict[str, Any]) -> str:
    """The invoke's answer (nothing is sent on its own: no need to wait for notifications)."""
    response = await harness.post(teams.execute(user, harness.service_url, verb, data))
    assert response.status == 200, await response.text()
    return (await response.json())["value"]


async def test_out_of_range_card_ids_answer_no_longer_valid(harness: BotHarness) -> None:
    before = await _business_fingerprint(harness)
    for verb, field in CASES:
        model = VERBS[verb]
        for value in ON_THE_WIRE:
            answer = await _execute(harness, ADMIN, verb, _payload(model, verb, field, value))
            assert answer.startswith(STALE["nl"]), (verb, field, str(value)[:20], answer)
        answer = await _execute(harness, COLLEAGUE, verb, _payload(model, verb, field, 2**63))
        assert answer.startswith(STALE["en"]), (verb, field, answer)
        # The same card sent as Action.Submit (a message) answers the same.
        sent = await harness.submit(ADMIN, {"verb": verb, **_payload(model, verb, field, 2**63)})
        assert [s.text for s in sent] and sent[0].text.startswith(STALE["nl"]), (verb, field)
        assert not any((s.text or "").startswith(APOLOGY) for s in sent)
    assert await _business_fingerprint(harness) == before
