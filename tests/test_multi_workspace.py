"""Multi-workspace OAuth mode: two workspaces installed through the real OAuth flow, and no
read or write crosses from one to the other."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from bot.blocks import ids
from storage.models import MessageMedia, OutboxItem
from storage.repositories import numbers
from tests.fakes import FakeSlack, FakeTwilio
from tests.handlers.test_slack_compose import options_for, state
from tests.handlers.test_slack_file_replies import send_files
from tests.handlers.test_slack_home import open_home, text_of
from tests.harness import (
    AGENT,
    CUSTOMER,
    SUPPORT_CHANNEL,
    SUPPORT_NUMBER,
    AppUnderTest,
    app_env,
    free_port,
    message_event,
    open_conversation,
    send_event,
    slack_ts,
    top_level,
)
from tests.media_samples import sample
from tests.slack_payloads import shortcut, submit, with_state

TEAM_B = "T0002"
B_TOKEN = "xoxb-globex-bot-token"
B_BOT = "UBOTB"
B_AGENT = "U0BAGENT"
B_ADMIN = "U0BADMIN"
B_CHANNEL = "C0BSUPPORT"
B_NUMBER = "+14155550300"
B_CUSTOMER = "+14155552999"
STATE_COOKIE = "slack-app-oauth-state"


@dataclass
class Team:
    """What tests/slack_payloads' helpers need to act as one workspace: url and team_id."""

    url: str
    team_id: str
    core: Any


@pytest.fixture
def token_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def multi_env(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack, fake_twilio: FakeTwilio,
    token_key: str,
) -> dict[str, str]:
    values = app_env(data_dir=tmp_path / "data", database_url=database_url, slack=fake_slack,
                     twilio=fake_twilio, port=free_port())
    del values["SLACK_BOT_TOKEN"]
    values.update({
        "SLACK_CLIENT_ID": fake_slack.client_id, "SLACK_CLIENT_SECRET": fake_slack.client_secret,
        "SMSBRIDGE_TOKEN_KEY": token_key,
    })
    return values


def install(app: AppUnderTest, slack: FakeSlack, team_id: str) -> requests.Response:
    """A person installs the app: /slack/install → Slack's consent page → the redirect."""
    start = requests.get(f"{app.url}/slack/install", params={"team": team_id},
                         allow_redirects=False, timeout=10)
    assert start.status_code == 302, start.text
    consent = start.headers["Location"]
    assert consent.startswith(f"{slack.base_url}/oauth/v2/authorize?")
    query = parse_qs(urlsplit(consent).query)
    assert query["redirect_uri"] == [f"{app.url}/slack/oauth_redirect"]
    assert query["client_id"] == [slack.client_id] and "chat:write" in query["scope"][0]
    oauth_state = query["state"][0]
    assert f"{STATE_COOKIE}={oauth_state}" in start.headers["Set-Cookie"]
    back = requests.get(consent, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    callback = back.headers["Location"]
    assert callback.startswith(f"{app.url}/slack/oauth_redirect?code=")
    return requests.get(callback, headers={"Cookie": f"{STATE_COOKIE}={oauth_state}"},
                        timeout=10)


def _second_workspace(slack: FakeSlack) -> None:
    slack.add_team(TEAM_B, "Globex", bot_token=B_TOKEN, bot_user_id=B_BOT)
    slack.add_user(B_AGENT, "bea", team_id=TEAM_B)
    slack.add_user(B_ADMIN, "bart", team_id=TEAM_B)
    slack.add_channel(B_CHANNEL, "sms-globex", members=[B_BOT, B_AGENT, B_ADMIN],
                      team_id=TEAM_B)


@pytest.fixture
def teams(
    multi_env: dict[str, str], fake_slack: FakeSlack
) -> Iterator[tuple[AppUnderTest, Team, Team]]:
    """The app in multi-workspace mode, installed into Acme (A) and Globex (B), each with a
    number, an agent, and (in B) an admin."""
    _second_workspace(fake_slack)
    port = int(urlsplit(multi_env["PUBLIC_BASE_URL"]).port or 0)
    app = AppUnderTest(multi_env, port).start(with_worker=True)
    try:
        for team_id in (fake_slack.team_id, TEAM_B):
            answer = install(app, fake_slack, team_id)
            assert answer.status_code == 200, answer.text
        a = Team(app.url, fake_slack.team_id, app.core)
        b = Team(app.url, TEAM_B, app.core)
        admin = app.core.services.admin
        for team, number, channel, agent in ((a, SUPPORT_NUMBER, SUPPORT_CHANNEL, AGENT),
                                             (b, B_NUMBER, B_CHANNEL, B_AGENT)):
            admin.add_number(team_id=team.team_id, number=number, channel_id=channel,
                             label=None, messaging_service_sid=None, actor="t")
            admin.assign(team_id=team.team_id, number=number, user_id=agent, default=True,
                         actor="t")
        admin.grant_role(team_id=TEAM_B, user_id=B_ADMIN, role="admin", actor="t")
        yield app, a, b
    finally:
        app.stop()


def _rows(app: AppUnderTest, table: str) -> list[dict[str, Any]]:
    with app.core.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(text(f"SELECT * FROM {table}"))]


def _counts(app: AppUnderTest) -> dict[str, int]:
    """Rows in the tables an event, a reply or a refusal writes to."""
    return {table: len(_rows(app, table)) for table in ("messages", "outbox", "processed_events")}


def test_oauth_install_stores_each_workspace_with_its_token_encrypted(
    teams: tuple[AppUnderTest, Team, Team], fake_slack: FakeSlack, token_key: str
) -> None:
    app, a, _ = teams
    assert [g["team_id"] for g in fake_slack.oauth_grants] == [a.team_id, TEAM_B]
    bots = {row["team_id"]: row for row in _rows(app, "slack_bots")}
    assert set(bots) == {a.team_id, TEAM_B}
    every_value = json.dumps(
        _rows(app, "slack_bots") + _rows(app, "slack_installations"), default=str
    )
    assert fake_slack.bot_token not in every_value and B_TOKEN not in every_value
    assert "xoxb-" not in every_value
    fernet = Fernet(token_key.encode())
    assert fernet.decrypt(bots[TEAM_B]["bot_token"].encode()).decode() == B_TOKEN
    assert fernet.decrypt(bots[a.team_id]["bot_token"].encode()).decode() == fake_slack.bot_token
    workspaces = {row["team_id"]: row["name"] for row in _rows(app, "workspaces")}
    assert workspaces == {a.team_id: fake_slack.team_name, TEAM_B: "Globex"}
    assert _rows(app, "slack_oauth_states") == []  # each state was used once


def test_a_forged_or_replayed_oauth_redirect_installs_nothing(
    teams: tuple[AppUnderTest, Team, Team], fake_slack: FakeSlack
) -> None:
    app, _, _ = teams
    redirect = f"{app.url}/slack/oauth_redirect"
    no_cookie = requests.get(redirect, params={"code": "x", "state": "s"}, timeout=10)
    assert no_cookie.status_code == 400
    unknown = requests.get(redirect, params={"code": "x", "state": "s"},
                           headers={"Cookie": f"{STATE_COOKIE}=s"}, timeout=10)
    assert unknown.status_code == 401
    assert len(fake_slack.oauth_grants) == 2 and len(_rows(app, "slack_bots")) == 2


def test_inbound_texts_land_in_their_own_workspace_with_its_own_token(
    teams: tuple[AppUnderTest, Team, Team], fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    app, _, _ = teams
    open_conversation(app, fake_slack, fake_twilio, body="Hello A")
    open_conversation(app, fake_slack, fake_twilio, customer=B_CUSTOMER, number=B_NUMBER,
                      channel=B_CHANNEL, body="Hello B")
    posts = fake_slack.calls_to("chat.postMessage")
    by_channel = {(c.params["channel"], c.token) for c in posts}
    assert by_channel == {(SUPPORT_CHANNEL, fake_slack.bot_token), (B_CHANNEL, B_TOKEN)}
    assert "Hello B" not in json.dumps(fake_slack.messages_in(SUPPORT_CHANNEL))
    assert "Hello A" not in json.dumps(fake_slack.messages_in(B_CHANNEL))


def test_a_member_of_b_can_neither_reply_nor_send_from_a_number_of_a(
    teams: tuple[AppUnderTest, Team, Team], fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    app, _, b = teams
    a_thread = open_conversation(app, fake_slack, fake_twilio)
    b_thread = open_conversation(app, fake_slack, fake_twilio, customer=B_CUSTOMER,
                                 number=B_NUMBER, channel=B_CHANNEL)
    # B's member, through B's installation, replies in A's thread: not a conversation of B
    crossing = message_event(team_id=TEAM_B, channel=SUPPORT_CHANNEL, user=B_AGENT,
                             text="from B into A", ts=slack_ts(), thread_ts=a_thread)
    written = _counts(app)
    assert send_event(app.url, crossing).status_code == 200  # answered after its commit
    assert _counts(app) == written  # not even a refusal notice: nothing of A was found
    # ... and picks A's number in the compose window of B
    with app.core.session_factory.begin() as session:
        a_number = numbers.by_e164(session, SUPPORT_NUMBER)
        assert a_number is not None
        a_number_id = str(a_number.id)
    before = len(fake_slack.views)
    assert shortcut(b, ids.NEW_MESSAGE_SHORTCUT, user=B_AGENT).status_code == 200
    view = fake_slack.views[before]["view"]
    assert SUPPORT_NUMBER[-4:] not in json.dumps(view)
    recipient = options_for(b, view, CUSTOMER, user=B_AGENT)[0]
    refused = submit(b, user=B_AGENT, view=with_state(
        view, state(recipient, text="from A's number", number=a_number_id)
    ))
    assert refused.status_code == 200 and refused.json()["response_action"] == "errors"
    # B's member replying in B's own thread does go out, from B's number
    own = message_event(team_id=TEAM_B, channel=B_CHANNEL, user=B_AGENT, text="from B",
                        ts=slack_ts(), thread_ts=b_thread)
    assert send_event(app.url, own).status_code == 200
    sent = fake_twilio.wait_for(lambda: fake_twilio.created)
    assert [(m["params"]["From"], m["params"]["Body"]) for m in sent] == [(B_NUMBER, "from B")]


def test_b_sees_only_its_own_contacts_numbers_and_conversations(
    teams: tuple[AppUnderTest, Team, Team], fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    app, a, b = teams
    app.core.services.contacts.save(team_id=a.team_id, actor=AGENT, contact_id=None,
                                    fields={"phone": CUSTOMER, "name": "Alice Anders"})
    open_conversation(app, fake_slack, fake_twilio, body="secret of A")
    open_conversation(app, fake_slack, fake_twilio, customer=B_CUSTOMER, number=B_NUMBER,
                      channel=B_CHANNEL, body="hello from B's customer")
    before = len(fake_slack.views)
    assert shortcut(b, ids.NEW_MESSAGE_SHORTCUT, user=B_AGENT).status_code == 200
    view = fake_slack.views[before]["view"]
    assert "Alice" not in json.dumps(options_for(b, view, "Ali", user=B_AGENT))
    assert "2671" not in json.dumps(options_for(b, view, "+1415555", user=B_AGENT))
    assert "ann" not in json.dumps(options_for(b, view, "an", user=B_AGENT))  # A's member
    before = len(fake_slack.views)
    assert shortcut(a, ids.NEW_MESSAGE_SHORTCUT, user=AGENT).status_code == 200
    a_view = fake_slack.views[before]["view"]
    assert "Alice" in json.dumps(options_for(a, a_view, "Ali"))  # A's own search finds her
    home = text_of(open_home(b, fake_slack, B_ADMIN))  # an admin sees every number of B
    assert "415-555-0300" in home
    for of_a in ("415-555-0100", "415-555-2671", "Alice", AGENT):
        assert of_a not in home
    views = [c for c in fake_slack.calls_to("views.publish") if c.params["user_id"] == B_ADMIN]
    assert {c.token for c in views} == {B_TOKEN}


def test_media_links_of_a_do_not_serve_as_links_of_b(
    teams: tuple[AppUnderTest, Team, Team], fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    app, a, _ = teams
    thread = open_conversation(app, fake_slack, fake_twilio)
    image = sample(5)
    send_files(a, fake_slack, thread,
               [fake_slack.add_file("F0PIC", "pic.jpg", "image/jpeg", image, user=AGENT)])
    url = fake_twilio.wait_for(lambda: fake_twilio.created, timeout=15)[0]["media_urls"][0]
    assert requests.get(url, timeout=5).content == image
    with app.core.session_factory.begin() as session:
        row = session.scalars(select(MessageMedia)).one()
        assert row.expires_at is not None
        as_b = app.core.services.media.urls.url(
            media_id=row.id, message_id=row.message_id, team_id=TEAM_B,
            expires_at=row.expires_at,
        )
    assert as_b != url and requests.get(as_b, timeout=5).status_code == 404


def test_uninstalling_a_removes_its_tokens_and_leaves_b_working(
    teams: tuple[AppUnderTest, Team, Team], fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    app, a, _ = teams
    uninstalled = message_event(team_id=a.team_id, channel="", user=None, text="", ts="1.0")
    uninstalled["event"] = {"type": "app_uninstalled"}
    assert send_event(app.url, uninstalled).status_code == 200
    assert {r["team_id"] for r in _rows(app, "slack_bots")} == {TEAM_B}
    assert {r["team_id"] for r in _rows(app, "slack_installations")} == {TEAM_B}
    # A's number still takes texts (Twilio is answered), but nothing reaches A's Slack
    answer = fake_twilio.send_inbound(f"{app.url}/twilio/messages", from_=CUSTOMER,
                                      to=SUPPORT_NUMBER, body="anyone?")
    assert answer.status_code == 200

    def failed_for_a() -> list[OutboxItem]:
        with app.core.session_factory.begin() as session:
            return [i for i in session.scalars(select(OutboxItem))
                    if i.state == "failed" and "not_installed" in (i.last_error or "")]

    fake_slack.wait_for(failed_for_a, timeout=15)
    assert top_level(fake_slack, SUPPORT_CHANNEL) == []
    open_conversation(app, fake_slack, fake_twilio, customer=B_CUSTOMER, number=B_NUMBER,
                      channel=B_CHANNEL, body="still here")
    tokens = {c.token for c in fake_slack.calls_to("chat.postMessage")}
    assert tokens == {B_TOKEN}


def test_revoked_bot_tokens_of_b_leave_the_store_and_a_working(
    teams: tuple[AppUnderTest, Team, Team], fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    app, a, _ = teams
    revoked = message_event(team_id=TEAM_B, channel="", user=None, text="", ts="1.0")
    revoked["event"] = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [B_BOT]}}
    assert send_event(app.url, revoked).status_code == 200
    assert {r["team_id"] for r in _rows(app, "slack_bots")} == {a.team_id}
    open_conversation(app, fake_slack, fake_twilio, body="A goes on")
    assert {c.token for c in fake_slack.calls_to("chat.postMessage")} == {fake_slack.bot_token}
