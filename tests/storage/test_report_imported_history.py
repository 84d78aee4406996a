"""The report on a history imported through the documented formats (`import-staff`, then
`import-history allowances`, `registrations` and `ineligible`), on SQLite and PostgreSQL:
DWSE's published internet allowance counts (23/334 in 2021, 37/332 in 2022, 83/332 in 2023 up to
31 October) reproduced, with the distinct staff over both modes, per entity and in total.

DWSE (415 staff):
- 334 on the third-party payer (EUR 30 a month) from October 2021; two of them switch to the flat
  fee on 1 January 2022;
- 23 on the flat fee from October 2021;
- 12 start on 1 March 2022 and 46 on 1 February 2023, each with the flat fee from the first day;
- one more, without an internet allowance, is not eligible for hybrid work for the whole of 2023
  (out of the 2023 denominator).
AIV (2 staff): one on the third-party payer (EUR 25) from October 2021, one on the flat fee from
June 2022. Home days are registered by two people, one at a satellite office.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from bot.cli.history import import_history_file
from bot.services.directory import ImportStaff, import_staff
from bot.services.reports import BuildReport, ReportRequest, build_report
from bot.tables import load_table
from storage.uow import UnitOfWorkFactory
from tests.conftest import DEFAULT_NOW

Q = Decimal
HEADER = "aad_object_id,email,display_name,entity_code,entity_name,manager_email,start_date,roles,language"
DWSE = "DWSE,Departement Werk en Sociale Economie"
AIV = "AIV,Agentschap Informatie Vlaanderen"


def people() -> list[tuple[str, str, str, str, str | None]]:
    """(email, entity, start date, mode from, cost): the choices of the history file, one per line."""
    rows: list[tuple[str, str, str, str, str | None]] = []
    rows += [(f"tpp{i}@vlaanderen.be", DWSE, "2015-01-01", "third_party_payer", "30.00") for i in range(334)]
    rows += [(f"flat{i}@vlaanderen.be", DWSE, "2015-01-01", "flat_fee", None) for i in range(23)]
    rows += [(f"new22_{i}@vlaanderen.be", DWSE, "2022-03-01", "flat_fee", None) for i in range(12)]
    rows += [(f"new23_{i}@vlaanderen.be", DWSE, "2023-02-01", "flat_fee", None) for i in range(46)]
    rows += [("ineligible@vlaanderen.be", DWSE, "2015-01-01", "", None)]
    rows += [("aiv-tpp@vlaanderen.be", AIV, "2012-01-01", "third_party_payer", "25.00"),
             ("aiv-flat@vlaanderen.be", AIV, "2012-01-01", "flat_fee", None)]
    return rows


def write_files(tmp_path: Path) -> dict[str, Path]:
    staff = [HEADER] + [
        f"{index:08d}-0000-0000-0000-000000000000,{email},Person {index},{entity},,{start},staff,nl"
        for index, (email, entity, start, _mode, _cost) in enumerate(people(), start=1)
    ]
    choices = ["email,mode,effective_from,monthly_cost"]
    for email, _entity, start, mode, cost in people():
        if not mode:
            continue
        since = {"2015-01-01": "2021-10-01", "2012-01-01": "2021-10-01"}.get(start, start)
        if email == "aiv-flat@vlaanderen.be":
            since = "2022-06-01"
        choices.append(f"{email},{mode},{since},{cost or ''}")
    choices += ["tpp0@vlaanderen.be,flat_fee,2022-01-01,", "tpp1@vlaanderen.be,flat_fee,2022-01-01,"]
    registrations = [
        "email,date,place,part",
        "tpp0@vlaanderen.be,2023-03-01,home,full", "tpp0@vlaanderen.be,2023-03-02,satellite,full",
        "aiv-tpp@vlaanderen.be,2023-03-01,home,am",
    ]
    ineligible = ["email,reason,from,until", "ineligible@vlaanderen.be,function,2023-01-01,2023-12-31"]
    files = {"staff": staff, "allowances": choices, "registrations": registrations, "ineligible": ineligible}
    paths = {}
    for name, lines in files.items():
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


async def load(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    paths = write_files(tmp_path)
    await import_staff(uow_factory(), ImportStaff(await load_table(paths["staff"]), "cli"), datetime.combine(date(2021, 1, 4), time(9), UTC))
    for kind in ("allowances", "registrations", "ineligible"):
        await import_history_file(uow_factory, kind, paths[kind], actor="cli", now=DEFAULT_NOW)


def internet(report, entity: str = "*") -> list[tuple]:  # noqa: ANN001
    return [(line.year, line.mode, line.staff, line.eligible_staff, line.share, line.months, line.amount)
            for line in report.internet_allowance if (line.entity.code if line.entity else "*") == entity]


async def test_dwse_internet_allowance_counts_with_both_modes_per_entity_and_in_total(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    await load(uow_factory, tmp_path)
    report = await build_report(uow_factory(), BuildReport(ReportRequest.parse("2021-01", "2023-10"), None), DEFAULT_NOW)
    dwse = [
        # 2021: October to December. Eligible: the 358 in service.
        (2021, "flat_fee", 23, 358, Q("0.0642"), 69, Q("1380.00")),
        (2021, "third_party_payer", 334, 358, Q("0.9330"), 1002, Q("30060.00")),
        (2021, None, 357, 358, Q("0.9972"), 1071, Q("31440.00")),
        # 2022: the two switchers count as flat fee only (their choice from 1 January); 12 starters
        (2022, "flat_fee", 37, 370, Q("0.1000"), 420, Q("8400.00")),
        (2022, "third_party_payer", 332, 370, Q("0.8973"), 3984, Q("119520.00")),
        (2022, None, 369, 370, Q("0.9973"), 4404, Q("127920.00")),
        # 2023 up to October: 46 more starters; the one not eligible all year is out of the denominator
        (2023, "flat_fee", 83, 415, Q("0.2000"), 784, Q("15680.00")),
        (2023, "third_party_payer", 332, 415, Q("0.8000"), 3320, Q("99600.00")),
        (2023, None, 415, 415, Q("1.0000"), 4104, Q("115280.00")),
    ]
    assert internet(report, "DWSE") == dwse
    assert internet(report, "AIV") == [
        (2021, "third_party_payer", 1, 2, Q("0.5000"), 3, Q("75.00")),
        (2021, None, 1, 2, Q("0.5000"), 3, Q("75.00")),
        (2022, "flat_fee", 1, 2, Q("0.5000"), 7, Q("140.00")),
        (2022, "third_party_payer", 1, 2, Q("0.5000"), 12, Q("300.00")),
        (2022, None, 2, 2, Q("1.0000"), 19, Q("440.00")),
        (2023, "flat_fee", 1, 2, Q("0.5000"), 10, Q("200.00")),
        (2023, "third_party_payer", 1, 2, Q("0.5000"), 10, Q("250.00")),
        (2023, None, 2, 2, Q("1.0000"), 20, Q("450.00")),
    ]
    # the whole administration: the two entities added up, each person once
    assert internet(report) == [
        (2021, "flat_fee", 23, 360, Q("0.0639"), 69, Q("1380.00")),
        (2021, "third_party_payer", 335, 360, Q("0.9306"), 1005, Q("30135.00")),
        (2021, None, 358, 360, Q("0.9944"), 1074, Q("31515.00")),
        (2022, "flat_fee", 38, 372, Q("0.1022"), 427, Q("8540.00")),
        (2022, "third_party_payer", 333, 372, Q("0.8952"), 3996, Q("119820.00")),
        (2022, None, 371, 372, Q("0.9973"), 4423, Q("128360.00")),
        (2023, "flat_fee", 84, 417, Q("0.2014"), 794, Q("15880.00")),
        (2023, "third_party_payer", 333, 417, Q("0.7986"), 3330, Q("99850.00")),
        (2023, None, 417, 417, Q("1.0000"), 4124, Q("115730.00")),
    ]
    march = [(m.entity.code if m.entity else "*", m.eligible_staff, m.home_workers, m.home_days, m.satellite_days)
             for m in report.homework if str(m.month) == "2023-03"]
    assert march == [("*", 417, 2, Q("1.5"), Q("1")), ("AIV", 2, 1, Q("0.5"), Q("0")), ("DWSE", 415, 1, Q("1"), Q("1"))]
    assert [(g.entity.code if g.entity else "*", g.reason, g.staff) for g in report.ineligible] == [
        ("*", "function", 1), ("DWSE", "function", 1)]
