"""Self-test of the fake Slack and Twilio servers, driven by the official clients."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from werkzeug.wrappers import Request, Response

from tests.fakes import FakeSlack, FakeTwilio
from tests.fakes.http import FakeServer
from tests.fakes.twilio import load_spec, segments

CUSTOMER = "+15551230001"
OUR_NUMBER = "+15557650000"


class Receiver(FakeServer):
    """A tiny webhook receiver: records every request and answers 200 (empty TwiML)."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[dict[str, Any]] = []

    def dispatch(self, request: Request) -> Response:
        with self._lock:
            self.received.append(
                {
                    "url": request.url,
                    "form": request.form.to_dict(),
                    "headers": dict(request.headers),
                }
            )
        return Response("<Response/>", mimetype="text/xml")


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("U100", "alice", "Alice Agent", email="alice@acme.test")
        fake.add_user("U200", "bob", "Bob Builder")
        fake.add_channel("C100", "sms-main", members=[fake.bot_user_id, "U100", "U200"])
        fake.add_channel("C200", "general", members=["U100"])
        fake.add_channel("G300", "secret", is_private=True, members=["U100"])
        yield fake


@pytest.fixture
def web(slack: FakeSlack) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.api_url, timeout=5)


@pytest.fixture
def tw() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake
        assert fake.spec_violations == []


@pytest.fixture
def client(tw: FakeTwilio) -> Client:
    return tw.client()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as fake:
        yield fake


# -- Slack ---------------------------------------------------------------------------------


def test_auth_test_and_unknown_token(slack: FakeSlack, web: WebClient) -> None:
    info = web.auth_test()
    assert info["team_id"] == "T0001"
    assert info["user_id"] == "UBOT"
    assert info["bot_id"] == "B0001"
    slack.add_user_token("xoxp-alice", "U100")
    assert WebClient(token="xoxp-alice", base_url=slack.api_url).auth_test()["user_id"] == "U100"
    with pytest.raises(SlackApiError) as err:
        WebClient(token="xoxb-wrong", base_url=slack.api_url).auth_test()
    assert err.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as err:
        web.api_call("nope.nothing")
    assert err.value.response["error"] == "unknown_method"


def test_post_thread_history_and_replies_with_metadata(slack: FakeSlack, web: WebClient) -> None:
    meta = {"event_type": "sms_conversation", "event_payload": {"conversation_id": 7}}
    root = web.chat_postMessage(channel="C100", text="root", metadata=meta)
    assert root["channel"] == "C100"
    assert root["message"]["metadata"] == meta
    replies = [
        web.chat_postMessage(
            channel="C100",
            text=f"reply {i}",
            thread_ts=root["ts"],
            metadata={"event_type": "sms_message", "event_payload": {"n": i}},
        )
        for i in range(3)
    ]
    other = web.chat_postMessage(channel="C100", text="plain", unfurl_links=False)
    slack.add_message("C100", user="U100", text="human reply", thread_ts=root["ts"])

    history = web.conversations_history(channel="C100")
    assert [m["text"] for m in history["messages"]] == ["plain", "root"]
    assert all("metadata" not in m for m in history["messages"])
    assert history["messages"][1]["reply_count"] == 4
    with_meta = web.conversations_history(channel="C100", include_all_metadata=True)
    assert with_meta["messages"][1]["metadata"] == meta

    thread = web.conversations_replies(channel="C100", ts=root["ts"], include_all_metadata=True)
    texts = [m["text"] for m in thread["messages"]]
    assert texts == ["root", "reply 0", "reply 1", "reply 2", "human reply"]
    assert thread["messages"][2]["metadata"]["event_payload"] == {"n": 1}
    assert thread["messages"][4]["user"] == "U100"
    assert "bot_id" not in thread["messages"][4]

    page1 = web.conversations_replies(channel="C100", ts=root["ts"], limit=2)
    assert [m["text"] for m in page1["messages"]] == ["root", "reply 0", "reply 1"]
    assert page1["has_more"]
    page2 = web.conversations_replies(
        channel="C100", ts=root["ts"], limit=2, cursor=page1["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in page2["messages"]] == ["root", "reply 2", "human reply"]
    assert not page2["has_more"]

    window = web.conversations_history(
        channel="C100", oldest=root["ts"], latest=other["ts"], inclusive=True
    )
    assert [m["ts"] for m in window["messages"]] == [other["ts"], root["ts"]]

    stored = slack.thread("C100", root["ts"])
    assert [m["text"] for m in stored] == ["reply 0", "reply 1", "reply 2", "human reply"]
    assert stored[0]["bot_id"] == "B0001" and stored[0]["user"] == "UBOT"
    assert len(slack.messages_in("C100")) == 6
    assert [r["ts"] for r in replies] == [m["ts"] for m in stored[:3]]
    assert slack.calls_to("chat.postMessage")[0].params["metadata"] == meta


def test_history_cursor_pagination_and_ts_order(slack: FakeSlack, web: WebClient) -> None:
    posted = [web.chat_postMessage(channel="C100", text=str(i))["ts"] for i in range(25)]
    assert posted == sorted(posted, key=lambda ts: tuple(int(x) for x in ts.split(".")))
    assert len(set(posted)) == 25
    assert all(len(ts.split(".")[1]) == 6 for ts in posted)
    seen: list[str] = []
    for page in web.conversations_history(channel="C100", limit=10):
        seen += [m["text"] for m in page["messages"]]
    assert seen == [str(i) for i in reversed(range(25))]


def test_post_errors_dm_and_join(slack: FakeSlack, web: WebClient) -> None:
    for channel, error in [("C999", "channel_not_found"), ("C200", "not_in_channel")]:
        with pytest.raises(SlackApiError) as err:
            web.chat_postMessage(channel=channel, text="x")
        assert err.value.response["error"] == error
    with pytest.raises(SlackApiError) as err:
        web.chat_postMessage(channel="G300", text="x")
    assert err.value.response["error"] == "not_in_channel"
    with pytest.raises(SlackApiError) as err:
        web.conversations_join(channel="G300")
    assert err.value.response["error"] == "method_not_supported_for_channel_type"
    web.conversations_join(channel="C200")
    assert web.chat_postMessage(channel="C200", text="now a member")["ok"]
    slack.archive_channel("C200")
    with pytest.raises(SlackApiError) as err:
        web.chat_postMessage(channel="C200", text="x")
    assert err.value.response["error"] == "is_archived"

    dm = web.chat_postMessage(channel="U100", text="hello alice")
    assert dm["channel"].startswith("D")
    assert slack.dm_channel("U100") == dm["channel"]
    opened = web.conversations_open(users="U100")
    assert opened["channel"]["id"] == dm["channel"]
    assert [m["text"] for m in slack.messages_in("U100")] == ["hello alice"]
    info = web.conversations_info(channel=dm["channel"])
    assert info["channel"]["is_im"] and info["channel"]["user"] == "U100"
    members = web.conversations_members(channel="C100")["members"]
    assert set(members) == {"UBOT", "U100", "U200"}


def test_update_delete_permalink_reactions_ephemeral(slack: FakeSlack, web: WebClient) -> None:
    root = web.chat_postMessage(channel="C100", text="root")
    reply = web.chat_postMessage(channel="C100", text="reply", thread_ts=root["ts"])
    updated = web.chat_update(
        channel="C100",
        ts=reply["ts"],
        text="edited",
        metadata={"event_type": "sms_message", "event_payload": {"status": "sent"}},
    )
    assert updated["message"]["edited"]["user"] == "UBOT"
    stored = slack.message("C100", reply["ts"])
    assert stored is not None and stored["text"] == "edited"
    assert stored["metadata"]["event_payload"] == {"status": "sent"}
    human = slack.add_message("C100", user="U100", text="mine")
    with pytest.raises(SlackApiError) as err:
        web.chat_update(channel="C100", ts=human["ts"], text="x")
    assert err.value.response["error"] == "cant_update_message"
    with pytest.raises(SlackApiError) as err:
        web.chat_update(channel="C100", ts="1.000001", text="x")
    assert err.value.response["error"] == "message_not_found"

    link = web.chat_getPermalink(channel="C100", message_ts=reply["ts"])["permalink"]
    digits = reply["ts"].replace(".", "")
    assert link == (
        f"https://acme.slack.com/archives/C100/p{digits}?thread_ts={root['ts']}&cid=C100"
    )

    web.reactions_add(channel="C100", timestamp=root["ts"], name="white_check_mark")
    with pytest.raises(SlackApiError) as err:
        web.reactions_add(channel="C100", timestamp=root["ts"], name="white_check_mark")
    assert err.value.response["error"] == "already_reacted"
    stored_root = slack.message("C100", root["ts"])
    assert stored_root is not None and stored_root["reactions"] == {"white_check_mark": ["UBOT"]}
    web.reactions_remove(channel="C100", timestamp=root["ts"], name="white_check_mark")
    with pytest.raises(SlackApiError) as err:
        web.reactions_remove(channel="C100", timestamp=root["ts"], name="white_check_mark")
    assert err.value.response["error"] == "no_reaction"

    eph = web.chat_postEphemeral(channel="C100", user="U100", text="only you", thread_ts=root["ts"])
    assert slack.ephemerals[-1]["text"] == "only you"
    assert slack.ephemerals[-1]["message_ts"] == eph["message_ts"]

    web.chat_delete(channel="C100", ts=reply["ts"])
    assert slack.message("C100", reply["ts"]) is None


def test_users_list_pagination_and_lookup(slack: FakeSlack, web: WebClient) -> None:
    for i in range(23):
        slack.add_user(f"U9{i:03d}", f"user{i}", deleted=i == 5)
    pages: list[list[str]] = []
    for page in web.users_list(limit=10):  # slack_sdk reuses one response object per page
        pages.append([m["id"] for m in page["members"]])
    ids = [user_id for page_ids in pages for user_id in page_ids]
    assert [len(p) for p in pages] == [10, 10, 6]
    assert len(ids) == len(set(ids)) == 26  # bot + alice + bob + 23
    assert web.users_info(user="U9005")["user"]["deleted"] is True
    found = web.users_lookupByEmail(email="alice@acme.test")
    assert found["user"]["id"] == "U100"
    assert web.team_info()["team"]["name"] == "Acme"


def test_views(slack: FakeSlack, web: WebClient) -> None:
    modal = {
        "type": "modal",
        "callback_id": "compose",
        "title": {"type": "plain_text", "text": "New message"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
    }
    opened = web.views_open(trigger_id="123.456", view=modal)
    view_id = opened["view"]["id"]
    assert view_id.startswith("V") and opened["view"]["callback_id"] == "compose"
    updated = web.views_update(view_id=view_id, view=modal, hash=opened["view"]["hash"])
    assert updated["view"]["id"] == view_id
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    web.views_publish(user_id="U100", view=home)
    assert slack.home_views["U100"]["blocks"] == [{"type": "divider"}]
    assert [v["method"] for v in slack.views] == ["views.open", "views.update", "views.publish"]


def test_enforce_channel_rate_gives_429_with_retry_after(slack: FakeSlack, web: WebClient) -> None:
    slack.enforce_channel_rate(1.0)
    web.chat_postMessage(channel="C100", text="first")
    with pytest.raises(SlackApiError) as err:
        web.chat_postMessage(channel="C100", text="too soon")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "1"
    assert err.value.response["error"] == "ratelimited"
    web.conversations_join(channel="C200")
    web.chat_postMessage(channel="C200", text="other channel is independent")
    time.sleep(1.05)
    web.chat_postMessage(channel="C100", text="after waiting")
    assert slack.rate_limited["C100"] == 1
    assert slack.rate_accepted["C100"] == 2
    assert [m["text"] for m in slack.messages_in("C100")] == ["first", "after waiting"]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [200, 429, 200, 200]


def test_fail_next(slack: FakeSlack, web: WebClient) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    slack.fail_next("chat.postMessage", status=503)
    slack.fail_next("chat.postMessage", status=200, error="fatal_error")
    with pytest.raises(SlackApiError) as err:
        web.chat_postMessage(channel="C100", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    with pytest.raises(SlackApiError) as err:
        web.chat_postMessage(channel="C100", text="x")
    assert err.value.response.status_code == 503
    with pytest.raises(SlackApiError) as err:
        web.chat_postMessage(channel="C100", text="x")
    assert err.value.response.status_code == 200
    assert err.value.response["error"] == "fatal_error"
    assert web.chat_postMessage(channel="C100", text="x")["ok"]
    assert len(slack.messages_in("C100")) == 1


def test_fail_ratio_is_seeded(slack: FakeSlack, web: WebClient) -> None:
    slack.fail_ratio("auth.test", 0.5, status=500, seed=3)
    outcomes = []
    for _ in range(20):
        try:
            web.auth_test()
            outcomes.append(True)
        except SlackApiError:
            outcomes.append(False)
    assert 0 < outcomes.count(False) < 20
    slack.clear_failures()
    assert web.auth_test()["ok"]


def test_hang_next_record_true(slack: FakeSlack) -> None:
    release = slack.hang_next("chat.postMessage", record=True)
    impatient = WebClient(
        token=slack.bot_token, base_url=slack.api_url, timeout=1, retry_handlers=[]
    )
    with pytest.raises(TimeoutError):
        impatient.chat_postMessage(
            channel="C100",
            text="did it land?",
            metadata={"event_type": "sms_message", "event_payload": {"outbox_id": 42}},
        )
    assert slack.hung.is_set()
    # Slack did it, the client never heard back: the metadata lets a resend be reconciled.
    [msg] = slack.messages_in("C100")
    assert msg["metadata"]["event_payload"] == {"outbox_id": 42}
    assert slack.calls_to("chat.postMessage")[0].status == 0  # still in flight
    release.set()
    slack.wait_for(lambda: slack.calls_to("chat.postMessage")[0].status == 200, timeout=5)
    assert not slack.hung.is_set()


def test_hang_next_record_false_and_stop_releases(slack: FakeSlack) -> None:
    release = slack.hang_next("chat.postMessage", record=False)
    patient = WebClient(token=slack.bot_token, base_url=slack.api_url, timeout=10)
    errors: list[SlackApiError] = []

    def post() -> None:
        try:
            patient.chat_postMessage(channel="C100", text="never applied")
        except SlackApiError as exc:
            errors.append(exc)

    worker = threading.Thread(target=post)
    worker.start()
    assert slack.hung.wait(5)
    release.set()
    worker.join(5)
    assert errors and errors[0].response.status_code == 500
    assert slack.messages_in("C100") == []

    slack.hang_next("auth.test", record=True)
    statuses: list[int] = []

    def auth_test() -> None:
        try:
            patient.auth_test()
        except SlackApiError as exc:
            statuses.append(exc.response.status_code)

    worker = threading.Thread(target=auth_test)
    worker.start()
    assert slack.hung.wait(5)
    started = time.monotonic()
    slack.stop()  # must not wait for the hung handler's release event
    worker.join(5)
    assert not worker.is_alive()
    assert time.monotonic() - started < 5
    assert statuses == [500]


def test_wait_for_reports_state(slack: FakeSlack) -> None:
    with pytest.raises(AssertionError, match=r"chat\.postMessage never called"):
        slack.wait_for(
            lambda: slack.calls_to("chat.postMessage"),
            timeout=0.1,
            message="chat.postMessage never called",
        )


def test_files_upload_v2_end_to_end(slack: FakeSlack, web: WebClient) -> None:
    root = web.chat_postMessage(channel="C100", text="conversation")
    done = web.files_upload_v2(
        channel="C100",
        thread_ts=root["ts"],
        content=b"\x89PNG fake image bytes",
        filename="photo.png",
        title="Customer photo",
        initial_comment="MMS from +1 555 123 0001",
    )
    file_obj = done["file"]
    assert file_obj["id"].startswith("F")
    assert file_obj["title"] == "Customer photo"
    assert [c.method for c in slack.calls][-2:] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    [msg] = slack.thread("C100", root["ts"])
    assert msg["text"] == "MMS from +1 555 123 0001"
    assert msg["files"][0]["id"] == file_obj["id"]
    assert slack.file_contents[file_obj["id"]] == b"\x89PNG fake image bytes"
    info = web.files_info(file=file_obj["id"])["file"]
    assert info["shares"]["public"]["C100"][0]["thread_ts"] == root["ts"]

    url = info["url_private_download"]
    auth = {"Authorization": f"Bearer {slack.bot_token}"}
    got = requests.get(url, headers=auth, timeout=5)
    assert got.status_code == 200
    assert got.content == b"\x89PNG fake image bytes"
    assert got.headers["Content-Type"] == "image/png"


def test_url_private_download_requires_bot_token(slack: FakeSlack) -> None:
    file_obj = slack.add_file("F123", "scan.pdf", "application/pdf", b"%PDF-1.4 ...")
    url = file_obj["url_private_download"]
    assert url == f"{slack.base_url}/files-pri/T0001-F123/download/scan.pdf"
    anonymous = requests.get(url, allow_redirects=False, timeout=5)
    assert anonymous.status_code == 302
    followed = requests.get(url, timeout=5)  # the classic trap: 200 with an HTML login page
    assert followed.status_code == 200
    assert followed.headers["Content-Type"].startswith("text/html")
    wrong = requests.get(url, headers={"Authorization": "Bearer nope"}, allow_redirects=False)
    assert wrong.status_code == 302
    good = requests.get(url, headers={"Authorization": f"Bearer {slack.bot_token}"}, timeout=5)
    assert good.content == b"%PDF-1.4 ..."
    assert good.headers["Content-Type"] == "application/pdf"
    assert [r["status"] for r in slack.file_requests] == [302, 302, 302, 200]


# -- Twilio --------------------------------------------------------------------------------


def test_create_and_fetch(tw: FakeTwilio, client: Client) -> None:
    msg = client.messages.create(
        to=CUSTOMER,
        from_=OUR_NUMBER,
        body="Hello from Acme",
        status_callback="https://example.test/twilio/status?o=1",
        media_url=["https://example.test/media/a", "https://example.test/media/b"],
    )
    assert msg.sid.startswith("SM") and len(msg.sid) == 34
    assert msg.status == "queued"
    assert msg.direction == "outbound-api"
    assert msg.num_media == "2"
    assert msg.num_segments == "1"
    assert msg.date_sent is None
    assert msg.date_created is not None
    record = tw.created[0]
    assert record["params"]["MediaUrl"] == [
        "https://example.test/media/a",
        "https://example.test/media/b",
    ]
    assert record["status_callback"] == "https://example.test/twilio/status?o=1"
    fetched = client.messages(msg.sid).fetch()
    assert fetched.body == "Hello from Acme"
    raw = requests.get(
        f"{tw.url}/2010-04-01/Accounts/{tw.account_sid}/Messages/{msg.sid}.json",
        auth=(tw.account_sid, tw.auth_token),
        timeout=5,
    ).json()
    schema = load_spec()["components"]["schemas"]["api.v2010.account.message"]
    assert set(raw) == set(schema["properties"])
    service = client.messages.create(
        to=CUSTOMER, messaging_service_sid="MG" + "a" * 32, body="via service"
    )
    assert service.status == "accepted"


def test_fetch_media_like_twilio(tw: FakeTwilio, client: Client, receiver: Receiver) -> None:
    media = f"{receiver.base_url}/media/token123"
    msg = client.messages.create(to=CUSTOMER, from_=OUR_NUMBER, media_url=[media])
    [fetched] = tw.fetch_media(msg.sid)
    assert fetched.status_code == 200
    assert receiver.received[0]["url"] == media
    assert "Authorization" not in receiver.received[0]["headers"]


def test_auth_and_account_checks(tw: FakeTwilio) -> None:
    path = f"{tw.url}/2010-04-01/Accounts/{tw.account_sid}/Messages.json"
    bad = requests.get(path, auth=(tw.account_sid, "wrong"), timeout=5)
    assert bad.status_code == 401
    assert bad.json()["code"] == 20003
    other = f"{tw.url}/2010-04-01/Accounts/AC{'9' * 32}/Messages.json"
    missing = requests.get(other, auth=(tw.account_sid, tw.auth_token), timeout=5)
    assert missing.status_code == 404 and missing.json()["code"] == 20404
    assert [r.auth_ok for r in tw.requests] == [False, True]


def test_list_and_stream_paginate(tw: FakeTwilio, client: Client) -> None:
    for i in range(120):
        client.messages.create(to=CUSTOMER, from_=OUR_NUMBER, body=f"m{i}")
    client.messages.create(to="+15551239999", from_=OUR_NUMBER, body="someone else")
    before = len(tw.requests)
    listed = client.messages.list(to=CUSTOMER, from_=OUR_NUMBER)
    assert [m.body for m in listed] == [f"m{i}" for i in reversed(range(120))]
    gets = [r for r in tw.requests[before:] if r.method == "GET"]
    assert len(gets) == 3  # 50 + 50 + 20
    assert str(gets[1].params["PageToken"]).startswith("PA")
    streamed = [m.sid for m in client.messages.stream(to=CUSTOMER, page_size=40)]
    assert len(streamed) == len(set(streamed)) == 120
    limited = client.messages.list(to=CUSTOMER, limit=7)
    assert len(limited) == 7
    page = client.messages.page(to=CUSTOMER, page_size=100)
    assert len(list(page)) == 100
    next_page = page.next_page()
    assert next_page is not None and len(list(next_page)) == 20
    assert next_page.next_page() is None


def test_date_sent_filters(tw: FakeTwilio, client: Client, receiver: Receiver) -> None:
    callback = f"{receiver.base_url}/twilio/status"
    sent = client.messages.create(
        to=CUSTOMER, from_=OUR_NUMBER, body="sent one", status_callback=callback
    )
    client.messages.create(to=CUSTOMER, from_=OUR_NUMBER, body="still queued")
    tw.send_status(sent.sid, "sent")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    on_day = client.messages.list(to=CUSTOMER, date_sent=today)
    assert [m.sid for m in on_day] == [sent.sid]
    after = client.messages.list(to=CUSTOMER, date_sent_after=today)
    assert [m.sid for m in after] == [sent.sid]
    assert client.messages.list(to=CUSTOMER, date_sent_before="2001-01-01") == []
    assert len(client.messages.list(to=CUSTOMER)) == 2


def test_spec_validation_rejects_unknown_parameter(tw: FakeTwilio) -> None:
    path = f"{tw.url}/2010-04-01/Accounts/{tw.account_sid}/Messages.json"
    form = {"To": CUSTOMER, "From": OUR_NUMBER, "Body": "x", "StatusCallbackUrl": "https://x.test"}
    answer = requests.post(path, data=form, auth=(tw.account_sid, tw.auth_token), timeout=5)
    assert answer.status_code == 400
    assert any("StatusCallbackUrl" in v for v in tw.spec_violations)
    assert tw.created == []
    tw.spec_violations.clear()


def test_spec_validation_missing_sender_and_body(tw: FakeTwilio, client: Client) -> None:
    with pytest.raises(TwilioRestException) as err:
        client.messages.create(to=CUSTOMER, body="no sender")
    assert err.value.code == 21603
    with pytest.raises(TwilioRestException) as err:
        client.messages.create(to=CUSTOMER, from_=OUR_NUMBER)
    assert err.value.code == 21602
    assert len(tw.spec_violations) == 2
    tw.spec_violations.clear()


def test_business_errors(tw: FakeTwilio, client: Client) -> None:
    tw.unsubscribed.add((OUR_NUMBER, CUSTOMER))
    tw.landlines.add("+15551230002")
    cases = [(CUSTOMER, 21610), ("+15551230002", 21614), ("555-1234", 21211)]
    for to, code in cases:
        with pytest.raises(TwilioRestException) as err:
            client.messages.create(to=to, from_=OUR_NUMBER, body="hi")
        assert err.value.code == code
        assert err.value.status == 400
    assert client.messages.create(to=CUSTOMER, from_="+15550000000", body="other sender")
    assert len(tw.created) == 1


def test_fail_next_create(tw: FakeTwilio, client: Client) -> None:
    tw.fail_next_create(status=429, code=20429)
    tw.fail_next_create(status=503)
    with pytest.raises(TwilioRestException) as err:
        client.messages.create(to=CUSTOMER, from_=OUR_NUMBER, body="hi")
    assert (err.value.status, err.value.code) == (429, 20429)
    with pytest.raises(TwilioRestException) as err:
        client.messages.create(to=CUSTOMER, from_=OUR_NUMBER, body="hi")
    assert err.value.status == 503
    assert tw.created == []
    client.messages.create(to=CUSTOMER, from_=OUR_NUMBER, body="hi")
    assert len(tw.created) == 1


def test_hang_next_create_record_true(tw: FakeTwilio) -> None:
    release = tw.hang_next_create(record=True)
    impatient = tw.client(timeout=1)
    with pytest.raises(requests.exceptions.Timeout):
        impatient.messages.create(to=CUSTOMER, from_=OUR_NUMBER, body="did it go?")
    assert tw.hung.is_set()
    assert [r["body"] for r in tw.created] == ["did it go?"]
    # Reconciliation finds it by To/From instead of creating it twice.
    found = tw.client().messages.list(to=CUSTOMER, from_=OUR_NUMBER)
    assert [m.sid for m in found] == [tw.created[0]["sid"]]
    release.set()
    tw.wait_for(lambda: not tw.hung.is_set(), timeout=5)


def test_hang_next_create_record_false(tw: FakeTwilio, client: Client) -> None:
    release = tw.hang_next_create(record=False)
    errors: list[TwilioRestException] = []

    def create() -> None:
        try:
            client.messages.create(to=CUSTOMER, from_=OUR_NUMBER, body="lost")
        except TwilioRestException as exc:
            errors.append(exc)

    worker = threading.Thread(target=create)
    worker.start()
    assert tw.hung.wait(5)
    release.set()
    worker.join(5)
    assert errors and errors[0].status == 500
    assert tw.created == []


def test_send_status_is_signed(tw: FakeTwilio, client: Client, receiver: Receiver) -> None:
    callback = f"{receiver.base_url}/twilio/status?outbox=17"
    msg = client.messages.create(to=CUSTOMER, from_=OUR_NUMBER, body="hi", status_callback=callback)
    answer = tw.send_status(msg.sid, "undelivered", error_code=30003)
    assert answer.status_code == 200
    [hit] = receiver.received
    assert hit["url"] == callback
    form = hit["form"]
    assert form["MessageSid"] == msg.sid and form["MessageStatus"] == "undelivered"
    assert form["ErrorCode"] == "30003" and form["AccountSid"] == tw.account_sid
    validator = RequestValidator(tw.auth_token)
    assert validator.validate(callback, form, hit["headers"]["X-Twilio-Signature"])
    assert not validator.validate(callback.replace("17", "18"), form, tw.sign(callback, form))
    assert client.messages(msg.sid).fetch().status == "undelivered"
    assert tw.message(msg.sid)["error_code"] == 30003


def test_send_inbound_with_media(tw: FakeTwilio, receiver: Receiver) -> None:
    url = f"{receiver.base_url}/twilio/messages"
    answer = tw.send_inbound(
        url,
        from_=CUSTOMER,
        to=OUR_NUMBER,
        body="photo attached",
        media=[("image/jpeg", b"\xff\xd8jpegbytes")],
        messaging_service_sid="MG" + "b" * 32,
    )
    assert answer.status_code == 200
    [hit] = receiver.received
    form = hit["form"]
    assert RequestValidator(tw.auth_token).validate(url, form, hit["headers"]["X-Twilio-Signature"])
    assert form["From"] == CUSTOMER and form["To"] == OUR_NUMBER
    assert form["NumMedia"] == "1" and form["SmsStatus"] == "received"
    assert form["MessageSid"].startswith("SM") and form["MessageSid"] == form["SmsSid"]
    assert form["MessagingServiceSid"] == "MG" + "b" * 32
    media_url = form["MediaUrl0"]
    assert media_url.startswith(f"{tw.url}/2010-04-01/Accounts/{tw.account_sid}/Messages/")

    creds = (tw.account_sid, tw.auth_token)
    assert requests.get(media_url, timeout=5).status_code == 401
    got = requests.get(media_url, auth=creds, timeout=5)
    assert got.content == b"\xff\xd8jpegbytes"
    assert got.headers["Content-Type"] == "image/jpeg"
    head = requests.head(media_url, auth=creds, timeout=5)
    assert head.headers["Content-Length"] == str(len(b"\xff\xd8jpegbytes"))

    tw.media_redirect_to = tw.cdn_url
    redirected = requests.get(media_url, auth=creds, timeout=5)
    assert redirected.status_code == 200 and redirected.content == b"\xff\xd8jpegbytes"
    cdn_hit = tw.media_requests[-1]
    assert cdn_hit["path"].startswith("/cdn/")
    assert cdn_hit["authorization"] is None  # requests drops credentials on a new host
    assert tw.media_requests[-2]["authorization"].startswith("Basic ")

    inbound = tw.message(form["MessageSid"])
    assert inbound["direction"] == "inbound" and inbound["status"] == "received"


def test_post_signed_allows_forgeries(tw: FakeTwilio, receiver: Receiver) -> None:
    url = f"{receiver.base_url}/twilio/messages"
    tw.post_signed(url, {"Body": "forged"}, signature="bm9wZQ==")
    assert receiver.received[0]["headers"]["X-Twilio-Signature"] == "bm9wZQ=="


def test_segments() -> None:
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("é" * 160) == 1  # GSM-7 has é
    assert segments("ł" * 70) == 1
    assert segments("ł" * 71) == 2
    assert segments("{" * 80) == 1
    assert segments("{" * 81) == 2
