"""Conversational flows, one module per flow; each exposes `register(registry)`."""

from __future__ import annotations

from bot.registry import Registry


def register_flows(registry: Registry) -> None:
    """Every flow registers its commands, card verbs, invokes, notice renderers and downloads;
    the menu comes last (fallback)."""
    from dialogs import (
        allowance,
        approvals,
        broadcasts,
        coaching,
        equipment,
        files,
        homework,
        menu,
        privacy,
        reports,
        team,
        webinars,
    )

    for flow in (homework, approvals, team, equipment, allowance, webinars, coaching, reports, privacy, files, broadcasts, menu):
        flow.register(registry)
