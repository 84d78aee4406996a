"""History files from before the bot (registrations, ineligibility, equipment requests, the
entity history): validation of their rows, pure. The use cases (bot/services/history_import.py)
look up staff and write; what they look up comes back as the dataclasses at the end of this module.

Optional columns keep older files valid: a registration's `status` (registered, the default;
pending; rejected), an equipment row's `quantity` (1), `status` (delivered) and `requested_on`
(the delivery day)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.domain.calendar import holiday_name
from bot.domain.directory_import import Problem
from bot.domain.equipment import RequestStatus
from bot.domain.homework import INELIGIBILITY_REASONS


@dataclass(frozen=True)
class RegistrationLine:
    line: int
    email: str
    day: date
    place: str
    part: str
    status: str = "registered"


@dataclass(frozen=True)
class IneligibleLine:
    line: int
    email: str
    reason: str
    valid_from: date
    valid_until: date | None


@dataclass(frozen=True)
class EquipmentHistoryLine:
    """One request of the past: delivered (with its day) or still requested, approved, ordered,
    rejected or cancelled (no delivery day)."""

    line: int
    email: str
    item_code: str
    delivered_on: date | None
    unit_price: Decimal
    quantity: int = 1
    status: str = RequestStatus.DELIVERED.value
    requested_on: date | None = None

    @property
    def requested(self) -> date:
        """The day the request was made: as given, else the delivery day."""
        day = self.requested_on or self.delivered_on
        assert day is not None
        return day


@dataclass(frozen=True)
class AssignmentLine:
    """A period in one entity: from `valid_from` up to and including `valid_until` (None: still)."""

    line: int
    email: str
    entity_code: str
    valid_from: date
    valid_until: date | None


REGISTRATION_COLUMNS = ("email", "date", "place", "part")
INELIGIBLE_COLUMNS = ("email", "reason", "from", "until")
EQUIPMENT_COLUMNS = ("email", "item_code", "delivered_on", "unit_price")
ASSIGNMENT_COLUMNS = ("email", "entity_code", "from", "until")
PLACES = ("home", "satellite", "office")
PARTS = ("full", "am", "pm")
REGISTRATION_STATUSES = ("registered", "pending", "rejected")
EQUIPMENT_STATUSES = tuple(status.value for status in RequestStatus)
MAX_QUANTITY = 100
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


def _not_a_working_day(day: date) -> list[str]:
    """The reason a day cannot hold a registration, as the live bot refuses it (none on a working day)."""
    if day.weekday() >= 5:
        return [f"date {day.isoformat()} is a {'Saturday' if day.weekday() == 5 else 'Sunday'}, not a working day"]
    holiday = holiday_name(day, "en")
    return [f"date {day.isoformat()} is a public holiday ({holiday}), not a working day"] if holiday else []


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
        status = (row.get("status") or "registered").lower()
        if status not in REGISTRATION_STATUSES:
            reasons.append(f"status {status[:20]!r} is not one of {', '.join(REGISTRATION_STATUSES)}")
        if day is not None:
            reasons.extend(_not_a_working_day(day))
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
        lines.append(RegistrationLine(line_no, email, day, place, part, status))
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
        status = (row.get("status") or RequestStatus.DELIVERED.value).lower()
        if status not in EQUIPMENT_STATUSES:
            reasons.append(f"status {status[:20]!r} is not one of {', '.join(EQUIPMENT_STATUSES)}")
        delivered = _day(row["delivered_on"], "delivered_on", reasons) if row.get("delivered_on") else None
        requested = _day(row["requested_on"], "requested_on", reasons) if row.get("requested_on") else None
        if status == RequestStatus.DELIVERED.value and delivered is None and not row.get("delivered_on"):
            reasons.append("delivered_on is empty for a delivered request")
        if status != RequestStatus.DELIVERED.value and delivered is not None:
            reasons.append(f"delivered_on is given but the status is {status} (not delivered)")
        if status != RequestStatus.DELIVERED.value and requested is None and not row.get("requested_on"):
            reasons.append(f"requested_on is empty for a request that is {status}")
        for column, day in (("delivered_on", delivered), ("requested_on", requested)):
            if day is not None and day > today:
                reasons.append(f"{column} {day.isoformat()} is in the future")
        if delivered is not None and requested is not None and requested > delivered:
            reasons.append(f"requested_on {requested.isoformat()} is after delivered_on {delivered.isoformat()}")
        price = None
        try:
            price = Decimal(row.get("unit_price", "").replace(",", "."))
            if not price.is_finite() or price < 0 or price > MAX_PRICE or price != price.quantize(Decimal("0.01")):
                raise ValueError
        except (ArithmeticError, ValueError):
            reasons.append(f"unit_price {row.get('unit_price', '')[:20]!r} is not an amount in euro (e.g. 24.99)")
        quantity = 1
        if row.get("quantity"):
            try:
                quantity = int(row["quantity"])
                if not 1 <= quantity <= MAX_QUANTITY:
                    raise ValueError
            except ValueError:
                reasons.append(f"quantity {row['quantity'][:20]!r} is not a whole number from 1 to {MAX_QUANTITY}")
        day_key = requested or delivered
        key = (email, item_code.lower(), day_key) if day_key is not None else None
        if key is not None and key in seen:
            reasons.append(f"repeats line {seen[key]}")
        if reasons:
            problems.append(Problem(line_no, "; ".join(reasons)))
            continue
        assert price is not None and key is not None
        seen[key] = line_no
        lines.append(EquipmentHistoryLine(line_no, email, item_code, delivered, price, quantity, status, requested))
    return lines, problems


def parse_assignments(rows: Iterable[tuple[int, Row]]) -> tuple[list[AssignmentLine], list[Problem]]:
    """Periods in an entity per person; a person's periods may not overlap."""
    lines: list[AssignmentLine] = []
    problems: list[Problem] = []
    for line_no, row in _rows(rows):
        reasons: list[str] = []
        email = _email(row.get("email", ""), reasons)
        code = row.get("entity_code", "").upper()
        if not code or len(code) > 32:
            reasons.append("entity_code is empty or longer than 32 characters")
        start = _day(row.get("from", ""), "from", reasons)
        until = _day(row["until"], "until", reasons) if row.get("until") else None
        if start is not None and until is not None and until < start:
            reasons.append(f"until {until.isoformat()} is before from {start.isoformat()}")
        if reasons:
            problems.append(Problem(line_no, "; ".join(reasons)))
            continue
        assert start is not None
        line = AssignmentLine(line_no, email, code, start, until)
        clash = next((other for other in lines if other.email == email and _overlap(other, line)), None)
        if clash is not None:
            problems.append(Problem(line_no, f"{email} is in two entities at once: this period overlaps line {clash.line}"))
            continue
        lines.append(line)
    return lines, problems


def _overlap(a: AssignmentLine, b: AssignmentLine) -> bool:
    return (a.valid_until is None or b.valid_from <= a.valid_until) and (b.valid_until is None or a.valid_from <= b.valid_until)


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
    status: str = "registered"


@dataclass(frozen=True)
class NewRegistration:
    staff_id: int
    day: date
    place: str
    part: str
    status: str = "registered"


@dataclass(frozen=True)
class KnownIneligibility:
    id: int
    valid_until: date | None


@dataclass(frozen=True)
class CatalogueItem:
    id: int
    category_id: int


@dataclass(frozen=True)
class KnownRequest:
    """A request of the past imported earlier, found by (staff, item, day requested)."""

    id: int
    status: str
    delivered_on: date | None
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class AssignmentPeriod:
    """A stored period in an entity: `valid_until` is exclusive (the first day elsewhere), None while current."""

    entity_id: int
    valid_from: date
    valid_until: date | None

    def as_json(self) -> dict[str, object]:
        return {"entity_id": self.entity_id, "from": self.valid_from.isoformat(),
                "until": self.valid_until.isoformat() if self.valid_until else None}


def merge_periods(periods: list[AssignmentPeriod]) -> list[AssignmentPeriod]:
    """Consecutive periods in the same entity, one after the other without a gap, as one period."""
    merged: list[AssignmentPeriod] = []
    for period in periods:
        previous = merged[-1] if merged else None
        if previous is not None and previous.entity_id == period.entity_id and previous.valid_until == period.valid_from:
            merged[-1] = AssignmentPeriod(previous.entity_id, previous.valid_from, period.valid_until)
        else:
            merged.append(period)
    return merged
