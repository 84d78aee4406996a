"""Activities to and from JSON: outgoing ones as the same dict msrest's `Model.serialize()` gives,
incoming ones as the same model `Activity().deserialize()` builds, each at a fraction of its cost.

msrest rebuilds its table of every model class in the schema module (`_infer_class_models`) and
walks each attribute through a generic, validating dispatcher for every activity sent: about 1 ms
of CPU for a reply with a card, paid by every turn. The Bot Framework schema models use only a few
attribute types (str, int, bool, float, long, iso-8601, object, models, and lists and dicts of
them; no flattened keys, no read-only attributes), which this walks directly with msrest's rules:
attributes that are None are left out, enum values are written by value, `object` values are
copied as msrest copies them, datetimes are written in UTC with milliseconds. Anything else (a type
this does not know, a value of an unexpected type) falls back to msrest itself, so the output is
msrest's in every case; tests/unit/test_activity_json.py compares the two.

Reading is the mirror image (`activity_from_json`, about a sixth of a turn's CPU through msrest):
strings, booleans and numbers of the declared type are taken as they are, `object` values are
copied, timestamps in the form Teams sends are parsed by the standard library, keys a model does
not declare become its `additional_properties`. A value msrest would convert or refuse (a number
where a string is declared, a dict-typed attribute sent as a list, an unusual date form) makes
msrest read the whole activity, so its conversions and its errors stay as they were.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Any

from botbuilder.schema import Activity
from msrest.serialization import Model


class _Unsupported(Exception):
    """A value this walker does not handle the way msrest does: msrest serializes the whole model."""


def activity_json(model: Model) -> dict[str, Any]:
    """The JSON body for a Bot Connector call, equal to `model.serialize()`."""
    try:
        return _model(model)
    except _Unsupported:
        return model.serialize()


def _model(model: Any) -> dict[str, Any]:
    if not isinstance(model, Model):
        raise _Unsupported
    serialized: dict[str, Any] = {}
    for attr, description in model._attribute_map.items():
        if attr == "additional_properties" and description["key"] == "":
            extra = getattr(model, "additional_properties", None)
            if extra is not None:
                serialized.update(extra)
            continue
        value = getattr(model, attr)
        if value is not None:
            serialized[description["key"]] = _data(value, description["type"])
    return serialized


def _unicode(value: Any) -> str:
    try:
        return value.value
    except AttributeError:
        return str(value)


_BASIC = {"str": _unicode, "int": int, "long": int, "bool": bool, "float": float}


def _data(value: Any, kind: Any) -> Any:
    if not isinstance(kind, str):
        raise _Unsupported
    basic = _BASIC.get(kind)
    if basic is not None:
        return basic(value)
    if kind == "object":
        return _object(value)
    if kind == "iso-8601":
        return _iso(value)
    if kind.startswith("[") and kind.endswith("]"):
        if isinstance(value, str):
            raise _Unsupported
        return [None if item is None else _data(item, kind[1:-1]) for item in value]
    if kind.startswith("{") and kind.endswith("}"):
        return {_unicode(key): None if item is None else _data(item, kind[1:-1]) for key, item in value.items()}
    if isinstance(value, Enum) or not isinstance(value, Model):
        raise _Unsupported
    return _model(value)


def _object(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float:
        return value
    if kind is dict:
        return {_unicode(key): None if item is None else _object(item) for key, item in value.items()}
    if kind is list:
        return [None if item is None else _object(item) for item in value]
    if kind is dt.datetime:
        return _iso(value)
    if isinstance(value, Model):
        return _model(value)
    raise _Unsupported  # dates, times, decimals, enums, subclasses: as msrest words them


def _iso(value: Any) -> str:
    if type(value) is not dt.datetime or value.tzinfo is None:
        raise _Unsupported  # msrest parses strings and warns about naive datetimes
    utc = value.utctimetuple()
    if utc.tm_year > 9999 or utc.tm_year < 1:
        raise _Unsupported
    microseconds = str(value.microsecond).rjust(6, "0").rstrip("0").ljust(3, "0")
    return (
        f"{utc.tm_year:04}-{utc.tm_mon:02}-{utc.tm_mday:02}T{utc.tm_hour:02}:{utc.tm_min:02}:{utc.tm_sec:02}"
        f".{microseconds}Z"
    )


# -- reading --------------------------------------------------------------------------------------
_MODELS: dict[str, type[Model]] = {
    name: cls for name, cls in Activity._infer_class_models().items() if isinstance(cls, type) and issubclass(cls, Model)
}
# Each model's declared attributes as (attribute, JSON key, type), and the JSON keys it knows.
_FIELDS = {name: tuple((attr, d["key"], d["type"]) for attr, d in cls._attribute_map.items()) for name, cls in _MODELS.items()}
_KNOWN_KEYS = {name: frozenset(key for _, key, _ in fields) for name, fields in _FIELDS.items()}
# Timestamps as Teams and the Bot Connector write them; anything else goes through msrest (isodate).
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)")


def activity_from_json(data: dict[str, Any]) -> Activity:
    """The activity in `data` (a JSON object), equal to `Activity().deserialize(data)`; msrest's
    DeserializationError where msrest would refuse it."""
    try:
        return _read_model("Activity", data)
    except _Unsupported:
        return Activity().deserialize(data)


def _read_model(name: str, data: Any) -> Any:
    if type(data) is not dict:
        raise _Unsupported
    values = {attr: _read(data.get(key), kind) for attr, key, kind in _FIELDS[name]}
    model = _MODELS[name](**values)
    known = _KNOWN_KEYS[name]
    extra = {key: value for key, value in data.items() if key not in known}
    if extra:
        model.additional_properties = extra
    return model


def _read(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "str":
        if type(value) is not str:
            raise _Unsupported  # msrest writes str(value)
        return value
    if kind == "object":
        return _copy(value)
    if kind == "bool":
        if type(value) is not bool:
            raise _Unsupported
        return value
    if kind == "int":
        if type(value) is not int:
            raise _Unsupported
        return value
    if kind == "float":
        if type(value) is not float and type(value) is not int:
            raise _Unsupported
        return float(value)
    if kind == "iso-8601":
        if type(value) is not str or not _TIMESTAMP.fullmatch(value):
            raise _Unsupported
        return dt.datetime.fromisoformat(value)
    if kind[0] == "[":
        if type(value) is not list:
            raise _Unsupported
        inner = kind[1:-1]
        return [_read(item, inner) for item in value]
    if kind[0] == "{":
        if type(value) is not dict:
            raise _Unsupported
        inner = kind[1:-1]
        return {key: _read(item, inner) for key, item in value.items()}
    if kind in _MODELS:
        return _read_model(kind, value)
    raise _Unsupported


def _copy(value: Any) -> Any:
    """An `object` value as msrest copies it: new dicts and lists, the same scalars."""
    kind = type(value)
    if kind is dict:
        return {key: None if item is None else _copy(item) for key, item in value.items()}
    if kind is list:
        return [None if item is None else _copy(item) for item in value]
    if kind is str or kind is bool or kind is int or kind is float:
        return value
    raise _Unsupported
