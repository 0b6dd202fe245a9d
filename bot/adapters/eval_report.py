"""`vmbot eval`: the accuracy report as rich tables or JSON, and its exit code."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from bot import messages as msg
from bot.adapters.exit_codes import EXIT_BELOW_MIN, EXIT_USAGE
from bot.assembly import checkout_root
from bot.engine import Bot
from bot.evaluation import Report, cross_validate, evaluate
from bot.loading import load_eval_set

__all__ = ["french_number", "french_percent", "parse_share", "run_eval"]


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # rich exits with 1 when the reader leaves ("vmbot eval | head"); the command
        # line treats that as the normal end it is.
        self.quiet = True
        raise BrokenPipeError


def french_number(value: float, digits: int = 2) -> str:
    """A decimal as French writes it.

    >>> french_number(0.5), french_number(12.3456, 1)
    ('0,50', '12,3')
    """
    return f"{value:.{digits}f}".replace(".", ",")


def french_percent(share: float) -> str:
    """A share as a French percentage (narrow no-break space before %).

    >>> french_percent(0.97)
    '97,0\u202f%'
    """
    return f"{french_number(share * 100, 1)}\u202f%"


def parse_share(text: str) -> float:
    """A threshold given as a share or a percentage: "0.97", "0,97", "97", "97 %".

    >>> parse_share("0,97"), parse_share("97 %"), parse_share("97")
    (0.97, 0.97, 0.97)
    """
    cleaned = text.replace("\u202f", "").replace(" ", "").replace(",", ".")
    percent = cleaned.endswith("%")
    value = float(cleaned.rstrip("%"))
    if percent or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise ValueError(text)
    return round(value, 6)


# Sets smaller than this finish before a progress bar would help.
_PROGRESS_FROM = 500
_SHOWN_CONFUSIONS = 10


def run_eval(
    bot: Bot,
    file: Path | None,
    *,
    as_json: bool,
    min_accuracy: float | None,
    folds: int | None,
) -> int:
    """Evaluate, print the report, and return the exit code."""
    console = _Console(stderr=False, highlight=False)
    if folds is not None:
        if not 2 <= folds <= 20:
            print(msg.CLI_EVAL_BAD_FOLDS, file=sys.stderr)
            return EXIT_USAGE
        report = cross_validate(bot, folds)
        source = msg.EVAL_CV_SOURCE.format(k=folds)
    else:
        path = file or checkout_root() / "tests" / "data" / "eval_questions.yaml"
        if file is None and not path.is_file():
            print(msg.CLI_EVAL_NEEDS_FILE, file=sys.stderr)
            return EXIT_USAGE
        items = load_eval_set(path, set(bot.catalog.intents))
        source = str(path)
        if len(items) >= _PROGRESS_FROM and not as_json and console.is_terminal:
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task(msg.EVAL_PROGRESS, total=len(items))
                report = evaluate(bot.ask, items, progress=lambda: progress.advance(task))
        else:
            report = evaluate(bot.ask, items)
    if as_json:
        print(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    else:
        _print(console, report, source)
    if min_accuracy is not None and report.accuracy < min_accuracy:
        print(
            msg.EVAL_BELOW_MIN.format(
                accuracy=french_percent(report.accuracy), minimum=french_percent(min_accuracy)
            ),
            file=sys.stderr,
        )
        return EXIT_BELOW_MIN
    return 0


def report_json(report: Report) -> dict[str, Any]:
    """The report as JSON: the keys scripts rely on, then the counts."""
    data = asdict(report)
    data["confusions"] = [{"expected": e, "got": g, "count": n} for e, g, n in report.confusions]
    return data


def _print(console: Console, report: Report, source: str) -> None:
    console.print(msg.EVAL_TITLE.format(source=escape(source)), style="bold")
    console.print(
        msg.EVAL_SUMMARY.format(
            accuracy=french_percent(report.accuracy),
            in_scope=report.in_scope,
            rejection=french_percent(report.out_of_scope_rejection),
            out_of_scope=report.out_of_scope,
            macro_f1=french_number(report.macro_f1, 3),
            p50=french_number(report.latency_ms["p50"]),
            p99=french_number(report.latency_ms["p99"]),
        )
    )
    table = Table(title=msg.EVAL_PER_INTENT, title_justify="left")
    for i, column in enumerate(msg.EVAL_COLUMNS):
        table.add_column(column, justify="left" if i == 0 else "right")
    for s in sorted(report.per_intent, key=lambda s: (s.f1, s.intent)):
        table.add_row(
            s.intent,
            french_number(s.precision),
            french_number(s.recall),
            french_number(s.f1),
            str(s.support),
        )
    console.print(table)
    if report.per_style:
        styles = Table(title=msg.EVAL_PER_STYLE, title_justify="left")
        for i, column in enumerate(msg.EVAL_STYLE_COLUMNS):
            styles.add_column(column, justify="left" if i == 0 else "right")
        for row in report.per_style:
            styles.add_row(
                row.style,
                str(row.in_scope),
                french_number(row.accuracy, 3) if row.in_scope else "-",
                str(row.out_of_scope),
                french_number(row.rejection, 3) if row.out_of_scope else "-",
            )
        console.print(styles)
    if report.confusions:
        confusions = Table(title=msg.EVAL_CONFUSIONS, title_justify="left")
        for column in msg.EVAL_CONFUSION_COLUMNS:
            confusions.add_column(column)
        for expected, got, count in report.confusions[:_SHOWN_CONFUSIONS]:
            shown_got = msg.EVAL_NO_ANSWER if got == "null" else got
            confusions.add_row(_name(expected), shown_got, str(count))
        console.print(confusions)
    if report.errors:
        errors = Table(title=msg.EVAL_ERRORS, title_justify="left")
        for column in msg.EVAL_ERROR_COLUMNS:
            errors.add_column(column, overflow="fold")
        for miss in report.errors:
            errors.add_row(
                str(miss.line) if miss.line else "",
                escape(miss.question),
                " | ".join(miss.expected) or msg.EVAL_NONE,
                miss.got or msg.EVAL_NO_ANSWER,
                french_number(miss.confidence),
            )
        console.print(errors)


def _name(intent: str) -> str:
    return msg.EVAL_NONE if intent == "null" else intent
