"""A fake Microsoft identity platform and Graph on https://127.0.0.1 (msal only talks HTTPS):
OpenID discovery, the client-credentials token endpoint, users' manager and department, and
proactive app installation. It serves a throw-away self-signed certificate; clients trust it
through `ca_file`."""

from __future__ import annotations

import ipaddress
import itertools
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TENANT = "00000000-0000-0000-0000-0000000000001"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
CLIENT_SECRET = "fake-graph-secret"


def write_self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "graph-cert.pem", folder / "graph-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@dataclass
class FakeGraph:
    folder: Path
    # aad object id -> manager's aad object id
    managers: dict[str, str] = field(default_factory=dict)
    departments: dict[str, str | None] = field(default_factory=dict)
    # aad object id -> status the installation answers (201 when absent)
    install_status: dict[str, int] = field(default_factory=dict)
    installs: list[tuple[str, dict]] = field(default_factory=list)
    token_requests: int = 0
    graph_requests: int = 0
    server: TestServer | None = None
    ca_file: Path | None = None
    _tokens: itertools.count = field(default_factory=lambda: itertools.count(1))
    _issued: set[str] = field(default_factory=set)

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"https://127.0.0.1:{self.server.port}"

    @property
    def authority(self) -> str:
        return self.base

    @property
    def graph_url(self) -> str:
        return self.base + "/v1.0"

    async def start(self) -> FakeGraph:
        cert, key = write_self_signed_certificate(self.folder)
        self.ca_file = cert
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._discovery)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/v1.0/users/{id}/manager", self._manager)
        app.router.add_get("/v1.0/users/{id}", self._user)
        app.router.add_post("/v1.0/users/{id}/teamwork/installedApps", self._install)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server(ssl=context)
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def _discovery(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        return web.json_response({
            "issuer": f"{self.base}/{tenant}/v2.0",
            "authorization_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/authorize",
            "token_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/token",
        })

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.token_requests += 1
        if (
            request.match_info["tenant"] != TENANT or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET or form.get("grant_type") != "client_credentials"
            or form.get("scope") != "https://graph.microsoft.com/.default"
        ):
            return web.json_response({"error": "invalid_client", "error_description": "bad credentials"}, status=401)
        token = f"graph-token-{next(self._tokens)}"
        self._issued.add(token)
        return web.json_response({"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    def _authorized(self, request: web.Request) -> bool:
        self.graph_requests += 1
        header = request.headers.get("Authorization", "")
        return header.startswith("Bearer ") and header[7:] in self._issued

    async def _manager(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        manager = self.managers.get(request.match_info["id"])
        if manager is None:
            return web.json_response({"error": {"code": "Request_ResourceNotFound"}}, status=404)
        return web.json_response({"id": manager})

    async def _user(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        user = request.match_info["id"]
        if user not in self.departments:
            return web.json_response({"error": {"code": "Request_ResourceNotFound"}}, status=404)
        return web.json_response({"id": user, "department": self.departments[user]})

    async def _install(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        user = request.match_info["id"]
        self.installs.append((user, await request.json()))
        status = self.install_status.get(user, 201)
        return web.json_response({"error": {"code": str(status)}} if status >= 400 else {}, status=status)
