"""`vmbot slack`: the Bolt app that carries conversations to and from Slack.

Thin by design: events become `Conversation.step` calls, replies become Block Kit
messages. This module wires Bolt: `create_app`, and running it over HTTP or Socket
Mode. The settings live in `slack_settings`, the listeners in `slack_listeners`, the
Block Kit rendering in `slack_blocks`, the HTTP server in `slack_http`.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from starlette.applications import Starlette
from uvicorn.supervisors import Multiprocess

from bot import messages as msg
from bot.adapters.slack_blocks import reply_blocks
from bot.adapters.slack_http import BACKLOG, DRAIN_SECONDS, SlackHttpServer, asgi_app
from bot.adapters.slack_listeners import SlackListeners
from bot.adapters.slack_sessions import EVENT_LEASE
from bot.adapters.slack_settings import SlackConfigError, SlackSettings, settings_from_env
from bot.adapters.slack_webapi import API_TIMEOUT
from bot.dialogue.flow import Conversation
from bot.errors import SlackStartError
from bot.sessions import MemoryStore, SessionStore
from bot.stores import shown_url

# reply_blocks and the settings live elsewhere; callers import them from here.
__all__ = [
    "SlackConfigError",
    "SlackSettings",
    "SlackStartError",
    "Stopped",
    "connect_socket_mode",
    "create_app",
    "make_http_server",
    "reply_blocks",
    "run",
    "settings_from_env",
]

DEFAULT_API_URL = "https://slack.com/api/"

_log = logging.getLogger("vmbot.slack")


class _QuietTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client's token wins: it does."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("As you gave `client` as well")


_log.addFilter(_QuietTokenWarning())


class _QuietConnectionFailure(logging.Filter):
    """The Socket Mode client logs its failure to connect in English before raising it:
    `connect_socket_mode` says it in French instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to retrieve WSS URL")


_socket_log = logging.getLogger("vmbot.slack.socket_mode")
_socket_log.addFilter(_QuietConnectionFailure())
# What Slack answers when it refuses a token, rather than failing to answer.
_REFUSALS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked"})


# --- The Bolt app ------------------------------------------------------------------------


def create_app(
    conversation: Conversation,
    *,
    bot_token: str,
    signing_secret: str | None = None,
    api_url: str | None = None,
    store: SessionStore | None = None,
    lease: float = EVENT_LEASE,
) -> App:
    """The Bolt app answering mentions, direct messages, buttons and `/vmbot`.

    Calls `auth.test` once (Bolt checks the token); SlackStartError if that fails.
    Without a signing secret (Socket Mode), no HTTP request can pass verification.
    Deliveries and conversations are claimed in the store `lease` seconds at a time.
    """
    base_url = api_url or DEFAULT_API_URL
    # No retries inside the client: `WebApi` retries the calls that answer, knowing which
    # ones may have been carried out (a reply is never posted twice).
    client = WebClient(
        token=bot_token, base_url=_with_slash(base_url), timeout=API_TIMEOUT, retry_handlers=[]
    )
    listeners = SlackListeners(
        conversation, store if store is not None else MemoryStore(), lease=lease
    )
    try:
        app = App(
            name="vmbot",
            client=client,
            signing_secret=signing_secret or secrets.token_hex(32),
            request_verification_enabled=True,
            process_before_response=False,  # ack first, then work on Bolt's thread pool
            listener_executor=listeners.pool,
            logger=_log,
        )
    except BoltError as exc:
        raise SlackStartError(msg.SLACK_AUTH_FAILED.format(error=exc)) from exc
    except (SlackClientError, OSError) as exc:
        raise SlackStartError(_unreachable(base_url, exc)) from exc
    listeners.register(app)
    return app


def _unreachable(url: str, exc: Exception) -> str:
    """The French line for an API that does not answer, never showing a password in `url`
    (nor in the library's error, which repeats it)."""
    shown = shown_url(url)
    return msg.SLACK_UNREACHABLE.format(url=shown, error=str(exc).replace(url, shown))


def _with_slash(url: str) -> str:
    # WebClient joins method names to its base URL: without the slash, "api" would be lost.
    return url if url.endswith("/") else url + "/"


# --- Running it --------------------------------------------------------------------------


def make_http_server(
    app: App,
    *,
    host: str,
    port: int,
    signing_secret: str,
    store: SessionStore | None = None,
) -> SlackHttpServer:
    """The HTTP server of `vmbot slack --http`, bound and ready for `serve_forever()`;
    its /healthz also says whether `store` answers."""
    try:
        return SlackHttpServer(app, (host, port), signing_secret=signing_secret, store=store)
    except OSError as exc:
        raise SlackStartError(
            msg.SLACK_PORT_FAILED.format(host=host, port=port, error=exc.strerror or exc)
        ) from exc


class Stopped(Exception):
    """The process was asked to stop (SIGTERM): servers close, the command returns."""


class _StderrHandler(logging.Handler):
    """Writes to the current sys.stderr, whatever replaced it since (tests capture it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


def _favour_acks() -> None:
    # Acks are short runs of Python between two I/O calls, answers long CPU runs: a
    # switch interval of 1 ms (5 ms by default) hands the GIL over to an ack sooner.
    sys.setswitchinterval(0.001)


def _log_to_stderr() -> logging.Handler | None:
    """Log vmbot's lines on stderr; the handler added (None if there was one already)."""
    # A service's journal (systemd, docker logs) reads stderr: one line per handled event.
    root = logging.getLogger("vmbot")
    added = None
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        added = _StderrHandler()
        added.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root.addHandler(added)
    root.setLevel(logging.INFO)
    # Loading the bot's libraries lowers the level of loggers made before: set ours again.
    logging.getLogger("vmbot.slack.events").setLevel(logging.INFO)
    return added


def _stop_on_sigterm() -> None:
    # A service manager, a container runtime or a background job stops with SIGTERM
    # (SIGINT may be ignored there): close the connections as Ctrl-C would.
    def stop(signum: int, frame: object) -> None:
        raise Stopped

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


@contextmanager
def _serving() -> Iterator[None]:
    """The process set up to serve (its lines on stderr, stopped by SIGTERM, acks first),
    then set back as it was: a caller that goes on in the same process (a test) keeps its
    own logging, signal handlers and switch interval."""
    loggers = [logging.getLogger(name) for name in ("vmbot", "vmbot.slack.events")]
    levels = [log.level for log in loggers]
    interval = sys.getswitchinterval()
    main = threading.current_thread() is threading.main_thread()
    sigterm = signal.getsignal(signal.SIGTERM) if main else None
    added = _log_to_stderr()
    _stop_on_sigterm()
    _favour_acks()
    try:
        yield
    finally:
        if added is not None:
            loggers[0].removeHandler(added)
        for log, level in zip(loggers, levels, strict=True):
            log.setLevel(level)
        sys.setswitchinterval(interval)
        if sigterm is not None:
            signal.signal(signal.SIGTERM, sigterm)


def run(
    conversation: Conversation,
    settings: SlackSettings,
    *,
    http: bool,
    host: str,
    port: int,
    store: SessionStore | None = None,
    workers: int = 1,
    store_url: str | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C) or stopped (SIGTERM: raises Stopped once closed):
    Events API over HTTP, or Socket Mode; conversations kept in `store`. With `workers`
    above 1, HTTP mode runs that many processes, each opening `store_url`."""
    with _serving():
        if http and workers > 1:
            assert store_url is not None
            _serve_workers(host=host, port=port, workers=workers, store_url=store_url)
            raise Stopped
        app = create_app(
            conversation,
            bot_token=settings.bot_token,
            signing_secret=settings.signing_secret,
            api_url=settings.api_url,
            store=store,
            lease=settings.lease,
        )
        if http:
            assert settings.signing_secret is not None  # settings_from_env requires it for HTTP
            server = make_http_server(
                app, host=host, port=port, signing_secret=settings.signing_secret, store=store
            )
            try:
                print(msg.SLACK_LISTENING_HTTP.format(host=host, port=port), file=sys.stderr)
                server.serve_forever()
            finally:
                server.server_close()
            return
        assert settings.app_token is not None
        handler = connect_socket_mode(app, app_token=settings.app_token)
        try:
            print(msg.SLACK_LISTENING_SOCKET, file=sys.stderr)
            threading.Event().wait()
        finally:
            handler.client.close()


def _serve_workers(*, host: str, port: int, workers: int, store_url: str) -> None:
    """uvicorn's supervisor running `workers` processes of `worker_app` on one socket,
    until SIGTERM or SIGINT (each worker then finishes its answers in flight)."""
    try:
        sock = socket.create_server((host, port), backlog=BACKLOG)
    except OSError as exc:
        raise SlackStartError(
            msg.SLACK_PORT_FAILED.format(host=host, port=port, error=exc.strerror or exc)
        ) from exc
    os.environ["VMBOT_STORE"] = store_url  # the workers start from the environment
    config = uvicorn.Config(
        "bot.adapters.slack:worker_app",
        factory=True,
        workers=workers,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=int(DRAIN_SECONDS),
    )
    print(msg.SLACK_LISTENING_HTTP.format(host=host, port=port), file=sys.stderr)
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()


def worker_app() -> Starlette:
    """One worker of `vmbot slack --http --workers N`: the app, from the environment."""
    from bot.assembly import load_conversation
    from bot.stores import open_store

    _log_to_stderr()
    _favour_acks()
    settings = settings_from_env(os.environ, http=True)
    assert settings.signing_secret is not None
    store = open_store(os.environ["VMBOT_STORE"])
    app = create_app(
        load_conversation(),
        bot_token=settings.bot_token,
        signing_secret=settings.signing_secret,
        api_url=settings.api_url,
        store=store,
        lease=settings.lease,
    )
    return asgi_app(app, signing_secret=settings.signing_secret, store=store)


def connect_socket_mode(app: App, *, app_token: str) -> SocketModeHandler:
    """A Socket Mode connection to Slack (its URL comes from the app's Web API client).

    Its `client.close()` stops it; SlackStartError if Slack refuses the app token.
    """
    handler = SocketModeHandler(app, app_token=app_token, logger=_socket_log)
    try:
        handler.client.connect()
    except SlackApiError as exc:
        handler.client.close()
        error = exc.response.get("error") if exc.response is not None else None
        if error in _REFUSALS:
            raise SlackStartError(msg.SLACK_APP_TOKEN_REFUSED.format(error=error)) from exc
        raise SlackStartError(_unreachable(app.client.base_url, exc)) from exc
    except (SlackClientError, OSError) as exc:
        handler.client.close()
        raise SlackStartError(_unreachable(app.client.base_url, exc)) from exc
    return handler
