"""Slack Web API calls the services need, with slack_sdk's errors wrapped once."""

from __future__ import annotations

import logging
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import OutcomeUnknown, RateLimited, SlackError, TransientError

log = logging.getLogger(__name__)

POST_EVENT_TYPE = "smsbridge_post"


@contextmanager
def _wrapped(method: str) -> Iterator[None]:
    try:
        yield
    except SlackApiError as exc:
        status = exc.response.status_code
        if status == 429:
            retry_after = float(exc.response.headers.get("Retry-After", "1") or 1)
            raise RateLimited(f"Slack rate-limited {method}", retry_after=retry_after) from exc
        if status >= 500:
            raise OutcomeUnknown(f"Slack answered {status} to {method}") from exc
        code = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        raise SlackError(str(code or f"http_{status}")) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise OutcomeUnknown(f"Slack did not answer {method}: {exc}") from exc


class SlackGateway:
    """One workspace's Slack, through its bot token."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post_message(
        self,
        *,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        post_key: str | None = None,
    ) -> str:
        """Post and return the message ts. `post_key` goes into message metadata so a post
        whose answer was lost can be found again (see `find_post`)."""
        metadata = (
            {"event_type": POST_EVENT_TYPE, "event_payload": {"key": post_key}}
            if post_key
            else None
        )
        with _wrapped("chat.postMessage"):
            response = self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                thread_ts=thread_ts,
                metadata=metadata,
                unfurl_links=False,
                unfurl_media=False,
            )
        return str(response["ts"])

    def find_post(
        self, *, channel: str, thread_ts: str | None, oldest: float, post_key: str
    ) -> str | None:
        """The ts of a message this app posted with `post_key`, if Slack has it."""
        cursor: str | None = None
        while True:
            with _wrapped("conversations.history"):
                if thread_ts:
                    response = self.client.conversations_replies(
                        channel=channel, ts=thread_ts, oldest=f"{oldest:.6f}", limit=200,
                        include_all_metadata=True, cursor=cursor,
                    )
                else:
                    response = self.client.conversations_history(
                        channel=channel, oldest=f"{oldest:.6f}", limit=200,
                        include_all_metadata=True, cursor=cursor,
                    )
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == POST_EVENT_TYPE and payload.get("key") == post_key:
                    return str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None

    def update_message(
        self, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        with _wrapped("chat.update"):
            self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    def post_ephemeral(
        self, *, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> None:
        with _wrapped("chat.postEphemeral"):
            self.client.chat_postEphemeral(
                channel=channel, user=user, text=text, thread_ts=thread_ts
            )

    def add_reaction(self, *, channel: str, ts: str, name: str) -> None:
        try:
            with _wrapped("reactions.add"):
                self.client.reactions_add(channel=channel, timestamp=ts, name=name)
        except SlackError as exc:
            if exc.code != "already_reacted":
                raise

    def remove_reaction(self, *, channel: str, ts: str, name: str) -> None:
        try:
            with _wrapped("reactions.remove"):
                self.client.reactions_remove(channel=channel, timestamp=ts, name=name)
        except SlackError as exc:
            if exc.code != "no_reaction":
                raise

    def permalink(self, *, channel: str, ts: str) -> str:
        with _wrapped("chat.getPermalink"):
            return str(self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])

    def team(self) -> tuple[str, str | None, str]:
        """(team_id, team name, bot user id) of the token."""
        with _wrapped("auth.test"):
            response = self.client.auth_test()
        return str(response["team_id"]), response.get("team"), str(response["user_id"])

    def granted_scopes(self) -> tuple[str, str | None, frozenset[str] | None]:
        """(team_id, team name, scopes) of the token: `auth.test`, whose answer carries the
        token's scopes in the `X-OAuth-Scopes` header (None when Slack sent none)."""
        with _wrapped("auth.test"):
            response = self.client.auth_test()
        header = next(
            (value for key, value in response.headers.items() if key.lower() == "x-oauth-scopes"),
            None,
        )
        scopes = None
        if header is not None:
            value = header[0] if isinstance(header, list) else header
            scopes = frozenset(s.strip() for s in str(value).split(",") if s.strip())
        return str(response["team_id"]), response.get("team"), scopes

    def channel_info(self, channel: str) -> dict[str, Any]:
        with _wrapped("conversations.info"):
            return dict(self.client.conversations_info(channel=channel)["channel"])

    def join_channel(self, channel: str) -> None:
        with _wrapped("conversations.join"):
            self.client.conversations_join(channel=channel)

    def open_dm(self, user: str) -> str:
        """The id of the bot's direct-message conversation with `user` (opened if needed)."""
        with _wrapped("conversations.open"):
            return str(self.client.conversations_open(users=user)["channel"]["id"])

    def user_name(self, user: str) -> str:
        """The name people know a member by: display name, else real name, else handle."""
        with _wrapped("users.info"):
            found = self.client.users_info(user=user)["user"]
        profile = found.get("profile") or {}
        return str(
            profile.get("display_name") or found.get("real_name") or found.get("name") or user
        )

    # -- files (issue 3: MMS media) -----------------------------------------------------
    # files_upload_v2's three steps, taken one by one so the file id is known (and
    # recorded) before the file is shared: a crash between the steps can then be
    # reconciled with files.info instead of uploading a second copy.

    def start_upload(self, *, filename: str, data: bytes) -> str:
        """Reserve a file id and send the bytes; nothing is shared yet. Returns the file id."""
        with _wrapped("files.getUploadURLExternal"):
            response = self.client.files_getUploadURLExternal(filename=filename, length=len(data))
        try:
            sent = requests.post(
                str(response["upload_url"]), data=data, timeout=self.client.timeout,
                headers={"Content-Type": "application/octet-stream"},
            )
        except requests.RequestException as exc:
            raise TransientError(
                f"Slack file upload did not answer: {type(exc).__name__}"
            ) from exc
        if sent.status_code != 200:
            raise TransientError(f"Slack file upload answered {sent.status_code}")
        return str(response["file_id"])

    def complete_upload(
        self, *, files: list[dict[str, str]], channel: str, thread_ts: str,
        initial_comment: str | None,
    ) -> list[dict[str, Any]]:
        """Share uploaded files (`[{"id", "title"}]`) in one message of the thread."""
        with _wrapped("files.completeUploadExternal"):
            response = self.client.files_completeUploadExternal(
                files=files,  # type: ignore[arg-type]
                channel_id=channel, thread_ts=thread_ts, initial_comment=initial_comment,
            )
        return list(response.get("files") or [])

    def file_info(self, file_id: str) -> dict[str, Any] | None:
        """The file object, or None when Slack has no completed file with this id."""
        try:
            with _wrapped("files.info"):
                return dict(self.client.files_info(file=file_id)["file"])
        except SlackError as exc:
            if exc.code == "file_not_found":
                return None
            raise

    def download(self, url: str, *, max_bytes: int) -> bytes:
        """A file's bytes from `url_private_download`, with the bot token, capped in size."""
        if not url.startswith(("https://", "http://")):
            raise SlackError("invalid_file_url")
        try:
            response = requests.get(
                url, headers={"Authorization": f"Bearer {self.client.token}"}, stream=True,
                allow_redirects=False, timeout=self.client.timeout,
            )
        except requests.RequestException as exc:
            raise TransientError(
                f"Slack file download did not answer: {type(exc).__name__}"
            ) from exc
        with response:
            if response.status_code >= 500:
                raise TransientError(f"Slack file download answered {response.status_code}")
            if response.status_code != 200:
                raise SlackError(f"file_download_http_{response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise SlackError("file_too_large")
                chunks.append(chunk)
        return b"".join(chunks)

    # --- issue 4: the member directory ---

    def list_users(self) -> Iterator[dict[str, Any]]:
        """Every member of the workspace, page by page (users.list is paginated)."""
        cursor: str | None = None
        while True:
            with _wrapped("users.list"):
                response = self.client.users_list(limit=200, cursor=cursor)
            yield from response.get("members") or []
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return
