"""The language data: the lexicon (stop words, synonyms, lemma fixes...) and the
grammar (French closed word classes), read from intents/."""

from __future__ import annotations

from typing import Any

from bot import messages as msg
from bot.domain import Grammar, Lexicon, Verdict
from bot.loading.schema import Field, Problems, phrase
from bot.nlp.text import fold, tokenize

__all__ = ["SIDES", "read_grammar", "read_lexicon", "read_texts"]

# The two sides compared: what criteria favour and what intents recommend.
SIDES = ("vm", "conteneur")
_LEXICON = {
    "stop_words": Field(kind=list),
    "synonyms": Field(kind=dict),
    "lemma_fixes": Field(kind=dict),
    "false_friends": Field(kind=list),
    "vocatives": Field(kind=list),
    "anchors": Field(kind=list),
    "accent_senses": Field(kind=dict),
    "sides": Field(kind=dict),
    "project_words": Field(kind=list),
    "subjects": Field(kind=list),
}
_GRAMMAR = {
    "elisions": Field(kind=dict),
    "fillers": Field(kind=list),
    "question_openers": Field(kind=list),
    "request_openers": Field(kind=list),
    "negations": Field(kind=list),
    "negation_openers": Field(kind=list),
    "negation_cancellers": Field(kind=list),
    "negations_after_ne": Field(kind=list),
    "restrictives": Field(kind=list),
    "clause_breaks": Field(kind=list),
    "conjunctions": Field(kind=list),
    "clause_joiners": Field(kind=list),
    "alternatives": Field(kind=list),
    "corrections": Field(kind=list),
    "first_person": Field(kind=list),
    "certainty_before": Field(kind=list),
    "certainty_after": Field(kind=list),
    "safety_degrees": Field(kind=list),
    "focus_markers": Field(kind=list),
    "serious_markers": Field(kind=list),
    "tag_questions": Field(kind=list),
    "contrasts": Field(kind=list),
    "dismissed_heads": Field(kind=list),
    "dismissals": Field(kind=list),
    "anaphora": Field(kind=list),
    "comparatives": Field(kind=list),
    "comparison_heads": Field(kind=list),
    "comparison_tails": Field(kind=list),
    "excess": Field(kind=list),
    "only_openers": Field(kind=list),
    "avoidance": Field(kind=list),
    "choosing": Field(kind=list),
    "verdicts": Field(kind=dict),
    "hedges": Field(kind=list),
    "closing_verdicts": Field(kind=list),
    "acknowledgements": Field(kind=list),
    "puzzlement": Field(kind=list),
    "chat_words": Field(kind=dict),
    "emoji": Field(kind=dict),
    "foreign_markers": Field(kind=list),
    "choice_words": Field(kind=list),
    "ordinals": Field(kind=dict),
    "negated_opposites": Field(kind=dict),
    "degree_words": Field(kind=list),
}


def read_lexicon(raw: Any, check: Problems) -> list[Lexicon]:
    where = "lexicon"
    if not check.fields(raw, _LEXICON, where):
        return []
    ok = True
    words: dict[str, list[str]] = {}
    for field in ("stop_words", "false_friends", "vocatives"):
        words[field] = [str(w) for w in raw[field]]
        for word in words[field]:
            if tokenize(fold(word)) != [word]:
                check.add(where, msg.DATA_BAD_WORD.format(field=field, word=word))
                ok = False
    synonyms: dict[str, tuple[str, ...]] = {}
    for canonical, phrases in raw["synonyms"].items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            check.add(where, msg.DATA_BAD_SYNONYMS.format(term=canonical))
            ok = False
            continue
        synonyms[str(canonical)] = tuple(phrases)
    phrase_lists: dict[str, tuple[str, ...]] = {}
    for field in ("anchors", "project_words", "subjects"):
        phrase_lists[field] = tuple(raw[field])
        if not all(isinstance(a, str) and a.strip() for a in raw[field]):
            check.add(where, msg.DATA_BAD_PHRASES.format(field=field))
            ok = False
    fixes = {str(k): str(v) for k, v in raw["lemma_fixes"].items()}
    senses: dict[str, str] = {}
    for word, meaning in raw["accent_senses"].items():
        if str(word).isascii() or not isinstance(meaning, str) or not meaning.strip():
            check.add(where, msg.DATA_BAD_ACCENT_SENSE.format(word=word))
            ok = False
            continue
        senses[str(word).lower()] = meaning
    sides: dict[str, tuple[str, ...]] = {}
    for side, phrases in raw["sides"].items():
        if (
            side not in SIDES
            or not isinstance(phrases, list)
            or not all(isinstance(p, str) and p.strip() for p in phrases)
        ):
            check.add(where, msg.DATA_BAD_SIDES.format(sides=", ".join(SIDES)))
            ok = False
            continue
        sides[side] = tuple(phrases)
    if not ok:
        return []
    return [
        Lexicon(
            stop_words=frozenset(words["stop_words"]),
            synonyms=synonyms,
            lemma_fixes=fixes,
            false_friends=frozenset(words["false_friends"]),
            vocatives=frozenset(words["vocatives"]),
            anchors=phrase_lists["anchors"],
            accent_senses=senses,
            sides=sides,
            project_words=phrase_lists["project_words"],
            subjects=phrase_lists["subjects"],
        )
    ]


def read_texts(raw: Any, check: Problems, where: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(t, str) and t.strip() for t in raw):
        check.add(where, msg.DATA_BAD_PHRASES.format(field=where))
        return []
    return [t.strip() for t in raw]


def read_grammar(raw: Any, check: Problems) -> list[Grammar]:
    where = "grammar"
    if not check.fields(raw, _GRAMMAR, where):
        return []
    ok = True

    def phrases(field: str) -> tuple[tuple[str, ...], ...]:
        nonlocal ok
        values = raw[field]
        found = tuple(phrase(p) for p in values if isinstance(p, str))
        if len(found) != len(values) or not all(found):
            check.add(where, msg.DATA_BAD_PHRASES.format(field=field))
            ok = False
        return tuple(p for p in found if p)

    def words(field: str) -> frozenset[str]:
        nonlocal ok
        found = phrases(field)
        for words_of in found:
            if len(words_of) != 1:
                check.add(where, msg.DATA_BAD_WORD.format(field=field, word=" ".join(words_of)))
                ok = False
        return frozenset(p[0] for p in found)

    elisions: dict[str, frozenset[str] | None] = {}
    for elided, before in raw["elisions"].items():
        if before == "any":
            elisions[fold(str(elided))] = None
        elif isinstance(before, list) and all(isinstance(w, str) for w in before):
            elisions[fold(str(elided))] = frozenset(fold(w) for w in before)
        else:
            check.add(where, msg.DATA_BAD_ELISION.format(word=elided))
            ok = False
    verdicts: dict[Verdict, tuple[tuple[str, ...], ...]] = {}
    for verdict, listed in raw["verdicts"].items():
        if (
            verdict not in {v.value for v in Verdict}
            or not isinstance(listed, list)
            or not all(isinstance(p, str) and phrase(p) for p in listed)
        ):
            check.add(
                where, msg.DATA_BAD_VERDICTS.format(verdicts=", ".join(v.value for v in Verdict))
            )
            ok = False
            continue
        verdicts[Verdict(verdict)] = tuple(phrase(p) for p in listed)
    chat_words: dict[str, tuple[str, ...]] = {}
    for canonical, listed in raw["chat_words"].items():
        if not isinstance(listed, list) or not all(isinstance(p, str) for p in listed):
            check.add(where, msg.DATA_BAD_SYNONYMS.format(term=canonical))
            ok = False
            continue
        chat_words[str(canonical)] = tuple(listed)
    emoji = {str(k): str(v) for k, v in raw["emoji"].items() if isinstance(v, str)}
    if len(emoji) != len(raw["emoji"]) or any(k.isalnum() for k in emoji):
        check.add(where, msg.DATA_BAD_EMOJI)
        ok = False
    opposites = {
        fold(k): fold(v) for k, v in raw["negated_opposites"].items() if isinstance(v, str)
    }
    if len(opposites) != len(raw["negated_opposites"]):
        check.add(where, msg.DATA_BAD_PHRASES.format(field="negated_opposites"))
        ok = False
    closing = phrases("closing_verdicts")
    # A closing verdict is read through the verdicts' own list: one outside it says nothing.
    listed_verdicts = {p for listed in verdicts.values() for p in listed}
    for unlisted in (p for p in closing if p not in listed_verdicts):
        check.add(where, msg.DATA_CLOSING_NOT_VERDICT.format(phrase=" ".join(unlisted)))
        ok = False
    ordinals = {str(k): v for k, v in raw["ordinals"].items() if isinstance(v, int)}
    if len(ordinals) != len(raw["ordinals"]):
        check.add(where, msg.DATA_BAD_ORDINALS)
        ok = False
    grammar = Grammar(
        elisions=elisions,
        fillers=words("fillers"),
        question_openers=phrases("question_openers"),
        request_openers=phrases("request_openers"),
        negations=words("negations"),
        negation_openers=words("negation_openers"),
        negation_cancellers=words("negation_cancellers"),
        negations_after_ne=words("negations_after_ne"),
        restrictives=phrases("restrictives"),
        clause_breaks=phrases("clause_breaks"),
        conjunctions=words("conjunctions"),
        clause_joiners=words("clause_joiners"),
        alternatives=phrases("alternatives"),
        corrections=phrases("corrections"),
        first_person=phrases("first_person"),
        certainty_before=words("certainty_before"),
        certainty_after=words("certainty_after"),
        safety_degrees=words("safety_degrees"),
        focus_markers=phrases("focus_markers"),
        serious_markers=phrases("serious_markers"),
        tag_questions=phrases("tag_questions"),
        contrasts=phrases("contrasts"),
        dismissed_heads=phrases("dismissed_heads"),
        dismissals=phrases("dismissals"),
        anaphora=words("anaphora"),
        comparatives=phrases("comparatives"),
        comparison_heads=words("comparison_heads"),
        comparison_tails=words("comparison_tails"),
        excess=words("excess"),
        only_openers=phrases("only_openers"),
        avoidance=phrases("avoidance"),
        choosing=phrases("choosing"),
        verdicts=verdicts,
        hedges=words("hedges"),
        closing_verdicts=closing,
        acknowledgements=frozenset(phrases("acknowledgements")),
        puzzlement=frozenset(phrases("puzzlement")),
        chat_words=chat_words,
        emoji=emoji,
        foreign_markers=words("foreign_markers"),
        choice_words=words("choice_words"),
        ordinals={fold(k): v for k, v in ordinals.items()},
        negated_opposites=opposites,
        degree_words=words("degree_words"),
    )
    return [grammar] if ok else []


# q and intent are required; style (how it is written) and oos (domain / other, for
# out-of-scope items) are optional tags.
