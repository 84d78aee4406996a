"""The Teams app package (manifest + localization + icons) as a zip, with the bot id from configuration."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.config import ConfigError, Settings

MANIFEST_FOLDER = Path(__file__).resolve().parent.parent / "manifest"
PACKAGED_FILES = ("color.png", "outline.png")


def render_manifest(settings: Settings, folder: Path = MANIFEST_FOLDER) -> dict[str, Any]:
    """manifest.json with the bot id and the public host filled in."""
    if not settings.microsoft_app_id:
        raise ConfigError("invalid configuration: MICROSOFT_APP_ID: the app package needs the bot's app id")
    host = urlsplit(settings.public_base_url).netloc
    if not host:
        raise ConfigError("invalid configuration: PUBLIC_BASE_URL: needs a host name for validDomains")
    text = (folder / "manifest.json").read_text(encoding="utf-8")
    text = text.replace("{{BOT_ID}}", settings.microsoft_app_id).replace("{{PUBLIC_HOST}}", host)
    return json.loads(text)


def build_app_package(settings: Settings, out: Path, folder: Path = MANIFEST_FOLDER) -> Path:
    manifest = render_manifest(settings, folder)
    languages = [entry["file"] for entry in manifest.get("localizationInfo", {}).get("additionalLanguages", [])]
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name in (*PACKAGED_FILES, *languages):
            package.write(folder / name, arcname=name)
    return out
