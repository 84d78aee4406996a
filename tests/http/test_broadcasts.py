"""HR's broadcast cards over HTTP: progress card (valid, refreshing for the viewer), cancel,
report link, and staff refused and audited."""

from __future__ import annotations

import pytest

from bot.registry import Registry
from bot.services import broadcasts as service
from tests.cards import assert_valid_card
from tests.conftest import BotHarness
from tests.fakes.people import HR, STAFF
from tests.storage.test_broadcast_delivery import NoticePayload, registry_with_test_kind


@pytest.fixture
def app_registry() -> Registry:
    return registry_with_test_kind()


async def create(harness: BotHarness) -> int:
    services = harness.services
    async with services.uow_factory() as uow:
        hr = await uow.staff.get_by_aad(HR.aad_object_id)
        staff = await uow.staff.get_by_aad(STAFF.aad_object_id)
    command = service.CreateBroadcast(hr, NoticePayload(text="Hallo"), "Webinar Focus @ home", [staff.id, hr.id])
    return await services.runner.run(service.create_broadcast, command)


async def test_progress_card_refreshes_for_hr_and_cancel_updates_it(harness: BotHarness) -> None:
    broadcast_id = await create(harness)
    body = await harness.execute(HR, "broadcast.progress", {"broadcast_id": broadcast_id})
    card = body["value"]
    assert_valid_card(card)
    assert card["refresh"]["userIds"] == [HR.user_id]
    assert card["refresh"]["action"]["verb"] == "broadcast.progress"
    texts = str(card)
    assert "Webinar Focus @ home" in texts and "Nog te verzenden" in texts
    verbs = [a.get("verb") for block in card["body"] if block["type"] == "ActionSet" for a in block["actions"]]
    assert "broadcast.cancel" in verbs
    urls = [a["url"] for block in card["body"] if block["type"] == "ActionSet" for a in block["actions"] if a["type"] == "Action.OpenUrl"]
    assert urls and "/downloads/" in urls[0]

    body = await harness.execute(HR, "broadcast.cancel", {"broadcast_id": broadcast_id})
    cancelled = body["value"]
    assert_valid_card(cancelled)
    assert "refresh" not in cancelled and "gestopt" in str(cancelled)
    async with harness.uow() as uow:
        actions = [row.action for row in await uow.audit.list_for_subject("broadcast", broadcast_id)]
    assert actions == ["broadcast.created", "broadcast.cancelled"]


async def test_report_downloads_as_xlsx(harness: BotHarness) -> None:
    broadcast_id = await create(harness)
    card = (await harness.execute(HR, "broadcast.progress", {"broadcast_id": broadcast_id}))["value"]
    url = next(a["url"] for block in card["body"] if block["type"] == "ActionSet" for a in block["actions"] if a["type"] == "Action.OpenUrl")
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = await harness.client.get("/" + path)
    assert response.status == 200
    content = await response.read()
    assert content[:2] == b"PK"  # an xlsx is a zip


async def test_staff_are_refused_and_audited(harness: BotHarness) -> None:
    broadcast_id = await create(harness)
    body = await harness.execute(STAFF, "broadcast.cancel", {"broadcast_id": broadcast_id})
    assert body["type"] == "application/vnd.microsoft.activity.message"
    async with harness.uow() as uow:
        refused = [row.subject_id for row in await uow.audit.list_by_action("refused")]
        broadcast = await uow.broadcasts.get(broadcast_id)
    assert "broadcast.cancel" in refused
    assert broadcast.status.value == "running"


async def test_list_command_shows_recent_broadcasts(harness: BotHarness) -> None:
    await create(harness)
    replies = await harness.say(HR, "verzendingen")
    cards = [c for reply in replies for c in reply.cards]
    assert cards and "Webinar Focus @ home" in str(cards[0])
    assert_valid_card(cards[0])
