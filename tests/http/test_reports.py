"""The report flow over HTTP: only HR and admins, the form, the background job, the summary card,
the file consent card, and the signed download link (valid, expired, tampered, role lost)."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from sqlalchemy import delete

from bot.app import SERVICES, create_app
from bot.i18n import Translator
from bot.reports import delivery
from bot.reports.delivery import jobs_of, reports_extension
from dialogs import reports as reports_dialog
from dialogs.reports import DOWNLOAD_KIND
from storage.models.directory import StaffRoleRow
from tests.cards import assert_valid_card
from tests.conftest import BotHarness, make_settings
from tests.fakes.people import ADMIN, COLLEAGUE, HR, MANAGER, STAFF

CONSENT = "application/vnd.microsoft.teams.card.file.consent"


async def _staff_id(harness: BotHarness, user) -> int:  # noqa: ANN001
    async with harness.uow() as uow:
        return (await uow.staff.get_by_aad(user.aad_object_id)).id


async def test_hr_gets_the_form_with_every_entity(harness: BotHarness) -> None:
    sent = await harness.say(HR, "rapport")
    card = sent[0].cards[0]
    assert_valid_card(card)
    body = json.dumps(card, ensure_ascii=False)
    assert "Rapport hybride werk" in body and "Departement Werk en Sociale Economie (DWSE)" in body and "(DV)" in body
    inputs = {element["id"]: element for element in card["body"] if "id" in element}
    assert inputs["start"]["value"] == "2025-01" and inputs["end"]["value"] == "2026-10"
    assert card["actions"][0]["data"]["verb"] == "reports.request"
    # hiding small counts is a choice, off by default
    assert inputs["min_cell"]["value"] == "0"
    assert [(c["title"], c["value"]) for c in inputs["min_cell"]["choices"]] == [
        ("Alles tonen", "0"), ("Verberg cellen onder 5 personen", "5"), ("Verberg cellen onder 10 personen", "10"),
    ]


async def test_small_counts_chosen_on_the_card_are_hidden_in_the_file_and_the_link(harness: BotHarness) -> None:
    sent = await harness.submit(HR, {"verb": "reports.request", "start": "2026-01", "end": "2026-02", "entity": "*", "min_cell": "5"})
    assert sent[0].text.startswith("Ik maak het rapport")
    await jobs_of(harness.services).wait()
    later = harness.connector.to(HR.conversation_id)
    summary = next(card for s in later for card in s.cards if "Rapport 2026-01 - 2026-02" in json.dumps(card, ensure_ascii=False))
    link = urlparse(summary["actions"][0]["url"])
    workbook = load_workbook(io.BytesIO(await (await harness.client.get(link.path)).read()))
    terms = [row[0] for row in workbook["Definities"].iter_rows(min_row=5, values_only=True)]
    assert "Kleine aantallen" in terms
    refused = await harness.submit(HR, {"verb": "reports.request", "start": "2026-01", "end": "2026-02", "entity": "*", "min_cell": "1"})
    assert "kleine aantallen" in refused[0].text


async def test_staff_and_managers_may_not_ask(harness: BotHarness) -> None:
    for user in (STAFF, MANAGER):
        assert (await harness.say(user, "rapport"))[0].text == "Dat mag je niet doen met jouw rol."
        refused = await harness.submit(user, {"verb": "reports.request", "start": "2022-01", "end": "2022-12", "entity": "*"})
        assert refused[0].text == "Dat mag je niet doen met jouw rol."
    assert jobs_of(harness.services).tasks == set()
    async with harness.uow() as uow:
        refused_what = {row.subject_id for row in await uow.audit.list_by_action("refused")}
    assert refused_what >= {"reports.request", "command:rapport"}


async def test_request_answers_at_once_then_delivers_summary_and_file(harness: BotHarness) -> None:
    sent = await harness.submit(HR, {"verb": "reports.request", "start": "2026-01", "end": "2026-10", "entity": "DWSE"})
    assert sent[0].text.startswith("Ik maak het rapport voor 2026-01 - 2026-10 (DWSE) klaar")
    await jobs_of(harness.services).wait()
    later = harness.connector.to(HR.conversation_id)
    summary = [card for s in later for card in s.cards if "Rapport 2026-01 - 2026-10" in json.dumps(card, ensure_ascii=False)]
    assert len(summary) == 1
    assert_valid_card(summary[0])
    text = json.dumps(summary[0], ensure_ascii=False)
    assert "Departement Werk en Sociale Economie (DWSE)" in text and "Gemiddeld percentage thuiswerkers" in text
    consent = [a for s in later for a in s.activity.get("attachments") or [] if a.get("contentType") == CONSENT]
    assert len(consent) == 1
    assert consent[0]["name"] == "rapport-hybride-werk-2026-01-2026-10-DWSE-v1.xlsx"  # the first version of this period
    assert consent[0]["content"]["sizeInBytes"] > 5000
    download = summary[0]["actions"][0]
    assert download["type"] == "Action.OpenUrl" and "/downloads/" in download["url"]


async def test_bad_form_is_answered_without_a_job(harness: BotHarness) -> None:
    for data, expected in (
        ({"start": "2023-13", "end": "2023-12"}, "'2023-13' is geen maand"),
        ({"start": "2023-10", "end": "2021-01"}, "begint (2023-10) na het einde"),
        ({"start": "2000-01", "end": "2023-12"}, "hoogstens 120 maanden"),
        ({"start": "2023-01", "end": "2023-12", "entity": "XYZ"}, "Entiteit 'XYZ' ken ik niet"),
    ):
        sent = await harness.submit(ADMIN, {"verb": "reports.request", "entity": "*", **data})
        assert expected in sent[0].text, sent[0].text
    assert jobs_of(harness.services).tasks == set()


async def test_english_client_gets_english(harness: BotHarness) -> None:
    # COLLEAGUE (English client) has no HR role: the refusal is in English
    assert (await harness.say(COLLEAGUE, "report"))[0].text == Translator("en")("common.not_allowed")
    sent = await harness.say(HR, "report")
    assert "Rapport hybride werk" in json.dumps(sent[0].cards[0], ensure_ascii=False)


async def test_download_link_recomputes_and_refuses_tampering_expiry_and_lost_roles(harness: BotHarness) -> None:
    hr_id = await _staff_id(harness, HR)
    params = {"from": "2026-01", "to": "2026-03", "lang": "nl"}
    link = harness.services.links.make(DOWNLOAD_KIND, params, hr_id)
    path = urlparse(link).path
    ok = await harness.client.get(path)
    assert ok.status == 200
    assert ok.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(await ok.read()))
    assert workbook.sheetnames[0] == "Definities" and len(workbook["Thuiswerk per maand"]._charts) == 1

    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert (await harness.client.get(tampered)).status == 403
    expired = harness.services.links.make(DOWNLOAD_KIND, params, hr_id, timedelta(minutes=15), now=datetime.now(UTC) - timedelta(hours=1))
    assert (await harness.client.get(urlparse(expired).path)).status == 410
    staff_link = harness.services.links.make(DOWNLOAD_KIND, params, await _staff_id(harness, STAFF))
    assert (await harness.client.get(urlparse(staff_link).path)).status == 403

    async with harness.uow() as uow:
        await uow.session.execute(delete(StaffRoleRow).where(StaffRoleRow.staff_id == hr_id, StaffRoleRow.role == "hr"))
        await uow.commit()
    assert (await harness.client.get(path)).status == 403
    async with harness.uow() as uow:
        audited = [row.subject_id for row in await uow.audit.list_by_action("download.refused")]
    assert audited.count(DOWNLOAD_KIND) == 2


async def test_with_background_jobs_the_turn_ends_before_the_report(directory, database_url: str, connector, clock) -> None:  # noqa: ANN001
    app = create_app(make_settings(database_url, BACKGROUND_JOBS=True), clock=clock, extensions=[])
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        harness = BotHarness(client=client, connector=connector, services=app[SERVICES], clock=clock)
        sent = await harness.submit(HR, {"verb": "reports.request", "start": "2026-01", "end": "2026-02", "entity": "*"})
        assert [s.text for s in sent][:1] == ["Ik maak het rapport voor 2026-01 - 2026-02 (Alle entiteiten) klaar. Je krijgt het zo meteen hier."]
        jobs = jobs_of(harness.services)
        await jobs.wait()
        assert jobs.busy == set()
        later = harness.connector.to(HR.conversation_id)
        kinds = [a.get("contentType") for s in later for a in s.activity.get("attachments") or []]
        assert kinds[-2:] == ["application/vnd.microsoft.card.adaptive", CONSENT]
    finally:
        await client.close()


async def _app_with_report_shutdown(database_url: str, connector, clock) -> tuple[TestClient, BotHarness]:  # noqa: ANN001
    app = create_app(make_settings(database_url, BACKGROUND_JOBS=True), clock=clock, extensions=[reports_extension])
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client, BotHarness(client=client, connector=connector, services=app[SERVICES], clock=clock)


async def test_shutdown_lets_a_running_report_reach_its_requester(directory, database_url: str, connector, clock) -> None:  # noqa: ANN001
    client, harness = await _app_with_report_shutdown(database_url, connector, clock)
    try:
        await harness.submit(HR, {"verb": "reports.request", "start": "2026-01", "end": "2026-02", "entity": "*"})
        assert jobs_of(harness.services).tasks  # still running when the shutdown starts
    finally:
        await client.close()
    kinds = [a.get("contentType") for s in connector.to(HR.conversation_id) for a in s.activity.get("attachments") or []]
    assert kinds[-2:] == ["application/vnd.microsoft.card.adaptive", CONSENT]


async def test_shutdown_past_the_grace_period_tells_the_requester_to_ask_again(  # noqa: ANN001
    directory, database_url: str, connector, clock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    never = asyncio.Event()

    async def stuck(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202 - a report that outlives the grace period
        await never.wait()

    monkeypatch.setattr(reports_dialog.service, "build_report", stuck)
    monkeypatch.setattr(delivery, "SHUTDOWN_GRACE_SECONDS", 0.2)
    client, harness = await _app_with_report_shutdown(database_url, connector, clock)
    try:
        await harness.submit(HR, {"verb": "reports.request", "start": "2026-01", "end": "2026-02", "entity": "*"})
        jobs = jobs_of(harness.services)
    finally:
        await client.close()
    assert not jobs.tasks and jobs.busy == set()
    assert connector.to(HR.conversation_id)[-1].text == Translator("nl")("reports.interrupted")


async def test_the_same_period_again_names_the_version_sent_and_offers_every_earlier_one(harness: BotHarness) -> None:
    request = {"verb": "reports.request", "start": "2026-01", "end": "2026-10", "entity": "DWSE"}
    for _ in range(2):
        await harness.submit(HR, request)
        await jobs_of(harness.services).wait()
    later = harness.connector.to(HR.conversation_id)
    summaries = [card for s in later for card in s.cards if "Rapport 2026-01 - 2026-10" in json.dumps(card, ensure_ascii=False)]
    assert len(summaries) == 2
    first, second = (json.dumps(card, ensure_ascii=False) for card in summaries)
    assert_valid_card(summaries[1])
    assert "Eerste versie van dit rapport" in first
    assert "Geen enkel cijfer veranderd sinds versie 1" in second and "Versie 1 van" in second
    consent = [a["name"] for s in later for a in s.activity.get("attachments") or [] if a.get("contentType") == CONSENT]
    assert consent == ["rapport-hybride-werk-2026-01-2026-10-DWSE-v1.xlsx", "rapport-hybride-werk-2026-01-2026-10-DWSE-v2.xlsx"]
    earlier = next(block["text"] for block in summaries[1]["body"] if "[download](" in block.get("text", ""))
    path = urlparse(earlier.split("](", 1)[1].rstrip(")")).path
    answer = await harness.client.get(path)
    assert answer.status == 200
    workbook = load_workbook(io.BytesIO(await answer.read()))
    assert workbook.sheetnames[-1] == "Wijzigingen" and workbook["Wijzigingen"]["A2"].value == "Eerste versie van dit rapport voor deze periode en dit bereik."
