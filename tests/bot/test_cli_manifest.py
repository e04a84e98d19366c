"""`smsbridge manifest` through the real console script: PUBLIC_BASE_URL in every request URL,
the rest of manifest.yml as it is, and still a manifest Slack's schema accepts."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

from bot.manifest import request_urls
from tests.process import cli
from tests.specs import spec_path

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = "https://smsbridge.example.com"


def shipped() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_fills_the_base_url_with_its_path_prefix() -> None:
    done = cli({"PUBLIC_BASE_URL": "https://sms.example.org/bridge/"}, "manifest")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    printed = yaml.safe_load(done.stdout)
    jsonschema.validate(printed, json.loads(spec_path("manifest.schema.1.0.0.json").read_text()))

    urls = request_urls(printed)
    assert len(urls) == len(request_urls(shipped())) >= 5
    assert printed["settings"]["event_subscriptions"]["request_url"] == (
        "https://sms.example.org/bridge/slack/events"
    )
    assert printed["settings"]["interactivity"]["message_menu_options_url"] == (
        "https://sms.example.org/bridge/slack/events"
    )
    assert printed["features"]["slash_commands"][0]["url"] == (
        "https://sms.example.org/bridge/slack/events"
    )
    assert printed["oauth_config"]["redirect_urls"] == [
        "https://sms.example.org/bridge/slack/oauth_redirect"
    ]
    assert PLACEHOLDER not in done.stdout

    # everything else is untouched: put the placeholder back and it is the shipped manifest
    restored = yaml.safe_load(done.stdout.replace("https://sms.example.org/bridge", PLACEHOLDER))
    assert restored == shipped()
    assert done.stdout.startswith("# Slack app manifest for smsbridge at https://sms.example.org")


def test_manifest_without_a_path_prefix() -> None:
    done = cli({"PUBLIC_BASE_URL": "http://127.0.0.1:3000"}, "manifest")
    assert done.returncode == 0, done.stderr
    printed = yaml.safe_load(done.stdout)
    assert set(request_urls(printed)) == {
        "http://127.0.0.1:3000/slack/events", "http://127.0.0.1:3000/slack/oauth_redirect"
    }


def test_manifest_needs_public_base_url() -> None:
    done = cli({"PUBLIC_BASE_URL": ""}, "manifest")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "error: PUBLIC_BASE_URL is not set\n"


def test_manifest_refuses_a_relative_public_base_url() -> None:
    done = cli({"PUBLIC_BASE_URL": "sms.example.org/bridge"}, "manifest")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "error: PUBLIC_BASE_URL must be an absolute http(s) URL, not 'sms.example.org/bridge'\n"
    )


def test_manifest_ships_inside_the_package() -> None:
    """A wheel install has no checkout root: the manifest travels as `bot` package data."""
    packaged = resources.files("bot").joinpath("manifest.yml")
    assert packaged.is_file()
    assert packaged.read_text(encoding="utf-8") == (ROOT / "manifest.yml").read_text(), (
        "bot/manifest.yml must be a copy of manifest.yml: copy it after editing the manifest")
