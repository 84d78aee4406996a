"""Settings: defaults, errors that name the variable, tenant lists and the .env file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

IDENTITY = (
    "MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID", "MICROSOFT_APP_TYPE",
    "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL", "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("PORT", "DATABASE_URL", "ALLOWED_TENANT_IDS", "DEFAULT_LOCALE", "LOG_LEVEL", *IDENTITY):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the working copy


def test_defaults() -> None:
    settings = load_settings()
    assert settings.port == 3978
    assert settings.host == "127.0.0.1"
    assert settings.database_url == "sqlite+aiosqlite:///var/hybridwork.db"
    assert settings.default_locale == "nl"
    assert settings.allowed_tenant_ids == ()
    assert settings.local_mode is True


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PORT", "abc"), ("PORT", "70000"), ("DATABASE_URL", "mysql://x"), ("DEFAULT_LOCALE", "fr"), ("LOG_LEVEL", "LOUD")],
)
def test_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        load_settings()


def test_cli_stops_with_the_variable_name(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    monkeypatch.setenv("PORT", "abc")
    assert main(["migrate"]) == 2
    assert "PORT" in capsys.readouterr().err


def test_allowed_tenants_are_split_and_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_TENANT_IDS", " tenant-a, tenant-b ,,")
    assert load_settings().allowed_tenant_ids == ("tenant-a", "tenant-b")


def test_dotenv_is_read_and_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(
        "PORT=4000\nMICROSOFT_APP_ID=from-dotenv\nMICROSOFT_APP_PASSWORD=secret\nMICROSOFT_APP_TENANT_ID=tenant\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert (settings.port, settings.microsoft_app_id, settings.local_mode) == (4000, "from-dotenv", False)
    monkeypatch.setenv("PORT", "5000")
    assert load_settings().port == 5000


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_TYPE": "MultiTenant"}, ["MICROSOFT_APP_PASSWORD"]),
        ({"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_TENANT_ID": "tenant"}, ["MICROSOFT_APP_PASSWORD"]),
        ({"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_PASSWORD": "secret"}, ["MICROSOFT_APP_TENANT_ID"]),
        ({"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_TYPE": "SingleTenant"}, ["MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID"]),
        ({"MICROSOFT_APP_TYPE": "UserAssignedMSI", "MICROSOFT_APP_TENANT_ID": "tenant"}, ["MICROSOFT_APP_ID"]),
        ({"MICROSOFT_APP_TYPE": "UserAssignedMSI", "MICROSOFT_APP_ID": "identity"}, ["MICROSOFT_APP_TENANT_ID"]),
        ({"MICROSOFT_APP_PASSWORD": "secret"}, ["MICROSOFT_APP_ID"]),
        ({"TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": "http://127.0.0.1:1/openid"}, ["TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"]),
        ({"TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": "issuer"}, ["TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"]),
    ],
)
def test_identity_that_cannot_work_stops_with_the_variable_names(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], named: list[str]
) -> None:
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as stopped:
        load_settings()
    message = str(stopped.value)
    assert message.startswith("invalid configuration: ")
    for variable in named:
        assert f"{variable}:" in message or f"{variable} " in message
    assert "?:" not in message


@pytest.mark.parametrize(
    "environment",
    [
        {},  # local mode
        {"MICROSOFT_APP_TYPE": "SingleTenant"},  # the type alone is still local mode
        {"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_PASSWORD": "secret", "MICROSOFT_APP_TYPE": "MultiTenant"},
        {"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_PASSWORD": "secret", "MICROSOFT_APP_TENANT_ID": "tenant"},
        {"MICROSOFT_APP_ID": "identity", "MICROSOFT_APP_TENANT_ID": "tenant", "MICROSOFT_APP_TYPE": "UserAssignedMSI"},
        {"TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": "http://127.0.0.1:1/openid", "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": "issuer"},
    ],
)
def test_identity_that_can_work_starts(monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]) -> None:
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    settings = load_settings()
    assert settings.microsoft_app_id == environment.get("MICROSOFT_APP_ID", "")
    assert settings.local_mode is ("MICROSOFT_APP_ID" not in environment)


def test_a_service_that_cannot_authenticate_stops_before_serving(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m bot run` stops with the variable's name, not the SDK's "Property 'APP_PASSWORD' is
    expected" at the first turn."""
    from bot.__main__ import main

    monkeypatch.setenv("MICROSOFT_APP_ID", "app")
    monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", "tenant")
    assert main(["run", "--no-demo"]) == 2
    error = capsys.readouterr().err
    assert "MICROSOFT_APP_PASSWORD" in error and "is expected" not in error


def test_database_time_limits_have_safe_defaults() -> None:
    settings = load_settings()
    assert settings.database_connect_timeout_seconds == 3
    assert settings.database_pool_timeout_seconds == 3
    assert 0 < settings.database_statement_timeout_seconds < settings.database_command_timeout_seconds
    assert settings.turn_timeout_seconds + settings.readiness_timeout_seconds <= 10
    assert settings.readiness_timeout_seconds < 2


def test_pool_size_default_fits_the_cpu_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert load_settings().database_pool_size == 5
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    assert load_settings().database_pool_size == 33
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert load_settings().database_pool_size == 3
    monkeypatch.setenv("DATABASE_POOL_SIZE", "7")
    assert load_settings().database_pool_size == 7


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DATABASE_CONNECT_TIMEOUT_SECONDS", "0"), ("DATABASE_POOL_TIMEOUT_SECONDS", "-1"),
     ("DATABASE_STATEMENT_TIMEOUT_SECONDS", "x"), ("TURN_TIMEOUT_SECONDS", "20"), ("READINESS_TIMEOUT_SECONDS", "0")],
)
def test_bad_time_limit_names_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        load_settings()
