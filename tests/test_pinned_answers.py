"""Answers do not move unless meant to: every question of every labelled set gets the
intent, kind and confidence (3 places) pinned in tests/pinned_answers.json, one by one
and in a batch. Regenerate the pin with benchmarks/pin_answers.py after a change meant
to alter answers, and review its diff."""

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from bot.engine import Bot


def _pin_module() -> ModuleType:
    path = Path(__file__).parent.parent / "benchmarks" / "pin_answers.py"
    spec = importlib.util.spec_from_file_location("benchmarks_pin_answers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


PIN = _pin_module()
SETS = [PIN.set_name(path) for path in PIN.labelled_sets()]


@pytest.fixture(scope="module")
def pinned() -> dict[str, list[dict[str, Any]]]:
    return json.loads(PIN.PIN.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_pin_covers_every_question_of_every_labelled_set(
    pinned: dict[str, list[dict[str, Any]]],
) -> None:
    expected = {PIN.set_name(p): PIN.questions(p) for p in PIN.labelled_sets()}
    assert {name: [a["q"] for a in answers] for name, answers in pinned.items()} == expected


@pytest.mark.parametrize("name", SETS)
def test_each_question_gets_its_pinned_answer(
    bot: Bot, pinned: dict[str, list[dict[str, Any]]], name: str
) -> None:
    expected = pinned[name]
    got = [PIN.pinned(bot.ask(a["q"])) for a in expected]
    assert [g for g, e in zip(got, expected, strict=True) if g != e] == []


@pytest.mark.parametrize("name", SETS)
def test_a_batch_gets_the_pinned_answers(
    bot: Bot, pinned: dict[str, list[dict[str, Any]]], name: str
) -> None:
    expected = pinned[name]
    got = [PIN.pinned(a) for a in bot.ask_many([a["q"] for a in expected])]
    assert [g for g, e in zip(got, expected, strict=True) if g != e] == []
