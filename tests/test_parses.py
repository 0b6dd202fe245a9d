"""A rebuild reads with spaCy only the texts it has not read before."""

from __future__ import annotations

from typing import NoReturn

import pytest

from bot.artefact_format import dumps, loads
from bot.nlp import lemmas
from bot.nlp.lemmas import Parses, build_lemma_table, parse


def _parses() -> Parses:
    return Parses(
        texts=("Les conteneurs", "isolés"),
        ends=(2, 3),
        tokens=("Les", "conteneurs", "isolés"),
        lemmas=("le", "conteneur", "isoler"),
        french=frozenset({"le", "conteneur", "isoler"}),
        stop_words=frozenset({"les"}),
        looked_up={"les": "le"},
    )


def _no_model() -> NoReturn:
    raise AssertionError("the model was loaded")


def test_texts_read_before_are_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given readings of every text
    monkeypatch.setattr(lemmas, "_french_pipeline", _no_model)
    # When the same texts are parsed, repeated and in part
    again = parse(["isolés", "isolés"], _parses())
    # Then the model is not loaded, and only those texts are kept
    assert again.texts == ("isolés",)
    assert list(again.readings()["isolés"]) == [("isolés", "isoler")]
    assert again.looked_up == {}


def test_the_lemma_table_is_built_from_given_readings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lemmas, "_french_pipeline", _no_model)
    table = build_lemma_table(["Les conteneurs", "isolés"], {}, parses=_parses())
    assert table.lemmas == {"les": "le", "conteneurs": "conteneur", "isoles": "isoler"}


def test_readings_survive_the_cache_format() -> None:
    assert loads(dumps(_parses()), Parses) == _parses()
