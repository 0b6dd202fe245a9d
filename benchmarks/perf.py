"""Latency, throughput, start-up and memory of the FAQ engine.

Run: python benchmarks/perf.py   (warm the cache first with one `vmbot ask`)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bot.assembly import load_bot
from bot.loading import load_eval_set

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    bot = load_bot()
    questions = [
        item.question
        for item in load_eval_set(
            ROOT / "tests" / "data" / "eval_questions.yaml", set(bot.catalog.intents)
        )
    ]
    for q in questions:  # warm the typo-correction memo as a long-lived process would
        bot.ask(q)
    timings = []
    for _ in range(5):
        for q in questions:
            start = time.perf_counter()
            bot.ask(q)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(0.99 * (len(timings) - 1))]
    batch = "\n".join(questions * 10).encode() + b"\n"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"], input=batch, capture_output=True, check=True
    )
    throughput = len(questions) * 10 / (time.perf_counter() - start)
    walls = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "ask", "c'est quoi docker ?"],
            capture_output=True,
            check=True,
        )
        walls.append(time.perf_counter() - start)
    # The child reports its own peak: RUSAGE_CHILDREN would count this process's
    # pages, inherited by the fork before exec.
    probe = (
        "import resource, sys; from bot.adapters.cli import main; main(['ask', 'docker ?']); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
    )
    child = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, check=True, text=True
    )
    rss_mb = int(child.stderr.split()[-1]) / 1024
    print(
        json.dumps(
            {
                "questions": len(questions),
                "latency_ms": {"p50": round(p50, 3), "p99": round(p99, 3)},
                "batch_questions_per_s": round(throughput),
                "ask_wall_s_median": round(statistics.median(walls), 3),
                "vmbot_ask_peak_rss_mb": round(rss_mb, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
