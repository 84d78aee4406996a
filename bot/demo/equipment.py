"""Equipment demo data: DWSE's and DV's catalogues and budgets, and a few requests in every state."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.equipment_files import load_catalogue_file
from bot.domain.equipment import RequestStatus
from bot.domain.equipment_catalogue import FileRefused
from bot.domain.errors import DomainError
from bot.services.equipment import submit_request
from bot.services.equipment_demo import (
    DemoRequest,
    DemoSubmission,
    LoadDemoRequests,
    demo_submission,
    load_demo_requests,
)

if TYPE_CHECKING:
    from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

DEMO_CATALOGUES = {
    "DWSE": Path(__file__).parent / "equipment_dwse.yaml",
    "DV": Path(__file__).parent / "equipment_dv.yaml",
}


def _delivered(email: str, codes: tuple[str, ...], on: date, *, days_taken: int = 14) -> DemoRequest:
    return DemoRequest(email, codes, RequestStatus.DELIVERED, on - timedelta(days=days_taken), delivered_on=on)


def demo_requests(today: date) -> list[DemoRequest]:
    """Deliveries of the last years (they feed the reports and the once-per-period rule) and
    requests waiting for logistics or refused."""
    year = today.year
    return [
        _delivered("adelev@example.com", ("ergonomic_chair",), date(year - 2, 9, 20)),
        _delivered("adelev@example.com", ("monitor",), date(year - 1, 2, 10)),
        _delivered("tom.willems@vlaanderen.be", ("monitor", "headset"), date(year - 1, 10, 3)),
        _delivered("lotte.claes@vlaanderen.be", ("laptop_charger",), date(year - 1, 5, 15)),
        _delivered("fien.aerts@vlaanderen.be", ("headset",), date(year - 1, 6, 2)),
        _delivered("wout.goossens@vlaanderen.be", ("wired_mouse", "laptop_holder"), today - timedelta(days=30), days_taken=7),
        DemoRequest("jan.janssens@vlaanderen.be", ("headset",), RequestStatus.APPROVED, today - timedelta(days=10)),
        DemoRequest("marie.maes@vlaanderen.be", ("monitor",), RequestStatus.ORDERED, today - timedelta(days=20),
                    note="Levering verwacht binnen twee weken"),
        DemoRequest("pieter.jacobs@vlaanderen.be", ("usb_hub",), RequestStatus.REJECTED, today - timedelta(days=15),
                    note="Er liggen nog USB-hubs op kantoor"),
        DemoRequest("lars.michiels@vlaanderen.be", ("monitor",), RequestStatus.APPROVED, today - timedelta(days=5)),
    ]


# A request waiting for the manager, sent through the form's use case.
PENDING = DemoSubmission("alexw@example.com", ("headset", "keyboard"), "Ik werk drie dagen per week thuis en bel veel met klanten.")


async def load_demo(uow_factory: UnitOfWorkFactory, today: date) -> None:
    now = datetime.combine(today, time.min).astimezone()
    for code, path in DEMO_CATALOGUES.items():
        try:
            await load_catalogue_file(uow_factory, path, code, actor="demo", now=now)
        except FileRefused as refused:  # the demo directory has no such entity
            log.warning("demo catalogue for %s not loaded: %s", code, refused)
    await load_demo_requests(uow_factory(), LoadDemoRequests(demo_requests(today)), now)
    command = await demo_submission(uow_factory(), PENDING, now)
    if command is None:
        return
    try:
        await submit_request(uow_factory(), command, now)
    except DomainError as error:
        log.warning("demo equipment request not created: %s", error.key)
