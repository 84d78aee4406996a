"""Entity policies the tests set through the repositories, as an administrator would."""

from __future__ import annotations

from datetime import date

from storage.uow import UnitOfWorkFactory

BEFORE_ANYONE_STARTED = date(2000, 1, 1)


async def go_live(uow_factory: UnitOfWorkFactory, since: date | None = BEFORE_ANYONE_STARTED) -> None:
    """Every entity's go-live date for the new-staff default (by default: before anyone started)."""
    async with uow_factory() as uow:
        for entity in await uow.entities.list_all():
            policy = await uow.entities.policy(entity.id)
            allowance = policy.allowance.model_copy(update={"default_mode_since": since})
            await uow.entities.set_policy(entity.id, policy.model_copy(update={"allowance": allowance}))
        await uow.commit()
