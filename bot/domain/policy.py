"""Per-entity policy: each entity sets part of its own rules. Stored as JSON on the entity.

Each area owns its own section model (defined in its domain module) so the flows do not edit
each other's settings; this module only assembles them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from bot.domain.policy_sections import (
    AllowancePolicy,
    ApprovalPolicy,
    EquipmentPolicy,
    HomeworkPolicy,
    PrivacyPolicy,
    WebinarPolicy,
)


class EntityPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    homework: HomeworkPolicy = HomeworkPolicy()
    equipment: EquipmentPolicy = EquipmentPolicy()
    allowance: AllowancePolicy = AllowancePolicy()
    webinars: WebinarPolicy = WebinarPolicy()
    privacy: PrivacyPolicy = PrivacyPolicy()
    approvals: ApprovalPolicy = ApprovalPolicy()

    @classmethod
    def from_json(cls, data: dict | None) -> EntityPolicy:
        return cls.model_validate(data or {})
