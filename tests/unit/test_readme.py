"""The README documents every setting and the two set-up commands."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table() -> None:
    missing = [field.alias for field in Settings.model_fields.values() if f"| `{field.alias}` |" not in README]
    assert not missing, f"settings missing from the README's configuration table: {missing}"


def test_the_two_commands_are_shown() -> None:
    assert "make run" in README and "make test" in README
