"""Word order, negation and restriction: what the words around a term do to its sense,
in one-shot questions and in answers to the advisor's questions."""

import pytest

from bot.dialogue.flow import Conversation
from bot.dialogue.state import DialogueState
from bot.domain import Verdict
from bot.engine import Bot


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("kan c mieux 1 conteneur ke 1 vm ?", "quand_docker"),
        ("c plus adapté une vm que docker dans quel cas ?", "quand_vm"),
        ("quand vaut-il mieux utiliser des conteneurs ?", "quand_docker"),
    ],
)
def test_what_stands_between_a_comparison_and_its_que_is_preferred(
    bot: Bot, question: str, intent: str
) -> None:
    assert bot.ask(question).intent == intent


def test_a_negated_comparison_prefers_the_other_side(bot: Bot) -> None:
    analysis = bot.analyzer.analyze("les conteneurs ne valent pas le coup par rapport aux VM")
    assert "pref:vm" in analysis.cues and "pref:conteneur" not in analysis.cues
    assert "neg:vm" not in analysis.cues  # the negation ends at the comparison


def test_a_side_followed_by_too_much_is_ruled_out(bot: Bot) -> None:
    analysis = bot.analyzer.analyze("pour un petit site, une VM c'est un peu trop non ?")
    assert "neg:vm" in analysis.cues


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("en quoi docker et les vm ne sont pas différents", "similitude"),
        ("qu'est-ce qui ne change pas d'une vm à un conteneur", "similitude"),
        ("c pa pareil docker et une vm ?", "difference"),
    ],
)
def test_a_term_right_after_a_negation_means_its_opposite(bot: Bot, text: str, term: str) -> None:
    assert term in bot.analyzer.analyze(text).terms


def test_a_negation_further_away_keeps_the_term(bot: Bot) -> None:
    terms = bot.analyzer.analyze("je ne saisis pas bien la différence docker vm").terms
    assert "difference" in terms and "similitude" not in terms


@pytest.mark.parametrize("message", ["slt cv ?", "hey y a quelqu'un ?", "cc cv"])
def test_a_greeting_of_two_chat_words_is_one_greeting(bot: Bot, message: str) -> None:
    answer = bot.ask(message)
    assert answer.intent == "salutation" and answer.kind.value == "answer"


def test_two_hedges_that_disagree_answer_nothing_by_themselves(
    conversation: Conversation,
) -> None:
    state, _ = conversation.step(
        DialogueState(expecting="isolation_forte", asked=1),
        "mouais bof, on stocke juste des pseudos de joueurs",
    )
    assert state.answers.get("isolation_forte") is not Verdict.YES
