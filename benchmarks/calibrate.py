"""Choose the two confidence thresholds on the development sets, never on a scoring set.

Above `threshold` the bot answers; between `clarify_threshold` and it, it asks
"Vouliez-vous dire : 1) ... 2) ... ?"; below, it falls back. The rule
(bot/calibration.py `best_bands`): among the pairs that reject at least 97% of the
out-of-scope questions (the sets flatter rejection: users should see 95%), the pair
of best smoothed in-scope score: accuracy (the reply's intent is right: an answer,
or a clarifying question whose first choice is right), plus half the share of
clarifying questions that offer the right intent further down, less a small cost
per clarifying question. The development sets:
benchmarks/data/dev_questions.yaml and dev_styles_questions.yaml, written by people
who never saw the examples. The confidence model's weights are fitted on them first.

Run: python benchmarks/calibrate.py [--sets NAME ...] [--check NAME ...]
(`--check`: development sets left out of the choice, scored with what it chose.)
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from bot.assembly import load_bot
from bot.calibration import Rates, best_bands, fit_logistic
from bot.domain import AnswerKind
from bot.engine import Bot
from bot.loading import EvalItem, load_eval_set
from bot.nlp.ranking import ConfidenceModel

DATA = Path(__file__).parent / "data"
DEV_SETS = (DATA / "dev_questions.yaml", DATA / "dev_styles_questions.yaml")
_LOW = [step / 100 for step in range(20, 61, 5)]
_HIGH = [step / 100 for step in range(30, 71, 5)]


def rates(bot: Bot, items: list[EvalItem]) -> Rates:
    """What the bot's current settings give on these items."""
    right = reached = clarified = rejected = 0
    in_scope = [i for i in items if i.expected]
    for item in items:
        answer = bot.ask(item.question)
        if not item.expected:
            rejected += answer.kind is AnswerKind.FALLBACK
            continue
        ok = answer.kind is not AnswerKind.FALLBACK and answer.intent in item.expected
        right += ok
        clarifying = answer.kind is AnswerKind.CLARIFY
        clarified += clarifying
        reached += ok or (clarifying and bool(item.expected & set(answer.choices)))
    n_in, n_out = max(len(in_scope), 1), max(len(items) - len(in_scope), 1)
    return Rates(
        accuracy=right / n_in,
        rejection=rejected / n_out,
        reached=reached / n_in,
        clarify_rate=clarified / n_in,
    )


def fit_confidence(bot: Bot, items: list[EvalItem]) -> ConfidenceModel:
    """The confidence model's weights: how the ranking's signals predict a right answer."""
    rows, labels = [], []
    for item in items:
        ranking = bot.rank(item.question)
        if ranking.signals is None:
            continue
        top = ranking.matches[0].intent
        rows.append(ranking.signals.vector())
        labels.append(not ranking.out_of_scope and top in item.expected)
    weights, bias = fit_logistic(rows, labels)
    return ConfidenceModel(weights=weights, bias=bias)


def _items(bot: Bot, paths: list[Path]) -> list[EvalItem]:
    return [i for path in paths for i in load_eval_set(path, set(bot.catalog.intents))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", help="development sets (name_questions.yaml)")
    parser.add_argument("--check", nargs="*", default=[], help="development sets left out")
    args = parser.parse_args()
    paths = [DATA / f"{n}_questions.yaml" for n in args.sets] if args.sets else list(DEV_SETS)
    bot = load_bot()
    items = _items(bot, paths)
    shipped = bot.settings
    model = fit_confidence(bot, items)
    print(f"confidence: {model}")
    bot.ranker.confidence = model
    current = replace(bot.settings, confidence=model)
    results: dict[tuple[float, float], Rates] = {}
    for low in _LOW:
        for high in _HIGH:
            if high < low:
                continue
            bot.settings = replace(current, clarify_threshold=low, threshold=high)
            results[(low, high)] = rates(bot, items)
    low, high = best_bands(results)
    best = results[(low, high)]
    print(
        f"dev sets ({len(items)} questions): clarify_threshold={low:.2f} threshold={high:.2f} "
        f"in_scope={best.accuracy:.3f} rejection={best.rejection:.3f} "
        f"reached={best.reached:.3f} clarify_rate={best.clarify_rate:.3f}"
    )
    chosen = replace(current, clarify_threshold=low, threshold=high)
    for name in args.check:
        left_out = _items(bot, [DATA / f"{name}_questions.yaml"])
        refit = replace(
            current, clarify_threshold=shipped.clarify_threshold, threshold=shipped.threshold
        )
        for label, settings in (("shipped", shipped), ("refit", refit), ("chosen", chosen)):
            bot.settings = settings
            bot.ranker.confidence = settings.confidence
            print(f"left out {name}, {label}: {rates(bot, left_out)}")
    now = results.get((current.clarify_threshold, current.threshold))
    if now is not None:
        print(
            f"current: clarify_threshold={current.clarify_threshold:.2f} "
            f"threshold={current.threshold:.2f} in_scope={now.accuracy:.3f} "
            f"rejection={now.rejection:.3f} reached={now.reached:.3f}"
        )


if __name__ == "__main__":
    main()
