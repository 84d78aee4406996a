"""What `create_app` registers: every flow's routes and renderers, the approval subjects and the
scheduled jobs. The one place that knows every area; nothing registers itself at import."""

from __future__ import annotations

from datetime import timedelta

from bot.registry import Registry
from bot.services import approval_reminders
from bot.services.equipment_approvals import EquipmentApprovalSubject
from bot.services.homework_approvals import HomeworkDaySubject


def register_services(registry: Registry) -> None:
    """The approval subjects and the scheduled jobs."""
    registry.approval_subject(HomeworkDaySubject())
    registry.approval_subject(EquipmentApprovalSubject())
    registry.job("approvals.escalations", approval_reminders.run_escalations, every=timedelta(hours=1))
    registry.job("approvals.reminders", approval_reminders.run_reminders, every=timedelta(hours=1))


def build_registry() -> Registry:
    """A fresh registry with everything the service looks up by name."""
    from dialogs import register_flows

    registry = Registry()
    register_flows(registry)
    register_services(registry)
    return registry
