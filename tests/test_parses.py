"""A rebuild reads with spaCy only the texts it has not read before, and reuses the long
regular expressions the model's load compiled last time."""

from __future__ import annotations

import re
from typing import Any, NoReturn

import pytest

from bot.artefact_format import dumps, loads
from bot.nlp import lemmas
from bot.nlp.compiled_regex import reusing
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


def test_a_long_pattern_is_compiled_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a long pattern compiled once, its compiled form recorded
    pattern = "^(?:" + "|".join(f"mot{i}[a-zé]+" for i in range(2_000)) + ")$"
    with reusing(()) as recorded:
        first = re.compile(pattern)
    assert [r.pattern for r in recorded] == [pattern]
    re.purge()

    # When it is compiled again with what was recorded, the compiler never runs
    def no_parse(*args: Any) -> NoReturn:
        raise AssertionError("compiled again")

    with reusing(tuple(recorded)) as again:
        monkeypatch.setattr(re._parser, "parse", no_parse)  # type: ignore[attr-defined]
        second = re.compile(pattern)
        monkeypatch.undo()
    # Then it matches as the first did, and nothing new is recorded
    assert again == []
    for word in ("mot12été", "mot1999z", "mot2000a", "mot3"):
        assert bool(second.match(word)) == bool(first.match(word))
    re.purge()
