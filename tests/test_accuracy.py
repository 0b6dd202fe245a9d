"""Accuracy on the labelled set, written independently of the intent examples."""

from pathlib import Path

import pytest

from bot.engine import Bot
from bot.evaluation import Report, evaluate
from bot.loading import load_eval_set

EVAL_SET = Path(__file__).parent / "data" / "eval_questions.yaml"
DEV_SET = Path(__file__).parent.parent / "benchmarks" / "data" / "dev_questions.yaml"
CHECK_SET = DEV_SET.with_name("check_questions.yaml")


@pytest.fixture(scope="module")
def report(bot: Bot) -> Report:
    return evaluate(bot.ask, load_eval_set(EVAL_SET, set(bot.catalog.intents)))


def test_eval_set_is_large_enough_and_covers_every_intent(bot: Bot) -> None:
    items = load_eval_set(EVAL_SET, set(bot.catalog.intents))
    assert sum(1 for i in items if i.expected) >= 150
    assert sum(1 for i in items if not i.expected) >= 40
    covered = {intent for i in items for intent in i.expected}
    answerable = {i.id for i in bot.catalog.intents.values() if i.kind.value != "out_of_scope"}
    assert covered == answerable


@pytest.mark.parametrize("path", [EVAL_SET, DEV_SET, CHECK_SET])
def test_labelled_questions_are_not_copies_of_intent_examples(bot: Bot, path: Path) -> None:
    examples = {
        " ".join(bot.analyzer.lemmas(e)) for i in bot.catalog.intents.values() for e in i.examples
    }
    items = load_eval_set(path, set(bot.catalog.intents))
    assert not [i.question for i in items if " ".join(bot.analyzer.lemmas(i.question)) in examples]


def test_in_scope_top1_accuracy(report: Report) -> None:
    assert report.accuracy >= ACCURACY_FLOOR, report.errors


def test_out_of_scope_rejection(report: Report) -> None:
    assert report.out_of_scope_rejection >= REJECTION_FLOOR, report.errors


# The targets are 0.95 for both; the floors sit just under today's figures
# (0.970 and 0.984), so that a regression fails CI before it reaches the targets.
ACCURACY_FLOOR = 0.96
REJECTION_FLOOR = 0.98
