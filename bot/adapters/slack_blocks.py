"""Block Kit rendering for Slack: replies as sections, source contexts and yes/no buttons.

Pure functions from the bot's values to Slack's JSON; nothing here talks to Slack.
"""

from __future__ import annotations

import json
from typing import Any

from bot import messages as msg
from bot.dialogue.inputs import Choice, Input
from bot.dialogue.state import Reply
from bot.domain import Source, Verdict

__all__ = [
    "BUTTON_PREFIX",
    "button_input",
    "context_block",
    "escape",
    "reply_blocks",
    "source_blocks",
    "text_blocks",
]

BUTTON_PREFIX = "vmbot_answer_"
_BUTTON_IDS = ("oui", "non", "nsp")
_SECTION_LIMIT = 3000  # Block Kit's limit on a section's text
_EXCERPT_LIMIT = 140
_CONTEXT_ELEMENTS = 10  # Block Kit's limit on a context block
_BUTTON_LABEL_LIMIT = 75  # Block Kit's limit on a button's text


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: only these three characters are control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def reply_blocks(
    reply: Reply, *, session: str, thread_ts: str, choice_labels: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The reply as Block Kit: its text, its sources, one button per offered choice
    (`choice_labels`, in the reply's numbered order) and yes/no buttons for a question."""
    blocks = text_blocks(reply.text) + source_blocks(reply.sources)
    if choice_labels:
        buttons = [
            _button(f"choix_{n}", str(n), f"{n}. {label}", session, thread_ts)
            for n, label in enumerate(choice_labels, 1)
        ]
        blocks.append({"type": "actions", "block_id": "vmbot_choices", "elements": buttons})
    if reply.expecting is not None:
        buttons = [
            _button(button_id, word, label, session, thread_ts)
            for button_id, (word, label) in zip(_BUTTON_IDS, msg.SLACK_ANSWER_BUTTONS, strict=True)
        ]
        blocks.append({"type": "actions", "block_id": "vmbot_question", "elements": buttons})
    return blocks


def button_input(action_id: str) -> Input | None:
    """What a button click says, typed: a verdict for the answer buttons, a choice for
    the numbered ones; None for an action id vmbot never made."""
    if not action_id.startswith(BUTTON_PREFIX):
        return None
    button_id = action_id.removeprefix(BUTTON_PREFIX)
    verdicts = {"oui": Verdict.YES, "non": Verdict.NO, "nsp": Verdict.UNKNOWN}
    if button_id in verdicts:
        return verdicts[button_id]
    number = button_id.removeprefix("choix_")
    if number != button_id and number.isascii() and number.isdigit():
        return Choice(number=int(number))
    return None


def _button(button_id: str, word: str, label: str, session: str, thread: str) -> dict[str, Any]:
    shown = label if len(label) <= _BUTTON_LABEL_LIMIT else label[: _BUTTON_LABEL_LIMIT - 1] + "…"
    return {
        "type": "button",
        "action_id": BUTTON_PREFIX + button_id,
        "text": {"type": "plain_text", "text": shown},
        "value": json.dumps({"word": word, "label": shown, "session": session, "thread": thread}),
    }


def text_blocks(text: str) -> list[dict[str, Any]]:
    """The text, escaped, as as many mrkdwn sections as Block Kit's limit requires."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
        for chunk in _chunks(escape(text), _SECTION_LIMIT)
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


def source_blocks(sources: tuple[Source, ...]) -> list[dict[str, Any]]:
    """One context block listing the sources (none without sources), cut to Block Kit's limit."""
    if not sources:
        return []
    room = _CONTEXT_ELEMENTS - 1
    shown = sources if len(sources) <= room else sources[: room - 1]
    lines = [msg.SOURCES_HEADER] + [
        msg.SLACK_SOURCE.format(passage=s.passage, excerpt=escape(_shorten(s.excerpt)))
        for s in shown
    ]
    if len(shown) < len(sources):
        lines.append(msg.SLACK_MORE_SOURCES.format(count=len(sources) - len(shown)))
    return [context_block(lines)]


def context_block(lines: list[str]) -> dict[str, Any]:
    """A context block with one mrkdwn element a line."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in lines]}


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= _EXCERPT_LIMIT:
        return text
    return text[:_EXCERPT_LIMIT].rsplit(" ", 1)[0] + "…"
