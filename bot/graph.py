"""Microsoft Graph through the bot's own identity (client credentials): a staff member's manager and
department (and the directory refresh built on it), and installing the Teams app for a user so the
bot can reach them proactively.

msal is synchronous, so token acquisition runs in a thread; msal caches the token until shortly
before it expires, so most calls cost no round trip to the identity platform.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp
import msal
import requests

from bot.config import Settings
from bot.domain.staff_org import GraphOrg
from bot.runner import UseCaseRunner
from bot.services.directory import ApplyGraphOrg, CurrentOrg, SyncResult, apply_graph_org, current_org

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
TIMEOUT = aiohttp.ClientTimeout(total=20)


class GraphError(Exception):
    """Graph or the identity platform answered something the bot cannot use."""


class GraphClient:
    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        authority: str = "https://login.microsoftonline.com",
        base_url: str = "https://graph.microsoft.com/v1.0",
        teams_app_catalog_id: str = "",
        ca_file: str | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        self._client_secret = client_secret
        self.authority = f"{authority.rstrip('/')}/{tenant_id}"
        self.base_url = base_url.rstrip("/")
        self.teams_app_catalog_id = teams_app_catalog_id
        self._ca_file = ca_file
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphClient | None:
        """A client when the bot has an app id, a password and a tenant; otherwise None."""
        if not (settings.microsoft_app_id and settings.microsoft_app_password and settings.microsoft_app_tenant_id):
            return None
        return cls(
            tenant_id=settings.microsoft_app_tenant_id, client_id=settings.microsoft_app_id,
            client_secret=settings.microsoft_app_password, authority=settings.graph_authority,
            base_url=settings.graph_base_url, teams_app_catalog_id=settings.teams_app_catalog_id,
        )

    # -- tokens ---------------------------------------------------------------------------------
    def _acquire_token_blocking(self) -> str:
        if self._app is None:
            # The constructor itself calls the authority's discovery endpoint.
            http_client = None
            if self._ca_file:
                # requests lets REQUESTS_CA_BUNDLE override a session's own CA file; a private
                # authority (tests, sovereign proxies) needs exactly the file it was given.
                http_client = requests.Session()
                http_client.trust_env = False
                http_client.verify = self._ca_file
            self._app = msal.ConfidentialClientApplication(
                self.client_id, client_credential=self._client_secret, authority=self.authority,
                instance_discovery=self.authority.startswith("https://login.microsoftonline.com/"),
                http_client=http_client,
            )
        result = self._app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            raise GraphError(f"no Graph token: {result.get('error') if isinstance(result, dict) else result}")
        return token

    async def _token(self) -> str:
        async with self._lock:  # one msal call at a time; the cache answers the others
            try:
                return await asyncio.to_thread(self._acquire_token_blocking)
            except GraphError:
                raise
            except Exception as error:  # msal and requests raise many types for network trouble
                raise GraphError(f"token request failed: {type(error).__name__}") from error

    def _ssl(self) -> ssl.SSLContext | bool:
        return ssl.create_default_context(cafile=self._ca_file) if self._ca_file else True

    async def _request(self, method: str, path: str, json_body: dict[str, Any] | None = None) -> tuple[int, Any]:
        token = await self._token()
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            async with aiohttp.ClientSession(timeout=TIMEOUT) as session, session.request(
                method, self.base_url + path, json=json_body, headers=headers, ssl=self._ssl()
            ) as response:
                body = await response.json(content_type=None) if response.content_length != 0 else None
                return response.status, body
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise GraphError(f"{method} {path} failed: {type(error).__name__}") from error

    # -- look-ups -------------------------------------------------------------------------------
    async def manager_and_department(self, aad_object_id: str) -> tuple[str | None, str | None]:
        """The manager's Azure AD object id and the department; None where Graph has none."""
        user = quote(aad_object_id, safe="")
        status, body = await self._request("GET", f"/users/{user}/manager?$select=id")
        if status == 200 and isinstance(body, dict):
            manager = body.get("id") if isinstance(body.get("id"), str) else None
        elif status == 404:
            manager = None
        else:
            raise GraphError(f"manager look-up answered {status}")
        status, body = await self._request("GET", f"/users/{user}?$select=department")
        if status == 200 and isinstance(body, dict):
            department = body.get("department") if isinstance(body.get("department"), str) else None
        elif status == 404:
            department = None
        else:
            raise GraphError(f"user look-up answered {status}")
        return manager, department

    async def install_app_for_user(self, aad_object_id: str) -> bool:
        """Install the bot's Teams app for a user; True when it is (now or already) installed,
        False when the tenant does not allow it or the app is not in the catalogue."""
        if not self.teams_app_catalog_id:
            log.warning("TEAMS_APP_CATALOG_ID is not set: cannot install the app for users")
            return False
        body = {"teamsApp@odata.bind": f"{self.base_url}/appCatalogs/teamsApps/{quote(self.teams_app_catalog_id, safe='')}"}
        status, _ = await self._request("POST", f"/users/{quote(aad_object_id, safe='')}/teamwork/installedApps", body)
        if status in (200, 201, 409):
            return True
        if status in (403, 404):
            log.warning("installing the app for %s was refused (%s)", aad_object_id, status)
            return False
        raise GraphError(f"app installation answered {status}")


class OrgLookup(Protocol):
    """What the directory refresh needs from Graph (GraphClient, or a fake)."""

    async def manager_and_department(self, aad_object_id: str) -> tuple[str | None, str | None]: ...


async def sync_org_from_graph(runner: UseCaseRunner, graph: OrgLookup, *, actor: str, concurrency: int = 8) -> SyncResult:
    """Refresh every current staff member's manager and department from Graph.

    Graph is asked between the two use cases, outside any transaction, a few requests at a time;
    a look-up that fails leaves that person as they were."""
    people = await runner.run(current_org, CurrentOrg())
    gate = asyncio.Semaphore(concurrency)

    async def look_up(aad: str) -> GraphOrg | None:
        async with gate:
            try:
                return GraphOrg(*await graph.manager_and_department(aad))
            except Exception as error:  # one person's failure must not stop the others
                log.warning("Graph look-up for %s failed: %s", aad, error)
                return None

    answers = await asyncio.gather(*(look_up(person.aad_object_id) for person in people))
    return await runner.run(apply_graph_org, ApplyGraphOrg(list(zip(people, answers, strict=True)), actor))
