"""Inbound MediaUrl SSRF: links to other hosts, IP literal spellings of loopback, userinfo
tricks, plain http, other Twilio API paths and redirects to private addresses are refused
before any request reaches them; guessed or tampered /media/ tokens are never served."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from bot.gateways.media_fetch import MediaFetcher, MediaRefused
from tests.fakes import FakeSlack, FakeTwilio
from tests.handlers.test_media import _sent_media_url
from tests.harness import CUSTOMER, SUPPORT_CHANNEL, SUPPORT_NUMBER, AppUnderTest, top_level
from tests.media_samples import sample
from tests.security.props import examples, record


def direct_variants(evil: FakeTwilio, twilio: FakeTwilio) -> list[str]:
    """MediaUrls a forged or confused webhook could carry, all aimed at `evil` (loopback on
    another port) or at parts of the Twilio API that are not this message's media."""
    port, path = evil.port, "/2010-04-01/Accounts/ACx/Messages/MMx/Media/MEx"
    api = urlsplit(twilio.url)
    return [
        f"http://127.0.0.1:{port}{path}",
        f"http://localhost:{port}{path}",
        f"http://2130706433:{port}{path}",  # decimal
        f"http://0177.0.0.1:{port}{path}",  # octal
        f"http://0x7f000001:{port}{path}",  # hex
        f"http://0x7f.0.0.1:{port}{path}",
        f"http://127.1:{port}{path}",
        f"http://[::ffff:127.0.0.1]:{port}{path}",  # IPv6-mapped
        f"http://[::ffff:7f00:1]:{port}{path}",
        f"http://[::1]:{port}{path}",
        f"http://{api.netloc}@127.0.0.1:{port}{path}",  # userinfo: the API host as a user
        f"https://media.twiliocdn.com@127.0.0.1:{port}{path}",
        f"http://media.twiliocdn.com@127.0.0.1:{port}{path}",
        f"http://127.0.0.1:{port}\\@{api.netloc}{path}",
        f"http://127.0.0.1:{port}{path}#@{api.netloc}",
        f"http://{api.hostname}:{port}{path}",  # the API host name, another port
        f"https://{api.netloc}{path}",  # the API origin, but another scheme
        f"ftp://{api.netloc}{path}",
        f"http://evil.twiliocdn.com.{api.hostname}:{port}{path}",
        # the API host, but not a media item of this account (would leak account data)
        f"{twilio.url}/2010-04-01/Accounts/{twilio.account_sid}/Messages.json",
        f"{twilio.url}/2010-04-01/Accounts/{twilio.account_sid}.json",
        f"{twilio.url}/2010-04-01/Accounts/ACother/Messages/MMx/Media/MEx",
        f"{twilio.url}/2010-04-01/Accounts/{twilio.account_sid}/Messages/MMx/Media/../../../"
        "Messages.json",
    ]


def redirect_targets(evil: FakeTwilio) -> list[str]:
    port = evil.port
    return [
        f"http://127.0.0.1:{port}", f"http://2130706433:{port}", f"http://[::1]:{port}",
        f"http://[::ffff:127.0.0.1]:{port}", f"https://media.twiliocdn.com@127.0.0.1:{port}",
        "http://169.254.169.254/latest/meta-data", "http://10.0.0.1", "http://192.168.1.1",
        "file:///etc/passwd", f"http://127.0.0.1:{port}/cdn",
    ]


def _notes(slack: FakeSlack) -> int:
    roots = top_level(slack, SUPPORT_CHANNEL)
    if not roots:
        return 0
    return len([m for m in slack.thread(SUPPORT_CHANNEL, roots[0]["ts"])
                if "could not be copied" in m["text"]])


def test_ssrf_media_urls_are_never_fetched(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    url = f"{app.url}/twilio/messages"
    api_requests_before = len(fake_twilio.requests)
    refused = notes = 0
    with FakeTwilio() as evil:
        for variant in direct_variants(evil, fake_twilio):
            response = fake_twilio.send_inbound(
                url, from_=CUSTOMER, to=SUPPORT_NUMBER, body="", extra={
                    "NumMedia": "1", "MediaUrl0": variant, "MediaContentType0": "image/jpeg"})
            assert response.status_code in (200, 400), (variant, response.status_code)
            if response.status_code == 200:  # stored, and the person told it was refused
                notes += 1
                fake_slack.wait_for(lambda n=notes: _notes(fake_slack) == n, timeout=20,
                                    message=f"a note that {variant} was refused")
            refused += 1
        direct_api_requests = fake_twilio.requests[api_requests_before:]
        for target in redirect_targets(evil):
            fake_twilio.media_redirect_to = target
            fake_twilio.send_inbound(url, from_=CUSTOMER, to=SUPPORT_NUMBER, body="",
                                     media=[("image/jpeg", sample(1))])
            notes += 1
            fake_slack.wait_for(lambda n=notes: _notes(fake_slack) == n, timeout=20,
                                message=f"a note that the redirect to {target} was refused")
            refused += 1
        fetched = len(evil.requests) + len(evil.media_requests)
    record("media", "SSRF MediaUrl variants tried (direct + redirects)", refused)
    record("media", "SSRF requests that reached the target", fetched + len(direct_api_requests),
           target="0")
    assert evil.requests == [] and evil.media_requests == []
    assert [r.path for r in direct_api_requests] == []  # no other API path was read


def test_production_rules_refuse_downgrades_and_look_alike_hosts() -> None:
    """With Twilio's real hosts: https only, the API host exactly, media hosts by name."""
    account = "AC" + "a" * 32
    fetcher = MediaFetcher(
        api_url="https://api.twilio.com", account_sid=account, auth_token="x",
        media_hosts=["media.twiliocdn.com", "*.twiliocdn.com"], max_bytes=10, timeout=1,
    )
    path = f"/2010-04-01/Accounts/{account}/Messages/MM{'b' * 32}/Media/ME{'c' * 32}"
    fetcher.check(f"https://api.twilio.com{path}")
    for refused in (f"http://api.twilio.com{path}", f"https://api.twilio.com.evil.example{path}",
                    f"https://api.twilio.com@evil.example{path}", f"https://evil.example{path}",
                    f"https://api.twilio.com:8443{path}", f"https://api.twilio.com{path}?x=1",
                    f"https://api.twilio.com{path.replace(account, 'AC' + 'd' * 32)}",
                    "https://api.twilio.com/2010-04-01/Accounts.json", "https://[::1"):
        with pytest.raises(MediaRefused):
            fetcher.check(refused)
    assert fetcher._is_media_host("https://s3-external-1.twiliocdn.com/x")
    for host in ("http://media.twiliocdn.com/x", "https://media.twiliocdn.com.evil.example/x",
                 "https://twiliocdn.com.evil.example/x", "https://evil.example/x",
                 "https://media.twiliocdn.com@evil.example/x", "https://[::1"):
        assert not fetcher._is_media_host(host), host


def test_tampered_media_tokens_are_never_served(
    app: AppUnderTest, fake_slack: FakeSlack, fake_twilio: FakeTwilio
) -> None:
    url = _sent_media_url(app, fake_slack, fake_twilio)
    base, token = url.rsplit("/", 1)
    served = 0

    @examples(40, 1000)
    @given(st.data())
    def tampered_token_is_404(data: st.DataObject) -> None:
        nonlocal served
        how = data.draw(st.sampled_from(["replace", "insert", "delete", "case", "swap_part"]))
        at = data.draw(st.integers(0, len(token) - 1))
        char = data.draw(st.sampled_from("0123456789abcdefABCDEF-_="))
        if how == "replace":
            probe = token[:at] + char + token[at + 1:]
        elif how == "insert":
            probe = token[:at] + char + token[at:]
        elif how == "delete":
            probe = token[:at] + token[at + 1:]
        elif how == "case":
            probe = token[:at] + token[at].swapcase() + token[at + 1:]
        else:
            media_id, expiry, signature = token.split("-", 2)
            probe = "-".join([str(int(media_id) + data.draw(st.integers(-3, 3))),
                              str(int(expiry) + data.draw(st.integers(-10**6, 10**6))),
                              signature])
        if probe == token:
            return
        response = requests.get(f"{base}/{probe}", timeout=15)
        served += response.status_code != 404
        assert response.status_code == 404, (probe, response.status_code)

    tampered_token_is_404()
    media_id, expiry, signature = token.split("-", 2)
    for respelled in (f"0{media_id}-{expiry}-{signature}", f"{media_id}-0{expiry}-{signature}",
                      f"+{media_id}-{expiry}-{signature}", f"{media_id}-{expiry}-{signature}="):
        assert requests.get(f"{base}/{respelled}", timeout=15).status_code == 404, respelled
    assert requests.get(url, timeout=15).status_code == 200  # the real link still works
    record("media", "tampered /media/ tokens served", served, target="0")
