"""The small use cases of the service edge, on the in-memory unit of work: refusals audited,
download rights re-checked, offered files kept per person, job slots claimed once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.errors import Forbidden, NotFound
from bot.domain.staff import HR_ROLES, Role
from bot.services.audit import RecordRefusal, record_refusal
from bot.services.downloads import AuthorizeDownload, authorize_download
from bot.services.files import (
    ForgetUploadedFile,
    OfferFile,
    OwnPendingFile,
    PendingFileForLink,
    forget_uploaded_file,
    offer_file,
    own_pending_file,
    pending_file_for_link,
)
from bot.services.jobs import ClaimJobSlot, claim_job_slot
from tests.fakes.uow import FakeDatabase, FakeUnitOfWork

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


def uow(db: FakeDatabase) -> FakeUnitOfWork:
    return FakeUnitOfWork(db)


async def test_a_refusal_is_audited_with_who_and_what(db: FakeDatabase) -> None:
    await record_refusal(uow(db), RecordRefusal("staff:7", "approval.decide"), NOW)
    assert [(row["actor"], row["action"], row["subject_id"]) for row in db.audit()] == [("staff:7", "refused", "approval.decide")]


async def test_a_download_is_allowed_only_to_someone_in_service_with_the_role(db: FakeDatabase) -> None:
    hilde = db.add_staff("Hilde HR", roles=(Role.HR,))
    stan = db.add_staff("Stan Staff")
    gone = db.add_staff("Gert Gegaan", roles=(Role.HR,), end_date=date(2026, 1, 31))
    allowed = await authorize_download(uow(db), AuthorizeDownload(hilde.id, "reports.parliament", HR_ROLES, {"year": 2026}), NOW)
    assert allowed == hilde
    for person in (stan, gone):
        assert await authorize_download(uow(db), AuthorizeDownload(person.id, "reports.parliament", HR_ROLES, {}), NOW) is None
    assert await authorize_download(uow(db), AuthorizeDownload(999, "reports.parliament", None, {}), NOW) is None
    assert [row["action"] for row in db.audit()] == ["download", "download.refused", "download.refused", "download.refused"]


async def test_an_offered_file_is_its_owners_until_it_expires_or_is_uploaded(db: FakeDatabase) -> None:
    stan, olga = db.add_staff("Stan Staff"), db.add_staff("Olga Other")
    await offer_file(uow(db), OfferFile(stan, "f1", "rapport.xlsx", "application/vnd.ms-excel", b"x" * 10), NOW)
    assert (await own_pending_file(uow(db), OwnPendingFile(stan, "f1"), NOW)).filename == "rapport.xlsx"
    with pytest.raises(Forbidden):
        await own_pending_file(uow(db), OwnPendingFile(olga, "f1"), NOW)
    assert db.audit()[-1]["action"] == "refused"
    assert await pending_file_for_link(uow(db), PendingFileForLink(olga.id, "f1"), NOW) is None
    assert await pending_file_for_link(uow(db), PendingFileForLink(stan.id, "f1"), NOW + timedelta(days=2)) is None
    with pytest.raises(NotFound):
        await own_pending_file(uow(db), OwnPendingFile(stan, "f1"), NOW + timedelta(days=2))
    await forget_uploaded_file(uow(db), ForgetUploadedFile(stan, "f1", "rapport.xlsx"), NOW)
    assert await pending_file_for_link(uow(db), PendingFileForLink(stan.id, "f1"), NOW) is None
    assert [row["action"] for row in db.audit()] == ["file.offered", "refused", "file.uploaded"]


async def test_a_job_slot_is_claimed_once_across_instances(db: FakeDatabase) -> None:
    lease = timedelta(minutes=2)
    first = await claim_job_slot(uow(db), ClaimJobSlot("approvals.reminders", "2026-11-23T09:00:00+00:00", "a", lease), NOW)
    second = await claim_job_slot(uow(db), ClaimJobSlot("approvals.reminders", "2026-11-23T09:00:00+00:00", "b", lease), NOW)
    other_slot = await claim_job_slot(uow(db), ClaimJobSlot("approvals.reminders", "2026-11-23T10:00:00+00:00", "b", lease), NOW)
    assert (first, second, other_slot) == (True, False, True)
