"""How the engine's per-question latency grows with the number of training examples.

Catalogs of 1x, 10x and 100x today's example count: the real intents plus
synthetic ones (new ids), each copying a real intent's shape (kind, example
count, answer, sources) with its examples recombined and perturbed: words
swapped for words of other real examples, two topic words of its own, random
typos. The engine is built on each with the real corpus and the real lemma
table (analysis never calls spaCy) and timed on the same 300 questions (the
labelled questions, cycled): p50/p99 of `bot.ask`, warm, in this process.

The softmax model is not trained past 1x: `train_softmax` holds a dense
examples x features matrix and runs 150 full-batch epochs (see the estimate
printed). Every scale therefore gets a stand-in of the same shape, classes x
features, whose weights are class centroids: a question costs the same in it.
The 1x row with the trained model shows the stand-in changes nothing to speed.

Run: VMBOT_CACHE_DIR=/tmp/vmcache-bench python benchmarks/scaling.py [--json]
(about 3 minutes; 5 GB of memory at 100x, mostly the model's dense weights).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import statistics
import string
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from bot.assembly import load_bot
from bot.domain import Catalog, Intent, IntentKind
from bot.engine import Bot, Index, training_pairs
from bot.loading import load_eval_set
from bot.nlp.analyzer import Analysis, Analyzer
from bot.nlp.classifier import SoftmaxModel, features, sparse_row, train_softmax, vocabulary

ROOT = Path(__file__).resolve().parent.parent
EVAL_SET = ROOT / "tests" / "data" / "eval_questions.yaml"
FACTORS = (1, 10, 100)
QUESTIONS = 300
PASSES = 3
SEED = 0
REPLACE_WORD = 0.25  # chance that a word is swapped for a word of another example
TYPO = 0.15  # chance that a word of 4+ letters gets one edit
TOPIC_WORDS = 2
CENTROID_SCALE = 10.0  # logits of the stand-in: sharp enough to have a clear argmax


def typo(word: str, rng: random.Random) -> str:
    """One random edit: drop, swap, replace or insert a letter."""
    i = rng.randrange(len(word) - 1)
    letter = rng.choice(string.ascii_lowercase)
    return [
        word[:i] + word[i + 1 :],
        word[:i] + word[i + 1] + word[i] + word[i + 2 :],
        word[:i] + letter + word[i + 1 :],
        word[:i] + letter + word[i:],
    ][rng.randrange(4)]


def perturb(text: str, topic: Sequence[str], vocabulary: Sequence[str], rng: random.Random) -> str:
    words = [rng.choice(vocabulary) if rng.random() < REPLACE_WORD else w for w in text.split()]
    for word in topic:
        words.insert(rng.randrange(len(words) + 1), word)
    return " ".join(typo(w, rng) if len(w) >= 4 and rng.random() < TYPO else w for w in words)


def synthetic_intents(catalog: Catalog, seed: int = SEED) -> Iterator[Intent]:
    """Endless new intents, each shaped on a real in-scope one, round robin."""
    rng = random.Random(seed)
    templates = [i for i in catalog.intents.values() if i.kind is not IntentKind.OUT_OF_SCOPE]
    vocabulary = sorted({w for _, text in training_pairs(catalog) for w in text.split()})
    topics = [w for w in vocabulary if len(w) >= 4 and w.isalpha()]
    for n in itertools.count():
        template = templates[n % len(templates)]
        topic = rng.sample(topics, TOPIC_WORDS)
        yield replace(
            template,
            id=f"synth_{n:05d}",
            question=perturb(template.question, topic, vocabulary, rng),
            examples=tuple(perturb(e, topic, vocabulary, rng) for e in template.examples),
            file="<synthetic>",
        )


def scaled(catalog: Catalog, factor: int) -> Catalog:
    """The real catalog plus synthetic intents up to `factor` times its training pairs."""
    target = factor * len(training_pairs(catalog))
    intents = dict(catalog.intents)
    count = len(training_pairs(catalog))
    source = synthetic_intents(catalog)
    while count < target:
        intent = next(source)
        intents[intent.id] = intent
        count += 1 + len(intent.examples)
    return replace(catalog, intents=intents)


def stand_in_model(samples: Sequence[tuple[str, Analysis]]) -> SoftmaxModel:
    """A SoftmaxModel of the trained one's shape and features, weights = class centroids."""
    classes, index, idf = vocabulary(samples)
    class_index = {c: i for i, c in enumerate(classes)}
    sums: dict[tuple[int, int], float] = defaultdict(float)
    sizes: Counter[int] = Counter()
    for name, analysis in samples:
        column = class_index[name]
        sizes[column] += 1
        for col, v in zip(*sparse_row(features(analysis), index, idf), strict=True):
            sums[(col, column)] += v
    # np.zeros maps pages lazily: only the rows a class touches cost memory.
    weights = np.zeros((len(index), len(classes)), dtype=np.float32)
    if sums:
        keys = np.array(list(sums), dtype=np.int64)
        values = np.array(list(sums.values()), dtype=np.float32)
        values *= CENTROID_SCALE / np.array([sizes[int(c)] for c in keys[:, 1]], dtype=np.float32)
        weights[keys[:, 0], keys[:, 1]] = values
    return SoftmaxModel(
        classes=classes,
        index=index,
        idf=idf,
        weights=weights,
        bias=np.zeros(len(classes), dtype=np.float32),
    )


def quantiles(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "p50": round(statistics.median(ordered), 3),
        "p99": round(ordered[int(0.99 * (len(ordered) - 1))], 3),
    }


def timed(
    call: Callable[[str], object], questions: Sequence[str], passes: int = PASSES
) -> list[float]:
    out = []
    for _ in range(passes):
        for q in questions:
            start = time.perf_counter()
            call(q)
            out.append((time.perf_counter() - start) * 1000)
    return out


def measure(bot: Bot, questions: Sequence[str]) -> dict[str, Any]:
    """Latency of `ask` (warm), a per-stage breakdown, and how often a synthetic intent wins."""
    answers = [bot.ask(q) for q in questions]  # warm-up: the typo memo, as a long-lived process
    total = timed(bot.ask, questions)
    analyses = {q: bot.analyzer.analyze(q) for q in questions}
    terms = {q: a.terms for q, a in analyses.items()}
    weights, model = bot.ranker.weights, bot.ranker.model
    return {
        "latency_ms": quantiles(total),
        "stage_p50_ms": {
            "analysis": quantiles(timed(bot.analyzer.analyze, questions, 1))["p50"],
            "coverage": quantiles(timed(lambda q: weights.coverage(terms[q]), questions, 1))["p50"],
            # The row and the product, not the probabilities the model remembers.
            "softmax": quantiles(
                timed(lambda q: model.probabilities_of_row(*model.row(analyses[q])), questions, 1)
            )["p50"],
        },
        "answered_synthetic": round(
            sum(1 for a in answers if (a.intent or "").startswith("synth_")) / len(answers), 3
        ),
    }


def run() -> dict[str, Any]:
    real = load_bot()
    table = real.analyzer.table
    base = real.catalog
    base_pairs = len(training_pairs(base))
    labelled = [i.question for i in load_eval_set(EVAL_SET, set(base.intents))]
    questions = list(itertools.islice(itertools.cycle(labelled), QUESTIONS))

    analyzer = Analyzer(table, base.lexicon, base.grammar, real.words)
    samples = [(i, analyzer.analyze(t)) for i, t in training_pairs(base)]
    start = time.perf_counter()
    model = train_softmax(samples)
    train_s = time.perf_counter() - start
    start = time.perf_counter()
    trained = Bot(
        corpus=real.corpus,
        catalog=base,
        table=table,
        words=real.words,
        index=Index(model=model),
        settings=real.settings,
    )
    rows: list[dict[str, Any]] = [
        {
            "scale": "1x (trained model)",
            "intents": len(base.intents),
            "examples": base_pairs,
            "features": len(model.index),
            "build_s": round(time.perf_counter() - start, 2),
            "model_s": round(train_s, 2),
            **measure(trained, questions),
        }
    ]
    del trained
    for factor in FACTORS:
        catalog = scaled(base, factor)
        pairs = training_pairs(catalog)
        start = time.perf_counter()
        analyzer = Analyzer(table, catalog.lexicon, catalog.grammar, real.words)
        model = stand_in_model([(i, analyzer.analyze(t)) for i, t in pairs])
        model_s = time.perf_counter() - start
        start = time.perf_counter()
        bot = Bot(
            corpus=real.corpus,
            catalog=catalog,
            table=table,
            words=real.words,
            index=Index(model=model),
            settings=real.settings,
        )
        build_s = time.perf_counter() - start
        rows.append(
            {
                "scale": f"{factor}x",
                "intents": len(catalog.intents),
                "examples": len(pairs),
                "features": len(model.index),
                "build_s": round(build_s, 2),
                "model_s": round(model_s, 2),
                "dense_weights_mb": round(len(model.index) * len(model.classes) * 4 / 2**20, 1),
                **measure(bot, questions),
            }
        )
        del bot, model, analyzer
    return {
        "questions": len(questions),
        "passes": PASSES,
        "rows": rows,
        "growth": growth(rows[1:]),
        "training_estimate": training_estimate(rows, train_s),
    }


def growth(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Latency ratio against example ratio between successive scales; slope < 1: sub-linear."""
    out = []
    for a, b in itertools.pairwise(rows):
        examples = b["examples"] / a["examples"]
        entry: dict[str, Any] = {
            "from": a["scale"],
            "to": b["scale"],
            "examples": round(examples, 2),
        }
        for q in ("p50", "p99"):
            ratio = b["latency_ms"][q] / a["latency_ms"][q]
            entry[q] = round(ratio, 2)
            entry[f"{q}_slope"] = round(math.log(ratio) / math.log(examples), 2)
        out.append(entry)
    return out


def training_estimate(rows: Sequence[dict[str, Any]], train_s: float) -> list[dict[str, Any]]:
    """What train_softmax would cost: time ~ examples x features x classes, memory of x."""
    real = rows[0]
    work = real["examples"] * real["features"] * real["intents"]
    return [
        {
            "scale": r["scale"],
            "train_s_estimate": round(
                train_s * r["examples"] * r["features"] * r["intents"] / work
            ),
            "design_matrix_gb": round(r["examples"] * r["features"] * 4 / 2**30, 2),
        }
        for r in rows[1:]
    ]


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"{result['questions']} questions x {result['passes']} warm passes per scale "
        "(stages: 1 pass).",
        "",
        "| scale | intents | examples | features | build (s) | model (s) | p50 (ms) | p99 (ms) "
        "| analysis p50 | coverage p50 | softmax p50 | synthetic answers |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        stages = r["stage_p50_ms"]
        build = r["build_s"]
        lines.append(
            f"| {r['scale']} | {r['intents']:,} | {r['examples']:,} | {r['features']:,} "
            f"| {build:.2f} | {r['model_s']:.2f} "
            f"| {r['latency_ms']['p50']:.3f} | {r['latency_ms']['p99']:.3f} "
            f"| {stages['analysis']:.3f} | {stages['coverage']:.3f} | {stages['softmax']:.3f} "
            f"| {r['answered_synthetic']:.1%} |"
        )
    lines += [
        "",
        "Build: Bot(...) given the model (analysis of every example, word weights). Model: "
        "train_softmax for the trained row, else analysis + the centroid stand-in. Stage "
        "columns (ms): per-call p50 of "
        "analyzer.analyze, TermWeights.coverage and SoftmaxModel.probabilities.",
        "",
        "| growth | examples x | p50 x | p99 x | p50 slope | p99 slope |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for g in result["growth"]:
        lines.append(
            f"| {g['from']} -> {g['to']} | {g['examples']} | {g['p50']} | {g['p99']} "
            f"| {g['p50_slope']} | {g['p99_slope']} |"
        )
    lines += [
        "",
        "Slope = log(latency ratio) / log(example ratio): 1 is linear, below 1 sub-linear.",
        "",
        "train_softmax at these scales (extrapolated from the 1x training time; not run):",
        "",
        "| scale | est. training (s) | dense design matrix (GB) |",
        "|---|---:|---:|",
    ]
    for e in result["training_estimate"]:
        lines.append(f"| {e['scale']} | {e['train_s_estimate']:,} | {e['design_matrix_gb']} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    result = run()
    print(json.dumps(result, indent=2) if args.json else markdown(result))


if __name__ == "__main__":
    main()
