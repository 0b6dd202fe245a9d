"""`vmbot chat`: the terminal REPL (prompt_toolkit) and the plain line mode for pipes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import WordCompleter
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style

from bot import messages as msg
from bot.adapters.render import json_line, source_lines, sources_json, terminal_width, wrap
from bot.dialogue.flow import Conversation
from bot.dialogue.state import DialogueState, Reply
from bot.domain import Source

__all__ = ["chat_lines", "default_history_path", "run_repl"]

_STYLE = Style.from_dict(
    {
        "prompt": "ansigreen bold",
        "bot": "ansicyan",
        "question": "ansiyellow bold",
        "info": "ansigray",
    }
)
_COMMAND = re.compile(r"/\w+")
# What people type to leave a prompt, from other programs' habits; bare words only as
# the whole line ("exit" alone leaves, "exit code de docker ?" is a question).
_QUIT = frozenset({"/quitter", "/quit", "/exit", "/q", "exit", "quit", "quitter", ":q"})
_HELP = frozenset({"/aide", "/help"})


def default_history_path() -> Path:
    """The REPL history file, in the user's data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("vmbot", appauthor=False)) / "historique"


def _history(path: Path | None) -> History:
    if path is None:
        return InMemoryHistory()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError:
        return InMemoryHistory()  # an unwritable home must not stop the chat
    return FileHistory(str(path))


def run_repl(
    conversation: Conversation,
    *,
    history_path: Path | None,
    input: Input | None = None,
    output: Output | None = None,
) -> list[Reply]:
    """The interactive loop until /quitter, Ctrl-D or goodbye; returns the replies given."""
    questions = sorted({i.question for i in conversation.bot.catalog.intents.values()})
    session: PromptSession[str] = PromptSession(
        history=_history(history_path),
        auto_suggest=AutoSuggestFromHistory(),
        completer=WordCompleter(questions, sentence=True, match_middle=True, ignore_case=True),
        complete_while_typing=False,
        style=_STYLE,
        input=input,
        output=output,
    )

    def show(text: str, style: str = "class:bot") -> None:
        print_formatted_text(
            FormattedText([(style, wrap(text, terminal_width()))]), style=_STYLE, output=output
        )

    show(msg.REPL_WELCOME, "class:info")
    state = DialogueState()
    replies: list[Reply] = []
    while True:
        try:
            line = session.prompt([("class:prompt", msg.REPL_PROMPT)])
        except KeyboardInterrupt:
            continue  # Ctrl-C cancels the line being typed, nothing else
        except EOFError:
            show(msg.REPL_BYE, "class:info")
            break
        if not line.strip():
            continue
        if _quits(line):
            show(msg.REPL_BYE, "class:info")
            break
        handled = _command(conversation, state, line)
        if handled is not None:
            show(handled.text, "class:info")
            continue
        state, reply = conversation.step(state, _as_message(line))
        replies.append(reply)
        show(reply.text)
        if reply.ended:
            break
    return replies


def chat_lines(
    conversation: Conversation, lines: Iterable[str], out: TextIO, *, as_json: bool
) -> None:
    """The non-interactive mode: one reply (or one JSON object) per non-empty input line."""
    state = DialogueState()
    for line in _non_empty(lines):
        if _quits(line):
            break
        handled = _command(conversation, state, line)
        if handled is not None:
            reply = handled
        else:
            state, reply = conversation.step(state, _as_message(line))
        if as_json:
            out.write(json_line(_reply_json(line, reply, state)) + "\n")
        else:
            out.write(reply.text + "\n\n")
        out.flush()
        if reply.ended and not as_json:
            break


def _command(conversation: Conversation, state: DialogueState, line: str) -> Reply | None:
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


def _as_message(line: str) -> str:
    """Commands that are messages for the bot in another form."""
    return "recommencer" if line.strip().lower() == "/recommencer" else line


def _quits(line: str) -> bool:
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
