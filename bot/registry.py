"""The one registry: everything looked up by name, built by `create_app` and by nothing else.

    registry = Registry()
    dialogs.register_flows(registry)     # commands, card verbs, openers, notice renderers, downloads
    register_services(registry)          # approval subjects and scheduled jobs

Nothing registers itself at import time; a name registered twice is a start-up error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain.notifications import Notice, Outgoing, Sent
from bot.domain.staff import Role
from bot.i18n import Translator
from bot.routing import Router
from bot.runner import UseCaseRunner
from bot.services.ports.approvals import ApprovalSubject
from bot.services.unit_of_work import UnitOfWork

# How a notice reads for its recipient: a message, a card update, or None to send nothing.
NoticeRenderer = Callable[[Any, Translator], Outgoing | None]
# A use case run after a notice was delivered (e.g. keep the approval card's activity id).
AfterSent = Callable[[UnitOfWork, Any, Sent, datetime], Awaitable[None]]
# A scheduled job: runs its use case(s), each with a fresh unit of work.
JobRun = Callable[[UseCaseRunner, datetime], Awaitable[object]]


@dataclass(frozen=True)
class NoticeRoute:
    notice: type[Notice]
    render: NoticeRenderer
    after_sent: AfterSent | None = None


@dataclass(frozen=True)
class Job:
    name: str
    run: JobRun
    every: timedelta


@dataclass(frozen=True)
class FileOut:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class DownloadRequest:
    params: dict[str, Any]
    staff_id: int
    locale: str


# Produces the file a signed link points to: runs a query use case and renders the file.
Producer = Callable[[UseCaseRunner, DownloadRequest], Awaitable[FileOut]]


@dataclass(frozen=True)
class DownloadKind:
    kind: str
    producer: Producer
    roles: frozenset[Role] | None


# (an approval subject's summary, the reader's language) -> how the approval card words it.
SubjectWording = Callable[[Any, Translator], Any]

# (notice payload, recipient's language) -> the card of one broadcast delivery.
BroadcastRenderer = Callable[[UnitOfWork, dict[str, Any], Any, Translator], Awaitable[dict[str, Any]]]


def _add(table: dict[str, Any], what: str, name: str, value: Any) -> None:
    if name in table:
        raise ValueError(f"{what} {name!r} is registered twice")
    table[name] = value


@dataclass
class Registry:
    router: Router = field(default_factory=Router)
    approval_subjects: dict[str, ApprovalSubject] = field(default_factory=dict)
    approval_wordings: dict[str, SubjectWording] = field(default_factory=dict)
    notices: dict[str, NoticeRoute] = field(default_factory=dict)
    downloads: dict[str, DownloadKind] = field(default_factory=dict)
    broadcast_renderers: dict[str, BroadcastRenderer] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)

    def approval_subject(self, subject: ApprovalSubject) -> None:
        _add(self.approval_subjects, "approval subject", subject.subject_type, subject)

    def approval_wording(self, subject_type: str, wording: SubjectWording) -> None:
        """How the approval cards word one subject type's summary (registered by the flows)."""
        _add(self.approval_wordings, "approval wording", subject_type, wording)

    def notice(self, notice: type[Notice], render: NoticeRenderer, *, after_sent: AfterSent | None = None) -> None:
        _add(self.notices, "notice kind", notice.kind, NoticeRoute(notice, render, after_sent))

    def download(self, kind: str, producer: Producer, *, roles: frozenset[Role] | None = None) -> None:
        _add(self.downloads, "download kind", kind, DownloadKind(kind, producer, frozenset(roles) if roles else None))

    def broadcast_renderer(self, kind: str, renderer: BroadcastRenderer) -> None:
        _add(self.broadcast_renderers, "broadcast kind", kind, renderer)

    def job(self, name: str, run: JobRun, *, every: timedelta) -> None:
        if every <= timedelta(0):
            raise ValueError(f"job {name!r} needs a positive interval")
        _add(self.jobs, "job", name, Job(name, run, every))
