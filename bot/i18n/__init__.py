"""User-facing text: one catalogue per language (nl, en), loaded once at start-up.

Each language's catalogue is the union of the JSON files in its folder (one file per flow,
so flows do not edit each other's text); keys are dotted, `area.name`. Dutch is the default;
clients whose locale starts with `en` get English.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from babel import Locale as BabelLocale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

Locale = Literal["nl", "en"]
LOCALES: tuple[Locale, ...] = ("nl", "en")
_BABEL = {"nl": "nl_BE", "en": "en_GB"}
_FOLDER = Path(__file__).parent


class MissingText(KeyError):
    pass


@cache
def catalogue(locale: Locale) -> dict[str, str]:
    """All texts of one language; a key defined in two files is an error."""
    merged: dict[str, str] = {}
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
        if not params:
            return text
        # A value known in both languages (e.g. a catalogue name) is given in this one.
        return text.format(**{name: _in_locale(value, self.locale) for name, value in params.items()})

    def plural(self, key: str, count: int, **params: object) -> str:
        """The text `key.<form>` for `count` by the language's plural rule (Babel's CLDR data:
        "one" or "other" in Dutch and English), with `{count}` formatted in the language."""
        form = _plural_form(self.locale, count)
        texts = catalogue(self.locale)
        chosen = f"{key}.{form}" if f"{key}.{form}" in texts else f"{key}.other"
        return self(chosen, count=self.number(count), **params)

    def date(self, value: date, fmt: str = "EEEE d MMMM yyyy") -> str:
        return format_date(value, fmt, locale=_BABEL[self.locale])

    def short_date(self, value: date) -> str:
        return format_date(value, "EEE d MMM", locale=_BABEL[self.locale])

    def datetime(self, value: datetime, fmt: str = "EEEE d MMMM yyyy HH:mm") -> str:
        return format_datetime(value, fmt, tzinfo=value.tzinfo, locale=_BABEL[self.locale])

    def money(self, amount: Decimal | int) -> str:
        return format_currency(amount, "EUR", locale=_BABEL[self.locale])

    def number(self, value: Decimal | float | int) -> str:
        return format_decimal(value, locale=_BABEL[self.locale])


@cache
def _babel_locale(locale: Locale) -> BabelLocale:
    return BabelLocale.parse(_BABEL[locale])


def _plural_form(locale: Locale, count: int) -> str:
    return _babel_locale(locale).plural_form(count)


def _in_locale(value: object, locale: Locale) -> object:
    if hasattr(value, "nl") and hasattr(value, "en") and not isinstance(value, str):
        return getattr(value, locale)
    return value


def translator(locale: Locale) -> Translator:
    return Translator(locale)
