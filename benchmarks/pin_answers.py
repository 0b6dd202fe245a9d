"""Pin what the bot answers to every question of every labelled set.

The pin (tests/pinned_answers.json) holds, per set and per question, the intent, the
kind and the confidence rounded to 3 places; tests/test_pinned_answers.py asks the
same questions and compares, so that a change meant to be invisible (speed) is seen
to be. After a change meant to alter answers (understanding), regenerate it:

    VMBOT_CACHE_DIR=/tmp/vmcache-pin .venv/bin/python benchmarks/pin_answers.py

and review `git diff tests/pinned_answers.json`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from bot.domain import Answer
from bot.loading.schema import SAFE_LOADER

ROOT = Path(__file__).resolve().parent.parent
PIN = ROOT / "tests" / "pinned_answers.json"
PLACES = 3


def labelled_sets() -> list[Path]:
    """Every labelled question set: the test set and the benchmarks' question sets."""
    return sorted(
        [
            *(ROOT / "tests" / "data").glob("*.yaml"),
            *(ROOT / "benchmarks" / "data").glob("*_questions.yaml"),
        ]
    )


def questions(path: Path) -> list[str]:
    """The questions of a labelled set, as written."""
    # libyaml, as the bot reads its data: a tenth of the pure-Python parser's time.
    text = path.read_text(encoding="utf-8")
    return [str(entry["q"]) for entry in yaml.load(text, Loader=SAFE_LOADER)]


def pinned(answer: Answer) -> dict[str, Any]:
    """What the pin keeps of an answer."""
    return {
        "q": answer.question,
        "intent": answer.intent,
        "kind": answer.kind.value,
        "confidence": round(answer.confidence, PLACES),
    }


def set_name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def pins(answer_all: Callable[[list[str]], Iterable[Answer]]) -> dict[str, list[dict[str, Any]]]:
    """The pinned answers of every labelled set, answered by `answer_all`."""
    return {
        set_name(path): [pinned(a) for a in answer_all(questions(path))] for path in labelled_sets()
    }


def dumps(result: dict[str, list[dict[str, Any]]]) -> str:
    """The pin as JSON, one answer a line: a regenerated pin diffs question by question."""
    sets = [
        f"{json.dumps(name)}: [\n"
        + ",\n".join(f"  {json.dumps(a, ensure_ascii=False)}" for a in answers)
        + "\n]"
        for name, answers in result.items()
    ]
    return "{\n" + ",\n".join(sets) + "\n}\n"


def main() -> None:
    from bot.assembly import load_bot

    bot = load_bot()
    result = pins(lambda qs: [bot.ask(q) for q in qs])
    PIN.write_text(dumps(result), encoding="utf-8")
    print(f"{sum(map(len, result.values()))} answers pinned in {PIN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
