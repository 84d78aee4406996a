"""My data ("mijn gegevens", "my data", menu "privacy"), for every staff member.

Steps: start card -> "download my data" (Excel or JSON): the file is offered in the chat (file
consent card, or a short-lived link) and the card says so -> "what my manager sees": the manager,
any deputy today, and per area what the manager sees and does not see.
"""

from __future__ import annotations

import logging

from bot.files import send_file
from bot.registry import Registry
from bot.reports.personal_export import export_file
from bot.routing import Shown
from bot.services import privacy as service
from bot.turn import Turn
from dialogs.cards.privacy import (
    ExportMyData,
    ShowManagerView,
    ShowPrivacyHome,
    manager_view_card,
    privacy_home_card,
)

log = logging.getLogger(__name__)

PHRASES = ("mijn gegevens", "my data", "privacy", "mijn data", "gegevens")


async def open_home(turn: Turn, _text: str) -> Shown:
    return privacy_home_card(turn.t)


async def on_home(turn: Turn, _payload: ShowPrivacyHome) -> Shown:
    return privacy_home_card(turn.t)


async def on_export(turn: Turn, payload: ExportMyData) -> Shown:
    export = await turn.run(service.export_personal_data, service.ExportPersonalData(turn.me))
    filename, _content_type, content = export_file(export, payload.format, turn.today(), turn.t)
    await send_file(turn, filename, content, description=turn.t("privacy.file_description"))
    return privacy_home_card(turn.t, notice=turn.t("privacy.file_sent", filename=filename))


async def on_manager_view(turn: Turn, _payload: ShowManagerView) -> Shown:
    view = await turn.run(service.manager_view, service.WhatMyManagerSees(turn.me))
    return manager_view_card(turn.t, view)


def register(registry: Registry) -> None:
    """Register this flow's commands and card verbs."""
    router = registry.router
    router.opener("privacy", open_home)
    router.command(PHRASES, open_home)
    router.action(ShowPrivacyHome, on_home)
    router.action(ExportMyData, on_export)
    router.action(ShowManagerView, on_manager_view)
