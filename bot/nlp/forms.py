"""The form of a message, whatever its topic: does it ask something, where is its
question, where do its statements start and end, does it speak of the user's own
project. The words these rest on are data (`Grammar`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.domain import Grammar
from bot.nlp.text import PhraseSet, fold, tokenize

__all__ = ["Forms"]

# Sentence ends: what follows is another sentence ("... VMware. Bref, ...").
_SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+|\n+|(?<=\.\.\.)")
# A colon may open the question ("je décroche : ça désigne quoi ?"), or only its object
# ("votre avis : VM ou conteneurs ?"): it opens it when the question starts like one.
_COLON = re.compile(r"(?<=:)\s+")
# Where a statement's parts meet: commas, and colons (not in a time, "9:30").
_PART_BREAK = re.compile(r"[,:](?!\d)")
# A short answer, a break, then a question: "je sais pas, c'est quoi le noyau ?".
_ANSWER_THEN_QUESTION = re.compile(r"\s*(?P<answer>[^,.;:!?]+)[,.;:!]+(?P<question>.*\?.*)", re.S)
# A message this short is its own focus: there is no story around the question.
_FOCUS_FROM_TOKENS = 12
# Punctuation that closes a clause at the end of a word ("hein," "VM :").
_CLAUSE_ENDS = frozenset(",:;.?!…")
# A focus this short needs the sentence before it ("Et pour Docker ?").
_MIN_FOCUS_TOKENS = 3
# A pronoun among a question's first words stands for its subject.
_ANAPHORA_REACH = 2
# Words whose tokens are remembered; emptied when full (a flood of distinct words).
_WORDS_KEPT = 50_000


class Forms:
    """Reads the form of messages with the grammar's closed word classes."""

    def __init__(self, grammar: Grammar) -> None:
        self.grammar = grammar
        self._openers = PhraseSet(grammar.question_openers)
        self._requests = PhraseSet(grammar.request_openers)
        self._markers = PhraseSet(grammar.focus_markers)
        self._anaphora = grammar.anaphora
        self._breaks = PhraseSet(grammar.clause_breaks)
        self._corrections = PhraseSet(grammar.corrections)
        self._first_person = PhraseSet(grammar.first_person)
        self._dismissals = PhraseSet(grammar.dismissals)
        self._dismissed_heads = PhraseSet(grammar.dismissed_heads)
        self._contrasts = PhraseSet(grammar.contrasts)
        self._serious = PhraseSet(grammar.serious_markers)
        self._tags = PhraseSet(grammar.tag_questions)
        ordered = sorted(grammar.emoji, key=len, reverse=True)
        self._emoji = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self._word_tokens: dict[str, tuple[str, ...]] = {}
        # What set_aside looks for opens with one of these, and most clauses open on none.
        self._aside_firsts = self._serious.firsts | self._dismissals.firsts | self._tags.firsts

    def normalize(self, text: str) -> str:
        """The message with its emoji and emoticons read as the words they stand for
        ("👍" is "oui"): done once, before anything else reads the message."""
        if self._emoji is None:
            return text
        return self._emoji.sub(lambda m: f" {self.grammar.emoji[m.group(0)]} ", text)

    def without_fillers(self, text: str) -> list[str]:
        """The folded tokens of a message, opening fillers dropped."""
        tokens = tokenize(fold(text))
        start = 0
        while start < len(tokens) and tokens[start] in self.grammar.fillers:
            start += 1
        return tokens[start:]

    def asks_something(self, text: str) -> bool:
        """Whether the message is a question rather than a statement or an answer."""
        if "?" in text:
            return True
        tokens = self.without_fillers(text)
        return bool(tokens) and self._openers.at(tokens, 0) is not None

    def answer_then_question(self, text: str) -> tuple[str, str] | None:
        """(answer, question) of a reply that opens on a few words and then asks
        something ("non, mais c'est quoi un hyperviseur ?"), or None."""
        parts = _ANSWER_THEN_QUESTION.match(text)
        if parts is None or not self.asks_something(parts["question"]):
            return None
        return parts["answer"], parts["question"].strip()

    def only_says(self, text: str, phrases: frozenset[tuple[str, ...]]) -> bool:
        """Whether the whole message, opening fillers aside, is one of these phrases."""
        return tuple(self.without_fillers(text)) in phrases

    def requests_something(self, text: str) -> bool:
        """Whether the message asks for something: a question, or a request that opens
        like one ("je cherche une recette de crêpes", "donne-moi un exemple")."""
        if self.asks_something(text):
            return True
        tokens = self.without_fillers(text)
        return bool(tokens) and self._requests.at(tokens, 0) is not None

    def speaks_of_own_project(self, text: str) -> bool:
        """Whether the message talks about the user's own situation ("mon appli", "on a")."""
        return bool(self._first_person.find(tokenize(fold(text))))

    def focus(self, text: str, names_subject: Callable[[str], bool]) -> str | None:
        """The part of a long message that carries its question, or None when the whole
        message is the question (short, or no part stands out).

        The question is the last sentence that asks something, or what follows the
        last "bref" / "du coup"; the story before it is context. A question that names
        no subject ("C'est quoi ?", "Vous me conseillez quoi ?") takes the last sentence
        before it that `names_subject`; if none does, a question too short or opening
        with a pronoun takes the sentence right before it.
        """
        if len(text.split()) < _FOCUS_FROM_TOKENS // 2:
            return None
        text_tokens = tokenize(fold(text))
        if len(text_tokens) < _FOCUS_FROM_TOKENS:
            return None

        def tokens_of(piece: str) -> list[str]:
            # Most messages are one sentence: the text's tokens, read once.
            return text_tokens if piece == text else tokenize(fold(piece))

        sentences = [
            piece
            for sentence in _SENTENCE_END.split(text)
            for piece in self._at_colon(sentence)
            if tokens_of(piece)
        ]
        focus: str | None = None
        for i in range(len(sentences) - 1, -1, -1):
            if self.asks_something(sentences[i]):
                focus = sentences[i]
                if i == 0:
                    break  # no sentence before it to lean on
                tokens = tokens_of(focus)
                refers_back = bool(self._anaphora & set(tokens[:_ANAPHORA_REACH]))
                if not names_subject(focus):
                    # The story says what it asks about; failing that, a question too
                    # short or opening on a pronoun ("C'est quoi ?") leans on the sentence
                    # right before it.
                    named = (j for j in range(i - 1, -1, -1) if names_subject(sentences[j]))
                    before = next(named, None)
                    if before is None and (len(tokens) < _MIN_FOCUS_TOKENS or refers_back):
                        before = i - 1
                    if before is not None:
                        focus = f"{sentences[before]} {focus}"
                elif (
                    refers_back
                    and self._openers.at(self.without_fillers(focus), 0) is None
                    and names_subject(sentences[i - 1])
                ):
                    # "J'ai lu un article sur Kubernetes. C'est lié à Docker ?": the
                    # pronoun stands for what the sentence before named; not in an
                    # opener that names its subject after it ("c'est quoi une VM ?").
                    focus = f"{sentences[i - 1]} {focus}"
                break
        after_marker = self._after_last_marker(tokens_of(focus if focus is not None else text))
        if after_marker is not None:
            focus = after_marker
        if focus is None or len(tokens_of(focus)) >= len(text_tokens):
            return None
        return focus

    def set_aside(self, text: str, names_subject: Callable[[str], bool]) -> str | None:
        """The message without what it sets aside, or None when it sets nothing aside.

        A clause that dismisses a topic before the real question goes ("Pas Docker la
        plateforme, mais le conteneur lui-même : c'est quoi ?"), when what follows it
        names a subject or opens on a contrast; a joke question before a serious one
        ("Kubernetes, un vaisseau de Star Wars ? Non sérieux, ça sert à quoi ?") keeps
        only the words that name a subject.
        """
        words = text.split()
        starts = [0] + [i + 1 for i, w in enumerate(words[:-1]) if w[-1] in _CLAUSE_ENDS]
        if len(starts) == 1:
            # One clause (most questions), so one sentence: nothing to set aside, and
            # no word to read.
            return None
        known = self._word_tokens.get
        tokens = [ts if (ts := known(w)) is not None else self._tokens_of_word(w) for w in words]
        if self._aside_firsts.isdisjoint(_clause_openings(tokens, starts)):
            return None  # no clause opens on a joke's end, a dismissal or a tag question
        kept = list(words)
        changed = False
        for n, start in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(words)
            rest = [t for ts in tokens[end:] for t in ts]
            if not rest:
                break
            clause = [t for ts in tokens[start:end] for t in ts]
            if not clause:
                # Punctuation alone ("? 0") sets nothing aside.
                continue
            if self._serious.at(rest, 0) is not None and words[end - 1][-1] in "?!":
                for i in range(start, end):
                    if kept[i] and not names_subject(words[i]):
                        kept[i] = ""
                        changed = True
                continue
            opener = self._dismissals.at(clause, 0)
            if opener is None or len(opener) >= len(clause):
                continue
            head = clause[len(opener) :]
            if self._dismissed_heads.at(head, 0) is None and not names_subject(head[0]):
                continue
            following = " ".join(words[end:])
            if self._contrasts.at(rest, 0) is None and not names_subject(following):
                continue
            for i in range(start, end):
                kept[i] = ""
            changed = True
        changed = self._drop_tag_question(words, tokens, kept) or changed
        if not changed:
            return None
        remaining = " ".join(w for w in kept if w)
        return remaining if tokenize(fold(remaining)) else None

    def _tokens_of_word(self, word: str) -> tuple[str, ...]:
        """A word's folded tokens, remembered: the words of messages recur."""
        if len(self._word_tokens) >= _WORDS_KEPT:
            self._word_tokens.clear()
        tokens = self._word_tokens[word] = tuple(tokenize(fold(word)))
        return tokens

    def _drop_tag_question(
        self, words: list[str], tokens: list[tuple[str, ...]], kept: list[str]
    ) -> bool:
        """Blank a last sentence that only seeks agreement or help after the question
        ("... les situations où une VM s'impose. Vous savez ?"): it asks nothing itself,
        and its words ("savoir") pull towards the bot's help."""
        ends = [i for i, w in enumerate(words[:-1]) if w[-1] in ".?!…"]
        if not ends:
            return False
        start = ends[-1] + 1
        tail = [t for ts in tokens[start:] for t in ts]
        phrase = self._tags.at(tail, 0) if tail else None
        if phrase is None or len(phrase) != len(tail):
            return False
        for i in range(start, len(words)):
            kept[i] = ""
        return True

    def _at_colon(self, sentence: str) -> list[str]:
        """The sentence, split before its last colon when what follows opens a question
        of its own ("ça désigne quoi ?", "c'est quoi ?")."""
        pieces = _COLON.split(sentence)
        if len(pieces) < 2:
            return [sentence]
        tail = self.without_fillers(pieces[-1])
        opens = bool(tail) and (tail[0] in self._anaphora or self._openers.at(tail, 0) is not None)
        return [" ".join(pieces[:-1]), pieces[-1]] if opens else [sentence]

    def _after_last_marker(self, tokens: list[str]) -> str | None:
        found = self._markers.find(tokens)
        if not found:
            return None
        start, phrase = found[-1]
        rest = tokens[start + len(phrase) :]
        return " ".join(rest) if len(rest) >= _MIN_FOCUS_TOKENS else None

    def statements(self, text: str) -> list[str]:
        """The pieces of a message said on their own: sentences, split again at contrasts
        ("mais", "par contre") and corrections ("enfin", "en fait"). Readers let the
        last piece win: what a correction says replaces what came before it.

        Folded text, commas and colons kept as " , "; "et" and commas do not split:
        "Windows et Linux" is one need.
        """
        pieces: list[str] = []
        for sentence in _SENTENCE_END.split(text):
            # Commas stay as tokens of their own: readers may split a statement there,
            # as at a colon ("aucun serveur dans le cloud : tout est au local").
            tokens: list[str] = []
            for chunk in _PART_BREAK.split(fold(sentence)):
                tokens += [",", *tokenize(chunk)] if tokens else tokenize(chunk)
            current: list[str] = []
            i = 0
            while i < len(tokens):
                cut = self._corrections.at(tokens, i) or self._breaks.at(tokens, i)
                if cut is None:
                    current.append(tokens[i])
                    i += 1
                    continue
                pieces.append(" ".join(current))
                current = []
                i += len(cut)
            pieces.append(" ".join(current))
        return [p for p in (piece.strip(" ,") for piece in pieces) if p]


def _clause_openings(tokens: list[tuple[str, ...]], starts: list[int]) -> set[str]:
    """The first token at or after each clause start: the only tokens `set_aside` reads
    a phrase from (the clause's own, or the next one's when it holds none)."""
    # From the end, the first token at or after each word: one pass, whatever the
    # number of clauses.
    following: list[str | None] = [None] * (len(tokens) + 1)
    for i in range(len(tokens) - 1, -1, -1):
        following[i] = tokens[i][0] if tokens[i] else following[i + 1]
    return {first for start in starts if (first := following[start]) is not None}
