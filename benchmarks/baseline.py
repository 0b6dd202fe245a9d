"""Our engine against a TF-IDF + logistic regression baseline, on the same labelled questions.

Both systems learn from the same (intent, text) pairs, `training_pairs(catalog)`,
out-of-scope class included, and both get their rejection threshold from the
same rule as benchmarks/calibrate.py: the best balanced accuracy on the
development set, benchmarks/data/dev_questions.yaml. 5-fold cross-validation over
the intent examples (`bot.training.cv_splits`) is reported alongside. The labelled
set only scores; it chooses nothing.

The baseline rejects a question when its most probable class is an out-of-scope
class or when that probability is under its threshold.

Run (from the checkout, scikit-learn installed: `pip install -e '.[bench]'`):

    VMBOT_CACHE_DIR=/tmp/vmcache-bench python benchmarks/baseline.py [--json]

Start-up and peak memory come from fresh `python -c` subprocesses that load,
then answer every labelled question; ours is measured with a warm cache.
About one minute on two cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.calibration import best_threshold
from bot.domain import Answer, AnswerKind, Catalog, IntentKind
from bot.loading import load_catalog, load_corpus
from bot.training import cv_splits, training_pairs

if TYPE_CHECKING:
    from bot.engine import Bot
    from bot.evaluation import Report
    from bot.loading import EvalItem

ROOT = Path(__file__).resolve().parent.parent
EVAL_SET = ROOT / "tests" / "data" / "eval_questions.yaml"
DEV_SET = ROOT / "benchmarks" / "data" / "dev_questions.yaml"
LATENCY_PASSES = 5
PROBES = 3

PEAK_KB = """
import resource
def peak_kb():
    # VmHWM: this process image's peak. ru_maxrss would also count the parent's pages,
    # since Linux carries the high-water mark of the forked image across exec.
    try:
        status = open("/proc/self/status").read().split("VmHWM:")[1]
        return int(status.split()[0])
    except (OSError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""
# Run in fresh interpreters (cwd: the checkout); the questions come as JSON on stdin.
OURS_PROBE = (
    PEAK_KB
    + """
import json, sys, time
t0 = time.perf_counter()
from bot.assembly import load_bot
t1 = time.perf_counter()
bot = load_bot()
t2 = time.perf_counter()
for q in json.load(sys.stdin):
    bot.ask(q)
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "fit_s": 0.0,
                  "rss_kb": peak_kb()}))
"""
)
BASELINE_PROBE = (
    PEAK_KB
    + """
import json, sys, time
t0 = time.perf_counter()
import sklearn.feature_extraction.text, sklearn.linear_model, sklearn.pipeline
t1 = time.perf_counter()
from benchmarks.baseline import make_baseline, read_catalog
from bot.training import training_pairs
pairs = training_pairs(read_catalog())
t2 = time.perf_counter()
model = make_baseline().fit([t for _, t in pairs], [i for i, _ in pairs])
t3 = time.perf_counter()
model.predict_proba(json.load(sys.stdin))
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "fit_s": t3 - t2,
                  "rss_kb": peak_kb()}))
"""
)


def read_catalog() -> Catalog:
    """The intents as the engine loads them (YAML only: no spaCy, no engine)."""
    return load_catalog(ROOT / "intents", load_corpus(ROOT / "corpus"))


def make_baseline() -> Any:
    """Word 1-2-grams + char_wb 2-5-grams TF-IDF, then a logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    strip_accents="unicode",
                    lowercase=True,
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    strip_accents="unicode",
                ),
            ),
        ]
    )
    return Pipeline([("features", features), ("model", LogisticRegression(max_iter=2000, C=10))])


def fit(pairs: Sequence[tuple[str, str]]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a ConvergenceWarning would only add noise
        return make_baseline().fit([t for _, t in pairs], [i for i, _ in pairs])


@dataclass(frozen=True, kw_only=True)
class Scored:
    """One held-out example: in scope, top class right, top confidence, rejected by class."""

    in_scope: bool
    right: bool
    confidence: float
    rejected: bool


def choose_threshold(scored: Sequence[Scored]) -> tuple[float, float, float, float]:
    """calibrate.py's rule: (balanced accuracy, threshold, in-scope acc, rejection)."""
    threshold, acc, rej = best_threshold(
        (s.in_scope, s.right, s.confidence, s.rejected) for s in scored
    )
    return (acc + rej) / 2, threshold, acc, rej


def cross_validated(
    catalog: Catalog, score_fold: Callable[[list[tuple[str, str]], list[tuple[str, str]]], Any]
) -> list[Scored]:
    """5 folds of the examples, as calibrate.py deals them (bot.training.cv_splits)."""
    scored: list[Scored] = []
    for training, held in cv_splits(catalog, 5):
        scored += score_fold(training, held)
    return scored


def baseline_fold(rejecting: frozenset[str]) -> Callable[..., list[Scored]]:
    def score(train: list[tuple[str, str]], test: list[tuple[str, str]]) -> list[Scored]:
        model = fit(train)
        probabilities = model.predict_proba([t for _, t in test])
        classes = list(model.classes_)
        out = []
        for (intent, _), row in zip(test, probabilities, strict=True):
            top = classes[int(row.argmax())]
            out.append(
                Scored(
                    in_scope=intent not in rejecting,
                    right=top == intent,
                    confidence=float(row.max()),
                    rejected=top in rejecting,
                )
            )
        return out

    return score


def baseline_on(model: Any, items: Sequence[EvalItem], rejecting: frozenset[str]) -> list[Scored]:
    """The fitted baseline on labelled questions (the development set)."""
    probabilities = model.predict_proba([item.question for item in items])
    classes = list(model.classes_)
    out = []
    for item, row in zip(items, probabilities, strict=True):
        top = classes[int(row.argmax())]
        out.append(
            Scored(
                in_scope=bool(item.expected),
                right=top in item.expected,
                confidence=float(row.max()),
                rejected=top in rejecting,
            )
        )
    return out


def ours_fold(bot: Bot, rejecting: frozenset[str]) -> Callable[..., list[Scored]]:
    def score(train: list[tuple[str, str]], test: list[tuple[str, str]]) -> list[Scored]:
        trained = bot.retrained(train)
        out = []
        for intent, text in test:
            ranking = trained.rank(text)
            top = ranking.matches[0] if ranking.matches else None
            out.append(
                Scored(
                    in_scope=intent not in rejecting,
                    right=top is not None and top.intent == intent,
                    confidence=top.confidence if top else 0.0,
                    rejected=ranking.out_of_scope,
                )
            )
        return out

    return score


class Baseline:
    """The fitted pipeline behind the engine's `ask` signature."""

    def __init__(self, model: Any, rejecting: frozenset[str], threshold: float) -> None:
        self.model = model
        self.classes = list(model.classes_)
        self.rejecting = rejecting
        self.threshold = threshold

    def ask(self, question: str) -> Answer:
        return self.decide(question, self.model.predict_proba([question])[0])

    def ask_batch(self, questions: list[str]) -> list[Answer]:
        rows = self.model.predict_proba(questions)
        return [self.decide(q, row) for q, row in zip(questions, rows, strict=True)]

    def decide(self, question: str, row: Any) -> Answer:
        top = self.classes[int(row.argmax())]
        confidence = float(row.max())
        if top in self.rejecting or confidence < self.threshold:
            return Answer(
                question=question,
                kind=AnswerKind.FALLBACK,
                intent=None,
                confidence=confidence,
                text="",
            )
        return Answer(
            question=question, kind=AnswerKind.ANSWER, intent=top, confidence=confidence, text=""
        )


def latency_ms(ask: Callable[[str], Answer], questions: Sequence[str]) -> dict[str, float]:
    """p50 and p99 over LATENCY_PASSES warm passes, each question timed alone."""
    for q in questions:  # warm-up: memos, allocator, caches
        ask(q)
    timings = []
    for _ in range(LATENCY_PASSES):
        for q in questions:
            start = time.perf_counter()
            ask(q)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "p50": round(statistics.median(timings), 3),
        "p99": round(timings[int(0.99 * (len(timings) - 1))], 3),
    }


def throughput(answer_all: Callable[[list[str]], object], batch: list[str]) -> float:
    start = time.perf_counter()
    answer_all(batch)
    return len(batch) / (time.perf_counter() - start)


def probe(code: str, questions: Sequence[str]) -> dict[str, float]:
    """Median start-up and largest peak RSS over PROBES fresh interpreters."""
    runs = []
    for _ in range(PROBES):
        start = time.perf_counter()
        child = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(list(questions)),
            capture_output=True,
            check=True,
            text=True,
            cwd=ROOT,
        )
        wall = time.perf_counter() - start
        runs.append({**json.loads(child.stdout.strip().splitlines()[-1]), "wall_s": wall})
    startup = [r["import_s"] + r["load_s"] + r["fit_s"] for r in runs]
    return {
        "startup_s": round(statistics.median(startup), 3),
        "import_s": round(statistics.median(r["import_s"] for r in runs), 3),
        "load_s": round(statistics.median(r["load_s"] for r in runs), 3),
        "fit_s": round(statistics.median(r["fit_s"] for r in runs), 3),
        "process_wall_s": round(statistics.median(r["wall_s"] for r in runs), 3),
        "peak_rss_mb": round(max(r["rss_kb"] for r in runs) / 1024, 1),
    }


def summary(
    report: Report, cv: tuple[float, float, float, float], threshold: float
) -> dict[str, Any]:
    return {
        "threshold": threshold,
        "cv_threshold": cv[1],
        "cv_balanced_accuracy": round(cv[0], 4),
        "cv_in_scope": round(cv[2], 4),
        "cv_rejection": round(cv[3], 4),
        "accuracy": round(report.accuracy, 4),
        "out_of_scope_rejection": round(report.out_of_scope_rejection, 4),
        "balanced_accuracy": round((report.accuracy + report.out_of_scope_rejection) / 2, 4),
        "macro_f1": round(report.macro_f1, 4),
    }


def run() -> dict[str, Any]:
    from bot.assembly import load_bot
    from bot.evaluation import evaluate
    from bot.loading import load_eval_set

    bot = load_bot()  # warms the cache the start-up probe reads back
    catalog = bot.catalog
    pairs = training_pairs(catalog)
    rejecting = frozenset(
        i.id for i in catalog.intents.values() if i.kind is IntentKind.OUT_OF_SCOPE
    )
    items: list[EvalItem] = load_eval_set(EVAL_SET, set(catalog.intents))
    questions = [item.question for item in items]
    from perf import distinct_questions  # a script beside this one

    # Distinct questions: repeats would only measure memos.
    batch = distinct_questions()

    ours_cv = choose_threshold(cross_validated(catalog, ours_fold(bot, rejecting)))
    base_cv = choose_threshold(cross_validated(catalog, baseline_fold(rejecting)))
    start = time.perf_counter()
    model = fit(pairs)
    fit_in_process = time.perf_counter() - start
    dev_items = load_eval_set(DEV_SET, set(catalog.intents))
    base_dev = choose_threshold(baseline_on(model, dev_items, rejecting))
    baseline = Baseline(model, rejecting, base_dev[1])

    systems: dict[str, dict[str, Any]] = {}
    for name, ask, answer_all, threshold, cv, code in (
        (
            "ours",
            bot.ask,
            bot.ask_many,
            bot.settings.threshold,
            ours_cv,
            OURS_PROBE,
        ),
        (
            "baseline",
            baseline.ask,
            baseline.ask_batch,
            baseline.threshold,
            base_cv,
            BASELINE_PROBE,
        ),
    ):
        for q in questions:  # warm
            ask(q)
        report = evaluate(ask, items)
        systems[name] = {
            **summary(report, cv, threshold),
            "latency_ms": latency_ms(ask, questions),
            "batch_questions_per_s": round(throughput(answer_all, batch)),
            **probe(code, questions),
        }
    systems["baseline"]["fit_in_process_s"] = round(fit_in_process, 3)
    return {
        "training_pairs": len(pairs),
        "intents": len(catalog.intents),
        "labelled_questions": len(items),
        "in_scope": sum(1 for i in items if i.expected),
        "out_of_scope": sum(1 for i in items if not i.expected),
        "systems": systems,
    }


def markdown(result: dict[str, Any]) -> str:
    ours, base = result["systems"]["ours"], result["systems"]["baseline"]
    rows = [
        ("in-scope accuracy", "accuracy", "{:.3f}"),
        ("out-of-scope rejection", "out_of_scope_rejection", "{:.3f}"),
        ("balanced accuracy", "balanced_accuracy", "{:.3f}"),
        ("macro-F1", "macro_f1", "{:.3f}"),
        ("threshold used", "threshold", "{:.2f}"),
        ("threshold by 5-fold CV", "cv_threshold", "{:.2f}"),
        ("CV balanced accuracy", "cv_balanced_accuracy", "{:.3f}"),
        ("CV in-scope accuracy", "cv_in_scope", "{:.3f}"),
        ("CV out-of-scope rejection", "cv_rejection", "{:.3f}"),
        ("batch throughput (q/s)", "batch_questions_per_s", "{:,}"),
        ("start-up, import + load + fit (s)", "startup_s", "{:.3f}"),
        ("  of which import (s)", "import_s", "{:.3f}"),
        ("  of which load (s)", "load_s", "{:.3f}"),
        ("  of which fit (s)", "fit_s", "{:.3f}"),
        ("process wall, load + answer all (s)", "process_wall_s", "{:.3f}"),
        ("peak RSS, load + answer all (MB)", "peak_rss_mb", "{:.1f}"),
    ]
    lines = [
        f"{result['labelled_questions']} labelled questions ({result['in_scope']} in scope, "
        f"{result['out_of_scope']} out of scope); {result['training_pairs']} training pairs, "
        f"{result['intents']} intents.",
        "",
        "| metric | ours | baseline (TF-IDF + LR) |",
        "|---|---:|---:|",
    ]
    for label, key, fmt in rows[:9]:
        lines.append(f"| {label} | {fmt.format(ours[key])} | {fmt.format(base[key])} |")
    for q in ("p50", "p99"):
        lines.append(
            f"| latency {q} (ms) | {ours['latency_ms'][q]:.3f} | {base['latency_ms'][q]:.3f} |"
        )
    for label, key, fmt in rows[9:]:
        lines.append(f"| {label} | {fmt.format(ours[key])} | {fmt.format(base[key])} |")
    lines += [
        "",
        "Latency: one question at a time, warm, in this process. Batch: 10,000 distinct "
        "questions (benchmarks/perf.py), ours through ask_many (one sparse product), the "
        "baseline's predict_proba once on the whole batch. Start-up: ours is "
        "load_bot() on a warm cache, the baseline fits at start; both include reading "
        "the YAML data. Thresholds: ours from EngineSettings (calibrate.py), the baseline's "
        "from the same rule, best balanced accuracy on the development set.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    result = run()
    print(json.dumps(result, indent=2) if args.json else markdown(result))


if __name__ == "__main__":
    main()
