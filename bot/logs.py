"""Logging set-up: one line per record, no secrets (tokens and passwords are never logged)."""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The SDK logs request bodies and headers at DEBUG; keep it quieter than our own code.
    for noisy in ("msrest", "botframework", "botbuilder", "aiohttp.access", "msal"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))
