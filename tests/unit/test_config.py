"""Settings: defaults, errors that name the variable, tenant lists and the .env file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("PORT", "DATABASE_URL", "ALLOWED_TENANT_IDS", "MICROSOFT_APP_ID", "DEFAULT_LOCALE", "LOG_LEVEL"):
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
    (tmp_path / ".env").write_text("PORT=4000\nMICROSOFT_APP_ID=from-dotenv\n", encoding="utf-8")
    settings = load_settings()
    assert (settings.port, settings.microsoft_app_id, settings.local_mode) == (4000, "from-dotenv", False)
    monkeypatch.setenv("PORT", "5000")
    assert load_settings().port == 5000
