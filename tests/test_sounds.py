"""Sound keys and the typo corrector: typos made by ear meet the word they sound like."""

import pytest

from bot.nlp.lemmas import TypoCorrector
from bot.nlp.sounds import sound_key


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        ("ipervizeur", "hyperviseur"),  # silent h, y as i, z as s
        ("konteneur", "conteneur"),  # hard c as k
        ("konteneurisation", "conteneurisation"),
        ("fizik", "physique"),  # ph as f, qu as k
        ("conteneurs", "conteneur"),  # silent plural
    ],
)
def test_words_typed_by_ear_share_the_sound_key_of_the_word(typed: str, word: str) -> None:
    assert sound_key(typed) == sound_key(word)


def test_soft_c_sounds_like_s_and_hard_c_like_k() -> None:
    assert sound_key("ceci") == sound_key("sesi")
    assert sound_key("cas") == sound_key("kas")


def test_corrector_prefers_a_spelling_neighbour_to_a_sound_alike() -> None:
    # "kontainer" sounds like "conteneur" but is spelled like "kontainers".
    assert TypoCorrector(["conteneur", "kontainers"]).closest("kontainer") == "kontainers"


def test_corrector_finds_a_word_by_sound_when_the_first_letter_differs() -> None:
    assert TypoCorrector(["hyperviseur", "conteneur"]).closest("ipervizeur") == "hyperviseur"


def test_corrector_leaves_short_and_unrelated_words_alone() -> None:
    corrector = TypoCorrector(["hyperviseur", "conteneur", "cloud"])
    assert corrector.closest("klou") is None
    assert corrector.closest("kotlin") is None


@pytest.mark.parametrize("word", ["happy", "claude", "where", "quake", "cookies", "their"])
def test_english_words_and_names_are_not_corrected_by_sound(word: str) -> None:
    corrector = TypoCorrector(["application", "appli", "cloud", "verre", "casque", "quoi", "terme"])
    assert corrector.closest(word) is None


def test_corrector_never_returns_the_word_itself() -> None:
    assert TypoCorrector(["conteneur"]).closest("conteneur") is None
