"""`make run` on a fresh machine: `bot migrate` then `bot seed-demo` on an empty database load the
demo directory and every area's demo data (equipment requests ask their approvals) and exit 0."""

from __future__ import annotations

import asyncio
import os
import sys

from sqlalchemy import func, select

from storage.db import create_engine
from storage.models.directory import StaffRow
from storage.models.equipment import EquipmentRequestRow
from tests.storage.test_migrations import empty_database  # noqa: F401 - the fixture, on both backends


async def _bot(url: str, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env={**os.environ, "DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 180)
    return process.returncode, output.decode()[-3000:]


async def test_a_fresh_database_gets_the_demo_data(empty_database: str) -> None:  # noqa: F811
    code, output = await _bot(empty_database, "migrate")
    assert code == 0, output
    code, output = await _bot(empty_database, "seed-demo")
    assert code == 0, output

    engine = create_engine(empty_database, pool_size=1)
    try:
        async with engine.connect() as connection:
            staff = await connection.scalar(select(func.count()).select_from(StaffRow))
            requests = await connection.scalar(select(func.count()).select_from(EquipmentRequestRow))
    finally:
        await engine.dispose()
    assert staff > 20 and requests > 0
