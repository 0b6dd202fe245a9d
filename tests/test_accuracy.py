"""Accuracy on the labelled set, written independently of the intent examples; and the
labelled sets themselves: well formed, covering every intent, never copied into examples."""

import bisect
import importlib.util
import re
import sys
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import yaml
from rapidfuzz import fuzz, process

from bot.engine import Bot
from bot.evaluation import Report, evaluate
from bot.loading import load_eval_set
from bot.loading.schema import SAFE_LOADER

EVAL_SET = Path(__file__).parent / "data" / "eval_questions.yaml"
DATA = Path(__file__).parent.parent / "benchmarks" / "data"
# Every labelled set of benchmarks/data, whoever wrote it: a new one is checked as it lands.
FRESH_SETS = sorted(DATA.glob("fresh*_questions.yaml"))
PERSONAS = sorted(DATA.glob("*_personas.yaml"))
QUESTION_SETS = [EVAL_SET, *sorted(DATA.glob("*_questions.yaml"))]
STYLES = {
    "sms", "franglais", "regional", "formal", "story", "short",
    "paraphrase", "direction", "trap", "plain",
}  # fmt: skip


def _benchmark(name: str) -> ModuleType:
    path = Path(__file__).parent.parent / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", text))


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


@pytest.mark.parametrize("path", FRESH_SETS, ids=lambda p: p.stem)
def test_a_fresh_set_covers_every_intent_in_every_style_it_names(bot: Bot, path: Path) -> None:
    items = load_eval_set(path, set(bot.catalog.intents))
    assert sum(1 for i in items if i.expected) >= 300
    assert sum(1 for i in items if not i.expected) >= 80
    answerable = {i.id for i in bot.catalog.intents.values() if i.kind.value != "out_of_scope"}
    assert {intent for i in items for intent in i.expected} == answerable
    assert {i.style for i in items} <= STYLES


@pytest.mark.parametrize("path", PERSONAS)
def test_persona_sets_load_and_cover_every_outcome(path: Path) -> None:
    personas = _benchmark("dialogue").load_personas(path)
    assert len(personas) >= 18
    assert {o for p in personas for o in p.acceptable} == {"vm", "conteneur", "conteneur_sur_vm"}


def _sorted_words(text: str) -> str:
    return " ".join(sorted(text.split()))


def _near_copies(texts: list[str], others: list[str], *, cutoff: int) -> list[tuple[str, str]]:
    """Each text with an other whose token_sort_ratio reaches the cutoff.

    token_sort_ratio is the ratio of the texts with their words sorted: sorted once here,
    the pairs are scored at once (rapidfuzz's cdist, in C++), 0 below the cutoff. A ratio
    of c% needs lengths within a factor (200 - c) / c of each other: each length of text
    is scored against the others in that window only (widened by a character against
    rounding), half the time of scoring every pair.
    """
    mine = [_sorted_words(_norm(t)) for t in texts]
    theirs = [_sorted_words(t) for t in others]
    by_length = sorted(range(len(theirs)), key=lambda j: len(theirs[j]))
    lengths = [len(theirs[j]) for j in by_length]
    spread = (200 - cutoff) / cutoff
    found = []
    for length in sorted({len(t) for t in mine}):
        rows = [i for i, t in enumerate(mine) if len(t) == length]
        lo = bisect.bisect_left(lengths, length / spread - 1)
        cols = by_length[lo : bisect.bisect_right(lengths, length * spread + 1)]
        if not cols:
            continue
        scores = process.cdist(
            [mine[i] for i in rows],
            [theirs[j] for j in cols],
            scorer=fuzz.ratio,
            score_cutoff=cutoff,
            dtype=np.uint8,
            workers=2,
        )
        found += [
            (texts[rows[r]], others[cols[int(scores[r].argmax())]])
            for r in np.flatnonzero(scores.max(1))
        ]
    return found


def _yaml(path: Path) -> Any:
    # libyaml, as the bot reads its data: a tenth of the pure-Python parser's seconds.
    return yaml.load(path.read_text("utf-8"), Loader=SAFE_LOADER)


def test_no_example_is_a_near_copy_of_a_labelled_message(bot: Bot) -> None:
    labelled = [_norm(i["q"]) for path in QUESTION_SETS for i in _yaml(path)]
    for path in PERSONAS:
        for persona in _yaml(path):
            labelled += [_norm(t) for t in [*persona["opening"], *persona["replies"].values()]]
    catalog = bot.catalog
    examples = [e for i in catalog.intents.values() for e in i.examples]
    examples += [
        e
        for c in catalog.criteria.values()
        for said in c.examples_by_verdict().values()
        for e in said
    ]
    # "salut", "merci bien": everyone writes them alike.
    checked = [e for e in examples if len(_norm(e).split()) >= 3]
    copies = _near_copies(checked, labelled, cutoff=90)
    assert copies == []


@pytest.mark.parametrize("path", QUESTION_SETS)
def test_labelled_questions_are_not_copies_of_intent_examples(bot: Bot, path: Path) -> None:
    examples = {
        " ".join(bot.analyzer.lemmas(e)) for i in bot.catalog.intents.values() for e in i.examples
    }
    items = load_eval_set(path, set(bot.catalog.intents))
    # One or two words ("hyperviseur ?", "k8s") are written alike by everyone.
    said = [i.question for i in items if len(bot.analyzer.terms(i.question)) >= 3]
    assert not [q for q in said if " ".join(bot.analyzer.lemmas(q)) in examples]


def test_in_scope_top1_accuracy(report: Report) -> None:
    assert report.accuracy >= ACCURACY_FLOOR, report.errors


def test_out_of_scope_rejection(report: Report) -> None:
    assert report.out_of_scope_rejection >= REJECTION_FLOOR, report.errors


# The targets are 0.95 for both; the floors sit just under today's figures
# (0.983 and 0.984), so that a regression fails CI before it reaches the targets.
ACCURACY_FLOOR = 0.97
REJECTION_FLOOR = 0.98
