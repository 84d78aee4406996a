"""This bot for the benchmarks: the production app, without migrations or demo data at start."""

from __future__ import annotations

import gc
import logging

from aiohttp import web

from bot.app import create_app
from bot.config import load_settings
from bot.logs import configure_logging

if __name__ == "__main__":
    settings = load_settings()
    configure_logging(settings.log_level)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    app = create_app(settings)
    gc.freeze()  # as `python -m bot run` does: start-up objects stay out of the collector's scans
    web.run_app(app, host="127.0.0.1", port=settings.port, print=None, access_log=None)
