"""Broadcast use cases on the in-memory unit of work: creation, what HR may do when (decided by
the domain, returned to the card), the workers' claims and outcomes, and the delivery report."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.broadcasts import BroadcastPayload, BroadcastStatus, ClaimedDelivery, DeliveryStatus, Outcome
from bot.domain.conversations import StoredReference
from bot.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.domain.staff import Role
from bot.services import broadcasts as service
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

ZONE = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)
LEASE = timedelta(minutes=5)


class Hello(BroadcastPayload, kind="test.hello"):
    text: str


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def people(db: FakeDatabase) -> dict:
    return {
        "hilde": db.add_staff("Hilde HR", roles=(Role.HR,)),
        "ada": db.add_staff("Ada Admin", roles=(Role.ADMIN,)),
        "stan": db.add_staff("Stan Staff"),
        "cato": db.add_staff("Cato Collega"),
        "olga": db.add_staff("Olga Other", language="en"),
    }


async def create(db: FakeDatabase, people: dict, recipients: list[int] | None = None, *, scheduled_at: datetime | None = None,
                 now: datetime = NOW) -> int:
    ids = recipients if recipients is not None else [people[n].id for n in ("stan", "cato", "olga")]
    command = service.CreateBroadcast(people["hilde"], Hello(text="Hallo"), "  Focus @ home  ", ids, scheduled_at)
    return await service.create_broadcast(FakeUnitOfWork(db), command, now)


async def run(db: FakeDatabase, use_case, command, now: datetime = NOW):  # noqa: ANN001, ANN201
    return await use_case(FakeUnitOfWork(db), command, now)


async def finish(db: FakeDatabase, broadcast_id: int, outcomes: dict[str, DeliveryStatus], people: dict) -> list[int]:
    """Let one worker claim everything and record the given outcome per recipient name."""
    claims = await run(db, service.claim_deliveries, service.ClaimDeliveries("worker-a", LEASE, 100))
    by_staff = {people[name].id: status for name, status in outcomes.items()}
    batch = [(c, Outcome(c.id, by_staff[c.staff_id], None if by_staff[c.staff_id] is DeliveryStatus.SENT else "503"))
             for c in claims if c.broadcast_id == broadcast_id]
    return await run(db, service.record_outcomes, service.RecordOutcomes(batch, "worker-a"))


def written(db: FakeDatabase) -> tuple:
    return (db.commits, len(db.audit()), repr(sorted(db.state.get("broadcasts", {}).items())),
            repr(sorted(db.state.get("broadcast_deliveries", {}).items())))


# -- creating ------------------------------------------------------------------------------------
async def test_a_broadcast_stores_its_typed_payload_and_one_delivery_per_recipient(db: FakeDatabase, people: dict) -> None:
    stan = people["stan"].id
    broadcast_id = await create(db, people, [stan, stan, people["cato"].id])
    uow = FakeUnitOfWork(db)
    broadcast = await uow.broadcasts.get(broadcast_id)
    assert (broadcast.kind, broadcast.title, broadcast.status, broadcast.started_at) == ("test.hello", "Focus @ home", BroadcastStatus.RUNNING, NOW)
    assert Hello.model_validate(broadcast.payload) == Hello(text="Hallo")
    progress = await uow.broadcasts.progress(broadcast_id)
    assert (progress.total, progress.pending) == (2, 2)
    assert db.audit("broadcast.created")[0]["after"] == {
        "kind": "test.hello", "title": "Focus @ home", "recipients": 2, "status": "running", "scheduled_at": None,
    }
    assert db.commits == 1 and db.outbox() == []  # the workers send; nothing goes through the outbox


async def test_a_scheduled_broadcast_waits_and_starts_when_due(db: FakeDatabase, people: dict) -> None:
    at = NOW + timedelta(hours=2)
    broadcast_id = await create(db, people, scheduled_at=at)
    assert (await FakeUnitOfWork(db).broadcasts.get(broadcast_id)).status is BroadcastStatus.SCHEDULED
    assert await run(db, service.claim_deliveries, service.ClaimDeliveries("worker-a", LEASE, 10)) == []
    assert await run(db, service.start_due, service.StartDueBroadcasts(), at - timedelta(seconds=1)) == []
    assert await run(db, service.start_due, service.StartDueBroadcasts(), at) == [broadcast_id]
    assert (await FakeUnitOfWork(db).broadcasts.get(broadcast_id)).status is BroadcastStatus.RUNNING
    assert db.audit("broadcast.started")[0]["after"] == {"status": "running"}
    assert len(await run(db, service.claim_deliveries, service.ClaimDeliveries("worker-a", LEASE, 10), at)) == 3


async def test_creation_refusals_write_nothing(db: FakeDatabase, people: dict) -> None:
    before = written(db)
    stan = people["stan"].id
    cases = [
        (service.CreateBroadcast(people["stan"], Hello(text="x"), "x", [stan]), Forbidden, "common.not_allowed"),
        (service.CreateBroadcast(people["hilde"], Hello(text="x"), "  ", [stan]), InvalidInput, "broadcasts.bad_title"),
        (service.CreateBroadcast(people["hilde"], Hello(text="x"), "x", []), InvalidInput, "broadcasts.no_recipients"),
        (service.CreateBroadcast(people["hilde"], Hello(text="x"), "x", [stan, 999]), InvalidInput, "broadcasts.unknown_recipients"),
        (service.CreateBroadcast(people["hilde"], Hello(text="x"), "x", [stan], NOW + timedelta(days=400)), InvalidInput, "broadcasts.bad_schedule"),
    ]
    for command, error, key in cases:
        with pytest.raises(error) as refused:
            await service.create_broadcast(FakeUnitOfWork(db), command, NOW)
        assert refused.value.key == key
    assert written(db) == before


# -- HR follows, cancels, resends ------------------------------------------------------------------
async def test_the_overview_says_what_hr_may_do(db: FakeDatabase, people: dict) -> None:
    broadcast_id = await create(db, people)
    found = await run(db, service.overview, service.ShowBroadcast(people["ada"], broadcast_id))
    assert (found.in_progress, found.can_cancel, found.can_resend) == (True, True, False)
    assert await finish(db, broadcast_id, {"stan": DeliveryStatus.SENT, "cato": DeliveryStatus.FAILED, "olga": DeliveryStatus.SENT}, people) == [broadcast_id]
    found = await run(db, service.overview, service.ShowBroadcast(people["hilde"], broadcast_id))
    assert (found.broadcast.status, found.in_progress, found.can_cancel, found.can_resend) == (BroadcastStatus.COMPLETED, False, False, True)
    assert (found.progress.sent, found.progress.failed, found.progress.percent) == (2, 1, 100)
    recent = await run(db, service.recent, service.RecentBroadcasts(people["hilde"]))
    assert [(r.broadcast.id, r.can_resend) for r in recent] == [(broadcast_id, True)]
    completed = db.audit("broadcast.completed")[0]
    assert (completed["actor"], completed["after"]) == ("system", {"status": "completed", "sent": 2, "failed": 1, "unreachable": 0, "cancelled": 0})
    for query, command in ((service.overview, service.ShowBroadcast(people["stan"], broadcast_id)),
                           (service.recent, service.RecentBroadcasts(people["stan"]))):
        with pytest.raises(Forbidden):
            await run(db, query, command)
    with pytest.raises(NotFound):
        await run(db, service.overview, service.ShowBroadcast(people["hilde"], 999))


async def test_cancel_stops_what_is_not_sent_yet(db: FakeDatabase, people: dict) -> None:
    broadcast_id = await create(db, people)
    claims = await run(db, service.claim_deliveries, service.ClaimDeliveries("worker-a", LEASE, 1))  # one in a worker's hands
    found = await run(db, service.cancel_broadcast, service.CancelBroadcast(people["hilde"], broadcast_id))
    assert (found.broadcast.status, found.broadcast.finished_at, found.progress.cancelled, found.progress.pending) == (
        BroadcastStatus.CANCELLED, NOW, 2, 1)
    assert (found.in_progress, found.can_cancel, found.can_resend) == (False, False, False)
    assert db.audit("broadcast.cancelled")[0]["after"] == {"status": "cancelled", "deliveries_cancelled": 2}
    # The one under way still records its outcome; the broadcast stays cancelled.
    await run(db, service.record_outcomes, service.RecordOutcomes([(claims[0], Outcome(claims[0].id, DeliveryStatus.SENT))], "worker-a"))
    found = await run(db, service.overview, service.ShowBroadcast(people["hilde"], broadcast_id))
    assert (found.broadcast.status, found.progress.sent) == (BroadcastStatus.CANCELLED, 1)

    before = written(db)
    with pytest.raises(Conflict) as refused:
        await run(db, service.cancel_broadcast, service.CancelBroadcast(people["hilde"], broadcast_id))
    assert refused.value.key == "broadcasts.not_cancellable"
    with pytest.raises(Forbidden):
        await run(db, service.cancel_broadcast, service.CancelBroadcast(people["stan"], broadcast_id))
    assert written(db) == before


async def test_resend_puts_only_the_failed_back_and_only_when_finished(db: FakeDatabase, people: dict) -> None:
    broadcast_id = await create(db, people)
    before = written(db)
    with pytest.raises(Conflict) as running:
        await run(db, service.resend_failed, service.ResendFailed(people["hilde"], broadcast_id))
    assert running.value.key == "broadcasts.resend_not_finished"
    assert written(db) == before
    await finish(db, broadcast_id, {"stan": DeliveryStatus.SENT, "cato": DeliveryStatus.FAILED, "olga": DeliveryStatus.FAILED}, people)
    found = await run(db, service.resend_failed, service.ResendFailed(people["hilde"], broadcast_id))
    assert (found.broadcast.status, found.progress.pending, found.progress.sent, found.progress.failed) == (BroadcastStatus.RUNNING, 2, 1, 0)
    assert db.audit("broadcast.resend_failed")[0]["after"] == {"status": "running", "deliveries_requeued": 2}
    again = await run(db, service.claim_deliveries, service.ClaimDeliveries("worker-b", LEASE, 10))
    assert sorted(c.staff_id for c in again) == sorted([people["cato"].id, people["olga"].id])
    batch = [(c, Outcome(c.id, DeliveryStatus.SENT)) for c in again]
    await run(db, service.record_outcomes, service.RecordOutcomes(batch, "worker-b"))
    found = await run(db, service.overview, service.ShowBroadcast(people["hilde"], broadcast_id))
    assert (found.broadcast.status, found.progress.sent, found.can_resend) == (BroadcastStatus.COMPLETED, 3, False)
    with pytest.raises(Conflict) as nothing:
        await run(db, service.resend_failed, service.ResendFailed(people["hilde"], broadcast_id))
    assert nothing.value.key == "broadcasts.nothing_to_resend"
    with pytest.raises(Forbidden):
        await run(db, service.resend_failed, service.ResendFailed(people["stan"], broadcast_id))


# -- what the workers run --------------------------------------------------------------------------
async def test_a_lease_that_ran_out_is_claimed_again_and_the_old_claim_cannot_write(db: FakeDatabase, people: dict) -> None:
    broadcast_id = await create(db, people, [people["stan"].id])
    (first,) = await run(db, service.claim_deliveries, service.ClaimDeliveries("doomed", LEASE, 10))
    assert first.claims == 1
    assert await run(db, service.claim_deliveries, service.ClaimDeliveries("successor", LEASE, 10), NOW + LEASE) == []
    (second,) = await run(db, service.claim_deliveries, service.ClaimDeliveries("successor", LEASE, 10), NOW + LEASE + timedelta(seconds=1))
    assert (second.id, second.claims) == (first.id, 2)  # more than one claim: possibly received twice
    stale = await run(db, service.record_outcomes, service.RecordOutcomes([(first, Outcome(first.id, DeliveryStatus.FAILED, "late"))], "doomed"))
    assert stale == [] and (await FakeUnitOfWork(db).broadcasts.progress(broadcast_id)).pending == 1
    done = await run(db, service.record_outcomes, service.RecordOutcomes([(second, Outcome(second.id, DeliveryStatus.SENT, activity_id="a-1"))], "successor"))
    assert done == [broadcast_id]
    (delivery,) = await FakeUnitOfWork(db).broadcasts.list_deliveries(broadcast_id)
    assert (delivery.status, delivery.claims, delivery.sent_at) == (DeliveryStatus.SENT, 2, NOW)
    assert await run(db, service.claim_deliveries, service.ClaimDeliveries("successor", LEASE, 0)) == []


async def test_recipients_of_a_batch_and_the_sender_reference(db: FakeDatabase, people: dict) -> None:
    hilde, stan = people["hilde"], people["stan"]
    reference = StoredReference(hilde.aad_object_id, "29:hilde", "Hilde", "a:hilde", "https://smba.example", "tenant", "msteams",
                                "28:bot", "Hybride werk", "nl-BE", True)
    await FakeUnitOfWork(db).conversations.save(reference)
    broadcast_id = await create(db, people, [stan.id, hilde.id])
    claims = await run(db, service.claim_deliveries, service.ClaimDeliveries("worker-a", LEASE, 10))
    found = await run(db, service.delivery_recipients, service.DeliveryRecipients([*claims, ClaimedDelivery(99, 98, 97, 1)]))
    assert list(found.broadcasts) == [broadcast_id] and set(found.staff) == {stan.id, hilde.id}
    assert found.references == {hilde.aad_object_id: reference}
    assert await run(db, service.sender_reference, service.SenderReference(broadcast_id)) == reference
    assert await run(db, service.sender_reference, service.SenderReference(999)) is None


async def test_the_delivery_report_is_for_hr(db: FakeDatabase, people: dict) -> None:
    broadcast_id = await create(db, people)
    await finish(db, broadcast_id, {"stan": DeliveryStatus.SENT, "cato": DeliveryStatus.FAILED, "olga": DeliveryStatus.UNREACHABLE}, people)
    report = await run(db, service.delivery_report, service.DeliveryReport(people["hilde"].id, broadcast_id))
    assert report.broadcast.id == broadcast_id
    assert [(d.display_name, d.status, d.reason, d.sent_at) for d in report.deliveries] == [
        ("Cato Collega", DeliveryStatus.FAILED, "503", None), ("Olga Other", DeliveryStatus.UNREACHABLE, "503", None),
        ("Stan Staff", DeliveryStatus.SENT, None, NOW),
    ]
    with pytest.raises(Forbidden):
        await run(db, service.delivery_report, service.DeliveryReport(people["stan"].id, broadcast_id))
    with pytest.raises(Forbidden):
        await run(db, service.delivery_report, service.DeliveryReport(999, broadcast_id))
    with pytest.raises(NotFound):
        await run(db, service.delivery_report, service.DeliveryReport(people["hilde"].id, 999))
