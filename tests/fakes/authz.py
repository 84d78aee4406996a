"""Building blocks of the authorization matrix: the actors, the subjects each action works on
(set up through the areas' services), how one attempt is posted as Teams would, and the
fingerprint of the business tables that a refused attempt must leave untouched."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select

from bot.cli.equipment_files import load_catalogue_file
from bot.domain.coaching import CoachingKind
from bot.domain.equipment import Delivery, RequestLine, RequestStatus
from bot.domain.staff import Staff
from bot.domain.webinars import SessionDraft, TargetGroup, WebinarDraft
from bot.i18n import Translator
from bot.services import approval_deputies as deputy_service
from bot.services import approvals as approval_service
from bot.services import equipment as equipment_service
from bot.services import homework as homework_service
from bot.services import team as team_service
from bot.services import webinars as webinar_service
from storage.models import Base
from storage.models.directory import AuditRow
from storage.models.homework import WorkRegistrationRow
from tests.conftest import BotHarness
from tests.fakes import teams
from tests.fakes.people import ADMIN, FOREIGN, HR, MANAGER, OTHER_MANAGER, STAFF, UNKNOWN
from tests.fakes.teams import TeamsUser

Actor = Literal["staff", "manager", "other_manager", "hr", "admin", "unknown", "foreign"]
# Column order of the matrix: the subject's owner, their manager, a manager of another entity,
# HR, an admin, someone not in the directory, and a user of another tenant.
ACTORS: tuple[Actor, ...] = ("staff", "manager", "other_manager", "hr", "admin", "unknown", "foreign")
USERS: dict[Actor, TeamsUser] = {
    "staff": STAFF, "manager": MANAGER, "other_manager": OTHER_MANAGER, "hr": HR, "admin": ADMIN,
    "unknown": UNKNOWN, "foreign": FOREIGN,
}
DUTCH = Translator("nl")

# Tables that may change on any request, allowed or not (see tests/http/test_fuzz.py).
MAY_CHANGE = {"audit_log", "conversation_references", "job_claims"}
DEMO = Path(equipment_service.__file__).resolve().parent.parent / "demo"


def expectations(row: str) -> dict[Actor, bool]:
    """'A R R A A R R' -> allow/refuse per actor, in ACTORS order."""
    marks = row.split()
    if len(marks) != len(ACTORS) or set(marks) - {"A", "R"}:
        raise ValueError(f"an expectation needs {len(ACTORS)} marks A or R, got {row!r}")
    return {actor: mark == "A" for actor, mark in zip(ACTORS, marks, strict=True)}


@dataclass
class Answer:
    """What came back to the actor: the invoke response (Execute) and every activity sent to their chat."""

    status: int
    texts: list[str] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    files: int = 0

    def shows(self, text: str) -> bool:
        return any(text in shown for shown in self.texts)


class World:
    """One app and database; subjects are created fresh for every attempt."""

    def __init__(self, harness: BotHarness, foreign_harness_post: Callable[[dict[str, Any]], Awaitable[Any]]) -> None:
        self.harness = harness
        self._post_foreign = foreign_harness_post
        self._days = itertools.count(0)
        self.cache: dict[str, Any] = {}

    @property
    def now(self) -> datetime:
        return self.harness.clock.now()

    @property
    def today(self) -> date:
        return self.harness.clock.today()

    def uow(self):  # noqa: ANN201
        return self.harness.uow()

    async def staff(self, user: TeamsUser) -> Staff:
        async with self.uow() as uow:
            found = await uow.staff.get_by_aad(user.aad_object_id)
        assert found is not None, user
        return found

    async def staff_id(self, user: TeamsUser) -> int:
        return (await self.staff(user)).id

    # -- equipment ----------------------------------------------------------------------------
    async def catalogue(self) -> None:
        if "catalogue" not in self.cache:
            for code, path in (("DWSE", DEMO / "equipment_dwse.yaml"), ("DV", DEMO / "equipment_dv.yaml")):
                await load_catalogue_file(self.harness.services.uow_factory, path, code, actor="test", now=self.now)
            self.cache["catalogue"] = True

    async def equipment_request(self, user: TeamsUser = STAFF, *, status: RequestStatus = RequestStatus.PENDING, item: str = "keyboard") -> dict[str, Any]:
        """A request stored as submit_request stores it, without the once-every-few-years rule, so
        every attempt gets a fresh one; a pending request also gets its approval."""
        await self.catalogue()
        owner = await self.staff(user)
        async with self.uow() as uow:
            wanted = next(i for i in await uow.equipment.list_items(owner.entity_id) if i.code == item)
            line = RequestLine(wanted.id, wanted.code, wanted.names, wanted.category_id, 1, wanted.unit_price)
            request_id = await uow.equipment.add_request(
                staff_id=owner.id, entity_id=owner.entity_id, status=status, lines=[line], justification=None,
                delivery=Delivery.HOME, reasonable_adjustment=False, requested_on=self.today, created_at=self.now,
            )
            approval_id = None
            if status == RequestStatus.PENDING:
                approval_id = await approval_service.request_approval(
                    uow, subject_type=equipment_service.SUBJECT_TYPE, subject_id=request_id, requester=owner,
                    actor=f"staff:{owner.id}", now=self.now,
                )
            await uow.commit()
        await self.harness.delivered()  # the approval card went out before the attempt
        return {"request_id": request_id, "approval_id": approval_id, "item_id": wanted.id, "price": str(wanted.unit_price)}

    # -- home work ----------------------------------------------------------------------------
    def next_working_day(self) -> date:
        """A different future working day for every attempt (Mon-Fri, well after the cut-off)."""
        while True:
            day = self.today + timedelta(days=7 + next(self._days))
            if day.weekday() < 5:
                return day

    async def home_day(self, user: TeamsUser = STAFF) -> dict[str, Any]:
        owner = await self.staff(user)
        day = self.next_working_day()
        await homework_service.register_days(self.uow(), homework_service.RegisterDays(owner, (day,), "home"), self.now)
        async with self.uow() as uow:
            registration_id = await uow.session.scalar(
                select(WorkRegistrationRow.id).where(WorkRegistrationRow.staff_id == owner.id, WorkRegistrationRow.day == day)
            )
        assert registration_id is not None
        return {"registration_id": registration_id, "day": day.isoformat()}

    async def home_day_change(self, user: TeamsUser = STAFF) -> dict[str, Any]:
        """An office day replaced by a home day: the change its Undo names."""
        owner = await self.staff(user)
        day = self.next_working_day()
        await homework_service.register_days(self.uow(), homework_service.RegisterDays(owner, (day,), "office"), self.now)
        result = await homework_service.register_days(self.uow(), homework_service.RegisterDays(owner, (day,), "home"), self.now)
        assert result.change_id is not None
        return {"change_id": result.change_id}

    async def regular_home_worker(self, user: TeamsUser = STAFF) -> None:
        """Four home days in the last weeks: enough to choose an internet allowance."""
        if "regular" in self.cache:
            return
        owner = await self.staff(user)
        async with self.uow() as uow:
            for back in (2, 3, 4, 5):
                uow.session.add(WorkRegistrationRow(staff_id=owner.id, day=date(2026, 11, 20) - timedelta(days=7 * (back - 2)) - timedelta(days=back - 2), place="home", part="full", status="registered"))
            await uow.commit()
        self.cache["regular"] = True

    # -- team ---------------------------------------------------------------------------------
    async def ineligibility(self, user: TeamsUser = STAFF) -> dict[str, Any]:
        manager = await self.staff(MANAGER)
        member = await self.staff_id(user)
        async with self.uow() as uow:  # still marked from an earlier attempt that was refused
            active = await uow.registrations.ineligibilities_for([member])
        if active:
            return {"ineligibility_id": active[0].id, "staff_id": member}
        result = await team_service.mark_ineligible(
            self.uow(), team_service.MarkIneligible(manager, member, "organisational", self.today), self.now,
        )
        await self.harness.delivered()  # the member's notice goes out now, not during the attempt
        return {"ineligibility_id": result.marking.id, "staff_id": member}

    async def deputy(self) -> dict[str, Any]:
        """A deputy named by MANAGER (STAFF stands in for them)."""
        manager = await self.staff(MANAGER)
        command = deputy_service.SetDeputy(manager, self.today, self.today + timedelta(days=10), deputy_id=await self.staff_id(STAFF))
        row = await deputy_service.set_deputy(self.uow(), command, self.now)
        return {"deputy_row_id": row.id}

    # -- webinars, broadcasts, coaching -------------------------------------------------------
    async def webinar(self, *, fresh: bool = False, target: TargetGroup = TargetGroup.ALL) -> dict[str, Any]:
        """A published webinar (for all staff unless told) with one session next month; its invitation broadcast."""
        key = f"webinar:{target.value}"
        if key in self.cache and not fresh:
            return dict(self.cache[key])
        hr = await self.staff(HR)
        starts = datetime(2026, 12, 15, 10, 0, tzinfo=self.now.tzinfo)
        draft = WebinarDraft(
            title_nl="Focus @ home", title_en="Focus @ home", description_nl="Geconcentreerd thuiswerken.",
            description_en="Focused home work.", target_group=target,
            sessions=(SessionDraft(starts, starts + timedelta(hours=1), 100, "https://teams.microsoft.com/l/meetup-join/x"),),
        )
        webinar_id = await webinar_service.create_webinar(self.harness.uow(), webinar_service.CreateWebinar(hr, draft), self.now)
        broadcast_id = await webinar_service.invite(self.harness.uow(), webinar_service.InviteToWebinar(hr, webinar_id), self.now)
        async with self.uow() as uow:
            webinar = await uow.webinars.get(webinar_id)
        found = {"webinar_id": webinar_id, "session_id": webinar.sessions[0].id, "broadcast_id": broadcast_id}
        if not fresh:
            self.cache[key] = found
        return dict(found)

    async def webinar_seat(self, user: TeamsUser = STAFF) -> dict[str, Any]:
        """The user's seat in the shared webinar, not marked as attended."""
        found = await self.webinar()
        owner = await self.staff(user)
        async with self.uow() as uow:
            registration = await uow.webinars.registration_of(found["webinar_id"], owner.id)
        if registration is None:
            result = await webinar_service.sign_up(self.harness.uow(), webinar_service.SignUp(owner, found["session_id"]), self.now)
            registration = result.registration
        async with self.uow() as uow:
            await uow.webinars.set_attended(registration.id, False)
            await uow.commit()
        return {**found, "registration_id": registration.id, "staff_id": owner.id}

    async def broadcast(self) -> dict[str, Any]:
        return await self.webinar(fresh=True)

    async def failed_broadcast(self) -> dict[str, Any]:
        """A finished broadcast with one failed delivery, as the worker leaves it."""
        from storage.models.broadcasts import BroadcastDeliveryRow, BroadcastRow

        found = await self.webinar(fresh=True)
        async with self.uow() as uow:
            deliveries = (await uow.session.scalars(
                select(BroadcastDeliveryRow).where(BroadcastDeliveryRow.broadcast_id == found["broadcast_id"])
            )).all()
            for number, delivery in enumerate(deliveries):
                delivery.status = "failed" if number == 0 else "sent"
            broadcast = await uow.session.get(BroadcastRow, found["broadcast_id"])
            broadcast.status = "completed"
            await uow.commit()
        return found

    async def coaching_request(self, user: TeamsUser = STAFF, *, assigned: bool = False) -> dict[str, Any]:
        owner = await self.staff(user)
        async with self.uow() as uow:
            request = await uow.coaching.add(owner.id, CoachingKind.RESILIENCE, "Graag wat hulp bij het afbakenen.", self.now, self.today)
            await uow.commit()
        coach = await self.staff_id(HR)
        if assigned:
            from bot.services import coaching as coaching_service

            await coaching_service.assign(
                self.harness.uow(), coaching_service.AssignCoach(await self.staff(HR), request.id, coach), self.now
            )
        return {"request_id": request.id, "coach_id": str(coach)}

    # -- posting ------------------------------------------------------------------------------
    async def attempt(self, actor: Actor, via: str, data: dict[str, Any] | str) -> Answer:
        """Post the activity as Teams would and collect what came back to this actor."""
        user = USERS[actor]
        connector = self.harness.connector
        before = len(connector.to(user.conversation_id))
        url = self.harness.service_url
        if via == "say":
            activity = teams.message(user, url, str(data))
        elif via == "submit":
            activity = teams.submit(user, url, dict(data))  # type: ignore[arg-type]
        else:
            verb = data["verb"]  # type: ignore[index]
            activity = teams.execute(user, url, verb, {k: v for k, v in data.items() if k != "verb"})  # type: ignore[union-attr]
        response = await (self._post_foreign(activity) if actor == "foreign" else self.harness.post(activity))
        await self.harness.delivered()  # what the attempt recorded for others goes out within it
        answer = Answer(response.status)
        if via == "execute" and response.status == 200:
            body = await response.json()
            value = body.get("value")
            if isinstance(value, dict):
                answer.cards.append(value)
            elif isinstance(value, str):
                answer.texts.append(value)
        for sent in connector.to(user.conversation_id)[before:]:
            if sent.text:
                answer.texts.append(sent.text)
            answer.cards.extend(sent.cards)
            answer.files += len(sent.activity.get("attachments") or []) - len(sent.cards)
        return answer

    # -- what changed -------------------------------------------------------------------------
    async def fingerprint(self) -> str:
        digest = hashlib.sha256()
        async with self.uow() as uow:
            for table in Base.metadata.sorted_tables:
                if table.name in MAY_CHANGE:
                    continue
                rows = (await uow.session.execute(select(table))).all()
                digest.update(table.name.encode())
                digest.update(repr(sorted(map(repr, rows))).encode())
        return digest.hexdigest()

    async def refusals_audited(self, what: str, action: str = "refused") -> int:
        """Refusals in the audit log: the router's ("refused", subject = what was attempted), or an
        area's own refusal action (e.g. "approval.refused", subject = the approval)."""
        query = select(func.count()).select_from(AuditRow).where(AuditRow.action == action)
        if action == "refused":
            query = query.where(AuditRow.subject_id == what)
        async with self.uow() as uow:
            return int(await uow.session.scalar(query) or 0)

    def sent_elsewhere(self, actor: Actor) -> int:
        """Activities the bot sent to anyone but the actor (notifications, approval cards)."""
        own = USERS[actor].conversation_id
        return sum(1 for sent in self.harness.connector.sent if sent.conversation_id != own)
