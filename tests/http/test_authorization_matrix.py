"""Authorization matrix: every card verb, every menu opener and every role-restricted command,
posted as each actor through the real app, from ONE table.

Columns (tests/fakes/authz.py ACTORS): staff (owns the subject), manager (the staff member's
manager), other_manager (manages another entity), hr, admin, unknown (not in the directory),
foreign (another tenant). A = allow: the intended effect happened and nothing was refused.
R = refuse: the localized refusal (or the unknown-user text, or HTTP 403 for another tenant), no
business row changed, nothing sent to anyone else, and a role refusal is audited.

Each row's subject is set up again before every actor's attempt, through the areas' services, so
one actor's allowed change never decides the next actor's outcome. One test per row keeps the
whole matrix to one app start per row.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import SERVICES, create_app
from bot.clock import FixedClock
from bot.domain.equipment import RequestStatus
from bot.domain.webinars import SessionDraft, TargetGroup
from bot.services import allowances as allowance_service
from bot.services.reports import default_period
from bot.wiring import build_registry
from tests.conftest import BotHarness, make_settings
from tests.fakes import teams
from tests.fakes.authz import ACTORS, DUTCH, USERS, Actor, Answer, World, expectations
from tests.fakes.connector import FakeConnector
from tests.fakes.people import MANAGER, OTHER_MANAGER, OTHER_STAFF, STAFF

Setup = Callable[[World, Actor], Awaitable[dict[str, Any]]]
Data = Callable[[dict[str, Any]], dict[str, Any] | str]


@dataclass(frozen=True)
class Row:
    action: str  # a card verb, "open:<flow>" (menu button) or "say:<text>" (typed command)
    expect: str  # one mark per actor, in ACTORS order
    data: Data
    setup: Setup | None = None
    changes: bool = False  # an allowed attempt writes business rows
    refusals: tuple[str, ...] = ()  # the area's own refusal keys, besides common.not_allowed
    via: str = "execute"
    phrase: str | None = None  # for typed commands: the command phrase, without its argument
    audit_action: str = "refused"  # the area's own refusal audit, where it keeps one instead
    variant: str = ""  # a second row for the same action (e.g. a subject in another entity)

    @property
    def id(self) -> str:
        return f"{self.action}[{self.variant}]" if self.variant else self.action

    @property
    def audited_as(self) -> str:
        """The audit subject of a refusal: the verb, "open:<flow>" or "command:<phrase>"."""
        if self.action.startswith("say:"):
            return "command:" + (self.phrase or self.action[4:])
        return self.action


def verb(name: str, **fixed: Any) -> Data:
    """Card data: the verb, fixed values, and the subject's ids the payload type knows."""
    return lambda ids: {"verb": name, **fixed, **ids}


def opener(flow: str) -> Row:
    return Row(f"open:{flow}", "", lambda _ids: {"verb": "menu.open", "flow": flow}, via="submit")


def command(text: str, expect: str, **kwargs: Any) -> Row:
    return Row(f"say:{text}", expect, lambda _ids: text, via="say", **kwargs)


def with_expect(row: Row, expect: str) -> Row:
    return dataclasses.replace(row, expect=expect)


def only(*keys: str) -> Data:
    """Keep the payload to these keys of the subject (extra ids are ignored by the payload type anyway)."""
    def build(ids: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in ids.items() if k in keys or k == "verb"}
    return build


# -- subjects -----------------------------------------------------------------------------------
async def nothing(_world: World, _actor: Actor) -> dict[str, Any]:
    return {}


async def pending_equipment(world: World, _actor: Actor) -> dict[str, Any]:
    found = await world.equipment_request(STAFF)
    return {"verb": "equipment.cancel", "request_id": found["request_id"]}


async def pending_equipment_id(world: World, _actor: Actor) -> dict[str, Any]:
    found = await world.equipment_request(STAFF)
    return {"request_id": found["request_id"]}


async def approved_equipment(world: World, _actor: Actor) -> dict[str, Any]:
    found = await world.equipment_request(STAFF, status=RequestStatus.APPROVED, item="wired_mouse")
    return {"request_id": found["request_id"]}


async def own_equipment_choice(world: World, actor: Actor) -> dict[str, Any]:
    """The actor asks a headset from their own entity's catalogue, at the price the form showed."""
    await world.catalogue()
    user = USERS[actor] if actor not in ("unknown", "foreign") else STAFF
    me = await world.staff(user)
    async with world.uow() as uow:
        item = next(i for i in await uow.equipment.list_items(me.entity_id) if i.code == "headset")
    return {f"equipment_qty_{item.id}": "1", "prices": {str(item.id): str(item.unit_price)}, "equipment_delivery": "home"}


async def approval(world: World, _actor: Actor) -> dict[str, Any]:
    return {"approval_id": (await world.equipment_request(STAFF))["approval_id"]}


async def approval_list(world: World, actor: Actor) -> dict[str, Any]:
    return {"approval_ids": str((await approval(world, actor))["approval_id"])}


async def own_deputy_choice(world: World, actor: Actor) -> dict[str, Any]:
    """A colleague of the actor's own entity as deputy for the next days."""
    email = "otherstaff@vlaanderen.be" if actor == "other_manager" else "colleague@vlaanderen.be"
    today = world.today
    return {"deputy_email": email, "valid_from": today.isoformat(), "valid_until": (today + timedelta(days=5)).isoformat()}


async def managers_deputy(world: World, _actor: Actor) -> dict[str, Any]:
    return await world.deputy()


async def regular_home_worker(world: World, _actor: Actor) -> dict[str, Any]:
    await world.regular_home_worker(STAFF)
    return {"staff_id": await world.staff_id(STAFF)}


async def unconfirmed_member(world: World, _actor: Actor) -> dict[str, Any]:
    """STAFF without a manager's confirmation of regular home work (withdrawn if an earlier actor confirmed)."""
    member = await world.staff_id(STAFF)
    await world.harness.services.runner.run(
        allowance_service.set_regular_homework, allowance_service.SetRegularHomework(await world.staff(MANAGER), member, False)
    )
    return {"staff_id": member}


async def unconfirmed_member_elsewhere(world: World, _actor: Actor) -> dict[str, Any]:
    """OTHER_STAFF (entity DV, managed by OTHER_MANAGER) without a confirmation."""
    member = await world.staff_id(OTHER_STAFF)
    await world.harness.services.runner.run(
        allowance_service.set_regular_homework, allowance_service.SetRegularHomework(await world.staff(OTHER_MANAGER), member, False)
    )
    return {"staff_id": member}


async def approval_elsewhere(world: World, _actor: Actor) -> dict[str, Any]:
    """An approval for OTHER_STAFF's request (entity DV): OTHER_MANAGER decides it."""
    return {"approval_id": (await world.equipment_request(OTHER_STAFF))["approval_id"]}


async def home_day(world: World, _actor: Actor) -> dict[str, Any]:
    return {"registration_id": (await world.home_day(STAFF))["registration_id"]}


async def home_day_change(world: World, _actor: Actor) -> dict[str, Any]:
    return await world.home_day_change(STAFF)


async def future_day(world: World, _actor: Actor) -> dict[str, Any]:
    return {"day": world.next_working_day().isoformat()}


async def team_member(world: World, _actor: Actor) -> dict[str, Any]:
    return {"staff_id": await world.staff_id(STAFF), "valid_from": world.today.isoformat()}


async def ineligibility(world: World, _actor: Actor) -> dict[str, Any]:
    return {"ineligibility_id": (await world.ineligibility(STAFF))["ineligibility_id"]}


async def webinar(world: World, _actor: Actor) -> dict[str, Any]:
    found = await world.webinar()
    return {"webinar_id": found["webinar_id"]}


async def session(world: World, _actor: Actor) -> dict[str, Any]:
    found = await world.webinar()
    return {"session_id": found["session_id"]}


async def managers_session(world: World, _actor: Actor) -> dict[str, Any]:
    found = await world.webinar(target=TargetGroup.MANAGERS)
    return {"session_id": found["session_id"]}


async def seat(world: World, _actor: Actor) -> dict[str, Any]:
    found = await world.webinar_seat(STAFF)
    return {"registration_id": found["registration_id"], "session_id": found["session_id"]}


async def attendance(world: World, _actor: Actor) -> dict[str, Any]:
    found = await world.webinar_seat(STAFF)
    await _start_session(world, found["session_id"])
    return {"session_id": found["session_id"], "attended": str(found["registration_id"])}


async def fresh_webinar(world: World, _actor: Actor) -> dict[str, Any]:
    """A webinar of its own for each attempt (cancelling it is for good)."""
    found = await world.webinar(fresh=True)
    return {"webinar_id": found["webinar_id"]}


async def _start_session(world: World, session_id: int) -> None:
    """Attendance is for a session under way: move its start to half an hour ago."""
    async with world.uow() as uow:
        session = await uow.webinars.get_session(session_id)
        start = world.now - timedelta(minutes=30)
        await uow.webinars.update_session(session_id, SessionDraft(start, start + timedelta(hours=1), session.capacity, session.join_url))
        await uow.commit()


async def started_session(world: World, actor: Actor) -> dict[str, Any]:
    found = await session(world, actor)
    await _start_session(world, found["session_id"])
    return found


async def new_webinar_form(world: World, _actor: Actor) -> dict[str, Any]:
    day = (world.today + timedelta(days=30)).isoformat()
    return {
        "title_nl": "Samen Werkt - Basis", "title_en": "Working together - basics", "description_nl": "MS Teams en SharePoint.",
        "description_en": "MS Teams and SharePoint.", "target_group": "all", "entities": "", "s1_date": day, "s1_start": "10:00",
        "s1_end": "11:00", "s1_capacity": "100", "s1_url": "https://teams.microsoft.com/l/meetup-join/y",
        **{f"s{n}_{f}": "" for n in (2, 3) for f in ("date", "start", "end", "capacity", "url")},
    }


async def broadcast(world: World, _actor: Actor) -> dict[str, Any]:
    return {"broadcast_id": (await world.webinar())["broadcast_id"]}


async def fresh_broadcast(world: World, _actor: Actor) -> dict[str, Any]:
    return {"broadcast_id": (await world.broadcast())["broadcast_id"]}


async def failed_broadcast(world: World, _actor: Actor) -> dict[str, Any]:
    return {"broadcast_id": (await world.failed_broadcast())["broadcast_id"]}


async def coaching_request(world: World, _actor: Actor) -> dict[str, Any]:
    return {"request_id": (await world.coaching_request(STAFF))["request_id"]}


async def coaching_to_assign(world: World, _actor: Actor) -> dict[str, Any]:
    return await world.coaching_request(STAFF)


async def report_period(world: World, _actor: Actor) -> dict[str, Any]:
    start, end = default_period(world.today)
    return {"start": start, "end": end, "entity": "DWSE"}


def setup_with(base: Setup, **extra: Any) -> Setup:
    async def build(world: World, actor: Actor) -> dict[str, Any]:
        return {**await base(world, actor), **extra}
    return build


# -- THE TABLE ----------------------------------------------------------------------------------
#                                                                    staff mgr other hr admin unknown foreign
SELF = "A A A A A R R"  # every known staff member may do this for themselves
HR_ONLY = "R R R A A R R"
MATRIX: list[Row] = [
    # equipment
    Row("equipment.form", SELF, verb("equipment.form")),
    Row("equipment.mine", SELF, verb("equipment.mine")),
    Row("equipment.request", SELF, verb("equipment.request"), own_equipment_choice, changes=True),
    Row("equipment.cancel", "A R R R R R R", verb("equipment.cancel"), pending_equipment, changes=True, refusals=("equipment.not_yours",)),
    Row("equipment.request.show", "A R R R R R R", verb("equipment.request.show"), pending_equipment_id, refusals=("equipment.not_yours",)),
    Row("equipment.deliveries", "R R R R A R R", verb("equipment.deliveries")),
    Row("equipment.delivery", "R R R R A R R", verb("equipment.delivery"), approved_equipment),
    Row("equipment.fulfil", "R R R R A R R", verb("equipment.fulfil", step="ordered"), approved_equipment, changes=True),
    # allowances and payroll
    Row("allowance.choose", "A R R R R R R", verb("allowance.choose", mode="third_party_payer", provider="Telenet", customer_number="TN-1", monthly_cost="41,50"),
        regular_home_worker, changes=True),
    Row("allowance.confirm_regular", "R A R A A R R", verb("allowance.confirm_regular", confirmed=True), unconfirmed_member, changes=True,
        refusals=("allowance.not_your_member",)),
    Row("allowance.regular_team", "R A A R R R R", verb("allowance.regular_team")),
    Row("payroll.export", HR_ONLY, verb("payroll.export", entity="DWSE", month="2026-10", format="csv")),
    # a subject in entity DV (owner OTHER_STAFF, manager OTHER_MANAGER): the "staff" and "manager"
    # columns are then STAFF and MANAGER of DWSE, who have no business with it
    Row("allowance.confirm_regular", "R R A R R R R", verb("allowance.confirm_regular", confirmed=True), unconfirmed_member_elsewhere,
        changes=True, variant="member of another entity", refusals=("allowance.not_your_member",)),
    Row("payroll.export", "R R R R A R R", verb("payroll.export", entity="DV", month="2026-10", format="csv"), variant="another entity"),
    Row("approval.decide", "R R A R A R R", verb("approval.decide", decision="approve"), approval_elsewhere, changes=True,
        refusals=("approvals.not_yours",), variant="request in another entity"),
    # approvals (an equipment request that needs the manager)
    Row("approval.decide", "R A R R A R R", verb("approval.decide", decision="approve"), approval, changes=True, refusals=("approvals.not_yours",)),
    Row("approval.refresh", "A A R R A R R", verb("approval.refresh"), approval, refusals=("approvals.not_yours",)),
    Row("approval.show", "A A R R A R R", verb("approval.show"), approval, refusals=("approvals.not_yours",)),
    Row("approval.pending", SELF, verb("approval.pending")),
    Row("approval.bulk", "R A R R A R R", verb("approval.bulk"), approval_list, changes=True,
        refusals=("approvals.skipped_not_yours",), audit_action="approval.refused"),
    Row("approval.deputy_add", "R A A R A R R", verb("approval.deputy_add"), own_deputy_choice, changes=True),
    Row("approval.deputy_remove", "R A R R R R R", verb("approval.deputy_remove"), managers_deputy, changes=True, refusals=("approvals.not_your_deputy",)),
    # home work
    Row("homework.register", SELF, verb("homework.register", place="home", part="full"), future_day, changes=True),
    Row("homework.form", "A R R R R R R", verb("homework.form"), home_day, refusals=("homework.not_yours",)),
    Row("homework.overview", SELF, verb("homework.overview", period="week")),
    Row("homework.cancel", "A R R R R R R", verb("homework.cancel", period="week", confirmed=True), home_day, changes=True, refusals=("homework.not_yours",)),
    Row("homework.undo", "A R R R R R R", verb("homework.undo"), home_day_change, changes=True, refusals=("homework.not_yours",)),
    # team, agreements, eligibility
    Row("team.view", SELF, verb("team.view", week=0), refusals=("team.view_not_allowed",)),
    Row("team.agreement", "R A A R R R R", verb("team.agreement")),
    Row("team.agreement.save", "R A A R R R R", verb("team.agreement.save", anchor_weekdays="1", min_office_days=1)),
    Row("team.agreement.confirm", "R A A R R R R", verb("team.agreement.confirm", anchor_weekdays="1", min_office_days=1), changes=True),
    Row("team.eligibility", "R A A R R R R", verb("team.eligibility")),
    Row("team.eligibility.mark", "R A R R R R R", verb("team.eligibility.mark", reason="organisational"), team_member, refusals=("team.not_your_member",)),
    Row("team.eligibility.mark.confirm", "R A R R R R R", verb("team.eligibility.mark.confirm", reason="organisational"), team_member,
        changes=True, refusals=("team.not_your_member",)),
    Row("team.eligibility.lift", "R A R R R R R", verb("team.eligibility.lift"), ineligibility, changes=True, refusals=("team.not_your_member",)),
    # privacy
    Row("privacy.home", SELF, verb("privacy.home")),
    Row("privacy.manager_view", SELF, verb("privacy.manager_view")),
    Row("privacy.export", SELF, verb("privacy.export", format="json")),
    # webinars (a published webinar for all staff, with an invitation broadcast)
    Row("webinar.card", SELF, verb("webinar.card"), webinar),
    Row("webinar.signup", SELF, verb("webinar.signup", waitlist=False, source="overview"), session, changes=True),
    Row("webinar.signup", "R A A R R R R", verb("webinar.signup", waitlist=False, source="invitation"), managers_session,
        changes=True, variant="webinar for managers"),
    Row("webinar.cancel", "A R R R R R R", verb("webinar.cancel", source="overview"), seat, changes=True),
    Row("webinar.new", HR_ONLY, verb("webinar.new")),
    Row("webinar.save", HR_ONLY, verb("webinar.save"), new_webinar_form, changes=True),
    Row("webinar.preview", HR_ONLY, verb("webinar.preview"), webinar),
    Row("webinar.manage", HR_ONLY, verb("webinar.manage"), webinar),
    Row("webinar.invite", HR_ONLY, verb("webinar.invite", when="now", schedule_date="", schedule_time=""), webinar, changes=True),
    Row("webinar.edit", HR_ONLY, verb("webinar.edit"), webinar),
    Row("webinar.cancel_webinar", HR_ONLY, verb("webinar.cancel_webinar"), webinar),
    Row("webinar.cancel_webinar", HR_ONLY, verb("webinar.cancel_webinar", confirmed=True), fresh_webinar, changes=True, variant="confirmed"),
    Row("webinar.attendance", HR_ONLY, verb("webinar.attendance"), started_session),
    Row("webinar.attendance.save", HR_ONLY, verb("webinar.attendance.save"), attendance, changes=True),
    # broadcasts
    Row("broadcast.open", HR_ONLY, verb("broadcast.open"), broadcast),
    Row("broadcast.progress", HR_ONLY, verb("broadcast.progress"), broadcast),
    Row("broadcast.cancel", HR_ONLY, verb("broadcast.cancel"), fresh_broadcast, changes=True),
    Row("broadcast.resend_failed", HR_ONLY, verb("broadcast.resend_failed"), failed_broadcast, changes=True),
    # coaching (HR holds the coach role too)
    Row("coaching.request", SELF, verb("coaching.request", kind="leadership", note="Leidinggeven op afstand."), changes=True),
    Row("coaching.open", HR_ONLY, verb("coaching.open"), coaching_request),
    Row("coaching.assign", HR_ONLY, verb("coaching.assign"), coaching_to_assign, changes=True),
    Row("coaching.record", HR_ONLY, verb("coaching.record", conversations="3"), coaching_request, changes=True),
    Row("coaching.close", HR_ONLY, verb("coaching.close", confirmed=True), coaching_request, changes=True),
    Row("coaching.queue", HR_ONLY, verb("coaching.queue")),
    # the way back to the menu on every card
    Row("menu.show", SELF, verb("menu.show")),
    # reports
    Row("reports.request", HR_ONLY, verb("reports.request"), report_period),
    # menu buttons (menu.open with the flow's name)
    *(with_expect(opener(flow), SELF) for flow in (
        "homework", "homework.overview", "team", "equipment", "equipment.mine", "allowance", "allowance.mine",
        "webinars", "coaching", "privacy",
    )),
    with_expect(opener("approvals"), "R A A R A R R"),
    with_expect(opener("logistics"), "R R R R A R R"),
    with_expect(opener("payroll"), HR_ONLY),
    with_expect(opener("webinars.manage"), HR_ONLY),
    with_expect(opener("coaching.queue"), HR_ONLY),
    with_expect(opener("reports"), HR_ONLY),
    with_expect(opener("broadcasts"), HR_ONLY),
    # typed commands that reach someone else's data or a role's tools
    command("leveringen", "R R R R A R R"),
    command("loonexport", HR_ONLY),
    command("rapport", HR_ONLY),
    command("verzendingen", HR_ONLY),
    command("webinars beheren", HR_ONLY),
    command("coachingsaanvragen", HR_ONLY),
    command("vervangers", "R A A R A R R"),
    command("teamafspraken", "R A A R R R R"),
    command("niet in aanmerking", "R A A R R R R"),
    command("goedkeuringen", SELF),
    command("bevestig thuiswerk staff@vlaanderen.be", "R A R A A R R", phrase="bevestig thuiswerk", setup=unconfirmed_member,
            refusals=("allowance.not_your_member",)),
]

# Verbs that need no role and act on no one's data: pure navigation. Each opener it can name has
# its own "open:<flow>" row above, where the opener's roles are checked.
NO_ROLE_VERBS = {
    "menu.open",
}


def _rows() -> list[Any]:
    return [pytest.param(row, id=row.id) for row in MATRIX]


# -- the app, with a tenant allow-list so the other tenant gets its 403 --------------------------
@pytest.fixture
async def world(directory, database_url: str, connector: FakeConnector, clock: FixedClock) -> AsyncIterator[World]:  # noqa: ANN001
    settings = make_settings(database_url, ALLOWED_TENANT_IDS=teams.TENANT)
    app = create_app(settings, clock=clock, extensions=[])
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    harness = BotHarness(client=client, connector=connector, services=app[SERVICES], clock=clock)
    try:
        yield World(harness, harness.post)
    finally:
        await client.close()


REFUSED_ANYWHERE = ("common.not_allowed", "common.unknown_user", "common.stale_card")


def _dump(answer: Answer) -> str:
    return "\n".join(answer.texts) + "\n" + json.dumps(answer.cards, ensure_ascii=False)


async def _check(world: World, row: Row, actor: Actor, allowed: bool) -> list[str]:
    """One attempt; returns what went wrong (empty: as the table says)."""
    ids = await (row.setup or nothing)(world, actor)
    data = row.data(ids)
    before = await world.fingerprint()
    audited_before = await world.refusals_audited(row.audited_as, row.audit_action)
    elsewhere_before = world.sent_elsewhere(actor)
    all_sent_before = len(world.harness.connector.sent)
    answer = await world.attempt(actor, row.via, data)
    after = await world.fingerprint()
    audited = await world.refusals_audited(row.audited_as, row.audit_action) - audited_before
    shown = _dump(answer)
    problems: list[str] = []
    if actor == "foreign":
        if answer.status != 403:
            problems.append(f"HTTP {answer.status}, expected 403")
        if len(world.harness.connector.sent) != all_sent_before:
            problems.append("the bot answered another tenant")
        if after != before:
            problems.append("business rows changed")
        return problems
    if answer.status not in (200, 201):
        return [f"HTTP {answer.status}"]
    if actor == "unknown":
        if DUTCH("common.unknown_user") not in shown:
            problems.append(f"no unknown-user answer: {shown[:200]!r}")
        if after != before:
            problems.append("business rows changed")
        return problems
    refusal_texts = [DUTCH(key) for key in ("common.not_allowed", *row.refusals)]
    if allowed:
        refused = [text for text in [*refusal_texts, *(DUTCH(k) for k in REFUSED_ANYWHERE)] if text in shown]
        if refused:
            problems.append(f"refused: {refused[0]!r}")
        if audited:
            problems.append("a refusal was audited")
        if not (answer.texts or answer.cards or answer.files):
            problems.append("nothing came back")
        if row.changes and after == before:
            problems.append(f"no business row changed; answer: {shown[:300]!r}")
        return problems
    if not any(text in shown for text in refusal_texts):
        problems.append(f"no refusal text; answer: {shown[:300]!r}")
    if after != before:
        problems.append("business rows changed")
    if world.sent_elsewhere(actor) != elsewhere_before:
        problems.append("someone else was notified")
    if audited < 1:
        problems.append(f"no 'refused' audit row for {row.audited_as}")
    return problems


@pytest.mark.parametrize("row", _rows())
async def test_matrix(world: World, row: Row) -> None:
    expected = expectations(row.expect)
    failures = []
    for actor in ACTORS:
        problems = await _check(world, row, actor, expected[actor])
        if problems:
            outcome = "allow" if expected[actor] else "refuse"
            failures.append(f"{row.action} as {actor} (expected {outcome}): " + "; ".join(problems))
    assert not failures, "\n".join(failures)


# -- guards: nothing escapes the matrix ----------------------------------------------------------
def test_every_registered_verb_is_in_the_matrix() -> None:
    router = build_registry().router
    in_table = {row.action for row in MATRIX}
    missing = sorted(build_registry().router.verbs() - in_table - NO_ROLE_VERBS)
    assert not missing, f"card verbs without a row in the authorization matrix: {missing}"
    unrouted = sorted(action for action in in_table if ":" not in action and action not in router.verbs())
    assert not unrouted, f"matrix rows for verbs the router does not know: {unrouted}"


def test_every_opener_is_in_the_matrix() -> None:
    openers = set(build_registry().router.openers())
    in_table = {row.action[5:] for row in MATRIX if row.action.startswith("open:")}
    assert openers - in_table == set(), f"menu openers without a row: {sorted(openers - in_table)}"
    assert in_table - openers == set(), f"rows for openers that no longer exist: {sorted(in_table - openers)}"


def test_every_role_restricted_command_handler_is_in_the_matrix() -> None:
    """At least one phrase of every command that carries roles is posted in the matrix."""
    router = build_registry().router
    said = {row.action[4:] for row in MATRIX if row.action.startswith("say:")}
    handlers: dict[Any, set[str]] = {}
    for route in router._commands:  # noqa: SLF001 - the router offers no public list of commands
        if route.roles:
            handlers.setdefault(route.handler, set()).add(route.phrase)
    uncovered = sorted(sorted(phrases)[0] for phrases in handlers.values() if not phrases & said)
    assert not uncovered, f"role-restricted commands without a row: {uncovered}"


def test_the_table_is_well_formed() -> None:
    ids = [row.id for row in MATRIX]
    assert len(ids) == len(set(ids)), "a row appears twice"
    for row in MATRIX:
        expectations(row.expect)  # raises on a malformed row
        marks = expectations(row.expect)
        assert not marks["unknown"] and not marks["foreign"], f"{row.action}: unknown users and other tenants are always refused"
    assert set(USERS) == set(ACTORS)
    assert OTHER_MANAGER != MANAGER
