"""What `create_app` registers: every flow's routes and renderers, the approval subjects and the
scheduled jobs. The one place that knows every area; nothing registers itself at import."""

from __future__ import annotations

from datetime import timedelta

from bot.registry import Registry
from bot.services import allowances


def register_services(registry: Registry) -> None:
    """The approval subjects and the scheduled jobs."""
    registry.job("allowances.defaults", allowances.run_default_modes, every=timedelta(days=1))


def build_registry() -> Registry:
    """A fresh registry with everything the service looks up by name."""
    from dialogs import register_flows

    registry = Registry()
    register_flows(registry)
    register_services(registry)
    return registry
