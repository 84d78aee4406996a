"""This bot for the benchmarks: the production app, without migrations or demo data at start.

BENCH_PROACTIVE_RATE_PER_SECOND raises the tenant send rate above Teams' 50 a second (which the
settings cap), for the fake connector only: the approval scenario's notifications then keep up
with the decisions instead of queueing behind the limiter. The per-conversation limits stay.
"""

from __future__ import annotations

import gc
import logging
import os

from aiohttp import web

from bot.app import create_app
from bot.config import load_settings
from bot.logs import configure_logging
from bot.runtime import SERVICES

if __name__ == "__main__":
    settings = load_settings()
    configure_logging(settings.log_level)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    app = create_app(settings)
    if rate := os.environ.get("BENCH_PROACTIVE_RATE_PER_SECOND"):
        app[SERVICES].proactive.configure(rate_per_second=float(rate))
    gc.freeze()  # as `python -m bot run` does: start-up objects stay out of the collector's scans
    web.run_app(app, host="127.0.0.1", port=settings.port, print=None, access_log=None)
