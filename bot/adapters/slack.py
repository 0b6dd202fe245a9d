"""`vmbot slack`: the Bolt app that carries conversations to and from Slack.

Thin by design: events become `Conversation.step` calls, replies become Block Kit
messages. One conversation per thread (per channel in direct messages), kept in a
`SessionStore`. Every listener acknowledges Slack before doing any work, and a
delivery Slack repeats (same event id, or a retry) is answered once only.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import messages as msg
from bot.dialogue.flow import Conversation
from bot.dialogue.state import Reply
from bot.domain import Source
from bot.sessions import KeyedLocks, MemoryStore, RecentKeys, SessionStore

__all__ = [
    "SlackConfigError",
    "SlackSettings",
    "SlackStartError",
    "connect_socket_mode",
    "create_app",
    "make_http_server",
    "reply_blocks",
    "run",
    "settings_from_env",
]

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
DEFAULT_API_URL = "https://slack.com/api/"
MAX_BODY_BYTES = 1 << 20  # Slack's payloads are a few kilobytes
RATE_LIMIT_RETRIES = 3
BUTTON_PREFIX = "vmbot_answer_"
_BUTTON_IDS = ("oui", "non", "nsp")
_SECTION_LIMIT = 3000  # Block Kit's limit on a section's text
_EXCERPT_LIMIT = 140
_CONTEXT_ELEMENTS = 10  # Block Kit's limit on a context block

_log = logging.getLogger("vmbot.slack")


class _QuietTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client's token wins: it does."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("As you gave `client` as well")


_log.addFilter(_QuietTokenWarning())


class SlackConfigError(ValueError):
    """A missing or malformed SLACK_* variable; the message is one French line."""


class SlackStartError(RuntimeError):
    """Slack (or the port) cannot be reached at start-up; the message is one French line."""


@dataclass(frozen=True, kw_only=True)
class SlackSettings:
    """What `vmbot slack` reads from the environment."""

    bot_token: str
    app_token: str | None = None  # Socket Mode
    signing_secret: str | None = None  # HTTP mode
    api_url: str | None = None


_FORMATS = {
    "SLACK_BOT_TOKEN": re.compile(r"xoxb-[A-Za-z0-9-]+"),
    "SLACK_APP_TOKEN": re.compile(r"xapp-[A-Za-z0-9-]+"),
    "SLACK_SIGNING_SECRET": re.compile(r"[A-Za-z0-9]+"),
}


def settings_from_env(environ: Mapping[str, str], *, http: bool) -> SlackSettings:
    """The settings, or SlackConfigError naming the first variable missing or malformed.

    >>> settings_from_env({"SLACK_BOT_TOKEN": "xoxb-1"}, http=True)
    Traceback (most recent call last):
    ...
    bot.adapters.slack.SlackConfigError: La variable d'environnement SLACK_SIGNING_SECRET ...
    """
    needed = ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET" if http else "SLACK_APP_TOKEN"]
    values: dict[str, str] = {}
    for name in needed:
        value = environ.get(name, "").strip()
        if not value:
            raise SlackConfigError(_env_message(msg.SLACK_ENV_MISSING, name))
        if not _FORMATS[name].fullmatch(value):
            raise SlackConfigError(_env_message(msg.SLACK_ENV_MALFORMED, name))
        values[name] = value
    api_url = environ.get("SLACK_API_URL", "").strip() or None
    if api_url is not None:
        parts = urlsplit(api_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SlackConfigError(_env_message(msg.SLACK_ENV_MALFORMED, "SLACK_API_URL"))
    return SlackSettings(
        bot_token=values["SLACK_BOT_TOKEN"],
        app_token=values.get("SLACK_APP_TOKEN"),
        signing_secret=values.get("SLACK_SIGNING_SECRET"),
        api_url=api_url,
    )


def _env_message(template: str, name: str) -> str:
    return template.format(name=name, what=msg.SLACK_ENV_WHAT[name])


# --- The Bolt app ------------------------------------------------------------------------


def create_app(
    conversation: Conversation,
    *,
    bot_token: str,
    signing_secret: str | None = None,
    api_url: str | None = None,
    store: SessionStore | None = None,
) -> App:
    """The Bolt app answering mentions, direct messages, buttons and `/vmbot`.

    Calls `auth.test` once (Bolt checks the token); SlackStartError if that fails.
    Without a signing secret (Socket Mode), no HTTP request can pass verification.
    """
    base_url = api_url or DEFAULT_API_URL
    client = WebClient(token=bot_token, base_url=_with_slash(base_url))
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    try:
        app = App(
            name="vmbot",
            client=client,
            signing_secret=signing_secret or secrets.token_hex(32),
            request_verification_enabled=True,
            process_before_response=False,  # ack first, then work on Bolt's thread pool
            listener_executor=ThreadPoolExecutor(max_workers=16, thread_name_prefix="vmbot"),
            logger=_log,
        )
    except BoltError as exc:
        raise SlackStartError(msg.SLACK_AUTH_FAILED.format(error=exc)) from exc
    except (SlackClientError, OSError) as exc:
        raise SlackStartError(msg.SLACK_UNREACHABLE.format(url=base_url, error=exc)) from exc
    _Listeners(conversation, store if store is not None else MemoryStore()).register(app)
    return app


def _with_slash(url: str) -> str:
    # WebClient joins method names to its base URL: without the slash, "api" would be lost.
    return url if url.endswith("/") else url + "/"


class _Listeners:
    """The app's middleware and listeners, sharing the store and the per-session locks."""

    def __init__(self, conversation: Conversation, store: SessionStore) -> None:
        self.conversation = conversation
        self.store = store
        self.locks = KeyedLocks()
        self.seen = RecentKeys()

    def register(self, app: App) -> None:
        app.middleware(self.drop_repeats)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.action(re.compile(f"^{BUTTON_PREFIX}"))(self.on_button)
        app.command("/vmbot")(self.on_command)

    def drop_repeats(
        self, body: dict[str, Any], request: BoltRequest, next: Any
    ) -> BoltResponse | None:
        """Slack redelivers events it thinks were lost: answer each one once."""
        # Socket Mode marks first deliveries "0"; HTTP mode sends the header on retries only.
        if (request.headers.get("x-slack-retry-num") or ["0"])[0] not in ("", "0"):
            return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        event_id = body.get("event_id")
        if isinstance(event_id, str) and not self.seen.add(event_id):
            return BoltResponse(status=200, body="")
        next()
        return None

    def on_mention(self, event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        channel = str(event.get("channel", ""))
        if _from_a_bot(event) or channel.startswith("D"):  # direct messages: see on_message
            return
        thread_ts = str(event.get("thread_ts") or event["ts"])
        key = f"{body.get('team_id')}/{channel}/{thread_ts}"
        text = _incoming_text(str(event.get("text", "")), context.bot_user_id)
        self.answer(context, key=key, channel=channel, thread_ts=thread_ts, text=text)

    def on_message(self, event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or _from_a_bot(event):
            return  # edits, joins, bots (ourselves included) and channel messages
        channel = str(event["channel"])
        thread_ts = str(event.get("thread_ts") or event["ts"])
        key = f"{body.get('team_id')}/{channel}"
        text = _incoming_text(str(event.get("text", "")), context.bot_user_id)
        self.answer(context, key=key, channel=channel, thread_ts=thread_ts, text=text)

    def answer(
        self, context: BoltContext, *, key: str, channel: str, thread_ts: str, text: str
    ) -> None:
        with self.locks.hold(key):
            record = self.store.get(key) or {}
            state, reply = self.conversation.step(record.get("dialogue"), text)
            question_ts = self.post(context, channel, thread_ts, reply, key)
            self.store.put(key, {"dialogue": state.to_json(), "question_ts": question_ts})

    def on_button(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        ack()
        value = json.loads(action["value"])
        key, thread_ts, word = str(value["session"]), str(value["thread"]), str(value["word"])
        message = body.get("message") or {}
        message_ts = str(body["container"]["message_ts"])
        channel = str(body["container"]["channel_id"])
        label = dict(msg.SLACK_ANSWER_BUTTONS).get(word, word)
        with self.locks.hold(key):
            record = self.store.get(key)
            if record is None or record.get("question_ts") != message_ts:
                return  # a double click, or a question answered (or forgotten) since
            chosen = msg.SLACK_CHOSEN.format(user=body["user"]["id"], label=_escape(label))
            blocks = [b for b in message.get("blocks", []) if b.get("type") != "actions"]
            blocks.append(_context([chosen]))
            client = _client(context)
            text = message.get("text") or chosen
            client.chat_update(channel=channel, ts=message_ts, text=text, blocks=blocks)
            state, reply = self.conversation.step(record.get("dialogue"), word)
            question_ts = self.post(context, channel, thread_ts, reply, key)
            self.store.put(key, {"dialogue": state.to_json(), "question_ts": question_ts})

    def on_command(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        answer = self.conversation.bot.ask(_incoming_text(str(command.get("text", "")), None))
        respond(
            response_type="ephemeral",
            text=_escape(answer.text),
            blocks=_text_blocks(answer.text) + _source_blocks(answer.sources),
        )

    def post(
        self, context: BoltContext, channel: str, thread_ts: str, reply: Reply, key: str
    ) -> str | None:
        """Send the reply in the thread; the message's ts if it asks a yes/no question."""
        blocks = reply_blocks(reply, session=key, thread_ts=thread_ts)
        posted = _client(context).chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=_escape(reply.text), blocks=blocks
        )
        return str(posted["ts"]) if reply.expecting is not None else None


def _client(context: BoltContext) -> WebClient:
    client = context.client
    assert client is not None  # Bolt sets it on every request of a single-workspace app
    return client


def _from_a_bot(event: Mapping[str, Any]) -> bool:
    return bool(event.get("bot_id") or event.get("bot_profile")) or (
        event.get("subtype") == "bot_message"
    )


def _incoming_text(text: str, bot_user_id: str | None) -> str:
    """The text as typed: the bot's mention removed, Slack's escaping undone."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


# --- Block Kit ---------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Slack's mrkdwn escaping: only these three characters are control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def reply_blocks(reply: Reply, *, session: str, thread_ts: str) -> list[dict[str, Any]]:
    """The reply as Block Kit: its text, its sources, and yes/no buttons for a question."""
    blocks = _text_blocks(reply.text) + _source_blocks(reply.sources)
    if reply.expecting is not None:
        buttons = [
            {
                "type": "button",
                "action_id": BUTTON_PREFIX + button_id,
                "text": {"type": "plain_text", "text": label},
                "value": json.dumps({"word": word, "session": session, "thread": thread_ts}),
            }
            for button_id, (word, label) in zip(_BUTTON_IDS, msg.SLACK_ANSWER_BUTTONS, strict=True)
        ]
        blocks.append({"type": "actions", "block_id": "vmbot_question", "elements": buttons})
    return blocks


def _text_blocks(text: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
        for chunk in _chunks(_escape(text), _SECTION_LIMIT)
    ]


def _chunks(text: str, limit: int) -> list[str]:
    """The text cut into pieces under the limit, at line breaks where possible."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*chunks, text] if text or not chunks else chunks


def _source_blocks(sources: tuple[Source, ...]) -> list[dict[str, Any]]:
    if not sources:
        return []
    room = _CONTEXT_ELEMENTS - 1
    shown = sources if len(sources) <= room else sources[: room - 1]
    lines = [msg.SOURCES_HEADER] + [
        msg.SLACK_SOURCE.format(passage=s.passage, excerpt=_escape(_shorten(s.excerpt)))
        for s in shown
    ]
    if len(shown) < len(sources):
        lines.append(msg.SLACK_MORE_SOURCES.format(count=len(sources) - len(shown)))
    return [_context(lines)]


def _context(lines: list[str]) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in lines]}


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= _EXCERPT_LIMIT:
        return text
    return text[:_EXCERPT_LIMIT].rsplit(" ", 1)[0] + "…"


# --- Running it --------------------------------------------------------------------------


class SlackHttpServer(ThreadingHTTPServer):
    """Serves the Events API on /slack/events (and /healthz), one thread per request."""

    daemon_threads = True

    def __init__(self, app: App, address: tuple[str, int]) -> None:
        self.app = app
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
        timestamp = self.headers.get("x-slack-request-timestamp", "0")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._send(400, {}, "")
            return
        if not timestamp.isdigit():  # the verifier would fail on int(), with a 500
            self._send(401, {}, "")
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


def make_http_server(app: App, *, host: str, port: int) -> SlackHttpServer:
    """The HTTP server of `vmbot slack --http`, bound and ready for `serve_forever()`."""
    try:
        return SlackHttpServer(app, (host, port))
    except OSError as exc:
        raise SlackStartError(
            msg.SLACK_PORT_FAILED.format(host=host, port=port, error=exc.strerror or exc)
        ) from exc


def run(
    conversation: Conversation, settings: SlackSettings, *, http: bool, host: str, port: int
) -> None:
    """Serve until interrupted: Events API over HTTP, or Socket Mode."""
    app = create_app(
        conversation,
        bot_token=settings.bot_token,
        signing_secret=settings.signing_secret,
        api_url=settings.api_url,
    )
    if http:
        server = make_http_server(app, host=host, port=port)
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


def connect_socket_mode(app: App, *, app_token: str) -> SocketModeHandler:
    """A Socket Mode connection to Slack (its URL comes from the app's Web API client).

    Its `client.close()` stops it; SlackStartError if Slack refuses the app token.
    """
    handler = SocketModeHandler(app, app_token=app_token)
    try:
        handler.client.connect()
    except (SlackClientError, OSError) as exc:
        handler.client.close()
        url = app.client.base_url
        raise SlackStartError(msg.SLACK_UNREACHABLE.format(url=url, error=exc)) from exc
    return handler
