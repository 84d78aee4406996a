"""Short-lived signed download links for files the bot produces (reports, exports).

An area registers a producer for a kind when its module is imported:

    register_download("reports.parliament", produce_parliament_workbook, roles=frozenset({Role.HR}))

and hands out `download_link(settings, "reports.parliament", {"year": 2026}, staff_id)`. The link
carries the kind, the parameters, the staff member and an expiry, signed with LINK_SIGNING_KEY.
At download time the signature and expiry are checked, the staff member must still exist and
still hold the roles, and only then does the producer run: nothing is stored in advance.
Expiry uses the wall clock (a link is a security matter, not a business date).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web
from itsdangerous import BadSignature, URLSafeSerializer

from bot.config import Settings
from bot.domain.staff import Role

if TYPE_CHECKING:
    from bot.runtime import Services

log = logging.getLogger(__name__)

Producer = Callable[["Services", dict, int], Awaitable[tuple[str, str, bytes]]]

ROUTE = "/downloads/{token}"
_SALT = "hybridwork.download"
MAX_TTL = timedelta(days=7)


@dataclass(frozen=True)
class DownloadKind:
    kind: str
    producer: Producer
    roles: frozenset[Role] | None


_KINDS: dict[str, DownloadKind] = {}
# Used only when LINK_SIGNING_KEY is empty: links then die with the process.
_process_key: list[str] = []


def register_download(kind: str, producer: Producer, roles: frozenset[Role] | None = None) -> None:
    """Make a kind of file downloadable; call it when the producing module is imported."""
    known = _KINDS.get(kind)
    if known is not None and getattr(known.producer, "__qualname__", None) != getattr(producer, "__qualname__", None):
        raise ValueError(f"download kind {kind!r} registered twice")
    _KINDS[kind] = DownloadKind(kind, producer, frozenset(roles) if roles else None)


def registered_kinds() -> frozenset[str]:
    return frozenset(_KINDS)


def signing_key(settings: Settings) -> str:
    if settings.link_signing_key:
        return settings.link_signing_key
    if not _process_key:
        log.warning(
            "LINK_SIGNING_KEY is not set: download links use a random key of this process, "
            "so they do not survive a restart and do not work across instances"
        )
        _process_key.append(secrets.token_urlsafe(32))
    return _process_key[0]


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(signing_key(settings), salt=_SALT)


def download_link(
    settings: Settings,
    kind: str,
    params: dict,
    staff_id: int,
    ttl: timedelta = timedelta(minutes=15),
    *,
    now: datetime | None = None,
) -> str:
    """An absolute URL under PUBLIC_BASE_URL that lets this staff member fetch the file until it expires."""
    if kind not in _KINDS:
        raise ValueError(f"unknown download kind {kind!r}")
    if ttl > MAX_TTL:
        raise ValueError("download links live at most seven days")
    expires = (now or datetime.now(UTC)) + ttl
    token = _serializer(settings).dumps({"k": kind, "p": params, "s": staff_id, "e": int(expires.timestamp())})
    return f"{settings.public_base_url.rstrip('/')}/downloads/{quote(token, safe='')}"


@dataclass(frozen=True)
class LinkClaims:
    kind: str
    params: dict[str, Any]
    staff_id: int
    expires: datetime


class LinkRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(reason)


def read_link(settings: Settings, token: str, *, now: datetime | None = None) -> LinkClaims:
    """The claims of a valid token; LinkRefused(403) when tampered, (410) when expired."""
    try:
        data = _serializer(settings).loads(token)
    except BadSignature:
        raise LinkRefused(403, "bad signature") from None
    if not isinstance(data, dict) or not isinstance(data.get("k"), str) or not isinstance(data.get("s"), int):
        raise LinkRefused(403, "malformed claims")
    if not isinstance(data.get("p"), dict) or not isinstance(data.get("e"), int):
        raise LinkRefused(403, "malformed claims")
    expires = datetime.fromtimestamp(data["e"], UTC)
    if (now or datetime.now(UTC)) >= expires:
        raise LinkRefused(410, "expired")
    return LinkClaims(data["k"], data["p"], data["s"], expires)


def _refusal(status: int) -> web.Response:
    text = {403: "This link is not valid.", 404: "Nothing to download.", 410: "This link has expired."}[status]
    return web.Response(status=status, text=text, headers={"Cache-Control": "no-store"})


def _attachment_name(filename: str) -> str:
    ascii_name = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def handle_download(request: web.Request) -> web.Response:
    """GET /downloads/{token}: re-check the staff member, then produce the file."""
    from bot.app import SERVICES

    services = request.app[SERVICES]
    try:
        claims = read_link(services.settings, request.match_info["token"])
    except LinkRefused as refused:
        log.warning("download refused: %s", refused.reason)
        return _refusal(refused.status)
    kind = _KINDS.get(claims.kind)
    if kind is None:
        log.warning("download refused: unknown kind %r", claims.kind[:100])
        return _refusal(404)
    async with services.uow() as uow:
        staff = await uow.staff.get(claims.staff_id)
        allowed = staff is not None and staff.end_date is None and (kind.roles is None or staff.has(*kind.roles))
        await uow.audit.record(
            f"staff:{claims.staff_id}", "download" if allowed else "download.refused", "download", claims.kind,
            None, {"params": claims.params},
        )
        await uow.commit()
    if not allowed:
        log.warning("download of %s refused for staff %s: role or membership lost", claims.kind, claims.staff_id)
        return _refusal(403)
    try:
        filename, content_type, content = await kind.producer(services, claims.params, claims.staff_id)
    except LookupError:
        return _refusal(404)
    return web.Response(
        body=content,
        content_type=content_type.split(";")[0],
        headers={"Content-Disposition": _attachment_name(filename), "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


def add_download_route(app: web.Application) -> None:
    app.router.add_get(ROUTE, handle_download)
