"""The needs model's topic models share their features: one row per statement serves
every criterion, with the probabilities each model gives alone."""

import pytest

from bot.assembly import conversation_for
from bot.dialogue.needs import NeedsModel
from bot.dialogue.reading import CriteriaReader
from bot.engine import Bot


@pytest.fixture(scope="module")
def model(bot: Bot) -> NeedsModel:
    reader = conversation_for(bot).dialogue.reader
    assert isinstance(reader, CriteriaReader)
    return reader.model


def test_the_topic_models_read_one_feature_index(model: NeedsModel) -> None:
    first, *others = (m.index for m in model.topics.values())
    assert all(index == first for index in others)


@pytest.mark.parametrize(
    "statement",
    [
        "une vieille appli qui ne tourne que sous Windows XP",
        "on a trois petites API indépendantes",
        "des pics de trafic à Noël",
        "je ne sais pas",
    ],
)
def test_each_topic_reads_a_statement_as_its_model_alone(
    bot: Bot, model: NeedsModel, statement: str
) -> None:
    analysis = bot.analyzer.analyze(statement)
    for criterion, topic in model.topics.items():
        alone = float(topic.probabilities(analysis)[topic.classes.index("oui")])
        assert model.about(criterion, analysis) == pytest.approx(alone, abs=1e-12)
