"""The home-work allowance in SQL, for the aggregations that cannot load every registration into
Python (the parliamentary report reads a year of two million registrations).

Every part is built from `bot.domain.allowances.HOMEWORK_ALLOWANCE`, the rule's one definition:
which registrations count (status, place, working days only, in service), how much a full or a
half day weighs, and the threshold. tests/storage/test_homework_allowance_property.py proves
that the repositories using these give the domain function's answer per person and month.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, case, extract, or_
from sqlalchemy.sql import ColumnElement

from bot.domain.allowances import HOMEWORK_ALLOWANCE, HomeworkAllowanceRule
from bot.domain.calendar import WORKING_WEEKDAYS, is_working_day
from storage.models.directory import StaffRow
from storage.models.homework import WorkRegistrationRow

# Python counts Monday as 0; SQL's day of week (PostgreSQL `dow`, SQLite `%w`) counts Sunday as 0.
SQL_DAYS_OFF = sorted((weekday + 1) % 7 for weekday in range(7) if weekday not in WORKING_WEEKDAYS)


def holidays_on_weekdays(first: date, last: date) -> list[date]:
    """The days from first to last that fall on a working weekday but are not working days
    (Belgian public holidays): a short list, where listing every weekend day would not be."""
    days, day = [], first
    while day <= last:
        if day.weekday() in WORKING_WEEKDAYS and not is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def home_halves(rule: HomeworkAllowanceRule = HOMEWORK_ALLOWANCE) -> ColumnElement:
    """What one counted registration weighs, in half days."""
    return case((WorkRegistrationRow.part == rule.full_day, rule.halves_per_day), else_=rule.halves_per_part_day)


def counted_home_days(first: date, last: date, rule: HomeworkAllowanceRule = HOMEWORK_ALLOWANCE) -> list[ColumnElement]:
    """The conditions under which a registration between first and last counts for the allowance
    (the query joins StaffRow to the registration's staff member)."""
    registration = WorkRegistrationRow
    conditions = [
        registration.day >= first, registration.day <= last,
        registration.status == rule.status, registration.place == rule.place,
        extract("dow", registration.day).notin_(SQL_DAYS_OFF),
        registration.day >= StaffRow.start_date, or_(StaffRow.end_date.is_(None), registration.day <= StaffRow.end_date),
    ]
    holidays = holidays_on_weekdays(first, last)
    if holidays:
        conditions.append(registration.day.notin_(holidays))
    return conditions


def due(halves: ColumnElement, working_days: ColumnElement | int, rule: HomeworkAllowanceRule = HOMEWORK_ALLOWANCE) -> ColumnElement:
    """`rule.due(halves, working_days)` as a SQL condition."""
    return and_(
        working_days > 0,  # type: ignore[operator]
        halves * rule.days_per_week >= working_days * (rule.halves_per_day * rule.home_days_per_week),  # type: ignore[operator]
    )
