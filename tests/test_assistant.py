"""The facade and the dialogue's typed inputs, driven through a stub of the understanding.

The dialogue depends on a protocol (`bot.dialogue.ports.Understanding`), not on the
engine: a stub of a few lines stands in for it here, so these tests say what the
dialogue does with each kind of input, whatever the French parser would make of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pytest

from bot import messages as msg
from bot.adapters.chat_lines import typed_input
from bot.assistant import Assistant
from bot.dialogue.flow import Dialogue
from bot.dialogue.inputs import Choice, Command, Text
from bot.dialogue.state import DialogueState
from bot.domain import (
    Answer,
    AnswerKind,
    Catalog,
    Criterion,
    Document,
    Grammar,
    Intent,
    IntentKind,
    Lexicon,
    OutcomeText,
    Passage,
    Role,
    Roles,
    Source,
    SourceRef,
    Verdict,
)

PASSAGE = Passage(id="doc.p1", document="doc", section="s", text="Les VM isolent mieux.")
DOCUMENT = Document(id="doc", title="Un article", origin="https://exemple.fr", passages=(PASSAGE,))
CITED = (SourceRef(passage=PASSAGE.id),)


def _intent(
    intent_id: str, *, role: Role | None = None, kind: IntentKind = IntentKind.FAQ
) -> Intent:
    return Intent(
        id=intent_id,
        kind=kind,
        question=f"question {intent_id} ?",
        answer=f"réponse {intent_id}",
        sources=CITED if kind is IntentKind.FAQ else (),
        examples=(),
        file="stub.yaml",
        role=role,
    )


def _criterion(criterion_id: str, favours: str) -> Criterion:
    return Criterion(
        id=criterion_id,
        favours=favours,
        weight=2,
        prevalence=0.2,
        question=f"{criterion_id} ?",
        reason=f"besoin {criterion_id}",
        absent=f"pas de {criterion_id}",
        sources=CITED,
        examples=(),
    )


def _catalog() -> Catalog:
    played = {role: f"intent_{role.value}" for role in Role}
    intents = {i: _intent(i, role=r, kind=IntentKind.CONVERSATION) for r, i in played.items()}
    intents |= {"isolation": _intent("isolation"), "vitesse": _intent("vitesse")}
    criteria = [_criterion("isolation_forte", "vm"), _criterion("microservices", "conteneur")]
    outcomes = ("vm", "conteneur", "conteneur_sur_vm")
    return Catalog(
        intents=intents,
        lexicon=Lexicon(
            stop_words=frozenset(), synonyms={}, lemma_fixes={}, false_friends=frozenset()
        ),
        grammar=Grammar.empty(),
        roles=Roles.of(played),
        criteria={c.id: c for c in criteria},
        outcomes={o: OutcomeText(id=o, answer=f"Choisissez {o}.", sources=CITED) for o in outcomes},
    )


class StubUnderstanding:
    """Understands a message only when it is an intent id, and counts what it is asked."""

    def __init__(self) -> None:
        self.catalog = _catalog()
        self.anchors: frozenset[str] = frozenset()
        self.asked: list[str] = []

    def read(self, text: str) -> str:
        return text.strip()

    def ask(self, question: str) -> Answer:
        self.asked.append(question)
        if question in self.catalog.intents:
            return self.answer_for_intent(question)
        return Answer(
            question=question, kind=AnswerKind.FALLBACK, intent=None, confidence=0.0, text="?"
        )

    def ask_many(self, questions: Sequence[str]) -> list[Answer]:
        return [self.ask(q) for q in questions]

    def answer_for_intent(self, intent_id: str) -> Answer:
        intent = self.catalog.intents[intent_id]
        return Answer(
            question="",
            kind=AnswerKind.ANSWER,
            intent=intent_id,
            confidence=1.0,
            text=intent.answer,
            sources=self.cite(intent.sources),
        )

    def intent(self, intent_id: str) -> Intent:
        return self.catalog.intents[intent_id]

    def terms(self, text: str) -> tuple[str, ...]:
        return tuple(text.split())

    def cite(self, refs: Iterable[SourceRef]) -> tuple[Source, ...]:
        return tuple(
            Source(document="doc", passage=r.passage, excerpt=r.excerpt or PASSAGE.text)
            for r in dict.fromkeys(refs)
        )

    def knows_passage(self, passage_id: str) -> bool:
        return passage_id == PASSAGE.id

    def document(self, document_id: str) -> Document:
        return DOCUMENT


class NoNeeds:
    def read(self, text: str, *, pending: str | None = None) -> dict[str, Verdict]:
        return {}


@pytest.fixture
def stub() -> StubUnderstanding:
    return StubUnderstanding()


@pytest.fixture
def dialogue(stub: StubUnderstanding) -> Dialogue:
    return Dialogue(stub, needs=NoNeeds())


ADVISING = DialogueState(expecting="isolation_forte", asked=1)


def test_text_asking_for_advice_opens_the_follow_up_questions(dialogue: Dialogue) -> None:
    state, reply = dialogue.step(None, Text(text="intent_advice"))
    assert state.expecting in ("isolation_forte", "microservices")
    assert reply.intent == "intent_advice"


@pytest.mark.parametrize("verdict", list(Verdict))
def test_a_verdict_answers_the_pending_question_without_the_parser(
    dialogue: Dialogue, stub: StubUnderstanding, verdict: Verdict
) -> None:
    state, _ = dialogue.step(ADVISING, verdict)
    assert state.answers["isolation_forte"] is verdict
    assert stub.asked == []


def test_a_yes_with_one_choice_offered_and_no_question_pending_takes_it(
    dialogue: Dialogue,
) -> None:
    _, reply = dialogue.step(DialogueState(choices=("vitesse",)), Verdict.YES)
    assert reply.intent == "vitesse"


def test_a_verdict_with_nothing_pending_is_acknowledged(dialogue: Dialogue) -> None:
    state, reply = dialogue.step(None, Verdict.NO)
    assert reply.text == msg.ACKNOWLEDGED and state == DialogueState()


def test_a_choice_picks_the_offered_intent_by_its_number(
    dialogue: Dialogue, stub: StubUnderstanding
) -> None:
    state, reply = dialogue.step(DialogueState(choices=("isolation", "vitesse")), Choice(number=2))
    assert reply.intent == "vitesse" and state.choices == ()
    assert stub.asked == []


def test_a_choice_out_of_range_says_how_many_there_are(dialogue: Dialogue) -> None:
    state = DialogueState(choices=("isolation", "vitesse"))
    _, reply = dialogue.step(state, Choice(number=7))
    assert reply.text == msg.CHOICE_OUT_OF_RANGE.format(n=2)


def test_a_choice_when_none_was_offered_says_so(dialogue: Dialogue) -> None:
    _, reply = dialogue.step(None, Choice(number=1))
    assert reply.text == msg.NO_CHOICE_OFFERED


def test_the_restart_command_forgets_the_project(dialogue: Dialogue) -> None:
    state, reply = dialogue.step(ADVISING, Command.RESTART)
    assert state == DialogueState() and reply.intent == "intent_restart"


def test_the_goodbye_command_ends_the_conversation_and_drops_the_question(
    dialogue: Dialogue,
) -> None:
    state, reply = dialogue.step(ADVISING, Command.GOODBYE)
    assert reply.ended and state.ended and state.expecting is None


def test_the_help_command_gives_the_help_intents_answer(dialogue: Dialogue) -> None:
    _, reply = dialogue.step(None, Command.HELP)
    assert reply.text == "réponse intent_help"


def test_the_sources_command_lists_the_last_replys_sources(dialogue: Dialogue) -> None:
    state, _ = dialogue.step(None, Text(text="isolation"))
    same, reply = dialogue.step(state, Command.SOURCES)
    assert same == state and reply.sources == state.last_sources != ()
    assert "[doc.p1] Un article" in reply.text


def test_the_facade_lists_questions_with_their_resolved_sources(stub: StubUnderstanding) -> None:
    assistant = Assistant(stub, needs=NoNeeds)
    known = {q.intent: q for q in assistant.questions()}
    assert known["isolation"].sources[0].excerpt == PASSAGE.text
    (citation,) = assistant.citations(known["isolation"].sources)
    assert (citation.title, citation.origin) == ("Un article", "https://exemple.fr")


def test_the_facade_builds_the_conversation_only_when_a_step_is_taken(
    stub: StubUnderstanding,
) -> None:
    built: list[NoNeeds] = []

    def needs() -> NoNeeds:
        built.append(NoNeeds())
        return built[-1]

    assistant = Assistant(stub, needs=needs)
    assistant.ask("isolation")
    assert built == []
    assistant.step(None, Text(text="isolation"))
    assistant.step(None, Text(text="vitesse"))
    assert len(built) == 1


@pytest.mark.parametrize(
    ("line", "state", "expected"),
    [
        ("/recommencer", DialogueState(), Command.RESTART),
        (" /SOURCES ", DialogueState(), Command.SOURCES),
        ("2", DialogueState(choices=("isolation", "vitesse")), Choice(number=2)),
        ("2", DialogueState(), Text(text="2")),
        ("２", DialogueState(choices=("isolation", "vitesse")), Text(text="２")),
        ("oui", DialogueState(expecting="multi_os"), Text(text="oui")),
    ],
)
def test_chat_lines_become_typed_inputs(line: str, state: DialogueState, expected: object) -> None:
    assert typed_input(state, line) == expected
