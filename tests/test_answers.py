"""One-shot answers: matching, fallback, ambiguity, and hostile input."""

import pytest

from bot import messages as msg
from bot.domain import AnswerKind, FallbackReason
from bot.engine import Bot


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("c'est quoi un hyperviseur ?", "definition_hyperviseur"),
        ("c koi la diff entre docker et une vm", "difference_docker_vm"),
        ("docker c securisé ?", "securite"),
        ("kubernetes ca sert a quoi", "kubernetes"),
        ("Bonjour !", "salutation"),
        ("kes ke c une vm", "definition_vm"),
        ("jpeu lancer docker ds une vm ?", "docker_sur_vm"),
        ("merci beaucoup", "remerciement"),
    ],
)
def test_typical_questions_get_their_intent(bot: Bot, question: str, intent: str) -> None:
    assert bot.ask(question).intent == intent


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Docker est-il sûr ?", "securite"),  # "sûr" (safe) is not "sur" (on)
        ("vm ou conteneur, lequel est le plus sur ?", "securite"),  # a final "sur"
        ("je peux mettre docker sur une vm ?", "docker_sur_vm"),
    ],
)
def test_sur_safe_and_sur_on_are_told_apart(bot: Bot, question: str, intent: str) -> None:
    assert bot.ask(question).intent == intent


@pytest.mark.parametrize(
    "message", ["je ne suis pas sûr de comprendre", "bien sûr", "je suis sûr que docker est rapide"]
)
def test_sur_meaning_certain_is_not_about_safety(bot: Bot, message: str) -> None:
    assert bot.ask(message).intent != "securite"


@pytest.mark.parametrize(
    ("message", "intent"),
    [("merci quand même", "remerciement"), ("merci, et toi ça va ?", "remerciement")],
)
def test_what_follows_thanks_must_be_a_domain_question(bot: Bot, message: str, intent: str) -> None:
    assert bot.ask(message).intent == intent


def test_a_tant_is_not_a_goodbye(bot: Bot) -> None:
    assert bot.ask("ça a tant changé docker ?").intent != "au_revoir"


@pytest.mark.parametrize(
    "question",
    [
        "c'est quoi un conteneur maritime ?",
        "machine à laver qui fuit",
        "le machine learning c'est quoi",
    ],
)
def test_questions_sharing_a_domain_word_fall_back(bot: Bot, question: str) -> None:
    answer = bot.ask(question)
    assert answer.kind is AnswerKind.FALLBACK
    assert answer.intent is None


@pytest.mark.parametrize(
    "question",
    [
        "la sécurité routière sur l'autoroute",
        "architecture romane et baroque",
        "une nouvelle version du dictionnaire",
        "une instance de divorce",
        "quelle image choisir pour mon mariage",
    ],
)
def test_a_topic_word_without_the_subject_and_with_unknown_words_falls_back(
    bot: Bot, question: str
) -> None:
    assert bot.ask(question).kind is AnswerKind.FALLBACK


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("niveau sécurité c'est quoi le mieux ?", "securite"),  # every word known
        ("la sécurité des conteneurs", "securite"),  # names the subject
    ],
)
def test_a_topic_question_with_known_words_or_its_subject_is_answered(
    bot: Bot, question: str, intent: str
) -> None:
    assert bot.ask(question).intent == intent


@pytest.mark.parametrize(
    "question",
    ["comment lancer docker-compose", "la commande docker pour voir les logs"],
)
def test_a_domain_question_the_sources_do_not_cover_says_so(bot: Bot, question: str) -> None:
    answer = bot.ask(question)
    assert answer.intent is None and answer.reason is FallbackReason.UNSOURCED
    assert answer.text.startswith(msg.FALLBACKS["unsourced"])


def test_gibberish_is_not_understood_rather_than_off_topic(bot: Bot) -> None:
    answer = bot.ask("zorglub blip")
    assert answer.reason is FallbackReason.UNCLEAR
    assert answer.text.startswith(msg.FALLBACKS["unclear"])


def test_an_off_topic_question_is_told_it_is_off_topic(bot: Bot) -> None:
    answer = bot.ask("quelle est la recette de la blanquette de veau ?")
    assert answer.reason is FallbackReason.OFF_DOMAIN
    assert answer.text.startswith(msg.FALLBACKS["off_domain"])


def test_fallback_says_what_the_bot_covers_and_suggests_questions(bot: Bot) -> None:
    answer = bot.ask("quelle est la recette de la tarte tatin ?")
    assert "machines virtuelles" in answer.text
    assert answer.text.count("« ") >= 2


def test_every_confidence_lies_between_zero_and_one(bot: Bot) -> None:
    for question in ("docker", "vm ou conteneur ?", "zzz", "machine à laver", "bonjour"):
        answer = bot.ask(question)
        assert 0.0 <= answer.confidence <= 1.0
        assert all(0.0 <= m.confidence <= 1.0 for m in answer.alternatives)


def test_answers_carry_their_sources(bot: Bot) -> None:
    answer = bot.ask("est-ce que docker est sécurisé ?")
    assert [s.passage for s in answer.sources][:1] == ["dvm.securite.docker"]


def test_a_question_the_bot_is_not_sure_of_asks_which_intent_was_meant(
    hesitant_bot: Bot,
) -> None:
    answer = hesitant_bot.ask("vm portabilité et ressources")
    assert answer.kind is AnswerKind.CLARIFY
    assert {"partage_ressources", "portabilite"} <= set(answer.choices)
    assert answer.intent == answer.choices[0]
    assert "1. " in answer.text and "2. " in answer.text


def test_a_clear_question_is_not_ambiguous(bot: Bot) -> None:
    assert bot.ask("c'est quoi un hyperviseur ?").kind is AnswerKind.ANSWER


HOSTILE = [
    "",
    "   \t  ",
    "x" * 100_000,
    "docker " * 20_000,
    "\x00\x01\x1b[31m docker \x7f",
    "🐳🐳🐳",
    "докер или виртуальная машина?",
    "Docker 和虚拟机有什么区别？",
    "\ud800 broken surrogate",
    "' OR 1=1; --",
    "?!?!?!",
]


@pytest.mark.parametrize("question", HOSTILE)
def test_hostile_input_gets_an_answer_never_an_exception(bot: Bot, question: str) -> None:
    answer = bot.ask(question)
    assert answer.text
    assert 0.0 <= answer.confidence <= 1.0
    # Without a domain word, hostile input can only fall back.
    if "docker" not in question:
        assert answer.kind is AnswerKind.FALLBACK and answer.intent is None


def test_empty_question_gets_the_empty_question_message(bot: Bot) -> None:
    assert "vide" in bot.ask("   ").text


def test_other_scripts_fall_back(bot: Bot) -> None:
    assert bot.ask("Docker 和虚拟机有什么区别？").intent is None


def test_a_greeting_before_a_request_for_help_answers_the_request(bot: Bot) -> None:
    assert bot.ask("Bonjour, que peut-on vous demander ?").intent == "aide"


def test_a_greeting_before_a_question_answers_the_question(bot: Bot) -> None:
    answer = bot.ask("Bonjour, c'est quoi un hyperviseur ?")
    assert answer.intent == "definition_hyperviseur"
    assert answer.question == "Bonjour, c'est quoi un hyperviseur ?"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("merci ! et kubernetes, ça sert à quoi ?", "kubernetes"),
        ("merci ! et le temps de démarrage des conteneurs ?", "demarrage_taille"),
    ],
)
def test_thanks_before_a_question_answers_the_question(
    bot: Bot, question: str, intent: str
) -> None:
    assert bot.ask(question).intent == intent


@pytest.mark.parametrize("message", ["merci pour l'explication", "merci pour les infos sur docker"])
def test_thanks_for_something_stays_thanks(bot: Bot, message: str) -> None:
    assert bot.ask(message).intent == "remerciement"


@pytest.mark.parametrize("message", ["coucou le bot", "bonjour à tous", "merci beaucoup"])
def test_a_greeting_naming_someone_stays_a_greeting(bot: Bot, message: str) -> None:
    assert bot.ask(message).intent in ("salutation", "remerciement")
