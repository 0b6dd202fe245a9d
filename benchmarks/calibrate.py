"""Choose the confidence threshold without looking at the labelled test set.

Rule: the threshold that maximises the balanced accuracy, the mean of
(in-scope questions answered with their intent) and (out-of-scope questions
rejected), averaged over thresholds within 0.05 of it, on the development set
benchmarks/data/dev_questions.yaml: questions written by someone who never saw
the examples, like the users and the held-out set. 5-fold cross-validation over
the intent examples is printed alongside; it was the rule before the
development set existed. Run: python benchmarks/calibrate.py
"""

from __future__ import annotations

from pathlib import Path

from bot.calibration import Scored, best_threshold
from bot.domain import IntentKind
from bot.engine import Bot
from bot.loading import load_eval_set
from bot.training import cv_splits

DEV_SET = Path(__file__).parent / "data" / "dev_questions.yaml"


def cross_validated(bot: Bot) -> list[Scored]:
    rejecting = {i.id for i in bot.catalog.intents.values() if i.kind is IntentKind.OUT_OF_SCOPE}
    scored: list[Scored] = []
    for training, held in cv_splits(bot.catalog, 5):
        trained = bot.retrained(training)
        for intent, text in held:
            scored.append(_score(trained, text, {intent} - rejecting))
    return scored


def on_dev_set(bot: Bot) -> list[Scored]:
    items = load_eval_set(DEV_SET, set(bot.catalog.intents))
    return [_score(bot, item.question, set(item.expected)) for item in items]


def _score(bot: Bot, text: str, expected: set[str]) -> Scored:
    ranking = bot.rank(text)
    top = ranking.matches[0] if ranking.matches else None
    ok = top is not None and top.intent in expected
    return (bool(expected), ok, top.confidence if top else 0.0, ranking.out_of_scope)


def main() -> None:
    bot = Bot.from_paths()
    # Ranking ignores the threshold, so one bot scores every candidate threshold.
    for name, scored in (("dev_set", on_dev_set(bot)), ("cross_validation", cross_validated(bot))):
        threshold, acc, rej = best_threshold(scored)
        print(f"{name}: threshold={threshold:.2f} in_scope={acc:.3f} rejection={rej:.3f}")
    print(f"current threshold: {bot.settings.threshold:.2f} (the dev_set one is the rule)")


if __name__ == "__main__":
    main()
