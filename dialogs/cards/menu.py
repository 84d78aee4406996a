"""Welcome and main menu cards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from microsoft_teams.cards import ActionSet
from pydantic import Field

from bot.actions import ActionData
from bot.i18n import Translator
from dialogs.cards.base import card, submit, text, title


class OpenFlow(ActionData, verb="menu.open"):
    flow: str = Field(max_length=100)  # a registered flow's name


@dataclass(frozen=True)
class MenuItem:
    flow: str
    label_key: str


@dataclass(frozen=True)
class MenuView:
    name: str
    items: Sequence[MenuItem]


def menu_card(t: Translator, view: MenuView) -> dict[str, Any]:
    buttons = [submit(OpenFlow(flow=item.flow), t(item.label_key)) for item in view.items]
    # Teams shows at most a handful of card-level actions; an ActionSet per three keeps them all visible.
    rows = [ActionSet(actions=buttons[i : i + 3]) for i in range(0, len(buttons), 3)]
    return card([title(t("menu.title")), text(t("menu.intro", name=view.name)), *rows, text(t("menu.help_commands"), subtle=True)])


def welcome_card(t: Translator, view: MenuView | None) -> dict[str, Any]:
    body: list[Any] = [title(t("welcome.title")), text(t("welcome.body")), text(t("welcome.tip"), subtle=True)]
    actions = []
    if view is not None:
        actions = [submit(OpenFlow(flow=item.flow), t(item.label_key)) for item in view.items[:4]]
    else:
        body.append(text(t("common.unknown_user"), color="Attention"))
    return card(body, actions)
