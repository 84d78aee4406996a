"""User-facing text: one catalogue per language (nl, en), loaded once at start-up.

Each language's catalogue is the union of the JSON files in its folder (one file per flow,
so flows do not edit each other's text); keys are dotted, `area.name`. Dutch is the default;
clients whose locale starts with `en` get English.

A text that depends on a number is an object with one text per CLDR plural category of the
language ({"one": "{count} dag", "other": "{count} dagen"}); the `count` parameter chooses, by
Babel's plural rules, or the parameter named by "_by"; a form may itself be such an object, for
a text with two numbers. Decimal and float parameters are written in the language's number format
("41,50" in Dutch, "41.50" in English).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from babel import Locale as BabelLocale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

Locale = Literal["nl", "en"]
LOCALES: tuple[Locale, ...] = ("nl", "en")
_BABEL = {"nl": BabelLocale.parse("nl_BE"), "en": BabelLocale.parse("en_GB")}  # parsed once, not per call
_FOLDER = Path(__file__).parent


PLURAL_PARAM = "count"  # the parameter that chooses a plural text's form ...
PLURAL_BY = "_by"  # ... unless the text names another one: {"_by": "days", "one": ..., "other": ...}
Text = str | dict[str, "Text"]  # a plain text, or one text per plural category (nested for a second number)


class MissingText(KeyError):
    pass


@cache
def catalogue(locale: Locale) -> dict[str, Text]:
    """All texts of one language; a key defined in two files is an error."""
    merged: dict[str, Text] = {}
    for path in sorted((_FOLDER / locale).glob("*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ValueError(f"text key {key!r} defined twice ({path.name})")
            merged[key] = text
    return merged


def resolve_locale(client_locale: str | None, preferred: str | None = None, default: Locale = "nl") -> Locale:
    """The Teams client's locale wins; then the staff member's preference; then the default."""
    for candidate in (client_locale, preferred):
        if candidate:
            return "en" if candidate.lower().startswith("en") else "nl"
    return default


@dataclass(frozen=True)
class Translator:
    locale: Locale

    def __call__(self, key: str, **params: object) -> str:
        texts = catalogue(self.locale)
        if key not in texts:
            raise MissingText(f"{self.locale}:{key}")
        text = texts[key]
        while isinstance(text, dict):
            by = text.get(PLURAL_BY, PLURAL_PARAM)
            if by not in params:
                raise MissingText(f"{self.locale}:{key} needs {by!r} to choose its plural form")
            text = text.get(plural_category(self.locale, params[by])) or text["other"]
        if not params:
            return text
        return text.format(**{name: self._param(value) for name, value in params.items()})

    def _param(self, value: object) -> object:
        # A value known in both languages (e.g. a catalogue name) is given in this one.
        value = _in_locale(value, self.locale)
        if isinstance(value, Decimal | float):
            return self.number(value)
        return value

    def date(self, value: date, fmt: str = "EEEE d MMMM yyyy") -> str:
        return _format_date(value, fmt, self.locale)

    def short_date(self, value: date) -> str:
        return _format_date(value, "EEE d MMM", self.locale)

    def datetime(self, value: datetime, fmt: str = "EEEE d MMMM yyyy HH:mm") -> str:
        return format_datetime(value, fmt, tzinfo=value.tzinfo, locale=_BABEL[self.locale])

    def money(self, amount: Decimal | int) -> str:
        return format_currency(amount, "EUR", locale=_BABEL[self.locale])

    def number(self, value: Decimal | float | int) -> str:
        return format_decimal(value, locale=_BABEL[self.locale])

    def amount(self, value: Decimal | float | int) -> str:
        """An amount of money without its currency, always with cents ("41,50" / "41.50")."""
        return format_decimal(value, format="#,##0.00", locale=_BABEL[self.locale])


@lru_cache(maxsize=4096)
def _format_date(value: date, fmt: str, locale: Locale) -> str:
    """Cards name the same few weeks of days over and over; Babel takes tens of microseconds a date."""
    if type(value) is not date:  # a datetime passed as a date: its time is not part of the key's meaning
        value = date(value.year, value.month, value.day)
    return format_date(value, fmt, locale=_BABEL[locale])


def plural_category(locale: Locale, count: object) -> str:
    """The CLDR plural category ("one", "other", ...) of a number in the language."""
    if not isinstance(count, int | float | Decimal):
        try:
            count = Decimal(str(count))
        except ArithmeticError:
            return "other"  # a count already written out as text: the general form
    return _babel_locale(locale).plural_form(abs(count))


@cache
def _babel_locale(locale: Locale) -> BabelLocale:
    return BabelLocale.parse(_BABEL[locale])


@cache
def _babel_locale(locale: Locale) -> BabelLocale:
    return BabelLocale.parse(_BABEL[locale])


def _in_locale(value: object, locale: Locale) -> object:
    if hasattr(value, "nl") and hasattr(value, "en") and not isinstance(value, str):
        return getattr(value, locale)
    return value


def translator(locale: Locale) -> Translator:
    return Translator(locale)
