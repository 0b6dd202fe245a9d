"""A click is typed before it reaches the dialogue: never re-read as French."""

import pytest

from bot.adapters.slack_blocks import BUTTON_PREFIX, button_input
from bot.dialogue.inputs import Choice
from bot.domain import Verdict


@pytest.mark.parametrize(
    ("button", "typed"),
    [("oui", Verdict.YES), ("non", Verdict.NO), ("nsp", Verdict.UNKNOWN)],
)
def test_an_answer_button_is_a_verdict(button: str, typed: Verdict) -> None:
    assert button_input(BUTTON_PREFIX + button) is typed


def test_a_numbered_button_is_a_choice() -> None:
    assert button_input(BUTTON_PREFIX + "choix_2") == Choice(number=2)


@pytest.mark.parametrize("action", ["", "autre_chose", BUTTON_PREFIX + "choix_²", "choix_2"])
def test_an_action_vmbot_never_made_is_not_typed(action: str) -> None:
    assert button_input(action) is None
