"""Scheduled jobs run once per slot across every instance: the first instance to claim the slot runs it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ClaimJobSlot:
    job: str
    slot: str      # the slot's start, aligned on the epoch so every instance agrees
    instance: str


async def claim_job_slot(uow: UnitOfWork, command: ClaimJobSlot, now: datetime) -> bool:
    """True for exactly one caller per (job, slot)."""
    async with uow:
        claimed = await uow.jobs.claim(command.job, command.slot, command.instance)
        await uow.commit()
    return claimed
