"""The engine: reads, ranks and answers questions, with no I/O (channels use it through
the facade, bot/assistant.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot import messages as msg
from bot.domain import (
    Answer,
    AnswerKind,
    Catalog,
    Corpus,
    Document,
    FallbackReason,
    Intent,
    IntentKind,
    Match,
    Source,
    SourceRef,
)
from bot.nlp.analyzer import Analysis, Analyzer
from bot.nlp.classifier import SoftmaxModel, train_softmax
from bot.nlp.dictionary import (
    WordLists,
)
from bot.nlp.forms import Forms
from bot.nlp.language import LanguageGuard
from bot.nlp.lemmas import LemmaTable
from bot.nlp.matcher import MatcherSettings, TermWeights, TrainingExample, idf_of
from bot.nlp.ranking import ConfidenceModel, Ranker, Ranking
from bot.nlp.text import clean, fold, tokenize
from bot.training import training_pairs

__all__ = [
    "ASKED_TOGETHER",
    "Bot",
    "EngineSettings",
    "Index",
    "clean",
    "training_pairs",
]

# The chat words an opening is made of ("bonjour", "merci"): canonical terms.
_OPENING_TERMS = frozenset({"salut", "merci"})
# Opening words stripped before the real question, at most: "cc cc cc ..." is a greeting.
_MAX_OPENING_WORDS = 4
_CLARIFY_CHOICES = 3
# Messages whose reading and ranking are remembered; emptied when full.
_KEPT = 8_192
# Questions of a batch analysed before they are answered: what is remembered of them
# (their analyses and their question's, their rankings) must still be there.
ASKED_TOGETHER = _KEPT // 4
T = TypeVar("T")


# Weights of the ranking's signals (bot/nlp/ranking.py `Signals`, in that order),
# fitted by benchmarks/calibrate.py on the development sets.
_CONFIDENCE = ConfidenceModel(
    weights=(
        *(1.8778, 1.6477, 3.1469, -1.0964, 2.5641, -0.1026),
        *(-0.1119, 0.9247, -0.4972, 0.0324, -1.4778, 2.1111),
    ),
    bias=-6.8785,
)


@dataclass(frozen=True, kw_only=True)
class Index:
    """What is trained from the data: the classifier and the word weights."""

    model: SoftmaxModel
    idf: dict[str, float] | None = None  # None: computed from the examples
    # The terms of the articles' passages (None: analysed again): a tenth of a warm
    # start otherwise.
    domain: frozenset[str] | None = None


@dataclass(frozen=True, kw_only=True)
class EngineSettings:
    """How sure the bot must be to answer, to ask which was meant, or to give up.

    Confidence at or above `threshold`: the answer. Between `clarify_threshold` and
    it: a clarifying question offering the likely intents. Below: the fallback.
    Both chosen by benchmarks/calibrate.py on the development sets.
    """

    threshold: float = 0.7
    clarify_threshold: float = 0.5
    confidence: ConfidenceModel = _CONFIDENCE
    # Runner-ups scoring at least this share of the best intent's score are offered too.
    ambiguity_ratio: float = 0.8
    matcher: MatcherSettings = field(default_factory=MatcherSettings)


class Bot:
    """Answers French questions from the intents; `bot.assembly.load_bot()` builds it
    from the data folders, with its cache.

    >>> from bot.assembly import load_bot
    >>> bot = load_bot()
    >>> bot.ask("c'est quoi un hyperviseur ?").intent
    'definition_hyperviseur'
    """

    def __init__(
        self,
        *,
        corpus: Corpus,
        catalog: Catalog,
        table: LemmaTable,
        words: WordLists,
        index: Index | None = None,
        settings: EngineSettings | None = None,
    ) -> None:
        """`index`: the trained model and the word weights, if built already."""
        self.corpus = corpus
        self.catalog = catalog
        self.settings = settings or EngineSettings()
        self.words = words
        roles = catalog.roles
        # Intents a message may open with before its real question.
        self._openers = frozenset({roles.greeting, roles.thanks})
        # Chat that is no question of its own after an opening word ("merci, et toi ?").
        self._small_talk = self._openers | {roles.goodbye}
        # Conversation intents a clarifying question may offer, besides FAQ ones.
        self._offerable_chat = frozenset({roles.advice, roles.help})
        self.analyzer = Analyzer(table, catalog.lexicon, catalog.grammar, words)
        self.forms = Forms(catalog.grammar)
        # The terms that name the subject: an FAQ question names one of them.
        self.anchors = frozenset(t for a in catalog.lexicon.anchors for t in self.analyzer.terms(a))
        self._subjects = self.anchors | {
            t for s in catalog.lexicon.subjects for t in self.analyzer.terms(s)
        }
        # As terms, like the messages they are compared with ("dictionnaire" may lemmatise).
        self._false_friends = (
            frozenset(t for w in catalog.lexicon.false_friends for t in self.analyzer.terms(w))
            | catalog.lexicon.false_friends
        )
        self._domain = (index.domain if index is not None else None) or frozenset(
            t for p in corpus.passages.values() for t in self.analyzer.terms(p.text)
        )
        # Words of the articles that everyday French does not use: "hyperviseur",
        # "démarrage", not "plus" or "sécurité" ("la sécurité routière").
        self._domain_words = self.anchors | (self._domain - words.common["fr"])
        self._vocatives = catalog.lexicon.vocatives
        self.language = LanguageGuard(words, catalog.grammar, self.anchors)
        # The training pairs only when there is something to train: a tenth of a warm
        # start's building otherwise.
        self.ranker = self._ranker(lambda: training_pairs(catalog), index)
        # Where the index is cached and under which key: models built on top of it
        # (the advisor's) are cached beside it. None when built without a cache.
        self.cache_dir: Path | None = None
        self.index_key: str | None = None
        # Artefact name -> key, of every artefact this bot was built from.
        self.artefacts: dict[str, str] = {}
        self._sources: dict[str, tuple[Source, ...]] = {}
        self._names: dict[str, bool] = {}
        self._forget()

    def _forget(self) -> None:
        """Empties the memos of what messages were read as (a retrained bot ranks anew)."""
        # By message: the text as read, and whether it is in another language.
        self._reads: dict[str, tuple[str, bool]] = {}
        # By text: its analysis and its question's (the ranker remembers their ranking).
        self._analyses: dict[str, tuple[Analysis, Analysis | None]] = {}

    def _ranker(self, pairs: Callable[[], list[tuple[str, str]]], index: Index | None) -> Ranker:
        rejecting = frozenset(
            i.id for i in self.catalog.intents.values() if i.kind is IntentKind.OUT_OF_SCOPE
        )
        model = index.model if index is not None else None
        idf = index.idf if index is not None else None
        if model is None or idf is None:
            samples = [(intent, self.analyzer.analyze(text)) for intent, text in pairs()]
            model = model or train_softmax(samples)
            idf = idf or idf_of(
                [TrainingExample(intent=i, terms=a.terms) for i, a in samples if i not in rejecting]
            )
        weights = TermWeights(
            idf,
            is_word=self.analyzer.is_word,
            is_french=self.analyzer.is_french,
            domain_words=self._domain,
            false_friends=self._false_friends,
            settings=self.settings.matcher,
        )
        faq = frozenset(i.id for i in self.catalog.intents.values() if i.kind is IntentKind.FAQ)
        return Ranker(
            model=model,
            weights=weights,
            rejecting=rejecting,
            confidence=self.settings.confidence,
            unsourced=self.catalog.roles.unsourced,
            anchored=faq,
            anchors=self.anchors,
            false_friends=self._false_friends,
        )

    def retrained(self, pairs: list[tuple[str, str]]) -> Bot:
        """The same bot trained on other (intent id, text) pairs: cross-validation folds."""
        clone = copy.copy(self)
        clone.ranker = self._ranker(lambda: pairs, None)
        clone._forget()
        return clone

    @property
    def index(self) -> Index:
        """What training built: the model and the word weights, to cache."""
        return Index(model=self.ranker.model, idf=self.ranker.weights.idf, domain=self._domain)

    def intent(self, intent_id: str) -> Intent:
        return self.catalog.intents[intent_id]

    def sources(self, intent_id: str) -> tuple[Source, ...]:
        """The intent's citations, each with its verbatim excerpt."""
        # A function of the data, which a bot never changes: resolved once per intent.
        known = self._sources.get(intent_id)
        if known is None:
            known = self._sources[intent_id] = self.cite(self.intent(intent_id).sources)
        return known

    def cite(self, refs: Iterable[SourceRef]) -> tuple[Source, ...]:
        """Citations resolved to their verbatim excerpts (the whole passage if none is
        set), each passage once: the one place where citations are resolved."""
        seen: dict[str, Source] = {}
        for ref in refs:
            passage = self.corpus.passages[ref.passage]
            excerpt = ref.excerpt or passage.text
            source = Source(document=passage.document, passage=passage.id, excerpt=excerpt)
            seen.setdefault(ref.passage, source)
        return tuple(seen.values())

    def knows_passage(self, passage_id: str) -> bool:
        """Whether the corpus holds this passage."""
        return passage_id in self.corpus.passages

    def document(self, document_id: str) -> Document:
        """A source document: its title and origin."""
        return self.corpus.document(document_id)

    def terms(self, text: str) -> tuple[str, ...]:
        """A text's content words, as the matcher compares them."""
        return self.analyzer.terms(text)

    def read(self, text: str) -> str:
        """A message as the bot reads it: cleaned, cut, emoji read as words."""
        return clean(self.forms.normalize(clean(text)))

    def rank(self, text: str) -> Ranking:
        """Every in-scope intent ranked for this text (none when nothing in it carries meaning)."""
        return self._ranking(self.read(text))[2]

    def names_subject(self, sentence: str) -> bool:
        """Whether a sentence names something a question may be about ("une instance")."""
        # Asked of every word of a message that states something first: remembered
        # apart from the analyses, which a batch of long messages would push out.
        known = self._names.get(sentence)
        if known is None:
            known = not self._subjects.isdisjoint(self.analyzer.terms(sentence))
            _remember(self._names, sentence, known)
        return known

    def _ranking(self, text: str) -> tuple[Analysis, Analysis | None, Ranking]:
        """The message's analysis, its question's (in a long message), and the ranking."""
        analysis, focused = self._analyses_of(text)
        return analysis, focused, self.ranker.rank(analysis, focused)

    def _analyses_of(self, text: str) -> tuple[Analysis, Analysis | None]:
        """The message's analysis and its question's (in a long message)."""
        known = self._analyses.get(text)
        if known is None:
            # What the message sets aside is no part of what it asks.
            asked = self.forms.set_aside(text, self.names_subject) or text
            focus = self.forms.focus(asked, self.names_subject)
            known = (
                self.analyzer.analyze(asked),
                self.analyzer.analyze(focus) if focus is not None else None,
            )
            _remember(self._analyses, text, known)
        return known

    def _read(self, question: str) -> tuple[str, bool]:
        """The message as read, and whether it is written in another language."""
        known = self._reads.get(question)
        if known is None:
            text = self.read(question)
            known = (text, bool(text) and self.language.foreign(text))
            _remember(self._reads, question, known)
        return known

    def ask(self, question: str) -> Answer:
        """The one-shot answer: the intent's answer, a clarifying question, or the fallback."""
        text, foreign = self._read(question)
        if not text:
            # Emoji alone is not empty: it says something the bot cannot read.
            empty = not clean(question)
            return self._fallback(
                question, FallbackReason.EMPTY if empty else FallbackReason.UNCLEAR, []
            )
        if foreign:
            return self._fallback(question, FallbackReason.LANGUAGE, [])
        answer = self._decide(question, text)
        greeted = answer.intent in self._openers or answer.kind is not AnswerKind.ANSWER
        split = self._after_opening(text) if greeted else None
        if split is not None:
            opening, rest = split
            # "Bonjour, c'est quoi docker ?": the question after the greeting wins.
            followed = self._decide(question, rest)
            if self._own_question(answer, followed, rest):
                if self._greeting_then_remark(answer, followed, rest):
                    return self._decide(question, opening)
                return followed
        return answer

    def ask_many(self, questions: Sequence[str]) -> list[Answer]:
        """The answers to many questions, each as `ask` gives it; the classifier reads
        the analyses of each slice of them (`ASKED_TOGETHER`) in one sparse product."""
        answers: list[Answer] = []
        for start in range(0, len(questions), ASKED_TOGETHER):
            answers += self._ask_together(questions[start : start + ASKED_TOGETHER])
        return answers

    def _ask_together(self, questions: Sequence[str]) -> list[Answer]:
        # Each message is read and analysed once here, as `ask` reads it (it then
        # finds the analyses remembered): its whole text and its question's.
        analyses: list[Analysis] = []
        for question in questions:
            text, foreign = self._read(question)
            if text and not foreign:
                analysis, focus = self._analyses_of(text)
                analyses.append(analysis)
                if focus is not None:
                    analyses.append(focus)
        self.ranker.preload(analyses)
        return [self.ask(question) for question in questions]

    def _greeting_then_remark(self, whole: Answer, followed: Answer, rest: str) -> bool:
        """Whether a message neither part of which is understood is a greeting followed
        by a remark that asks nothing ("Bonsoir, je découvre ce site en cherchant des
        infos sur les serveurs."): the greeting is what it says."""
        return (
            whole.kind is AnswerKind.FALLBACK
            and followed.kind is AnswerKind.FALLBACK
            and followed.reason is FallbackReason.UNCLEAR
            and not self.forms.requests_something(rest)
        )

    def _own_question(self, opening: Answer, followed: Answer, rest: str) -> bool:
        """Whether what follows an opening word is a message in its own right: "salut,
        les vm c'est sûr ?" is; "merci pour l'explication" or "merci, et toi ?" is not.
        A request the bot cannot answer is one too ("bonjour, une recette de crêpes ?").
        """
        if opening.intent not in self._openers:
            # The whole message was not understood: its question may be.
            return followed.kind is not AnswerKind.FALLBACK or opening.kind is AnswerKind.FALLBACK
        if followed.intent in self._small_talk:
            return False  # "merci, et toi ça va ?": still chat
        if followed.kind is AnswerKind.FALLBACK:
            return followed.reason in (
                FallbackReason.OFF_DOMAIN,
                FallbackReason.UNSOURCED,
            ) and self.forms.requests_something(rest)
        return followed.confidence >= opening.confidence or "?" in rest

    def _decide(self, question: str, text: str) -> Answer:
        """Answer, clarify or fall back, on the confidence of the best intent."""
        analysis, focused, ranking = self._ranking(text)
        ranked = self._directed(list(ranking.matches), focused or analysis)
        top = ranked[0] if ranked else Match(intent="", confidence=0.0)
        settings = self.settings
        if ranking.out_of_scope or top.confidence < settings.clarify_threshold:
            return self._fallback(question, self._why_not(ranking, analysis), ranked)
        offered = self._offered(ranked)
        # A greeting, thanks or goodbye read with some doubt costs nothing to answer.
        doubt = top.intent not in self._small_talk
        if doubt and (top.confidence < settings.threshold or len(offered) > 1):
            if offered:
                return Answer(
                    question=question,
                    kind=AnswerKind.CLARIFY,
                    intent=offered[0].intent,
                    confidence=top.confidence,
                    text=self.choices_text(offered),
                    alternatives=tuple(m for m in ranked[:3] if m.confidence > 0),
                    choices=tuple(m.intent for m in offered),
                )
            if top.confidence < settings.threshold:
                return self._fallback(question, self._why_not(ranking, analysis), ranked)
        alternatives = tuple(m for m in ranked[1:4] if m.confidence > 0)
        return self.answer_for(question, top, alternatives)

    def _directed(self, ranked: list[Match], question: Analysis) -> list[Match]:
        """The ranking, its best intent turned into its mirror when the question avoids,
        negates or ranks below the side that intent recommends ("quand éviter Docker ?"
        is not "quand choisir Docker ?") or chooses the other side, unless it also
        prefers that side."""
        if not ranked:
            return ranked
        top = self.intent(ranked[0].intent)
        if top.side is None or top.mirror is None:
            return ranked
        cues = set(question.cues)
        against = {f"avoid:{top.side}", f"neg:{top.side}", f"over:{top.side}"} & cues
        # "quand opter pour les conteneurs ?" chooses the mirror's side.
        chooses_mirror = f"pref:{self.intent(top.mirror).side}" in cues
        if not (against or chooses_mirror) or f"pref:{top.side}" in cues:
            return ranked
        mirrored = Match(intent=top.mirror, confidence=ranked[0].confidence)
        return [mirrored, *(m for m in ranked[1:] if m.intent != top.mirror)]

    def _offered(self, ranked: list[Match]) -> list[Match]:
        """The intents a clarifying question offers: the likely ones, best first."""
        if not ranked or not self._offerable(ranked[0].intent):
            return []
        top = ranked[0]
        if top.confidence >= self.settings.threshold:
            # Sure enough to answer, unless runner-ups are as likely.
            floor = max(self.settings.threshold, top.confidence * self.settings.ambiguity_ratio)
        else:
            floor = max(self.settings.clarify_threshold / 2, top.confidence / 2)
        return [
            m
            for m in ranked[:_CLARIFY_CHOICES]
            if m.confidence >= floor and self._offerable(m.intent)
        ]

    def _offerable(self, intent_id: str) -> bool:
        return self.intent(intent_id).kind is IntentKind.FAQ or intent_id in self._offerable_chat

    def _why_not(self, ranking: Ranking, analysis: Analysis) -> FallbackReason:
        """Why no answer: the sources do not cover it, it is outside the domain, or the
        bot did not understand. Only a message with nothing of the domain in it is told
        that it is outside the domain."""
        if ranking.rejected_by == self.catalog.roles.unsourced:
            return FallbackReason.UNSOURCED
        if not self.of_the_domain(analysis.terms) and (
            ranking.rejected_by is not None or self.analyzer_reads(analysis.tokens)
        ):
            return FallbackReason.OFF_DOMAIN
        return FallbackReason.UNCLEAR

    def of_the_domain(self, terms: tuple[str, ...]) -> bool:
        """Whether a message holds a word of the domain, in its domain sense."""
        return not self._domain_words.isdisjoint(terms) and self._false_friends.isdisjoint(terms)

    def analyzer_reads(self, tokens: tuple[str, ...]) -> bool:
        """Whether most words of a message are words (not gibberish): it can be judged."""
        words = [t for t in tokens if not t.isdigit()]
        return bool(words) and sum(map(self.analyzer.is_word, words)) * 2 > len(words)

    def _after_opening(self, text: str) -> tuple[str, str] | None:
        """The opening words and what follows them ("Bonjour, c'est quoi docker ?"), if
        anything follows.

        At most a few words are stripped, without re-reading the rest each time:
        "cc cc cc ..." a thousand times is one greeting, in linear time.
        """
        words = text.split()
        limit = min(len(words), _MAX_OPENING_WORDS)

        def terms(i: int) -> set[str]:
            return set(self.analyzer.terms(words[i]))

        def vocative(i: int) -> bool:
            tokens = set(tokenize(fold(words[i]))) if i <= limit and i < len(words) else set()
            return bool(tokens) and tokens <= self._vocatives

        # Most messages open on no opening word: nothing more to read.
        first = terms(0) if words else set()
        if not first or not first <= _OPENING_TERMS:
            return None
        # "slt cv ?" is one greeting of two words: nothing follows it (already analysed).
        if set(self.analyzer.terms(text)) <= _OPENING_TERMS:
            return None
        stripped = 0
        while stripped < limit:
            here = terms(stripped)
            if (here and here <= _OPENING_TERMS) or (stripped and vocative(stripped)):
                stripped += 1
            elif stripped and not here and vocative(stripped + 1):  # "bonjour à tous"
                stripped += 2
            else:
                break
        if stripped == 0 or stripped >= len(words):
            return None
        rest = " ".join(words[stripped:]).lstrip(",.!;: ")
        return (" ".join(words[:stripped]), rest) if self.analyzer.terms(rest) else None

    def answer_for(
        self, question: str, match: Match, alternatives: tuple[Match, ...] = ()
    ) -> Answer:
        """The curated answer of a matched intent, with its sources."""
        return Answer(
            question=question,
            kind=AnswerKind.ANSWER,
            intent=match.intent,
            confidence=match.confidence,
            text=self.intent(match.intent).answer,
            sources=self.sources(match.intent),
            alternatives=alternatives,
        )

    def answer_for_intent(self, intent_id: str) -> Answer:
        """The curated answer of an intent picked without a doubt (a numbered choice)."""
        return self.answer_for("", Match(intent=intent_id, confidence=1.0))

    def choices_text(self, offered: list[Match]) -> str:
        """The clarifying question: the likely intents' questions, numbered."""
        lines = [msg.CLARIFY]
        lines += [f"{i}. {self.intent(m.intent).question}" for i, m in enumerate(offered, 1)]
        lines.append(msg.CLARIFY_HINT if len(offered) > 1 else msg.CLARIFY_ONE_HINT)
        return "\n".join(lines)

    def _fallback(self, question: str, reason: FallbackReason, ranked: list[Match]) -> Answer:
        top = ranked[0].confidence if ranked else 0.0
        return Answer(
            question=question,
            kind=AnswerKind.FALLBACK,
            intent=None,
            confidence=top,
            text=self.fallback_text(ranked, reason),
            alternatives=tuple(m for m in ranked[:3] if m.confidence > 0),
            reason=reason,
        )

    def fallback_text(self, ranked: list[Match], reason: FallbackReason) -> str:
        """The fallback: why, what the bot can talk about, and three questions to try."""
        if reason is FallbackReason.EMPTY:
            return msg.EMPTY_QUESTION
        near = [
            m.intent
            for m in ranked[:3]
            if m.confidence >= self.settings.clarify_threshold / 2
            and self.intent(m.intent).kind is IntentKind.FAQ
        ]
        picks = list(dict.fromkeys([*near, *self.catalog.roles.suggested]))[:3]
        lines = [msg.FALLBACKS[reason]]
        lines += ["- " + msg.SUGGESTION.format(question=self.intent(i).question) for i in picks]
        return "\n".join(lines)


def _remember(memo: dict[str, T], key: str, value: T) -> None:
    # Bounded: a flood of distinct messages empties it rather than growing it.
    if len(memo) >= _KEPT:
        memo.clear()
    memo[key] = value
