"""Files offered to a staff member (a consent card in Teams, else a signed link): keep, look up,
refuse someone else's, forget once uploaded. Every step audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.errors import Forbidden, NotFound
from bot.domain.files import PendingFile
from bot.domain.staff import Staff
from bot.services.unit_of_work import UnitOfWork

PENDING_FOR = timedelta(hours=24)


def _actor(staff: Staff) -> str:
    return f"staff:{staff.id}"


@dataclass(frozen=True)
class OfferFile:
    actor: Staff
    public_id: str
    filename: str
    content_type: str
    content: bytes


async def offer_file(uow: UnitOfWork, command: OfferFile, now: datetime) -> PendingFile:
    """Keep the file for a day (and drop offers that expired)."""
    async with uow:
        await uow.files.delete_expired(now)
        pending = await uow.files.add(
            command.public_id, command.actor.id, command.filename, command.content_type, command.content, now + PENDING_FOR
        )
        await uow.audit.record(
            _actor(command.actor), "file.offered", "file", command.public_id, None,
            {"filename": command.filename, "bytes": len(command.content)},
        )
        await uow.commit()
    return pending


@dataclass(frozen=True)
class OwnPendingFile:
    actor: Staff
    public_id: str


async def own_pending_file(uow: UnitOfWork, command: OwnPendingFile, now: datetime) -> PendingFile:
    """The actor's own offered file; NotFound when gone or expired, Forbidden (audited) when it is
    someone else's."""
    async with uow:
        pending = await uow.files.get(command.public_id)
        if pending is None or pending.expires_at <= now:
            raise NotFound("files.gone")
        if pending.staff_id != command.actor.id:
            await uow.audit.record(_actor(command.actor), "refused", "file", command.public_id)
            await uow.commit()
            raise Forbidden()
    return pending


@dataclass(frozen=True)
class PendingFileForLink:
    staff_id: int
    public_id: str


async def pending_file_for_link(uow: UnitOfWork, command: PendingFileForLink, now: datetime) -> PendingFile | None:
    """The file a signed link points to, while it is the link holder's and not expired."""
    async with uow:
        pending = await uow.files.get(command.public_id)
    return pending if pending is not None and pending.available_to(command.staff_id, now) else None


@dataclass(frozen=True)
class ForgetUploadedFile:
    actor: Staff
    public_id: str
    filename: str


async def forget_uploaded_file(uow: UnitOfWork, command: ForgetUploadedFile, now: datetime) -> None:
    async with uow:
        await uow.files.remove(command.public_id)
        await uow.audit.record(_actor(command.actor), "file.uploaded", "file", command.public_id, None, {"filename": command.filename})
        await uow.commit()
