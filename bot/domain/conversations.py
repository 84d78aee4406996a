"""Where the bot can reach a person later: the conversation reference of their personal chat."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoredReference:
    """A conversation reference as the proactive sender needs it (no SDK types)."""

    aad_object_id: str
    user_id: str
    user_name: str | None
    conversation_id: str
    service_url: str
    tenant_id: str | None
    channel_id: str
    bot_id: str
    bot_name: str | None
    locale: str | None
    usable: bool
