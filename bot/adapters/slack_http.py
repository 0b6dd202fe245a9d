"""`vmbot slack --http`: Slack's Events API on /slack/events, and /healthz, served by uvicorn.

Bolt's own Starlette adapter turns requests into `BoltRequest`s and back; before it, each
request is checked for size, signature (on the raw body, before anything parses it) and
shape. A delivery (an event, a click, a command) is then taken and acked on the event loop
itself (`SlackListeners.ack_on_loop`), and Bolt's dispatch of it runs after the ack on the
listener pool, with the answers, which a shutdown lets finish (bounded) before the process
exits. Anything else (url_verification) goes through Bolt's dispatch on a thread pool.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot import messages as msg
from bot.adapters.slack_listeners import RECEIVED, listeners_of
from bot.errors import StoreUnavailable
from bot.sessions import AsyncClaims, SessionStore

__all__ = [
    "DRAIN_SECONDS",
    "EVENTS_PATH",
    "HEALTH_PATH",
    "MAX_BODY_BYTES",
    "SlackHttpServer",
    "asgi_app",
    "drain",
]

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1 << 20  # Slack's payloads are a few kilobytes
DRAIN_SECONDS = 25.0  # answers in flight at shutdown; a service manager waits 30 s or more
BACKLOG = 1024  # the standard library's 5 reset connections under a burst of deliveries

_log = logging.getLogger("vmbot.slack")  # one logger for the whole adapter


def asgi_app(app: App, *, signing_secret: str, store: SessionStore | None = None) -> Starlette:
    """The ASGI application serving `app`: /slack/events and /healthz."""
    verifier = SignatureVerifier(signing_secret)
    listeners = listeners_of(app)

    async def events(request: Request) -> Response:
        if listeners is None:
            return await _events(request, time.monotonic())
        # Answers do not think while an ack is on its way, from the moment it arrives.
        with listeners.ack_in_flight():
            return await _events(request, time.monotonic())

    async def _events(request: Request, received: float) -> Response:
        length = request.headers.get("content-length", "")
        if not (length.isascii() and length.isdecimal()):
            return Response(status_code=411)
        if int(length) > MAX_BODY_BYTES:
            return Response(status_code=413)
        raw = await request.body()
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature", "")
        # "²".isdigit() is true, and int("²") fails: ASCII digits only.
        signed = timestamp.isascii() and timestamp.isdigit()
        if not (signed and verifier.is_valid(raw, timestamp, signature)):
            return Response(status_code=401)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return Response(status_code=400)
        if not _well_formed(body, request.headers.get("content-type", "")):
            return Response(status_code=400)
        bolt_request = to_bolt_request(request, raw, {RECEIVED: received})
        if listeners is not None:
            acked = await listeners.ack_on_loop(bolt_request)
            if acked is not None:
                return to_starlette_response(acked)
        response = await run_in_threadpool(app.dispatch, bolt_request)
        return to_starlette_response(response)

    async def health(request: Request) -> Response:
        if store is not None:
            try:
                await run_in_threadpool(store.ping)
            except StoreUnavailable:
                return PlainTextResponse(msg.SLACK_HEALTH_STORE_DOWN, status_code=503)
        return PlainTextResponse("ok")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(drain, app)
        shared = listeners.store if listeners is not None else store
        if isinstance(shared, AsyncClaims):
            await shared.close_async()

    return Starlette(
        routes=[
            Route(EVENTS_PATH, events, methods=["POST"]),
            Route(HEALTH_PATH, health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def drain(app: App, *, timeout: float = DRAIN_SECONDS) -> bool:
    """Let the answers in flight finish, for at most `timeout` seconds; True if they did."""
    executor = app.listener_runner.listener_executor
    waiter = threading.Thread(target=executor.shutdown, kwargs={"wait": True}, daemon=True)
    waiter.start()
    waiter.join(timeout)
    if waiter.is_alive():
        _log.error("answers still in flight after %.0f s: stopping without them", timeout)
        return False
    return True


class SlackHttpServer:
    """uvicorn serving `asgi_app` on an address bound at once (a busy port fails here)."""

    def __init__(
        self,
        app: App,
        address: tuple[str, int],
        *,
        signing_secret: str,
        store: SessionStore | None = None,
    ) -> None:
        self.socket = socket.create_server(address, backlog=BACKLOG)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        config = uvicorn.Config(
            asgi_app(app, signing_secret=signing_secret, store=store),
            log_config=None,
            access_log=False,
            lifespan="on",
            backlog=BACKLOG,
            timeout_graceful_shutdown=int(DRAIN_SECONDS),
        )
        self._server = uvicorn.Server(config)
        self._stopped = threading.Event()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until `shutdown()`, or SIGINT/SIGTERM in the main thread (uvicorn stops
        gracefully, then raises the signal again for the caller's handler)."""
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop serving, and wait until `serve_forever` has returned."""
        self._server.should_exit = True
        self._stopped.wait()

    def server_close(self) -> None:
        self.socket.close()


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
