"""Scheduled jobs run once per slot across every instance: one instance at a time holds a slot
under a lease it renews while the job runs; a slot left unfinished by an instance that died is
taken over by another when the lease runs out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ClaimJobSlot:
    job: str
    slot: str      # the slot's start, aligned on the epoch so every instance agrees
    instance: str
    lease: timedelta


@dataclass(frozen=True)
class RenewJobClaim:
    job: str
    slot: str
    instance: str
    lease: timedelta


@dataclass(frozen=True)
class FinishJobSlot:
    job: str
    slot: str
    instance: str


async def claim_job_slot(uow: UnitOfWork, command: ClaimJobSlot, now: datetime) -> bool:
    """True for exactly one caller per (job, slot) at a time: the first, or one taking over an
    unfinished slot whose lease ran out."""
    async with uow:
        claimed = await uow.jobs.claim(command.job, command.slot, command.instance, now, command.lease)
        await uow.commit()
    return claimed


async def renew_job_claim(uow: UnitOfWork, command: RenewJobClaim, now: datetime) -> bool:
    """Extend the lease while the job runs; False when another instance has taken the slot over."""
    async with uow:
        renewed = await uow.jobs.renew(command.job, command.slot, command.instance, now, command.lease)
        await uow.commit()
    return renewed


async def finish_job_slot(uow: UnitOfWork, command: FinishJobSlot, now: datetime) -> None:
    """The slot is done (also when the job failed: a slot is not rerun, the next one catches up)."""
    async with uow:
        await uow.jobs.finish(command.job, command.slot, command.instance, now)
        await uow.commit()
