"""What `create_app` registers: every flow's routes and renderers, the approval subjects and the
scheduled jobs. The one place that knows every area; nothing registers itself at import."""

from __future__ import annotations

from bot.registry import Registry


def build_registry() -> Registry:
    """A fresh registry with everything the service looks up by name."""
    from dialogs import register_flows

    registry = Registry()
    register_flows(registry)
    return registry
