"""What `create_app` registers: every flow's routes and renderers, the approval subjects and the
scheduled jobs. The one place that knows every area; nothing registers itself at import."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.registry import Registry
from bot.services import allowances, approval_reminders
from bot.services.equipment_approvals import EquipmentApprovalSubject
from bot.services.homework_approvals import HomeworkDaySubject
from storage.uow import UnitOfWorkFactory


def register_services(registry: Registry) -> None:
    """The approval subjects and the scheduled jobs."""
    registry.approval_subject(HomeworkDaySubject())
    registry.approval_subject(EquipmentApprovalSubject())
    registry.job("approvals.escalations", approval_reminders.run_escalations, every=timedelta(hours=1))
    registry.job("approvals.reminders", approval_reminders.run_reminders, every=timedelta(hours=1))
    registry.job("allowances.defaults", allowances.run_default_modes, every=timedelta(days=1))


def units_of_work(session_factory: async_sessionmaker[AsyncSession]) -> UnitOfWorkFactory:
    """Units of work for what runs outside the service (commands, the demo data), with the approval
    subjects `create_app` registers: a use case that asks for an approval finds its subject."""
    registry = Registry()
    register_services(registry)
    return UnitOfWorkFactory(session_factory, approval_subjects=registry.approval_subjects)


def build_registry(settings: Settings | None = None) -> Registry:
    """A fresh registry with everything the service looks up by name; jobs that take a setting
    get its default when no settings are given (tests that only read the routes)."""
    from bot.services import webinars
    from dialogs import register_flows

    reminder_hours = settings.webinar_reminder_hours if settings else Settings.model_fields["webinar_reminder_hours"].default
    registry = Registry()
    register_flows(registry)
    register_services(registry)
    registry.job(webinars.REMINDER_JOB, partial(webinars.run_reminders, hours_before=reminder_hours), every=timedelta(minutes=5))
    return registry
