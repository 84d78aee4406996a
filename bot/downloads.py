"""Short-lived signed download links for files the bot produces (reports, exports).

A flow registers a producer for a kind on the registry built in `create_app`:

    registry.download("reports.parliament", produce_parliament_workbook, roles=HR_ROLES)

and hands out `turn.download_link("reports.parliament", {"year": 2026})`. The link carries the
kind, the parameters, the staff member and an expiry, signed with LINK_SIGNING_KEY. At download
time the signature and expiry are checked, the staff member must still exist and still hold the
roles (`bot.services.downloads.authorize_download`, audited), and only then does the producer
run: nothing is stored in advance. Expiry uses the wall clock (a link is a security matter, not a
business date).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import web
from itsdangerous import BadSignature, URLSafeSerializer

from bot.config import Settings
from bot.i18n import resolve_locale
from bot.registry import DownloadKind, DownloadRequest
from bot.runtime import SERVICES
from bot.services.downloads import AuthorizeDownload, authorize_download

log = logging.getLogger(__name__)

ROUTE = "/downloads/{token}"
_SALT = "hybridwork.download"
MAX_TTL = timedelta(days=7)
DEFAULT_TTL = timedelta(minutes=15)


class DownloadLinks:
    """Signs and reads the links of the kinds registered in this app."""

    def __init__(self, settings: Settings, kinds: Mapping[str, DownloadKind]) -> None:
        self._base = settings.public_base_url.rstrip("/")
        self._kinds = kinds
        key = settings.link_signing_key
        if not key:
            log.warning(
                "LINK_SIGNING_KEY is not set: download links use a random key of this process, "
                "so they do not survive a restart and do not work across instances"
            )
            key = secrets.token_urlsafe(32)
        self._serializer = URLSafeSerializer(key, salt=_SALT)

    def make(self, kind: str, params: dict, staff_id: int, ttl: timedelta = DEFAULT_TTL, *, now: datetime | None = None) -> str:
        """An absolute URL under PUBLIC_BASE_URL that lets this staff member fetch the file until it expires."""
        if kind not in self._kinds:
            raise ValueError(f"unknown download kind {kind!r}")
        if ttl > MAX_TTL:
            raise ValueError("download links live at most seven days")
        expires = (now or datetime.now(UTC)) + ttl
        token = self._serializer.dumps({"k": kind, "p": params, "s": staff_id, "e": int(expires.timestamp())})
        return f"{self._base}/downloads/{quote(token, safe='')}"

    def read(self, token: str, *, now: datetime | None = None) -> LinkClaims:
        """The claims of a valid token; LinkRefused(403) when tampered, (410) when expired."""
        try:
            data = self._serializer.loads(token)
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


def _refusal(status: int) -> web.Response:
    text = {403: "This link is not valid.", 404: "Nothing to download.", 410: "This link has expired."}[status]
    return web.Response(status=status, text=text, headers={"Cache-Control": "no-store"})


def _attachment_name(filename: str) -> str:
    ascii_name = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def handle_download(request: web.Request) -> web.Response:
    """GET /downloads/{token}: re-check the staff member, then produce the file."""
    services = request.app[SERVICES]
    try:
        claims = services.links.read(request.match_info["token"])
    except LinkRefused as refused:
        log.warning("download refused: %s", refused.reason)
        return _refusal(refused.status)
    kind = services.registry.downloads.get(claims.kind)
    if kind is None:
        log.warning("download refused: unknown kind %r", claims.kind[:100])
        return _refusal(404)
    staff = await services.runner.run(
        authorize_download, AuthorizeDownload(claims.staff_id, claims.kind, kind.roles, claims.params)
    )
    if staff is None:
        log.warning("download of %s refused for staff %s: role or membership lost", claims.kind, claims.staff_id)
        return _refusal(403)
    # The language of the chat the link was made in; older links carry none: the directory's.
    locale = resolve_locale(str(claims.params.get("lang") or "") or None, staff.language, services.settings.default_locale)
    try:
        produced = await kind.producer(services.runner, DownloadRequest(claims.params, claims.staff_id, locale))
    except LookupError:
        return _refusal(404)
    return web.Response(
        body=produced.content,
        content_type=produced.content_type.split(";")[0],
        headers={
            "Content-Disposition": _attachment_name(produced.filename), "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def add_download_route(app: web.Application) -> None:
    app.router.add_get(ROUTE, handle_download)
