"""Analysis with the real spaCy-built lemma table: lemmas, typos, synonyms, stop words."""

import pytest

from bot.engine import Bot
from bot.nlp.analyzer import Analyzer


@pytest.mark.parametrize(
    ("form", "lemma"),
    [
        ("noyaux", "noyau"),  # spaCy says "noyal"
        ("kubernetes", "kubernetes"),  # spaCy says "kubernete"
        ("conteneurs", "conteneur"),
        ("utilisees", "utiliser"),
    ],
)
def test_lemma_of_domain_words(bot: Bot, form: str, lemma: str) -> None:
    assert bot.analyzer.lemma(form) == lemma


def test_words_typed_without_accents_get_the_accented_words_lemma(bot: Bot) -> None:
    assert bot.analyzer.terms("securise") == bot.analyzer.terms("sécurisé")


def test_deploiement_without_accent_is_the_deployment_term(bot: Bot) -> None:
    assert bot.analyzer.terms("deploiement") == bot.analyzer.terms("déploiement") == ("deployer",)


@pytest.mark.parametrize(
    ("typo", "word"),
    [("hyperviseru", "hyperviseur"), ("conteneru", "conteneur"), ("dokcer", "docker")],
)
def test_typos_are_corrected_against_known_words(bot: Bot, typo: str, word: str) -> None:
    assert bot.analyzer.terms(typo) == bot.analyzer.terms(word)


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("ipervizeur", "hyperviseur"),
        ("kontener", "conteneur"),
        ("konteneurisation", "conteneurisation"),
    ],
)
def test_typos_made_by_ear_are_corrected_even_when_the_first_letter_differs(
    bot: Bot, typo: str, word: str
) -> None:
    assert bot.analyzer.terms(typo) == bot.analyzer.terms(word)


def test_example_typos_spacy_misreads_take_the_frequent_words_lemma(bot: Bot) -> None:
    # spaCy lemmatises the unknown "kubernetis" (an example's typo) as "kuberneti".
    assert bot.analyzer.terms("kubernetis") == ("kubernetes",)


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("lhyperviseur", "l'hyperviseur"),
        ("cest koi docker", "c'est quoi docker"),
        ("la taille dun conteneur", "la taille d'un conteneur"),
    ],
)
def test_an_elision_typed_without_its_apostrophe_is_read_as_one(
    bot: Bot, typed: str, written: str
) -> None:
    assert bot.analyzer.terms(typed) == bot.analyzer.terms(written)


@pytest.mark.parametrize(
    "word", ["dune", "davantage", "laide", "taux", "secs", "non", "mai", "savez", "they"]
)
def test_a_word_that_looks_elided_is_left_alone(bot: Bot, word: str) -> None:
    # Not d'une, d'avantage, l'aide, t'aux, s'ecs, n'on, m'ai, s'avez, t'hey: the word
    # keeps its own form or lemma ("savez" is "savoir").
    terms = bot.analyzer.terms(word)
    assert len(terms) == 1 and terms != bot.analyzer.terms(word[1:])


def test_real_french_words_are_not_corrected_into_domain_words(bot: Bot) -> None:
    assert bot.analyzer.terms("laver") == ("laver",)


@pytest.mark.parametrize("word", ["kotlin", "javascript", "wireshark", "comme", "vers", "debug"])
def test_unrelated_and_invariable_words_keep_their_form(bot: Bot, word: str) -> None:
    assert bot.analyzer.terms(word) == (word,)


@pytest.mark.parametrize(
    "phrase", ["machine virtuelle", "machines virtuelles", "VM", "vms", "virtual machine"]
)
def test_synonyms_of_vm_become_one_term(bot: Bot, phrase: str) -> None:
    assert bot.analyzer.terms(phrase) == ("vm",)


@pytest.mark.parametrize(
    ("phrase", "term"),
    [
        ("k8s", "kubernetes"),
        ("container", "conteneur"),
        ("pq", "pourquoi"),
        ("thanks", "merci"),
        ("reset", "recommencer"),  # not corrected into "reste"
        ("TL;DR", "resume"),
        ("bye", "revoir"),
    ],
)
def test_abbreviations_map_to_their_term(bot: Bot, phrase: str, term: str) -> None:
    assert bot.analyzer.terms(phrase) == (term,)


def test_stop_words_are_dropped_but_question_words_kept(bot: Bot) -> None:
    assert bot.analyzer.terms("C'est quoi le Docker ?") == ("quoi", "docker")


def test_training_examples_are_recognised_as_their_own_intent(bot: Bot) -> None:
    # If queries were analysed differently from the indexed examples, the bot
    # would not recognise the very sentences it was trained on.
    examples = [(i.id, e) for i in bot.catalog.intents.values() for e in i.examples]
    recognised = [
        bot.rank(text).matches[0].intent == intent
        for intent, text in examples
        if bot.intent(intent).kind.value != "out_of_scope"
    ]
    assert sum(recognised) / len(recognised) >= 0.98


def test_every_single_word_synonym_term_is_its_own_lemma(bot: Bot) -> None:
    # Otherwise "la ressource cpu" would hold two terms for one idea.
    words = [c for c in bot.catalog.lexicon.synonyms if " " not in c]
    assert [w for w in words if bot.analyzer.terms(w) not in ((w,), ())] == []


def test_a_form_read_again_gets_the_lemma_a_fresh_analyzer_gives(bot: Bot) -> None:
    # Given forms the table does not hold: a plural, an elision typed without its
    # apostrophe, a real word, a typo, and one a second reading finds remembered
    forms = ["noyaux", "lhyperviseur", "isolement", "dokcer", "zzkq", "conteneurs"]
    fresh = Analyzer(bot.analyzer.table, bot.catalog.lexicon, bot.catalog.grammar, bot.words)
    # When a warm analyzer reads them twice
    first = [bot.analyzer.lemma(f) for f in forms]
    again = [bot.analyzer.lemma(f) for f in forms]
    # Then both readings are what an analyzer that never read them says
    assert first == again == [fresh.lemma(f) for f in forms]
