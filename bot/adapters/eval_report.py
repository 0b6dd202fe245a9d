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
from bot.engine import Bot, checkout_root
from bot.evaluation import Report, cross_validate, evaluate
from bot.loading import load_eval_set

__all__ = ["run_eval"]

EXIT_BELOW_MIN, EXIT_USAGE = 3, 2
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
    console = Console(stderr=False, highlight=False)
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
            msg.EVAL_BELOW_MIN.format(accuracy=report.accuracy, minimum=min_accuracy),
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
            accuracy=report.accuracy,
            in_scope=report.in_scope,
            rejection=report.out_of_scope_rejection,
            out_of_scope=report.out_of_scope,
            macro_f1=report.macro_f1,
            p50=report.latency_ms["p50"],
            p99=report.latency_ms["p99"],
        )
    )
    table = Table(title=msg.EVAL_PER_INTENT, title_justify="left")
    for i, column in enumerate(msg.EVAL_COLUMNS):
        table.add_column(column, justify="left" if i == 0 else "right")
    for s in sorted(report.per_intent, key=lambda s: (s.f1, s.intent)):
        table.add_row(
            s.intent, f"{s.precision:.2f}", f"{s.recall:.2f}", f"{s.f1:.2f}", str(s.support)
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
                f"{row.accuracy:.3f}" if row.in_scope else "-",
                str(row.out_of_scope),
                f"{row.rejection:.3f}" if row.out_of_scope else "-",
            )
        console.print(styles)
    if report.confusions:
        confusions = Table(title=msg.EVAL_CONFUSIONS, title_justify="left")
        for column in msg.EVAL_CONFUSION_COLUMNS:
            confusions.add_column(column)
        for expected, got, count in report.confusions[:_SHOWN_CONFUSIONS]:
            confusions.add_row(_name(expected), _name(got), str(count))
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
                miss.got or msg.EVAL_NONE,
                f"{miss.confidence:.2f}",
            )
        console.print(errors)


def _name(intent: str) -> str:
    return msg.EVAL_NONE if intent == "null" else intent
