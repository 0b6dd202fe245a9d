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
import time
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient

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
from bot.adapters.slack_sessions import SharedSessions
from bot.dialogue.flow import Conversation
from bot.dialogue.inputs import Text
from bot.dialogue.state import DialogueState, Reply
from bot.errors import StoreUnavailable
from bot.sessions import SessionStore

__all__ = ["SlackListeners"]

_log = logging.getLogger("vmbot.slack")
# One line per handled event, as JSON; never a token nor what anybody wrote.
_events_log = logging.getLogger("vmbot.slack.events")
EVENT_ID = "vmbot_event_id"  # where the middleware leaves the event id for the listener
RECEIVED = "vmbot_received"  # and when the request came in (time.monotonic)


class SlackListeners:
    """The app's middleware and listeners, sharing the store and its claims."""

    def __init__(self, conversation: Conversation, store: SessionStore) -> None:
        self.conversation = conversation
        self.store = store
        self.shared = SharedSessions(store, log=_log)

    def register(self, app: App) -> None:
        app.middleware(self.drop_repeats)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.action(re.compile(f"^{BUTTON_PREFIX}"))(self.on_button)
        app.command("/vmbot")(self.on_command)

    def drop_repeats(
        self, body: dict[str, Any], request: BoltRequest, context: BoltContext, next: Any
    ) -> BoltResponse | None:
        """Slack redelivers events it thinks were lost: answer each one once, whichever
        process gets it, and a retry only if no process answers or answered it."""
        context[RECEIVED] = time.monotonic()
        event_id = body.get("event_id")
        if isinstance(event_id, str):
            context[EVENT_ID] = event_id
            # Socket Mode marks first deliveries "0"; HTTP mode sends it on retries only.
            retry = (request.headers.get("x-slack-retry-num") or ["0"])[0] not in ("", "0")
            if not self.shared.take_event(event_id, retry=retry):
                event = body.get("event") or {}
                thread = event.get("thread_ts") or event.get("ts")
                handled(context, channel=event.get("channel"), thread=thread, outcome="duplicate")
                return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        next()
        return None

    def on_mention(self, event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        channel = str(event.get("channel", ""))
        if _from_a_bot(event) or channel.startswith("D"):  # direct messages: see on_message
            return
        thread_ts = str(event.get("thread_ts") or event["ts"])
        key = f"{body.get('team_id')}/{channel}/{thread_ts}"
        text = plain_text(str(event.get("text", "")))
        self.answer(context, key=key, channel=channel, thread_ts=thread_ts, text=text)

    def on_message(self, event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        """Direct messages, and follow-ups in the channel threads the bot converses in."""
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
                known_only=True,
            )

    def answer(
        self,
        context: BoltContext,
        *,
        key: str,
        channel: str,
        thread_ts: str | None,
        text: str,
        known_only: bool = False,
    ) -> None:
        """Answer `text` in the conversation `key` (`known_only`: if there is one already)."""
        outcome, intent = "failed", None
        try:
            with self.shared.conversation(key):
                record = self.store.get(key)
                if record is None and known_only:
                    outcome = "ignored"  # a thread the bot takes no part in
                    return
                state, reply = self.conversation.step((record or {}).get("dialogue"), text)
                intent = reply.intent
                self.save_and_post(context, key, channel, thread_ts, state, reply)
            event_id = context.get(EVENT_ID)
            if event_id is not None:
                self.shared.event_done(event_id)
            outcome = "answered"
            self.shared.answered()
        except StoreUnavailable as exc:
            outcome = "store_down"
            self.shared.failed(exc)
            if not known_only:  # whether the bot takes part in the thread is unknown
                self.apologise(context, channel, thread_ts)
        finally:
            handled(context, channel=channel, thread=thread_ts, intent=intent, outcome=outcome)

    def save_and_post(
        self,
        context: BoltContext,
        key: str,
        channel: str,
        thread_ts: str | None,
        state: DialogueState,
        reply: Reply,
    ) -> None:
        """Save the new state, then post the reply (and note its buttons' message)."""
        # Saved first: a reply Slack fails to take must not also lose the conversation.
        self.store.put(key, {"dialogue": state.to_json(), "question_ts": None})
        question_ts = self.post(context, channel, thread_ts, reply, key)
        if question_ts is not None:
            self.store.put(key, {"dialogue": state.to_json(), "question_ts": question_ts})

    def apologise(self, context: BoltContext, channel: str, thread_ts: str | None) -> None:
        text = msg.SLACK_STORE_DOWN
        _client(context).chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=text, blocks=text_blocks(text)
        )

    def on_button(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
    ) -> None:
        ack()
        value = json.loads(action["value"])
        key, word = str(value["session"]), str(value["word"])
        thread_ts = str(value.get("thread") or "") or None  # None: the DM itself
        message = body.get("message") or {}
        message_ts = str(body["container"]["message_ts"])
        channel = str(body["container"]["channel_id"])
        label = str(value.get("label") or dict(msg.SLACK_ANSWER_BUTTONS).get(word, word))
        outcome, intent = "failed", None
        try:
            with self.shared.conversation(key):
                record = self.store.get(key)
                if record is None or record.get("question_ts") != message_ts:
                    outcome = "stale"  # a double click, or a question answered since
                    return
                chosen = msg.SLACK_CHOSEN.format(user=body["user"]["id"], label=escape(label))
                blocks = [b for b in message.get("blocks", []) if b.get("type") != "actions"]
                blocks.append(context_block([chosen]))
                client = _client(context)
                text = message.get("text") or chosen
                client.chat_update(channel=channel, ts=message_ts, text=text, blocks=blocks)
                # A click is typed: "Oui" is a verdict, "2." a choice, never re-read as
                # French (a button of an older version falls back to its word).
                event = button_input(str(action.get("action_id", ""))) or Text(text=word)
                state, reply = self.conversation.dialogue.step(record.get("dialogue"), event)
                intent = reply.intent
                self.save_and_post(context, key, channel, thread_ts, state, reply)
            outcome = "answered"
            self.shared.answered()
        except StoreUnavailable as exc:
            outcome = "store_down"
            self.shared.failed(exc)
            self.apologise(context, channel, thread_ts)
        finally:
            handled(context, channel=channel, thread=thread_ts, intent=intent, outcome=outcome)

    def on_command(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        answer = self.conversation.bot.ask(plain_text(str(command.get("text", ""))))
        respond(
            response_type="ephemeral",
            text=escape(answer.text),
            blocks=text_blocks(answer.text) + source_blocks(answer.sources),
        )

    def post(
        self, context: BoltContext, channel: str, thread_ts: str | None, reply: Reply, key: str
    ) -> str | None:
        """Send the reply in the thread (thread_ts None: in the channel); the message's ts
        if it has buttons (a yes/no question, or the choices of a clarifying question)."""
        labels = tuple(self.conversation.bot.intent(i).question for i in reply.choices)
        blocks = reply_blocks(reply, session=key, thread_ts=thread_ts or "", choice_labels=labels)
        posted = _client(context).chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=escape(reply.text), blocks=blocks
        )
        return str(posted["ts"]) if reply.expecting is not None or labels else None


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
