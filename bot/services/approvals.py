"""Generic approvals: one mechanism (and one card family) for every subject that needs a manager's yes.

A subject area (home-work days, equipment requests) registers an ApprovalSubject and calls
request_approval in its own transaction, then deliver_approval_card after its commit. Decisions
come from the approval card (Action.Execute), the pending list or a bulk approve, and all go
through `decide`: one transaction that locks the approval, checks from the database who may
decide, records the decision only while pending and lets the subject react; the requester is
told afterwards. Reminders and escalations are scheduler jobs, each sent once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from bot.domain import approvals as rules
from bot.domain.approvals import APPROVED, CANCELLED, DECISIONS, PENDING, Approval, Deputy
from bot.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from bot.domain.policy import EntityPolicy
from bot.domain.staff import Role, Staff
from bot.i18n import LOCALES, Locale, Translator, resolve_locale
from bot.scheduler import Job, register_job

if TYPE_CHECKING:
    from bot.runtime import Services
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

SUBJECT = "approval"  # audit subject type
MAX_BULK = 50
MAX_REFRESH_USERS = 60  # Teams' limit for refresh.userIds


@dataclass(frozen=True)
class SubjectView:
    title: str                        # localized, e.g. "Thuiswerk op vrijdag 27 november 2026"
    facts: list[tuple[str, str]]      # localized label/value pairs shown on the approval card
    requester_id: int
    warning: str | None = None        # e.g. over budget, anchor day


class NeedsConfirmation(DomainError):
    """Raised by before_approve when approving needs an explicit "approve anyway" click."""

    key = "approvals.needs_confirmation"


class ApprovalSubject(Protocol):
    subject_type: str

    async def describe(self, uow: UnitOfWork, subject_id: int, t: Translator) -> SubjectView: ...

    async def before_approve(self, uow: UnitOfWork, subject_id: int, *, confirmed: bool) -> None: ...

    async def on_decided(
        self, uow: UnitOfWork, subject_id: int, status: str, actor: Staff, comment: str | None, now: datetime
    ) -> None: ...


_SUBJECTS: dict[str, ApprovalSubject] = {}


def register_subject(subject: ApprovalSubject) -> None:
    """Called at import of the subject area's service module; registering again replaces it."""
    _SUBJECTS[subject.subject_type] = subject


def subject_of(subject_type: str) -> ApprovalSubject:
    subject = _SUBJECTS.get(subject_type)
    if subject is None:
        raise LookupError(f"no approval subject registered for {subject_type!r}")
    return subject


def _snapshot(approval: Approval) -> dict[str, Any]:
    return {
        "subject_type": approval.subject_type, "subject_id": approval.subject_id, "status": approval.status,
        "approver_id": approval.approver_id, "decided_by": approval.decided_by, "comment": approval.comment,
    }


# -- requesting --------------------------------------------------------------------------------------
async def _fallback_approver(uow: UnitOfWork, *, excluding: Iterable[int]) -> Staff | None:
    """An admin decides when nobody above exists (no manager in the directory)."""
    skip = set(excluding)
    admins = sorted(await uow.staff.list_by_role(Role.ADMIN), key=lambda staff: staff.id)
    return next((admin for admin in admins if admin.id not in skip), None)


async def request_approval(
    uow: UnitOfWork, *, subject_type: str, subject_id: int, requester: Staff, actor: str, now: datetime
) -> int:
    """Create a pending approval for the requester's manager (an admin without a manager) and
    audit it; a subject that already waits returns its pending approval. The caller commits."""
    subject_of(subject_type)
    existing = await uow.approvals.pending_for_subject(subject_type, subject_id)
    if existing is not None:
        return existing.id
    approver_id = requester.manager_id
    if approver_id is None or approver_id == requester.id:
        admin = await _fallback_approver(uow, excluding=[requester.id])
        if admin is None:
            raise DomainError("approvals.no_approver")
        approver_id = admin.id
    approval = await uow.approvals.add(
        subject_type=subject_type, subject_id=subject_id, requester_id=requester.id, approver_id=approver_id, created_at=now
    )
    await uow.audit.record(actor, "approval.requested", SUBJECT, approval.id, None, _snapshot(approval))
    return approval.id


async def pending_for_subject(uow: UnitOfWork, subject_type: str, subject_id: int) -> int | None:
    approval = await uow.approvals.pending_for_subject(subject_type, subject_id)
    return approval.id if approval else None


async def cancel_for_subject(uow: UnitOfWork, *, subject_type: str, subject_id: int, actor: Staff, now: datetime) -> None:
    """The requester withdraws while pending; nothing happens when nothing waits. The caller commits."""
    approval = await uow.approvals.pending_for_subject(subject_type, subject_id)
    if approval is None:
        return
    if actor.id != approval.requester_id and not actor.has(Role.ADMIN):
        raise Forbidden("approvals.not_yours")
    if not await uow.approvals.decide(approval.id, status=CANCELLED, decided_by=actor.id, decided_at=now, comment=None):
        return
    await subject_of(subject_type).on_decided(uow, subject_id, CANCELLED, actor, None, now)
    after = await uow.approvals.get(approval.id)
    await uow.audit.record(f"staff:{actor.id}", "approval.cancelled", SUBJECT, approval.id, _snapshot(approval), _snapshot(after or approval))


# -- who may decide and what they see ----------------------------------------------------------------
@dataclass(frozen=True)
class Access:
    approval: Approval
    requester: Staff
    may_decide: bool


async def _access(uow: UnitOfWork, approval: Approval, actor: Staff, today: date) -> Access:
    requester = await uow.staff.get(approval.requester_id)
    if requester is None:
        raise NotFound()
    deputised = await uow.approvals.deputised_for(actor.id, today)
    return Access(approval, requester, rules.may_decide(actor, approval, requester, deputised))


async def _refuse(services: Services, actor: Staff, approval_id: int, what: str, correlation_id: str | None) -> Forbidden:
    """Audit which approval someone tried to act on (the router's audit only knows the verb)."""
    log.warning("refused %s on approval %s for staff %s", what, approval_id, actor.id)
    async with services.uow(correlation_id) as uow:
        await uow.audit.record(f"staff:{actor.id}", "approval.refused", SUBJECT, approval_id, None, {"attempt": what})
        await uow.commit()
    return Forbidden("approvals.not_yours")


async def _refresh_user_ids(uow: UnitOfWork, approval: Approval, requester: Staff, today: date) -> list[str]:
    """Teams user ids (29:...) of everyone who may decide by position, plus their active deputies:
    their clients refresh the card and get the buttons; everyone else sees the status."""
    people = rules.deciders_of(approval, requester)
    people |= {deputy.deputy_id for deputy in await uow.approvals.active_deputies(people, today)}
    people.discard(requester.id)
    staff = await uow.staff.list_by_ids(sorted(people))
    refs = await uow.conversations.get_many([person.aad_object_id for person in staff])
    return sorted({ref.user_id for ref in refs.values() if ref.user_id})[:MAX_REFRESH_USERS]


async def _card(
    uow: UnitOfWork, access: Access, t: Translator, today: date, *, confirm_warning: str | None = None, notice: str | None = None
) -> dict[str, Any]:
    from dialogs.cards.approvals import ApprovalCardView, approval_card

    approval = access.approval
    subject = await subject_of(approval.subject_type).describe(uow, approval.subject_id, t)
    names = {
        staff.id: staff.display_name
        for staff in await uow.staff.list_by_ids([i for i in (approval.approver_id, approval.decided_by) if i is not None])
    }
    view = ApprovalCardView(
        approval_id=approval.id, subject=subject, requester_name=access.requester.display_name,
        approver_name=names.get(approval.approver_id, "?"), status=approval.status, requested_at=approval.created_at,
        can_decide=access.may_decide and approval.is_pending,
        decided_by_name=names.get(approval.decided_by) if approval.decided_by else None,
        decided_at=approval.decided_at, comment=approval.comment, escalated=approval.escalated_at is not None,
        confirm_warning=confirm_warning, notice=notice,
        refresh_user_ids=tuple(await _refresh_user_ids(uow, approval, access.requester, today)),
    )
    return approval_card(t, view)


async def card_for_viewer(
    services: Services, approval_id: int, viewer: Staff, t: Translator, *, correlation_id: str | None = None,
    confirm_warning: str | None = None,
) -> dict[str, Any]:
    """The card as `viewer` should see it now: buttons for whoever may decide while pending, the
    status for the requester, the outcome for everyone after a decision. Others are refused."""
    today = services.clock.today()
    async with services.uow(correlation_id) as uow:
        approval = await uow.approvals.get(approval_id)
        if approval is None:
            raise NotFound()
        access = await _access(uow, approval, viewer, today)
        allowed = access.may_decide or viewer.id == approval.requester_id
        if allowed:
            return await _card(uow, access, t, today, confirm_warning=confirm_warning)
    raise await _refuse(services, viewer, approval_id, "view", correlation_id)


async def _locale_of(uow: UnitOfWork, staff: Staff, default: Locale) -> tuple[Locale, Any]:
    ref = await uow.conversations.get(staff.aad_object_id)
    return resolve_locale(ref.locale if ref else None, staff.language, default), ref


async def deliver_approval_card(services: Services, approval_id: int) -> None:
    """After the commit: send the approval card to the approver (and a copy to their active
    deputies) and keep the approver's card activity id so the card can be updated later."""
    await _deliver(services, approval_id)


async def _deliver(services: Services, approval_id: int, *, notice_key: str | None = None) -> None:
    today = services.clock.today()
    default = services.settings.default_locale
    deliveries: list[tuple[Staff, Any, dict[str, Any]]] = []
    async with services.uow() as uow:
        approval = await uow.approvals.get(approval_id)
        if approval is None or not approval.is_pending:
            return
        requester = await uow.staff.get(approval.requester_id)
        approver = await uow.staff.get(approval.approver_id)
        if requester is None or approver is None:
            return
        deputies = await uow.approvals.active_deputies([approver.id], today)
        recipients = [approver, *await uow.staff.list_by_ids([d.deputy_id for d in deputies if d.deputy_id != requester.id])]
        for person in recipients:
            locale, ref = await _locale_of(uow, person, default)
            if ref is None or not ref.usable:
                log.info("approval %s: staff %s has no usable conversation reference", approval_id, person.id)
                continue
            t = Translator(locale)
            access = Access(approval, requester, True)
            notice = t(notice_key, name=requester.display_name) if notice_key else None
            deliveries.append((person, ref, await _card(uow, access, t, today, notice=notice)))
    for person, ref, card in deliveries:
        result = await services.proactive.send_to_reference(ref, card)
        if person.id == approval.approver_id and result.status == "sent" and notice_key is None:
            async with services.uow() as uow:
                await uow.approvals.set_card(approval_id, result.activity_id, result.conversation_id)
                await uow.commit()


# -- deciding -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Decision:
    approval: Approval
    changed: bool  # False: decided before (second click, stale card, the other manager was first)


async def decide(
    services: Services, *, approval_id: int, actor: Staff, decision: str, comment: str | None = None,
    confirmed: bool = False, correlation_id: str | None = None, shown_activity_id: str | None = None,
) -> Decision:
    """Approve or reject in one transaction; only while pending; then tell the requester.

    Raises Forbidden (audited with the approval id) for anyone but the manager, the approver, their
    active deputies and admins; NeedsConfirmation when the subject wants an "approve anyway";
    another DomainError when the subject blocks the approval. `shown_activity_id` is the card the
    click came from (its invoke response replaces it; any other stored card is updated here).
    """
    if decision not in DECISIONS:
        raise InvalidInput("approvals.unknown_decision")
    status = DECISIONS[decision]
    comment = rules.check_comment(comment)
    now = services.clock.now()
    today = services.clock.today()
    async with services.uow(correlation_id) as uow:
        approval = await uow.approvals.get(approval_id, for_update=True)
        if approval is None:
            raise NotFound()
        access = await _access(uow, approval, actor, today)
        if not access.may_decide:
            await uow.rollback()
            refused = True
        else:
            refused = False
            if not approval.is_pending:
                return Decision(approval, changed=False)
            subject = subject_of(approval.subject_type)
            if status == APPROVED:
                await subject.before_approve(uow, approval.subject_id, confirmed=confirmed)
            if not await uow.approvals.decide(approval_id, status=status, decided_by=actor.id, decided_at=now, comment=comment):
                current = await uow.approvals.get(approval_id)
                return Decision(current or approval, changed=False)
            await subject.on_decided(uow, approval.subject_id, status, actor, comment, now)
            decided = await uow.approvals.get(approval_id)
            assert decided is not None
            await uow.audit.record(f"staff:{actor.id}", "approval.decided", SUBJECT, approval_id, _snapshot(approval), _snapshot(decided))
            await uow.commit()
    if refused:
        raise await _refuse(services, actor, approval_id, f"decide:{decision}", correlation_id)
    await _announce(services, decided, shown_activity_id)
    return Decision(decided, changed=True)


async def _announce(services: Services, approval: Approval, shown_activity_id: str | None) -> None:
    """Tell the requester, and bring the approver's stored card up to date when the decision was
    made elsewhere (pending list, bulk approve, a deputy's or an admin's card)."""
    from dialogs.cards.approvals import decision_message

    today = services.clock.today()
    default = services.settings.default_locale
    update: tuple[Any, dict[str, Any]] | None = None
    async with services.uow() as uow:
        requester = await uow.staff.get(approval.requester_id)
        decider = await uow.staff.get(approval.decided_by) if approval.decided_by else None
        if requester is None:
            return
        titles = {
            locale: (await subject_of(approval.subject_type).describe(uow, approval.subject_id, Translator(locale))).title
            for locale in LOCALES
        }
        if approval.card_activity_id and approval.card_activity_id != shown_activity_id:
            approver = await uow.staff.get(approval.approver_id)
            if approver is not None:
                locale, ref = await _locale_of(uow, approver, default)
                if ref is not None and ref.usable and ref.conversation_id == approval.card_conversation_id:
                    update = (ref, await _card(uow, Access(approval, requester, False), Translator(locale), today))
    decider_name = decider.display_name if decider else "?"
    await services.proactive.notify(
        requester.aad_object_id,
        lambda t: decision_message(t, titles[t.locale], approval.status, decider_name, approval.comment),
        requester.language,
    )
    if update is not None:
        await services.proactive.update(update[0], approval.card_activity_id or "", update[1])


# -- pending list and bulk approve ---------------------------------------------------------------------
@dataclass(frozen=True)
class PendingItem:
    approval_id: int
    title: str
    requester_name: str
    requested_at: datetime
    warning: str | None


async def list_decidable(services: Services, viewer: Staff, t: Translator, *, correlation_id: str | None = None) -> list[PendingItem]:
    """Pending approvals `viewer` may decide: their own team's, those assigned to them, those of the
    managers they deputise for today and, for admins, those that fell back to an admin."""
    today = services.clock.today()
    async with services.uow(correlation_id) as uow:
        deputised = await uow.approvals.deputised_for(viewer.id, today)
        deciders = {viewer.id, *deputised}
        if viewer.has(Role.ADMIN):
            deciders |= {admin.id for admin in await uow.staff.list_by_role(Role.ADMIN)}
        approvals = await uow.approvals.list_pending_for_deciders(deciders, limit=MAX_BULK)
        requesters = {s.id: s for s in await uow.staff.list_by_ids(sorted({a.requester_id for a in approvals}))}
        items = []
        for approval in approvals:
            requester = requesters.get(approval.requester_id)
            if requester is None or not rules.may_decide(viewer, approval, requester, deputised):
                continue
            subject = _SUBJECTS.get(approval.subject_type)
            if subject is None:
                continue
            view = await subject.describe(uow, approval.subject_id, t)
            items.append(PendingItem(approval.id, view.title, requester.display_name, approval.created_at, view.warning))
    return items


@dataclass(frozen=True)
class BulkResult:
    approved: list[int]
    skipped: list[tuple[int, str]]  # (approval id, i18n key of the reason)


async def bulk_approve(
    services: Services, actor: Staff, approval_ids: Iterable[int], *, correlation_id: str | None = None
) -> BulkResult:
    """Approve each through `decide`, one transaction per approval: a request that is blocked or
    needs an explicit confirmation is skipped without holding back the others, and no single
    approval is ever half-applied."""
    ids = list(dict.fromkeys(approval_ids))
    if len(ids) > MAX_BULK:
        raise InvalidInput("approvals.bulk_too_many", limit=MAX_BULK)
    approved: list[int] = []
    skipped: list[tuple[int, str]] = []
    for approval_id in ids:
        try:
            outcome = await decide(services, approval_id=approval_id, actor=actor, decision="approve", correlation_id=correlation_id)
        except NeedsConfirmation:
            skipped.append((approval_id, "approvals.skipped_needs_confirmation"))
        except Forbidden:
            skipped.append((approval_id, "approvals.skipped_not_yours"))
        except DomainError as error:
            log.info("bulk approve skipped approval %s: %s", approval_id, error.key)
            skipped.append((approval_id, "approvals.skipped_blocked"))
        else:
            if outcome.changed:
                approved.append(approval_id)
            else:
                skipped.append((approval_id, "approvals.skipped_already_decided"))
    return BulkResult(approved, skipped)


# -- deputies -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeputyItem:
    id: int
    name: str
    email: str
    valid_from: date
    valid_until: date
    active: bool


async def list_deputies(uow: UnitOfWork, manager: Staff, today: date) -> list[DeputyItem]:
    deputies = await uow.approvals.list_deputies(manager.id, current_on=today)
    people = {s.id: s for s in await uow.staff.list_by_ids([d.deputy_id for d in deputies])}
    return [
        DeputyItem(d.id, people[d.deputy_id].display_name, people[d.deputy_id].email, d.valid_from, d.valid_until, d.active_on(today))
        for d in deputies if d.deputy_id in people
    ]


async def deputy_candidates(uow: UnitOfWork, manager: Staff, today: date) -> list[Staff]:
    """Colleagues a manager would pick: their peers (their own manager's reports) and their reports."""
    peers = await uow.staff.list_reports(manager.manager_id) if manager.manager_id else []
    reports = await uow.staff.list_reports(manager.id)
    seen: dict[int, Staff] = {}
    for person in [*peers, *reports]:
        if person.id != manager.id and person.in_service_on(today) and person.entity_id == manager.entity_id:
            seen.setdefault(person.id, person)
    return sorted(seen.values(), key=lambda person: person.display_name)


async def set_deputy(
    uow: UnitOfWork, manager: Staff, *, deputy_id: int | None, deputy_email: str | None, valid_from: date,
    valid_until: date, today: date, now: datetime,
) -> Deputy:
    """Name a deputy who decides for `manager` from valid_from to valid_until (inclusive). The caller commits."""
    deputy = None
    if deputy_email:
        deputy = await uow.staff.get_by_email(deputy_email)
    elif deputy_id is not None:
        deputy = await uow.staff.get(deputy_id)
    else:
        raise InvalidInput("approvals.deputy_missing")
    if deputy is None:
        raise InvalidInput("approvals.deputy_unknown")
    if deputy.entity_id != manager.entity_id:
        raise InvalidInput("approvals.deputy_other_entity")
    rules.check_deputy(manager, deputy, valid_from, valid_until, today)
    row = await uow.approvals.add_deputy(manager.id, deputy.id, valid_from, valid_until, now)
    await uow.audit.record(
        f"staff:{manager.id}", "deputy.set", "deputy", row.id, None,
        {"manager_id": manager.id, "deputy_id": deputy.id, "valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat()},
    )
    return row


async def remove_deputy(uow: UnitOfWork, manager: Staff, deputy_row_id: int) -> None:
    """A manager removes one of their own deputies; someone else's is refused. The caller commits."""
    deputy = await uow.approvals.get_deputy(deputy_row_id)
    if deputy is None:
        raise NotFound()
    if deputy.manager_id != manager.id:
        raise Forbidden("approvals.not_your_deputy")
    await uow.approvals.remove_deputy(deputy_row_id)
    await uow.audit.record(
        f"staff:{manager.id}", "deputy.removed", "deputy", deputy_row_id,
        {"manager_id": deputy.manager_id, "deputy_id": deputy.deputy_id, "valid_from": deputy.valid_from.isoformat(),
         "valid_until": deputy.valid_until.isoformat()}, None,
    )


# -- reminders and escalation (scheduler jobs) --------------------------------------------------------
async def _due(services: Services, now: datetime, which: str) -> list[Approval]:
    zone = ZoneInfo(services.settings.timezone)
    today = now.astimezone(zone).date()
    async with services.uow() as uow:
        pending = await uow.approvals.list_pending()
        requesters = {s.id: s for s in await uow.staff.list_by_ids(sorted({a.requester_id for a in pending}))}
        policies: dict[int, EntityPolicy] = {}
        due = []
        for approval in pending:
            requester = requesters.get(approval.requester_id)
            if requester is None:
                continue
            if requester.entity_id not in policies:
                policies[requester.entity_id] = await uow.entities.policy(requester.entity_id)
            remind_after, escalate_after = rules.thresholds(policies[requester.entity_id], approval.subject_type)
            created_on = approval.created_at.astimezone(zone).date()
            is_due = (
                rules.reminder_due(approval, today, created_on, remind_after) if which == "reminder"
                else rules.escalation_due(approval, today, created_on, escalate_after)
            )
            if is_due:
                due.append(approval)
    return due


async def send_reminders(services: Services, now: datetime) -> None:
    """Remind the approver once when a request has waited the configured working days."""
    for approval in await _due(services, now, "reminder"):
        async with services.uow() as uow:
            if not await uow.approvals.claim_reminder(approval.id, now):
                continue
            await uow.audit.record("system", "approval.reminded", SUBJECT, approval.id, None, {"approver_id": approval.approver_id})
            await uow.commit()
        await _deliver(services, approval.id, notice_key="approvals.reminder_notice")


async def escalate_overdue(services: Services, now: datetime) -> None:
    """Hand a request that waited too long to the approver's own manager (an admin at the top);
    the first manager keeps the right to decide. Each approval escalates once."""
    from dialogs.cards.approvals import escalation_message

    for approval in await _due(services, now, "escalation"):
        async with services.uow() as uow:
            approver = await uow.staff.get(approval.approver_id)
            requester = await uow.staff.get(approval.requester_id)
            if approver is None or requester is None:
                continue
            target_id = approver.manager_id
            if target_id is None or target_id in (requester.id, approver.id):
                admin = await _fallback_approver(uow, excluding=[requester.id, approver.id])
                target_id = admin.id if admin else None
            if target_id is None:
                log.warning("approval %s is overdue but has nobody to escalate to", approval.id)
                continue
            if not await uow.approvals.claim_escalation(approval.id, target_id, now):
                continue
            target = await uow.staff.get(target_id)
            titles = {
                locale: (await subject_of(approval.subject_type).describe(uow, approval.subject_id, Translator(locale))).title
                for locale in LOCALES
            }
            await uow.audit.record(
                "system", "approval.escalated", SUBJECT, approval.id, {"approver_id": approver.id}, {"approver_id": target_id}
            )
            await uow.commit()
        await _deliver(services, approval.id)
        target_name = target.display_name if target else "?"
        for person, role in ((approver, "approver"), (requester, "requester")):
            await services.proactive.notify(
                person.aad_object_id,
                lambda t, role=role, titles=titles, name=target_name: escalation_message(t, role, titles[t.locale], name),
                person.language,
            )


register_job(Job("approvals.escalations", escalate_overdue, every=timedelta(hours=1)))
register_job(Job("approvals.reminders", send_reminders, every=timedelta(hours=1)))

__all__ = [
    "PENDING", "ApprovalSubject", "BulkResult", "Decision", "NeedsConfirmation", "PendingItem", "SubjectView",
    "bulk_approve", "cancel_for_subject", "card_for_viewer", "decide", "deliver_approval_card", "list_decidable",
    "pending_for_subject", "register_subject", "request_approval",
]
