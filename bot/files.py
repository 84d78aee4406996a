"""Sending a file to the user in Teams.

1. `send_file` keeps the file as pending for a day and, in a personal chat, sends a file consent
   card; elsewhere (group chats, channels) it sends a short-lived signed download link.
2. The user accepts: Teams sends `fileConsent/invoke` with an upload URL in their OneDrive; the bot
   uploads the bytes and posts a file info card. The pending file is then forgotten.
3. The user declines or the upload fails: the bot answers with a download link instead.
"""

from __future__ import annotations

import logging
import mimetypes
import secrets
from datetime import timedelta
from pathlib import PurePath
from typing import Any

import aiohttp
from botbuilder.core import InvokeResponse, MessageFactory
from botbuilder.schema import Attachment
from botbuilder.schema.teams import FileConsentCard, FileConsentCardResponse, FileInfoCard

from bot.domain.errors import Forbidden, NotFound
from bot.registry import DownloadRequest, FileOut
from bot.runner import UseCaseRunner
from bot.services.files import (
    ForgetUploadedFile,
    OfferFile,
    OwnPendingFile,
    PendingFileForLink,
    forget_uploaded_file,
    offer_file,
    own_pending_file,
    pending_file_for_link,
)
from bot.turn import Turn

log = logging.getLogger(__name__)

FILE_CONSENT = "fileConsent/invoke"
CONSENT_CARD_TYPE = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO_CARD_TYPE = "application/vnd.microsoft.teams.card.file.info"
PENDING_FILE_KIND = "files.pending"
LINK_TTL = timedelta(minutes=15)
UPLOAD_TIMEOUT = aiohttp.ClientTimeout(total=60)
# Teams' consent flow accepts one PUT of the whole file up to 4 MB; larger files go by link.
MAX_CONSENT_BYTES = 4 * 1024 * 1024


def content_type_of(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _safe_name(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name.strip() or "file"
    return name[:200]


def _is_personal(turn: Turn) -> bool:
    conversation = turn.context.activity.conversation
    return conversation is not None and conversation.conversation_type in (None, "personal")


async def produce_pending(runner: UseCaseRunner, request: DownloadRequest) -> FileOut:
    """The download link's producer for a file offered earlier (declined or too large to upload)."""
    public_id = request.params.get("file")
    if not isinstance(public_id, str):
        raise LookupError("no file in the link")
    pending = await runner.run(pending_file_for_link, PendingFileForLink(request.staff_id, public_id))
    if pending is None:
        raise LookupError("file no longer available")
    return FileOut(pending.filename, pending.content_type, pending.content)


async def send_file(turn: Turn, filename: str, content: bytes, *, description: str) -> None:
    """Offer a file to the staff member of this turn (consent card in a personal chat, else a link)."""
    filename = _safe_name(filename)
    public_id = secrets.token_urlsafe(24)
    await turn.run(offer_file, OfferFile(turn.me, public_id, filename, content_type_of(filename), content))
    if not _is_personal(turn) or len(content) > MAX_CONSENT_BYTES:
        await _send_link(turn, public_id, filename)
        return
    context = {"file": public_id}
    card = FileConsentCard(description=description[:500], size_in_bytes=len(content), accept_context=context, decline_context=context)
    await turn.context.send_activity(
        MessageFactory.attachment(Attachment(content_type=CONSENT_CARD_TYPE, name=filename, content=card.serialize()))
    )


async def _send_link(turn: Turn, public_id: str, filename: str) -> None:
    link = turn.download_link(PENDING_FILE_KIND, {"file": public_id}, LINK_TTL)
    await turn.send_text(turn.t("files.download_link", filename=filename, url=link, minutes=int(LINK_TTL.total_seconds() // 60)))


async def handle_file_consent(turn: Turn) -> InvokeResponse:
    """`fileConsent/invoke`: upload on accept, a link on decline; always answers 200."""
    if turn.staff is None:
        await turn.send_text(turn.t("common.unknown_user"))
        return InvokeResponse(status=200)
    value = turn.context.activity.value
    try:
        response = FileConsentCardResponse().deserialize(value) if isinstance(value, dict) else None
    except Exception:  # msrest raises several types for shapes it cannot read
        response = None
    context: Any = response.context if response is not None else None
    public_id = context.get("file") if isinstance(context, dict) else None
    if response is None or response.action not in ("accept", "decline") or not isinstance(public_id, str):
        log.info("malformed file consent refused (correlation %s)", turn.correlation_id)
        await turn.send_text(turn.t("common.stale_card"))
        return InvokeResponse(status=200)
    try:
        pending = await turn.run(own_pending_file, OwnPendingFile(turn.me, public_id))
    except NotFound:
        await turn.send_text(turn.t("files.gone"))
        return InvokeResponse(status=200)
    except Forbidden:
        log.warning("file consent for someone else's file refused (%s, correlation %s)", turn.actor, turn.correlation_id)
        await turn.send_text(turn.t("common.not_allowed"))
        return InvokeResponse(status=200)
    if response.action == "decline":
        await turn.send_text(turn.t("files.declined", filename=pending.filename))
        await _send_link(turn, public_id, pending.filename)
        return InvokeResponse(status=200)
    upload = response.upload_info
    if upload is None or not upload.upload_url or not await _upload(upload.upload_url, pending.content):
        await turn.send_text(turn.t("files.upload_failed", filename=pending.filename))
        await _send_link(turn, public_id, pending.filename)
        return InvokeResponse(status=200)
    info = FileInfoCard(unique_id=upload.unique_id, file_type=upload.file_type)
    await turn.context.send_activity(
        MessageFactory.attachment(
            Attachment(content_type=FILE_INFO_CARD_TYPE, content_url=upload.content_url, name=upload.name or pending.filename, content=info.serialize())
        )
    )
    await turn.run(forget_uploaded_file, ForgetUploadedFile(turn.me, public_id, pending.filename))
    return InvokeResponse(status=200)


async def _upload(upload_url: str, content: bytes) -> bool:
    """One PUT of the whole file to the OneDrive upload session Teams created."""
    size = len(content)
    headers = {"Content-Length": str(size), "Content-Range": f"bytes 0-{max(size - 1, 0)}/{size}"}
    try:
        async with aiohttp.ClientSession(timeout=UPLOAD_TIMEOUT) as session, session.put(upload_url, data=content, headers=headers) as reply:
            if reply.status in (200, 201):
                return True
            log.warning("file upload answered %s", reply.status)
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("file upload failed: %s", type(error).__name__)
    return False
