"""Outgoing activities as JSON, the same dict msrest's `Model.serialize()` gives, at a fraction of its
cost.

msrest rebuilds its table of every model class in the schema module (`_infer_class_models`) and
walks each attribute through a generic, validating dispatcher for every activity sent: about 1 ms
of CPU for a reply with a card, paid by every turn. The Bot Framework schema models use only a few
attribute types (str, int, bool, float, long, iso-8601, object, models, and lists and dicts of
them; no flattened keys, no read-only attributes), which this walks directly with msrest's rules:
attributes that are None are left out, enum values are written by value, `object` values are
copied as msrest copies them, datetimes are written in UTC with milliseconds. Anything else (a type
this does not know, a value of an unexpected type) falls back to msrest itself, so the output is
msrest's in every case; tests/unit/test_activity_json.py compares the two.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

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
