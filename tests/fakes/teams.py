"""Teams-shaped activities, as the Teams service (and the Agents Playground) posts them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

TENANT = "00000000-0000-0000-0000-0000000000001"
BOT_ID = "28:hybridwork-bot"
_ids = itertools.count(1)


@dataclass(frozen=True)
class TeamsUser:
    aad_object_id: str
    name: str
    locale: str = "nl-BE"
    tenant_id: str = TENANT

    @property
    def user_id(self) -> str:
        return f"29:{self.aad_object_id}"

    @property
    def conversation_id(self) -> str:
        return f"a:personal-{self.aad_object_id}"


def _base(user: TeamsUser, service_url: str, activity_type: str) -> dict[str, Any]:
    return {
        "type": activity_type,
        "id": f"incoming-{next(_ids)}",
        "timestamp": "2026-11-22T09:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": user.user_id, "name": user.name, "aadObjectId": user.aad_object_id},
        "conversation": {"id": user.conversation_id, "conversationType": "personal", "tenantId": user.tenant_id},
        "recipient": {"id": BOT_ID, "name": "Hybride werk"},
        "locale": user.locale,
        "entities": [{"type": "clientInfo", "locale": user.locale, "country": "BE", "platform": "Web", "timezone": "Europe/Brussels"}],
        "channelData": {"tenant": {"id": user.tenant_id}},
    }


def message(user: TeamsUser, service_url: str, text: str) -> dict[str, Any]:
    activity = _base(user, service_url, "message")
    activity.update({"text": text, "textFormat": "plain"})
    return activity


def submit(user: TeamsUser, service_url: str, data: dict[str, Any]) -> dict[str, Any]:
    """Action.Submit: a message with `value` (the card's data plus its inputs) and no text."""
    activity = _base(user, service_url, "message")
    activity["value"] = data
    activity["channelData"]["source"] = {"name": "message"}
    return activity


def execute(user: TeamsUser, service_url: str, verb: str, data: dict[str, Any], reply_to_id: str | None = None, trigger: str = "manual") -> dict[str, Any]:
    """Action.Execute (Universal Actions): an `adaptiveCard/action` invoke."""
    activity = _base(user, service_url, "invoke")
    activity["name"] = "adaptiveCard/action"
    activity["value"] = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": trigger}
    if reply_to_id:
        activity["replyToId"] = reply_to_id
    return activity


def install(user: TeamsUser, service_url: str) -> dict[str, Any]:
    activity = _base(user, service_url, "installationUpdate")
    activity["action"] = "add"
    return activity


def conversation_update(user: TeamsUser, service_url: str) -> dict[str, Any]:
    activity = _base(user, service_url, "conversationUpdate")
    activity["membersAdded"] = [{"id": user.user_id, "aadObjectId": user.aad_object_id}]
    return activity
