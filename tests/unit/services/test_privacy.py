"""Privacy use cases on the in-memory unit of work: my own data (audited), what my manager sees."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.conversations import StoredReference
from bot.domain.errors import NotFound
from bot.domain.staff import Role, Staff
from bot.services import privacy as service
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def people(db: FakeDatabase) -> dict[str, Staff]:
    mia = db.add_staff("Mia Manager", roles=(Role.MANAGER,))
    return {
        "mia": mia,
        "stan": db.add_staff("Stan Staff", manager=mia),
        "cato": db.add_staff("Cato Collega", manager=mia),
        "dirk": db.add_staff("Dirk Directeur", roles=(Role.MANAGER,)),
    }


def _personal_row(db: FakeDatabase, table: str, owner: Staff, free_text: str | None = None) -> None:
    db.table("personal_rows")[db.next_id("personal_rows")] = {
        "table": table, "owner": owner.id, "date": date(2026, 11, 2), "free_text": free_text, "log": False,
    }


async def test_my_data_holds_my_rows_only_and_the_export_is_audited(db: FakeDatabase, people: dict[str, Staff]) -> None:
    stan, cato = people["stan"], people["cato"]
    _personal_row(db, "work_registrations", stan, "Gent Virginie Lovelinggebouw")
    _personal_row(db, "coaching_requests", stan, "mijn eigen notitie")
    _personal_row(db, "work_registrations", cato, "Cato's geheime plek")
    db.table("conversations")[stan.aad_object_id] = StoredReference(
        aad_object_id=stan.aad_object_id, user_id="29:stan", user_name="Stan", conversation_id="a:stan",
        service_url="https://smba.example", tenant_id="t", channel_id="msteams", bot_id="28:bot", bot_name=None, locale=None,
        usable=True,
    )
    export = await service.export_personal_data(FakeUnitOfWork(db), service.ExportPersonalData(stan), NOW)
    assert export.tables["staff"][0]["email"] == "stan.staff@vlaanderen.be"
    assert [row["free_text"] for row in export.tables["work_registrations"]] == ["Gent Virginie Lovelinggebouw"]
    assert export.tables["coaching_requests"][0]["free_text"] == "mijn eigen notitie"
    assert "geheime" not in str(export)
    assert export.conversation == {"conversation_id": "a:stan", "service_url": "https://smba.example"}
    assert db.commits == 1
    assert db.audit() == [{
        "actor": f"staff:{stan.id}", "action": "privacy.exported", "subject_type": "staff", "subject_id": str(stan.id),
        "before": None, "after": {"at": NOW.isoformat(), "tables": ["coaching_requests", "staff", "work_registrations"]},
    }]
    assert db.outbox() == []


async def test_a_second_export_shows_the_first_in_my_audit_trail(db: FakeDatabase, people: dict[str, Staff]) -> None:
    stan = people["stan"]
    first = await service.export_personal_data(FakeUnitOfWork(db), service.ExportPersonalData(stan), NOW)
    second = await service.export_personal_data(FakeUnitOfWork(db), service.ExportPersonalData(stan), NOW)
    assert first.audit == [] and [entry["action"] for entry in second.audit] == ["privacy.exported"]
    assert second.conversation is None


async def test_someone_no_longer_in_the_directory_gets_nothing_and_nothing_is_written(db: FakeDatabase, people: dict[str, Staff]) -> None:
    ghost = Staff(id=404, aad_object_id="gone", email="gone@vlaanderen.be", display_name="Gone", entity_id=1, entity_code="DWSE",
                  manager_id=None, start_date=date(2020, 1, 1))
    with pytest.raises(NotFound):
        await service.export_personal_data(FakeUnitOfWork(db), service.ExportPersonalData(ghost), NOW)
    assert (db.commits, db.audit()) == (0, [])


async def test_my_manager_and_todays_deputy_with_what_they_see(db: FakeDatabase, people: dict[str, Staff]) -> None:
    deputies = db.table("deputies")
    deputies[1] = {"manager_id": people["mia"].id, "deputy_id": people["dirk"].id,
                   "valid_from": date(2026, 11, 20), "valid_until": date(2026, 11, 30)}
    deputies[2] = {"manager_id": people["mia"].id, "deputy_id": people["cato"].id,
                   "valid_from": date(2026, 12, 1), "valid_until": date(2026, 12, 5)}  # not yet
    view = await service.manager_view(FakeUnitOfWork(db), service.WhatMyManagerSees(people["stan"]), NOW)
    assert (view.manager_name, view.deputy_names) == ("Mia Manager", ("Dirk Directeur",))
    coaching = next(area for area in view.areas if area.area == "coaching")
    assert coaching.sees == () and coaching.does_not_see == ("privacy.hidden.coaching",)
    alone = await service.manager_view(FakeUnitOfWork(db), service.WhatMyManagerSees(people["dirk"]), NOW)
    assert (alone.manager_name, alone.deputy_names) == (None, ())
    assert (db.commits, db.audit()) == (0, [])
