"""Retention on the in-memory unit of work: leavers anonymised, old free text and logs gone, old
audit details stripped (the cutoff taken in the zone of now), a dry run and a second run change
nothing, every step audited."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.conversations import StoredReference
from bot.domain.privacy import ANONYMISED_PREFIX
from bot.domain.staff import Staff
from bot.services.retention import ApplyRetention, apply_retention
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=BRUSSELS)  # 60 months: cutoff 2021-11-22, 00:00 here


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


def _row(db: FakeDatabase, table: str, owner: Staff, day: date, free_text: str | None = None, *, log: bool = False) -> int:
    row_id = db.next_id("personal_rows")
    db.table("personal_rows")[row_id] = {"table": table, "owner": owner.id, "date": day, "free_text": free_text, "log": log}
    return row_id


def _reference(aad: str) -> StoredReference:
    return StoredReference(aad, "29:x", None, "a:x", "https://smba", None, "msteams", "28:bot", None, None, True)


@pytest.fixture
def people(db: FakeDatabase) -> dict[str, Staff]:
    stan = db.add_staff("Stan Staff")
    lea = db.add_staff("Lea Vertrokken", start_date=date(2015, 3, 1), end_date=date(2020, 12, 31))
    recent = db.add_staff("Rik Recent", start_date=date(2015, 3, 1), end_date=date(2025, 6, 30))  # left after the cutoff
    _row(db, "work_registrations", stan, date(2020, 3, 2), "Gent Virginie Lovelinggebouw")
    _row(db, "work_registrations", stan, date(2025, 5, 6), "Brugge Werkplek")
    _row(db, "broadcast_deliveries", stan, date(2020, 1, 5), log=True)
    _row(db, "broadcast_deliveries", stan, date(2026, 1, 5), log=True)
    _row(db, "equipment_requests", lea, date(2020, 2, 3), "tweede scherm")
    _row(db, "internet_allowance_choices", lea, date(2019, 1, 1))  # nothing personal left to blank
    db.table("conversations")[lea.aad_object_id] = _reference(lea.aad_object_id)
    audit = db.table("audit")
    audit[db.next_id("audit")] = {"actor": f"staff:{stan.id}", "action": "homework.registered", "subject_type": "work_registration",
                                  "subject_id": "1", "before": None, "after": {"place": "satellite"},
                                  "at": datetime(2021, 11, 21, 22, 30, tzinfo=UTC)}  # 23:30 here: before the cutoff
    audit[db.next_id("audit")] = {"actor": f"staff:{stan.id}", "action": "homework.registered", "subject_type": "work_registration",
                                  "subject_id": "2", "before": None, "after": {"place": "home"},
                                  "at": datetime(2021, 11, 21, 23, 30, tzinfo=UTC)}  # 00:30 here: on the cutoff day
    return {"stan": stan, "lea": lea, "recent": recent}


async def _apply(db: FakeDatabase, months: int = 60, *, dry_run: bool = False):  # noqa: ANN202
    return await apply_retention(FakeUnitOfWork(db), ApplyRetention(months, dry_run=dry_run, actor="cli"), NOW)


def _free_text(db: FakeDatabase) -> dict[tuple[str, date], str | None]:
    return {(row["table"], row["date"]): row["free_text"] for row in db.table("personal_rows").values()}


async def test_leavers_are_anonymised_and_old_rows_lose_what_identifies(db: FakeDatabase, people: dict[str, Staff]) -> None:
    stan, lea, recent = people["stan"], people["lea"], people["recent"]
    result = await _apply(db)
    assert result.cutoff == date(2021, 11, 22)
    assert (result.anonymised, result.aged) == ([lea.id], [stan.id])
    anonymous = db.table("staff")[lea.id]
    assert anonymous.aad_object_id.startswith(ANONYMISED_PREFIX) and "Lea" not in anonymous.display_name
    assert (anonymous.start_date, anonymous.end_date, anonymous.entity_id) == (lea.start_date, lea.end_date, lea.entity_id)
    assert db.table("staff")[recent.id] == recent
    assert lea.aad_object_id not in db.table("conversations")
    assert _free_text(db) == {
        ("work_registrations", date(2020, 3, 2)): None, ("work_registrations", date(2025, 5, 6)): "Brugge Werkplek",
        ("broadcast_deliveries", date(2026, 1, 5)): None, ("equipment_requests", date(2020, 2, 3)): None,
        ("internet_allowance_choices", date(2019, 1, 1)): None,
    }
    assert result.rows == {"staff": 1, "equipment_requests": 1, "conversation_references": 1, "work_registrations": 1,
                           "broadcast_deliveries": 1}
    details = [(row["subject_id"], row["after"]) for row in db.audit("homework.registered")]
    assert details == [("1", None), ("2", {"place": "home"})]
    assert result.audit_stripped == 1
    trail = [(row["action"], row["subject_id"]) for row in db.audit() if row["action"].startswith("privacy.")]
    assert trail == [("privacy.anonymised", str(lea.id)), ("privacy.aged_out", str(stan.id)), ("privacy.audit_stripped", "2021-11-22")]
    assert db.audit("privacy.aged_out")[0]["after"] == {"cutoff": "2021-11-22", "rows": {"work_registrations": 1, "broadcast_deliveries": 1}}
    assert db.commits == 3  # one per person, one for the audit log and conversation state


async def test_a_dry_run_counts_what_would_change_and_changes_nothing(db: FakeDatabase, people: dict[str, Staff]) -> None:
    before = copy.deepcopy(db.state)
    dry = await _apply(db, dry_run=True)
    assert dry.dry_run and dry.anonymised == [people["lea"].id]
    # nothing was anonymised, so the leaver's old free text is still there to age out
    assert dry.aged == [people["stan"].id, people["lea"].id]
    assert dry.audit_stripped == 1 and dry.changed_anything
    assert db.state == before and db.commits == 0


async def test_a_second_run_finds_nothing_left_to_do(db: FakeDatabase, people: dict[str, Staff]) -> None:
    await _apply(db)
    audited = len(db.audit())
    again = await _apply(db)
    assert not again.changed_anything
    assert len(db.audit()) == audited


async def test_a_shorter_period_reaches_newer_rows(db: FakeDatabase, people: dict[str, Staff]) -> None:
    result = await _apply(db, months=12)
    assert result.cutoff == date(2025, 11, 22)
    assert result.anonymised == [people["lea"].id, people["recent"].id]
    assert _free_text(db)[("work_registrations", date(2025, 5, 6))] is None


async def test_a_period_under_one_month_is_refused(db: FakeDatabase, people: dict[str, Staff]) -> None:
    with pytest.raises(ValueError):
        await _apply(db, months=0)
    assert db.commits == 0
