"""How the engine's per-question latency and memory grow with the number of training examples.

Catalogs of 1x, 10x and 100x today's example count: the real intents plus
synthetic ones (new ids), each copying a real intent's shape (kind, example
count, answer, sources) with its examples recombined and perturbed: words
swapped for words of other real examples, two topic words of its own, random
typos. The engine is built on each with the real corpus and the real lemma
table (analysis never calls spaCy) and timed on the same 300 questions (the
labelled questions, cycled): p50/p99 of `bot.ask`, warm, in this process.

The typos go through the lemma table, as they would after a real build (which
gives a typo of a frequent form that form's lemma, `_absorb_typos`): each typed
form is added to the table with its word's lemma. Otherwise every synthetic
typo would reach the analyzer's typo corrector at each analysis, a cost the
real data never has.

Each scale runs in its own process, so that its peak resident memory (VmHWM)
is its own; latencies are the medians of RUNS timed passes (p50 and p99 of each
pass). The softmax model is not trained past 1x: `train_softmax` keeps dense
features x classes weights (several GB at 100x) for 150 full-batch epochs (see
the estimate printed). Every scale therefore gets a stand-in of the same shape,
classes x features, whose weights are class centroids: a question costs the
same in it. The 1x row with the trained model shows the stand-in changes
nothing to speed.

Run: VMBOT_CACHE_DIR=/tmp/vmcache-bench python benchmarks/scaling.py [--json]
(several minutes; at 100x the stand-in's dense weights, 23 GB of address space, no
longer fit the shared machine's free memory: the 1 December run was killed).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import statistics
import string
import subprocess
import sys
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
from bot.nlp.lemmas import LemmaTable
from bot.nlp.text import fold, tokenize

ROOT = Path(__file__).resolve().parent.parent
EVAL_SET = ROOT / "tests" / "data" / "eval_questions.yaml"
FACTORS = (1, 10, 100)
QUESTIONS = 300
RUNS = 5  # timed passes per scale: latencies are their medians
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


def perturb(
    text: str,
    topic: Sequence[str],
    vocabulary: Sequence[str],
    rng: random.Random,
    typed: dict[str, str],
) -> str:
    """The text with words swapped, the topic words inserted and typos made; each
    typo's folded form is noted in `typed` with the folded word it misspells."""
    words = [rng.choice(vocabulary) if rng.random() < REPLACE_WORD else w for w in text.split()]
    for word in topic:
        words.insert(rng.randrange(len(words) + 1), word)
    out = []
    for word in words:
        forms = tokenize(fold(word))
        # One token per word (no elision, no hyphen): its typo is one token as well.
        if len(forms) == 1 and len(forms[0]) >= 4 and rng.random() < TYPO:
            word = typo(forms[0], rng)
            typed.setdefault(word, forms[0])
        out.append(word)
    return " ".join(out)


def synthetic_intents(
    catalog: Catalog, typed: dict[str, str], seed: int = SEED
) -> Iterator[Intent]:
    """Endless new intents, each shaped on a real in-scope one, round robin; their
    typos noted in `typed` (typed form -> folded word)."""
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
            question=perturb(template.question, topic, vocabulary, rng, typed),
            examples=tuple(perturb(e, topic, vocabulary, rng, typed) for e in template.examples),
            file="<synthetic>",
        )


def scaled(catalog: Catalog, factor: int, typed: dict[str, str]) -> Catalog:
    """The real catalog plus synthetic intents up to `factor` times its training pairs;
    their typos noted in `typed`."""
    target = factor * len(training_pairs(catalog))
    intents = dict(catalog.intents)
    count = len(training_pairs(catalog))
    source = synthetic_intents(catalog, typed)
    while count < target:
        intent = next(source)
        intents[intent.id] = intent
        count += 1 + len(intent.examples)
    return replace(catalog, intents=intents)


def with_typos(table: LemmaTable, typed: dict[str, str], lemma: Callable[[str], str]) -> LemmaTable:
    """The table with each typed form given its word's `lemma`, as a build over these
    examples would give it; forms the table already knows keep their own."""
    lemmas = table.lemmas
    added = {form: lemma(word) for form, word in typed.items() if form not in lemmas}
    return replace(table, lemmas={**lemmas, **added})


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


def timed(call: Callable[[str], object], questions: Sequence[str]) -> dict[str, list[float]]:
    """CPU and wall milliseconds per call, one pass over the questions."""
    cpu, wall = [], []
    for q in questions:
        c, w = time.thread_time(), time.perf_counter()
        call(q)
        cpu.append((time.thread_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return {"cpu": cpu, "wall": wall}


def median_runs(runs: Sequence[dict[str, list[float]]]) -> dict[str, float]:
    """The median over the runs of each run's p50 and p99, CPU and wall."""
    out = {}
    for clock in ("cpu", "wall"):
        per_run = [quantiles(r[clock]) for r in runs]
        for q in ("p50", "p99"):
            out[f"{clock}_{q}"] = round(statistics.median(r[q] for r in per_run), 3)
    return out


def unseen(questions: Sequence[str], run: int) -> list[str]:
    """The questions with one typo each, different at each run: the bot remembers the
    texts it read, so a run of questions it has seen would time its memos."""
    rng = random.Random(f"{SEED}-{run}")
    out = []
    for q in questions:
        words = q.split()
        long = [i for i, w in enumerate(words) if len(w) >= 4]
        if long:
            i = rng.choice(long)
            words[i] = typo(words[i], rng)
        out.append(" ".join(words))
    return out


def measure(bot: Bot, questions: Sequence[str]) -> dict[str, Any]:
    """Latency of `ask` (warm, questions never asked before), a per-stage breakdown,
    and how often a synthetic intent wins."""
    answers = [bot.ask(q) for q in questions]  # warm-up, as a long-lived process
    latency = median_runs([timed(bot.ask, unseen(questions, r)) for r in range(RUNS)])
    analyses = {q: bot.analyzer.analyze(q) for q in questions}
    terms = {q: a.terms for q, a in analyses.items()}
    weights, model = bot.ranker.weights, bot.ranker.model

    def stage(call: Callable[[str], object]) -> float:
        return median_runs([timed(call, questions) for _ in range(RUNS)])["cpu_p50"]

    return {
        "latency_ms": latency,
        "stage_p50_ms": {
            # Analyses are remembered per text: the analysis stage times fresh texts.
            "analysis": median_runs(
                [timed(bot.analyzer.analyze, unseen(questions, RUNS + r)) for r in range(RUNS)]
            )["cpu_p50"],
            "coverage": stage(lambda q: weights.coverage(terms[q])),
            # The row and the product, not the probabilities the model remembers.
            "softmax": stage(lambda q: model.probabilities_of_row(*model.row(analyses[q]))),
        },
        "answered_synthetic": round(
            sum(1 for a in answers if (a.intent or "").startswith("synth_")) / len(answers), 3
        ),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def questions_of(bot: Bot) -> list[str]:
    labelled = [i.question for i in load_eval_set(EVAL_SET, set(bot.catalog.intents))]
    return list(itertools.islice(itertools.cycle(labelled), QUESTIONS))


def trained_row() -> dict[str, Any]:
    """1x with the trained softmax model: training time, latency, peak memory."""
    real = load_bot()
    base = real.catalog
    analyzer = Analyzer(real.analyzer.table, base.lexicon, base.grammar, real.words)
    samples = [(i, analyzer.analyze(t)) for i, t in training_pairs(base)]
    start = time.perf_counter()
    model = train_softmax(samples)
    train_s = time.perf_counter() - start
    start = time.perf_counter()
    trained = Bot(
        corpus=real.corpus,
        catalog=base,
        table=real.analyzer.table,
        words=real.words,
        index=Index(model=model),
        settings=real.settings,
    )
    return {
        "scale": "1x (trained model)",
        "intents": len(base.intents),
        "examples": len(samples),
        "features": len(model.index),
        "build_s": round(time.perf_counter() - start, 2),
        "model_s": round(train_s, 2),
        **measure(trained, questions_of(real)),
        "peak_rss_mb": peak_rss_mb(),
    }


def scaled_row(factor: int) -> dict[str, Any]:
    """`factor` times the examples, with the centroid stand-in model."""
    real = load_bot()
    typed: dict[str, str] = {}
    catalog = scaled(real.catalog, factor, typed)
    table = with_typos(real.analyzer.table, typed, real.analyzer.lemma)
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
    return {
        "scale": f"{factor}x",
        "intents": len(catalog.intents),
        "examples": len(pairs),
        "features": len(model.index),
        "typos_in_table": len(table.lemmas) - len(real.analyzer.table.lemmas),
        "build_s": round(build_s, 2),
        "model_s": round(model_s, 2),
        "dense_weights_mb": round(len(model.index) * len(model.classes) * 4 / 2**20, 1),
        **measure(bot, questions_of(real)),
        "peak_rss_mb": peak_rss_mb(),
    }


def in_own_process(scale: str) -> dict[str, Any]:
    """One scale measured by a fresh interpreter: its peak memory is its own."""
    done = subprocess.run(
        [sys.executable, __file__, "--scale", scale, "--json"],
        check=True,
        stdout=subprocess.PIPE,  # its errors reach this process's stderr
        text=True,
    )
    row: dict[str, Any] = json.loads(done.stdout)
    return row


def run() -> dict[str, Any]:
    rows = [in_own_process(s) for s in ("trained", *map(str, FACTORS))]
    return {
        "questions": QUESTIONS,
        "runs": RUNS,
        "rows": rows,
        "growth": growth(rows[1:]),
        "training_estimate": training_estimate(rows, rows[0]["model_s"]),
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
            ratio = b["latency_ms"][f"cpu_{q}"] / a["latency_ms"][f"cpu_{q}"]
            entry[q] = round(ratio, 2)
            entry[f"{q}_slope"] = round(math.log(ratio) / math.log(examples), 2)
        out.append(entry)
    return out


def training_estimate(rows: Sequence[dict[str, Any]], train_s: float) -> list[dict[str, Any]]:
    """What train_softmax would cost: time ~ examples x features x classes (a rough bound),
    memory of its dense weights and moments."""
    real = rows[0]
    work = real["examples"] * real["features"] * real["intents"]
    return [
        {
            "scale": r["scale"],
            "train_s_estimate": round(
                train_s * r["examples"] * r["features"] * r["intents"] / work
            ),
            # Its weights and its two Adam moments, dense float32.
            "dense_weights_gb": round(3 * r["features"] * r["intents"] * 4 / 2**30, 2),
        }
        for r in rows[1:]
    ]


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"{result['questions']} questions, {result['runs']} warm passes per scale (each in "
        "its own process): medians of each pass's p50 and p99.",
        "",
        "| scale | intents | examples | features | build (s) | model (s) | CPU p50 (ms) "
        "| CPU p99 | wall p50 | wall p99 | analysis p50 | coverage p50 | softmax p50 "
        "| peak RSS (MB) | synthetic answers |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        stages = r["stage_p50_ms"]
        build = r["build_s"]
        lines.append(
            f"| {r['scale']} | {r['intents']:,} | {r['examples']:,} | {r['features']:,} "
            f"| {build:.2f} | {r['model_s']:.2f} "
            f"| {r['latency_ms']['cpu_p50']:.3f} | {r['latency_ms']['cpu_p99']:.3f} "
            f"| {r['latency_ms']['wall_p50']:.3f} | {r['latency_ms']['wall_p99']:.3f} "
            f"| {stages['analysis']:.3f} | {stages['coverage']:.3f} | {stages['softmax']:.3f} "
            f"| {r['peak_rss_mb']:,.0f} | {r['answered_synthetic']:.1%} |"
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
        "| scale | est. training (s) | weights + Adam moments (GB) |",
        "|---|---:|---:|",
    ]
    for e in result["training_estimate"]:
        lines.append(f"| {e['scale']} | {e['train_s_estimate']:,} | {e['dense_weights_gb']} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument(
        "--scale", choices=["trained", *map(str, FACTORS)], help="measure this scale only"
    )
    args = parser.parse_args(argv)
    if args.scale is not None:
        row = trained_row() if args.scale == "trained" else scaled_row(int(args.scale))
        print(json.dumps(row, indent=2) if args.json else row)
        return
    result = run()
    print(json.dumps(result, indent=2) if args.json else markdown(result))


if __name__ == "__main__":
    main()
