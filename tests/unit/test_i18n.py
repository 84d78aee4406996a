"""Text catalogues: both languages have the same keys and the same placeholders; locale rules."""

from __future__ import annotations

import string

import pytest

from bot.i18n import MissingText, Translator, catalogue, resolve_locale


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


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
            assert text.strip(), f"{locale}:{key} is empty"


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
