"""Forged Twilio and Slack requests against every public route: none is accepted (Twilio
403, Slack 401, /media/ 404) and none writes a row in any table or calls Slack/Twilio."""

from __future__ import annotations

import time
from collections import Counter

import requests
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fakes import FakeSlack, FakeTwilio
from tests.harness import SIGNING_SECRET, AppUnderTest
from tests.security.forgery import Forged, forge_slack, forge_twilio, slack_signature
from tests.security.props import examples, record
from tests.security.rows import row_counts, rows_written


def _send(forged: Forged) -> requests.Response:
    return requests.post(forged.url, data=forged.body, headers=forged.headers, timeout=15)


def test_forged_twilio_webhooks_are_refused_and_write_nothing(
    app_no_worker: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    app = app_no_worker
    answers: Counter[int] = Counter()
    before = row_counts(app.core.engine)
    calls = (len(fake_slack.calls), len(fake_twilio.requests))

    @examples(60, 1500)
    @given(st.data())
    def forged_webhook_is_refused(data: st.DataObject) -> None:
        forged = data.draw(st.composite(lambda draw: forge_twilio(
            draw, base_url=app.url, auth_token=fake_twilio.auth_token,
            account_sid=fake_twilio.account_sid))())
        response = _send(forged)
        answers[response.status_code] += 1
        assert response.status_code == 403, (forged, response.text)

    forged_webhook_is_refused()
    written = rows_written(before, row_counts(app.core.engine))
    record("forgery", "Twilio forgeries accepted", sum(answers.values()) - answers[403],
           target="0")
    record("forgery", "Twilio forgeries tried", sum(answers.values()))
    record("forgery", "rows written by Twilio forgeries", written, target="0")
    assert written == 0
    assert (len(fake_slack.calls), len(fake_twilio.requests)) == calls


def test_forged_slack_requests_are_refused_and_write_nothing(
    app_no_worker: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    app = app_no_worker
    answers: Counter[int] = Counter()
    before = row_counts(app.core.engine)
    calls = (len(fake_slack.calls), len(fake_twilio.requests))

    @examples(60, 1500)
    @given(st.data())
    def forged_request_is_refused(data: st.DataObject) -> None:
        forged = data.draw(st.composite(lambda draw: forge_slack(
            draw, url=f"{app.url}/slack/events", team_id=app.team_id))())
        response = _send(forged)
        answers[response.status_code] += 1
        assert response.status_code == 401, (forged, response.status_code, response.text)

    forged_request_is_refused()
    written = rows_written(before, row_counts(app.core.engine))
    record("forgery", "Slack forgeries accepted", sum(answers.values()) - answers[401],
           target="0")
    record("forgery", "Slack forgeries tried", sum(answers.values()))
    record("forgery", "rows written by Slack forgeries", written, target="0")
    assert written == 0
    assert (len(fake_slack.calls), len(fake_twilio.requests)) == calls


TOKEN_PART = st.one_of(
    st.integers(0, 10**30).map(str),
    st.text("0123456789\u00b2\u0661\u0662\uff11", min_size=1, max_size=25),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#%"),
            min_size=1, max_size=30),
)


def test_made_up_media_tokens_get_404(app_no_worker: AppUnderTest) -> None:
    """Guessed tokens of every shape (huge ids, non-ASCII digits, junk) are 404, never 5xx."""
    app = app_no_worker
    answers: Counter[int] = Counter()

    @examples(60, 1500)
    @given(st.lists(TOKEN_PART, min_size=1, max_size=3).map("-".join))
    @example("\u00b2-1-x")  # str.isdigit() says yes, int() says no
    @example("1-\u00b2\u00b3-x")
    @example(f"{10**30}-1-x")  # beyond any database integer
    @example(f"{2**31}-0-0")  # beyond PostgreSQL INTEGER
    @example(f"1-{10**30}-x")
    def guessed_token_is_404(token: str) -> None:
        for method in (requests.get, requests.head):
            response = method(f"{app.url}/media/{token}", timeout=15)
            answers[response.status_code] += 1
            assert response.status_code == 404, (token, response.status_code)

    guessed_token_is_404()
    record("forgery", "made-up /media/ tokens served", sum(answers.values()) - answers[404],
           target="0")


def test_signed_but_unreadable_slack_bodies_get_400_not_500(app_no_worker: AppUnderTest) -> None:
    """A body signed with the real secret that Bolt cannot parse is the sender's error."""
    for content_type, body in (("application/json", b"{not json"),
                               ("application/x-www-form-urlencoded", b"payload=%7Bbroken"),
                               ("application/json", b"\xff\xfe{}")):
        stamp = str(int(time.time()))
        response = requests.post(f"{app_no_worker.url}/slack/events", data=body, timeout=15,
                                 headers={"Content-Type": content_type,
                                          "X-Slack-Request-Timestamp": stamp,
                                          "X-Slack-Signature": slack_signature(
                                              SIGNING_SECRET, stamp, body)})
        assert response.status_code == 400, (body, response.status_code, response.text)
