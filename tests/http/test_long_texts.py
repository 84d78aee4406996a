"""Long typed messages over HTTP on SQLite and PostgreSQL: answered at once, and never read date by
date (each dateparser call is over a millisecond of CPU on the event loop). The bound is counted
in dateparser calls; the HTTP suite's slow-callback check (no callback over 100 ms) holds too."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storage.models.homework import WorkRegistrationRow
from tests.conftest import BotHarness
from tests.fakes.people import COLLEAGUE, STAFF
from tests.http.test_inbound import _count


@pytest.mark.parametrize(("user", "text", "expected"), [
    (STAFF, "thuis " + "morgen " * 280, "te lang"),
    (COLLEAGUE, "home " + "12 december " * 150, "too long"),
], ids=["nl", "en"])
async def test_a_long_registration_text_gets_the_form_without_reading_every_date(
    harness: BotHarness, dateparser_calls: list[str], user: Any, text: str, expected: str,
) -> None:
    assert 1_500 < len(text) < 2_000  # under the router's limit: the parser sees it
    sent = await harness.say(user, text)
    assert len(sent) == 1, sent
    assert expected in (sent[0].text or "") + json.dumps(sent[0].cards, ensure_ascii=False)
    assert dateparser_calls == []
    assert await _count(harness, WorkRegistrationRow) == 0


async def test_a_text_over_the_router_limit_is_answered_without_parsing(harness: BotHarness, dateparser_calls: list[str]) -> None:
    sent = await harness.say(STAFF, "thuis " + "vrijdag " * 512)  # 4 KB
    assert sent[0].text and "te lang" in sent[0].text
    assert dateparser_calls == []
    assert await _count(harness, WorkRegistrationRow) == 0
