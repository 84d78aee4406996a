"""HR's payroll export over HTTP: the form, the summary and the files, refusals, and the signed
download link's producer."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlsplit

import pytest

from bot.files import CONSENT_CARD_TYPE
from dialogs.allowance import PAYROLL_DOWNLOAD
from storage.uow import UnitOfWorkFactory
from tests.cards import assert_valid_card
from tests.conftest import BotHarness
from tests.fakes.people import ADMIN, HR, STAFF
from tests.fakes.policies import go_live


@pytest.fixture
async def directory(directory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """The test directory, its entities giving new staff their default since before anyone started
    (without a go-live date the history import is the truth and nobody gets a default)."""
    await go_live(directory)
    return directory


async def staff_id(harness: BotHarness, email: str) -> int:
    async with harness.uow() as uow:
        found = await uow.staff.get_by_email(email)
    return found.id


async def test_hr_opens_the_form_and_gets_the_workbook(harness: BotHarness) -> None:
    sent = await harness.say(HR, "loonexport")
    card = sent[0].cards[0]
    assert_valid_card(card)
    text = json.dumps(card, ensure_ascii=False)
    assert "DWSE" in text and '"DV' not in text  # HR exports its own entity only
    assert "2026-10" in text and "payroll.export" in text
    sent = await harness.submit(HR, {"verb": "payroll.export", "entity": "DWSE", "month": "2026-10", "format": "xlsx"})
    assert sent[0].text.replace("\xa0", " ").startswith("Export DWSE, oktober 2026: 7 personeelsleden; 7 forfaits (€ 140,00)")
    attachments = [a for s in sent for a in s.activity.get("attachments") or []]
    assert [a["contentType"] for a in attachments] == [CONSENT_CARD_TYPE]
    assert attachments[0]["name"] == "payroll-DWSE-2026-10.xlsx"


async def test_csv_gives_two_files(harness: BotHarness) -> None:
    sent = await harness.submit(ADMIN, {"verb": "payroll.export", "entity": "DV", "month": "2026-10", "format": "csv"})
    names = [a["name"] for s in sent for a in s.activity.get("attachments") or []]
    assert names == ["payroll-DV-2026-10.csv", "payroll-DV-2026-10-third-party.csv"]


async def test_refusals(harness: BotHarness) -> None:
    sent = await harness.say(STAFF, "payroll")
    assert "rol" in sent[0].text and not sent[0].cards
    sent = await harness.submit(STAFF, {"verb": "payroll.export", "entity": "DWSE", "month": "2026-10"})
    assert "rol" in sent[0].text
    sent = await harness.submit(HR, {"verb": "payroll.export", "entity": "DV", "month": "2026-10"})
    assert "rol" in sent[0].text and not any(s.activity.get("attachments") for s in sent)
    sent = await harness.submit(HR, {"verb": "payroll.export", "entity": "DWSE", "month": "oktober"})
    assert "niet meer geldig" in sent[0].text
    sent = await harness.submit(HR, {"verb": "payroll.export", "entity": "DWSE", "month": "2027-05"})
    assert "toekomst" in sent[0].text
    sent = await harness.submit(HR, {"verb": "payroll.export"})
    assert "Kies een entiteit" in sent[0].text


async def test_download_link_produces_the_export_and_rechecks_the_entity(harness: BotHarness) -> None:
    hr = await staff_id(harness, "hr@vlaanderen.be")
    link = harness.services.links.make(PAYROLL_DOWNLOAD, {"entity": "DWSE", "month": "2026-10", "format": "csv", "part": 1}, hr)
    response = await harness.client.get(urlsplit(link).path)
    assert response.status == 200
    rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8"))))
    assert rows[0] == ["email", "name", "provider", "customer_number", "monthly_cost"] and rows[-1][0] == "TOTAL"
    other = harness.services.links.make(PAYROLL_DOWNLOAD, {"entity": "DV", "month": "2026-10", "format": "xlsx"}, hr)
    assert (await harness.client.get(urlsplit(other).path)).status == 404
    staff = await staff_id(harness, "staff@vlaanderen.be")
    forbidden = harness.services.links.make(PAYROLL_DOWNLOAD, {"entity": "DWSE", "month": "2026-10"}, staff)
    assert (await harness.client.get(urlsplit(forbidden).path)).status == 403
