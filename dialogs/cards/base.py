"""The card version (1.5) and the parts every card shares, built with Microsoft's typed models."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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

CARD_VERSION = "1.5"


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
    return ExecuteAction(title=title, verb=verb, data=data, style=style)


def submit(payload: ActionData, title: str, *, style: str | None = None) -> SubmitAction:
    """Action.Submit for navigation buttons that only open another card."""
    return SubmitAction(title=title, data=payload.to_data(), style=style)
