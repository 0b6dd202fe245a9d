"""The advisor's `next_question` with every criterion open, against another revision's.

    python benchmarks/advisor_speed.py [--base REVISION] [--calls N]

CPU time per call, median of N calls: this checkout's with its memo emptied before each
call (cold) and kept (warm, as in a conversation), and REVISION's advisor module loaded
from `git show` in this process (the same criteria, the same answers: none).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from bot.dialogue import advisor
from bot.domain import Criterion
from bot.loading import load_catalog, load_corpus

ROOT = Path(__file__).resolve().parent.parent


def revision_advisor(revision: str) -> ModuleType:
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:bot/dialogue/advisor.py"],
        capture_output=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "advisor_base.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("advisor_base", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def per_call_ms(call: Callable[[], object], calls: int, before: Callable[[], None]) -> float:
    times = []
    for _ in range(calls):
        before()
        start = time.thread_time()
        call()
        times.append((time.thread_time() - start) * 1000)
    return round(statistics.median(times), 4)


def forget() -> None:
    for memo in (advisor._totals, advisor._chances, advisor._remaining):
        memo.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="HEAD")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    catalog = load_catalog(ROOT / "intents", load_corpus(ROOT / "corpus"))
    criteria: list[Criterion] = list(catalog.criteria.values())
    base = revision_advisor(args.base)
    same = base.next_question(criteria, {}) == advisor.next_question(criteria, {})
    result = {
        "open_criteria": len(criteria),
        "same_choice": same,
        "base_ms": per_call_ms(lambda: base.next_question(criteria, {}), args.calls, lambda: None),
        "cold_ms": per_call_ms(lambda: advisor.next_question(criteria, {}), args.calls, forget),
        "warm_ms": per_call_ms(
            lambda: advisor.next_question(criteria, {}), args.calls, lambda: None
        ),
    }
    print(json.dumps({"base_revision": args.base, **result}, indent=2))


if __name__ == "__main__":
    main()
