"""The classifier's rows, read per distinct word and in batches, are the TF-IDF rows of
the features; what is remembered to answer faster never outlives what it was computed by."""

import copy
from dataclasses import replace

import numpy as np
import pytest

from bot.engine import Bot
from bot.nlp.classifier import SPARSE_FROM, features, sparse_row
from bot.training import training_pairs

QUESTIONS = [
    "c'est quoi un hyperviseur ?",
    "cest quoi la diff entre docker et une machine virtuelle",
    "anana banana : les conteneurs partagent-ils le noyau ?",  # n-grams repeated in a word
    "quand éviter Docker plutôt que les VM ?",  # cues
    "zorglub",  # no known term
    "",  # nothing at all
]


def _as_dict(cols: object, vals: object) -> dict[int, float]:
    return dict(zip(np.asarray(cols).tolist(), np.asarray(vals).tolist(), strict=True))


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_row_read_word_by_word_is_the_tfidf_row_of_the_features(bot: Bot, question: str) -> None:
    model = bot.ranker.model
    analysis = bot.analyzer.analyze(question)
    expected = _as_dict(*sparse_row(features(analysis), model.index, model.idf))
    got = _as_dict(*model.row(analysis))
    assert got.keys() == expected.keys()
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_a_batch_of_rows_gives_the_probabilities_of_each_row_alone(bot: Bot) -> None:
    model = bot.ranker.model
    analyses = [bot.analyzer.analyze(q) for q in QUESTIONS]
    together = model.probabilities_of(analyses)
    alone = np.array([model.probabilities_of_row(*model.row(a)) for a in analyses])
    np.testing.assert_allclose(together, alone, rtol=1e-12, atol=1e-15)


def test_a_large_batch_read_in_one_sparse_product_gives_the_probabilities_of_each_row_alone(
    bot: Bot,
) -> None:
    model = bot.ranker.model
    analyses = [bot.analyzer.analyze(q) for q in QUESTIONS]
    batch = analyses * (SPARSE_FROM // len(analyses) + 1)
    together = model.probabilities_of(batch)
    alone = np.array([model.probabilities_of_row(*model.row(a)) for a in batch])
    np.testing.assert_allclose(together, alone, rtol=1e-12, atol=1e-15)


def test_remembered_probabilities_cannot_be_altered_by_a_reader(bot: Bot) -> None:
    probabilities = bot.ranker.model.probabilities(bot.analyzer.analyze("c'est quoi docker"))
    with pytest.raises(ValueError, match="read-only"):
        probabilities[0] = 1.0


def test_a_new_confidence_model_ranks_anew(bot: Bot) -> None:
    # A ranker of its own over the same model: the session's bot keeps its confidence.
    ranker = copy.copy(bot.ranker)
    analysis = bot.analyzer.analyze("c'est quoi un hyperviseur ?")
    before = ranker.rank(analysis).matches[0].confidence
    ranker.confidence = replace(ranker.confidence, bias=ranker.confidence.bias - 5.0)
    assert ranker.rank(analysis).matches[0].confidence < before


def test_a_retrained_bot_answers_from_its_own_model(bot: Bot) -> None:
    question = "c'est quoi un hyperviseur ?"
    assert bot.ask(question).intent == "definition_hyperviseur"
    # Trained on the intents' questions alone (a second, not the full examples' ten):
    # what it answers can only come from its own model, which lacks the intent.
    pairs = training_pairs(bot.catalog, examples=False)
    without = [(i, t) for i, t in pairs if i != "definition_hyperviseur"]
    assert bot.retrained(without).ask(question).intent != "definition_hyperviseur"
