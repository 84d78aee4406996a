"""CLI entry point: `python -m bot COMMAND` (run, migrate, import-staff, package-app, ...)."""

from __future__ import annotations

import sys

from bot.cli import build_parser
from bot.config import ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
