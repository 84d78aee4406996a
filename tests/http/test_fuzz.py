"""Fuzzing /api/messages with generated activities: malformed shapes, wrong types, missing fields,
huge texts, unknown invoke names, forged card payloads for every registered verb, deep nesting,
NUL characters, lone UTF-16 surrogates and over-long fields (in the activity and in every real
verb's payload fields: ids no row can have, over-long texts, NULs, surrogates, nesting), on SQLite
and PostgreSQL.

Invariants: never a 5xx, the service keeps answering, and no business row changes (only the
audit log, conversation references and bot state may grow, and references only for staff in the
directory); what cannot be stored (deep nesting, NUL, lone surrogates) is refused with 400."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from bot.wiring import build_registry
from storage.db import create_engine
from storage.models import Base
from tests.conftest import DEFAULT_NOW, _prepare_postgres, load_directory, make_settings, postgres_url
from tests.fakes.live_server import LiveBot
from tests.fakes.people import MANAGER, OTHER_STAFF, STAFF, UNKNOWN
from tests.fakes.teams import TENANT, TeamsUser

# Tables that may legitimately change on any request (technical state, the audit of refusals,
# a personal data export waiting for the user to accept the file).
MAY_CHANGE = {"audit_log", "conversation_references", "job_claims", "pending_files"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_bot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from bot.clock import FixedClock

    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    else:
        url = postgres_url()
        if url is None:
            pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL (CI uses 127.0.0.1:5432/test)")

    async def prepare() -> None:
        if request.param == "sqlite":
            engine = create_engine(url)
            async with engine.begin() as connection:
                await connection.run_sync(Base.metadata.create_all)
            await engine.dispose()
        else:
            await _prepare_postgres(url)
        from storage.db import create_session_factory
        from storage.uow import UnitOfWorkFactory

        engine = create_engine(url)
        await load_directory(UnitOfWorkFactory(create_session_factory(engine)))
        await engine.dispose()

    asyncio.run(prepare())
    bot = LiveBot(make_settings(url), FixedClock(DEFAULT_NOW)).start()
    bot.database_url = url  # type: ignore[attr-defined]
    yield bot
    bot.stop()


def business_fingerprint(bot: LiveBot) -> str:
    async def fingerprint() -> str:
        digest = hashlib.sha256()
        engine = create_engine(bot.database_url)  # type: ignore[attr-defined]
        try:
            async with engine.connect() as connection:
                for table in Base.metadata.sorted_tables:
                    if table.name in MAY_CHANGE:
                        continue
                    rows = (await connection.execute(select(table))).all()
                    digest.update(table.name.encode())
                    digest.update(repr(sorted(map(repr, rows))).encode())
        finally:
            await engine.dispose()
        return digest.hexdigest()

    return bot.run(fingerprint())


def post(bot: LiveBot, body: bytes) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", bot.port, timeout=30)
    try:
        connection.request("POST", "/api/messages", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


json_scalars = st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63) | st.floats(allow_nan=False) | st.text(max_size=50)
json_values = st.recursive(json_scalars, lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4), max_leaves=12)
users = st.sampled_from([STAFF, MANAGER, OTHER_STAFF, UNKNOWN])


def base_activity(user: TeamsUser, service_url: str) -> dict[str, Any]:
    return {
        "type": "message", "id": "fuzz", "serviceUrl": service_url, "channelId": "msteams",
        "from": {"id": user.user_id, "name": user.name, "aadObjectId": user.aad_object_id},
        "conversation": {"id": user.conversation_id, "conversationType": "personal", "tenantId": TENANT},
        "recipient": {"id": "28:bot", "name": "bot"}, "locale": "nl-BE",
    }


# Where an activity carries text a hostile client controls, as paths into the activity.
TEXT_FIELDS = [("text",), ("from", "name"), ("from", "id"), ("from", "aadObjectId"), ("conversation", "id"),
               ("conversation", "tenantId"), ("recipient", "name"), ("locale",), ("channelData", "tenant", "id"),
               ("value", "verb"), ("value", "note"), ("name",), ("id",)]
# Fields with a stored length limit, and lengths around and far beyond it.
LONG_FIELDS = [("locale",), ("from", "name"), ("from", "id"), ("from", "aadObjectId"), ("conversation", "id"),
               ("conversation", "tenantId"), ("channelData", "tenant", "id"), ("recipient", "id"), ("channelId",),
               ("serviceUrl",), ("entities", 0, "locale")]
UNSTORABLE = st.sampled_from(["\x00", "\ud800", "\udfff", "\udbff", "\udc00"])
# Kinds whose every example must be refused with 400 (the rest: anything but a 5xx).
REFUSED_KINDS = {"deep", "nul_or_surrogate", "card_unstorable", "card_deep"}
# Values a hostile card puts in a real verb's fields: ids no row can have, over-long texts.
HOSTILE_FIELD_VALUES = st.sampled_from([2**63, -(2**63), 2**31, -5, 0, "9" * 5_000, "x" * 60_000, "é" * 4_001, 1e308, "", []])


def _payload_fields() -> dict[str, list[str]]:
    """Each routed verb with the fields of its payload class."""
    routes = build_registry().router._actions  # noqa: SLF001 - the payload classes the router validates with
    return {verb: sorted(route.payload.model_fields) or ["id"] for verb, route in sorted(routes.items())}


PAYLOAD_FIELDS = _payload_fields()


def _put(activity: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    """Set activity[path] = value; `path` names containers base_activity has (or dicts to make)."""
    target: Any = activity
    for key in path[:-1]:
        if isinstance(target, dict) and not isinstance(target.get(key), dict | list):
            target[key] = {}
        target = target[key]
    target[path[-1]] = value


def _get(activity: dict[str, Any], path: tuple[Any, ...]) -> str:
    value: Any = activity
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return ""
    return value if isinstance(value, str) else ""


@st.composite
def nested(draw: st.DrawFn) -> tuple[str, str]:
    """JSON text nested deeper than the edge allows, built as text (no recursion)."""
    depth = draw(st.integers(min_value=33, max_value=5_000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    return opener * depth + "1" + closer * depth, draw(st.sampled_from(["body", "value", "channelData"]))


@st.composite
def activities(draw: st.DrawFn, service_url: str) -> tuple[str, bytes]:
    activity = base_activity(draw(users), service_url)
    activity["entities"] = [{"type": "clientInfo", "locale": "nl-BE"}]
    activity["channelData"] = {"tenant": {"id": TENANT}}
    kind = draw(st.sampled_from(
        ["text", "huge", "submit", "execute", "invoke", "mangle", "drop", "raw", "deep", "nul_or_surrogate", "long", "types",
         "card_fields", "card_unstorable", "card_deep"]
    ))
    verbs = sorted(build_registry().router.verbs()) or ["menu.open"]
    if kind == "text":
        activity["text"] = draw(st.text(max_size=300))
    elif kind == "huge":
        activity["text"] = "thuis " * draw(st.integers(min_value=400, max_value=30_000))
    elif kind == "submit":
        data = draw(st.dictionaries(st.text(max_size=20), json_values, max_size=6))
        data["verb"] = draw(st.sampled_from(verbs) | st.text(max_size=20))
        activity["value"] = data
    elif kind in ("execute", "invoke"):
        activity["type"] = "invoke"
        activity["name"] = "adaptiveCard/action" if kind == "execute" else draw(st.text(max_size=40))
        action = {"type": "Action.Execute", "verb": draw(st.sampled_from(verbs) | st.text(max_size=20)),
                  "data": draw(st.dictionaries(st.text(max_size=20), json_values, max_size=6) | json_values)}
        activity["value"] = draw(st.sampled_from([{"action": action}, action, None, "x", []]))
    elif kind == "mangle":
        key = draw(st.sampled_from(sorted(activity)))
        activity[key] = draw(json_values)
    elif kind == "drop":
        activity.pop(draw(st.sampled_from(sorted(activity))))
    elif kind == "deep":
        text_, where = draw(nested())
        if where == "body":
            return kind, text_.encode()
        placeholder = "__deep__"
        activity[where] = placeholder
        return kind, json.dumps(activity).replace(f'"{placeholder}"', text_).encode()
    elif kind == "nul_or_surrogate":
        path = draw(st.sampled_from(TEXT_FIELDS))
        before, after = draw(st.text(max_size=10)), draw(st.text(max_size=10))
        if draw(st.booleans()):
            _put(activity, path, before + draw(UNSTORABLE) + after)
        else:  # in a key of the card's data
            activity["value"] = {before + draw(UNSTORABLE) + after: "x", "verb": "menu.open"}
    elif kind == "long":
        path = draw(st.sampled_from(LONG_FIELDS))
        length = draw(st.sampled_from([17, 33, 65, 201, 321, 401, 2_000, 60_000]))
        filler = draw(st.sampled_from(["x", "é", "😀", "9"]))
        if path == ("serviceUrl",):  # still the fake connector, so no name is ever looked up
            _put(activity, path, service_url.rstrip("/") + "/" + filler * length)
        else:
            _put(activity, path, _get(activity, path)[:10] + filler * length)
    elif kind.startswith("card_"):  # a real verb, its real field names, hostile values
        verb = draw(st.sampled_from(sorted(PAYLOAD_FIELDS)))
        fields = PAYLOAD_FIELDS[verb]
        chosen = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=len(fields), unique=True))
        if kind == "card_fields":
            data = {field: draw(HOSTILE_FIELD_VALUES) for field in chosen}
        elif kind == "card_unstorable":
            data = {field: draw(st.text(max_size=5)) + draw(UNSTORABLE) + draw(st.text(max_size=5)) for field in chosen}
        else:
            data = {field: "__deep__" for field in chosen[:1]}
        action = {"type": "Action.Execute", "verb": verb, "data": data}
        if draw(st.booleans()):
            activity.update({"type": "invoke", "name": "adaptiveCard/action", "value": {"action": action}})
        else:
            activity["value"] = {"verb": verb, **data}
        if kind == "card_deep":
            text_, _where = draw(nested())
            return kind, json.dumps(activity).replace('"__deep__"', text_).encode()
    elif kind == "types":
        path = draw(st.sampled_from([("channelData", "tenant"), ("channelData",), ("from",), ("conversation",),
                                     ("recipient",), ("entities",), ("from", "id"), ("locale",), ("text",),
                                     ("serviceUrl",), ("membersAdded",), ("entities", 0)]))
        _put(activity, path, draw(st.sampled_from([TENANT, 5, 1.5, True, [], [TENANT], {"id": 7}, None])))
    else:
        return kind, draw(st.binary(max_size=200))
    return kind, json.dumps(activity).encode()


def test_fuzzed_activities_never_5xx_nor_change_business_rows(live_bot: LiveBot) -> None:
    before = business_fingerprint(live_bot)
    statuses: list[int] = []

    by_kind: dict[str, list[int]] = {}

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(example=activities(live_bot.connector.url if live_bot.connector.server else ""))
    def check(example: tuple[str, bytes]) -> None:
        kind, body = example
        status = post(live_bot, body)
        statuses.append(status)
        by_kind.setdefault(kind, []).append(status)
        assert status < 500, body[:500]
        if kind in REFUSED_KINDS:
            assert status == 400, body[:500]

    check()
    assert business_fingerprint(live_bot) == before
    # The generator reached both accepted and refused requests, and every hostile kind.
    assert any(s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)
    assert REFUSED_KINDS | {"long", "types", "card_fields"} <= set(by_kind), sorted(by_kind)
    # Nobody outside the directory left a conversation reference behind (the table cannot grow
    # with fuzzed or unknown users); only the directory's staff can have one.
    assert live_bot.run(_references_outside_the_directory(live_bot)) == 0
    print({kind: len(found) for kind, found in sorted(by_kind.items())}, f"{len(statuses)} requests")
    connection = http.client.HTTPConnection("127.0.0.1", live_bot.port, timeout=10)
    connection.request("GET", "/healthz")
    assert connection.getresponse().status == 200


async def _references_outside_the_directory(bot: LiveBot) -> int:
    engine = create_engine(bot.database_url)  # type: ignore[attr-defined]
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(text(
                "SELECT count(*) FROM conversation_references WHERE aad_object_id NOT IN (SELECT aad_object_id FROM staff)"
            ))).scalar_one())
    finally:
        await engine.dispose()


def test_known_verbs_with_forged_ids_change_nothing(live_bot: LiveBot) -> None:
    """Every registered verb, with ids that point at nothing or at someone else's data."""
    before = business_fingerprint(live_bot)
    forged_values: list[Any] = [0, -1, 2**31, "1; DROP TABLE staff", None, [], {"id": 1}, 1.5, 999999]
    for verb in sorted(build_registry().router.verbs()):
        for value in forged_values:
            data = {key: value for key in ("id", "approval_id", "request_id", "registration_id", "session_id", "webinar_id", "broadcast_id", "staff_id", "item_id", "coaching_id")}
            for user in (STAFF, OTHER_STAFF, UNKNOWN):
                activity = base_activity(user, live_bot.connector.url)
                activity.update({"type": "invoke", "name": "adaptiveCard/action", "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}}})
                assert post(live_bot, json.dumps(activity).encode()) < 500, verb
    assert business_fingerprint(live_bot) == before


def test_text_is_not_a_sql_vector(live_bot: LiveBot) -> None:
    async def count_staff() -> int:
        engine = create_engine(live_bot.database_url)  # type: ignore[attr-defined]
        try:
            async with engine.connect() as connection:
                return int((await connection.execute(text("SELECT count(*) FROM staff"))).scalar_one())
        finally:
            await engine.dispose()

    staff_before = live_bot.run(count_staff())
    activity = base_activity(STAFF, live_bot.connector.url)
    activity["text"] = "thuis'; DELETE FROM staff; --"
    assert post(live_bot, json.dumps(activity).encode()) < 500
    assert live_bot.run(count_staff()) == staff_before
