"""`vmbot chat` in a terminal: the REPL (prompt_toolkit), with history and completion."""

from __future__ import annotations

from pathlib import Path

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import WordCompleter
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style

from bot import messages as msg
from bot.adapters.chat_lines import local_reply, quits, typed_input
from bot.adapters.render import terminal_width, wrap
from bot.assistant import Assistant
from bot.dialogue.inputs import Command
from bot.dialogue.state import DialogueState, Reply

__all__ = ["default_history_path", "run_repl"]

_STYLE = Style.from_dict(
    {
        "prompt": "ansigreen bold",
        "bot": "ansicyan",
        "question": "ansiyellow bold",
        "info": "ansigray",
    }
)


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
    assistant: Assistant,
    *,
    history_path: Path | None,
    input: Input | None = None,
    output: Output | None = None,
) -> list[Reply]:
    """The interactive loop until /quitter, Ctrl-D or goodbye; returns the replies given."""
    questions = sorted({q.question for q in assistant.questions()})
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
        if quits(line):
            show(msg.REPL_BYE, "class:info")
            break
        handled = local_reply(state, line)
        if handled is not None:
            show(handled.text, "class:info")
            continue
        event = typed_input(state, line)
        state, reply = assistant.step(state, event)
        if event is Command.SOURCES:
            show(reply.text, "class:info")  # about the last reply, not a reply of its own
            continue
        replies.append(reply)
        show(reply.text)
        if reply.ended:
            break
    return replies
