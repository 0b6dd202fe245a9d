"""The HTTP server of `vmbot slack --http`: Slack's Events API on /slack/events, and /healthz.

Standard library only: each request is read, checked for size, signature (on the raw
body, before anything parses it) and shape, and handed to the Bolt app's `dispatch`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

__all__ = ["EVENTS_PATH", "HEALTH_PATH", "MAX_BODY_BYTES", "SlackHttpServer"]

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1 << 20  # Slack's payloads are a few kilobytes

_log = logging.getLogger("vmbot.slack")  # one logger for the whole adapter


class SlackHttpServer(ThreadingHTTPServer):
    """Serves the Events API on /slack/events (and /healthz), one thread per request."""

    daemon_threads = True
    # The standard library's backlog of 5 reset connections under a burst of deliveries.
    request_queue_size = 128

    def __init__(self, app: App, address: tuple[str, int], *, signing_secret: str) -> None:
        self.app = app
        self.verifier = SignatureVerifier(signing_secret)
        super().__init__(address, _RequestHandler)


class _RequestHandler(BaseHTTPRequestHandler):
    server: SlackHttpServer
    timeout = 10  # a client that stops sending must not hold a thread for ever

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == HEALTH_PATH:
            self._send(200, {"content-type": ["text/plain; charset=utf-8"]}, "ok")
        else:
            self._send(404, {}, "")

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        if path != EVENTS_PATH:
            self._send(404, {}, "")
            return
        try:
            length = int(self.headers.get("content-length", ""))
        except ValueError:
            self._send(411, {}, "")
            return
        if not 0 <= length <= MAX_BODY_BYTES:
            self._send(413, {}, "")
            return
        raw = self.rfile.read(length)
        timestamp = self.headers.get("x-slack-request-timestamp", "")
        signature = self.headers.get("x-slack-signature", "")
        # "²".isdigit() is true, and int("²") fails: ASCII digits only.
        signed = timestamp.isascii() and timestamp.isdigit()
        if not (signed and self.server.verifier.is_valid(raw, timestamp, signature)):
            self._send(401, {}, "")
            return
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._send(400, {}, "")
            return
        if not _well_formed(body, self.headers.get("content-type", "")):
            self._send(400, {}, "")
            return
        headers: dict[str, str | Sequence[str]] = {
            name.lower(): self.headers.get_all(name) or [] for name in self.headers
        }
        response = self.server.app.dispatch(BoltRequest(body=body, query=query, headers=headers))
        self._send(response.status, response.headers, response.body)

    def _send(self, status: int, headers: Mapping[str, Any], body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        for name, values in headers.items():
            if name.lower() != "content-length":
                for value in values:
                    self.send_header(name, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s " + format, self.address_string(), *args)


def _well_formed(body: str, content_type: str) -> bool:
    """Whether Bolt can read the body without raising: a JSON object, or a form whose
    `payload` (button clicks) is one. Deep nesting is as malformed as bad syntax."""
    try:
        if content_type.startswith("application/json"):
            return isinstance(json.loads(body), dict)
        payload = parse_qs(body).get("payload")
        return payload is None or isinstance(json.loads(payload[0]), dict)
    except (ValueError, RecursionError):
        return False
