"""Refusals are audited like state changes: who tried what, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class RecordRefusal:
    actor: str    # how the audit log names the person ("staff:7", "aad:...")
    what: str     # the verb, command or opener that was refused
    subject_type: str = "action"


async def record_refusal(uow: UnitOfWork, command: RecordRefusal, now: datetime) -> None:
    async with uow:
        await uow.audit.record(command.actor, "refused", command.subject_type, command.what[:100])
        await uow.commit()
