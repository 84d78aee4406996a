"""The approval subject "homework_day": a home (or satellite) day waiting for the manager, in
entities (or on anchor days) where a manager approves home days."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from bot.domain.approvals import ApprovalStatus, HomeworkDaySummary, NeedsConfirmation
from bot.domain.errors import Conflict, DomainError, NotFound
from bot.domain.homework import Registration, RegistrationStatus, TeamAgreement, below_minimum, week_start
from bot.domain.staff import Staff
from bot.services.homework import AUDIT_SUBJECT, SUBJECT_TYPE, is_eligible, snapshot, team_agreement_for
from bot.services.unit_of_work import UnitOfWork

# What a decision makes of the day.
_REGISTRATION_STATUS = {ApprovalStatus.APPROVED: RegistrationStatus.REGISTERED, ApprovalStatus.REJECTED: RegistrationStatus.REJECTED}


class HomeworkDaySubject:
    subject_type = SUBJECT_TYPE

    async def _registration(self, uow: UnitOfWork, subject_id: int) -> Registration:
        registration = await uow.registrations.get(subject_id)
        if registration is None:
            raise NotFound("homework.not_found")
        return registration

    async def _office_days_left(
        self, uow: UnitOfWork, staff: Staff, registration: Registration, agreement: TeamAgreement | None
    ) -> Decimal | None:
        """The office days left when the day's week falls below the team's minimum, else None."""
        if agreement is None or agreement.min_office_days_per_week <= 0:
            return None
        monday = week_start(registration.day)
        registrations = await uow.registrations.list_for_staff(staff.id, monday, monday + timedelta(days=4))
        return below_minimum(monday, registrations, agreement)

    async def describe(self, uow: UnitOfWork, subject_id: int) -> HomeworkDaySummary:
        await uow.read_ahead_for_registration(subject_id)  # the day and the team agreement in one read
        registration = await self._registration(uow, subject_id)
        staff = await uow.staff.get(registration.staff_id)
        agreement = await team_agreement_for(uow, staff) if staff else None
        left = await self._office_days_left(uow, staff, registration, agreement) if staff else None
        return HomeworkDaySummary(
            requester_id=registration.staff_id, staff_name=staff.display_name if staff else "?", day=registration.day, place=registration.place,
            part=registration.part, location=registration.satellite_location,
            anchor_day=agreement is not None and agreement.is_anchor_day(registration.day),
            office_days_left=left, minimum_office_days=agreement.min_office_days_per_week if left is not None and agreement else None,
        )

    async def before_approve(self, uow: UnitOfWork, subject_id: int, *, confirmed: bool) -> None:
        await uow.read_ahead_for_registration(subject_id)  # the day, its markings and the team agreement in one read
        registration = await self._registration(uow, subject_id)
        if registration.status != RegistrationStatus.PENDING:
            raise Conflict("homework.no_longer_pending")
        if not await is_eligible(uow, registration.staff_id, registration.day):
            raise DomainError("homework.approve_blocked_not_eligible")
        staff = await uow.staff.get(registration.staff_id)
        if staff is not None and not confirmed:
            agreement = await team_agreement_for(uow, staff)
            if await self._office_days_left(uow, staff, registration, agreement) is not None:
                raise NeedsConfirmation("homework.confirm_below_minimum")

    async def on_decided(
        self, uow: UnitOfWork, subject_id: int, status: ApprovalStatus, actor: Staff, comment: str | None, now: datetime
    ) -> None:
        who = f"staff:{actor.id}"
        if status == ApprovalStatus.CANCELLED:
            registration = await uow.registrations.get(subject_id, for_update=True)
            if registration is None or registration.status != RegistrationStatus.PENDING:
                return
            await uow.registrations.delete(registration.id)
            await uow.audit.record(who, "homework.withdrawn", AUDIT_SUBJECT, registration.id, snapshot(registration), None)
            return
        new_status = _REGISTRATION_STATUS.get(status)
        if new_status is None:
            raise DomainError("common.invalid_input", reason=status)
        # Only a day still pending changes; it was pending before, so that is its earlier state.
        after = await uow.registrations.change_status(subject_id, new_status, only_if=RegistrationStatus.PENDING)
        if after is None:
            return
        before = snapshot(after) | {"status": RegistrationStatus.PENDING.value}
        await uow.audit.record(who, f"homework.{status.value}", AUDIT_SUBJECT, after.id, before, snapshot(after))
