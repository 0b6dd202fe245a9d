"""Whatever a person types, the bot answers in French and never raises."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dialogue.flow import Conversation
from bot.dialogue.state import DialogueState
from bot.engine import Bot

MESSAGES = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.lists(st.sampled_from(["docker", "vm", "oui", "non", "pas", "?", "bonjour", "1", "🐳"])).map(
        " ".join
    ),
)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(question=MESSAGES)
def test_ask_always_answers(bot: Bot, question: str) -> None:
    answer = bot.ask(question)
    assert answer.text
    assert 0.0 <= answer.confidence <= 1.0


@SETTINGS
@given(messages=st.lists(MESSAGES, min_size=1, max_size=6))
def test_any_conversation_keeps_a_valid_serialisable_state(
    conversation: Conversation, messages: list[str]
) -> None:
    state: object = None
    for message in messages:
        new_state, reply = conversation.step(state, message)
        assert reply.text
        state = new_state.to_json()
        assert DialogueState.from_json(state) == new_state
