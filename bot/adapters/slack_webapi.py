"""The Web API calls vmbot makes to answer, retried without ever posting a reply twice.

A 429 is retried after the `Retry-After` Slack asks for; a 5xx, a timeout or a lost
connection after a backoff; all within a bounded time, after which the failure is the
caller's to log. A 5xx or a timeout leaves unknown whether Slack posted the reply: each
reply carries its delivery's id in its message metadata, and before posting again the
thread is read back for it (idempotence on the reply side).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.error import HTTPError, URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

__all__ = ["REPLY_EVENT_TYPE", "HookFailed", "WebApi"]

T = TypeVar("T")

REPLY_EVENT_TYPE = "vmbot_reply"  # the metadata's event type on every reply vmbot posts
API_TIMEOUT = 10  # seconds, one call; Slack answers in well under a second
RETRY_BUDGET = 60.0  # all the attempts of one call
MAX_WAIT = 20.0  # the longest wait between two attempts, whatever Retry-After says
FIRST_BACKOFF = 0.5

_log = logging.getLogger("vmbot.slack")


class WebApi:
    """Posts and updates through `client`, retried within `budget` seconds."""

    def __init__(
        self,
        client: WebClient,
        *,
        budget: float = RETRY_BUDGET,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.budget = budget
        self._sleep = sleep

    def post(
        self,
        *,
        channel: str,
        thread_ts: str | None,
        text: str,
        blocks: list[dict[str, Any]],
        delivery: str | None = None,
        maybe_posted: bool = False,
    ) -> str:
        """Post a message (in the thread `thread_ts`, or in the channel); its ts.

        `delivery` names the Slack delivery the reply answers: it is posted once, even when
        an attempt fails after Slack took it, or `maybe_posted` (a process that died may
        have posted it already).
        """
        metadata = None
        if delivery is not None:
            metadata = {"event_type": REPLY_EVENT_TYPE, "event_payload": {"delivery": delivery}}

        def attempt(ambiguous: bool) -> str:
            if delivery is not None and ambiguous:
                found = self.find_reply(channel=channel, thread_ts=thread_ts, delivery=delivery)
                if found is not None:
                    return found
            posted = self.client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=text, blocks=blocks, metadata=metadata
            )
            return str(posted["ts"])

        return self._retried(attempt, ambiguous=maybe_posted)

    def update(self, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        """Replace a message's text and blocks (doing it twice does no harm)."""
        self._retried(
            lambda _: self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        )

    def respond(self, response_url: str, *, text: str, blocks: list[dict[str, Any]]) -> None:
        """Answer on a slash command's response URL, visible to its author alone.

        An attempt after one that may have been carried out (a 5xx, a timeout) replaces
        the answer it may have posted: its author never reads it twice.
        """
        hook = WebhookClient(response_url, timeout=API_TIMEOUT, retry_handlers=[])

        def attempt(ambiguous: bool) -> None:
            sent = hook.send(
                response_type="ephemeral",
                text=text,
                blocks=blocks,
                replace_original=True if ambiguous else None,
            )
            if sent.status_code != 200:
                raise HookFailed(sent.status_code, dict(sent.headers or {}))

        self._retried(attempt)

    def post_ephemeral(
        self, *, channel: str, user: str, text: str, blocks: list[dict[str, Any]]
    ) -> None:
        """Post a message in `channel` that only `user` sees."""
        self._retried(
            lambda _: self.client.chat_postEphemeral(
                channel=channel, user=user, text=text, blocks=blocks
            )
        )

    def find_reply(self, *, channel: str, thread_ts: str | None, delivery: str) -> str | None:
        """The ts of the reply to `delivery` already in the thread (or channel), if any."""
        if thread_ts is not None:
            found = self.client.conversations_replies(
                channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
            )
        else:
            found = self.client.conversations_history(
                channel=channel, include_all_metadata=True, limit=100
            )
        for message in found.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == REPLY_EVENT_TYPE and (
                payload.get("delivery") == delivery
            ):
                return str(message["ts"])
        return None

    def _retried(self, call: Callable[[bool], T], *, ambiguous: bool = False) -> T:
        """`call(ambiguous)` until it succeeds, a failure is final, or the budget is spent;
        `ambiguous`: an earlier attempt may have been carried out."""
        deadline = time.monotonic() + self.budget
        backoff = FIRST_BACKOFF
        while True:
            try:
                return call(ambiguous)
            except (SlackApiError, HookFailed, OSError) as exc:
                wait, maybe_done = _retry_wait(exc, backoff)
                if wait is None or time.monotonic() + wait > deadline:
                    raise
                _log.warning("Slack Web API failed (%s): trying again in %.1f s", _what(exc), wait)
                ambiguous = ambiguous or maybe_done
                backoff = min(backoff * 2, MAX_WAIT)
                self._sleep(wait)


class HookFailed(Exception):
    """A response URL answered something else than 200."""

    def __init__(self, status: int, headers: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.headers = headers


def _retry_wait(exc: Exception, backoff: float) -> tuple[float | None, bool]:
    """How long to wait before trying again (None: do not), and whether the failed call
    may have been carried out."""
    jittered = backoff * (0.5 + random.random() / 2)
    status, headers = 0, {}
    if isinstance(exc, SlackApiError) and exc.response is not None:
        status, headers = exc.response.status_code, dict(exc.response.headers or {})
    elif isinstance(exc, HookFailed):
        status, headers = exc.status, exc.headers
    if status:
        if status == 429:
            lowered = {k.lower(): v for k, v in headers.items()}
            return _retry_after(lowered.get("retry-after"), jittered), False
        if status >= 500:
            return jittered, True
        return None, False  # Slack refused the call itself (channel_not_found...)
    if isinstance(exc, HTTPError):
        return (jittered, True) if exc.code >= 500 else (None, False)
    if isinstance(exc, URLError) and isinstance(exc.reason, ConnectionRefusedError):
        return jittered, False
    if isinstance(exc, ConnectionRefusedError):
        return jittered, False
    return jittered, True  # a timeout, a reset connection: Slack may have got it


def _retry_after(value: object, fallback: float) -> float:
    """Slack's Retry-After in seconds; a missing or malformed one waits `fallback`."""
    if isinstance(value, list):
        value = value[0] if value else None
    text = str(value).strip() if value is not None else ""
    if text.isascii() and text.isdigit():
        return min(float(int(text)), MAX_WAIT)
    return fallback


def _what(exc: Exception) -> str:
    if isinstance(exc, SlackApiError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    return type(exc).__name__
