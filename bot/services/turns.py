"""The start of every turn: who is asking, and where to reach them later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.conversations import StoredReference
from bot.domain.staff import Staff
from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class StartTurn:
    aad_object_id: str | None
    # The personal chat's reference when it may have changed since it was last saved; None when
    # the caller knows it is unchanged, or the turn is not in a personal chat.
    reference: StoredReference | None = None


async def start_turn(uow: UnitOfWork, command: StartTurn, now: datetime) -> Staff | None:
    """The staff member behind the turn (None: not in the directory); the reference is saved
    (one upsert, so concurrent first turns cannot collide), and committed only when it differs
    from the stored one. Nothing is stored for someone not in the directory: the bot has nothing
    to send them later, and anyone of an allowed tenant could otherwise grow the table."""
    async with uow:
        staff = await uow.staff.get_by_aad(command.aad_object_id) if command.aad_object_id else None
        if staff is not None and command.reference is not None and await uow.conversations.save(command.reference):
            await uow.commit()
    return staff
