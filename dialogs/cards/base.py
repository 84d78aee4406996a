"""The card version (1.5) and the parts every card shares, built with Microsoft's typed models."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from microsoft_teams.cards import (
    AdaptiveCard,
    CardElement,
    ExecuteAction,
    Fact,
    FactSet,
    RefreshDefinition,
    SubmitAction,
    TextBlock,
)

from bot.actions import ActionData
from bot.i18n import Translator

CARD_VERSION = "1.5"


class ShowMenu(ActionData, verb="menu.show"):
    """The way back to the main menu that every card offers."""


def card(
    body: Sequence[CardElement],
    actions: Sequence[Any] = (),
    *,
    refresh: ActionData | None = None,
    refresh_user_ids: Iterable[str] = (),
) -> dict[str, Any]:
    """A full-width Adaptive Card 1.5 as a plain dict, ready for an attachment or invoke response."""
    model = AdaptiveCard(version=CARD_VERSION, body=list(body), actions=list(actions) or None)
    if refresh is not None:
        model = model.with_refresh(
            RefreshDefinition(action=execute(refresh, title=None), user_ids=list(refresh_user_ids) or None)
        )
    data = model.model_dump(by_alias=True, exclude_none=True, mode="json")
    data["msteams"] = {"width": "Full"}
    return data


def title(text: str) -> TextBlock:
    return TextBlock(text=text, size="Large", weight="Bolder", wrap=True)


def heading(text: str) -> TextBlock:
    return TextBlock(text=text, size="Medium", weight="Bolder", wrap=True, spacing="Medium")


def text(value: str, *, subtle: bool = False, color: str | None = None, **kwargs: Any) -> TextBlock:
    return TextBlock(text=value, wrap=True, is_subtle=subtle or None, color=color, **kwargs)


def notice(value: str) -> TextBlock:
    """The confirmation at the top of a card redrawn after an action ("Request sent.")."""
    return text(value, color="Good", weight="Bolder")


def facts(pairs: Iterable[tuple[str, str]]) -> FactSet:
    return FactSet(facts=[Fact(title=key, value=value) for key, value in pairs])


def execute(payload: ActionData, title: str | None, *, style: str | None = None) -> ExecuteAction:
    """Action.Execute (Universal Actions) for buttons that change state."""
    data = payload.to_data()
    verb = data.pop("verb")
    return ExecuteAction(title=title, verb=verb, data=data, style=style, associated_inputs=_associated_inputs(payload))


def submit(payload: ActionData, title: str, *, style: str | None = None) -> SubmitAction:
    """Action.Submit for navigation buttons that only open another card."""
    return SubmitAction(title=title, data=payload.to_data(), style=style, associated_inputs=_associated_inputs(payload))


def _associated_inputs(payload: ActionData) -> str | None:
    """"none" for an action that reads no input (see ActionData.card_inputs); the default (all the
    card's inputs, validated) otherwise."""
    return None if payload.reads_inputs() else "none"


def menu_button(t: Translator) -> SubmitAction:
    """Back to the main menu (a new message with the menu; the card it sits on stays as it is)."""
    return _menu_button(t("common.back_to_menu"))


@lru_cache(maxsize=8)
def _menu_button(title: str) -> SubmitAction:
    # Nearly every card ends with it: one model per language, which cards only read.
    return submit(ShowMenu(), title)


def with_menu(t: Translator, actions: Sequence[Any] = ()) -> list[Any]:
    """A card's actions followed by the way back to the menu."""
    return [*actions, menu_button(t)]
