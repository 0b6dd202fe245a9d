"""The facade every channel uses: one-shot answers, conversation steps, the questions
the bot knows and the sources it cites. Pure, like what it wraps: the adapters build
it with `bot.assembly.load_assistant()` and do the I/O around it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain import Answer, IntentKind, Source, SourceRef

if TYPE_CHECKING:
    # The dialogue is imported at the first conversation step: a one-shot question
    # (`vmbot ask`) never loads it.
    from bot.dialogue.flow import Dialogue
    from bot.dialogue.inputs import Input
    from bot.dialogue.ports import Answering, NeedsReading
    from bot.dialogue.state import DialogueState, Reply

__all__ = ["Assistant", "Citation", "KnownQuestion"]


@dataclass(frozen=True, kw_only=True)
class KnownQuestion:
    """A question the bot answers from its data, with its answer and sources."""

    intent: str
    question: str
    answer: str
    sources: tuple[Source, ...]


@dataclass(frozen=True, kw_only=True)
class Citation:
    """A source as shown to people: the passage, its document's title and origin."""

    passage: str
    excerpt: str
    title: str
    origin: str


class Assistant:
    """What a channel talks to.

    >>> from bot.assembly import load_assistant
    >>> from bot.dialogue.inputs import Text
    >>> assistant = load_assistant()
    >>> assistant.ask("c'est quoi un hyperviseur ?").intent
    'definition_hyperviseur'
    >>> state, reply = assistant.step(None, Text(text="bonjour"))
    >>> reply.intent
    'salutation'
    """

    def __init__(self, bot: Answering, *, needs: Callable[[], NeedsReading]) -> None:
        """`needs`: builds the needs reader, on the first conversation step only (a
        one-shot question never pays for it)."""
        self.bot = bot
        self._needs = needs
        self._dialogue: Dialogue | None = None

    @property
    def dialogue(self) -> Dialogue:
        if self._dialogue is None:
            from bot.dialogue.flow import Dialogue

            self._dialogue = Dialogue(self.bot, needs=self._needs())
        return self._dialogue

    def ask(self, question: str) -> Answer:
        """The one-shot answer: an intent's answer, a clarifying question or a fallback."""
        return self.bot.ask(question)

    def ask_many(self, questions: Sequence[str]) -> list[Answer]:
        """The one-shot answers of a batch, computed together (as `ask` gives each)."""
        return self.bot.ask_many(questions)

    def step(self, stored: object, event: Input) -> tuple[DialogueState, Reply]:
        """One conversation step: `stored` is a DialogueState, its JSON, or None."""
        return self.dialogue.step(stored, event)

    def questions(self) -> tuple[KnownQuestion, ...]:
        """Every question the bot answers from its data, in the data's order."""
        return tuple(
            KnownQuestion(
                intent=i.id,
                question=i.question,
                answer=i.answer,
                sources=self.bot.cite(i.sources),
            )
            for i in self.bot.catalog.intents.values()
            if i.kind is not IntentKind.OUT_OF_SCOPE
        )

    def question(self, intent_id: str) -> str:
        """The question an intent answers: how a choice offered by number reads."""
        return self.bot.intent(intent_id).question

    def cite(self, refs: Iterable[SourceRef]) -> tuple[Source, ...]:
        """Citations resolved to their verbatim excerpts."""
        return self.bot.cite(refs)

    def citations(self, sources: Iterable[Source]) -> tuple[Citation, ...]:
        """Sources with what people need to find them: document title and origin."""
        out = []
        for source in sources:
            document = self.bot.document(source.document)
            out.append(
                Citation(
                    passage=source.passage,
                    excerpt=source.excerpt,
                    title=document.title,
                    origin=document.origin,
                )
            )
        return tuple(out)

    def sources_text(self, sources: tuple[Source, ...]) -> str:
        """The sources as lines to read (or a line saying there are none)."""
        from bot.dialogue.flow import sources_text

        return sources_text(sources, lambda d: self.bot.document(d).title)
