"""The Teams app package: the manifest against the official schema, localization, icons."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import jsonschema
import pytest

from bot.app_package import build_app_package
from bot.config import ConfigError, PackagingSettings, load_settings
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "schemas"
BOT_ID = "8a1b2c3d-1111-2222-3333-444455556666"
MAIN_COMMANDS = ["thuis", "menu", "materiaal", "internet", "webinars", "team", "goedkeuringen", "rapport"]


def _schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _validate(instance: dict, schema: dict) -> None:
    # The Teams schemas declare draft-04 but use `const` and if/then: check with a later draft's keywords.
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(instance)


@pytest.fixture
def package(tmp_path: Path) -> zipfile.ZipFile:
    settings = load_settings(
        kind=PackagingSettings, _env_file=None, MICROSOFT_APP_ID=BOT_ID, PUBLIC_BASE_URL="https://hybridwerk.vlaanderen.be"
    )
    path = build_app_package(settings, tmp_path / "appPackage.zip")
    with zipfile.ZipFile(path) as archive:
        yield archive


def png_info(data: bytes) -> tuple[int, int, int, list[tuple[int, int, int, int]]]:
    """Width, height, colour type and the RGBA pixels of an 8-bit RGBA PNG (filter 0 rows)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat, header = 8, b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind, body = data[offset + 4:offset + 8], data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    pixels: list[tuple[int, int, int, int]] = []
    if colour == 6 and depth == 8:
        raw = zlib.decompress(idat)
        stride = 1 + width * 4
        for row in range(height):
            line = raw[row * stride:(row + 1) * stride]
            assert line[0] == 0, "only unfiltered rows are read here"
            pixels += [tuple(line[1 + i:5 + i]) for i in range(0, width * 4, 4)]
    return width, height, colour, pixels


def test_manifest_matches_the_official_schema(package: zipfile.ZipFile) -> None:
    manifest = json.loads(package.read("manifest.json"))
    _validate(manifest, _schema("teams-manifest-v1.22.json"))
    assert manifest["manifestVersion"] == "1.22"
    assert manifest["$schema"].endswith("/v1.22/MicrosoftTeams.schema.json")
    bot = manifest["bots"][0]
    assert bot["botId"] == BOT_ID
    assert bot["scopes"] == ["personal"]
    assert [c["title"] for c in bot["commandLists"][0]["commands"]] == MAIN_COMMANDS
    assert manifest["validDomains"] == ["hybridwerk.vlaanderen.be"]
    assert "{{" not in json.dumps(manifest)


def test_english_localization_covers_the_commands(package: zipfile.ZipFile) -> None:
    manifest = json.loads(package.read("manifest.json"))
    info = manifest["localizationInfo"]
    assert info["defaultLanguageTag"] == "nl-be"
    assert info["additionalLanguages"] == [{"languageTag": "en-us", "file": "en-us.json"}]
    english = json.loads(package.read("en-us.json"))
    _validate(english, _schema("teams-localization-v1.22.json"))
    commands = manifest["bots"][0]["commandLists"][0]["commands"]
    for index in range(len(commands)):
        assert english[f"bots[0].commandLists[0].commands[{index}].title"]
        assert english[f"bots[0].commandLists[0].commands[{index}].description"]
    assert english["bots[0].commandLists[0].commands[0].title"] == "home"
    assert {"name.short", "name.full", "description.short", "description.full"} <= set(english)


def test_icons_have_the_sizes_and_transparency_teams_requires(package: zipfile.ZipFile) -> None:
    assert set(package.namelist()) == {"manifest.json", "color.png", "outline.png", "en-us.json"}
    width, height, _, pixels = png_info(package.read("color.png"))
    assert (width, height) == (192, 192)
    assert all(alpha == 255 for *_, alpha in pixels)
    width, height, colour, pixels = png_info(package.read("outline.png"))
    assert (width, height, colour) == (32, 32, 6)
    visible = [p for p in pixels if p[3] > 0]
    assert visible, "the outline icon shows something"
    assert pixels[0][3] == 0, "the background is transparent"
    assert all(p[:3] == (255, 255, 255) for p in visible), "visible pixels are white"


def test_package_needs_the_bot_id(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MICROSOFT_APP_ID"):
        build_app_package(make_settings("sqlite+aiosqlite:///:memory:"), tmp_path / "app.zip")


def test_cli_writes_the_package(tmp_path: Path) -> None:
    out = tmp_path / "build" / "app.zip"
    env = {"MICROSOFT_APP_ID": BOT_ID, "PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite+aiosqlite:///:memory:"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "package-app", "--out", str(out)], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["bots"][0]["botId"] == BOT_ID
