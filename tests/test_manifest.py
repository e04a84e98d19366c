"""manifest.yml against Slack's published JSON schema for app manifests."""

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.specs import spec_path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = spec_path("manifest.schema.1.0.0.json")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA.read_text())


def test_manifest_matches_slack_schema(manifest: dict, schema: dict) -> None:
    jsonschema.validate(manifest, schema)


def test_schema_check_is_strict(manifest: dict, schema: dict) -> None:
    broken = copy.deepcopy(manifest)
    broken["settings"]["interactivity_enabled"] = True  # not a manifest key
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_manifest_has_what_the_bridge_needs(manifest: dict) -> None:
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"message.channels", "message.groups"} <= set(events)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"channels:history", "groups:history", "chat:write", "reactions:write"} <= scopes
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/sms"]
    urls = [
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
        manifest["features"]["slash_commands"][0]["url"],
    ]
    assert all(url.endswith("/slack/events") for url in urls)


def test_manifest_shortcut_ids_are_the_listeners_ids(manifest: dict) -> None:
    from bot.blocks import ids

    shortcuts = {s["callback_id"]: s for s in manifest["features"]["shortcuts"]}
    assert shortcuts[ids.ESCALATE_SHORTCUT]["type"] == "message"
    assert "Escalate" in shortcuts[ids.ESCALATE_SHORTCUT]["name"]
    # escalation DMs: open the DM, and find a post again after a lost answer
    assert {"im:write", "im:history"} <= set(manifest["oauth_config"]["scopes"]["bot"])


def test_manifest_has_what_compose_and_home_need(manifest: dict) -> None:
    from bot.blocks import ids

    shortcuts = {s["callback_id"]: s for s in manifest["features"]["shortcuts"]}
    shortcut = shortcuts[ids.NEW_MESSAGE_SHORTCUT]
    assert shortcut["type"] == "global" and shortcut["name"] == "New message"
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_home_opened", "team_join", "user_change"} <= events
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"users:read", "im:write", "chat:write", "commands", "files:read"} <= scopes
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["message_menu_options_url"].endswith(
        "/slack/events"
    )
