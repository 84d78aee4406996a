"""History files from before the bot (registrations, ineligibility, equipment deliveries):
validation of their rows, pure. The use cases (bot/services/history_import.py) look up staff and
write; what they look up comes back as the dataclasses at the end of this module."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.domain.directory_import import Problem
from bot.domain.homework import INELIGIBILITY_REASONS


@dataclass(frozen=True)
class RegistrationLine:
    line: int
    email: str
    day: date
    place: str
    part: str


@dataclass(frozen=True)
class IneligibleLine:
    line: int
    email: str
    reason: str
    valid_from: date
    valid_until: date | None


@dataclass(frozen=True)
class EquipmentHistoryLine:
    line: int
    email: str
    item_code: str
    delivered_on: date
    unit_price: Decimal


REGISTRATION_COLUMNS = ("email", "date", "place", "part")
INELIGIBLE_COLUMNS = ("email", "reason", "from", "until")
EQUIPMENT_COLUMNS = ("email", "item_code", "delivered_on", "unit_price")
PLACES = ("home", "satellite", "office")
PARTS = ("full", "am", "pm")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_PRICE = Decimal("100000")

Row = Mapping[str, str | None]


def _clean(raw: Row) -> dict[str, str]:
    return {key.strip().lower(): (value or "").strip() for key, value in raw.items() if key}


def _day(value: str, column: str, reasons: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        reasons.append(f"{column} {value[:30]!r} is not YYYY-MM-DD")
        return None


def _email(value: str, reasons: list[str]) -> str:
    email = value.lower()
    if not _EMAIL.match(email) or len(email) > 320:
        reasons.append(f"email {value[:60]!r} is not an e-mail address")
    return email


def _rows(rows: Iterable[tuple[int, Row]]) -> Iterator[tuple[int, dict[str, str]]]:
    for line_no, raw in rows:
        row = _clean(raw)
        if any(row.values()):
            yield line_no, row


def parse_registrations(rows: Iterable[tuple[int, Row]], today: date) -> tuple[list[RegistrationLine], list[Problem]]:
    lines: list[RegistrationLine] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, date], int] = {}
    for line_no, row in _rows(rows):
        reasons: list[str] = []
        email = _email(row.get("email", ""), reasons)
        day = _day(row.get("date", ""), "date", reasons)
        place = row.get("place", "").lower()
        part = (row.get("part") or "full").lower()
        if place not in PLACES:
            reasons.append(f"place {place[:20]!r} is not one of {', '.join(PLACES)}")
        if part not in PARTS:
            reasons.append(f"part {part[:20]!r} is not one of {', '.join(PARTS)}")
        if day is not None and day > today:
            reasons.append(f"date {day.isoformat()} is in the future")
        if day is not None and (email, day) in seen:
            reasons.append(f"{email} on {day.isoformat()} repeats line {seen[(email, day)]}")
        if reasons:
            problems.append(Problem(line_no, "; ".join(reasons)))
            continue
        assert day is not None
        seen[(email, day)] = line_no
        lines.append(RegistrationLine(line_no, email, day, place, part))
    return lines, problems


def parse_ineligible(rows: Iterable[tuple[int, Row]]) -> tuple[list[IneligibleLine], list[Problem]]:
    lines: list[IneligibleLine] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str, date], int] = {}
    for line_no, row in _rows(rows):
        reasons: list[str] = []
        email = _email(row.get("email", ""), reasons)
        reason = row.get("reason", "").lower()
        if reason not in INELIGIBILITY_REASONS:
            reasons.append(f"reason {reason[:30]!r} is not one of {', '.join(INELIGIBILITY_REASONS)}")
        start = _day(row.get("from", ""), "from", reasons)
        until = _day(row["until"], "until", reasons) if row.get("until") else None
        if start is not None and until is not None and until < start:
            reasons.append(f"until {until.isoformat()} is before from {start.isoformat()}")
        if start is not None and (email, reason, start) in seen:
            reasons.append(f"repeats line {seen[(email, reason, start)]}")
        if reasons:
            problems.append(Problem(line_no, "; ".join(reasons)))
            continue
        assert start is not None
        seen[(email, reason, start)] = line_no
        lines.append(IneligibleLine(line_no, email, reason, start, until))
    return lines, problems


def parse_equipment(rows: Iterable[tuple[int, Row]], today: date) -> tuple[list[EquipmentHistoryLine], list[Problem]]:
    lines: list[EquipmentHistoryLine] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str, date], int] = {}
    for line_no, row in _rows(rows):
        reasons: list[str] = []
        email = _email(row.get("email", ""), reasons)
        item_code = row.get("item_code", "")
        if not item_code or len(item_code) > 64:
            reasons.append("item_code is empty or too long")
        delivered = _day(row.get("delivered_on", ""), "delivered_on", reasons)
        if delivered is not None and delivered > today:
            reasons.append(f"delivered_on {delivered.isoformat()} is in the future")
        price = None
        try:
            price = Decimal(row.get("unit_price", "").replace(",", "."))
            if not price.is_finite() or price < 0 or price > MAX_PRICE or price != price.quantize(Decimal("0.01")):
                raise ValueError
        except (ArithmeticError, ValueError):
            reasons.append(f"unit_price {row.get('unit_price', '')[:20]!r} is not an amount in euro (e.g. 24.99)")
        key = (email, item_code.lower(), delivered)
        if delivered is not None and key in seen:
            reasons.append(f"repeats line {seen[key]}")
        if reasons:
            problems.append(Problem(line_no, "; ".join(reasons)))
            continue
        assert delivered is not None and price is not None
        seen[key] = line_no
        lines.append(EquipmentHistoryLine(line_no, email, item_code, delivered, price))
    return lines, problems


# -- what the use cases look up ----------------------------------------------------------------


@dataclass(frozen=True)
class StaffDates:
    """A staff member found by e-mail, with the days they were in service."""

    id: int
    start_date: date
    end_date: date | None

    def in_service_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True)
class KnownRegistration:
    """A registration already stored for (staff, day)."""

    id: int
    place: str
    part: str
    source: str


@dataclass(frozen=True)
class NewRegistration:
    staff_id: int
    day: date
    place: str
    part: str


@dataclass(frozen=True)
class KnownIneligibility:
    id: int
    valid_until: date | None


@dataclass(frozen=True)
class CatalogueItem:
    id: int
    category_id: int
