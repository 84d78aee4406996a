"""A small, fully known dataset for the report tests (period 2022-11 .. 2023-02, entities A and B).

ann  A all along; flat fee; 5 home days in January 2023 (home-work allowance due)
bob  A until 15/01/2023, B from 16/01/2023; third-party payer, flat fee from 02/2023
cas  B from 10/12/2022
dirk A, left on 30/11/2022
eva  A; not eligible all of December 2022; a lifted marking in February 2023
fien B; not eligible from 15/11/2022 (open-ended)
gert A from 20/02/2023 (partial month: two home days are enough)

cas also works three days at a satellite office in February 2023: home and satellite work make her
a home worker, but only her one home day counts for the home-work allowance (not due). "Focus @
home" runs twice (ann attends both: one distinct participant per title); ann asks both kinds of
coaching (once over both kinds); B's budget is a one-off of 2022 that also covers 2023.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from storage.models.allowances import AllowanceChoiceRow
from storage.models.directory import EntityRow, StaffAssignmentRow, StaffRoleRow, StaffRow
from storage.models.equipment import (
    EquipmentBudgetRow,
    EquipmentCategoryRow,
    EquipmentItemRow,
    EquipmentRequestLineRow,
    EquipmentRequestRow,
)
from storage.models.homework import IneligibilityRow, WorkRegistrationRow
from storage.models.webinars import CoachingRequestRow, WebinarRegistrationRow, WebinarRow, WebinarSessionRow
from storage.uow import UnitOfWorkFactory

D = date


async def build_dataset(uow_factory: UnitOfWorkFactory) -> dict[str, int]:
    ids: dict[str, int] = {}
    async with uow_factory() as uow:
        s = uow.session
        a = EntityRow(code="A", name="Entiteit A", policy={})
        b = EntityRow(code="B", name="Entiteit B", policy={})
        s.add_all([a, b])
        await s.flush()
        ids["A"], ids["B"] = a.id, b.id

        def person(name: str, entity: EntityRow, start: date, end: date | None = None, *, roles: tuple[str, ...] = ()) -> StaffRow:
            row = StaffRow(aad_object_id=f"report-{name}", email=f"{name}@example.be",
                           display_name=name.title(), entity_id=entity.id, start_date=start, end_date=end)
            s.add(row)
            return row

        people = {
            "ann": person("ann", a, D(2020, 1, 1)),
            "bob": person("bob", b, D(2019, 3, 1)),
            "cas": person("cas", b, D(2022, 12, 10)),
            "dirk": person("dirk", a, D(2018, 1, 1), D(2022, 11, 30)),
            "eva": person("eva", a, D(2015, 6, 1)),
            "fien": person("fien", b, D(2016, 1, 1)),
            "gert": person("gert", a, D(2023, 2, 20)),
        }
        await s.flush()
        for name, row in people.items():
            ids[name] = row.id
            s.add(StaffRoleRow(staff_id=row.id, role="staff"))
            if name != "bob":
                s.add(StaffAssignmentRow(staff_id=row.id, entity_id=row.entity_id, valid_from=row.start_date))
        s.add(StaffAssignmentRow(staff_id=ids["bob"], entity_id=a.id, valid_from=D(2019, 3, 1), valid_until=D(2023, 1, 16)))
        s.add(StaffAssignmentRow(staff_id=ids["bob"], entity_id=b.id, valid_from=D(2023, 1, 16)))

        def reg(name: str, day: date, place: str = "home", part: str = "full", status: str = "registered") -> None:
            s.add(WorkRegistrationRow(staff_id=ids[name], day=day, place=place, part=part, status=status, source="bot"))

        reg("ann", D(2022, 10, 31))  # before the period
        reg("ann", D(2022, 11, 3))
        for day in range(2, 7):
            reg("ann", D(2023, 1, day))
        reg("ann", D(2023, 2, 6), "office")
        reg("ann", D(2023, 3, 1))  # after the period
        reg("bob", D(2022, 11, 30), "satellite")
        reg("bob", D(2023, 1, 10))
        reg("bob", D(2023, 1, 20))
        reg("cas", D(2022, 12, 12), part="am")
        reg("cas", D(2023, 1, 5), status="pending")
        reg("cas", D(2023, 2, 28))
        for satellite_day in (21, 22, 23):
            reg("cas", D(2023, 2, satellite_day), "satellite")
        for weekend_day in (4, 5, 11):  # not working days: they never make the home-work allowance due
            reg("cas", D(2023, 2, weekend_day))
        reg("dirk", D(2022, 11, 1))
        reg("eva", D(2022, 12, 5))
        reg("eva", D(2023, 1, 2), status="rejected")
        reg("fien", D(2022, 11, 14))
        reg("gert", D(2023, 2, 21))
        reg("gert", D(2023, 2, 22))

        s.add_all([
            IneligibilityRow(staff_id=ids["eva"], reason="function", valid_from=D(2022, 12, 1), valid_until=D(2022, 12, 31)),
            IneligibilityRow(staff_id=ids["eva"], reason="abuse", valid_from=D(2023, 2, 1), valid_until=None,
                             lifted_at=datetime(2023, 2, 10, 9, 0, tzinfo=UTC)),
            IneligibilityRow(staff_id=ids["fien"], reason="organisational", valid_from=D(2022, 11, 15)),
            IneligibilityRow(staff_id=ids["fien"], reason="competence", valid_from=D(2022, 1, 1), valid_until=D(2022, 10, 31)),
        ])

        def choice(name: str, mode: str, since: date, cost: str | None = None) -> None:
            s.add(AllowanceChoiceRow(staff_id=ids[name], mode=mode, effective_from=since,
                                     monthly_cost=Decimal(cost) if cost else None, source="import", recorded_by="test"))

        choice("ann", "flat_fee", D(2021, 10, 1))
        choice("bob", "third_party_payer", D(2022, 1, 1), "30.00")
        choice("bob", "flat_fee", D(2023, 2, 1))
        choice("cas", "flat_fee", D(2022, 12, 1))
        choice("dirk", "third_party_payer", D(2021, 11, 1), "25.50")

        focus = WebinarRow(title_nl="Focus @ home", title_en="Focus @ home", target_group="all", status="published")
        lead = WebinarRow(title_nl="Leidinggeven op afstand", title_en="Leading remotely", target_group="managers", status="published")
        # the same title run again later as its own webinar: totals per title add both up
        focus_again = WebinarRow(title_nl="Focus @ home", title_en="Focus @ home", target_group="all", status="published")
        s.add_all([focus, lead, focus_again])
        await s.flush()

        def session(webinar: WebinarRow, starts: datetime, taken: int) -> WebinarSessionRow:
            row = WebinarSessionRow(webinar_id=webinar.id, starts_at=starts, ends_at=starts.replace(hour=(starts.hour + 1) % 24),
                                    capacity=100, seats_taken=taken, join_url="https://teams.example/x")
            s.add(row)
            return row

        # 23:30 UTC on 31/10 is 00:30 on 1/11 in Brussels (in the period); 22:30 UTC is still 31/10.
        outside = session(focus, datetime(2022, 10, 31, 22, 30, tzinfo=UTC), 1)
        inside = session(focus, datetime(2022, 10, 31, 23, 30, tzinfo=UTC), 2)
        later = session(lead, datetime(2023, 1, 20, 9, 0, tzinfo=UTC), 2)
        repeat = session(focus_again, datetime(2023, 2, 10, 9, 0, tzinfo=UTC), 2)
        await s.flush()

        def signup(webinar: WebinarRow, row: WebinarSessionRow, name: str, status: str, attended: bool | None) -> None:
            s.add(WebinarRegistrationRow(webinar_id=webinar.id, session_id=row.id, staff_id=ids[name], status=status, attended=attended))

        signup(focus, outside, "eva", "seated", True)
        signup(focus, inside, "ann", "seated", True)
        signup(focus, inside, "bob", "seated", False)
        signup(focus, inside, "cas", "waitlisted", None)
        signup(lead, later, "bob", "seated", True)
        signup(lead, later, "ann", "seated", None)
        signup(focus_again, repeat, "ann", "seated", True)
        signup(focus_again, repeat, "eva", "seated", True)
        signup(focus_again, repeat, "fien", "waitlisted", None)

        def coaching(name: str, kind: str, on: date, conversations: int) -> None:
            s.add(CoachingRequestRow(staff_id=ids[name], kind=kind, requested_on=on, conversations=conversations,
                                     status="closed" if conversations else "open"))

        coaching("ann", "leadership", D(2022, 11, 5), 5)
        coaching("bob", "resilience", D(2023, 1, 18), 0)
        coaching("bob", "resilience", D(2022, 10, 30), 3)
        coaching("cas", "resilience", D(2023, 2, 28), 2)
        coaching("ann", "resilience", D(2023, 2, 1), 1)

        items = {}
        for entity, price in ((a, "40.00"), (b, "45.00")):
            category = EquipmentCategoryRow(entity_id=entity.id, code="SMALL", name_nl="Klein kantoormateriaal", name_en="Small office material")
            s.add(category)
            await s.flush()
            item = EquipmentItemRow(entity_id=entity.id, code="HEADSET", name_nl="Headset", name_en="Headset",
                                    category_id=category.id, unit_price=Decimal(price))
            s.add(item)
            await s.flush()
            items[entity.code] = item
        s.add_all([
            EquipmentBudgetRow(entity_id=a.id, category_id=items["A"].category_id, year=2022, amount=Decimal("1000.00")),
            EquipmentBudgetRow(entity_id=a.id, category_id=items["A"].category_id, year=2023, amount=Decimal("500.00")),
            EquipmentBudgetRow(entity_id=b.id, category_id=items["B"].category_id, year=2022, amount=Decimal("300.00"), one_off=True),
        ])

        async def delivered(name: str, entity: EntityRow, on: date, quantity: int, status: str = "delivered") -> None:
            item = items[entity.code]
            request = EquipmentRequestRow(staff_id=ids[name], entity_id=entity.id, status=status, delivery="office",
                                          requested_on=on, delivered_on=on if status == "delivered" else None)
            s.add(request)
            await s.flush()
            s.add(EquipmentRequestLineRow(request_id=request.id, item_id=item.id, category_id=item.category_id,
                                          quantity=quantity, unit_price=item.unit_price))

        await delivered("ann", a, D(2022, 11, 15), 1)
        await delivered("bob", a, D(2022, 12, 20), 2)
        await delivered("bob", b, D(2023, 1, 25), 1)
        await delivered("cas", b, D(2023, 3, 1), 1)  # after the period
        await delivered("dirk", a, D(2022, 11, 2), 1, status="approved")  # not delivered
        await uow.commit()
    return ids
