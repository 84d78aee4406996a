"""History import: every kind validated as a whole, refused with line numbers, idempotent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli.history import import_history_file
from bot.services.directory import ImportRefused
from bot.services.history_import import describe
from storage.models.allowances import AllowanceChoiceRow
from storage.models.directory import EntityRow
from storage.models.equipment import (
    EquipmentCategoryRow,
    EquipmentItemRow,
    EquipmentRequestLineRow,
    EquipmentRequestRow,
)
from storage.models.homework import IneligibilityRow, WorkRegistrationRow
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def count(uow_factory: UnitOfWorkFactory, model) -> int:  # noqa: ANN001
    async with uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)))


async def run(uow_factory: UnitOfWorkFactory, kind: str, path: Path):  # noqa: ANN201
    return await import_history_file(uow_factory, kind, path, actor="cli", now=DEFAULT_NOW)


REGISTRATIONS = """email,date,place,part
staff@vlaanderen.be,2021-03-01,home,full
staff@vlaanderen.be,2021-03-02,satellite,am
STAFF@vlaanderen.be,2021-03-03,office,
otherstaff@vlaanderen.be,2021-03-01,home,pm
"""


async def test_registrations_import_is_idempotent(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    path = write(tmp_path, "registrations.csv", REGISTRATIONS)
    first = await run(directory, "registrations", path)
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0)
    second = await run(directory, "registrations", path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)
    assert describe(second) == "0 created, 0 updated, 4 unchanged"
    async with directory() as uow:
        rows = (await uow.session.execute(
            select(WorkRegistrationRow.day, WorkRegistrationRow.place, WorkRegistrationRow.part, WorkRegistrationRow.source,
                   WorkRegistrationRow.status).order_by(WorkRegistrationRow.staff_id, WorkRegistrationRow.day)
        )).all()
        audit = await uow.audit.list_by_action("history.imported")
        audited = [(row.subject_id, row.after) for row in audit]
    assert [tuple(r) for r in rows] == [
        (date(2021, 3, 1), "home", "full", "import", "registered"),
        (date(2021, 3, 2), "satellite", "am", "import", "registered"),
        (date(2021, 3, 3), "office", "full", "import", "registered"),
        (date(2021, 3, 1), "home", "pm", "import", "registered"),
    ]
    assert audited[0] == ("registrations", {"kind": "registrations", "created": 4, "updated": 0, "unchanged": 0})
    corrected = write(tmp_path, "corrected.csv", "email,date,place,part\nstaff@vlaanderen.be,2021-03-01,office,full\n")
    third = await run(directory, "registrations", corrected)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 0)


async def test_bad_registration_rows_refuse_the_whole_file(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", """email,date,place,part
staff@vlaanderen.be,2021-03-01,home,full
nobody@vlaanderen.be,2021-03-01,home,full
staff@vlaanderen.be,2021-02-30,home,full
staff@vlaanderen.be,2021-03-04,garden,full
staff@vlaanderen.be,2027-01-04,home,full
staff@vlaanderen.be,2021-03-01,office,full
staff@vlaanderen.be,2019-03-01,home,full
""")
    with pytest.raises(ImportRefused) as refused:
        await run(directory, "registrations", path)
    lines = {problem.line: problem.reason for problem in refused.value.problems}
    # the parse errors come first; the directory checks run only on a file that parses
    assert sorted(lines) == [4, 5, 6, 7]
    assert "2021-02-30" in lines[4] and "garden" in lines[5] and "future" in lines[6] and "repeats line 2" in lines[7]
    assert await count(directory, WorkRegistrationRow) == 0

    unknown = write(tmp_path, "unknown.csv", "email,date,place,part\nstaff@vlaanderen.be,2021-03-01,home,full\n"
                    "nobody@vlaanderen.be,2021-03-01,home,full\nstaff@vlaanderen.be,2019-03-01,home,full\n")
    with pytest.raises(ImportRefused) as refused:
        await run(directory, "registrations", unknown)
    assert [(p.line, p.reason) for p in refused.value.problems] == [
        (3, "nobody@vlaanderen.be is not in the staff directory"),
        (4, "staff@vlaanderen.be was not in service on 2019-03-01"),
    ]
    assert await count(directory, WorkRegistrationRow) == 0
    with pytest.raises(ImportRefused) as refused:
        await run(directory, "registrations", write(tmp_path, "header.csv", "email,day,place\nstaff@vlaanderen.be,2021-03-01,home\n"))
    assert refused.value.problems[0].line == 1 and "date" in refused.value.problems[0].reason


async def test_a_registration_made_in_the_bot_is_kept(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    async with directory() as uow:
        staff = await uow.staff.get_by_email("staff@vlaanderen.be")
        uow.session.add(WorkRegistrationRow(staff_id=staff.id, day=date(2021, 3, 1), place="office", part="full", source="bot"))
        await uow.commit()
    with pytest.raises(ImportRefused) as refused:
        await run(directory, "registrations", write(tmp_path, "r.csv", REGISTRATIONS))
    assert [p.line for p in refused.value.problems] == [2]
    assert await count(directory, WorkRegistrationRow) == 1


async def test_ineligible_import(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    path = write(tmp_path, "ineligible.csv", """email,reason,from,until
staff@vlaanderen.be,function,2021-01-01,2021-06-30
otherstaff@vlaanderen.be,organisational,2022-02-01,
""")
    assert describe(await run(directory, "ineligible", path)) == "2 created, 0 updated, 0 unchanged"
    assert describe(await run(directory, "ineligible", path)) == "0 created, 0 updated, 2 unchanged"
    async with directory() as uow:
        rows = (await uow.session.execute(
            select(IneligibilityRow.reason, IneligibilityRow.valid_from, IneligibilityRow.valid_until).order_by(IneligibilityRow.id)
        )).all()
    assert [tuple(r) for r in rows] == [("function", date(2021, 1, 1), date(2021, 6, 30)), ("organisational", date(2022, 2, 1), None)]
    bad = write(tmp_path, "bad.csv", "email,reason,from,until\nstaff@vlaanderen.be,laziness,2021-01-01,\n"
                "staff@vlaanderen.be,function,2021-05-01,2021-04-01\n")
    with pytest.raises(ImportRefused) as refused:
        await run(directory, "ineligible", bad)
    assert [p.line for p in refused.value.problems] == [2, 3]
    assert await count(directory, IneligibilityRow) == 2


async def test_equipment_import_uses_the_entity_catalogue(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    async with directory() as uow:
        dwse = await uow.session.scalar(select(EntityRow).where(EntityRow.code == "DWSE"))
        category = EquipmentCategoryRow(entity_id=dwse.id, code="SMALL", name_nl="Klein", name_en="Small")
        uow.session.add(category)
        await uow.session.flush()
        uow.session.add(EquipmentItemRow(entity_id=dwse.id, code="HEADSET", name_nl="Headset", name_en="Headset",
                                         category_id=category.id, unit_price=Decimal("40.00")))
        await uow.commit()
    path = write(tmp_path, "equipment.csv", "email,item_code,delivered_on,unit_price\nstaff@vlaanderen.be,headset,2021-04-02,38.50\n")
    assert describe(await run(directory, "equipment", path)) == "1 created, 0 updated, 0 unchanged"
    assert describe(await run(directory, "equipment", path)) == "0 created, 0 updated, 1 unchanged"
    async with directory() as uow:
        request = await uow.session.scalar(select(EquipmentRequestRow))
        line = await uow.session.scalar(select(EquipmentRequestLineRow))
        assert (request.status, request.delivered_on, request.entity_id) == ("delivered", date(2021, 4, 2), dwse.id)
        assert (line.quantity, line.unit_price) == (1, Decimal("38.50"))
    # OTHER_STAFF's entity (DV) has no headset in its catalogue
    bad = write(tmp_path, "bad.csv", "email,item_code,delivered_on,unit_price\notherstaff@vlaanderen.be,HEADSET,2021-04-02,38.50\n"
                "staff@vlaanderen.be,HEADSET,2021-04-03,-1\n")
    with pytest.raises(ImportRefused) as refused:
        await run(directory, "equipment", bad)
    assert [p.line for p in refused.value.problems] == [3]
    bad_item = write(tmp_path, "bad2.csv", "email,item_code,delivered_on,unit_price\notherstaff@vlaanderen.be,HEADSET,2021-04-02,38.50\n")
    with pytest.raises(ImportRefused) as refused:
        await run(directory, "equipment", bad_item)
    assert [(p.line, "catalogue" in p.reason) for p in refused.value.problems] == [(2, True)]
    assert await count(directory, EquipmentRequestRow) == 1


async def test_allowances_go_to_the_allowance_service(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    path = write(tmp_path, "allowances.csv", "email,mode,effective_from,monthly_cost\n"
                 "staff@vlaanderen.be,third_party_payer,2021-10-01,30.00\nstaff@vlaanderen.be,flat_fee,2022-03-01,\n")
    await run(directory, "allowances", path)
    await run(directory, "allowances", path)
    assert await count(directory, AllowanceChoiceRow) == 2


async def test_unknown_kind_is_refused(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    with pytest.raises(ImportRefused):
        await run(directory, "salaries", write(tmp_path, "x.csv", "a\n1\n"))


async def test_webinars_and_coaching_go_to_their_services_and_feed_the_report(directory: UnitOfWorkFactory, tmp_path: Path) -> None:
    from bot.services.reports import BuildReport, ReportRequest, build_report

    webinars = write(tmp_path, "webinars.csv", "webinar_title,target_group,session_start,email,attended\n"
                     "Focus @ home,all,2021-03-04T10:00,staff@vlaanderen.be,yes\n"
                     "Focus @ home,all,2021-03-04T10:00,otherstaff@vlaanderen.be,no\n")
    coaching = write(tmp_path, "coaching.csv", "email,kind,requested_on,conversations\nstaff@vlaanderen.be,resilience,2021-02-01,5\n")
    await run(directory, "webinars", webinars)
    await run(directory, "webinars", webinars)
    await run(directory, "coaching", coaching)
    await run(directory, "coaching", coaching)
    registrations = write(tmp_path, "registrations.csv", REGISTRATIONS)
    await run(directory, "registrations", registrations)
    report = await build_report(directory(), BuildReport(ReportRequest.parse("2021-01", "2021-03"), actor=None), DEFAULT_NOW)
    # The session once for the whole administration (both people), then once per entity of who attended.
    assert [(w.title, w.registered, w.attended) for w in report.webinars if w.entity is None] == [("Focus @ home", 2, 1)]
    assert sorted((w.registered, w.attended) for w in report.webinars if w.entity is not None) == [(1, 0), (1, 1)]
    # Imported twice, counted once: per year and kind for the whole administration (and the same
    # person again in their entity's lines, over both kinds and over the whole period).
    assert [(c.year, c.kind, c.requests, c.conversations) for c in report.coaching if c.entity is None and c.year and c.kind] == [
        (2021, "resilience", 1, 5)
    ]
    assert {(c.requests, c.staff, c.conversations) for c in report.coaching} == {(1, 1, 5)}
    # March 2021: the directory's staff in service then (STAFF since 05/2020; COLLEAGUE only in 2026)
    march = report.homework[2]
    # home days: a full day and an afternoon at home; the satellite morning is a satellite day apart
    assert march.entity is None
    assert (march.eligible_staff, march.home_workers, march.home_days, march.satellite_days) == (8, 2, Decimal("1.5"), Decimal("0.5"))
