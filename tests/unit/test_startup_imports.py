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
