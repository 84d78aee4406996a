"""The activity at the edge: a request body becomes a validated, normalised activity before any work
(authentication, the database, a turn), or is refused with the reason for a 400.

Refused, because no retry can be served: a body that is not JSON (including NaN and numbers
beyond Python's digit limit), JSON nested deeper than `MAX_DEPTH`, a NUL character or a lone UTF-16
surrogate anywhere (PostgreSQL can store neither), fields of the wrong type (`from` not an object,
`channelData.tenant` a string, ...), identifiers missing or longer than the columns that store them,
a serviceUrl that is not http(s), and tenant ids that disagree.
Normalised, because the turn can still be served: a display name longer than `NAME_MAX` is cut,
and a locale (the activity's or the clientInfo entity's) that is not a language tag of at most
`LOCALE_MAX` characters is dropped (the staff member's language or the default applies).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

MAX_DEPTH = 32
ID_MAX = 200  # user, bot, activity ids (conversation_references.user_id, bot_id)
CONVERSATION_ID_MAX = 320  # stored as such and in the bot state key "<channel>/conversations/<id>" (400)
SERVICE_URL_MAX = 400
TENANT_ID_MAX = 64
AAD_OBJECT_ID_MAX = 64
CHANNEL_ID_MAX = 32
NAME_MAX = 200
LOCALE_MAX = 16
SHORT_MAX = 100  # activity type, invoke name, conversation type, action

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Strict JSON has no raw control characters and UTF-8 no surrogates, so a NUL or a lone surrogate
# can only come from a \u escape: a body without one (nearly all) needs no walk for them.
_ESCAPED_UNSTORABLE = re.compile(rb"\\u(0000|[dD][89a-fA-F])")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
# The activity types a turn serves; those need a sender and a conversation to answer in.
SERVED_TYPES = frozenset({"message", "invoke", "conversationUpdate", "installationUpdate"})


class Refused(ValueError):
    """A body the bot will not serve; `reason` goes back in the 400 (never the offending value)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _cut_name(value: object) -> object:
    return value[:NAME_MAX] if isinstance(value, str) else value


def _language_tag_or_none(value: object) -> object:
    if isinstance(value, str) and (len(value) > LOCALE_MAX or not _LANGUAGE_TAG.fullmatch(value)):
        return None
    return value


Id = Annotated[str, StringConstraints(max_length=ID_MAX)]
ConversationId = Annotated[str, StringConstraints(max_length=CONVERSATION_ID_MAX)]
TenantId = Annotated[str, StringConstraints(max_length=TENANT_ID_MAX)]
AadObjectId = Annotated[str, StringConstraints(max_length=AAD_OBJECT_ID_MAX)]
ServiceUrl = Annotated[str, StringConstraints(max_length=SERVICE_URL_MAX)]
ChannelId = Annotated[str, StringConstraints(max_length=CHANNEL_ID_MAX)]
Short = Annotated[str, StringConstraints(max_length=SHORT_MAX)]
Name = Annotated[str | None, BeforeValidator(_cut_name)]
Locale = Annotated[str | None, BeforeValidator(_language_tag_or_none)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, strict=True)


class Account(_Part):
    id: Id | None = None
    name: Name = None
    aad_object_id: AadObjectId | None = Field(None, alias="aadObjectId")


class Conversation(_Part):
    id: ConversationId | None = None
    name: Name = None
    conversation_type: Short | None = Field(None, alias="conversationType")
    tenant_id: TenantId | None = Field(None, alias="tenantId")


class Tenant(_Part):
    id: TenantId | None = None


class Entity(_Part):
    """An entity; Teams' clientInfo carries the client's locale too (read when the activity has none)."""

    type: Short | None = None
    locale: Locale = None


class ChannelData(_Part):
    tenant: Tenant | None = None


class InboundActivity(_Part):
    """The fields the service reads before routing; anything else passes through untouched."""

    type: Short
    id: Id | None = None
    name: Short | None = None
    action: Short | None = None
    service_url: ServiceUrl | None = Field(None, alias="serviceUrl")
    channel_id: ChannelId | None = Field(None, alias="channelId")
    reply_to_id: Id | None = Field(None, alias="replyToId")
    locale: Locale = None
    text: str | None = None
    from_: Account | None = Field(None, alias="from")
    recipient: Account | None = None
    conversation: Conversation | None = None
    channel_data: ChannelData | None = Field(None, alias="channelData")
    entities: list[Entity] | None = None
    attachments: list[dict[str, Any]] | None = None
    members_added: list[Account] | None = Field(None, alias="membersAdded")
    members_removed: list[Account] | None = Field(None, alias="membersRemoved")

    @model_validator(mode="after")
    def _servable(self) -> InboundActivity:
        if self.type in SERVED_TYPES:
            if not self.from_ or not self.from_.id:
                raise ValueError("from.id is required")
            if not self.conversation or not self.conversation.id:
                raise ValueError("conversation.id is required")
            if not self.service_url:
                raise ValueError("serviceUrl is required")
        if self.service_url is not None and not self.service_url.startswith(("https://", "http://")):
            raise ValueError("serviceUrl must be an http(s) URL")
        tenants = {
            tenant for tenant in (
                self.conversation.tenant_id if self.conversation else None,
                self.channel_data.tenant.id if self.channel_data and self.channel_data.tenant else None,
            ) if tenant
        }
        if len(tenants) > 1:
            raise ValueError("conversation.tenantId and channelData.tenant.id disagree")
        return self


def read_activity(body: bytes) -> dict[str, Any]:
    """The activity in `body` as a dict ready for `Activity().deserialize`; Refused otherwise."""
    try:
        data = json.loads(body, parse_constant=_no_constant)
    except RecursionError:
        raise Refused(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # not UTF-8, not JSON, NaN, or an integer of more than 4300 digits
        raise Refused("body is not JSON") from None
    if not isinstance(data, dict):
        raise Refused("not an activity")
    # Fewer brackets than the depth limit cannot nest deeper than it.
    if body.count(b"{") + body.count(b"[") > MAX_DEPTH or _ESCAPED_UNSTORABLE.search(body):
        _check_shape(data)
    try:
        activity = InboundActivity.model_validate(data)
    except ValidationError as error:
        raise Refused(_describe(error)) from None
    return activity.model_dump(by_alias=True, exclude_unset=True)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_shape(data: dict[str, Any]) -> None:
    """Depth and characters of every value, walked without recursion (the body is hostile)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            if depth > MAX_DEPTH:
                raise Refused(f"JSON nested deeper than {MAX_DEPTH} levels")
            for key, item in value.items():
                if _UNSTORABLE.search(key):
                    raise Refused("a NUL character or a lone surrogate in a key")
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            if depth > MAX_DEPTH:
                raise Refused(f"JSON nested deeper than {MAX_DEPTH} levels")
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and _UNSTORABLE.search(value):
            raise Refused("a NUL character or a lone surrogate in a value")


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors()[:3]:
        where = ".".join(str(part) for part in item["loc"]) or "activity"
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if item["loc"] else message)
    return "; ".join(problems)
