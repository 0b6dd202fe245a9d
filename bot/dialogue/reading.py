"""Reading the user's answers: yes / no / don't know, and the criteria a sentence states.

Both read a message statement by statement (`Forms.statements`): a contrast
("mais") starts a new statement, and a correction ("non... enfin si", "en fait")
replaces what came before it: the last statement wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.dialogue.needs import NeedsModel, statement_analysis
from bot.domain import Criterion, Grammar, Verdict
from bot.nlp.analyzer import Analyzer
from bot.nlp.forms import Forms
from bot.nlp.matcher import IntentMatcher
from bot.nlp.text import PhraseSet, fold, tokenize

__all__ = ["CriteriaReader", "VerdictReader", "offers_a_choice"]

# "non" holds no other verdict's words, "je ne sais pas" does: the longest phrase wins.
_ORDER = (Verdict.UNKNOWN, Verdict.NO, Verdict.YES)
# A verdict word deep inside a long sentence ("si j'ai besoin...") is not an answer.
_SHORT_ANSWER = 5
# In a longer answer, the verdict starts within its first words.
_OPENING_WORDS = 3
# How close a statement's words must be to a need's examples to state it unasked.
_MIN_SIMILARITY = 0.3
_MIN_SIMILARITY_ALONE = 0.5
# "c'est", as typed: what follows says something of the topic before it.
_COPULA = re.compile(r"\bc(?:['’ ]|\b)?est\b", re.IGNORECASE)
# Words on each side of "et" for it to join two statements rather than list things.
_CONJOINED_WORDS = 3


class VerdictReader:
    """Finds "oui", "non" or "je ne sais pas" in an answer to a follow-up question."""

    def __init__(self, grammar: Grammar, forms: Forms) -> None:
        self._forms = forms
        phrases: dict[tuple[str, ...], Verdict] = {}
        # Listed first, kept first: "nsp" phrases hold other verdicts' words.
        for verdict in _ORDER:
            for phrase in grammar.verdicts.get(verdict, ()):
                phrases.setdefault(phrase, verdict)
        self._verdict_of = phrases
        self._phrases = PhraseSet(phrases)
        self._hedges = grammar.hedges
        self._closing = PhraseSet(grammar.closing_verdicts)

    def read(self, text: str) -> Verdict | None:
        """The verdict of the last statement that opens with one or is a short answer
        holding one ("non... enfin si" is yes).

        >>> from dataclasses import replace
        >>> from bot.domain import Grammar
        >>> grammar = replace(Grammar.empty(), verdicts={
        ...     Verdict.YES: (("oui",), ("tout", "a", "fait"), ("si",)),
        ...     Verdict.NO: (("non",), ("pas", "du", "tout")),
        ...     Verdict.UNKNOWN: (("je", "ne", "sais", "pas"),)},
        ...     corrections=(("enfin",),))
        >>> reader = VerdictReader(grammar, Forms(grammar))
        >>> [reader.read(t) for t in ("Tout à fait !", "je ne sais pas", "bof", "non... enfin si")]
        [<Verdict.YES: 'oui'>, <Verdict.UNKNOWN: 'nsp'>, None, <Verdict.YES: 'oui'>]
        """
        found = None
        for statement in self._forms.statements(text):
            verdict = self._opening(statement)
            if verdict is not None:
                found = verdict
        return found

    def _opening(self, text: str) -> Verdict | None:
        tokens = self._forms.without_fillers(text)
        if not tokens:
            return None
        # A short answer holds its verdict anywhere ("bon ben non"); a longer one in
        # its first words ("c'est pas le cas, ...", "on a pas besoin de ...").
        found = [
            (phrase, self._verdict_of[phrase])
            for start, phrase in self._phrases.find(tokens)
            if len(tokens) <= _SHORT_ANSWER or start < _OPENING_WORDS
        ]
        # A hedge then a verdict ("bof non", "bof pas vraiment") is the verdict.
        definite = [(p, v) for p, v in found if not (p[0] in self._hedges and len(p) == 1)]
        if not definite and len(tokens) > _SHORT_ANSWER and len({v for _, v in found}) > 1:
            return None  # "mouais bof, y a que des pseudos": hedges disagree, the rest answers
        kept = definite or found
        if not kept:
            return self._closing_verdict(text, tokens)
        return kept[-1][1] if len(tokens) <= _SHORT_ANSWER else kept[0][1]

    def _closing_verdict(self, text: str, tokens: list[str]) -> Verdict | None:
        """The verdict a long answer ends on: a clause of its own ("c'est juste des noms
        et des mails, rien de ouf") or a plain one ("donc trois trucs séparés ouais")."""
        for start, phrase in reversed(self._closing.find(tokens)):
            if start + len(phrase) == len(tokens):
                return self._verdict_of.get(phrase)
        return None

    def hedges(self, text: str) -> bool:
        """Whether an answer only hedges ("bof", "mouais"): no verdict of its own
        ("mouais non, ça consomme que dalle" says no)."""
        opening = self._forms.without_fillers(text)[:_OPENING_WORDS]
        if not any(t in self._hedges for t in opening):
            return False
        return all(p[0] in self._hedges and len(p) == 1 for _, p in self._phrases.find(opening))

    def without_verdicts(self, text: str) -> str:
        """The text's folded words, without its yes / no / don't-know phrases."""
        tokens = self._forms.without_fillers(text)
        found = self._phrases.find(tokens)
        skipped = {i for start, phrase in found for i in range(start, start + len(phrase))}
        return " ".join(t for i, t in enumerate(tokens) if i not in skipped)

    def stands_alone(self, text: str) -> bool:
        """Whether one statement of the text is only a verdict: "non, mais on a besoin
        d'isolation" answers the question asked; "en fait si, on a besoin d'isolation"
        says yes to the need it names, not to the question."""
        return any(self.read_whole(s) is not None for s in self._forms.statements(text))

    def read_whole(self, text: str) -> Verdict | None:
        """The verdict only if it is the whole message: "oui ?" is one, "plutôt vm ?" not;
        nor are two verdicts that disagree, but "🤷 jsp" ("je ne sais pas jsp") is one."""
        tokens = tuple(self._forms.without_fillers(text))
        whole = self._verdict_of.get(tokens)
        if whole is not None or not tokens:
            return whole
        found = self._phrases.find(tokens)
        if sum(len(p) for _, p in found) != len(tokens):
            return None
        verdicts = {self._verdict_of[p] for _, p in found}
        return verdicts.pop() if len(verdicts) == 1 else None


@dataclass(frozen=True, kw_only=True)
class _Reading:
    criterion: str
    verdict: Verdict
    confidence: float


class CriteriaReader:
    """Finds the criteria a free-text statement reveals, each with its verdict.

    A criterion is recorded only when its topic model is sure and most of the
    statement's words are known, so that nothing the user never said is invented.
    """

    def __init__(
        self,
        criteria: Sequence[Criterion],
        analyzer: Analyzer,
        forms: Forms,
        *,
        model: NeedsModel,
        threshold: float = 0.7,
        beside_pending: float = 0.9,
        pending_threshold: float = 0.3,
        second: float = 0.9,
        min_coverage: float = 0.5,
    ) -> None:
        self._analyzer = analyzer
        self._forms = forms
        self._verdicts = VerdictReader(forms.grammar, forms)
        self._ids = [c.id for c in criteria]
        self.model = model
        self._vocabulary = IntentMatcher(self.model.said, is_word=analyzer.is_word)
        self._threshold = threshold
        self._beside_pending = beside_pending
        self._pending_threshold = pending_threshold
        self._second = second
        self._min_coverage = min_coverage

    def read(self, text: str, *, pending: str | None = None) -> dict[str, Verdict]:
        """Criterion id -> verdict, for what the message states (the last statement wins).

        With a question `pending`, a statement that is about it counts for it even
        when the model is less sure ("c'est une seule grosse appli java" answers the
        question on microservices).
        """
        found: dict[str, Verdict] = {}
        for statement in self._forms.statements(text):
            # Each part between commas or "et" may state a need of its own ("3 petites
            # API, hébergées chez un seul hébergeur"); the whole statement catches the
            # rest. An answer to a question is read whole: its parts lean on it ("non,
            # tout est sur ce seul serveur" says nothing of several systems).
            parts = [q for p in self._commas(statement) for q in self._conjoined(p) if q.strip()]
            if pending is not None or len(parts) == 1:
                readings = self._readings(statement, pending)
                if pending is not None and all(r.criterion != pending for r in readings):
                    # The answer may lie in one part ("bof, des noms, rien de secret").
                    readings += [
                        r
                        for part in parts
                        for r in self._readings(part, pending, only_pending=True)
                    ]
            else:
                readings = [r for part in parts for r in self._readings(part, pending)]
                # Parts of one statement that disagree on a need list its sides ("des
                # machines sur AWS et dans nos locaux"), they do not correct each other
                # (corrections are statements of their own): a need that one side has,
                # the project has.
                torn = {
                    r.criterion
                    for r in readings
                    if any(o.criterion == r.criterion and o.verdict != r.verdict for o in readings)
                }
                readings = [
                    r for r in readings if r.criterion not in torn or r.verdict is Verdict.YES
                ]
                said = {r.criterion for r in readings}
                readings += [
                    r for r in self._readings(statement, pending) if r.criterion not in said
                ]
            if pending is None:
                # A need stated in a clause of its own, which the whole part dilutes;
                # never against what the whole part says (a clause loses its subject).
                # A few words alone must point at one need: "du Oracle sous Windows
                # Server" reads as one OS as much as several, and says neither.
                said = {r.criterion for r in readings}
                readings += [
                    clause_readings[0]
                    for part in parts
                    for clause in self._clauses(part)
                    if len(clause_readings := self._readings(clause, pending)) == 1
                    and clause_readings[0].criterion not in said
                ]
            for reading in readings:
                found[reading.criterion] = reading.verdict
        return found

    def _commas(self, text: str) -> list[str]:
        """A statement split at its commas, except before a pronoun that takes up what
        came before: "l'archi, c'est un monolithe" says one thing of one topic."""
        pieces: list[str] = []
        for piece in text.split(","):
            if pieces and self._takes_up(piece):
                pieces[-1] = f"{pieces[-1]},{piece}"
            else:
                pieces.append(piece)
        return pieces

    def _takes_up(self, piece: str) -> bool:
        """Whether a piece after a comma opens on a pronoun for what came before it."""
        grammar = self._forms.grammar
        words = tokenize(fold(piece))
        return bool(words) and words[0] in grammar.anaphora - grammar.conjunctions

    def _conjoined(self, text: str) -> list[str]:
        """A statement split at "et" wherever both sides say something of their own
        ("on a des microservices et pas besoin d'isolation"), not in a list ("Windows
        et Linux sur le même serveur")."""
        return _split_at(text, self._forms.grammar.conjunctions)

    def _clauses(self, text: str) -> list[str]:
        """The clauses a part hangs on its first one ("qui doit scaler vite", "avec des
        pics de trafic"), or says of it after a comma ("une appli de rendez-vous, c'est
        pas bien lourd"), when there are any."""
        clauses = _split_at(text, self._forms.grammar.clause_joiners)
        # What a comma's pronoun says of the topic before it, alone; never the topic
        # alone ("la sécurité, c'est pas un souci" says nothing for "la sécurité").
        comments = [piece for piece in text.split(",")[1:] if self._takes_up(piece)]
        # The same without the comma: "notre back c'est 5 petites API en node".
        copula = _COPULA.search(text)
        if copula and tokenize(fold(text[: copula.start()])):
            comment = text[copula.end() :]
            if tokenize(fold(comment)):
                comments.append(comment)
        return (clauses if len(clauses) > 1 else []) + comments

    def _readings(
        self, text: str, pending: str | None, *, only_pending: bool = False
    ) -> list[_Reading]:
        analysis = self._analyzer.analyze(text)
        if not analysis.terms or self._vocabulary.coverage(analysis.terms) < self._min_coverage:
            return []
        marked = statement_analysis(text, self._analyzer)
        # Another need than the pending one takes words of its own, close to what is
        # said of it: "quand même oui" answers the question, it says nothing of peaks.
        rest_text = self._verdicts.without_verdicts(text)
        rest = self._analyzer.terms(rest_text)
        similar = {m.intent: m.confidence for m in self._vocabulary.match(rest)} if rest else {}
        # One word alone must be telling ("microservices"), not incidental ("quand").
        least = _MIN_SIMILARITY if len(rest) > 1 else _MIN_SIMILARITY_ALONE
        # An answer to one question rarely states another need: only a sure reading, of
        # a statement more about that need than about the question asked ("non, tout
        # est sur ce seul serveur" answers the question on distribution, nothing more),
        # and without the verdict that answers the question ("non, juste ce Windows").
        asked = self.model.about(pending, analysis) if pending is not None else 0.0
        beside = statement_analysis(rest_text, self._analyzer) if pending is not None else marked
        readings = []
        for criterion in self._ids:
            if criterion == pending:
                threshold = self._pending_threshold
            elif only_pending or similar.get(criterion, 0.0) < least:
                continue
            else:
                threshold = self._threshold if pending is None else self._beside_pending
            about = self.model.about(criterion, analysis)
            if about < threshold or (criterion != pending and about <= asked):
                continue
            verdict = self.model.verdict(criterion, marked if criterion == pending else beside)
            readings.append(_Reading(criterion=criterion, verdict=verdict, confidence=about))
        readings.sort(key=lambda r: -r.confidence)
        # A statement states one need, two at most ("une vieille appli Windows XP"): the
        # second must be as sure, or it is only a neighbour of the first ("Windows").
        return [r for i, r in enumerate(readings[:2]) if i == 0 or r.confidence >= self._second]


def offers_a_choice(forms: Forms, text: str, terms: Sequence[str], anchors: frozenset[str]) -> bool:
    """Whether a question weighs two of the domain's subjects ("vm ou docker ?").

    `terms` are the text's analysed terms, `anchors` the terms that name a subject.
    """
    alternatives = PhraseSet(forms.grammar.alternatives)
    return (
        forms.asks_something(text)
        and bool(alternatives.find(tokenize(fold(text))))
        and len(anchors.intersection(terms)) >= 2
    )


def _split_at(text: str, joiners: frozenset[str]) -> list[str]:
    """The text split at each joiner with enough words on both sides to be a statement."""
    tokens = text.split()
    for i, token in enumerate(tokens):
        if token in joiners:
            left, right = tokens[:i], tokens[i + 1 :]
            if len(left) >= _CONJOINED_WORDS and len(right) >= _CONJOINED_WORDS:
                return [" ".join(left), *_split_at(" ".join(right), joiners)]
    return [text]
