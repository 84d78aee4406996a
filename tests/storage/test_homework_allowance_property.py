"""The home-work allowance has one definition (bot.domain.allowances.HOMEWORK_ALLOWANCE); the
parliamentary report and the allowance aggregation decide it in SQL for speed. For generated
months (full and half home days, satellite and office days, pending and rejected days, weekend
rows, Belgian public holidays, service starting or ending inside the month, the allowance's start
date inside the period) both repositories must give, per person and month, exactly the answer of
the domain function `homework_month` on SQLite and PostgreSQL.

Each generated person gets an entity of their own, so a repository's count for that entity is its
answer for that person (0 or 1). One database per test; every example cleans up after itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from bot.domain.allowances import WorkDay, homework_month
from bot.domain.calendar import Month, is_working_day, months_between
from bot.domain.policy import EntityPolicy
from bot.domain.policy_sections import AllowancePolicy
from bot.domain.reports import Period
from storage.models.directory import EntityRow, StaffAssignmentRow, StaffRow
from storage.models.homework import WorkRegistrationRow
from storage.uow import UnitOfWorkFactory

LONG_AGO = date(2015, 3, 2)
DEFAULT_SINCE = AllowancePolicy().homework_allowance_since
# Weighted towards counted days, so the threshold is crossed often enough both ways.
PLACES = ("home", "home", "home", "satellite", "office")
PARTS = ("full", "full", "am", "pm")
STATUSES = ("registered", "registered", "registered", "pending", "rejected")
KINDS = [(place, part, status) for place in PLACES for part in PARTS for status in STATUSES]
NO_REGISTRATION = 96  # a day's byte below this: nothing registered
# The allowance started on 1 January 2023: months around it, and months full of holidays.
MONTHS = st.one_of(
    st.builds(Month, st.integers(2022, 2026), st.integers(1, 12)),
    st.sampled_from([Month(2022, 12), Month(2023, 1), Month(2024, 4), Month(2024, 5), Month(2025, 5), Month(2026, 5),
                     Month(2025, 11), Month(2026, 7), Month(2026, 12)]),
)


@dataclass(frozen=True)
class Person:
    start: date
    end: date | None
    days: tuple[WorkDay, ...]
    since: date  # the entity's start of the home-work allowance


@dataclass(frozen=True)
class Scenario:
    months: tuple[Month, ...]
    people: tuple[Person, ...]


# Strategies made once: building a strategy per example costs more than drawing from it.
DAY_INDEX = st.one_of(st.none(), st.integers(0, 2 * 31))  # None: before the period / open-ended
PEOPLE = st.integers(1, 3)
TWO_MONTHS = st.booleans()


@lru_cache
def day_codes(count: int) -> st.SearchStrategy[bytes]:
    """One byte per day (a single draw, cheap to generate and to shrink): low values leave the day
    unregistered, the others pick a place, part and status."""
    return st.binary(min_size=count, max_size=count)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    first = draw(MONTHS)
    months = tuple(months_between(first, first.next() if draw(TWO_MONTHS) else first))
    in_period = [day for month in months for day in month.days()]
    # Registrations may also lie just outside the period: they must never count.
    pool = [months[0].first - timedelta(days=1), *in_period, months[-1].last + timedelta(days=1)]
    people = []
    for _ in range(draw(PEOPLE)):
        start_index = draw(DAY_INDEX)
        first_index = 0 if start_index is None else start_index % len(in_period)
        start = LONG_AGO if start_index is None else in_period[first_index]
        end_index = draw(DAY_INDEX)
        end = None if end_index is None else in_period[first_index + end_index % (len(in_period) - first_index)]
        codes = draw(day_codes(len(pool)))
        days = tuple(WorkDay(day, *KINDS[code % len(KINDS)]) for day, code in zip(pool, codes, strict=True) if code >= NO_REGISTRATION)
        since_index = draw(DAY_INDEX)
        since = DEFAULT_SINCE if since_index is None else in_period[since_index % len(in_period)]
        people.append(Person(start, end, days, since))
    return Scenario(months, tuple(people))


def expected(scenario: Scenario, person: Person) -> list[bool]:
    policy = AllowancePolicy(homework_allowance_since=person.since)
    return [homework_month(person.days, month, policy, start=person.start, end=person.end).due for month in scenario.months]


async def store(uow_factory: UnitOfWorkFactory, scenario: Scenario) -> list[int]:
    """One entity and one staff member per person; returns the entity ids."""
    async with uow_factory() as uow:
        entity_ids = []
        for index, person in enumerate(scenario.people):
            policy = EntityPolicy(allowance=AllowancePolicy(homework_allowance_since=person.since))
            entity = EntityRow(code=f"P{index}", name=f"Person {index}", policy=policy.model_dump(mode="json"))
            uow.session.add(entity)
            await uow.session.flush()
            staff = StaffRow(
                aad_object_id=f"aad-p{index}", email=f"p{index}@vlaanderen.be", display_name=f"Person {index}",
                entity_id=entity.id, start_date=person.start, end_date=person.end,
            )
            uow.session.add(staff)
            await uow.session.flush()
            uow.session.add(StaffAssignmentRow(staff_id=staff.id, entity_id=entity.id, valid_from=person.start))
            uow.session.add_all(
                WorkRegistrationRow(staff_id=staff.id, day=d.day, place=d.place, part=d.part, status=d.status) for d in person.days
            )
            entity_ids.append(entity.id)
        await uow.commit()
    return entity_ids


async def clean(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        for table in (WorkRegistrationRow, StaffAssignmentRow, StaffRow, EntityRow):
            await uow.session.execute(delete(table))
        await uow.commit()


async def answers(uow_factory: UnitOfWorkFactory, scenario: Scenario, entity_ids: list[int]) -> dict[str, list[list[bool]]]:
    """Per repository, per person, per month: whether the SQL says the allowance is due."""
    period = Period.between(scenario.months[0], scenario.months[-1])
    found: dict[str, list[list[bool]]] = {"reports": [], "allowances": []}
    async with uow_factory() as uow:
        for entity_id in entity_ids:
            report = await uow.reports.homework_allowance_months(period, entity_id)
            totals = await uow.allowances.homework_allowance_per_month(list(scenario.months), entity_id)
            for name, rows in (("reports", report), ("allowances", totals)):
                assert [row.month for row in rows] == list(scenario.months)
                assert all(row.staff_count in (0, 1) for row in rows) if name == "allowances" else all(row.staff in (0, 1) for row in rows)
                counts = [row.staff_count if name == "allowances" else row.staff for row in rows]
                assert [row.amount for row in rows] == [Decimal("20.00") * count for count in counts]
                found[name].append([count == 1 for count in counts])
        whole = await uow.reports.homework_allowance_months(period, None)
        everywhere = await uow.allowances.homework_allowance_per_month(list(scenario.months))
    # The whole administration adds up the people.
    for name, rows in (("reports", [row.staff for row in whole]), ("allowances", [row.staff_count for row in everywhere])):
        assert rows == [sum(person[i] for person in found[name]) for i in range(len(scenario.months))], name
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=scenarios())
async def test_the_sql_agrees_with_the_domain_per_person_and_month(uow_factory: UnitOfWorkFactory, scenario: Scenario) -> None:
    entity_ids = await store(uow_factory, scenario)
    try:
        found = await answers(uow_factory, scenario, entity_ids)
    finally:
        await clean(uow_factory)
    domain = [expected(scenario, person) for person in scenario.people]
    assert found["reports"] == domain
    assert found["allowances"] == domain


def test_generated_months_hold_the_cases_that_matter() -> None:
    """The generator reaches holidays on weekdays, weekends and half days (a sanity check of the
    strategy, so the property above cannot pass on trivial data)."""
    seen: set[str] = set()

    @settings(max_examples=200, deadline=None)
    @given(scenario=scenarios())
    def collect(scenario: Scenario) -> None:
        for person in scenario.people:
            for day in person.days:
                if day.day.weekday() >= 5:
                    seen.add("weekend")
                elif not is_working_day(day.day):
                    seen.add("holiday")
                if day.part != "full":
                    seen.add("half")
            if person.start != LONG_AGO or person.end is not None:
                seen.add("part month")
            if any(expected(scenario, person)):
                seen.add("due")

    collect()
    assert seen == {"weekend", "holiday", "half", "part month", "due"}
