"""The approval subject "equipment_request": a request the manager decides (items that need a
decision, a reasonable adjustment, or over budget), with the budget check at approval."""

from __future__ import annotations

from datetime import datetime

from bot.domain import equipment as rules
from bot.domain.approvals import (
    ApprovalStatus,
    BudgetFact,
    EquipmentLineFact,
    EquipmentRequestSummary,
    NeedsConfirmation,
)
from bot.domain.equipment import RequestStatus
from bot.domain.errors import Conflict, DomainError
from bot.domain.staff import Staff

# The request's own steps stay in the equipment service; this subject only calls them.
from bot.services.equipment import (
    SUBJECT_TYPE,
    _close,
    _commit_budget,
    _get,
    _over_budget_error,
    budget_positions,
)
from bot.services.unit_of_work import UnitOfWork


class EquipmentApprovalSubject:
    subject_type = SUBJECT_TYPE

    async def describe(self, uow: UnitOfWork, subject_id: int) -> EquipmentRequestSummary:
        request = await _get(uow, subject_id)
        budgets: tuple[BudgetFact, ...] = ()
        over_budget = ()
        if request.status == RequestStatus.PENDING:
            positions = await budget_positions(uow, request, lock=False)
            budgets = tuple(BudgetFact(category=p.category, year=p.year, amount=p.amount, remaining=p.remaining) for p in positions)
            over_budget = tuple(p.category for p in rules.over_budget(positions))
        return EquipmentRequestSummary(
            requester_id=request.staff_id, lines=tuple(
                EquipmentLineFact(names=line.names, quantity=line.quantity, unit_price=line.unit_price, cost=line.cost)
                for line in request.lines
            ),
            total=request.total, justification=request.justification, delivery=request.delivery,
            reasonable_adjustment=request.reasonable_adjustment, budgets=budgets, over_budget=over_budget,
        )

    async def before_approve(self, uow: UnitOfWork, subject_id: int, *, confirmed: bool) -> None:
        request = await _get(uow, subject_id, for_update=True)
        if request.status != RequestStatus.PENDING:
            raise Conflict("equipment.already_decided")
        positions = await budget_positions(uow, request, lock=True)
        over = rules.over_budget(positions)
        if not over:
            return
        policy = (await uow.entities.policy(request.entity_id)).equipment
        if policy.over_budget == "confirm":
            if not confirmed:
                raise _over_budget_error(over[0], NeedsConfirmation)
            return
        raise _over_budget_error(over[0], DomainError)

    async def on_decided(
        self, uow: UnitOfWork, subject_id: int, status: ApprovalStatus, actor: Staff, comment: str | None, now: datetime
    ) -> None:
        request = await _get(uow, subject_id, for_update=True)
        if request.status != RequestStatus.PENDING:
            raise Conflict("equipment.already_decided")
        if status == ApprovalStatus.APPROVED:
            # Checked again under the lock: blocking holds even if the decision skipped before_approve.
            positions = await budget_positions(uow, request, lock=True)
            over = rules.over_budget(positions)
            if over and (await uow.entities.policy(request.entity_id)).equipment.over_budget == "block":
                raise _over_budget_error(over[0], DomainError)
            await _commit_budget(uow, request, positions, decided_by=actor.id, now=now, actor=f"staff:{actor.id}")
        elif status == ApprovalStatus.REJECTED:
            await _close(uow, request, RequestStatus.REJECTED, actor, comment, now, decided=True)
        else:
            await _close(uow, request, RequestStatus.CANCELLED, actor, None, now, decided=True)
