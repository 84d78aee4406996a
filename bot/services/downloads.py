"""Who may fetch a signed download link's file, decided again at download time and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.staff import Role, Staff
from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class AuthorizeDownload:
    staff_id: int
    kind: str
    roles: frozenset[Role] | None
    params: dict[str, Any]


async def authorize_download(uow: UnitOfWork, command: AuthorizeDownload, now: datetime) -> Staff | None:
    """The staff member when they are still in service and hold the kind's roles, else None;
    either way the attempt is audited."""
    async with uow:
        staff = await uow.staff.get(command.staff_id)
        allowed = staff is not None and staff.end_date is None and (command.roles is None or staff.has(*command.roles))
        await uow.audit.record(
            f"staff:{command.staff_id}", "download" if allowed else "download.refused", "download", command.kind,
            None, {"params": command.params},
        )
        await uow.commit()
    return staff if allowed else None
