"""Signed download links: GET /downloads/{token} re-checks the staff member before producing the file."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import delete, func, select

from bot.domain.staff import Role
from bot.downloads import DownloadLinks
from bot.registry import DownloadRequest, FileOut, Registry
from bot.runner import UseCaseRunner
from bot.wiring import build_registry
from storage.models.directory import AuditRow, StaffRoleRow
from tests.conftest import BotHarness, make_settings
from tests.fakes.people import HR, STAFF

KIND = "tests.hr_export"


async def _produce(runner: UseCaseRunner, request: DownloadRequest) -> FileOut:
    year = request.params["year"]
    return FileOut(f"export-{year}.csv", "text/csv", f"year;staff\n{year};{request.staff_id}\n".encode())


@pytest.fixture
def app_registry() -> Registry:
    registry = build_registry()
    registry.download(KIND, _produce, roles=frozenset({Role.HR}))
    return registry


def download_link(settings, kind, params, staff_id, ttl=timedelta(minutes=15), *, now=None):  # noqa: ANN001, ANN201
    """A link as the app with this module's download kind signs it."""
    return DownloadLinks(settings, {KIND: None}).make(kind, params, staff_id, ttl, now=now)  # type: ignore[dict-item]


def read_link(settings, token):  # noqa: ANN001, ANN201
    return DownloadLinks(settings, {KIND: None}).read(token)  # type: ignore[dict-item]


async def _staff_id(harness: BotHarness, aad: str) -> int:
    async with harness.uow() as uow:
        staff = await uow.staff.get_by_aad(aad)
    assert staff is not None
    return staff.id


def _path(link: str) -> str:
    return urlsplit(link).path


async def test_link_gives_the_file_to_its_staff_member(harness: BotHarness) -> None:
    hr_id = await _staff_id(harness, HR.aad_object_id)
    link = download_link(harness.services.settings, KIND, {"year": 2026}, hr_id)
    assert link.startswith(harness.services.settings.public_base_url + "/downloads/")
    response = await harness.client.get(_path(link))
    assert response.status == 200
    assert await response.read() == f"year;staff\n2026;{hr_id}\n".encode()
    assert response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="export-2026.csv"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    async with harness.uow() as uow:
        audited = [(row.actor, row.subject_id) for row in await uow.audit.list_by_action("download")]
    assert audited == [(f"staff:{hr_id}", KIND)]


async def test_tampered_link_is_refused(harness: BotHarness) -> None:
    hr_id = await _staff_id(harness, HR.aad_object_id)
    link = download_link(harness.services.settings, KIND, {"year": 2026}, hr_id)
    token = _path(link).rsplit("/", 1)[1]
    payload, signature = token.rsplit(".", 1)
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    response = await harness.client.get(f"/downloads/{forged}")
    assert response.status == 403
    assert b"year" not in await response.read()
    # Signed with another key (another deployment, or a guessed key).
    other = make_settings(harness.services.settings.database_url, LINK_SIGNING_KEY="another-key")
    response = await harness.client.get(_path(download_link(other, KIND, {"year": 2026}, hr_id)))
    assert response.status == 403


async def test_expired_link_is_refused(harness: BotHarness) -> None:
    hr_id = await _staff_id(harness, HR.aad_object_id)
    made = datetime.now(UTC) - timedelta(minutes=16)
    link = download_link(harness.services.settings, KIND, {"year": 2026}, hr_id, timedelta(minutes=15), now=made)
    response = await harness.client.get(_path(link))
    assert response.status == 410
    assert b"year" not in await response.read()
    fresh = download_link(harness.services.settings, KIND, {"year": 2026}, hr_id, timedelta(minutes=15))
    assert (await harness.client.get(_path(fresh))).status == 200


async def test_role_lost_since_the_link_was_made_is_refused(harness: BotHarness) -> None:
    hr_id = await _staff_id(harness, HR.aad_object_id)
    link = download_link(harness.services.settings, KIND, {"year": 2026}, hr_id)
    async with harness.uow() as uow:
        await uow.session.execute(delete(StaffRoleRow).where(StaffRoleRow.staff_id == hr_id, StaffRoleRow.role == "hr"))
        await uow.commit()
    response = await harness.client.get(_path(link))
    assert response.status == 403
    assert b"year" not in await response.read()
    async with harness.uow() as uow:
        refused = await uow.session.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.action == "download.refused"))
    assert refused == 1


async def test_link_for_someone_without_the_role_is_refused(harness: BotHarness) -> None:
    staff_id = await _staff_id(harness, STAFF.aad_object_id)
    response = await harness.client.get(_path(download_link(harness.services.settings, KIND, {"year": 2026}, staff_id)))
    assert response.status == 403


async def test_garbage_and_unknown_kinds(harness: BotHarness) -> None:
    assert (await harness.client.get("/downloads/not-a-token")).status == 403
    with pytest.raises(ValueError):
        download_link(harness.services.settings, "tests.nothing", {}, 1)


def test_links_without_a_configured_key_work_within_the_process(caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings("sqlite+aiosqlite:///:memory:", LINK_SIGNING_KEY="")
    with caplog.at_level(logging.WARNING, logger="bot.downloads"):
        links = DownloadLinks(settings, {KIND: None})  # type: ignore[dict-item]
        link = links.make(KIND, {"year": 2025}, 7)
    assert "LINK_SIGNING_KEY is not set" in caplog.text
    claims = links.read(_path(link).rsplit("/", 1)[1])
    assert (claims.kind, claims.params, claims.staff_id) == (KIND, {"year": 2025}, 7)
    keyed = make_settings("sqlite+aiosqlite:///:memory:", LINK_SIGNING_KEY="configured")
    with pytest.raises(Exception, match="bad signature"):
        read_link(keyed, _path(link).rsplit("/", 1)[1])
