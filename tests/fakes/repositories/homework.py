"""Home-work registrations, the eligibility registry and team agreements in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.domain.homework import Ineligibility, Registration, RegistrationStatus, TeamAgreement

if TYPE_CHECKING:
    from tests.fakes.uow import FakeDatabase


class FakeRegistrationRepository:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def _days(self) -> dict[int, Registration]:
        return self.db.table("work_registrations")

    def _markings(self) -> dict[int, Ineligibility]:
        return self.db.table("ineligibilities")

    def _agreements(self) -> dict[int, TeamAgreement]:
        return self.db.table("team_agreements")

    # -- registrations ----------------------------------------------------------------------------
    async def get(self, registration_id: int, *, for_update: bool = False) -> Registration | None:
        return self._days().get(registration_id)

    async def get_for_day(self, staff_id: int, day: date, *, for_update: bool = False) -> Registration | None:
        return next((r for r in self._days().values() if (r.staff_id, r.day) == (staff_id, day)), None)

    async def list_for_staff(self, staff_id: int, start: date, end: date) -> list[Registration]:
        return sorted((r for r in self._days().values() if r.staff_id == staff_id and start <= r.day <= end), key=lambda r: r.day)

    async def list_for_staff_ids(self, staff_ids: list[int], start: date, end: date) -> list[Registration]:
        wanted = set(staff_ids)
        found = (r for r in self._days().values() if r.staff_id in wanted and start <= r.day <= end)
        return sorted(found, key=lambda r: (r.day, r.staff_id))

    async def save_day(
        self, *, staff_id: int, day: date, place: str, part: str, status: RegistrationStatus | str,
        satellite_location: str | None = None, source: str = "bot",
    ) -> Registration:
        existing = await self.get_for_day(staff_id, day)
        registration = Registration(
            id=existing.id if existing else self.db.next_id("work_registrations"), staff_id=staff_id, day=day,
            place=place, part=part, status=RegistrationStatus(status),  # type: ignore[arg-type]
            satellite_location=satellite_location, source=source,
        )
        self._days()[registration.id] = registration
        return registration

    async def set_status(
        self, registration_id: int, status: RegistrationStatus | str, *, only_if: RegistrationStatus | str | None = None
    ) -> bool:
        registration = self._days().get(registration_id)
        if registration is None or (only_if is not None and registration.status != RegistrationStatus(only_if)):
            return False
        self._days()[registration_id] = replace(registration, status=RegistrationStatus(status))
        return True

    async def change_status(
        self, registration_id: int, status: RegistrationStatus, *, only_if: RegistrationStatus
    ) -> Registration | None:
        if not await self.set_status(registration_id, status, only_if=only_if):
            return None
        return self._days()[registration_id]

    async def delete(self, registration_id: int) -> bool:
        return self._days().pop(registration_id, None) is not None

    # -- eligibility registry ---------------------------------------------------------------------
    async def ineligibility_on(self, staff_id: int, day: date) -> Ineligibility | None:
        covering = [m for m in self._markings().values() if m.staff_id == staff_id and m.covers(day)]
        return max(covering, key=lambda m: (m.valid_from, m.id), default=None)

    async def ineligibilities_for(self, staff_ids: list[int], *, active_on: date | None = None) -> list[Ineligibility]:
        wanted = set(staff_ids)
        found = [
            m for m in self._markings().values()
            if m.staff_id in wanted and m.lifted_at is None
            and (active_on is None or m.valid_until is None or m.valid_until >= active_on)
        ]
        return sorted(found, key=lambda m: (m.staff_id, m.valid_from))

    async def get_ineligibility(self, ineligibility_id: int, *, for_update: bool = False) -> Ineligibility | None:
        return self._markings().get(ineligibility_id)

    async def add_ineligibility(
        self, *, staff_id: int, reason: str, note: str | None, valid_from: date, valid_until: date | None, set_by: int | None
    ) -> Ineligibility:
        marking = Ineligibility(
            id=self.db.next_id("ineligibilities"), staff_id=staff_id, reason=reason, note=note,  # type: ignore[arg-type]
            valid_from=valid_from, valid_until=valid_until, set_by=set_by,
        )
        self._markings()[marking.id] = marking
        return marking

    async def lift_ineligibility(self, ineligibility_id: int, *, lifted_by: int, at: datetime) -> bool:
        marking = self._markings().get(ineligibility_id)
        if marking is None or marking.lifted_at is not None:
            return False
        self._markings()[ineligibility_id] = replace(marking, lifted_at=at, lifted_by=lifted_by)
        return True

    async def record_cancelled_days(self, ineligibility_id: int, days: Sequence[Registration]) -> None:
        marking = self._markings().get(ineligibility_id)
        if marking is not None:
            self._markings()[ineligibility_id] = replace(marking, cancelled_days=tuple(days))

    # -- team agreements --------------------------------------------------------------------------
    async def agreement(self, manager_id: int) -> TeamAgreement | None:
        return self._agreements().get(manager_id)

    async def save_agreement(self, agreement: TeamAgreement) -> TeamAgreement | None:
        before = self._agreements().get(agreement.manager_id)
        self._agreements()[agreement.manager_id] = agreement
        return before
