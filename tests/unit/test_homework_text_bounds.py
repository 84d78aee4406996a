"""A registration text is a short sentence: a long one is not read word by word. The bound is
counted in dateparser calls (the costly part, over a millisecond each), not in wall time."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.homework_text import MAX_REGISTRATION_TEXT_LENGTH, parse_request
from tests.conftest import DEFAULT_NOW


@pytest.mark.parametrize("filler", ["morgen", "vrijdag", "12 december", "24/11", "tomorrow"])
def test_a_long_text_of_date_like_words_is_not_read(dateparser_calls: list[str], filler: str) -> None:
    parsed = parse_request("thuis " + " ".join([filler] * 400), DEFAULT_NOW)
    assert dateparser_calls == []
    assert parsed.too_long and parsed.days == () and not parsed.complete


@pytest.mark.parametrize("filler", ["morgen", "vrijdag", "12 december", "24/11", "blabla"])
def test_a_text_up_to_the_limit_costs_at_most_one_dateparser_call(dateparser_calls: list[str], filler: str) -> None:
    words = ["thuis"]
    while len(" ".join([*words, filler])) <= MAX_REGISTRATION_TEXT_LENGTH:
        words.append(filler)
    parse_request(" ".join(words), DEFAULT_NOW)
    assert len(dateparser_calls) <= 1


def test_realistic_long_sentences_are_still_read() -> None:
    parsed = parse_request("ik werk thuis op maandag 7 december, dinsdag 8 december en woensdag 9 december in de voormiddag", DEFAULT_NOW)
    assert parsed.part == "am" and {date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9)} <= set(parsed.days)
    weekly = parse_request("home every monday and thursday for the next 8 weeks in the morning", DEFAULT_NOW)
    assert weekly.complete and weekly.weekdays == (0, 3) and weekly.weeks == 8
