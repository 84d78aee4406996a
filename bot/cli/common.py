"""What the file-import commands share: the configured database, and how a refusal is shown."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from bot.config import Settings, load_settings
from bot.logs import configure_logging
from bot.wiring import units_of_work
from storage.db import create_engine, create_session_factory
from storage.uow import UnitOfWorkFactory

Result = TypeVar("Result")


class Refused(Exception):
    """A file refused as a whole: each problem is (where, reason), e.g. ("line 4", "bad date")."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def run_file_import(
    path: Path,
    importer: Callable[[UnitOfWorkFactory, Settings], Awaitable[Result]],
    summary: Callable[[Result], list[str]],
) -> int:
    """Run one import against the configured database. Prints the summary lines (exit 0), or
    every problem and that nothing was written (exit 1)."""
    from bot.domain.directory_import import ImportRefused

    settings = load_settings()
    configure_logging(settings.log_level)

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            result = await importer(units_of_work(create_session_factory(engine)), settings)
        except ImportRefused as refused:
            problems = [(f"line {problem.line}", problem.reason) for problem in refused.problems]
        except Refused as refused:
            problems = refused.problems
        else:
            for line in summary(result):
                print(line)
            return 0
        finally:
            await engine.dispose()
        for where, reason in problems:
            print(f"{where}: {reason}", file=sys.stderr)
        print(f"{path}: refused, nothing was written", file=sys.stderr)
        return 1

    return asyncio.run(run())
