"""Scores a labelled question set through `vmbot ask --json`, per style, as a user sees it.

The bot is run as a black box (one process, one question per line), like the
held-out sets are, so the same script measures any checkout:

    python benchmarks/questions.py benchmarks/data/fresh_questions.yaml
    python benchmarks/questions.py FILE --vmbot /other/checkout/.venv/bin/vmbot

Per question: in scope, right = the reply's `intent` is an expected one (an answer,
or the first of a clarifying question's choices); reached = answered right or the
right intent among the choices offered; out of scope, rejected = a fallback. A
fallback that says "sort de mon domaine" to a question of the domain is counted apart.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

OFF_DOMAIN = "sort de mon domaine"  # the wording of checkouts without `reason`
CLARIFYING = ("clarify", "ambiguous")


@dataclass(frozen=True, kw_only=True)
class Item:
    question: str
    expected: frozenset[str]
    style: str
    oos: str | None  # "domain" or "other" when out of scope


@dataclass(frozen=True, kw_only=True)
class Outcome:
    item: Item
    reply: dict[str, Any]

    @property
    def right(self) -> bool:
        if not self.item.expected:
            return bool(self.reply["kind"] == "fallback")
        return bool(self.reply["kind"] != "fallback" and self.reply["intent"] in self.item.expected)

    @property
    def reached(self) -> bool:
        if not self.item.expected:
            return self.right
        offered = set(self.reply.get("choices") or ())
        return self.right or (
            self.reply["kind"] in CLARIFYING and bool(offered & self.item.expected)
        )

    @property
    def wrongly_off_domain(self) -> bool:
        """A question of the domain told it is outside the domain."""
        in_domain = bool(self.item.expected) or self.item.oos == "domain"
        return in_domain and self.reply["kind"] == "fallback" and OFF_DOMAIN in self.reply["answer"]


def load_items(path: Path) -> list[Item]:
    """The labelled items of a `{q, intent, style, oos}` list; ValueError names a bad one."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = []
    for n, entry in enumerate(raw, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("q"), str):
            raise ValueError(f"{path}: item {n} has no question")
        intent = entry.get("intent")
        expected = frozenset(
            [] if intent is None else [intent] if isinstance(intent, str) else intent
        )
        items.append(
            Item(
                question=" ".join(entry["q"].split()),
                expected=expected,
                style=str(entry.get("style", "plain")),
                oos=entry.get("oos"),
            )
        )
    return items


def ask_all(vmbot: list[str], questions: list[str]) -> list[dict[str, Any]]:
    """One `vmbot ask --json` process for all questions; one JSON reply per line."""
    done = subprocess.run(
        [*vmbot, "ask", "--json"],
        input="\n".join(questions) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    replies = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    if len(replies) != len(questions):
        raise RuntimeError(f"{len(questions)} questions, {len(replies)} replies")
    return replies


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    """Overall figures and one row per style."""
    ins = [o for o in outcomes if o.item.expected]
    oos = [o for o in outcomes if not o.item.expected]
    by_style: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_style[o.item.style].append(o)

    def share(rows: list[Outcome], attr: str) -> float | None:
        return round(sum(getattr(o, attr) for o in rows) / len(rows), 3) if rows else None

    styles = {}
    for style, rows in sorted(by_style.items()):
        in_rows = [o for o in rows if o.item.expected]
        out_rows = [o for o in rows if not o.item.expected]
        styles[style] = {
            "n": len(rows),
            "in_scope": len(in_rows),
            "accuracy": share(in_rows, "right"),
            "out_of_scope": len(out_rows),
            "rejection": share(out_rows, "right"),
            "all_right": share(rows, "right"),
        }
    return {
        "in_scope": len(ins),
        "accuracy": share(ins, "right"),
        "reached": share(ins, "reached"),
        "clarified": share([o for o in ins if o.reply["kind"] in CLARIFYING], "reached"),
        "clarify_rate": round(sum(o.reply["kind"] in CLARIFYING for o in ins) / len(ins), 3)
        if ins
        else None,
        "out_of_scope": len(oos),
        "rejection": share(oos, "right"),
        "wrongly_off_domain": sum(o.wrongly_off_domain for o in outcomes),
        "styles": styles,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--vmbot", help="vmbot executable (default: this Python's -m bot)")
    parser.add_argument("--misses", action="store_true", help="list the wrong replies")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    vmbot = [args.vmbot] if args.vmbot else [sys.executable, "-m", "bot"]
    items = load_items(args.file)
    replies = ask_all(vmbot, [i.question for i in items])
    outcomes = [Outcome(item=i, reply=r) for i, r in zip(items, replies, strict=True)]
    result = summary(outcomes)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        _print(result)
    if args.misses:
        for o in outcomes:
            if not o.right:
                expected = ",".join(sorted(o.item.expected)) or "null"
                got = o.reply["intent"] if o.reply["kind"] != "fallback" else "null"
                print(
                    f"[{o.item.style}] {expected} <- {got} ({o.reply['kind']}, "
                    f"{o.reply['confidence']:.2f}) {o.item.question}"
                )
    return 0


def _print(result: dict[str, Any]) -> None:
    print(
        f"in scope {result['accuracy']} of {result['in_scope']} (reached {result['reached']}, "
        f"clarify rate {result['clarify_rate']}); out of scope rejected {result['rejection']} "
        f"of {result['out_of_scope']}; domain told off-domain: {result['wrongly_off_domain']}"
    )
    print(f"{'style':<12} {'n':>4} {'in':>4} {'acc':>6} {'oos':>4} {'rej':>6} {'all':>6}")
    for style, row in result["styles"].items():
        acc = "-" if row["accuracy"] is None else f"{row['accuracy']:.3f}"
        rej = "-" if row["rejection"] is None else f"{row['rejection']:.3f}"
        print(
            f"{style:<12} {row['n']:>4} {row['in_scope']:>4} {acc:>6} {row['out_of_scope']:>4} "
            f"{rej:>6} {row['all_right']:>6.3f}"
        )


if __name__ == "__main__":
    sys.exit(main())
