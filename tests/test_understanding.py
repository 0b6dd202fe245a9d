"""French as people type it: jargon, word families, regional words, long messages,
direction and negation, conversation in other words, and the traps of the domain.

Every example here is our own: none comes from a labelled set.
"""

from unittest.mock import patch

import pytest

from bot import messages as msg
from bot.domain import AnswerKind, FallbackReason
from bot.engine import Bot


def intent_of(bot: Bot, question: str) -> str | None:
    """The intent the reply gives: an answer's, or a clarifying question's first choice."""
    return bot.ask(question).intent


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("le sandbox d'un container, c'est fiable ?", "securite"),
        ("mon RSSI s'inquiète du cloisonnement des conteneurs, il a raison ?", "securite"),
        ("le hardening d'une VM face à celui d'un conteneur, ça donne quoi ?", "securite"),
        ("l'overhead d'une vm sur le cpu et la ram", "partage_ressources"),
        # French words that also answer follow-up questions ("exactement") still tell French.
        ("l'hyperviseur, il fait quoi exactement behind the scenes ?", "definition_hyperviseur"),
    ],
)
def test_english_jargon_and_roles_are_understood(bot: Bot, question: str, intent: str) -> None:
    assert intent_of(bot, question) == intent


def test_a_figure_one_typed_for_the_article_reads_as_the_article(bot: Bot) -> None:
    assert bot.analyzer.terms("sa pèse cb 1 vm") == bot.analyzer.terms("sa pèse cb une vm")


@pytest.mark.parametrize(
    "question",
    [
        "les conteneurs sont-ils bien isolés les uns des autres ?",
        "l'isolement entre deux machines virtuelles est-il meilleur ?",
        "peut-on isoler un conteneur aussi bien qu'une VM ?",
    ],
)
def test_a_word_family_meets_its_known_member(bot: Bot, question: str) -> None:
    assert intent_of(bot, question) == "securite"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("c'est-tu vrai que docker boote plus vite qu'une vm ?", "demarrage_taille"),
        ("on dit quoi mon frère", "salutation"),
        ("allô le bot", "salutation"),
        ("tu sais m'expliquer c'est quoi un hyperviseur, une fois ?", "definition_hyperviseur"),
    ],
)
def test_regional_french_is_understood(bot: Bot, question: str, intent: str) -> None:
    assert intent_of(bot, question) == intent


def test_the_question_at_the_end_of_a_story_is_the_one_answered(bot: Bot) -> None:
    story = (
        "Je bosse dans une petite boîte de transport, on a trois serveurs qui datent et mon "
        "patron veut moderniser tout ça. Un consultant est passé hier et n'a parlé que de "
        "conteneurs pendant une heure. Au final, un conteneur, c'est quoi exactement ?"
    )
    assert intent_of(bot, story) == "definition_conteneur"


def test_a_question_naming_its_subject_by_a_pronoun_reads_the_sentence_before(bot: Bot) -> None:
    story = (
        "Notre équipe infra gère une trentaine de serveurs et le directeur technique voudrait "
        "réduire la facture. Le mot hyperviseur revient dans toutes les réunions. Ça désigne "
        "quoi au juste ?"
    )
    assert "hyperviseur" in (bot.forms.focus(story, bot.names_subject) or "")
    assert intent_of(bot, story) == "definition_hyperviseur"


def test_a_question_after_a_story_that_names_its_subject_is_its_own_focus(bot: Bot) -> None:
    story = (
        "Je gère la bibliothèque municipale et le prestataire parle de migrer vers des "
        "conteneurs l'an prochain. Ça veut dire quoi exactement, un conteneur ?"
    )
    assert bot.forms.focus(story, bot.names_subject) == (
        "Ça veut dire quoi exactement, un conteneur ?"
    )
    assert bot.ask(story).intent == "definition_conteneur"


def test_a_question_by_pronoun_takes_the_last_sentence_that_names_a_subject(bot: Bot) -> None:
    story = (
        "Au boulot tout le monde parle d'hyperviseur depuis lundi. "
        "Je travaille à la compta et j'ai honte de demander à mes collègues. C'est quoi ?"
    )
    focus = bot.forms.focus(story, bot.names_subject)
    assert focus is not None and "hyperviseur" in focus and "compta" not in focus
    assert bot.ask(story).intent == "definition_hyperviseur"


def test_a_question_naming_no_subject_takes_it_from_the_story(bot: Bot) -> None:
    story = (
        "Un collègue dit Docker, un autre préfère des machines virtuelles. "
        "Notre boutique en ligne ralentit les soirs de soldes. Qu'est-ce que vous me proposez ?"
    )
    focus = bot.forms.focus(story, bot.names_subject)
    assert focus is not None and focus.startswith("Un collègue dit Docker")


def test_a_pronoun_question_naming_another_subject_keeps_the_one_before(bot: Bot) -> None:
    story = (
        "On gère trois serveurs pour la compta et la paie de toute la boîte. Le nouveau "
        "stagiaire ne jure que par Kubernetes. C'est compatible avec Docker, ce truc ?"
    )
    focus = bot.forms.focus(story, bot.names_subject)
    assert focus is not None and "Kubernetes" in focus and "compta" not in focus
    assert bot.ask(story).intent == "kubernetes"


def test_a_question_opener_with_a_pronoun_does_not_reach_back(bot: Bot) -> None:
    story = (
        "Mon équipe passe ses journées sur des VM et sur Docker, je suis perdu. "
        "C'est quoi un hyperviseur ?"
    )
    assert bot.forms.focus(story, bot.names_subject) == "C'est quoi un hyperviseur ?"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Pas Docker l'outil, mais le conteneur : ça contient quoi ?", "definition_conteneur"),
        ("je te demande pas la différence, juste c'est quoi une VM", "definition_vm"),
        ("non pas les différences, plutôt les points communs docker vm", "similitudes"),
    ],
)
def test_a_dismissed_topic_is_no_part_of_the_question(bot: Bot, question: str, intent: str) -> None:
    assert intent_of(bot, question) == intent


def test_a_negation_that_dismisses_nothing_keeps_the_whole_message(bot: Bot) -> None:
    assert (
        bot.forms.set_aside("pas compris la différence, tu réexpliques ?", bot.names_subject)
        is None
    )
    assert (
        bot.forms.set_aside("je veux pas utiliser docker, que faire ?", bot.names_subject) is None
    )


def test_a_last_sentence_that_only_seeks_agreement_is_set_aside(bot: Bot) -> None:
    question = "On a tout basculé sous Docker. Dans quels cas une VM aurait mieux valu ? Tu sais ?"
    assert "sais" not in (bot.forms.set_aside(question, bot.names_subject) or "")
    assert intent_of(bot, question) == "quand_vm"
    assert intent_of(bot, "tu sais ?") == "aide"


def test_a_clause_of_punctuation_alone_sets_nothing_aside(bot: Bot) -> None:
    assert bot.forms.set_aside("? 0", bot.names_subject) is None
    assert bot.forms.set_aside("! ? , pas docker", bot.names_subject) is None


def test_a_joke_question_keeps_only_its_subject_before_the_serious_one(bot: Bot) -> None:
    question = "L'hyperviseur, c'est le chef du superviseur ? 😂 Blague à part, c'est quoi ?"
    kept = bot.forms.set_aside(bot.read(question), bot.names_subject) or ""
    assert "hyperviseur" in kept.lower() and "chef" not in kept
    assert intent_of(bot, question) == "definition_hyperviseur"


def test_a_comparison_of_safety_is_about_security_not_certainty(bot: Bot) -> None:
    assert intent_of(bot, "les conteneurs, c'est plus sûr que nos bonnes vieilles VM ?") == (
        "securite"
    )
    assert "securite" not in bot.analyzer.analyze("je suis sûr que docker démarre vite").terms


def test_the_focus_of_a_long_message_is_its_last_question(bot: Bot) -> None:
    story = (
        "On a une vieille salle serveur et des VM partout. Mon stagiaire me parle sans arrêt "
        "de Docker. Bref, en deux mots, qu'est-ce qui distingue les deux ?"
    )
    assert bot.forms.focus(story, bot.names_subject) is not None
    assert "distingue" in (bot.forms.focus(story, bot.names_subject) or "")


def test_a_modal_verb_carries_no_topic(bot: Bot) -> None:
    # "faut-il" belongs to "faut-il Linux pour Docker ?" as much as to any question.
    assert intent_of(bot, "quand faut-il se servir de docker ?") == "quand_docker"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("dans quelles situations faut-il se passer de Docker ?", "quand_vm"),
        ("qu'est-ce que les machines virtuelles font mieux que Docker ?", "quand_vm"),
        ("dans quels cas une VM n'est-elle pas le bon choix ?", "quand_docker"),
        ("pourquoi une VM met-elle autant de temps à démarrer ?", "demarrage_taille"),
        ("à quel moment vaut-il mieux miser sur la conteneurisation ?", "quand_docker"),
        ("dans quel contexte opter pour une machine virtuelle ?", "quand_vm"),
        ("dans quels cas les conteneurs sont inutiles ?", "quand_vm"),
    ],
)
def test_direction_and_negation_decide_the_intent(bot: Bot, question: str, intent: str) -> None:
    assert intent_of(bot, question) == intent


def test_avoiding_and_preferring_a_side_are_read_as_cues(bot: Bot) -> None:
    assert "avoid:conteneur" in bot.analyzer.analyze("quand faut-il éviter docker").cues
    assert "neg:vm" in bot.analyzer.analyze("une vm n'est pas adaptée").cues
    cues = bot.analyzer.analyze("les vm plutôt que les conteneurs").cues
    assert "pref:vm" in cues and "over:conteneur" in cues


def test_the_side_named_after_a_choosing_verb_is_preferred_unless_negated(bot: Bot) -> None:
    assert "pref:conteneur" in bot.analyzer.analyze("quand opter pour des conteneurs").cues
    negated = bot.analyzer.analyze("quand ne pas choisir docker").cues
    assert "pref:conteneur" not in negated and "neg:conteneur" in negated


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("et toi, tu sais faire quoi au juste ?", "aide"),
        ("quels sujets maîtrises-tu ?", "aide"),
        ("je voudrais que tu m'aides à trancher pour héberger notre site", "recommandation"),
        ("qu'est-ce qui t'a fait pencher pour cette solution ?", "pourquoi"),
        ("merci infiniment, tu m'as bien dépanné", "remerciement"),
        ("de l'aide, vite", "aide"),
        ("yo wesh la team", "salutation"),
    ],
)
def test_conversation_intents_in_other_words(bot: Bot, message: str, intent: str) -> None:
    assert intent_of(bot, message) == intent


@pytest.mark.parametrize(
    "message",
    [
        "Bonsoir, je suis arrivé ici en fouillant le web pour mon travail sur les serveurs.",
        "salut, je passais par là en lisant des trucs sur les serveurs",
        # Spaces typed twice: the greeting is still found in what was typed.
        "Bonsoir,  je suis arrivé ici  en fouillant le web pour mon travail sur les serveurs.",
    ],
)
def test_a_greeting_followed_by_a_remark_that_asks_nothing_is_a_greeting(
    bot: Bot, message: str
) -> None:
    assert intent_of(bot, message) == "salutation"


@pytest.mark.parametrize(
    "message",
    [
        "salut, je cherche un bon resto à Nantes",
        "salut ! tu connais un bon resto à Nantes ?",
        "je dois recommencer mon gâteau, il est complètement raté",
        "t'es vraiment nul comme robot",
        "il me faut un conteneur pour ranger mes cartons pendant le déménagement",
        "pourquoi le pain rassis durcit-il ?",
    ],
)
def test_off_topic_messages_holding_chat_or_domain_words_fall_back(bot: Bot, message: str) -> None:
    answer = bot.ask(message)
    assert answer.kind is AnswerKind.FALLBACK and answer.intent is None


@pytest.mark.parametrize(
    "question",
    [
        "comment exposer le port 8080 d'un conteneur docker ?",
        "combien coûte une licence VMware vSphere ?",
        "docker swarm, ça se configure comment ?",
        "docker a été créé en quelle année ?",
        "qui a inventé les machines virtuelles ?",
    ],
)
def test_domain_questions_the_sources_do_not_answer_say_so(bot: Bot, question: str) -> None:
    answer = bot.ask(question)
    assert answer.kind is AnswerKind.FALLBACK
    assert answer.reason is FallbackReason.UNSOURCED


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("tu peux m'aider à piger les conteneurs ?", "definition_conteneur"),
        ("aidez-moi à comprendre ce qu'est un hyperviseur", "definition_hyperviseur"),
    ],
)
def test_help_to_understand_a_subject_asks_about_the_subject(
    bot: Bot, question: str, intent: str
) -> None:
    assert intent_of(bot, question) == intent


def test_help_alone_still_asks_for_help(bot: Bot) -> None:
    assert intent_of(bot, "tu peux m'aider ?") == "aide"


def test_a_domain_question_not_understood_is_never_told_it_is_off_domain(bot: Bot) -> None:
    answer = bot.ask("les conteneurs docker et le zorglub quantique tralala")
    assert answer.reason is not FallbackReason.OFF_DOMAIN
    assert not answer.text.startswith(msg.FALLBACKS["off_domain"])


def test_only_a_message_with_nothing_of_the_domain_is_told_so(bot: Bot) -> None:
    answer = bot.ask("quelle est la meilleure recette de ratatouille ?")
    assert answer.reason is FallbackReason.OFF_DOMAIN
    assert answer.text.startswith(msg.FALLBACKS["off_domain"])


@pytest.mark.parametrize(
    "message",
    [
        "what is the difference between docker and a virtual machine?",
        "¿Docker es más seguro que una máquina virtual?",
        "What is Docker?",
        "is docker secure?",
        "¿qué es docker?",
    ],
)
def test_another_language_is_answered_in_french(bot: Bot, message: str) -> None:
    answer = bot.ask(message)
    assert answer.reason is FallbackReason.LANGUAGE
    assert answer.text.startswith(msg.FALLBACKS["language"])


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("docker c secure ?", "securite"),
        ("docker best practice, c'est quoi le but ?", "objectif"),
        ("why docker ?", "pourquoi"),
    ],
)
def test_english_jargon_in_a_french_question_is_still_french(
    bot: Bot, message: str, intent: str
) -> None:
    assert intent_of(bot, message) == intent


@pytest.mark.parametrize(
    ("message", "intent"), [("cc " * 1400, "salutation"), ("merci " * 700, "remerciement")]
)
def test_a_huge_repeated_greeting_is_one_greeting_read_in_bounded_work(
    bot: Bot, message: str, intent: str
) -> None:
    with patch.object(bot.ranker, "rank", wraps=bot.ranker.rank) as rank:
        answer = bot.ask(message)
    assert answer.intent == intent
    # The whole message once, and what follows the opening words at most once.
    assert rank.call_count <= 2


def test_every_word_of_every_criterion_example_has_a_lemma(bot: Bot) -> None:
    lemmas = bot.analyzer.table.lemmas
    texts = [
        text
        for criterion in bot.catalog.criteria.values()
        for said in criterion.examples_by_verdict().values()
        for text in said
    ]
    tokens = {t for text in texts for t in bot.analyzer.tokens(text)}
    # Numbers ("64", "8k") are terms of their own.
    assert {t for t in tokens if t not in lemmas and not any(c.isdigit() for c in t)} == set()


@pytest.mark.parametrize(
    ("form", "not_into"),
    [("droits", "doigt"), ("power", "poser"), ("aix", "avoir"), ("cloisonner", "cloner")],
)
def test_a_real_word_is_never_corrected_into_another(bot: Bot, form: str, not_into: str) -> None:
    assert bot.analyzer.lemma(form) != not_into


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("docker marche sans le manchot ?", "prerequis_linux"),
        ("un ordi simulé, ça consomme combien de place sur le disque ?", "demarrage_taille"),
        ("cbm de temps pour lancer un conteneur ?", "demarrage_taille"),
    ],
)
def test_nicknames_and_chat_abbreviations_name_what_they_stand_for(
    bot: Bot, question: str, intent: str
) -> None:
    assert intent_of(bot, question) == intent
