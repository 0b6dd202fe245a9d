"""Choose the confidence threshold without looking at any test set.

Rule: 5-fold cross-validation over the intent examples (out-of-scope examples
included); the threshold is the one that maximises the balanced accuracy, the
mean of (in-scope examples answered with their intent) and (out-of-scope
examples rejected). Run: python benchmarks/calibrate.py
"""

from __future__ import annotations

from bot.domain import IntentKind
from bot.engine import Bot
from bot.training import cv_splits


def main() -> None:
    bot = Bot.from_paths()
    intents = bot.catalog.intents.values()
    rejecting = {i.id for i in intents if i.kind is IntentKind.OUT_OF_SCOPE}
    scored: list[tuple[bool, str | None, float, bool]] = []  # in scope, top, confidence, rejected
    for training, held in cv_splits(bot.catalog, 5):
        trained = bot.retrained(training)
        for intent, text in held:
            ranking = trained.rank(text)
            top = ranking.matches[0] if ranking.matches else None
            ok = top is not None and top.intent == intent
            scored.append(
                (
                    intent not in rejecting,
                    intent if ok else None,
                    top.confidence if top else 0.0,
                    ranking.out_of_scope,
                )
            )
    best = (0.0, 0.0, 0.0, 0.0)
    for step in range(5, 80):
        threshold = step / 100
        accepted = [ok is not None and c >= threshold and not r for s, ok, c, r in scored if s]
        rejected = [r or c < threshold for s, _, c, r in scored if not s]
        acc, rej = sum(accepted) / len(accepted), sum(rejected) / len(rejected)
        if (acc + rej) / 2 > best[0]:
            best = ((acc + rej) / 2, threshold, acc, rej)
    print(f"threshold={best[1]:.2f} cv_in_scope={best[2]:.3f} cv_rejection={best[3]:.3f}")


if __name__ == "__main__":
    main()
