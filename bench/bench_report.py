"""The parliamentary report at the scale of the whole administration: a year for 21,392 staff with
about two million registrations, on PostgreSQL. Target: under 10 s and under 300 MB peak memory.

    .venv/bin/python -m bench.bench_report --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/DB [--runs 5]

The data is generated inside PostgreSQL (INSERT ... SELECT generate_series) and with COPY; this
RESETS THE SCHEMA of the given database. Each timed run is a fresh process (`--run-once`), so its
peak resident memory (getrusage maxrss) is the report's alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
STAFF = 21_392
ENTITIES = 60
YEAR = 2023
# Share of (staff, working day) pairs with a registration: about 2,000,000 over the year.
REGISTRATION_RATE = 0.36


async def generate(url: str) -> dict[str, int]:
    from storage.db import create_engine
    from storage.models import Base

    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        await connection.run_sync(Base.metadata.create_all)
    await engine.dispose()

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    db = await asyncpg.connect(dsn)
    try:
        now = datetime.now(UTC)
        await db.copy_records_to_table(
            "entities", columns=["id", "code", "name", "policy"],
            records=[(i, f"E{i:02d}", f"Entiteit {i:02d}", "{}") for i in range(1, ENTITIES + 1)],
        )
        staff = []
        for i in range(1, STAFF + 1):
            start = date(2010, 1, 1) if i % 50 else date(YEAR, 1 + i % 12, 1 + i % 28)  # 2% start during the year
            end = date(YEAR, 1 + i % 12, 28) if i % 97 == 0 else None  # 1% leave during the year
            staff.append((i, f"aad-{i}", f"staff{i}@vlaanderen.be", f"Staff {i}", 1 + i % ENTITIES, start, end, "nl", now, now))
        await db.copy_records_to_table(
            "staff", columns=["id", "aad_object_id", "email", "display_name", "entity_id", "start_date", "end_date", "language",
                              "created_at", "updated_at"], records=staff,
        )
        assignments = []
        for i, _aad, _email, _name, entity, start, _end, *_ in staff:
            if i % 20 == 0:  # 5% move to another entity during the year
                moved = date(YEAR, 1 + i % 12, 1 + i % 27)
                assignments.append((i, 1 + (entity + 7) % ENTITIES, start, moved))
                assignments.append((i, entity, moved, None))
            else:
                assignments.append((i, entity, start, None))
        await db.copy_records_to_table("staff_assignments", columns=["staff_id", "entity_id", "valid_from", "valid_until"], records=assignments)
        await db.execute("SELECT setval('staff_id_seq', $1)", STAFF)
        await db.execute("SELECT setval('entities_id_seq', $1)", ENTITIES)

        await db.execute(
            """
            INSERT INTO work_registrations (staff_id, day, place, part, status, source, created_at, updated_at)
            SELECT s.id, d::date,
                   CASE WHEN r < 0.70 THEN 'home' WHEN r < 0.78 THEN 'satellite' ELSE 'office' END,
                   CASE WHEN r2 < 0.9 THEN 'full' WHEN r2 < 0.95 THEN 'am' ELSE 'pm' END,
                   CASE WHEN r2 < 0.98 THEN 'registered' ELSE 'pending' END, 'import', now(), now()
            FROM staff s
            CROSS JOIN generate_series($1::date, $2::date, interval '1 day') AS d
            CROSS JOIN LATERAL (SELECT random() AS r, random() AS r2 WHERE s.id > 0 AND d IS NOT NULL) AS x
            WHERE extract(isodow FROM d) < 6 AND random() < $3
              AND d::date >= s.start_date AND (s.end_date IS NULL OR d::date <= s.end_date)
            """,
            date(YEAR, 1, 1), date(YEAR, 12, 31), REGISTRATION_RATE,
        )
        await db.execute(
            """
            INSERT INTO hybrid_ineligibility (staff_id, reason, valid_from, valid_until, created_at)
            SELECT id, (ARRAY['organisational','financial','competence','abuse','function'])[1 + id % 5],
                   make_date($1, 1 + id % 12, 1), CASE WHEN id % 2 = 0 THEN NULL ELSE make_date($1, 12, 31) END, now()
            FROM staff WHERE id % 40 = 0
            """,
            YEAR,
        )
        await db.execute(
            """
            INSERT INTO internet_allowance_choices (staff_id, mode, effective_from, monthly_cost, source, recorded_by, recorded_at)
            SELECT id, CASE WHEN id % 10 < 3 THEN 'flat_fee' ELSE 'third_party_payer' END, DATE '2021-10-01',
                   CASE WHEN id % 10 < 3 THEN NULL ELSE 35.00 END, 'import', 'bench', now() FROM staff
            UNION ALL
            SELECT id, 'flat_fee', make_date($1, 1 + id % 12, 1), NULL, 'import', 'bench', now() FROM staff WHERE id % 25 = 0
            """,
            YEAR,
        )
        await db.execute(
            """
            INSERT INTO webinars (id, title_nl, title_en, description_nl, description_en, target_group, status, created_at)
            SELECT g, 'Webinar ' || g, 'Webinar ' || g, '', '', (ARRAY['all','managers','hr'])[1 + g % 3], 'published', now()
            FROM generate_series(1, 12) g;
            INSERT INTO webinar_sessions (id, webinar_id, starts_at, ends_at, capacity, seats_taken, join_url)
            SELECT g, 1 + g % 12, make_timestamptz(2023, 1 + g % 12, 2 + (g / 12) * 6, 10, 0, 0), make_timestamptz(2023, 1 + g % 12, 2 + (g / 12) * 6, 11, 0, 0),
                   100, 100, 'https://teams.example/w' FROM generate_series(1, 48) g;
            INSERT INTO webinar_registrations (webinar_id, session_id, staff_id, status, registered_at, attended, source)
            SELECT 1 + (s.id % 48) % 12, 1 + s.id % 48, s.id, 'seated', now(), s.id % 3 > 0, 'import'
            FROM staff s WHERE s.id % 5 = 0;
            INSERT INTO coaching_requests (staff_id, kind, note, status, conversations, requested_on, requested_at, source)
            SELECT id, CASE WHEN id % 2 = 0 THEN 'leadership' ELSE 'resilience' END, '', 'closed', 5 + id % 2,
                   make_date(2023, 1 + id % 12, 1 + id % 28), now(), 'import'
            FROM staff WHERE id % 75 = 0;
            INSERT INTO equipment_categories (id, entity_id, code, name_nl, name_en)
            SELECT e, e, 'SMALL', 'Klein kantoormateriaal', 'Small office material' FROM generate_series(1, 60) e;
            INSERT INTO equipment_items (id, entity_id, code, name_nl, name_en, category_id, unit_price, min_months_in_service,
                                         needs_justification, allowed_roles, needs_approval, max_quantity, active, updated_at)
            SELECT e, e, 'HEADSET', 'Headset', 'Headset', e, 40.00, 0, false, '[]', true, 1, true, now() FROM generate_series(1, 60) e;
            INSERT INTO equipment_budgets (entity_id, category_id, year, amount, one_off, updated_at)
            SELECT e, e, 2023, 64000.00, false, now() FROM generate_series(1, 60) e;
            INSERT INTO equipment_requests (id, staff_id, entity_id, status, delivery, reasonable_adjustment, requested_on, delivered_on,
                                            created_at, updated_at)
            SELECT id, id, entity_id, 'delivered', 'office', false, make_date(2023, 1 + id % 12, 1), make_date(2023, 1 + id % 12, 15), now(), now()
            FROM staff WHERE id % 4 = 0;
            INSERT INTO equipment_request_lines (request_id, item_id, category_id, quantity, unit_price)
            SELECT r.id, r.entity_id, r.entity_id, 1, 40.00 FROM equipment_requests r;
            """
        )
        await db.execute("ANALYZE")
        counts = {
            table: await db.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            for table in ("staff", "staff_assignments", "work_registrations", "hybrid_ineligibility", "internet_allowance_choices",
                          "webinar_registrations", "coaching_requests", "equipment_requests")
        }
    finally:
        await db.close()
    return counts


async def produce_once(url: str) -> dict[str, float]:
    from bot.clock import SystemClock
    from bot.i18n import Translator
    from bot.reports.workbook import render_workbook
    from bot.services.reports import BuildReport, ReportRequest, build_report
    from storage.db import create_engine, create_session_factory
    from storage.uow import UnitOfWorkFactory

    engine = create_engine(url)
    try:
        started = time.perf_counter()
        report = await build_report(
            UnitOfWorkFactory(create_session_factory(engine))(), BuildReport(ReportRequest.parse(f"{YEAR}-01", f"{YEAR}-12"), actor=None),
            SystemClock().now(),
        )
        queried = time.perf_counter()
        content = render_workbook(report, Translator("nl"))
        done = time.perf_counter()
    finally:
        await engine.dispose()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": done - started, "query_seconds": queried - started, "workbook_seconds": done - queried,
        "peak_mb": peak_kb / 1024, "bytes": len(content),
        "average_share": float(report.key_figures().average_share or 0), "months": len(report.homework),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="postgresql+asyncpg://... (its schema is reset)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--run-once", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "report.json")
    args = parser.parse_args()
    if args.run_once:
        print(json.dumps(asyncio.run(produce_once(args.postgres))))
        return 0
    counts = {}
    if not args.skip_generate:
        started = time.perf_counter()
        counts = asyncio.run(generate(args.postgres))
        print(f"generated in {time.perf_counter() - started:.1f} s: {counts}")
    runs = []
    for _ in range(args.runs):
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_report", "--postgres", args.postgres, "--run-once"],
            cwd=ROOT, capture_output=True, text=True, check=True, env={**os.environ, "LOG_LEVEL": "WARNING"},
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(runs[-1])
    seconds = [run["seconds"] for run in runs]
    memory = [run["peak_mb"] for run in runs]
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpu",
        "python": platform.python_version(), "counts": counts, "runs": runs,
        "median_seconds": statistics.median(seconds), "min_seconds": min(seconds), "max_seconds": max(seconds),
        "median_peak_mb": statistics.median(memory), "max_peak_mb": max(memory),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"median {result['median_seconds']:.2f} s (min {result['min_seconds']:.2f}, max {result['max_seconds']:.2f}); "
          f"peak memory median {result['median_peak_mb']:.0f} MB, max {result['max_peak_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
