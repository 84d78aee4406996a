"""Retention: what is older than the configured period loses what identifies people, while every
figure the reports count stays the same.

Steps, in order:
1. staff who left service before the cutoff are anonymised entirely: name, e-mail, object id and
   department replaced, their free text and personal columns blanked, their logs deleted, their
   conversation reference deleted, the before/after of their audit rows stripped; their rows keep
   their staff id, entity history and service dates, so every count stays exact;
2. for everyone else, rows older than the cutoff lose their free text, and logs (broadcast
   deliveries, pending files) older than the cutoff are deleted;
3. audit rows older than the cutoff keep who, what and when, without before/after; conversation
   state untouched since before the cutoff is deleted.
Audited; a second run finds nothing left to do.

This use case commits once per person (steps 1 and 2) and once for step 3, each in its own pass
through the unit of work, one after the other: a run over the whole directory never holds one
transaction (on SQLite the only write lock) for all of it, and a run that stops half-way leaves
the next one less to do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time

from bot.domain.privacy import retention_cutoff
from bot.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApplyRetention:
    months: int
    dry_run: bool = False  # report what would change, change nothing
    actor: str = "cli"


@dataclass
class RetentionResult:
    cutoff: date
    dry_run: bool
    anonymised: list[int] = field(default_factory=list)
    aged: list[int] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    audit_stripped: int = 0

    def add(self, changed: dict[str, int]) -> None:
        for table, count in changed.items():
            self.rows[table] = self.rows.get(table, 0) + count

    @property
    def changed_anything(self) -> bool:
        return bool(self.anonymised or self.aged or self.rows or self.audit_stripped)


async def apply_retention(uow: UnitOfWork, command: ApplyRetention, now: datetime) -> RetentionResult:
    """Apply (or with dry_run: count) retention with the cutoff `command.months` before today."""
    cutoff = retention_cutoff(now.date(), command.months)
    cutoff_at = datetime.combine(cutoff, time.min, tzinfo=now.tzinfo)
    result = RetentionResult(cutoff, command.dry_run)
    actor, trace = command.actor, {"cutoff": cutoff.isoformat()}

    async def finish() -> None:
        if command.dry_run:
            await uow.rollback()
        else:
            await uow.commit()

    async with uow:
        leavers = await uow.privacy.staff_to_anonymise(cutoff)
    for staff_id in leavers:
        async with uow:
            changed = await uow.privacy.anonymise(staff_id)
            if changed:
                await uow.audit.record(actor, "privacy.anonymised", "staff", staff_id, None, {**trace, "rows": changed})
                result.anonymised.append(staff_id)
                result.add(changed)
            await finish()
    async with uow:
        people = await uow.privacy.staff_with_old_rows(cutoff, cutoff_at)
    for staff_id in people:
        async with uow:
            changed = await uow.privacy.age_out(staff_id, cutoff, cutoff_at)
            if changed:
                await uow.audit.record(actor, "privacy.aged_out", "staff", staff_id, None, {**trace, "rows": changed})
                result.aged.append(staff_id)
                result.add(changed)
            await finish()
    async with uow:
        result.audit_stripped = await uow.privacy.strip_old_audit(cutoff_at)
        if result.audit_stripped:
            await uow.audit.record(
                actor, "privacy.audit_stripped", "audit_log", cutoff.isoformat(), None,
                {"audit_rows": result.audit_stripped},
            )
        await finish()
    log.info(
        "retention %s (cutoff %s): %d anonymised, %d aged out, rows %s, %d audit rows stripped",
        "dry run" if command.dry_run else "applied", cutoff, len(result.anonymised), len(result.aged), result.rows,
        result.audit_stripped,
    )
    return result
