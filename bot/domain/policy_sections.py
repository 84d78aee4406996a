"""The sections of EntityPolicy; each area edits only its own class here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class HomeworkPolicy(_Section):
    needs_approval: bool = False
    # Home work on the team's anchor day: a warning, or the manager's approval.
    anchor_day_home_work: Literal["warn", "approval"] = "warn"
    team_view_for_members: bool = True
    # Late registration: past days allowed in the current and this many previous months.
    late_registration_months: int = Field(1, ge=0, le=12)
    reminder_after_working_days: int = 2
    escalate_after_working_days: int = 5


class EquipmentPolicy(_Section):
    # Approving beyond a category's remaining budget: "block" refuses it, "confirm" asks the
    # manager to confirm explicitly.
    over_budget: Literal["block", "confirm"] = "block"


class AllowancePolicy(_Section):
    """Internet and home-work allowance settings; amounts and dates are configuration, not code."""

    flat_fee_amount: Decimal = Decimal("20.00")  # internet allowance, flat fee per month
    homework_allowance_amount: Decimal = Decimal("20.00")  # thuiswerkvergoeding per qualifying month
    # A change requested before this day of the month takes effect on the 1st of the current month.
    payroll_cutoff_day: int = Field(10, ge=1, le=28)
    # "Regular and structural" home work: registrations, the manager's confirmation, or either.
    regular_homework_basis: Literal["registrations", "manager", "either"] = "either"
    regular_homework_min_days: int = Field(4, ge=1)  # at least N registered home days ...
    regular_homework_weeks: int = Field(8, ge=1, le=52)  # ... in the last M weeks
    default_mode_for_new_staff: Literal["flat_fee", "third_party_payer"] | None = "flat_fee"
    # The day the bot took over the internet allowance of new staff: whoever starts on or after it
    # gets `default_mode_for_new_staff` from their start; for staff who started before it the
    # history import is the truth and nothing is assumed. None: no default for anyone.
    default_mode_since: date | None = None
    internet_allowance_since: date = date(2021, 9, 17)
    homework_allowance_since: date = date(2023, 1, 1)
    third_party_max_monthly_cost: Decimal = Decimal("150.00")


class WebinarPolicy(_Section):
    pass


class PrivacyPolicy(_Section):
    """Nothing per entity: staff move between entities, so the retention period is one setting
    for the whole administration (RETENTION_MONTHS, see bot/services/retention.py)."""


class ApprovalPolicy(_Section):
    """Approvals other than home-work days (those use HomeworkPolicy's own thresholds)."""

    reminder_after_working_days: int = 2
    escalate_after_working_days: int = 5
    # For every approval (home-work days too): a rejection needs a reason, told to the requester.
    reject_reason_required: bool = True
