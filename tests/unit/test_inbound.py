"""The activity at the edge (bot/inbound.py): what is refused, what is normalised, what passes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.inbound import LOCALE_MAX, MAX_DEPTH, NAME_MAX, Refused, read_activity
from tests.fakes import teams
from tests.fakes.people import STAFF

SERVICE_URL = "http://127.0.0.1:9/"


def activity(**changes: Any) -> dict[str, Any]:
    body = teams.message(STAFF, SERVICE_URL, "thuis morgen")
    body.update(changes)
    return body


def encoded(body: Any) -> bytes:
    return json.dumps(body).encode()


def refusal(body: bytes) -> str:
    with pytest.raises(Refused) as refused:
        read_activity(body)
    return refused.value.reason


def test_a_teams_activity_passes_unchanged() -> None:
    for body in (
        teams.message(STAFF, SERVICE_URL, "thuis morgen 😀 é"),
        teams.execute(STAFF, SERVICE_URL, "homework.register", {"day": "2026-11-23", "nested": {"a": [1, {"b": None}]}}),
        teams.install(STAFF, SERVICE_URL),
        teams.conversation_update(STAFF, SERVICE_URL),
        {"type": "typing"},  # not served, so nothing is required
    ):
        assert read_activity(encoded(body)) == body
        assert read_activity(json.dumps(body, ensure_ascii=False).encode()) == body


def test_deep_nesting_is_refused_without_recursion() -> None:
    assert "nested deeper" in refusal(b"[" * 200_000)  # json.loads itself would raise RecursionError
    deep: Any = "leaf"
    for _ in range(MAX_DEPTH):
        deep = {"x": deep}
    assert "nested deeper" in refusal(encoded(activity(value=deep)))
    lists: Any = 1
    for _ in range(MAX_DEPTH):
        lists = [lists]
    assert "nested deeper" in refusal(encoded(activity(value=lists)))
    shallow: Any = "leaf"
    for _ in range(MAX_DEPTH - 3):
        shallow = {"x": shallow}
    assert read_activity(encoded(activity(value=shallow)))["value"] == shallow


@pytest.mark.parametrize(
    "body",
    [b"not json", b"\xff\xfe", b"[]", b'"message"', b'{"type": 5}', b'{"no": "type"}',
     b'{"type": "message", "x": NaN}', b'{"type": "message", "x": Infinity}',
     b'{"type": "message", "x": ' + b"9" * 5000 + b"}"],
)
def test_bodies_that_are_not_activities(body: bytes) -> None:
    assert refusal(body)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"text": "thuis\x00morgen"}, "NUL"),
        ({"text": "thuis \ud83d morgen"}, "surrogate"),
        ({"value": {"note": "\udc00"}}, "surrogate"),
        ({"value": {"k\x00": 1}}, "key"),
        ({"from": {"name": "Stan"}}, "from.id"),
        ({"from": "29:abc"}, "from"),
        ({"from": {"id": 5}}, "from.id"),
        ({"from": {"id": "29:" + "x" * 300}}, "from.id"),
        ({"from": {"id": "29:a", "aadObjectId": "a" * 65}}, "from.aadObjectId"),
        ({"conversation": {"tenantId": "t"}}, "conversation.id"),
        ({"conversation": {"id": "a:" + "x" * 400}}, "conversation.id"),
        ({"conversation": {"id": "a:1", "tenantId": "t" * 65}}, "conversation.tenantId"),
        ({"channelData": {"tenant": "00000000-0000-0000-0000-0000000000001"}}, "channelData.tenant"),
        ({"channelData": {"tenant": {"id": "t" * 65}}}, "channelData.tenant.id"),
        ({"channelData": "msteams"}, "channelData"),
        ({"channelData": {"tenant": {"id": "another-tenant"}}}, "disagree"),
        ({"serviceUrl": None}, "serviceUrl"),
        ({"serviceUrl": "file:///etc/passwd"}, "serviceUrl"),
        ({"serviceUrl": "https://" + "x" * 400}, "serviceUrl"),
        ({"channelId": "c" * 33}, "channelId"),
        ({"id": ["not", "an", "id"]}, "id"),
        ({"entities": "clientInfo"}, "entities"),
        ({"entities": [["clientInfo"]]}, "entities"),
        ({"text": 42}, "text"),
        ({"locale": 5}, "locale"),
    ],
)
def test_what_cannot_be_served_is_refused_with_the_field(changes: dict[str, Any], named: str) -> None:
    reason = refusal(encoded(activity(**changes)))
    assert named in reason
    assert "x" * 50 not in reason and "\x00" not in reason  # the reason never echoes the value


def test_what_can_be_served_is_normalised() -> None:
    body = activity(locale="nl-BE-" + "x" * 20, **{"from": {"id": "29:a", "name": "N" * 500, "aadObjectId": STAFF.aad_object_id}})
    body["recipient"] = {"id": "28:bot", "name": "B" * 300}
    body["entities"][0]["locale"] = "en-" + "x" * 40
    normalised = read_activity(encoded(body))
    assert normalised["locale"] is None
    assert normalised["entities"][0] == {**body["entities"][0], "locale": None}  # the staff member's language or the default applies
    assert normalised["from"] == {"id": "29:a", "name": "N" * NAME_MAX, "aadObjectId": STAFF.aad_object_id}
    assert normalised["recipient"]["name"] == "B" * NAME_MAX
    for locale, kept in (("en-GB", "en-GB"), ("zh-Hant-TW", "zh-Hant-TW"), ("x" * (LOCALE_MAX + 1), None), ("nl BE", None), ("", None)):
        assert read_activity(encoded(activity(locale=locale)))["locale"] == kept, locale
