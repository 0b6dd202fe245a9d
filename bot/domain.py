"""Domain values: frozen, keyword-only dataclasses shared by the core and the adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Answer",
    "AnswerKind",
    "Catalog",
    "Corpus",
    "Criterion",
    "Document",
    "FallbackReason",
    "Grammar",
    "Intent",
    "IntentKind",
    "Lexicon",
    "LoadedData",
    "Match",
    "OutcomeText",
    "Passage",
    "Role",
    "Roles",
    "Source",
    "SourceRef",
    "Verdict",
]


@dataclass(frozen=True, kw_only=True)
class Passage:
    """An addressable paragraph of a source document."""

    id: str
    document: str
    section: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Document:
    """A cleaned source text: its title, its origin and its passages in reading order."""

    id: str
    title: str
    origin: str
    passages: tuple[Passage, ...]


@dataclass(frozen=True, kw_only=True)
class Corpus:
    """Every document, with passages indexed by id."""

    documents: tuple[Document, ...]
    passages: dict[str, Passage] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.passages:
            for doc in self.documents:
                for p in doc.passages:
                    self.passages[p.id] = p

    def document(self, doc_id: str) -> Document:
        """The document with this id."""
        return next(d for d in self.documents if d.id == doc_id)


@dataclass(frozen=True, kw_only=True)
class SourceRef:
    """A citation in the data: a passage id and an optional verbatim excerpt of it."""

    passage: str
    excerpt: str | None = None


@dataclass(frozen=True, kw_only=True)
class Source:
    """A resolved citation, as shown to people: document title, passage id, verbatim excerpt."""

    document: str
    passage: str
    excerpt: str


class IntentKind(StrEnum):
    FAQ = "faq"
    CONVERSATION = "conversation"
    # Examples of what the bot must not answer: trains the classifier to reject them.
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True, kw_only=True)
class Intent:
    """What a question asks for, with its curated answer and the passages it rests on."""

    id: str
    kind: IntentKind
    question: str
    answer: str
    sources: tuple[SourceRef, ...]
    examples: tuple[str, ...]
    file: str  # its file's name within intents/
    # The side ("vm", "conteneur") the intent's answer recommends, and the intent that
    # recommends the other: "quand éviter Docker ?" is the mirror of "quand Docker ?".
    side: str | None = None
    mirror: str | None = None
    # The part it plays in the conversation (greeting, restart...), if any.
    role: Role | None = None
    # Offered by fallbacks when no question near the message was found.
    suggested: bool = False


class Role(StrEnum):
    """A part an intent plays in the conversation: the code names roles, never intent ids."""

    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    HELP = "help"
    ADVICE = "advice"
    RESTART = "restart"
    WHY = "why"
    # The out-of-scope class of domain questions the sources do not answer.
    UNSOURCED = "unsourced"


@dataclass(frozen=True, kw_only=True)
class Roles:
    """Which intent plays each role, resolved at load: every role is played exactly once."""

    greeting: str
    thanks: str
    goodbye: str
    help: str
    advice: str
    restart: str
    why: str
    unsourced: str
    # FAQ intents a fallback suggests, in the catalog's order
    suggested: tuple[str, ...] = ()

    @classmethod
    def of(cls, players: dict[Role, str], suggested: tuple[str, ...] = ()) -> Roles:
        """The roles from a complete role -> intent id mapping."""
        return cls(**{role.value: intent for role, intent in players.items()}, suggested=suggested)

    def played_by(self, intent_id: str | None) -> Role | None:
        """The role this intent plays, if any.

        >>> roles = Roles.of({r: r.value for r in Role})
        >>> roles.played_by("why"), roles.played_by("definition_docker")
        (<Role.WHY: 'why'>, None)
        """
        return next((r for r in Role if getattr(self, r.value) == intent_id), None)


@dataclass(frozen=True, kw_only=True)
class Lexicon:
    """Language data the analyzer needs besides spaCy: stop words, synonyms, fixes."""

    stop_words: frozenset[str]
    # canonical token -> phrases (raw French) that mean it
    synonyms: dict[str, tuple[str, ...]]
    # folded form -> lemma, where spaCy's lemma is wrong for this domain
    lemma_fixes: dict[str, str]
    # words that give a domain word another sense ("conteneur maritime")
    false_friends: frozenset[str]
    # who a greeting may name ("coucou le bot"): not a question after the greeting
    vocatives: frozenset[str] = frozenset()
    # words (raw French) that name this domain's subject; an FAQ question names one
    anchors: tuple[str, ...] = ()
    # accented word (lower case) -> the words it stands for, read before accents are
    # folded away: "sûr" (safe) is not "sur" (on)
    accent_senses: dict[str, str] = field(default_factory=dict)
    # the two sides compared ("vm", "conteneur") -> words (raw French) that name each
    sides: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # words (raw French) for a project of one's own: "appli", "infra", "site"
    project_words: tuple[str, ...] = ()
    # words (raw French) besides the anchors that a question may be about ("instance",
    # "hôte"): too common elsewhere to anchor the domain, enough to name a subject
    subjects: tuple[str, ...] = ()


class Verdict(StrEnum):
    """An answer to a yes/no follow-up question."""

    YES = "oui"
    NO = "non"
    UNKNOWN = "nsp"


Phrase = tuple[str, ...]  # folded tokens: ("est", "ce", "que")


@dataclass(frozen=True, kw_only=True)
class Grammar:
    """Closed classes of French words the code reads by (intents/grammaire.yaml), folded.

    Language is data: the code holds the algorithms, this holds the words.
    """

    # elided word -> the words it elides before (None: any word)
    elisions: dict[str, frozenset[str] | None]
    fillers: frozenset[str]
    question_openers: tuple[Phrase, ...]
    request_openers: tuple[Phrase, ...]
    negations: frozenset[str]
    negation_openers: frozenset[str]
    negation_cancellers: frozenset[str]
    negations_after_ne: frozenset[str]
    restrictives: tuple[Phrase, ...]
    clause_breaks: tuple[Phrase, ...]
    conjunctions: frozenset[str]
    clause_joiners: frozenset[str]
    alternatives: tuple[Phrase, ...]
    corrections: tuple[Phrase, ...]
    first_person: tuple[Phrase, ...]
    certainty_before: frozenset[str]
    certainty_after: frozenset[str]
    safety_degrees: frozenset[str]
    focus_markers: tuple[Phrase, ...]
    serious_markers: tuple[Phrase, ...]
    # a last sentence that only seeks agreement or help ("Vous savez ?", "Lesquelles ?")
    tag_questions: tuple[Phrase, ...]
    contrasts: tuple[Phrase, ...]
    dismissed_heads: tuple[Phrase, ...]
    dismissals: tuple[Phrase, ...]
    # pronouns that point back to the sentence before ("On me parle de Kubernetes. C'est quoi ?")
    anaphora: frozenset[str]
    comparatives: tuple[Phrase, ...]
    # "mieux une VM que Docker": a head, what is preferred, then a tail, what is not
    comparison_heads: frozenset[str]
    comparison_tails: frozenset[str]
    # "une VM c'est trop pour nous": a side followed by one of these is ruled out
    excess: frozenset[str]
    # "que du Linux": opening a statement, one kind and nothing else ("uniquement")
    only_openers: tuple[Phrase, ...]
    avoidance: tuple[Phrase, ...]
    # verbs that turn the subject after them into the one chosen ("opter pour Docker")
    choosing: tuple[Phrase, ...]
    # verdict -> phrases that give it, to follow-up questions
    verdicts: dict[Verdict, tuple[Phrase, ...]]
    # words that weaken an answer without giving it ("bof", "mouais")
    hedges: frozenset[str]
    closing_verdicts: tuple[Phrase, ...]
    acknowledgements: frozenset[Phrase]
    # a whole reply saying the question was not understood ("hein ?", "c'est-à-dire ?")
    puzzlement: frozenset[Phrase]
    # canonical term -> phrases (raw French) typed for it: "salut", "revoir", "merci"
    chat_words: dict[str, tuple[str, ...]]
    # emoji or emoticon -> the words it stands for ("" drops it)
    emoji: dict[str, str]
    # words that build a question in another language and never in French ("what", "is")
    foreign_markers: frozenset[str]
    # words around a choice's number ("le", "choix")
    choice_words: frozenset[str]
    # ordinal word -> choice number (-1: the last)
    ordinals: dict[str, int]
    # term -> what it means once negated ("pas différent": alike)
    negated_opposites: dict[str, str] = field(default_factory=dict)
    # words of degree a negation reaches past to its term ("pas très lourd")
    degree_words: frozenset[str] = frozenset()

    @classmethod
    def empty(cls) -> Grammar:
        """A grammar that knows no words: for examples and tests of the algorithms."""
        return cls(
            elisions={},
            fillers=frozenset(),
            question_openers=(),
            request_openers=(),
            negations=frozenset(),
            negation_openers=frozenset(),
            negation_cancellers=frozenset(),
            negations_after_ne=frozenset(),
            restrictives=(),
            clause_breaks=(),
            conjunctions=frozenset(),
            clause_joiners=frozenset(),
            alternatives=(),
            corrections=(),
            first_person=(),
            certainty_before=frozenset(),
            certainty_after=frozenset(),
            safety_degrees=frozenset(),
            focus_markers=(),
            serious_markers=(),
            tag_questions=(),
            contrasts=(),
            dismissed_heads=(),
            dismissals=(),
            anaphora=frozenset(),
            comparatives=(),
            comparison_heads=frozenset(),
            comparison_tails=frozenset(),
            excess=frozenset(),
            only_openers=(),
            avoidance=(),
            choosing=(),
            verdicts={},
            hedges=frozenset(),
            closing_verdicts=(),
            acknowledgements=frozenset(),
            puzzlement=frozenset(),
            chat_words={},
            emoji={},
            foreign_markers=frozenset(),
            choice_words=frozenset(),
            ordinals={},
        )


@dataclass(frozen=True, kw_only=True)
class Criterion:
    """A need of the user's application that weighs toward a VM or toward containers."""

    id: str
    favours: str  # "vm" or "conteneur"
    weight: int
    # the share of projects that have the need, before the user says anything: the
    # advisor asks less about rare needs ("a legacy Windows XP program")
    prevalence: float
    question: str
    reason: str
    # how the bot repeats the need back when the user denies it
    absent: str
    sources: tuple[SourceRef, ...]
    # what users say when they have the need, when they have not, when they do not know
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...] = ()
    unsure_examples: tuple[str, ...] = ()

    def examples_by_verdict(self) -> dict[Verdict, tuple[str, ...]]:
        return {
            Verdict.YES: self.examples,
            Verdict.NO: self.counter_examples,
            Verdict.UNKNOWN: self.unsure_examples,
        }


@dataclass(frozen=True, kw_only=True)
class OutcomeText:
    """How the advisor words a recommendation (vm, conteneur, conteneur_sur_vm)."""

    id: str
    answer: str
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True, kw_only=True)
class Catalog:
    """Everything loaded from intents/: intents, lexicon, advisor criteria and outcomes."""

    intents: dict[str, Intent]
    lexicon: Lexicon
    grammar: Grammar
    roles: Roles
    criteria: dict[str, Criterion] = field(default_factory=dict)
    outcomes: dict[str, OutcomeText] = field(default_factory=dict)
    # statements about a project that reveal no criterion ("notre appli sert à la paie")
    neutral_statements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class LoadedData:
    """The corpus and the catalog, validated together: what a warm start reads back
    from the cache instead of parsing and checking every YAML file again."""

    corpus: Corpus
    catalog: Catalog


@dataclass(frozen=True, kw_only=True)
class Match:
    """An intent and how confident the matcher is that the text asks for it, in [0, 1]."""

    intent: str
    confidence: float


class AnswerKind(StrEnum):
    ANSWER = "answer"
    FALLBACK = "fallback"
    # not sure enough to answer: "Vouliez-vous dire : 1) ... 2) ... ?"
    CLARIFY = "clarify"


class FallbackReason(StrEnum):
    """Why a question got no answer: each has its own French wording."""

    EMPTY = "empty"
    UNCLEAR = "unclear"  # about the domain, but not understood well enough
    OFF_DOMAIN = "off_domain"  # nothing in it belongs to the domain
    UNSOURCED = "unsourced"  # a domain question the sources do not answer
    LANGUAGE = "language"  # not French


@dataclass(frozen=True, kw_only=True)
class Answer:
    """The bot's one-shot answer to a question."""

    question: str
    kind: AnswerKind
    intent: str | None
    confidence: float
    text: str
    sources: tuple[Source, ...] = ()
    alternatives: tuple[Match, ...] = ()
    # intents offered by a clarifying question, in the numbered order shown
    choices: tuple[str, ...] = ()
    reason: FallbackReason | None = None  # set on fallbacks
