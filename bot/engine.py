"""The facade channels use: load the data once, then answer questions with no I/O."""

from __future__ import annotations

import copy
import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot import messages as msg
from bot.domain import Answer, AnswerKind, Catalog, Corpus, Intent, IntentKind, Match, Source
from bot.index_cache import cache_key, cached, code_fingerprint, default_cache_dir
from bot.loading import load_catalog, load_corpus
from bot.nlp.analyzer import MAX_QUESTION_CHARS, Analyzer
from bot.nlp.classifier import SoftmaxModel, train_softmax
from bot.nlp.lemmas import LemmaTable, build_lemma_table, model_version
from bot.nlp.matcher import IntentMatcher, MatcherSettings, TrainingExample
from bot.nlp.ranking import Ranker, Ranking
from bot.training import training_pairs

__all__ = ["Bot", "EngineSettings", "default_data_root", "training_pairs"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_DEFAULT_SUGGESTIONS = ("difference_docker_vm", "quand_docker", "securite")
# Intents a message may open with before its real question.
_OPENERS = frozenset({"salutation", "remerciement"})
# Chat that is no question of its own after an opening word ("merci, et toi ça va ?").
_SMALL_TALK = _OPENERS | {"au_revoir"}


@dataclass(frozen=True, kw_only=True)
class EngineSettings:
    """Thresholds on the matcher's confidence, chosen by cross-validation."""

    threshold: float = 0.47  # benchmarks/calibrate.py (best on the development set)
    # Runner-ups scoring at least this share of the best intent's score: ask which was
    # meant. About one question in twenty is this torn (labelled set, 95th percentile).
    ambiguity_ratio: float = 0.8
    matcher: MatcherSettings = field(default_factory=MatcherSettings)


def default_data_root() -> Path:
    """`$VMBOT_DATA`, else the checkout this package lives in (holding intents/ and corpus/)."""
    configured = os.environ.get("VMBOT_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parent.parent


class Bot:
    """Answers French questions from the intents; build it with `Bot.from_paths()`.

    >>> bot = Bot.from_paths()
    >>> bot.ask("c'est quoi un hyperviseur ?").intent
    'definition_hyperviseur'
    """

    def __init__(
        self,
        *,
        corpus: Corpus,
        catalog: Catalog,
        table: LemmaTable,
        model: SoftmaxModel | None = None,
        settings: EngineSettings | None = None,
    ) -> None:
        self.corpus = corpus
        self.catalog = catalog
        self.settings = settings or EngineSettings()
        self.analyzer = Analyzer(table, catalog.lexicon)
        # The terms that name the subject: an FAQ question names one of them.
        self.anchors = frozenset(t for a in catalog.lexicon.anchors for t in self.analyzer.terms(a))
        self._domain = frozenset(
            t for p in corpus.passages.values() for t in self.analyzer.terms(p.text)
        )
        self.ranker = self._ranker(training_pairs(catalog), model)

    def _ranker(self, pairs: list[tuple[str, str]], model: SoftmaxModel | None) -> Ranker:
        samples = [(intent, self.analyzer.analyze(text)) for intent, text in pairs]
        rejecting = frozenset(
            i.id for i in self.catalog.intents.values() if i.kind is IntentKind.OUT_OF_SCOPE
        )
        matcher = IntentMatcher(
            [TrainingExample(intent=i, terms=a.terms) for i, a in samples if i not in rejecting],
            domain_words=self._domain,
            french_words=self.analyzer.french_words,
            false_friends=self.catalog.lexicon.false_friends,
            settings=self.settings.matcher,
        )
        faq = frozenset(i.id for i in self.catalog.intents.values() if i.kind is IntentKind.FAQ)
        return Ranker(
            model=model or train_softmax(samples),
            matcher=matcher,
            rejecting=rejecting,
            anchored=faq,
            anchors=self.anchors,
        )

    def retrained(self, pairs: list[tuple[str, str]]) -> Bot:
        """The same bot trained on other (intent id, text) pairs: cross-validation folds."""
        clone = copy.copy(self)
        clone.ranker = self._ranker(pairs, None)
        return clone

    @classmethod
    def from_paths(
        cls,
        data_root: Path | None = None,
        *,
        cache_dir: Path | None = None,
        use_cache: bool = True,
        settings: EngineSettings | None = None,
    ) -> Bot:
        """Load corpus/ and intents/ under `data_root`; raise DataError or NlpModelError."""
        root = data_root or default_data_root()
        corpus = load_corpus(root / "corpus")
        catalog = load_catalog(root / "intents", corpus)
        directory = (cache_dir or default_cache_dir()) if use_cache else None
        texts = _texts_to_lemmatise(corpus, catalog)
        fixes = catalog.lexicon.lemma_fixes
        table_key = cache_key(code_fingerprint(), model_version(), texts, sorted(fixes.items()))
        table = cached(
            "lemmas", table_key, LemmaTable, lambda: build_lemma_table(texts, fixes), directory
        )
        pairs = training_pairs(catalog)

        def train() -> SoftmaxModel:
            analyzer = Analyzer(table, catalog.lexicon)
            return train_softmax([(i, analyzer.analyze(t)) for i, t in pairs])

        lexicon = catalog.lexicon
        # Sorted lists: a set's order changes with each process's hash seed.
        model_key = cache_key(
            table_key,
            pairs,
            sorted(lexicon.synonyms.items()),
            sorted(lexicon.stop_words),
            sorted(lexicon.false_friends),
            sorted(lexicon.accent_senses.items()),
        )
        model = cached("model", model_key, SoftmaxModel, train, directory)
        return cls(corpus=corpus, catalog=catalog, table=table, model=model, settings=settings)

    def intent(self, intent_id: str) -> Intent:
        return self.catalog.intents[intent_id]

    def sources(self, intent_id: str) -> tuple[Source, ...]:
        """The intent's citations, each with its verbatim excerpt (the passage if none is set)."""
        out = []
        for ref in self.intent(intent_id).sources:
            passage = self.corpus.passages[ref.passage]
            out.append(
                Source(
                    document=passage.document,
                    passage=passage.id,
                    excerpt=ref.excerpt or passage.text,
                )
            )
        return tuple(out)

    def rank(self, text: str) -> Ranking:
        """Every in-scope intent ranked for this text (none when nothing in it carries meaning)."""
        return self.ranker.rank(self.analyzer.analyze(clean(text)))

    def ask(self, question: str) -> Answer:
        """The one-shot answer: the intent's answer, a clarifying question, or the fallback."""
        text = clean(question)
        if not text:
            return Answer(
                question=question,
                kind=AnswerKind.FALLBACK,
                intent=None,
                confidence=0.0,
                text=msg.EMPTY_QUESTION,
            )
        ranking = (
            self.rank(text) if not foreign_script(text) else Ranking(matches=(), out_of_scope=True)
        )
        ranked = list(ranking.matches)
        alternatives = tuple(m for m in ranked[1:4] if m.confidence > 0)
        top = ranked[0] if ranked else Match(intent="", confidence=0.0)
        if ranking.out_of_scope or top.confidence < self.settings.threshold:
            return Answer(
                question=question,
                kind=AnswerKind.FALLBACK,
                intent=None,
                confidence=top.confidence,
                text=self.fallback_text(ranked, ranking.rejected_by),
                alternatives=tuple(m for m in ranked[:3] if m.confidence > 0),
            )
        if top.intent in _OPENERS:
            # "Bonjour, c'est quoi docker ?": the question after the greeting wins.
            rest = self._after_opening(text, top.intent)
            if rest:
                answer = self.ask(rest)
                # What follows must be a question in its own right: "salut, les vm c'est
                # sûr ?" is one; "merci pour l'explication", "merci, et toi ça va ?" not.
                own_question = answer.confidence >= top.confidence or (
                    "?" in rest and answer.intent not in _SMALL_TALK
                )
                if answer.kind is not AnswerKind.FALLBACK and own_question:
                    return replace(answer, question=question)
        close = self.close_calls(ranked)
        if len(close) > 1:
            return Answer(
                question=question,
                kind=AnswerKind.AMBIGUOUS,
                intent=top.intent,
                confidence=top.confidence,
                text=self.choices_text(close),
                alternatives=alternatives,
                choices=tuple(m.intent for m in close),
            )
        return self.answer_for(question, top, alternatives)

    def _after_opening(self, text: str, opener: str) -> str | None:
        """What follows an opening word of this intent ("Bonjour, c'est quoi docker ?")."""
        words = text.split()
        for size in (1, 2):
            if len(words) <= size:
                break
            ranking = self.rank(" ".join(words[:size]))
            head = ranking.matches[0] if ranking.matches else None
            if (
                head is not None
                and not ranking.out_of_scope
                and head.intent == opener
                and head.confidence >= self.settings.threshold
            ):
                rest = " ".join(words[size:]).lstrip(",.!;: ")
                # "coucou le bot", "bonjour à tous": who is greeted, not a question.
                vocatives = self.catalog.lexicon.vocatives
                return rest if set(self.analyzer.terms(rest)) - vocatives else None
        return None

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

    def close_calls(self, ranked: list[Match]) -> list[Match]:
        """The FAQ intents within the ambiguity margin of the best one (itself included)."""
        top = ranked[0]
        if self.intent(top.intent).kind is not IntentKind.FAQ:
            return [top]
        floor = max(self.settings.threshold, top.confidence * self.settings.ambiguity_ratio)
        return [
            m
            for m in ranked[:3]
            if m.confidence >= floor and self.intent(m.intent).kind is IntentKind.FAQ
        ]

    def choices_text(self, close: list[Match]) -> str:
        lines = [msg.AMBIGUOUS]
        lines += [f"{i}. {self.intent(m.intent).question}" for i, m in enumerate(close, 1)]
        lines.append(msg.AMBIGUOUS_HINT)
        return "\n".join(lines)

    def fallback_text(self, ranked: list[Match], rejected_by: str | None = None) -> str:
        """The fallback: why, what the bot can talk about, and three questions to try.

        `rejected_by` is the out-of-scope class that rejected the question, whose
        answer says why; without one, the bot did not understand.
        """
        near = [
            m.intent
            for m in ranked[:3]
            if m.confidence >= self.settings.threshold / 2
            and self.intent(m.intent).kind is IntentKind.FAQ
        ]
        picks = list(dict.fromkeys([*near, *_DEFAULT_SUGGESTIONS]))[:3]
        lead = msg.FALLBACK
        if rejected_by is not None:
            lead = f"{self.intent(rejected_by).answer} {msg.FALLBACK_TOPICS}"
        lines = [lead]
        lines += ["- " + msg.SUGGESTION.format(question=self.intent(i).question) for i in picks]
        return "\n".join(lines)


def clean(text: str) -> str:
    """The question as matched: control characters and broken surrogates blanked, trimmed."""
    return _CONTROL.sub(" ", text[: MAX_QUESTION_CHARS * 2]).strip()


def foreign_script(text: str) -> bool:
    """Whether most letters are outside the Latin script (Cyrillic, Chinese, ...).

    >>> foreign_script("Docker 和虚拟机有什么区别"), foreign_script("Sécurité de Docker")
    (True, False)
    """
    letters = [c for c in text if c.isalpha()]
    latin = sum(1 for c in letters if c.isascii() or "LATIN" in unicodedata.name(c, ""))
    return bool(letters) and latin < len(letters) / 2


def _texts_to_lemmatise(corpus: Corpus, catalog: Catalog) -> list[str]:
    texts = [p.text for p in corpus.passages.values()]
    for intent in catalog.intents.values():
        texts += [intent.question, intent.answer, *intent.examples]
    lexicon = catalog.lexicon
    texts += [phrase for phrases in lexicon.synonyms.values() for phrase in phrases]
    texts += sorted(lexicon.stop_words | lexicon.false_friends)
    return texts
