"""Per-question latency, batch throughput and start-up, side by side with another revision.

    python benchmarks/perf.py [--base REVISION] [--runs N]
    python benchmarks/perf.py --startup [--base REVISION] [--runs N]

In one run, alternately, each version (this checkout and REVISION, default HEAD,
exported by `git archive`, each with its own warm cache) is measured:
- latency: in a fresh process, every question of every labelled set asked one by one
  after a warm-up pass ("seen": memos warm), then the perturbed questions never asked
  before ("new"); CPU and wall time per question, p50 and p99;
- batch: `vmbot ask --json` as a whole process on 10,000 distinct questions made from
  the labelled sets with light perturbations (typos, accents, case, fillers);
and the baseline (benchmarks/baseline.py, TF-IDF + logistic regression) answers the
same 10,000 questions in one vectorised call, in this process. Figures are medians over
the runs: the machine is shared, only ratios within one run mean much. Peak memory is
each process's own (VmHWM).

`--startup` measures instead the warm start: `vmbot ask "c'est quoi docker ?"` as a
whole process, each run paired with a process that only imports numpy, rapidfuzz and
yaml (the floor of any vmbot start-up), both versions compiled to bytecode first as an
installed package is.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import subprocess
import sys
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from versions import ROOT, Timing, Version, current, exported, medians, run_cli, run_python

BATCH = 10_000
SEED = 12
# Run in the version's own interpreter: p50 and p99 of each question asked alone.
LATENCY_PROBE = """
import json, sys, time
from bot.assembly import load_bot
bot = load_bot()
given = json.load(sys.stdin)
for q in given["seen"]:  # warm-up: memos, allocator, caches, as a long-lived process
    bot.ask(q)
def timed(questions):
    cpu, wall = [], []
    for q in questions:
        c, w = time.thread_time(), time.perf_counter()
        bot.ask(q)
        cpu.append((time.thread_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return cpu, wall
def at(values, share):
    values = sorted(values)
    return values[int(share * (len(values) - 1))]
out = {}
for name, questions in (("seen", given["seen"] * 2), ("new", given["new"])):
    cpu, wall = timed(questions)
    out.update({f"{name}_cpu_p50": at(cpu, 0.5), f"{name}_cpu_p99": at(cpu, 0.99),
                f"{name}_wall_p50": at(wall, 0.5), f"{name}_wall_p99": at(wall, 0.99)})
print(json.dumps(out))
"""
STARTUP_QUESTION = "c'est quoi docker ?"
# What every start of vmbot imports anyway: the floor the start-up is compared with.
REFERENCE = "import numpy, rapidfuzz, yaml\ncode = 0\n"
FILLERS = ("stp", "svp", "merci", "bonjour,", "dis-moi", "au fait", "???", "!")


def labelled_questions() -> list[str]:
    """Every question of every labelled set (the pinned ones), each once."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from pin_answers import labelled_sets, questions

    return list(dict.fromkeys(q for path in labelled_sets() for q in questions(path)))


def _perturbed(question: str, rng: random.Random) -> str:
    words = question.split()
    change = rng.randrange(6)
    if change == 0 and words:  # a typo: two letters swapped or one dropped
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 3:
            j = rng.randrange(len(w) - 1)
            words[i] = (
                w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.5 else w[:j] + w[j + 1 :]
            )
    elif change == 1:  # no accents
        words = [
            "".join(c for c in unicodedata.normalize("NFD", w) if not unicodedata.combining(c))
            for w in words
        ]
    elif change == 2:
        words = [w.lower() for w in words]
    elif change == 3:
        words.insert(rng.randrange(len(words) + 1), rng.choice(FILLERS))
    elif change == 4 and len(words) > 3:
        del words[rng.randrange(len(words))]
    else:
        words = [w.rstrip("?!.") for w in words]
    return " ".join(words)


def distinct_questions(count: int = BATCH, seed: int = SEED) -> list[str]:
    """`count` distinct questions: the labelled ones, then perturbed ones (1 to 3 changes)."""
    rng = random.Random(seed)
    source = labelled_questions()
    out = dict.fromkeys(source)
    while len(out) < count:
        q = rng.choice(source)
        for _ in range(rng.randint(1, 3)):
            q = _perturbed(q, rng)
        if q.strip():
            out.setdefault(q)
    return list(out)[:count]


def latency(version: Version, seen: Sequence[str], new: Sequence[str]) -> dict[str, float]:
    """Per-question times: of the labelled questions asked again after a warm-up pass
    (memos warm), and of questions never asked before in the process."""
    done = subprocess.run(
        [sys.executable, "-c", LATENCY_PROBE],
        input=json.dumps({"seen": list(seen), "new": list(new)}).encode(),
        capture_output=True,
        check=True,
        env=version.env(),
        cwd=version.root,
    )
    return json.loads(done.stdout.decode().splitlines()[-1])  # type: ignore[no-any-return]


def baseline_batch_s(questions: list[str]) -> float:
    """Seconds the baseline takes to answer all questions in one vectorised call."""
    from baseline import Baseline, fit, read_catalog

    from bot.domain import IntentKind
    from bot.training import training_pairs

    catalog = read_catalog()
    rejecting = frozenset(
        i.id for i in catalog.intents.values() if i.kind is IntentKind.OUT_OF_SCOPE
    )
    model = Baseline(fit(training_pairs(catalog)), rejecting, threshold=0.5)
    model.ask_batch(questions[:100])
    start = time.perf_counter()
    model.ask_batch(questions)
    return time.perf_counter() - start


def run(base_revision: str, runs: int, this_revision: str | None = None) -> dict[str, Any]:
    base = exported(base_revision)
    this = exported(this_revision) if this_revision else current(base.root / ".cache-this")
    versions = {"base": base, "this": this}
    asked = labelled_questions()
    batch = distinct_questions()
    stdin = ("\n".join(batch) + "\n").encode()
    outputs = {key: run_cli(v, ["ask", "--json"], stdin)[0] for key, v in versions.items()}
    lat: dict[str, list[dict[str, float]]] = {"base": [], "this": []}
    whole: dict[str, list[Timing]] = {"base": [], "this": []}
    for _ in range(runs):
        for key, version in versions.items():
            lat[key].append(latency(version, asked, batch[len(asked) :]))
            whole[key].append(run_cli(version, ["ask", "--json"], stdin)[1])
    baseline_s = statistics.median(baseline_batch_s(batch) for _ in range(runs))
    result: dict[str, Any] = {
        "machine": f"{platform.processor() or platform.machine()}, {_cpu_model()}",
        "runs": runs,
        "base_revision": base_revision,
        "this_revision": this_revision or "working tree",
        "questions_timed_alone": len(asked),
        "batch_questions": len(batch),
        "same_batch_output": outputs["base"] == outputs["this"],
    }
    for key in versions:
        ms = {m: round(statistics.median(r[m] for r in lat[key]), 4) for m in lat[key][0]}
        process = medians(whole[key])
        result[key] = {
            "latency_ms": ms,
            "batch_process": process,
            "batch_questions_per_s_wall": round(len(batch) / process["wall_s"]),
            "batch_questions_per_s_cpu": round(len(batch) / process["cpu_s"]),
        }
    result["baseline_vectorised_batch_questions_per_s"] = round(len(batch) / baseline_s)
    return result


def startup(base_revision: str, runs: int, this_revision: str | None = None) -> dict[str, Any]:
    """Warm `vmbot ask` of both versions, whole processes, paired in each run with the
    reference process: medians, and the median of each run's ratio to the reference."""
    base = exported(base_revision)
    this = exported(this_revision) if this_revision else current(base.root / ".cache-this")
    versions = {"base": base, "this": this}
    ask = ["ask", STARTUP_QUESTION]
    for version in versions.values():
        # As installed: pip compiles the package to bytecode (this environment may
        # forbid writing it at import, PYTHONDONTWRITEBYTECODE).
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(version.root / "bot")], check=True
        )
        run_cli(version, ask, b"")  # the cache, warm
    reference: list[Timing] = []
    whole: dict[str, list[Timing]] = {key: [] for key in versions}
    for _ in range(runs):
        reference.append(run_python(this, REFERENCE)[1])
        for key, version in versions.items():
            whole[key].append(run_cli(version, ask, b"")[1])
    result: dict[str, Any] = {
        "machine": f"{platform.processor() or platform.machine()}, {_cpu_model()}",
        "runs": runs,
        "base_revision": base_revision,
        "this_revision": this_revision or "working tree",
        "command": f'vmbot ask "{STARTUP_QUESTION}"',
        "reference": {"program": "import numpy, rapidfuzz, yaml", **medians(reference)},
    }
    for key in versions:
        ratios = [t.wall_s / r.wall_s for t, r in zip(whole[key], reference, strict=True)]
        result[key] = medians(whole[key]) | {
            "wall_ratio_to_reference": round(statistics.median(ratios), 2)
        }
    return result


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="HEAD", help="the revision to compare with")
    parser.add_argument("--this", default=None, help="a revision instead of the working tree")
    parser.add_argument("--runs", type=int, default=None, help="default: 3, 10 for --startup")
    parser.add_argument("--startup", action="store_true", help="measure the warm start only")
    args = parser.parse_args()
    if args.startup:
        result = startup(args.base, args.runs or 10, args.this)
    else:
        result = run(args.base, args.runs or 3, args.this)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
