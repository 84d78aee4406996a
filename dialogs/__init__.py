"""Conversational flows, one module per flow; each exposes `register(router)`."""

from __future__ import annotations

from bot.routing import Router


def build_router() -> Router:
    """Every flow registers its commands, card verbs and invokes; the menu comes last (fallback)."""
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

    router = Router()
    for flow in (homework, approvals, team, equipment, allowance, webinars, coaching, reports, privacy, files, broadcasts, menu):
        flow.register(router)
    return router
