"""Activity -> flow: text commands, free-text parsers and card verbs (Action.Submit and
Action.Execute) to the handlers the flows register. Role checks happen here before any handler
runs; a refused attempt is audited. Handlers return what to show: a card, a text or nothing."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from botbuilder.core import InvokeResponse
from botbuilder.schema import AdaptiveCardInvokeResponse

from bot.actions import ActionData, InvalidPayload, parse_payload
from bot.domain.errors import DomainError, Forbidden
from bot.domain.staff import Role
from bot.services.audit import RecordRefusal, record_refusal
from bot.turn import Turn

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
ADAPTIVE_CARD_ACTION = "adaptiveCard/action"

Shown = dict[str, Any] | str | None
ActionHandler = Callable[[Turn, Any], Awaitable[Shown]]
CommandHandler = Callable[[Turn, str], Awaitable[Shown]]
TextHandler = Callable[[Turn, str], Awaitable[bool]]
InvokeHandler = Callable[[Turn], Awaitable[InvokeResponse]]

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def normalise_text(text: str | None) -> str:
    """Text as typed, without @mentions, extra spaces or case."""
    return " ".join(_MENTION.sub(" ", text or "").split()).lower()


@dataclass(frozen=True)
class ActionRoute:
    payload: type[ActionData]
    handler: ActionHandler
    roles: frozenset[Role] | None


@dataclass(frozen=True)
class CommandRoute:
    phrase: str
    handler: CommandHandler
    roles: frozenset[Role] | None


class Router:
    def __init__(self) -> None:
        self._actions: dict[str, ActionRoute] = {}
        self._commands: list[CommandRoute] = []
        self._texts: list[TextHandler] = []
        self._invokes: dict[str, InvokeHandler] = {}
        self._fallback: CommandHandler | None = None
        self._openers: dict[str, CommandRoute] = {}

    # -- registration -------------------------------------------------------------------------
    def action(self, payload: type[ActionData], handler: ActionHandler, *, roles: Iterable[Role] | None = None) -> None:
        if payload.verb in self._actions:
            raise ValueError(f"verb {payload.verb!r} routed twice")
        self._actions[payload.verb] = ActionRoute(payload, handler, frozenset(roles) if roles else None)

    def command(self, phrases: Iterable[str], handler: CommandHandler, *, roles: Iterable[Role] | None = None) -> None:
        """Exact phrases (any language) that start a flow; the rest of the text is passed on."""
        for phrase in phrases:
            self._commands.append(CommandRoute(normalise_text(phrase), handler, frozenset(roles) if roles else None))
        # Longest phrase first, so "mijn gegevens" wins over "mijn".
        self._commands.sort(key=lambda route: -len(route.phrase))

    def text(self, handler: TextHandler) -> None:
        """A free-text parser (e.g. "thuis morgen"); returns True when it answered."""
        self._texts.append(handler)

    def invoke(self, name: str, handler: InvokeHandler) -> None:
        self._invokes[name] = handler

    def opener(self, flow: str, handler: CommandHandler, *, roles: Iterable[Role] | None = None) -> None:
        """How a menu button starts a flow (called with an empty text)."""
        self._openers[flow] = CommandRoute(flow, handler, frozenset(roles) if roles else None)

    def openers(self) -> dict[str, frozenset[Role] | None]:
        return {flow: route.roles for flow, route in self._openers.items()}

    async def open_flow(self, turn: Turn, flow: str) -> Shown:
        route = self._openers.get(flow)
        if route is None:
            return turn.t("common.stale_card")
        return await self._guarded(turn, route.roles, f"open:{flow}", route.handler, turn, "")

    def fallback(self, handler: CommandHandler) -> None:
        self._fallback = handler

    def verbs(self) -> frozenset[str]:
        return frozenset(self._actions)

    # -- dispatch -----------------------------------------------------------------------------
    async def on_message(self, turn: Turn) -> None:
        activity = turn.context.activity
        value = activity.value
        if isinstance(value, dict) and "verb" in value and not (activity.text or "").strip():
            shown = await self._run_action(turn, value.get("verb"), value)
            await _show(turn, shown)
            return
        text = normalise_text(activity.text)
        if len(text) > 2000:
            await turn.send_text(turn.t("common.invalid_input", reason=turn.t("common.text_too_long")))
            return
        for route in self._commands:
            if text == route.phrase or text.startswith(route.phrase + " "):
                shown = await self._guarded(turn, route.roles, f"command:{route.phrase}", route.handler, turn, text[len(route.phrase):].strip())
                await _show(turn, shown)
                return
        if turn.staff is not None:
            for parser in self._texts:
                try:
                    if await parser(turn, text):
                        return
                except DomainError as error:
                    await turn.send_text(turn.t(error.key, **error.params))
                    return
        if self._fallback is not None:
            await _show(turn, await self._fallback(turn, text))

    async def on_invoke(self, turn: Turn) -> InvokeResponse:
        activity = turn.context.activity
        name = activity.name or ""
        if name == ADAPTIVE_CARD_ACTION:
            value = activity.value if isinstance(activity.value, dict) else {}
            action = value.get("action") if isinstance(value.get("action"), dict) else {}
            shown = await self._run_action(turn, action.get("verb"), action.get("data") or {})
            return card_invoke_response(shown if shown is not None else turn.t("common.saved"))
        handler = self._invokes.get(name)
        if handler is None:
            log.info("unknown invoke %r refused", name[:100])
            return InvokeResponse(status=400, body={"error": "unknown invoke"})
        return await handler(turn)

    async def _run_action(self, turn: Turn, verb: Any, data: Any) -> Shown:
        route = self._actions.get(verb) if isinstance(verb, str) else None
        try:
            payload = parse_payload(route.payload if route else None, verb, data)
        except InvalidPayload as error:
            log.info("card payload refused: %s (correlation %s)", error, turn.correlation_id)
            return turn.t("common.stale_card")
        assert route is not None
        return await self._guarded(turn, route.roles, payload.verb, route.handler, turn, payload)

    async def _guarded(self, turn: Turn, roles: frozenset[Role] | None, what: str, handler: Callable[..., Awaitable[Shown]], *args: Any) -> Shown:
        if turn.staff is None:
            return turn.t("common.unknown_user")
        if roles is not None and not turn.staff.has(*roles):
            await _audit_refusal(turn, what)
            return turn.t("common.not_allowed")
        try:
            return await handler(*args)
        except Forbidden as error:
            await _audit_refusal(turn, what)
            return turn.t(error.key, **error.params)
        except DomainError as error:
            return turn.t(error.key, **error.params)


async def _audit_refusal(turn: Turn, what: str) -> None:
    log.warning("refused %s for %s (correlation %s)", what, turn.actor, turn.correlation_id)
    await turn.run(record_refusal, RecordRefusal(turn.actor, what))


async def _show(turn: Turn, shown: Shown) -> None:
    if isinstance(shown, dict):
        await turn.send_card(shown)
    elif isinstance(shown, str):
        await turn.send_text(shown)


def card_invoke_response(shown: dict[str, Any] | str) -> InvokeResponse:
    """The Universal Actions contract: HTTP 200 with the updated card (or a message)."""
    if isinstance(shown, dict):
        body = AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=shown)
    else:
        body = AdaptiveCardInvokeResponse(status_code=200, type=MESSAGE_CONTENT_TYPE, value=shown)
    return InvokeResponse(status=200, body=body)
