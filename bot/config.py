"""Configuration: one frozen, typed object read once from the environment (and an optional .env)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///var/hybridwork.db"


class ConfigError(Exception):
    """Raised when a configuration value is invalid; the message names the variable."""


def default_pool_size() -> int:
    """Two per CPU core plus one (5 on 2 cores); an instance keeps up to twice this open.

    One instance runs its turns on one event loop, so it drives about one core of Python; a turn
    holds a connection only while its unit of work runs, and PostgreSQL serves best with a few
    connections per core. More connections queue the same work inside PostgreSQL instead of in the
    pool, where a turn that waits too long gets the retry message at once.
    """
    return min(2 * (os.cpu_count() or 1) + 1, 200)


class Settings(BaseSettings):
    """Every setting of the service, read from environment variables (see README)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True, populate_by_name=True
    )

    # Bot Framework identity. No app id means local mode: no JWT validation (emulators only).
    microsoft_app_id: str = Field("", alias="MICROSOFT_APP_ID")
    microsoft_app_password: str = Field("", alias="MICROSOFT_APP_PASSWORD", repr=False)
    microsoft_app_tenant_id: str = Field("", alias="MICROSOFT_APP_TENANT_ID")
    microsoft_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = Field(
        "SingleTenant", alias="MICROSOFT_APP_TYPE"
    )
    # Bot Framework OpenID metadata; only overridden by tests that sign their own tokens.
    to_bot_from_channel_openid_metadata_url: str = Field(
        "", alias="TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"
    )
    to_bot_from_channel_token_issuer: str = Field("", alias="TO_BOT_FROM_CHANNEL_TOKEN_ISSUER")

    database_url: str = Field(DEFAULT_SQLITE_URL, alias="DATABASE_URL")
    database_pool_size: int = Field(default_factory=default_pool_size, alias="DATABASE_POOL_SIZE", ge=1, le=200)
    database_echo: bool = Field(False, alias="DATABASE_ECHO")
    # PostgreSQL time limits. A turn never waits on the database longer than TURN_TIMEOUT_SECONDS
    # whatever these say; they bound the wait of each step (and of background work, which has no
    # turn deadline). 0 switches a statement or command limit off.
    database_connect_timeout_seconds: float = Field(3.0, alias="DATABASE_CONNECT_TIMEOUT_SECONDS", gt=0, le=60)
    database_pool_timeout_seconds: float = Field(3.0, alias="DATABASE_POOL_TIMEOUT_SECONDS", gt=0, le=60)
    database_statement_timeout_seconds: float = Field(30.0, alias="DATABASE_STATEMENT_TIMEOUT_SECONDS", ge=0, le=3600)
    database_command_timeout_seconds: float = Field(35.0, alias="DATABASE_COMMAND_TIMEOUT_SECONDS", ge=0, le=3600)
    # How long one turn may take before it is abandoned and the user gets the retry message (Teams
    # waits about 15 seconds for an answer), and how long /readyz waits for the database.
    turn_timeout_seconds: float = Field(8.0, alias="TURN_TIMEOUT_SECONDS", gt=0, le=14)
    readiness_timeout_seconds: float = Field(1.5, alias="READINESS_TIMEOUT_SECONDS", gt=0, le=10)

    allowed_tenant_ids: Annotated[tuple[str, ...], NoDecode] = Field((), alias="ALLOWED_TENANT_IDS")
    default_locale: Literal["nl", "en"] = Field("nl", alias="DEFAULT_LOCALE")
    timezone: str = Field("Europe/Brussels", alias="TIMEZONE")

    host: str = Field("127.0.0.1", alias="HOST")
    port: int = Field(3978, alias="PORT", ge=1, le=65535)
    public_base_url: str = Field("http://127.0.0.1:3978", alias="PUBLIC_BASE_URL")
    max_body_bytes: int = Field(256 * 1024, alias="MAX_BODY_BYTES", ge=1024, le=16 * 1024 * 1024)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", alias="LOG_LEVEL")
    # Secret for signed, short-lived download links (reports, personal data exports).
    link_signing_key: str = Field("", alias="LINK_SIGNING_KEY", repr=False)

    # Microsoft Graph (manager/department look-up, proactive installation).
    graph_base_url: str = Field("https://graph.microsoft.com/v1.0", alias="GRAPH_BASE_URL")
    graph_authority: str = Field("https://login.microsoftonline.com", alias="GRAPH_AUTHORITY")
    teams_app_catalog_id: str = Field("", alias="TEAMS_APP_CATALOG_ID")

    # Proactive messaging limits (Teams documents 7/s per conversation and 50/s per app per tenant).
    proactive_rate_per_second: float = Field(50.0, alias="PROACTIVE_RATE_PER_SECOND", gt=0, le=50)
    proactive_max_retries: int = Field(5, alias="PROACTIVE_MAX_RETRIES", ge=0, le=20)
    # Install the app through Graph for staff who never opened the bot (tenants may forbid it).
    proactive_install: bool = Field(True, alias="PROACTIVE_INSTALL")
    # Broadcast workers: rows claimed per batch, and how long a claim holds before another worker
    # may take it over (a worker that died while sending).
    broadcast_batch_size: int = Field(25, alias="BROADCAST_BATCH_SIZE", ge=1, le=500)
    broadcast_lease_seconds: float = Field(300.0, alias="BROADCAST_LEASE_SECONDS", ge=5)
    broadcast_poll_seconds: float = Field(2.0, alias="BROADCAST_POLL_SECONDS", gt=0)

    # Background work (schedulers, broadcast workers); tests and CLI commands switch it off.
    background_jobs: bool = Field(True, alias="BACKGROUND_JOBS")
    scheduler_interval_seconds: float = Field(60.0, alias="SCHEDULER_INTERVAL_SECONDS", gt=0)
    # How long an instance holds a scheduled job's slot without renewing it (it renews every third
    # of it while the job runs); after a crash another instance takes the job over within this.
    job_lease_seconds: float = Field(120.0, alias="JOB_LEASE_SECONDS", ge=3, le=3600)

    # Notifications (the outbox): how long one instance holds a notification it is sending
    # before another may take it over, how often the dispatcher looks for due ones without being
    # woken, and how long a shutdown waits for deliveries under way.
    notify_lease_seconds: float = Field(60.0, alias="NOTIFY_LEASE_SECONDS", ge=5, le=3600)
    notify_poll_seconds: float = Field(5.0, alias="NOTIFY_POLL_SECONDS", gt=0, le=300)
    shutdown_grace_seconds: float = Field(10.0, alias="SHUTDOWN_GRACE_SECONDS", ge=0, le=120)
    # How often the heap's free pages are given back to the system (bot/memory.py); 0: never.
    heap_trim_seconds: float = Field(10.0, alias="HEAP_TRIM_SECONDS", ge=0, le=3600)

    demo_data: bool = Field(True, alias="DEMO_DATA")

    # Personal data older than this many months is anonymised by `python -m bot retention`.
    retention_months: int = Field(60, alias="RETENTION_MONTHS", ge=1, le=1200)

    # Webinar reminders: hours before a session start, comma-separated (e.g. "24,1").
    webinar_reminder_hours: Annotated[tuple[int, ...], NoDecode] = Field((24, 1), alias="WEBINAR_REMINDER_HOURS")

    @field_validator("webinar_reminder_hours", mode="before")
    @classmethod
    def _split_reminder_hours(cls, value: object) -> object:
        if isinstance(value, str):
            hours = tuple(int(part) for part in value.split(",") if part.strip())
            if any(not 1 <= h <= 24 * 14 for h in hours):
                raise ValueError("hours must be between 1 and 336")
            return hours
        return value

    @field_validator("allowed_tenant_ids", mode="before")
    @classmethod
    def _split_tenants(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as Europe/Brussels)") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The service's time zone: every business date (today, a month) is taken in it."""
        return ZoneInfo(self.timezone)

    @model_validator(mode="after")
    def _identity_that_can_work(self) -> Settings:
        """Combinations the Bot Framework cannot run with stop start-up here, named by variable,
        instead of as an SDK traceback at the first turn (or, worse, as a silent local mode)."""
        problems = []
        app_type = self.microsoft_app_type
        if app_type == "UserAssignedMSI":
            if not self.microsoft_app_id:
                problems.append("MICROSOFT_APP_ID: UserAssignedMSI needs the managed identity's client id")
            if not self.microsoft_app_tenant_id:
                problems.append("MICROSOFT_APP_TENANT_ID: UserAssignedMSI needs the tenant of the managed identity")
        elif self.microsoft_app_id:
            if not self.microsoft_app_password:
                problems.append(f"MICROSOFT_APP_PASSWORD: {app_type} with MICROSOFT_APP_ID set needs the app's client secret")
            if app_type == "SingleTenant" and not self.microsoft_app_tenant_id:
                problems.append("MICROSOFT_APP_TENANT_ID: SingleTenant needs the tenant of the app registration")
        elif self.microsoft_app_password:
            problems.append(
                "MICROSOFT_APP_ID: empty while MICROSOFT_APP_PASSWORD is set (without an app id requests are not authenticated)"
            )
        if bool(self.to_bot_from_channel_openid_metadata_url) != bool(self.to_bot_from_channel_token_issuer):
            problems.append(
                "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL and TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: set both or neither"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @property
    def local_mode(self) -> bool:
        """True when no app id is configured: requests are not authenticated."""
        return not self.microsoft_app_id

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[1]
        return None if path in ("", ":memory:") else Path(path)


class PackagingSettings(Settings):
    """What `package-app` reads: the manifest needs the bot's app id and the public host, not the
    secret or the tenant the service authenticates with, so the identity rule does not apply."""

    @model_validator(mode="after")
    def _identity_that_can_work(self) -> PackagingSettings:
        return self


def load_settings(*, kind: type[Settings] = Settings, **overrides: object) -> Settings:
    """Read the settings once; raise ConfigError naming the offending variable."""
    try:
        return kind(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            if not item["loc"]:  # a rule over several settings: its message names them
                problems.append(item["msg"].removeprefix("Value error, "))
                continue
            field_name = str(item["loc"][0])
            field = Settings.model_fields.get(field_name)
            variable = field.alias if field and field.alias else field_name
            problems.append(f"{variable}: {item['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
