"""Folding and tokenizing: the pure string steps shared by index and queries."""

from bot.nlp.text import fold, tokenize


def test_fold_strips_accents_and_case() -> None:
    assert fold("Sécurité ÉLEVÉE") == "securite elevee"


def test_fold_unifies_typographic_apostrophes() -> None:
    assert fold("l’hôte") == "l'hote"


def test_fold_expands_ligatures() -> None:
    assert fold("cœur") == "coeur"


def test_tokenize_splits_elisions() -> None:
    assert tokenize(fold("C'est quoi l'hyperviseur qu'on utilise ?")) == [
        "c",
        "est",
        "quoi",
        "l",
        "hyperviseur",
        "qu",
        "on",
        "utilise",
    ]


def test_tokenize_drops_punctuation_and_emoji() -> None:
    assert tokenize(fold("docker ?!! 🐳🐳")) == ["docker"]


def test_tokenize_reads_plus_as_a_word() -> None:
    assert tokenize(fold("a+")) == ["a", "plus"]
