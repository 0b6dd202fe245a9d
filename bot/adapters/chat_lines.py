"""`vmbot chat` without a terminal (one message per line, text or JSON), and the slash
commands both modes share. No prompt_toolkit here: a pipe does not pay for it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from bot import messages as msg
from bot.adapters.render import json_line, source_lines, sources_json
from bot.dialogue.flow import Conversation
from bot.dialogue.state import DialogueState, Reply
from bot.domain import Source

__all__ = ["as_message", "chat_lines", "command_reply", "quits"]

_COMMAND = re.compile(r"/\w+")
# What people type to leave a prompt, from other programs' habits; bare words only as
# the whole line ("exit" alone leaves, "exit code de docker ?" is a question).
_QUIT = frozenset({"/quitter", "/quit", "/exit", "/q", "exit", "quit", "quitter", ":q"})
_HELP = frozenset({"/aide", "/help"})


def chat_lines(
    conversation: Conversation, lines: Iterable[str], out: TextIO, *, as_json: bool
) -> None:
    """The non-interactive mode: one reply (or one JSON object) per non-empty input line."""
    state = DialogueState()
    for line in _non_empty(lines):
        if quits(line):
            break
        handled = command_reply(conversation, state, line)
        if handled is not None:
            reply = handled
        else:
            state, reply = conversation.step(state, as_message(line))
        if as_json:
            out.write(json_line(_reply_json(line, reply, state)) + "\n")
        else:
            out.write(reply.text + "\n\n")
        out.flush()
        if reply.ended and not as_json:
            break


def command_reply(conversation: Conversation, state: DialogueState, line: str) -> Reply | None:
    """The reply to a slash command (/aide, /sources, ...), or None for a message."""
    command = line.strip().lower()
    # Only a lone word is a command: "/etc/hosts sert à quoi ?" is a message.
    if not _COMMAND.fullmatch(command) or command == "/recommencer":
        return None
    sources: tuple[Source, ...] = ()
    if command in _HELP:
        text = msg.REPL_HELP
    elif command == "/sources":
        text = "\n".join(source_lines(state.last_sources, conversation.bot.corpus))
        sources = state.last_sources
    else:
        text = msg.REPL_UNKNOWN_COMMAND.format(command=command)
    return Reply(
        text=text, expecting=state.expecting, recommendation=state.recommendation, sources=sources
    )


def as_message(line: str) -> str:
    """Commands that are messages for the bot in another form."""
    return "recommencer" if line.strip().lower() == "/recommencer" else line


def quits(line: str) -> bool:
    return line.strip().lower() in _QUIT


def _reply_json(message: str, reply: Reply, state: DialogueState) -> dict[str, Any]:
    return {
        "message": message,
        "reply": reply.text,
        "intent": reply.intent,
        "confidence": reply.confidence,
        "kind": reply.kind.value if reply.kind is not None else None,
        "choices": list(reply.choices),
        "expecting": reply.expecting,
        "recommendation": reply.recommendation,
        # What the advisor has recorded of the project so far: criterion -> oui/non/nsp.
        "profile": {criterion: verdict.value for criterion, verdict in state.answers.items()},
        "sources": sources_json(reply.sources),
    }


def _non_empty(lines: Iterable[str]) -> Iterator[str]:
    return (line for line in lines if line.strip())
