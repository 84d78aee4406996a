"""JWT validation with an app id configured: tokens are signed by a test RSA key that a local
OpenID metadata endpoint (with JWKS) on 127.0.0.1 publishes, as the Bot Framework's does."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select

from bot.app import create_app
from storage.models.directory import ConversationReferenceRow
from tests.conftest import make_settings
from tests.fakes import teams
from tests.fakes.connector import FakeConnector
from tests.fakes.people import STAFF

APP_ID = "6b1f0c1e-7a55-4d1f-9a3e-2c7d8e9f0a1b"
ISSUER = "https://api.botframework.com"
KEY_ID = "test-signing-key"


class OpenIdServer:
    """Serves /.well-known/openid-configuration and /keys from a thread: the SDK fetches them with
    blocking `requests` calls inside the event loop, so they cannot be served by that loop."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": KEY_ID, "use": "sig", "alg": "RS256", "endorsements": ["msteams"]})
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": ISSUER, "jwks_uri": f"{server.url}/keys", "id_token_signing_alg_values_supported": ["RS256"]}
                elif self.path == "/keys":
                    body = {"keys": [jwk]}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def sign(self, service_url: str, key: rsa.RSAPrivateKey | None = None, **overrides: Any) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": APP_ID, "serviceurl": service_url, "nbf": now - 60, "iat": now - 60, "exp": now + 3600}
        claims.update(overrides)
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": KEY_ID})


@pytest.fixture
def openid() -> Iterator[OpenIdServer]:
    server = OpenIdServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
async def secured(directory, database_url: str, connector: FakeConnector, openid: OpenIdServer) -> AsyncIterator[TestClient]:  # noqa: ANN001
    settings = make_settings(
        database_url, MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="not-used-for-inbound", MICROSOFT_APP_TYPE="MultiTenant",
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=f"{openid.url}/.well-known/openid-configuration",
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=ISSUER,
    )
    client = TestClient(TestServer(create_app(settings, extensions=[]), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


def _activity(connector: FakeConnector) -> dict[str, Any]:
    # A conversation update makes the bot store the reference but send nothing, so the test needs
    # no outbound token from the identity platform.
    return teams.conversation_update(STAFF, connector.url)


async def _post(client: TestClient, activity: dict[str, Any], token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/api/messages", json=activity, headers=headers)
    return response.status


async def _references(database_url: str) -> int:
    from storage.db import create_engine

    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            return len((await connection.execute(select(ConversationReferenceRow.id))).all())
    finally:
        await engine.dispose()


async def test_valid_token_passes(secured: TestClient, connector: FakeConnector, openid: OpenIdServer, database_url: str) -> None:
    assert await _post(secured, _activity(connector), openid.sign(connector.url)) in (200, 201)
    assert await _references(database_url) == 1


@pytest.mark.parametrize(
    "case",
    ["missing", "not bearer", "expired", "wrong audience", "wrong issuer", "wrong service url", "other key", "garbage"],
)
async def test_bad_tokens_get_401(
    case: str, secured: TestClient, connector: FakeConnector, openid: OpenIdServer, database_url: str
) -> None:
    activity = _activity(connector)
    now = int(time.time())
    tokens: dict[str, str | None] = {
        "missing": None,
        "expired": openid.sign(connector.url, nbf=now - 7200, iat=now - 7200, exp=now - 3600),
        "wrong audience": openid.sign(connector.url, aud="another-bot"),
        "wrong issuer": openid.sign(connector.url, iss="https://issuer.example.org"),
        "wrong service url": openid.sign("https://elsewhere.example.org/"),
        "other key": openid.sign(connector.url, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "garbage": "not.a.token",
    }
    if case == "not bearer":
        response = await secured.post("/api/messages", json=activity, headers={"Authorization": f"Basic {openid.sign(connector.url)}"})
        status = response.status
    else:
        status = await _post(secured, activity, tokens[case])
    assert status == 401
    assert await _references(database_url) == 0
    assert connector.sent == []


async def test_local_mode_accepts_unsigned_requests_and_warns(
    directory, database_url: str, connector: FakeConnector, caplog: pytest.LogCaptureFixture  # noqa: ANN001
) -> None:
    app = create_app(make_settings(database_url), extensions=[])
    assert "running in local mode" in caplog.text
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        assert await _post(client, _activity(connector), None) in (200, 201)
    finally:
        await client.close()
