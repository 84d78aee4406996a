"""The activity read without msrest is msrest's activity: the same model, attribute by attribute,
for every shape Teams posts, and msrest's own reading (or refusal) for shapes it converts."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from botbuilder.schema import Activity
from msrest.exceptions import DeserializationError
from msrest.serialization import Model

from bot import activity_json
from bot.activity_json import activity_from_json
from tests.fakes import teams

USER = teams.TeamsUser("aad-1", "Ann Peeters", locale="en-GB")
URL = "https://smba.trafficmanager.net/emea/"


def _file_consent() -> dict[str, Any]:
    activity = teams.message(USER, URL, "")
    activity.update({"type": "invoke", "name": "fileConsent/invoke", "value": {
        "type": "fileUpload", "action": "accept", "context": {"file": "report.xlsx"},
        "uploadInfo": {"name": "report.xlsx", "uploadUrl": "https://upload.example/x", "contentUrl": "https://c.example/x",
                       "uniqueId": "u-1", "fileType": "xlsx"},
    }})
    return activity


def _mention() -> dict[str, Any]:
    activity = teams.message(USER, URL, "<at>Hybride werk</at> thuis morgen")
    activity["entities"].append({"type": "mention", "text": "<at>Hybride werk</at>",
                                 "mentioned": {"id": teams.BOT_ID, "name": "Hybride werk"}})
    activity["attachments"] = [{"contentType": "text/html", "content": "<div>thuis morgen</div>"}]
    return activity


def _odd_but_valid() -> dict[str, Any]:
    activity = teams.message(USER, URL, "thuis vrijdag")
    activity.update({
        "timestamp": "2026-11-22T10:00:00.1234567+01:00",  # seven decimals: msrest cuts them
        "localTimestamp": "2026-11-22T10:00:00+01:00", "localTimezone": "Europe/Brussels",
        "replyToId": "1:abc", "textFormat": "markdown", "importance": "high", "unknownTopLevel": {"a": [1, 2.5, None, True]},
        "membersAdded": [{"id": "29:x", "name": "X", "aadObjectId": "aad-x", "extra": "kept"}],
        "suggestedActions": {"to": ["29:x"], "actions": [{"type": "imBack", "title": "Ja", "value": "ja"}]},
    })
    activity["conversation"]["isGroup"] = False
    activity["channelData"]["teamsChannelId"] = None
    return activity


SHAPES = {
    "message": lambda: teams.message(USER, URL, "thuis volgende week woensdag — café"),
    "submit": lambda: teams.submit(USER, URL, {"action": "homework.register", "day": "2026-12-09", "nested": {"n": [1, {"x": None}]}}),
    "execute": lambda: teams.execute(USER, URL, "approval.decide", {"approval_id": 12, "decision": "approve"}, reply_to_id="1:card"),
    "install": lambda: teams.install(USER, URL),
    "conversation update": lambda: teams.conversation_update(USER, URL),
    "file consent": _file_consent,
    "mention": _mention,
    "odd but valid": _odd_but_valid,
}


def _same(fast: Any, slow: Any, path: str = "activity") -> None:
    assert type(fast) is type(slow), path
    if isinstance(slow, Model):
        assert vars(fast).keys() == vars(slow).keys(), path
        for name in vars(slow):
            _same(getattr(fast, name), getattr(slow, name), f"{path}.{name}")
    elif isinstance(slow, dict):
        assert fast.keys() == slow.keys(), path
        for key in slow:
            _same(fast[key], slow[key], f"{path}[{key!r}]")
    elif isinstance(slow, list):
        assert len(fast) == len(slow), path
        for index, (a, b) in enumerate(zip(fast, slow, strict=True)):
            _same(a, b, f"{path}[{index}]")
    elif hasattr(slow, "utcoffset"):
        assert fast == slow and fast.utcoffset() == slow.utcoffset(), path
    else:
        assert fast == slow, path


@pytest.mark.parametrize("shape", SHAPES)
def test_the_activity_is_msrests(shape: str) -> None:
    data = SHAPES[shape]()
    fast, slow = activity_from_json(copy.deepcopy(data)), Activity().deserialize(copy.deepcopy(data))
    _same(fast, slow)
    assert fast.serialize() == slow.serialize()


def test_teams_shapes_are_read_without_msrest(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Activity:
        raise AssertionError("msrest was asked to read a Teams-shaped activity")

    monkeypatch.setattr(Activity, "deserialize", refuse)
    for shape in ("message", "submit", "execute", "install", "conversation update", "file consent", "mention"):
        assert activity_from_json(SHAPES[shape]()).type


@pytest.mark.parametrize(
    ("change", "key", "value"),
    [
        ("a number where a string is declared", "id", 12345),
        ("a string where a boolean is declared", "historyDisclosed", "true"),
        ("a date without its offset (msrest: naive)", "timestamp", "2026-11-22T10:00:00"),
        ("a date with a comma for decimals", "timestamp", "2026-11-22T10:00:00,5Z"),
        ("a dict-typed attribute as a list", "channelData", None),
    ],
)
def test_what_msrest_converts_is_read_by_msrest(change: str, key: str, value: Any) -> None:
    data = teams.message(USER, URL, "thuis morgen")
    if value is not None:
        data[key] = value
    else:
        data["conversation"]["isGroup"] = "false"  # msrest reads "false" as False
    fast, slow = activity_from_json(copy.deepcopy(data)), Activity().deserialize(copy.deepcopy(data))
    _same(fast, slow)


def test_what_msrest_refuses_is_refused() -> None:
    data = teams.message(USER, URL, "thuis morgen")
    data["from"] = "not an account"
    with pytest.raises(DeserializationError):
        Activity().deserialize(copy.deepcopy(data))
    with pytest.raises(DeserializationError):
        activity_from_json(data)


def test_the_reader_knows_every_model_of_the_schema() -> None:
    kinds = {kind.strip("[]{}") for fields in activity_json._FIELDS.values() for _, _, kind in fields}
    models = kinds - {"str", "bool", "int", "float", "iso-8601", "object", "bytearray"}
    assert models <= activity_json._MODELS.keys()
