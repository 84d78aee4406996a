"""Work a turn would otherwise pay for the first time it needs it, done at start-up instead.

The first Belgian holiday table imports the `holidays` country module (about a second of CPU),
dateparser builds its Dutch and English parsers on its first date (more than a second), Babel
loads each locale's data on first use, and the text catalogues are read from disk. Done in a turn,
each stalls every concurrent turn on the event loop; `create_app` runs `warm_up` in its start-up
hook, before the server accepts a request, so `/readyz` never says ready before it is done.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime
from datetime import time as clock_time
from decimal import Decimal

from bot.domain.calendar import preload_holidays
from bot.domain.homework_text import parse_request
from bot.i18n import LOCALES, Translator, catalogue

log = logging.getLogger(__name__)

# One text per path through the registration parser (relative words, weekdays, day/month dates,
# month names, repetition), in both languages.
SAMPLE_TEXTS = (
    "thuis morgen", "thuiswerk vrijdag", "thuis 24/11", "thuis 3 december", "thuis ma en do",
    "satelliet dinsdag Gent", "thuis elke ma en do 8 weken", "vandaag thuis", "thuis overmorgen",
    "home tomorrow", "home next friday", "home on 5 january", "home every mon and thu for 8 weeks",
)


def warm_up(now: datetime) -> float:
    """Load the holiday tables of last year to next year, the date parser, Babel's locale data and
    the text catalogues; returns the seconds it took."""
    started = time.perf_counter()
    today = now.date()
    preload_holidays(range(today.year - 1, today.year + 2))
    noon = datetime.combine(today, clock_time(12), now.tzinfo)
    for text in SAMPLE_TEXTS:
        parse_request(text, noon)
    for locale in LOCALES:
        catalogue(locale)
        t = Translator(locale)
        t.date(date(today.year, 1, 1))
        t.short_date(today)
        t.datetime(noon)
        t.money(Decimal("1.5"))
        t.number(Decimal("1.5"))
    seconds = time.perf_counter() - started
    log.info("warmed up in %.2f s", seconds)
    return seconds
