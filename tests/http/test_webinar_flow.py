"""Webinars over HTTP: overview, invitation card with refresh, sign-up, waitlist, cancel with
promotion notice, HR creation and attendance; every card checked against Adaptive Cards 1.5."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.domain.webinars import SessionDraft, TargetGroup, WebinarDraft, WebinarStatus
from dialogs.cards.webinars import (
    CancelRegistration,
    SaveAttendance,
    SaveWebinar,
    ShowAttendance,
    ShowInvitation,
    SignUp,
)
from tests.cards import assert_valid_card
from tests.conftest import DEFAULT_NOW, BotHarness
from tests.fakes.people import COLLEAGUE, HR, MANAGER, OTHER_STAFF, STAFF


async def add_webinar(harness: BotHarness, capacity: int = 1, group: TargetGroup = TargetGroup.ALL) -> tuple[int, int]:
    draft = WebinarDraft(
        title_nl="Corona care: mentaal welzijn", title_en="Corona care: mental wellbeing", description_nl="Hoe hou je het vol?",
        description_en="How to keep going?", target_group=group,
        sessions=(SessionDraft(DEFAULT_NOW + timedelta(days=3), DEFAULT_NOW + timedelta(days=3, hours=1), capacity, "https://teams.example/j/1"),),
    )
    async with harness.uow() as uow:
        webinar_id = await uow.webinars.add(draft, [], WebinarStatus.PUBLISHED, None)
        await uow.commit()
        webinar = await uow.webinars.get(webinar_id)
    return webinar_id, webinar.sessions[0].id


def card_text(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


async def test_invitation_sign_up_waitlist_cancel_promotes_and_notifies(harness: BotHarness) -> None:
    webinar_id, session_id = await add_webinar(harness, capacity=1)
    await harness.install(COLLEAGUE)  # the promoted person must be reachable

    card = (await harness.execute(STAFF, "webinar.card", ShowInvitation(webinar_id=webinar_id).to_data()))["value"]
    assert_valid_card(card)
    assert card["refresh"]["action"]["verb"] == "webinar.card"
    assert card["refresh"]["userIds"] == [STAFF.user_id]
    assert "Nog 1 van 1 plaatsen vrij" in card_text(card)

    body = await harness.execute(STAFF, "webinar.signup", {"session_id": session_id})
    card = body["value"]
    assert_valid_card(card)
    assert "Je bent ingeschreven" in card_text(card)
    assert "https://teams.example/j/1" in card_text(card)

    # Full: the waitlist is offered with the position, and joined only on confirmation.
    body = await harness.execute(COLLEAGUE, "webinar.signup", {"session_id": session_id})
    offer = body["value"]
    assert_valid_card(offer)
    assert "number 1" in card_text(offer)
    body = await harness.execute(COLLEAGUE, "webinar.signup", SignUp(session_id=session_id, waitlist=True).to_data())
    assert_valid_card(body["value"])
    assert "waiting list, number 1" in card_text(body["value"])

    async with harness.uow() as uow:
        stan = await uow.staff.get_by_aad(STAFF.aad_object_id)
        registration = await uow.webinars.registration_of(webinar_id, stan.id)
    # Someone else cannot cancel Stan's seat with a forged payload.
    forged = await harness.execute(COLLEAGUE, "webinar.cancel", CancelRegistration(registration_id=registration.id).to_data())
    assert forged["value"] == 'Your role does not allow that.'
    async with harness.uow() as uow:
        assert await uow.webinars.get_registration(registration.id) is not None

    body = await harness.execute(STAFF, "webinar.cancel", CancelRegistration(registration_id=registration.id).to_data())
    assert_valid_card(body["value"])
    assert "uitgeschreven" in card_text(body["value"])
    told = harness.connector.texts(COLLEAGUE.conversation_id)
    assert any("a seat became free" in text and "Corona care: mental wellbeing" in text for text in told)

    # The refreshed card shows the live state for each viewer.
    card = (await harness.execute(COLLEAGUE, "webinar.card", {"webinar_id": webinar_id}, trigger="automatic"))["value"]
    assert "You are signed up" in card_text(card)
    card = (await harness.execute(STAFF, "webinar.card", {"webinar_id": webinar_id}, trigger="automatic"))["value"]
    assert "Volzet" in card_text(card)


async def test_overview_lists_only_webinars_for_my_target_group(harness: BotHarness) -> None:
    await add_webinar(harness, capacity=10)
    managers_id, _ = await add_webinar(harness, capacity=10, group=TargetGroup.MANAGERS)
    async with harness.uow() as uow:
        from sqlalchemy import update

        from storage.models.webinars import WebinarRow

        await uow.session.execute(update(WebinarRow).where(WebinarRow.id == managers_id).values(title_nl="Leidinggeven op afstand"))
        await uow.commit()
    staff_card = (await harness.say(STAFF, "webinars"))[0].cards[0]
    manager_card = (await harness.say(MANAGER, "webinars"))[0].cards[0]
    assert_valid_card(staff_card)
    assert_valid_card(manager_card)
    assert "Leidinggeven op afstand" not in card_text(staff_card)
    assert "Leidinggeven op afstand" in card_text(manager_card)
    assert "Corona care" in card_text(staff_card)


async def test_hr_creates_previews_and_invites(harness: BotHarness) -> None:
    form = (await harness.submit(HR, {"verb": "webinar.new"}))[0].cards[0]
    assert_valid_card(form)
    day = (DEFAULT_NOW + timedelta(days=10)).date().isoformat()
    data = SaveWebinar(
        title_nl="Focus @ home", title_en="Focus @ home", description_nl="Concentratie thuis", description_en="Focus at home",
        target_group="entities", entities="DV", s1_date=day, s1_start="10:00", s1_end="11:30", s1_capacity="100",
        s1_url="https://teams.example/j/focus",
    ).to_data()
    bad = await harness.execute(HR, "webinar.save", {**data, "s1_url": "http://insecure"})
    assert_valid_card(bad["value"])
    assert "https://" in card_text(bad["value"])

    preview = (await harness.execute(HR, "webinar.save", data))["value"]
    assert_valid_card(preview)
    assert "Focus @ home" in card_text(preview)
    assert "Aantal ontvangers" in card_text(preview)

    async with harness.uow() as uow:
        webinar = await uow.webinars.get_by_title("Focus @ home")
    assert webinar is not None and webinar.status is WebinarStatus.DRAFT and len(webinar.sessions) == 1
    # Staff do not see drafts; a staff member cannot reach HR's verbs.
    assert "Focus @ home" not in card_text((await harness.say(OTHER_STAFF, "webinars"))[0].cards[0])
    refused = await harness.execute(STAFF, "webinar.save", data)
    assert refused["value"] == "Dat mag je niet doen met jouw rol."


async def test_hr_marks_attendance(harness: BotHarness) -> None:
    webinar_id, session_id = await add_webinar(harness, capacity=5)
    await harness.execute(STAFF, "webinar.signup", {"session_id": session_id})
    await harness.execute(COLLEAGUE, "webinar.signup", {"session_id": session_id})
    # Before the session starts there is nothing to mark: no button, and a forged click is refused.
    detail = (await harness.submit(HR, {"verb": "webinar.manage", "webinar_id": webinar_id}))[0].cards[0]
    assert "webinar.attendance" not in card_text(detail)
    early = await harness.execute(HR, "webinar.attendance.save", {"session_id": session_id, "attended": ""})
    assert early["value"] == "Aanwezigheden noteer je zodra de sessie begonnen is."
    assert "zodra de sessie begonnen" in (await harness.submit(HR, ShowAttendance(session_id=session_id).to_data()))[0].text
    harness.clock.advance(days=3, minutes=5)
    detail = (await harness.submit(HR, {"verb": "webinar.manage", "webinar_id": webinar_id}))[0].cards[0]
    assert "webinar.attendance" in card_text(detail)
    card = (await harness.submit(HR, ShowAttendance(session_id=session_id).to_data()))[0].cards[0]
    assert_valid_card(card)
    choices = next(item for item in card["body"] if item.get("id") == "attended")["choices"]
    stan = next(c["value"] for c in choices if c["title"] == "Stan Staff")
    saved = (await harness.execute(HR, "webinar.attendance.save", {**SaveAttendance(session_id=session_id).to_data(), "attended": stan}))["value"]
    assert_valid_card(saved)
    assert "1 aanwezig" in card_text(saved)
    async with harness.uow() as uow:
        people = {p.display_name: p.attended for p in await uow.webinars.participants(session_id)}
        rows = await uow.webinars.participation_per_webinar()
    assert people == {"Stan Staff": True, "Cato Collega": False}
    assert [(r.webinar_id, r.registered, r.attended) for r in rows] == [(webinar_id, 2, 1)]
    # A registration id from elsewhere is refused and nothing changes.
    refused = await harness.execute(HR, "webinar.attendance.save", {"session_id": session_id, "attended": "99999"})
    assert refused["value"] == "Dat mag je niet doen met jouw rol."


async def test_hr_sends_invitation_and_recipients_get_their_own_card(harness: BotHarness) -> None:
    from bot.broadcast_worker import BroadcastWorker
    from dialogs.cards.webinars import SendInvitation

    webinar_id, session_id = await add_webinar(harness, capacity=5)
    await harness.install(STAFF)
    preview = (await harness.submit(HR, {"verb": "webinar.preview", "webinar_id": webinar_id}))[0].cards[0]
    assert_valid_card(preview)

    later = await harness.execute(HR, "webinar.invite", {**SendInvitation(webinar_id=webinar_id, when="later").to_data(),
                                                         "schedule_date": "2026-11-21", "schedule_time": "09:00"})
    assert "verleden" in later["value"]
    sent = await harness.execute(HR, "webinar.invite", SendInvitation(webinar_id=webinar_id, when="now").to_data())
    assert sent["type"] == "application/vnd.microsoft.card.adaptive"
    assert_valid_card(sent["value"])
    async with harness.uow() as uow:
        audit = await uow.audit.list_by_action("webinar.invited")
        recipients = audit[0].after["recipients"]
    await harness.execute(STAFF, "webinar.signup", {"session_id": session_id})
    assert recipients == 9  # everyone in service in the test directory
    # The broadcast workers draw each recipient's card when they send it.
    services = harness.services
    await BroadcastWorker(services, services.registry.broadcast_renderers).run_until_idle()
    card = harness.connector.cards(STAFF.conversation_id)[-1]
    assert_valid_card(card)
    assert card["refresh"]["userIds"] == [STAFF.user_id]
    assert card["refresh"]["action"]["data"] == {"webinar_id": webinar_id}
    assert "Je bent ingeschreven" in card_text(card)
