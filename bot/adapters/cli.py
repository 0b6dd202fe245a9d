"""`vmbot` on the command line: argument parsing, input decoding, printing, exit codes."""

from __future__ import annotations

import argparse
import re
import select
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from bot import __version__
from bot import messages as msg
from bot.adapters import terminal
from bot.adapters.exit_codes import EXIT_DATA, EXIT_OK, EXIT_STOPPED, EXIT_USAGE
from bot.adapters.french_args import FrenchParser
from bot.adapters.render import answer_json, json_line, terminal_width, wrap
from bot.domain import AnswerKind
from bot.errors import DataError, DataMissingError, NlpModelError

if TYPE_CHECKING:
    from bot.assistant import Assistant

__all__ = ["main"]


def load_assistant(data: Path | None) -> Assistant:
    """The assistant over `data` (or the default data). The engine and numpy are
    imported here, when a command answers: help, the version and a usage error start
    without them, in a third of the time."""
    from bot.assembly import load_assistant as load

    return load(data)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    terminal.fit_streams()
    terminal.report_cache_on_stderr()
    parser = _parser()
    given = sys.argv[1:] if argv is None else argv
    args = parser.parse_args([terminal.readable(a) for a in given])
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    command: Callable[[argparse.Namespace], int] = args.run
    try:
        return command(args)
    except BrokenPipeError:
        terminal.silence_stdout()  # the reader left ("vmbot faq | head"): nothing to say
        return EXIT_OK
    except OSError as exc:
        if not terminal.is_output_error(exc):
            raise
        terminal.silence_stdout()
        print(msg.CLI_OUTPUT_ERROR.format(error=terminal.describe(exc)), file=sys.stderr)
        return EXIT_DATA
    except DataError as exc:
        missing = isinstance(exc, DataMissingError)
        print(msg.DATA_MISSING_HEADER if missing else msg.DATA_ERRORS_HEADER, file=sys.stderr)
        for problem in exc.problems:
            print(f"- {problem}", file=sys.stderr)
        if missing:
            print(msg.DATA_MISSING_HINT, file=sys.stderr)
        return EXIT_DATA
    except NlpModelError as exc:
        print(msg.CLI_NLP_MODEL_ERROR.format(error=exc), file=sys.stderr)
        return EXIT_DATA
    except KeyboardInterrupt:
        print(msg.CLI_INTERRUPTED, file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = FrenchParser(prog="vmbot", description=msg.CLI_DESCRIPTION)
    parser.add_argument(
        "--data", type=Path, default=None, metavar="DOSSIER", help=msg.CLI_DATA_HELP
    )
    parser.add_argument(
        "--version", action="version", version=f"vmbot {__version__}", help=msg.CLI_VERSION_HELP
    )
    # `vmbot ask --data DIR` works as well as `vmbot --data DIR ask`.
    common = FrenchParser(add_help=False)
    common.add_argument(
        "--data", type=Path, default=argparse.SUPPRESS, metavar="DOSSIER", help=msg.CLI_DATA_HELP
    )

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text, parents=[common])

    sub = parser.add_subparsers(dest="command", parser_class=FrenchParser)
    ask = command("ask", msg.CLI_ASK_HELP)
    ask.add_argument("question", nargs="*", help=msg.CLI_QUESTION_HELP)
    ask.add_argument("--json", action="store_true", help=msg.CLI_JSON_HELP)
    ask.add_argument("--sources", action="store_true", help=msg.CLI_SOURCES_HELP)
    ask.set_defaults(run=_ask)
    faq = command("faq", msg.CLI_FAQ_HELP)
    faq.set_defaults(run=_faq)
    chat = command("chat", msg.CLI_CHAT_HELP)
    chat.add_argument("--json", action="store_true", help=msg.CLI_CHAT_JSON_HELP)
    chat.set_defaults(run=_chat)
    ev = command("eval", msg.CLI_EVAL_HELP)
    ev.add_argument(
        "file", nargs="?", type=Path, default=None, metavar="FICHIER", help=msg.CLI_EVAL_FILE_HELP
    )
    ev.add_argument("--json", action="store_true", help=msg.CLI_EVAL_JSON_HELP)
    ev.add_argument(
        "--min-accuracy", type=_share, default=None, metavar="SEUIL", help=msg.CLI_EVAL_MIN_HELP
    )
    ev.add_argument(
        "--cross-validate", type=int, default=None, metavar="K", help=msg.CLI_EVAL_CV_HELP
    )
    ev.set_defaults(run=_eval)
    slack = command("slack", msg.CLI_SLACK_HELP)
    slack.add_argument("--http", action="store_true", help=msg.CLI_SLACK_HTTP_HELP)
    slack.add_argument("--host", default="0.0.0.0", metavar="ADRESSE", help=msg.CLI_SLACK_HOST_HELP)
    slack.add_argument("--port", type=_port, default=3000, help=msg.CLI_SLACK_PORT_HELP)
    slack.add_argument("--store", metavar="URL", help=msg.CLI_SLACK_STORE_HELP)
    slack.add_argument(
        "--workers", type=_workers, default=1, metavar="N", help=msg.CLI_SLACK_WORKERS_HELP
    )
    slack.set_defaults(run=_slack)
    return parser


def _ask(args: argparse.Namespace) -> int:
    bot = load_assistant(args.data)
    if args.question:
        _print_answer(bot, " ".join(args.question), as_json=args.json, sources=args.sources)
        return EXIT_OK
    stdin = terminal.stdin_bytes()
    if stdin is None:
        print(msg.CLI_ASK_STDIN_CLOSED, file=sys.stderr)
        return EXIT_USAGE
    if sys.stdin.isatty():
        print(msg.CLI_ASK_WAITING, file=sys.stderr)
    # Blank lines get the empty-question answer too: output line n answers input line n.
    lines = read_lines(stdin, sys.stderr, keep_blank=True)
    if args.json:
        for batch in _arrived(lines, stdin):
            for answer in bot.ask_many(batch):
                print(json_line(answer_json(answer)))
            sys.stdout.flush()
        return EXIT_OK
    for question in lines:
        if not args.json:
            print(msg.CLI_ASK_ECHO.format(question=question))
        _print_answer(bot, question, as_json=args.json, sources=args.sources)
        if not args.json:
            print()  # a blank line between one answer and the next question
    return EXIT_OK


def _arrived(lines: Iterator[str], stream: BinaryIO) -> Iterator[list[str]]:
    """The lines in batches of what has already arrived (at most as many as the engine
    analyses before answering them, one sparse product each): a file is answered in
    large batches, while a program that writes one line and waits gets its answer at
    once."""
    from bot.engine import ASKED_TOGETHER  # loaded with the assistant already

    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= ASKED_TOGETHER or not _readable(stream):
            yield batch
            batch = []
    if batch:
        yield batch


def _readable(stream: BinaryIO) -> bool:
    """Whether reading the stream now would not wait (more data, or its end)."""
    try:
        return bool(select.select([stream], [], [], 0)[0])
    except (OSError, ValueError):  # no file descriptor (in memory): all of it is there
        return True


def read_lines(stream: BinaryIO, errors: TextIO, *, keep_blank: bool = False) -> Iterator[str]:
    """Decoded lines of a byte stream; an undecodable line is reported and replaced, not fatal."""
    for number, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            print(msg.CLI_BAD_INPUT_LINE.format(line=number), file=errors)
            line = raw.decode("utf-8", errors="replace")
        line = line.rstrip("\r\n")
        if keep_blank or line.strip():
            yield line


def _print_answer(bot: Assistant, question: str, *, as_json: bool, sources: bool) -> None:
    answer = bot.ask(question)
    if as_json:
        print(json_line(answer_json(answer)), flush=True)
        return
    text = answer.text
    if answer.kind is AnswerKind.CLARIFY:
        # No conversation to answer "1" in: each choice as the command that asks it.
        commands = [f"  vmbot ask {_shell_quoted(bot.question(c))}" for c in answer.choices]
        text = "\n".join([msg.CLARIFY, *commands])
    print(wrap(text, terminal_width()) if sys.stdout.isatty() else text)
    if sources and answer.intent is not None:
        print()
        print(bot.sources_text(answer.sources))
    sys.stdout.flush()


def _shell_quoted(text: str) -> str:
    """The text as one shell word, in double quotes when that is safe: French
    apostrophes read better than shlex's '"'"'."""
    import shlex

    return shlex.quote(text) if re.search(r'[\\"$`!]', text) else f'"{text}"'


def _faq(args: argparse.Namespace) -> int:
    bot = load_assistant(args.data)
    out = [msg.FAQ_TITLE, "", msg.FAQ_INTRO]
    for known in bot.questions():
        if not known.sources:
            continue
        out += ["", f"## {known.question}", "", known.answer, "", msg.FAQ_SOURCES, ""]
        for cited in bot.citations(known.sources):
            # An excerpt spanning paragraphs stays one list item: Markdown would end
            # the item (and the quote) at its first blank line.
            excerpt = " ".join(cited.excerpt.split())
            out.append(
                msg.FAQ_SOURCE_LINE.format(
                    title=cited.title, origin=cited.origin, passage=cited.passage, excerpt=excerpt
                )
            )
    print("\n".join(out))
    return EXIT_OK


def _chat(args: argparse.Namespace) -> int:
    from bot.adapters.chat_lines import chat_lines

    stdin = terminal.stdin_bytes()
    if stdin is None:
        print(msg.CLI_CHAT_STDIN_CLOSED, file=sys.stderr)
        return EXIT_USAGE
    assistant = load_assistant(args.data)
    if sys.stdin.isatty() and sys.stdout.isatty() and not args.json:
        from bot.adapters.repl import default_history_path, run_repl  # a terminal: 80 ms

        run_repl(assistant, history_path=default_history_path())
    else:
        chat_lines(assistant, read_lines(stdin, sys.stderr), sys.stdout, as_json=args.json)
    return EXIT_OK


def _eval(args: argparse.Namespace) -> int:
    from bot.adapters.eval_report import run_eval
    from bot.assembly import load_bot

    return run_eval(
        load_bot(args.data),
        args.file,
        as_json=args.json,
        min_accuracy=args.min_accuracy,
        folds=args.cross_validate,
    )


def _share(value: str) -> float:
    from bot.adapters.eval_report import parse_share

    try:
        return parse_share(value)
    except ValueError:
        raise argparse.ArgumentTypeError(msg.CLI_EVAL_BAD_SHARE.format(value=value)) from None


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(msg.CLI_SLACK_BAD_PORT.format(value=value))
    return int(value)


def _workers(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise argparse.ArgumentTypeError(msg.CLI_SLACK_BAD_WORKERS.format(value=value))
    return int(value)


def _slack(args: argparse.Namespace) -> int:
    import os

    from bot.adapters import slack
    from bot.assembly import load_conversation
    from bot.errors import StoreUnavailable, StoreUrlError
    from bot.stores import default_store_url, open_store

    try:
        settings = slack.settings_from_env(os.environ, http=args.http)
        store_url = args.store or os.environ.get("VMBOT_STORE") or default_store_url()
        if args.workers > 1 and store_url.strip().startswith("memory:"):
            raise StoreUrlError(msg.CLI_SLACK_WORKERS_MEMORY)
        store = open_store(store_url)
    except (slack.SlackConfigError, StoreUrlError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except StoreUnavailable as exc:
        print(exc, file=sys.stderr)
        return EXIT_DATA
    conversation = load_conversation(args.data)
    try:
        if args.data is not None:
            os.environ["VMBOT_DATA"] = str(args.data)  # for the workers, if any
        slack.run(
            conversation,
            settings,
            http=args.http,
            host=args.host,
            port=args.port,
            store=store,
            workers=args.workers,
            store_url=store_url,
        )
    except slack.SlackStartError as exc:
        print(exc, file=sys.stderr)
        return EXIT_DATA
    except slack.Stopped:
        print(msg.CLI_STOPPED, file=sys.stderr)
        return EXIT_STOPPED
    return EXIT_OK
