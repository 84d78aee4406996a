"""The bot's turn: resolve who is asking and in which language, remember where to reach them,
then hand the activity to the router. Nothing here decides a business rule."""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict

from botbuilder.core import TurnContext
from botbuilder.core.bot_framework_adapter import BotFrameworkAdapter
from botbuilder.schema import Activity, ActivityTypes

from bot.adapter import CORRELATION_KEY, is_database_error
from bot.domain.conversations import StoredReference
from bot.i18n import Translator, resolve_locale
from bot.routing import Router, card_invoke_response
from bot.runtime import Services
from bot.services.turns import StartTurn, start_turn
from bot.turn import Turn

log = logging.getLogger(__name__)

KNOWN_REFERENCES_MAX = 50_000


def client_locale(activity: Activity) -> str | None:
    """Teams puts the client's locale on the activity and in the clientInfo entity."""
    if activity.locale:
        return activity.locale
    for entity in activity.entities or []:
        properties = entity.additional_properties if hasattr(entity, "additional_properties") else {}
        if getattr(entity, "type", None) == "clientInfo" and properties.get("locale"):
            return str(properties["locale"])
    return None


def reference_of(activity: Activity) -> StoredReference | None:
    user = activity.from_property
    if user is None or not user.aad_object_id or not activity.conversation or not activity.service_url:
        return None
    if activity.conversation.conversation_type not in (None, "personal"):
        return None  # proactive messages go to the personal chat only
    tenant = activity.conversation.tenant_id
    if not tenant and isinstance(activity.channel_data, dict):
        tenant = (activity.channel_data.get("tenant") or {}).get("id")
    return StoredReference(
        aad_object_id=user.aad_object_id, user_id=user.id, user_name=user.name,
        conversation_id=activity.conversation.id, service_url=activity.service_url, tenant_id=tenant,
        channel_id=activity.channel_id or "msteams", bot_id=activity.recipient.id if activity.recipient else "",
        bot_name=activity.recipient.name if activity.recipient else None, locale=client_locale(activity), usable=True,
    )


class HybridWorkBot:
    def __init__(self, services: Services, router: Router) -> None:
        self.services = services
        self.router = router
        # What was last stored per user, so an unchanged reference costs no write (bounded LRU).
        self._known_references: OrderedDict[str, StoredReference] = OrderedDict()

    async def on_turn(self, context: TurnContext) -> None:
        correlation_id = uuid.uuid4().hex[:12]
        context.turn_state[CORRELATION_KEY] = correlation_id
        activity = context.activity
        if activity.type == ActivityTypes.invoke:
            await self._on_invoke(context, correlation_id)
            return
        if activity.type not in (ActivityTypes.message, ActivityTypes.conversation_update, ActivityTypes.installation_update):
            return
        turn = await self._turn(context, correlation_id)
        if activity.type == ActivityTypes.message:
            await self.router.on_message(turn)
        elif self._is_install(activity):
            from dialogs.menu import welcome

            await turn.send_card(welcome(self.router, turn))

    async def _on_invoke(self, context: TurnContext, correlation_id: str) -> None:
        try:
            turn = await self._turn(context, correlation_id)
            response = await self.router.on_invoke(turn)
        except Exception as error:  # an invoke must still answer 200 with something readable
            log.error("invoke failed (correlation %s)", correlation_id, exc_info=error)
            t = Translator(resolve_locale(client_locale(context.activity), None, self.services.settings.default_locale))
            key = "common.database_unavailable" if is_database_error(error) else "common.apology"
            response = card_invoke_response(t(key, ref=correlation_id))
        if not context.turn_state.get(BotFrameworkAdapter._INVOKE_RESPONSE_KEY):
            # Where the adapter's send puts an invoke's answer (it goes back in the HTTP response),
            # without TurnContext.send_activity's deep copy of the card built for it just now.
            context.turn_state[BotFrameworkAdapter._INVOKE_RESPONSE_KEY] = Activity(type=ActivityTypes.invoke_response, value=response)
            context.responded = True

    def _remember(self, reference: StoredReference) -> None:
        self._known_references[reference.aad_object_id] = reference
        self._known_references.move_to_end(reference.aad_object_id)
        while len(self._known_references) > KNOWN_REFERENCES_MAX:
            self._known_references.popitem(last=False)

    @staticmethod
    def _is_install(activity: Activity) -> bool:
        return activity.type == ActivityTypes.installation_update and (activity.action or "").startswith("add")

    async def _turn(self, context: TurnContext, correlation_id: str) -> Turn:
        activity = context.activity
        aad = activity.from_property.aad_object_id if activity.from_property else None
        reference = reference_of(activity)
        # Install and membership events always write: a reinstall makes a reference usable again.
        # Messages and card actions write only what this instance has not stored already.
        fresh = activity.type in (ActivityTypes.installation_update, ActivityTypes.conversation_update)
        if reference is not None and not fresh and self._known_references.get(reference.aad_object_id) == reference:
            reference = None  # saved earlier by this instance: no write
        runner = (self.services.lookups or self.services.runner).for_correlation(correlation_id)
        staff = await runner.run(start_turn, StartTurn(aad, reference))
        if reference is not None and staff is not None:  # unknown people have nothing stored
            self._remember(reference)
        locale = resolve_locale(client_locale(activity), staff.language if staff else None, self.services.settings.default_locale)
        return Turn(context=context, services=self.services, staff=staff, t=Translator(locale), correlation_id=correlation_id)
