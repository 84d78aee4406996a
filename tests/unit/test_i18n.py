"""Text catalogues: both languages have the same keys and the same placeholders; locale rules."""

from __future__ import annotations

import re
import string
from decimal import Decimal

import pytest
from babel import Locale as BabelLocale

from bot.i18n import (
    LOCALES,
    PLURAL_BY,
    PLURAL_PARAM,
    MissingText,
    Text,
    Translator,
    catalogue,
    resolve_locale,
)

# "dag(en)", "day(s)", "stuk(s)", "request(s)": a plural written out instead of chosen by the count.
HAND_MADE_PLURAL = re.compile(r"\w\((s|en|n|es|e)\)", re.IGNORECASE)


def forms(text: Text) -> list[str]:
    if isinstance(text, dict):
        return [form for category, value in text.items() if category != PLURAL_BY for form in forms(value)]  # type: ignore[arg-type]
    return [text]


def plural_texts(text: Text) -> list[dict]:
    if not isinstance(text, dict):
        return []
    return [text, *(inner for category, value in text.items() if category != PLURAL_BY for inner in plural_texts(value))]  # type: ignore[arg-type]


def placeholders(text: Text) -> set[str]:
    return {field for form in forms(text) for _, field, _, _ in string.Formatter().parse(form) if field is not None}


def test_same_keys_in_dutch_and_english() -> None:
    dutch, english = catalogue("nl"), catalogue("en")
    assert sorted(set(dutch) - set(english)) == []
    assert sorted(set(english) - set(dutch)) == []


def test_same_placeholders_per_key() -> None:
    dutch, english = catalogue("nl"), catalogue("en")
    different = {key: (placeholders(dutch[key]), placeholders(english[key])) for key in dutch if key in english
                 if placeholders(dutch[key]) != placeholders(english[key])}
    assert different == {}


def test_keys_are_dotted_and_texts_not_empty() -> None:
    for locale in ("nl", "en"):
        for key, text in catalogue(locale).items():
            assert "." in key, key
            assert all(form.strip() for form in forms(text)), f"{locale}:{key} is empty"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_hand_made_plurals(locale: str) -> None:
    """Plurals are chosen by Babel's plural rules from the count, never written as "day(s)"."""
    found = {key: form for key, text in catalogue(locale).items() for form in forms(text) if HAND_MADE_PLURAL.search(form)}  # type: ignore[arg-type]
    assert found == {}


@pytest.mark.parametrize("locale", LOCALES)
def test_plural_texts_use_the_languages_categories_and_the_count(locale: str) -> None:
    categories = set(BabelLocale.parse({"nl": "nl_BE", "en": "en_GB"}[locale]).plural_form.tags) | {"other"}
    for key, text in catalogue(locale).items():  # type: ignore[arg-type]
        for plural in plural_texts(text):
            assert "other" in plural and set(plural) - {PLURAL_BY} <= categories, f"{locale}:{key}: {sorted(plural)}"
            assert plural.get(PLURAL_BY, PLURAL_PARAM) in placeholders(text), f"{locale}:{key} is chosen by a number it does not show"


def test_plurals_and_decimals_follow_the_language() -> None:
    nl, en = Translator("nl"), Translator("en")
    assert nl("approvals.pending_intro", count=1).startswith("1 aanvraag wacht")
    assert nl("approvals.pending_intro", count=2).startswith("2 aanvragen wachten")
    assert en("approvals.pending_intro", count=1).startswith("1 request is waiting")
    assert en("approvals.pending_intro", count=3).startswith("3 requests are waiting")
    assert nl.amount(Decimal("41.5")) == "41,50" and en.amount(Decimal("41.5")) == "41.50"
    assert nl("allowance.cost_too_high", max=Decimal("60.5")) == nl("allowance.cost_too_high", max="60,5")
    with pytest.raises(MissingText):
        nl("approvals.pending_intro")  # a plural text without its count
    assert PLURAL_PARAM == "count"


@pytest.mark.parametrize(
    ("client", "preferred", "default", "expected"),
    [
        ("en-US", None, "nl", "en"),
        ("en-GB", "nl", "nl", "en"),  # the Teams client wins over the preference
        ("nl-BE", "en", "nl", "nl"),
        ("fr-BE", None, "en", "nl"),  # any other client language gets Dutch
        (None, "en", "nl", "en"),
        (None, None, "nl", "nl"),
        (None, None, "en", "en"),
        ("", None, "nl", "nl"),
    ],
)
def test_resolve_locale(client: str | None, preferred: str | None, default: str, expected: str) -> None:
    assert resolve_locale(client, preferred, default) == expected  # type: ignore[arg-type]


def test_translator_fills_placeholders_and_refuses_unknown_keys() -> None:
    assert Translator("en")("files.declined", filename="a.csv") == "No problem, I will not put a.csv in your OneDrive."
    with pytest.raises(MissingText):
        Translator("nl")("nothing.here")
