"""manifest.yml, the Slack app manifest: its bot scopes (for `doctor`) and a copy with
PUBLIC_BASE_URL filled into every request URL (for `smsbridge manifest`)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.errors import ConfigError

MANIFEST_NAME = "manifest.yml"
PLACEHOLDER_HEADER = "# Slack app manifest for smsbridge."


def manifest_text() -> str:
    """manifest.yml as shipped: package data inside `bot/` (a wheel install), else the
    checkout's root beside the packages (an editable install or a source tree)."""
    shipped = resources.files("bot").joinpath(MANIFEST_NAME)
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    beside = Path(__file__).resolve().parent.parent / MANIFEST_NAME
    if beside.is_file():
        return beside.read_text(encoding="utf-8")
    raise ConfigError(f"{MANIFEST_NAME} is missing from this installation of smsbridge")


def load_manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(manifest_text())
    if not isinstance(loaded, dict):
        raise ConfigError(f"{MANIFEST_NAME} is not a mapping")
    return loaded


def bot_scopes() -> list[str]:
    """The bot token scopes the app asks for (oauth_config.scopes.bot)."""
    scopes = ((load_manifest().get("oauth_config") or {}).get("scopes") or {}).get("bot") or []
    return [str(scope) for scope in scopes]


def request_urls(manifest: dict[str, Any]) -> list[str]:
    """Every URL Slack calls the app at: events, interactivity, options, commands, OAuth."""
    settings = manifest.get("settings") or {}
    features = manifest.get("features") or {}
    urls = [
        (settings.get("event_subscriptions") or {}).get("request_url"),
        (settings.get("interactivity") or {}).get("request_url"),
        (settings.get("interactivity") or {}).get("message_menu_options_url"),
        *[command.get("url") for command in features.get("slash_commands") or []],
        *((manifest.get("oauth_config") or {}).get("redirect_urls") or []),
    ]
    return [str(url) for url in urls if url]


def checked_base_url(public_base_url: str | None) -> str:
    """PUBLIC_BASE_URL without its trailing slash; ConfigError when unset or not http(s)."""
    if not public_base_url:
        raise ConfigError("PUBLIC_BASE_URL is not set", variable="PUBLIC_BASE_URL")
    parts = urlsplit(public_base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"PUBLIC_BASE_URL must be an absolute http(s) URL, not {public_base_url!r}",
            variable="PUBLIC_BASE_URL",
        )
    return public_base_url.rstrip("/")


def _rebased(url: str, base: str) -> str:
    parts = urlsplit(url)
    rebased = base + parts.path
    return rebased + (f"?{parts.query}" if parts.query else "")


def render_manifest(public_base_url: str | None) -> str:
    """manifest.yml with every request URL moved under PUBLIC_BASE_URL (its path prefix
    kept), comments and layout otherwise untouched; the result is checked by parsing it."""
    base = checked_base_url(public_base_url)
    text = manifest_text()
    original = yaml.safe_load(text)
    replacements = {url: _rebased(url, base) for url in request_urls(original)}
    lines = []
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith("#"):
            if line.startswith(PLACEHOLDER_HEADER) or line.startswith("# PUBLIC_BASE_URL"):
                continue
            lines.append(line)
            continue
        key, sep, value = line.partition(": ")
        if not sep and line.lstrip().startswith("- "):
            key, sep, value = line.partition("- ")
        bare = value.strip().strip("\"'")
        if sep and bare in replacements:
            line = f"{key}{sep}{replacements[bare]}\n"
        lines.append(line)
    rendered = f"# Slack app manifest for smsbridge at {base}\n" + "".join(lines)
    expected = [replacements[url] for url in request_urls(original)]
    if request_urls(yaml.safe_load(rendered)) != expected:
        raise ConfigError(f"{MANIFEST_NAME} has a request URL this command could not rewrite")
    return rendered
