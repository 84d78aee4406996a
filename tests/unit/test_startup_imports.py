"""Heavy libraries that only some turns need are imported when first used, not at start-up:
every instance would otherwise carry them in resident memory from its first second."""

from __future__ import annotations

import subprocess
import sys
import textwrap

LOADED_ON_FIRST_USE = ("openpyxl",)


def test_the_app_starts_without_the_spreadsheet_library(tmp_path) -> None:
    script = textwrap.dedent(f"""
        import sys
        from bot.app import create_app
        from bot.config import load_settings
        create_app(load_settings())
        print(",".join(name for name in {LOADED_ON_FIRST_USE!r} if name in sys.modules))
    """)
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'start.db'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120, check=True)
    assert done.stdout.strip() == ""


def _run(script: str, tmp_path) -> str:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'start.db'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, env=env, timeout=120, check=True)
    return done.stdout.strip()


def test_the_warm_up_loads_the_belgian_holidays_alone(tmp_path) -> None:
    """`holidays.countries` imports every country's module (some 280); the warm-up needs Belgium's."""
    loaded = _run("""
        import sys
        from bot.app import create_app
        from bot.config import load_settings
        from bot.runtime import SERVICES
        from bot.warmup import warm_up
        app = create_app(load_settings())
        warm_up(app[SERVICES].clock.now())
        print(sorted(name for name in sys.modules if name.startswith("holidays.countries")))
    """, tmp_path)
    assert loaded == "['holidays.countries.belgium']"


def test_the_belgian_holidays_alone_are_the_library_s_own(tmp_path) -> None:
    """The same tables as `holidays.country_holidays("BE")`, each built in a process of its own."""
    years = "range(1990, 2041)"
    ours = _run(f"""
        from bot.domain.calendar import _holidays
        print(repr([sorted(_holidays(year, language).items()) for year in {years} for language in ("nl", "en_US")]))
    """, tmp_path)
    library = _run(f"""
        import holidays
        print(repr([sorted(holidays.country_holidays("BE", years=year, language=language).items())
                    for year in {years} for language in ("nl", "en_US")]))
    """, tmp_path)
    assert "Kerstmis" in ours and "Christmas Day" in ours
    assert ours == library


def test_bot_run_migrates_in_a_child_process(tmp_path) -> None:
    """`python -m bot run` migrates (and loads the demo data) in a child: alembic, mako and
    pygments stay out of the service's memory, and the database is at the newest schema."""
    result = _run("""
        import sqlite3, sys
        from bot.cli.core import _prepare_database_apart
        from bot.config import load_settings
        code = _prepare_database_apart(load_settings(), demo=False)
        url = load_settings().database_url
        tables = {row[0] for row in sqlite3.connect(url.split(":///", 1)[1]).execute("select name from sqlite_master")}
        print(code, "alembic_version" in tables, "staff" in tables, sorted({"alembic", "mako", "pygments"} & set(sys.modules)))
    """, tmp_path)
    assert result == "0 True True []"
