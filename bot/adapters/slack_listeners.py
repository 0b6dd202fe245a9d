"""The Bolt app's middleware and listeners: Slack events in, `Conversation.step` replies out.

One conversation per thread (per channel in direct messages), kept in a `SessionStore`
that several processes may share (see `slack_sessions`). Every listener acknowledges
Slack before doing any work; an event Slack delivers again is answered once, by whichever
process gets it first; the store down, the user gets a short apology.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import messages as msg
from bot.adapters.slack_blocks import (
    BUTTON_PREFIX,
    button_input,
    context_block,
    escape,
    reply_blocks,
    source_blocks,
    text_blocks,
)
from bot.adapters.slack_markup import plain_text
from bot.adapters.slack_sessions import EVENT_KEPT, EVENT_LEASE, SharedSessions
from bot.adapters.slack_webapi import HookFailed, WebApi
from bot.dialogue.flow import Conversation
from bot.dialogue.inputs import Text
from bot.dialogue.state import DialogueState, Reply
from bot.errors import StoreUnavailable
from bot.sessions import SessionStore

__all__ = ["ListenerPool", "SlackListeners", "delivery_id", "listeners_of"]

_log = logging.getLogger("vmbot.slack")
# One line per handled event, as JSON; never a token nor what anybody wrote.
_events_log = logging.getLogger("vmbot.slack.events")
EVENT_ID = "vmbot_event_id"  # where the middleware leaves the event id for the listener
RECEIVED = "vmbot_received"  # and when the request came in (time.monotonic)
CLAIMED = "vmbot_claimed"  # the HTTP server took the delivery and acked it already
REACHED = "vmbot_reached"  # Bolt's own middleware let such a delivery through to ours
_USER_ID = re.compile(r"[A-Z0-9]+")
RECENT_EVENTS = 20  # deliveries remembered per conversation
ACKS_FIRST = 1.0  # the longest an answer waits for acks in flight before it thinks


class SlackListeners:
    """The app's middleware and listeners, sharing the store and its claims."""

    def __init__(
        self, conversation: Conversation, store: SessionStore, *, lease: float = EVENT_LEASE
    ) -> None:
        self.conversation = conversation
        self.store = store
        self.shared = SharedSessions(store, log=_log, lease=lease)
        self.pool = ListenerPool(max_workers=16, on_shutdown=self.shared.stop_taking_over)
        self._app: App | None = None
        self._bot_user: str | None = None
        # Understanding is CPU work under the GIL: one answer thinks at a time, and only
        # once the acks in flight are sent (or ACKS_FIRST has passed), so that Slack's acks
        # never queue behind answers.
        self._thinking = threading.Lock()
        self._acking = 0
        self._acks_sent = threading.Condition()

    def register(self, app: App) -> None:
        """Listen on `app` (whose listener executor is `self.pool`), and start taking over
        the deliveries of processes that died."""
        self._app = app
        _LISTENERS[app] = self
        app.middleware(self.accept)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        self.shared.run(self.replay)

    def accept(
        self, body: dict[str, Any], request: BoltRequest, context: BoltContext, next: Any
    ) -> BoltResponse | None:
        """Take each delivery once, whichever process gets it (Slack redelivers what it thinks
        was lost; a retry is answered only if no process answers or answered it). Clicks
        and commands are acked here, their work queued: a busy pool never delays an ack
        (Bolt acks events itself before their listeners run)."""
        if RECEIVED not in context:
            context[RECEIVED] = time.monotonic()
        if context.get(CLAIMED):  # acked on the server's event loop: only the work is left
            return self._claimed(body, context, next)
        if context.bot_user_id:
            self._bot_user = context.bot_user_id
        with self._acks_sent:
            self._acking += 1
        try:
            return self._accept(body, request, context, next)
        finally:
            with self._acks_sent:
                self._acking -= 1
                self._acks_sent.notify_all()

    def _accept(
        self, body: dict[str, Any], request: BoltRequest, context: BoltContext, next: Any
    ) -> BoltResponse | None:
        delivery = delivery_id(body)
        if delivery is None:
            next()
            return None
        context[EVENT_ID] = delivery
        # Socket Mode marks first deliveries "0"; HTTP mode sends it on retries only.
        retry = (request.headers.get("x-slack-retry-num") or ["0"])[0] not in ("", "0")
        if not self.shared.take_event(delivery, retry=retry, body=body):
            event = body.get("event") or {}
            thread = event.get("thread_ts") or event.get("ts")
            handled(context, channel=event.get("channel"), thread=thread, outcome="duplicate")
            return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        if "event" in body:
            next()
            return None
        try:
            self.pool.submit(self.route, body, context)
        except RuntimeError:  # shutting down: the claim runs out for another process
            return BoltResponse(status=503, body="")
        return BoltResponse(status=200, body="")

    @contextmanager
    def ack_in_flight(self) -> Iterator[None]:
        """An ack is on its way (from the moment its request arrives): answers think once
        none is (or ACKS_FIRST has passed)."""
        with self._acks_sent:
            self._acking += 1
        try:
            yield
        finally:
            with self._acks_sent:
                self._acking -= 1
                self._acks_sent.notify_all()

    async def ack_on_loop(self, request: BoltRequest) -> BoltResponse | None:
        """HTTP mode: take the delivery and ack it on the server's event loop; Bolt's
        dispatch of it (its middleware, then the listener) runs on the listener pool after
        the ack. Under load an ack then costs no hop to a thread and back, each of which
        waited for the GIL behind the answering threads (hundreds of milliseconds); with
        Redis, its claim runs on the loop's own connections. None: not a delivery
        (url_verification, ssl_check), for Bolt to answer on a thread as before."""
        body = request.body
        delivery = delivery_id(body)
        if delivery is None:
            return None
        if _from_a_bot(body.get("event") or {}):
            # Its own replies among them (Slack sends them back): never answered, no claim.
            return BoltResponse(status=200, body="")
        request.context[EVENT_ID] = delivery
        retry = (request.headers.get("x-slack-retry-num") or ["0"])[0] not in ("", "0")
        if not await self.shared.take_event_async(delivery, retry=retry, body=body):
            event = body.get("event") or {}
            thread = event.get("thread_ts") or event.get("ts")
            handled(
                request.context,
                channel=event.get("channel"),
                thread=thread,
                outcome="duplicate",
            )
            return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        request.context[CLAIMED] = True
        try:
            self.pool.submit(self._dispatch, request, delivery)
        except RuntimeError:  # shutting down: the claim runs out for another process
            return BoltResponse(status=503, body="")
        return BoltResponse(status=200, body="")

    def _dispatch(self, request: BoltRequest, delivery: str) -> None:
        assert self._app is not None
        try:
            response = self._app.dispatch(request)
        except Exception:
            _log.exception("delivery %s not answered", delivery)
            response = BoltResponse(status=500, body="")
        taken = request.context.get(REACHED) and response.status == 200
        if not taken and self.shared.holds(delivery):
            # No listener took it (Bolt's 404, or its middleware stopped it): done, rather
            # than renewed for ever.
            self.shared.event_done(delivery)

    def _claimed(
        self, body: dict[str, Any], context: BoltContext, next: Any
    ) -> BoltResponse | None:
        context[REACHED] = True
        if "event" in body:
            next()
            return None
        self.route(body, context)  # already on the listener pool
        return BoltResponse(status=200, body="")

    def replay(self, delivery: str, body: dict[str, Any]) -> bool:
        """Answer a delivery taken over from a process that died (on the listener pool);
        False if the pool no longer takes work."""
        assert self._app is not None
        context = BoltContext({EVENT_ID: delivery, RECEIVED: time.monotonic()})
        context["client"] = self._app.client
        try:
            self.pool.submit(self.route, body, context)
        except RuntimeError:  # shut down
            return False
        return True

    def route(self, body: dict[str, Any], context: BoltContext) -> None:
        """Answer one delivery, whatever its kind (on the listener pool)."""
        with self.settling(context):
            if not context.get("bot_user_id"):
                context["bot_user_id"] = self._bot_user or self._bot_user_id(context)
            event = body.get("event") or {}
            if event.get("type") == "app_mention":
                self.on_mention(event, body, context)
            elif event.get("type") == "message":
                self.on_message(event, body, context)
            elif body.get("type") == "block_actions" and body.get("actions"):
                action = body["actions"][0]
                if str(action.get("action_id", "")).startswith(BUTTON_PREFIX):
                    self.click(body, action, context)
            elif body.get("command") == "/vmbot":
                self.command(body, context)

    def _bot_user_id(self, context: BoltContext) -> str:
        self._bot_user = str(_client(context).auth_test()["user_id"])
        return self._bot_user

    @contextmanager
    def thinking(self) -> Iterator[None]:
        """Hold the right to think (understand a message), once the acks in flight are sent."""
        with self._acks_sent:
            self._acks_sent.wait_for(lambda: self._acking == 0, ACKS_FIRST)
        with self._thinking:
            yield

    @contextmanager
    def settling(self, context: BoltContext) -> Iterator[None]:
        """Whatever happens in the listener, its delivery is done when it returns: logged
        if it failed, never answered twice."""
        try:
            yield
        except (SlackApiError, HookFailed, OSError) as exc:  # refused, or kept failing
            _log.error("delivery %s not answered: %s", context.get(EVENT_ID), _short(exc))
        except Exception:
            _log.exception("delivery %s not answered", context.get(EVENT_ID))
        finally:
            delivery = context.get(EVENT_ID)
            if delivery is not None and self.shared.holds(delivery):
                self.shared.event_done(delivery)

    def on_mention(self, event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        with self.settling(context):
            channel = str(event.get("channel", ""))
            if _from_a_bot(event) or channel.startswith("D"):  # direct messages: see on_message
                return
            thread_ts = str(event.get("thread_ts") or event["ts"])
            key = f"{body.get('team_id')}/{channel}/{thread_ts}"
            text = plain_text(str(event.get("text", "")))
            self.answer(context, key=key, channel=channel, thread_ts=thread_ts, text=text)

    def on_message(self, event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        """Direct messages, and follow-ups in the channel threads the bot converses in."""
        with self.settling(context):
            if event.get("subtype") or _from_a_bot(event):
                return  # edits, joins, bots (ourselves included)
            channel = str(event.get("channel", ""))
            text = str(event.get("text", ""))
            thread = event.get("thread_ts")
            if event.get("channel_type") == "im":
                # The conversation is the DM itself: answer in it, or in the thread written in.
                key = f"{body.get('team_id')}/{channel}"
                self.answer(
                    context,
                    key=key,
                    channel=channel,
                    thread_ts=str(thread) if thread else None,
                    text=plain_text(text),
                )
            elif thread and f"<@{context.bot_user_id}>" not in text:  # mentions: see on_mention
                key = f"{body.get('team_id')}/{channel}/{thread}"
                self.answer(
                    context,
                    key=key,
                    channel=channel,
                    thread_ts=str(thread),
                    text=plain_text(text),
                    follow_up=True,
                )

    def answer(
        self,
        context: BoltContext,
        *,
        key: str,
        channel: str,
        thread_ts: str | None,
        text: str,
        follow_up: bool = False,
    ) -> None:
        """Answer `text` in the conversation `key`; a `follow_up` (typed in a channel thread
        without a mention) only if the bot converses there, or once conversed there."""

        def step(record: dict[str, Any] | None) -> tuple[DialogueState, Reply] | str:
            if record is None and follow_up:
                # The thread's mark outlives its session: the bot took part in it, and the
                # conversation expired (or was evicted). Said once: the mark goes with it.
                if self.store.take_mark(key):
                    self.say_expired(context, channel=channel, thread_ts=thread_ts)
                    return "expired"
                return "ignored"  # a thread the bot never took part in
            with self.thinking():
                return self.conversation.step((record or {}).get("dialogue"), text)

        self.converse(
            context, key=key, channel=channel, thread_ts=thread_ts, step=step, quiet=follow_up
        )

    def converse(
        self,
        context: BoltContext,
        *,
        key: str,
        channel: str,
        thread_ts: str | None,
        step: Callable[[dict[str, Any] | None], tuple[DialogueState, Reply] | str],
        quiet: bool = False,
    ) -> None:
        """One step of the conversation `key`, saved, then its reply posted (once).

        The reply waits in the session (its outbox) until it is posted: a process that
        takes the delivery over after a crash posts it, rather than stepping again.
        `step` gives the new state and reply, or the outcome when there is nothing to say.
        `quiet`: no apology when the store is down (the bot may take no part in the thread).
        """
        delivery = context.get(EVENT_ID)
        outcome, intent = "failed", None
        posted: str | None = None
        try:
            with self.shared.conversation(key) as held:
                record = held.record
                recent = (record or {}).get("events") or []
                resumed = delivery is not None and delivery == (record or {}).get("event")
                if resumed:
                    assert record is not None
                    outbox = record.get("outbox")
                elif delivery is not None and delivery in recent:
                    outbox = None  # answered, and the thread has moved on since
                else:
                    stepped = step(record)
                    if isinstance(stepped, str):
                        outcome = stepped
                        return
                    state, reply = stepped
                    outbox = self.outbox(reply, key=key, channel=channel, thread_ts=thread_ts)
                    record = {"dialogue": state.to_json(), "question_ts": None}
                    # The last deliveries stepped: one taken over late is not stepped again.
                    events = [*recent[-(RECENT_EVENTS - 1) :], delivery] if delivery else recent
                    record |= {"event": delivery, "events": events, "outbox": outbox}
                    # Saved first: a reply Slack fails to take must not lose the conversation.
                    self.store.put(key, record)
                    if thread_ts is not None and not channel.startswith("D"):
                        # A channel thread: followed up without a mention, even once the
                        # session is gone (then to say so).
                        self.store.mark(key)
                if outbox is None:
                    outcome = "duplicate"  # posted by a process that died before settling it
                    return
                intent = outbox["intent"]
                if not self.shared.holds(delivery):
                    outcome = "handed_over"  # this process was too slow: another answers
                    return
                posted = self.api(context).post(
                    channel=outbox["channel"],
                    thread_ts=outbox["thread_ts"],
                    text=outbox["text"],
                    blocks=outbox["blocks"],
                    delivery=delivery,
                    maybe_posted=resumed,
                )
                question_ts = posted if outbox["question"] else None
                assert record is not None  # read, or made by the step
                held.save_and_release(record | {"question_ts": question_ts, "outbox": None})
            outcome = "answered"
            self.shared.answered()
        except StoreUnavailable as exc:
            outcome = "store_down"
            self.shared.failed(exc)
            # Not after the reply went out (the store fell between posting it and saving
            # the question's message): the user has the answer, an apology would be wrong.
            if not quiet and posted is None:  # quiet: the bot may take no part in the thread
                self.apologise(context, channel, thread_ts)
        finally:
            handled(context, channel=channel, thread=thread_ts, intent=intent, outcome=outcome)

    def outbox(
        self, reply: Reply, *, key: str, channel: str, thread_ts: str | None
    ) -> dict[str, Any]:
        """The message that carries `reply` in Slack, as JSON: what `post` sends."""
        labels = tuple(self.conversation.bot.intent(i).question for i in reply.choices)
        blocks = reply_blocks(reply, session=key, thread_ts=thread_ts or "", choice_labels=labels)
        return {
            "channel": channel,
            "thread_ts": thread_ts,
            "text": escape(reply.text),
            "blocks": blocks,
            "question": reply.expecting is not None or bool(labels),
            "intent": reply.intent,
        }

    def api(self, context: BoltContext) -> WebApi:
        return WebApi(_client(context))

    def apologise(self, context: BoltContext, channel: str, thread_ts: str | None) -> None:
        text = msg.SLACK_STORE_DOWN
        self.api(context).post(
            channel=channel, thread_ts=thread_ts, text=text, blocks=text_blocks(text)
        )

    def click(self, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        """Answer a click on one of the buttons of the conversation's pending question."""
        with self.settling(context):
            try:  # vmbot wrote the value; a malformed one is forged or corrupted
                value = json.loads(action["value"])
                key, word = str(value["session"]), str(value["word"])
                thread_ts = str(value.get("thread") or "") or None  # None: the DM itself
                message_ts = str(body["container"]["message_ts"])
                channel = str(body["container"]["channel_id"])
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                _log.warning("click %s ignored: malformed button (%s)", context.get(EVENT_ID), exc)
                return
            message = body.get("message") or {}
            label = str(value.get("label") or dict(msg.SLACK_ANSWER_BUTTONS).get(word, word))

            def step(record: dict[str, Any] | None) -> tuple[DialogueState, Reply] | str:
                if record is None:  # expired, or evicted by newer conversations
                    self.expired(
                        context,
                        message=message,
                        at=(channel, message_ts),
                        thread_ts=thread_ts,
                    )
                    return "expired"
                if record.get("question_ts") != message_ts:
                    return "stale"  # a double click, or a question answered since
                chosen = msg.SLACK_CHOSEN.format(
                    user=_user_id(body["user"]["id"]), label=escape(label)
                )
                blocks = [b for b in message.get("blocks", []) if b.get("type") != "actions"]
                blocks.append(context_block([chosen]))
                text = message.get("text") or chosen
                self.api(context).update(channel=channel, ts=message_ts, text=text, blocks=blocks)
                # A click is typed: "Oui" is a verdict, "2." a choice, never re-read as
                # French (a button of an older version falls back to its word).
                event = button_input(str(action.get("action_id", ""))) or Text(text=word)
                with self.thinking():
                    return self.conversation.dialogue.step(record.get("dialogue"), event)

            self.converse(context, key=key, channel=channel, thread_ts=thread_ts, step=step)

    def expired(
        self,
        context: BoltContext,
        *,
        message: dict[str, Any],
        at: tuple[str, str],
        thread_ts: str | None,
    ) -> None:
        """Say, once per question, that the conversation of a clicked question (`message`,
        at (channel, ts)) is gone and how to begin again; its buttons go, so that nobody
        clicks them in vain."""
        channel, message_ts = at
        said = f"expired:{channel}/{message_ts}"
        if not self.store.claim(said, self.shared.owner, ttl=EVENT_KEPT):
            return  # said already, to an earlier click
        self.say_expired(context, channel=channel, thread_ts=thread_ts)
        api = self.api(context)
        blocks = [b for b in message.get("blocks", []) if b.get("type") != "actions"]
        if blocks:
            shown = str(message.get("text") or "")
            api.update(channel=channel, ts=message_ts, text=shown, blocks=blocks)

    def say_expired(self, context: BoltContext, *, channel: str, thread_ts: str | None) -> None:
        """Say in the thread that its conversation is gone, and how to begin again."""
        notice = msg.SLACK_SESSION_EXPIRED
        self.api(context).post(
            channel=channel,
            thread_ts=thread_ts,
            text=escape(notice),
            blocks=text_blocks(notice),
            delivery=context.get(EVENT_ID),
        )

    def command(self, command: dict[str, Any], context: BoltContext) -> None:
        """Answer `/vmbot <question>`, visible to its author alone."""
        with self.settling(context):
            with self.thinking():
                answer = self.conversation.bot.ask(plain_text(str(command.get("text", ""))))
            text = escape(answer.text)
            blocks = text_blocks(answer.text) + source_blocks(answer.sources)
            api = self.api(context)
            try:
                api.respond(str(command["response_url"]), text=text, blocks=blocks)
            except HookFailed as exc:
                if not 400 <= exc.status < 500:
                    raise
                # The response URL refused the answer (expired after 30 minutes, used up
                # after 5 answers): it goes in the channel, still for its author alone.
                _log.warning(
                    "command %s: response URL refused (%s), answering in the channel",
                    context.get(EVENT_ID),
                    exc,
                )
                api.post_ephemeral(
                    channel=str(command["channel_id"]),
                    user=str(command["user_id"]),
                    text=text,
                    blocks=blocks,
                )


_LISTENERS: weakref.WeakKeyDictionary[App, SlackListeners] = weakref.WeakKeyDictionary()


def listeners_of(app: App) -> SlackListeners | None:
    """The listeners `register`ed on `app`, for its HTTP server to ack on its event loop."""
    return _LISTENERS.get(app)


class ListenerPool(ThreadPoolExecutor):
    """Bolt's listener pool, which says when it starts shutting down (`on_shutdown`)."""

    def __init__(self, *, max_workers: int, on_shutdown: Callable[[], None]) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="vmbot")
        self._on_shutdown = on_shutdown

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._on_shutdown()
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


def delivery_id(body: Mapping[str, Any]) -> str | None:
    """What names one delivery from Slack, the same on every copy of it: the event id, a
    click's user, message and time, a slash command's trigger id; None for anything else."""
    event_id = body.get("event_id")
    if isinstance(event_id, str):
        return event_id
    if body.get("type") == "block_actions":
        user = (body.get("user") or {}).get("id")
        message_ts = (body.get("container") or {}).get("message_ts")
        action_ts = ((body.get("actions") or [{}])[0]).get("action_ts")
        if user and message_ts and action_ts:
            return f"action:{user}/{message_ts}/{action_ts}"
    trigger = body.get("trigger_id")
    if body.get("command") and isinstance(trigger, str):
        return f"command:{trigger}"
    return None


def _short(exc: Exception) -> str:
    if isinstance(exc, HookFailed):
        return str(exc)
    if isinstance(exc, SlackApiError) and exc.response is not None:
        return f"HTTP {exc.response.status_code} {exc.response.get('error')}"
    return f"{type(exc).__name__}: {exc}"


def _user_id(user: object) -> str:
    """A Slack user id as shown in `<@...>`: anything else is escaped, so that it cannot
    close the mention and forge markup."""
    text = str(user)
    return text if _USER_ID.fullmatch(text) else escape(text)


def handled(
    context: BoltContext,
    *,
    channel: object,
    thread: object,
    outcome: str,
    intent: str | None = None,
) -> None:
    """Log the event's one line: ids, the intent understood, the latency, the outcome."""
    received = context.get(RECEIVED)
    latency = None if received is None else round((time.monotonic() - received) * 1000)
    line = {
        "event": context.get(EVENT_ID),
        "channel": channel,
        "thread": thread,
        "intent": intent,
        "latency_ms": latency,
        "outcome": outcome,
    }
    _events_log.info("%s", json.dumps(line))


def _client(context: BoltContext) -> WebClient:
    client = context.client
    assert client is not None  # Bolt sets it on every request of a single-workspace app
    return client


def _from_a_bot(event: Mapping[str, Any]) -> bool:
    return bool(event.get("bot_id") or event.get("bot_profile")) or (
        event.get("subtype") == "bot_message"
    )
