"""A registration text is a short sentence: a long one is not read word by word. The bound is
counted in dateparser calls (the costly part, over a millisecond each), not in wall time."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.domain import homework_text
from bot.domain.homework_text import MAX_WORDS, parse_request
from tests.conftest import DEFAULT_NOW


@pytest.fixture
def dateparser_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = homework_text.dateparser.parse

    def counting(text: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(homework_text.dateparser, "parse", counting)
    return calls


@pytest.mark.parametrize("filler", ["morgen", "vrijdag", "12 december", "24/11", "tomorrow"])
def test_a_long_text_of_date_like_words_is_not_understood_without_reading_dates(dateparser_calls: list[str], filler: str) -> None:
    text = "thuis " + " ".join([filler] * 400)
    parsed = parse_request(text, DEFAULT_NOW)
    assert dateparser_calls == []
    assert parsed.place == "home" and parsed.days == () and not parsed.complete
    assert parsed.unknown[-1] == "…" and len(parsed.unknown) <= 6


def test_a_sentence_up_to_the_limit_is_read_with_a_bounded_number_of_lookups(dateparser_calls: list[str]) -> None:
    words = ["thuis", *["morgen"] * (MAX_WORDS - 1)]
    parsed = parse_request(" ".join(words), DEFAULT_NOW)
    assert parsed.place == "home" and len(parsed.days) == 1 and parsed.complete
    assert 0 < len(dateparser_calls) <= MAX_WORDS


def test_realistic_long_sentences_are_still_read() -> None:
    parsed = parse_request("ik werk thuis op maandag 7 december, dinsdag 8 december en woensdag 9 december in de voormiddag", DEFAULT_NOW)
    assert parsed.part == "am" and {date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9)} <= set(parsed.days)
    weekly = parse_request("home every monday and thursday for the next 8 weeks in the morning", DEFAULT_NOW)
    assert weekly.complete and weekly.weekdays == (0, 3) and weekly.weeks == 8
