"""The allowance commands: payroll export to files and the history import, on a migrated SQLite database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.__main__ import main
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory
from tests.conftest import load_directory


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)

    async def load() -> None:
        engine = create_engine(url)
        try:
            await load_directory(UnitOfWorkFactory(create_session_factory(engine)))
        finally:
            await engine.dispose()

    asyncio.run(load())
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_import_history_then_export_csv(database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = tmp_path / "history.csv"
    history.write_text(
        "email,mode,effective_from,monthly_cost\n"
        "staff@vlaanderen.be,third_party_payer,2024-01-01,41.50\n"
        "manager@vlaanderen.be,flat_fee,2024-01-01,\n",
        encoding="utf-8",
    )
    assert main(["allowances", "import-history", str(history)]) == 0
    assert "2 created, 0 unchanged" in capsys.readouterr().out
    assert main(["allowances", "import-history", str(history)]) == 0
    assert "0 created, 2 unchanged" in capsys.readouterr().out

    # The bot took over new staff on 1 January 2026: only Cato (started 14 June 2026) gets the default.
    assert main(["allowances", "go-live", "--entity", "dwse", "--since", "2026-01-01"]) == 0
    assert "DWSE: default flat_fee for staff starting on or after 2026-01-01" in capsys.readouterr().out
    out = tmp_path / "export" / "payroll.csv"
    assert main(["allowances", "export", "--entity", "DWSE", "--month", "2026-10", "--format", "csv", "--out", str(out)]) == 0
    staff_lines = out.read_text(encoding="utf-8").splitlines()
    third = (tmp_path / "export" / "payroll-third-party.csv").read_text(encoding="utf-8").splitlines()
    assert staff_lines[-1].startswith("TOTAL,7,,40.00,")  # Mia's imported flat fee and Cato's default
    assert third[1] == "staff@vlaanderen.be,Stan Staff,,,41.50" and third[-1] == "TOTAL,1,,,41.50"


def test_refusals_exit_non_zero(database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("email,mode,effective_from,monthly_cost\nstaff@vlaanderen.be,free,2024-01-01,\n", encoding="utf-8")
    assert main(["allowances", "import-history", str(bad)]) == 1
    assert "line 2:" in capsys.readouterr().err
    out = tmp_path / "p.xlsx"
    assert main(["allowances", "export", "--entity", "NOPE", "--month", "2026-10", "--out", str(out)]) == 1
    assert main(["allowances", "export", "--entity", "DWSE", "--month", "2026-13", "--out", str(out)]) == 2
    assert not out.exists()
    assert main(["allowances", "export", "--entity", "DWSE", "--month", "2026-10", "--format", "xlsx", "--out", str(out)]) == 0
    assert out.read_bytes()[:2] == b"PK"
