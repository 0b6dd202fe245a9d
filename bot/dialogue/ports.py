"""What the dialogue needs from the rest of the bot, as small protocols.

The dialogue is written against these, not against the engine class: the engine
(`bot.engine.Bot`) and the needs reader (`bot.dialogue.reading.CriteriaReader`) fit
them, and so does a stub of a few lines in a test.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from bot.domain import Answer, Catalog, Document, Intent, Source, SourceRef, Verdict

__all__ = ["NeedsReading", "Understanding"]


class Understanding(Protocol):
    """Reading and answering messages, and citing the sources."""

    @property
    def catalog(self) -> Catalog:
        """The validated data: intents, their roles, criteria, outcomes, grammar."""

    @property
    def anchors(self) -> frozenset[str]:
        """The terms that name the domain's subjects ("docker", "vm")."""

    def read(self, text: str) -> str:
        """A message as the bot reads it; empty when nothing in it can be read."""

    def ask(self, question: str) -> Answer:
        """The one-shot answer: an intent's answer, a clarifying question, or a fallback."""

    def answer_for_intent(self, intent_id: str) -> Answer:
        """The curated answer of an intent, picked without a doubt (a numbered choice)."""

    def intent(self, intent_id: str) -> Intent:
        """The intent with this id."""

    def terms(self, text: str) -> tuple[str, ...]:
        """A text's content words, as the matcher compares them."""

    def cite(self, refs: Iterable[SourceRef]) -> tuple[Source, ...]:
        """Citations resolved to their verbatim excerpts, each passage once."""

    def knows_passage(self, passage_id: str) -> bool:
        """Whether the corpus holds this passage (a stored state may name an old one)."""

    def document(self, document_id: str) -> Document:
        """A source document: its title and origin."""


class NeedsReading(Protocol):
    """Reading which needs of a project a statement reveals."""

    def read(self, text: str, *, pending: str | None = None) -> dict[str, Verdict]:
        """Criterion id -> verdict; `pending`: the follow-up question being answered."""


class Answering(Understanding, Protocol):
    """Understanding that also answers a batch of questions at once (what a channel
    uses; the dialogue needs only `Understanding`)."""

    def ask_many(self, questions: Sequence[str]) -> list[Answer]:
        """The one-shot answers of many questions at once, as `ask` gives each."""
