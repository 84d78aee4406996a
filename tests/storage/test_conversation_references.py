"""Conversation references on SQLite and PostgreSQL: one upsert that reports whether anything
changed, keeps the locale last seen, makes an unusable reference usable again, and lets concurrent
first turns of one person meet on the unique key instead of failing."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot.domain.conversations import StoredReference
from storage.models.directory import ConversationReferenceRow
from storage.uow import UnitOfWorkFactory
from tests.fakes.people import ADMIN, COLLEAGUE, DIRECTOR, HR, MANAGER, STAFF

AAD = "cccccccc-0000-0000-0000-000000000001"
REFERENCE = StoredReference(AAD, "29:c", "Cas", "a:personal-c", "https://smba.example", "tenant", "msteams", "28:bot", "Bot", "en-GB", True)


async def _save(uow_factory: UnitOfWorkFactory, reference: StoredReference) -> bool:
    async with uow_factory() as uow:
        changed = await uow.conversations.save(reference)
        await uow.commit()
    return changed


async def _stored(uow_factory: UnitOfWorkFactory) -> StoredReference | None:
    async with uow_factory() as uow:
        return await uow.conversations.get(AAD)


async def test_save_reports_changes_and_keeps_the_locale_last_seen(uow_factory: UnitOfWorkFactory) -> None:
    assert await _save(uow_factory, REFERENCE) is True
    assert await _save(uow_factory, REFERENCE) is False
    assert await _save(uow_factory, replace(REFERENCE, locale=None)) is False
    assert (await _stored(uow_factory)).locale == "en-GB"  # type: ignore[union-attr]
    assert await _save(uow_factory, replace(REFERENCE, locale="nl-BE", conversation_id="a:personal-c2")) is True
    stored = await _stored(uow_factory)
    assert stored == replace(REFERENCE, locale="nl-BE", conversation_id="a:personal-c2")


async def test_save_makes_an_unusable_reference_usable_again(uow_factory: UnitOfWorkFactory) -> None:
    await _save(uow_factory, REFERENCE)
    async with uow_factory() as uow:
        await uow.conversations.mark_unusable(AAD, "the user removed the app")
        await uow.commit()
    assert (await _stored(uow_factory)).usable is False  # type: ignore[union-attr]
    assert await _save(uow_factory, REFERENCE) is True
    async with uow_factory() as uow:
        row = (await uow.session.execute(select(ConversationReferenceRow.usable, ConversationReferenceRow.unusable_reason))).one()
    assert tuple(row) == (True, None)


async def test_concurrent_first_saves_of_one_person_make_one_row(uow_factory: UnitOfWorkFactory) -> None:
    results = await asyncio.gather(*(_save(uow_factory, REFERENCE) for _ in range(5)), return_exceptions=True)
    assert not [result for result in results if isinstance(result, BaseException)], results
    assert True in results
    async with uow_factory() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ConversationReferenceRow)) == 1


async def _in_transaction(uow) -> bool:  # noqa: ANN001 - the SQL unit of work
    connection = await uow.session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    if hasattr(driver, "is_in_transaction"):  # asyncpg
        return driver.is_in_transaction()
    return driver.in_transaction  # aiosqlite


async def test_the_turn_look_up_runs_without_a_transaction_on_postgresql(uow_factory: UnitOfWorkFactory) -> None:
    """Its read and its upsert each stand alone: on PostgreSQL no BEGIN and no ROLLBACK round trip
    around them, and the upsert is stored at once. SQLite keeps its transactions (its writer queue)."""
    postgres = uow_factory.session_factory.kw["bind"].dialect.name == "postgresql"
    async with uow_factory.standalone() as uow:
        await uow.staff.get_by_aad(AAD)
        assert await _in_transaction(uow) is not postgres
        assert await uow.conversations.save(REFERENCE) is True
        if postgres:
            assert await _stored(uow_factory) == REFERENCE  # committed without a commit
        await uow.commit()
    assert await _stored(uow_factory) == REFERENCE
    async with uow_factory() as uow:
        await uow.staff.get_by_aad(AAD)
        assert await _in_transaction(uow) is True


async def test_reach_gives_the_language_and_the_reference_in_one_read(directory: UnitOfWorkFactory) -> None:
    async with directory() as uow:
        staff = await uow.staff.get_by_aad(STAFF.aad_object_id)
        assert staff is not None
        assert await uow.conversations.reach(staff.id) == (staff.language, None)
        assert await uow.conversations.reach(10**9) is None
        await uow.conversations.save(replace(REFERENCE, aad_object_id=staff.aad_object_id))
        await uow.commit()
    async with directory.standalone() as uow:
        assert await uow.conversations.reach(staff.id) == (staff.language, replace(REFERENCE, aad_object_id=staff.aad_object_id))


async def test_teams_user_ids_of_people_and_their_deputies_on_the_day(directory: UnitOfWorkFactory) -> None:
    day, created = date(2026, 11, 23), datetime(2026, 11, 20, tzinfo=UTC)
    async with directory() as uow:
        people = {user: await uow.staff.get_by_aad(user.aad_object_id) for user in (MANAGER, STAFF, HR, ADMIN, COLLEAGUE, DIRECTOR)}
        ids = {user: person.id for user, person in people.items() if person is not None}
        for user in (MANAGER, STAFF, HR, ADMIN, DIRECTOR):  # COLLEAGUE has no stored reference
            await uow.conversations.save(replace(REFERENCE, aad_object_id=user.aad_object_id, user_id=user.user_id))
        await uow.approvals.add_deputy(ids[MANAGER], ids[HR], day, day, created)  # active on the day
        await uow.approvals.add_deputy(ids[MANAGER], ids[ADMIN], date(2026, 11, 1), date(2026, 11, 22), created)  # over
        await uow.approvals.add_deputy(ids[MANAGER], ids[COLLEAGUE], day, day, created)  # no reference
        await uow.approvals.add_deputy(ids[MANAGER], ids[STAFF], day, day, created)  # the one to leave out
        await uow.commit()
    async with directory() as uow:
        found = await uow.conversations.teams_user_ids([ids[MANAGER], ids[DIRECTOR]], with_deputies_on=day, excluding=ids[STAFF])
        assert sorted(found) == sorted([MANAGER.user_id, DIRECTOR.user_id, HR.user_id])
        assert await uow.conversations.teams_user_ids([ids[DIRECTOR]], with_deputies_on=day, excluding=ids[STAFF]) == [DIRECTOR.user_id]
        assert await uow.conversations.teams_user_ids([], with_deputies_on=day, excluding=ids[STAFF]) == []
