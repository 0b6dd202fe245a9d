"""`vmbot chat` without a terminal (one message per line, text or JSON), and the slash
commands both modes share. No prompt_toolkit here: a pipe does not pay for it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from bot import messages as msg
from bot.adapters.render import json_line, sources_json
from bot.assistant import Assistant
from bot.dialogue.inputs import Choice, Command, Input, Text
from bot.dialogue.state import DialogueState, Reply

__all__ = ["chat_lines", "local_reply", "quits", "typed_input"]

_COMMAND = re.compile(r"/\w+")
# What people type to leave a prompt, from other programs' habits; bare words only as
# the whole line ("exit" alone leaves, "exit code de docker ?" is a question).
_QUIT = frozenset({"/quitter", "/quit", "/exit", "/q", "exit", "quit", "quitter", ":q"})
_HELP = frozenset({"/aide", "/help"})
# Slash commands that are inputs of the conversation, not of the channel.
_COMMANDS = {"/recommencer": Command.RESTART, "/sources": Command.SOURCES}


def chat_lines(assistant: Assistant, lines: Iterable[str], out: TextIO, *, as_json: bool) -> None:
    """The non-interactive mode: one reply (or one JSON object) per non-empty input line."""
    state = DialogueState()
    for line in _non_empty(lines):
        if quits(line):
            break
        reply = local_reply(state, line)
        if reply is None:
            state, reply = assistant.step(state, typed_input(state, line))
        if as_json:
            out.write(json_line(_reply_json(line, reply, state)) + "\n")
        else:
            out.write(reply.text + "\n\n")
        out.flush()
        if reply.ended and not as_json:
            break


def local_reply(state: DialogueState, line: str) -> Reply | None:
    """The chat's own reply to a line (/aide, an unknown command), or None when the
    line is for the conversation."""
    command = line.strip().lower()
    # Only a lone word is a command: "/etc/hosts sert à quoi ?" is a message.
    if not _COMMAND.fullmatch(command) or command in _COMMANDS:
        return None
    known = command in _HELP
    text = msg.REPL_HELP if known else msg.REPL_UNKNOWN_COMMAND.format(command=command)
    return Reply(text=text, expecting=state.expecting, recommendation=state.recommendation)


def typed_input(state: DialogueState, line: str) -> Input:
    """A chat line as the conversation's input: a command (/recommencer, /sources), the
    number of a choice just offered ("2"), or text for the French parser.

    >>> typed_input(DialogueState(choices=("a", "b")), " 2 ")
    Choice(number=2)
    >>> typed_input(DialogueState(), "2")
    Text(text='2')
    """
    word = line.strip().lower()
    if word in _COMMANDS:
        return _COMMANDS[word]
    if state.choices and word.isdecimal() and word.isascii():
        return Choice(number=int(word))
    return Text(text=line)


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
