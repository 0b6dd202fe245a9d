"""Reading the user's answers: yes/no/don't know, and the criteria a sentence reveals."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.domain import Criterion, Match, Verdict
from bot.nlp.analyzer import Analyzer
from bot.nlp.matcher import IntentMatcher, TrainingExample
from bot.nlp.questions import asks_something, without_fillers
from bot.nlp.text import fold, tokenize

__all__ = [
    "CriteriaReader",
    "VerdictReader",
    "offers_a_choice",
    "speaks_of_own_project",
]

# "non" holds no other verdict's words, "je ne sais pas" does: check it first.
_ORDER = (Verdict.UNKNOWN, Verdict.NO, Verdict.YES)
# A verdict word deep inside a long sentence ("si j'ai besoin...") is not an answer.
_SHORT_ANSWER = 5
_NEGATIONS = frozenset({"pas", "jamais", "aucun", "aucune", "sans", "nullement", "ni"})
# Clause boundaries: punctuation and the conjunctions that join two statements.
_CLAUSE = re.compile(r"[,;.!?:]|\b(?:et|mais|par contre|sinon|alors que)\b")
_FIRST_PERSON = frozenset({"je", "j", "mon", "ma", "mes", "notre", "nos", "on", "nous", "moi"})


class VerdictReader:
    """Finds "oui", "non" or "je ne sais pas" in an answer to a follow-up question."""

    def __init__(self, phrases: Mapping[str, Sequence[str]]) -> None:
        self._phrases = [
            (verdict, [tuple(tokenize(fold(p))) for p in phrases.get(verdict.value, ())])
            for verdict in _ORDER
        ]

    def read(self, text: str) -> Verdict | None:
        """The verdict, if the text opens with one or is a short answer holding one.

        >>> reader = VerdictReader({"oui": ["oui", "tout a fait"], "non": ["non", "pas du tout"],
        ...                         "nsp": ["je ne sais pas"]})
        >>> [reader.read(t) for t in ("Tout à fait !", "euh non", "je ne sais pas", "bof")]
        [<Verdict.YES: 'oui'>, <Verdict.NO: 'non'>, <Verdict.UNKNOWN: 'nsp'>, None]
        """
        tokens = without_fillers(text)
        for verdict, phrases in self._phrases:
            for phrase in phrases:
                if not phrase:
                    continue
                if tuple(tokens[: len(phrase)]) == phrase:
                    return verdict
                if len(tokens) <= _SHORT_ANSWER and _contains(tokens, phrase):
                    return verdict
        return None

    def read_whole(self, text: str) -> Verdict | None:
        """The verdict only if it is the whole message: "oui ?" is one, "plutôt vm ?" not.

        >>> reader = VerdictReader({"oui": ["oui", "plutot"], "non": ["non"], "nsp": []})
        >>> [reader.read_whole(t) for t in ("oui ?", "euh non", "plutôt vm ou docker ?")]
        [<Verdict.YES: 'oui'>, <Verdict.NO: 'non'>, None]
        """
        tokens = tuple(without_fillers(text))
        for verdict, phrases in self._phrases:
            if tokens in phrases:
                return verdict
        return None


class CriteriaReader:
    """Finds the criteria a free-text sentence reveals, each true or (negated) false."""

    def __init__(
        self,
        criteria: Sequence[Criterion],
        analyzer: Analyzer,
        *,
        threshold: float = 0.3,
        runner_up: float = 0.6,
    ) -> None:
        self._analyzer = analyzer
        self._threshold = threshold
        self._runner_up = runner_up
        examples = [
            TrainingExample(intent=c.id, terms=analyzer.terms(text))
            for c in criteria
            for text in (*c.examples, c.reason)
        ]
        self._matcher = IntentMatcher(examples, french_words=analyzer.french_words)

    def read(self, text: str) -> dict[str, Verdict]:
        """Criterion id -> YES, or NO where its clause negates it ("pas de microservices").

        Each clause is read on its own ("des microservices, et pas besoin d'isolation"),
        and two negations cancel out ("ne peut pas tourner sans Windows").
        """
        found: dict[str, tuple[float, Verdict]] = {}
        for clause in _CLAUSE.split(fold(text)):
            negations = sum(1 for t in tokenize(clause) if t in _NEGATIONS)
            verdict = Verdict.NO if negations % 2 else Verdict.YES
            for match in self._criteria_in(clause):
                if match.confidence > found.get(match.intent, (0.0, verdict))[0]:
                    found[match.intent] = (match.confidence, verdict)
        return {criterion: verdict for criterion, (_, verdict) in found.items()}

    def _criteria_in(self, clause: str) -> list[Match]:
        terms = self._analyzer.terms(clause)
        if not terms:
            return []
        ranked = self._matcher.match(terms)
        if not ranked or ranked[0].confidence < self._threshold:
            return []
        # A clause may reveal two criteria ("vieille appli ... que sous Windows XP"),
        # but a runner-up far behind the best is only a shared word.
        floor = max(self._threshold, self._runner_up * ranked[0].confidence)
        return [m for m in ranked if m.confidence >= floor]


def offers_a_choice(text: str, terms: Sequence[str], anchors: frozenset[str]) -> bool:
    """Whether a question weighs two of the domain's subjects ("vm ou docker ?").

    `terms` are the text's analysed terms, `anchors` the terms that name a subject.
    """
    return (
        asks_something(text)
        and "ou" in tokenize(fold(text))
        and len(anchors.intersection(terms)) >= 2
    )


def speaks_of_own_project(text: str) -> bool:
    """Whether the sentence talks about the user's own situation ("mon appli", "on a")."""
    return bool(_FIRST_PERSON & set(tokenize(fold(text))))


def _contains(tokens: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))
