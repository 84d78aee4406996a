"""History import use cases on the in-memory unit of work: every kind validated as a whole, refused
with line numbers and nothing written, idempotent, audited; coaching handed to its area."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.domain.coaching import CoachingKind, CoachingStatus
from bot.domain.directory_import import ImportRefused, Table
from bot.domain.history import CatalogueItem
from bot.services import history_import as service
from bot.tables import csv_table
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def db() -> FakeDatabase:
    db = FakeDatabase()
    dwse = db.add_entity("DWSE", "Departement Werk en Sociale Economie")
    dv = db.add_entity("DV", "Agentschap Digitaal Vlaanderen")
    db.add_staff("Stan Staff", entity=dwse, start_date=date(2020, 5, 1), email="staff@vlaanderen.be")
    db.add_staff("Olga Other", entity=dv, start_date=date(2015, 1, 1), email="otherstaff@vlaanderen.be")
    return db


async def _import(db: FakeDatabase, kind: str, text: str):  # noqa: ANN202
    return await service.import_history(FakeUnitOfWork(db), service.ImportHistory(kind, csv_table(text), "cli"), NOW)


def _staff_id(db: FakeDatabase, email: str) -> int:
    return next(s.id for s in db.table("staff").values() if s.email == email)


REGISTRATIONS = """email,date,place,part
staff@vlaanderen.be,2021-03-01,home,full
staff@vlaanderen.be,2021-03-02,satellite,am
STAFF@vlaanderen.be,2021-03-03,office,
otherstaff@vlaanderen.be,2021-03-01,home,pm
"""


async def test_registrations_are_stored_as_registered_once_and_corrected_later(db: FakeDatabase) -> None:
    first = await _import(db, "registrations", REGISTRATIONS)
    assert first == service.HistorySummary("registrations", 4, 0, 0)
    stored = sorted((r["staff_id"], r["day"], r["place"], r["part"], r["status"], r["source"])
                    for r in db.table("history_registrations").values())
    stan, olga = _staff_id(db, "staff@vlaanderen.be"), _staff_id(db, "otherstaff@vlaanderen.be")
    assert stored == [
        (stan, date(2021, 3, 1), "home", "full", "registered", "import"),
        (stan, date(2021, 3, 2), "satellite", "am", "registered", "import"),
        (stan, date(2021, 3, 3), "office", "full", "registered", "import"),
        (olga, date(2021, 3, 1), "home", "pm", "registered", "import"),
    ]
    assert await _import(db, "registrations", REGISTRATIONS) == service.HistorySummary("registrations", 0, 0, 4)
    corrected = await _import(db, "registrations", "email,date,place,part\nstaff@vlaanderen.be,2021-03-01,office,full\n")
    assert corrected == service.HistorySummary("registrations", 0, 1, 0)
    assert [(row["actor"], row["subject_id"], row["after"]) for row in db.audit("history.imported")][-1] == (
        "cli", "registrations", {"kind": "registrations", "created": 0, "updated": 1, "unchanged": 0},
    )
    assert service.describe(corrected) == "0 created, 1 updated, 0 unchanged"


async def test_bad_rows_refuse_the_whole_file_before_the_directory_is_asked(db: FakeDatabase) -> None:
    with pytest.raises(ImportRefused) as refused:
        await _import(db, "registrations", """email,date,place,part
nobody@vlaanderen.be,2021-03-01,home,full
staff@vlaanderen.be,2021-02-30,home,full
staff@vlaanderen.be,2027-01-04,home,full
""")
    assert [p.line for p in refused.value.problems] == [3, 4]  # the unknown person is not even looked up
    with pytest.raises(ImportRefused) as refused:
        await _import(db, "registrations", "email,date,place,part\nnobody@vlaanderen.be,2021-03-01,home,full\n"
                      "staff@vlaanderen.be,2019-03-01,home,full\n")
    assert [(p.line, p.reason) for p in refused.value.problems] == [
        (2, "nobody@vlaanderen.be is not in the staff directory"),
        (3, "staff@vlaanderen.be was not in service on 2019-03-01"),
    ]
    with pytest.raises(ImportRefused) as refused:
        await _import(db, "registrations", "email,day,place\nstaff@vlaanderen.be,2021-03-01,home\n")
    assert refused.value.problems[0].line == 1 and "date" in refused.value.problems[0].reason
    assert (db.commits, db.table("history_registrations"), db.audit()) == (0, {}, [])


async def test_a_day_registered_in_the_bot_is_kept(db: FakeDatabase) -> None:
    stan = _staff_id(db, "staff@vlaanderen.be")
    db.table("history_registrations")[1] = {"staff_id": stan, "day": date(2021, 3, 1), "place": "office", "part": "full",
                                            "status": "registered", "source": "bot"}
    with pytest.raises(ImportRefused) as refused:
        await _import(db, "registrations", REGISTRATIONS)
    assert [p.line for p in refused.value.problems] == [2] and "the bot's registration is kept" in refused.value.problems[0].reason
    assert len(db.table("history_registrations")) == 1 and db.commits == 0


async def test_ineligibility_is_created_then_its_end_updated(db: FakeDatabase) -> None:
    text = "email,reason,from,until\nstaff@vlaanderen.be,function,2021-01-01,2021-06-30\notherstaff@vlaanderen.be,organisational,2022-02-01,\n"
    assert await _import(db, "ineligible", text) == service.HistorySummary("ineligible", 2, 0, 0)
    assert await _import(db, "ineligible", text) == service.HistorySummary("ineligible", 0, 0, 2)
    longer = "email,reason,from,until\nstaff@vlaanderen.be,function,2021-01-01,2021-09-30\n"
    assert await _import(db, "ineligible", longer) == service.HistorySummary("ineligible", 0, 1, 0)
    rows = sorted((r["reason"], r["valid_from"], r["valid_until"], r["note"]) for r in db.table("history_ineligibility").values())
    assert rows == [("function", date(2021, 1, 1), date(2021, 9, 30), "history import"),
                    ("organisational", date(2022, 2, 1), None, "history import")]
    with pytest.raises(ImportRefused) as refused:
        await _import(db, "ineligible", "email,reason,from,until\nnobody@vlaanderen.be,function,2021-01-01,\n")
    assert [p.line for p in refused.value.problems] == [2]


async def test_equipment_is_looked_up_in_the_catalogue_of_the_entity_of_the_day(db: FakeDatabase) -> None:
    stan = _staff_id(db, "staff@vlaanderen.be")
    dwse, dv = 1, 2
    db.table("history_catalogue")[(dwse, "headset")] = CatalogueItem(11, 5)
    db.table("history_catalogue")[(dv, "headset")] = CatalogueItem(21, 6)
    # Stan was in DV until the end of 2021
    db.table("history_assignments")[1] = {"staff_id": stan, "entity_id": dv, "valid_from": date(2020, 5, 1), "valid_until": date(2022, 1, 1)}
    text = "email,item_code,delivered_on,unit_price\nstaff@vlaanderen.be,HEADSET,2021-04-02,38.50\nstaff@vlaanderen.be,headset,2022-04-02,39.00\n"
    assert await _import(db, "equipment", text) == service.HistorySummary("equipment", 2, 0, 0)
    assert await _import(db, "equipment", text) == service.HistorySummary("equipment", 0, 0, 2)
    deliveries = sorted((r["delivered_on"], r["entity_id"], r["item_id"], r["category_id"], r["unit_price"])
                        for r in db.table("history_deliveries").values())
    assert deliveries == [(date(2021, 4, 2), dv, 21, 6, Decimal("38.50")), (date(2022, 4, 2), dwse, 11, 5, Decimal("39.00"))]
    del db.table("history_catalogue")[(dv, "headset")]
    with pytest.raises(ImportRefused) as refused:
        await _import(db, "equipment", "email,item_code,delivered_on,unit_price\nstaff@vlaanderen.be,headset,2021-05-02,38.50\n")
    assert [(p.line, "catalogue" in p.reason) for p in refused.value.problems] == [(2, True)]
    assert len(db.table("history_deliveries")) == 2


async def test_coaching_history_goes_to_the_coaching_use_case(db: FakeDatabase) -> None:
    text = "email,kind,requested_on,conversations\nstaff@vlaanderen.be,resilience,2021-02-01,5\n"
    result = await _import(db, "coaching", text)
    assert (result.created, result.unchanged) == (1, 0)
    [request] = db.table("coaching_requests").values()
    assert (request.kind, request.status, request.conversations) == (CoachingKind.RESILIENCE, CoachingStatus.CLOSED, 5)


async def test_unknown_kinds_are_refused_and_every_kind_takes_a_table(db: FakeDatabase) -> None:
    with pytest.raises(ImportRefused) as refused:
        await service.import_history(FakeUnitOfWork(db), service.ImportHistory("salaries", Table(["a"], []), "cli"), NOW)
    assert "unknown kind 'salaries'" in refused.value.problems[0].reason
    for kind in ("allowances", "webinars", "coaching"):  # the areas' own imports, refused the same way
        with pytest.raises(ImportRefused) as refused:
            await service.import_history(FakeUnitOfWork(db), service.ImportHistory(kind, Table(["a"], []), "cli"), NOW)
        assert "missing column" in refused.value.problems[0].reason
    assert db.commits == 0
    assert set(service.KINDS) == {"registrations", "allowances", "webinars", "coaching", "equipment", "ineligible", "assignments"}
