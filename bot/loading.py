"""Data files -> domain objects, validated: every problem is gathered, nothing is printed.

`intents/` holds YAML files whose one top-level key says what they hold:
`intents` (a list of intents), `lexicon` (the analyzer's language data),
`criteria` (the advisor's criteria) or `outcomes` (how recommendations are worded).
`corpus/` holds one YAML file per source document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot import messages as msg
from bot.domain import (
    Catalog,
    Corpus,
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
    SourceRef,
    Verdict,
)
from bot.errors import DataError, DataMissingError, DataProblem
from bot.nlp.text import fold, tokenize

__all__ = ["EvalItem", "data_files", "load_catalog", "load_corpus", "load_eval_set", "read_yaml"]

_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_EXAMPLE_LIMITS = {
    IntentKind.FAQ: (10, 80),
    IntentKind.CONVERSATION: (10, 200),
    IntentKind.OUT_OF_SCOPE: (20, 400),
}
_ID = re.compile(r"^[a-z0-9_.-]+$")


@dataclass(frozen=True, kw_only=True)
class _Field:
    kind: type | tuple[type, ...]
    required: bool = True


class _Problems:
    """Collects problems for one file; `where` names the intent or passage at hand."""

    def __init__(self, path: Path, problems: list[DataProblem]) -> None:
        self.path = path
        self._all = problems

    def add(self, where: str, detail: str) -> None:
        self._all.append(DataProblem(path=str(self.path), where=where, detail=detail))

    def fields(self, raw: Any, schema: dict[str, _Field], where: str) -> bool:
        """Check a mapping against a schema; report every unknown, missing or mistyped field."""
        if not isinstance(raw, dict):
            self.add(where, msg.DATA_NOT_MAPPING)
            return False
        ok = True
        for key in raw:
            if key not in schema:
                self.add(where, msg.DATA_UNKNOWN_FIELD.format(field=key))
                ok = False
        for key, spec in schema.items():
            if key not in raw or raw[key] is None:
                if spec.required:
                    self.add(where, msg.DATA_MISSING_FIELD.format(field=key))
                    ok = False
            elif not isinstance(raw[key], spec.kind) or (
                # YAML reads "on", "yes", "no" as booleans: only a boolean field takes one.
                isinstance(raw[key], bool) and spec.kind is not bool
            ):
                self.add(where, msg.DATA_BAD_TYPE.format(field=key))
                ok = False
        return ok


def read_yaml(path: Path, problems: list[DataProblem]) -> Any:
    """Parse one YAML file; a syntax or encoding error becomes a problem naming the line."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(_unreadable(path, exc))
    return None


def _unreadable(path: Path, exc: Exception) -> DataProblem:
    if isinstance(exc, yaml.YAMLError):
        mark = getattr(exc, "problem_mark", None)
        where = msg.DATA_LINE.format(line=mark.line + 1) if mark is not None else ""
        return DataProblem(path=str(path), where=where, detail=msg.DATA_BAD_YAML)
    return DataProblem(path=str(path), where="", detail=msg.DATA_UNREADABLE.format(error=exc))


def data_files(folder: Path) -> list[Path]:
    """The YAML files of a data folder, in a stable order; a missing folder is a problem."""
    if not folder.is_dir():
        problem = DataProblem(path=str(folder), where="", detail=msg.DATA_MISSING_FOLDER)
        raise DataMissingError([problem])
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise DataError([DataProblem(path=str(folder), where="", detail=msg.DATA_EMPTY_FOLDER)])
    return files


_DOCUMENT = {
    "id": _Field(kind=str),
    "title": _Field(kind=str),
    "origin": _Field(kind=str),
    "source_file": _Field(kind=str, required=False),
    "passages": _Field(kind=list),
}
_PASSAGE = {"id": _Field(kind=str), "section": _Field(kind=str), "text": _Field(kind=str)}


def load_corpus(folder: Path) -> Corpus:
    """Load every document of the corpus folder, or raise DataError listing every problem."""
    problems: list[DataProblem] = []
    documents: list[Document] = []
    seen: dict[str, Path] = {}
    for path in data_files(folder):
        check = _Problems(path, problems)
        raw = read_yaml(path, problems)
        if raw is None or not check.fields(raw, _DOCUMENT, ""):
            continue
        passages: list[Passage] = []
        for i, item in enumerate(raw["passages"]):
            where = msg.DATA_PASSAGE.format(
                id=item.get("id", i + 1) if isinstance(item, dict) else i + 1
            )
            if not check.fields(item, _PASSAGE, where):
                continue
            if item["id"] in seen:
                check.add(where, msg.DATA_DUPLICATE_ID.format(other=seen[item["id"]]))
                continue
            if not item["text"].strip():
                check.add(where, msg.DATA_EMPTY_FIELD.format(field="text"))
                continue
            seen[item["id"]] = path
            passages.append(
                Passage(
                    id=item["id"], document=raw["id"], section=item["section"], text=item["text"]
                )
            )
        documents.append(
            Document(
                id=raw["id"], title=raw["title"], origin=raw["origin"], passages=tuple(passages)
            )
        )
    if problems:
        raise DataError(problems)
    return Corpus(documents=tuple(documents))


_INTENT = {
    "id": _Field(kind=str),
    "kind": _Field(kind=str, required=False),
    "question": _Field(kind=str),
    # Out-of-scope intents have none: the fallback says why (bot/messages.py).
    "answer": _Field(kind=str, required=False),
    "sources": _Field(kind=list, required=False),
    "examples": _Field(kind=list),
    "side": _Field(kind=str, required=False),
    "mirror": _Field(kind=str, required=False),
    "role": _Field(kind=str, required=False),
    "suggested": _Field(kind=bool, required=False),
}
_SOURCE = {"passage": _Field(kind=str), "excerpt": _Field(kind=str, required=False)}
_LEXICON = {
    "stop_words": _Field(kind=list),
    "synonyms": _Field(kind=dict),
    "lemma_fixes": _Field(kind=dict),
    "false_friends": _Field(kind=list),
    "vocatives": _Field(kind=list),
    "anchors": _Field(kind=list),
    "accent_senses": _Field(kind=dict),
    "sides": _Field(kind=dict),
    "project_words": _Field(kind=list),
}
_GRAMMAR = {
    "elisions": _Field(kind=dict),
    "fillers": _Field(kind=list),
    "question_openers": _Field(kind=list),
    "request_openers": _Field(kind=list),
    "negations": _Field(kind=list),
    "negation_openers": _Field(kind=list),
    "negation_cancellers": _Field(kind=list),
    "negations_after_ne": _Field(kind=list),
    "restrictives": _Field(kind=list),
    "clause_breaks": _Field(kind=list),
    "conjunctions": _Field(kind=list),
    "alternatives": _Field(kind=list),
    "corrections": _Field(kind=list),
    "first_person": _Field(kind=list),
    "certainty_before": _Field(kind=list),
    "certainty_after": _Field(kind=list),
    "focus_markers": _Field(kind=list),
    "anaphora": _Field(kind=list),
    "comparatives": _Field(kind=list),
    "avoidance": _Field(kind=list),
    "choosing": _Field(kind=list),
    "verdicts": _Field(kind=dict),
    "hedges": _Field(kind=list),
    "acknowledgements": _Field(kind=list),
    "chat_words": _Field(kind=dict),
    "emoji": _Field(kind=dict),
    "choice_words": _Field(kind=list),
    "ordinals": _Field(kind=dict),
}
_CRITERION = {
    "id": _Field(kind=str),
    "favours": _Field(kind=str),
    "weight": _Field(kind=int),
    "question": _Field(kind=str),
    "reason": _Field(kind=str),
    "absent": _Field(kind=str),
    "sources": _Field(kind=list),
    "examples": _Field(kind=list),
    "counter_examples": _Field(kind=list),
    "unsure_examples": _Field(kind=list),
}
_OUTCOME = {"id": _Field(kind=str), "answer": _Field(kind=str), "sources": _Field(kind=list)}
# The advisor's criteria the evaluation sets and the personas rely on.
REQUIRED_CRITERIA = frozenset(
    [
        "dependances_os",
        "ressources_materielles",
        "controle_os",
        "application_heritee",
        "multi_os",
        "isolation_forte",
        "microservices",
        "cloud_distribue",
        "deploiement_rapide",
        "mise_a_echelle",
    ]
)
SIDES = ("vm", "conteneur")
OUTCOMES = ("vm", "conteneur", "conteneur_sur_vm")


def load_catalog(folder: Path, corpus: Corpus) -> Catalog:
    """Load the intents and the lexicon, checked against the corpus; raise DataError if invalid."""
    problems: list[DataProblem] = []
    intents: dict[str, Intent] = {}
    lexicons: list[Lexicon] = []
    grammars: list[Grammar] = []
    neutral: list[str] = []
    criteria: dict[str, Criterion] = {}
    outcomes: dict[str, OutcomeText] = {}
    example_owner: dict[str, str] = {}
    players: list[_Player] = []
    readers: dict[str, Callable[[Any, _Problems], None]] = {
        "intents": lambda raw, check: _read_intents(
            raw, check, corpus, intents, example_owner, players
        ),
        "lexicon": lambda raw, check: lexicons.extend(_read_lexicon(raw, check)),
        "grammar": lambda raw, check: grammars.extend(_read_grammar(raw, check)),
        "neutral": lambda raw, check: neutral.extend(_read_texts(raw, check, "neutral")),
        "criteria": lambda raw, check: _read_criteria(raw, check, corpus, criteria),
        "outcomes": lambda raw, check: _read_outcomes(raw, check, corpus, outcomes),
    }
    for path in data_files(folder):
        check = _Problems(path, problems)
        raw = read_yaml(path, problems)
        if raw is None:
            continue
        if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in readers:
            check.add("", msg.DATA_BAD_TOP_LEVEL.format(keys=", ".join(readers)))
            continue
        key, value = next(iter(raw.items()))
        readers[key](value, check)
    for key, count in (("lexicon", len(lexicons)), ("grammar", len(grammars))):
        if count != 1 and not problems:
            problems.append(
                DataProblem(
                    path=str(folder), where="", detail=msg.DATA_ONE_FILE.format(key=key, n=count)
                )
            )
    roles = _resolve_roles(players, folder, problems)
    missing = sorted(REQUIRED_CRITERIA - set(criteria))
    if missing and not problems:
        problems.append(
            DataProblem(
                path=str(folder),
                where="",
                detail=msg.DATA_MISSING_CRITERIA.format(ids=", ".join(missing)),
            )
        )
    for intent in intents.values():
        mirror = intents.get(intent.mirror) if intent.mirror is not None else None
        if intent.mirror is not None and (mirror is None or mirror.side == intent.side):
            where = msg.DATA_INTENT.format(id=intent.id)
            problems.append(
                DataProblem(path=intent.file, where=where, detail=msg.DATA_UNKNOWN_MIRROR)
            )
    if criteria and set(outcomes) != set(OUTCOMES) and not problems:
        problems.append(
            DataProblem(
                path=str(folder), where="", detail=msg.DATA_OUTCOMES.format(ids=", ".join(OUTCOMES))
            )
        )
    if problems or roles is None:
        raise DataError(problems)
    suggested = tuple(i.id for i in intents.values() if i.suggested)
    return Catalog(
        intents=intents,
        lexicon=lexicons[0],
        grammar=grammars[0],
        roles=Roles.of(roles, suggested),
        criteria=criteria,
        outcomes=outcomes,
        neutral_statements=tuple(neutral),
    )


@dataclass(frozen=True, kw_only=True)
class _Player:
    """A role as declared, read before the intent is validated: an intent with another
    problem still plays its role, so that its role is not also reported missing."""

    role: Role
    intent: str
    path: str


def _resolve_roles(
    players: list[_Player], folder: Path, problems: list[DataProblem]
) -> dict[Role, str] | None:
    """Role -> intent id when every role is played exactly once; else the problems."""
    found: dict[Role, str] = {}
    for player in players:
        first = found.setdefault(player.role, player.intent)
        if first != player.intent:
            detail = msg.DATA_DUPLICATE_ROLE.format(role=player.role.value, other=first)
            where = msg.DATA_INTENT.format(id=player.intent)
            problems.append(DataProblem(path=player.path, where=where, detail=detail))
    missing = [r.value for r in Role if r not in found]
    if missing:
        detail = msg.DATA_MISSING_ROLES.format(roles=", ".join(missing))
        problems.append(DataProblem(path=str(folder), where="", detail=detail))
    if missing or len(players) != len(found):
        return None
    return found


def _items(raw: Any, check: _Problems, key: str) -> list[tuple[str, Any]]:
    """(where, item) for each entry of a top-level list, or a problem if it is no list."""
    if not isinstance(raw, list):
        check.add(key, msg.DATA_NOT_LIST)
        return []
    out = []
    for i, item in enumerate(raw):
        name = item.get("id") if isinstance(item, dict) else None
        out.append((msg.DATA_ITEM.format(key=key, id=name or f"n° {i + 1}"), item))
    return out


def _read_criteria(
    raw: Any, check: _Problems, corpus: Corpus, criteria: dict[str, Criterion]
) -> None:
    for where, item in _items(raw, check, "critère"):
        if not check.fields(item, _CRITERION, where):
            continue
        ok = True
        if item["favours"] not in SIDES:
            check.add(where, msg.DATA_BAD_CHOICE.format(field="favours", values=", ".join(SIDES)))
            ok = False
        if not 1 <= item["weight"] <= 3:
            check.add(where, msg.DATA_BAD_WEIGHT)
            ok = False
        sources = list(_read_sources(item["sources"], check, where, corpus))
        said: dict[str, list[str]] = {}
        for field in ("examples", "counter_examples", "unsure_examples"):
            said[field] = [e.strip() for e in item[field] if isinstance(e, str) and e.strip()]
            if not said[field] or len(said[field]) != len(item[field]):
                check.add(where, msg.DATA_EMPTY_EXAMPLE)
                ok = False
        if item["id"] in criteria:
            check.add(where, msg.DATA_DUPLICATE_ID.format(other=check.path))
            ok = False
        if ok and sources:
            criteria[item["id"]] = Criterion(
                id=item["id"],
                favours=item["favours"],
                weight=item["weight"],
                question=item["question"].strip(),
                reason=item["reason"].strip(),
                absent=item["absent"].strip(),
                sources=tuple(sources),
                examples=tuple(said["examples"]),
                counter_examples=tuple(said["counter_examples"]),
                unsure_examples=tuple(said["unsure_examples"]),
            )


def _read_outcomes(
    raw: Any, check: _Problems, corpus: Corpus, outcomes: dict[str, OutcomeText]
) -> None:
    for where, item in _items(raw, check, "recommandation"):
        if not check.fields(item, _OUTCOME, where):
            continue
        if item["id"] not in OUTCOMES:
            check.add(where, msg.DATA_BAD_CHOICE.format(field="id", values=", ".join(OUTCOMES)))
            continue
        sources = list(_read_sources(item["sources"], check, where, corpus))
        if sources:
            outcomes[item["id"]] = OutcomeText(
                id=item["id"], answer=item["answer"].strip(), sources=tuple(sources)
            )


def _read_intents(
    raw: Any,
    check: _Problems,
    corpus: Corpus,
    intents: dict[str, Intent],
    example_owner: dict[str, str],
    players: list[_Player],
) -> None:
    if not isinstance(raw, list):
        check.add("intents", msg.DATA_NOT_LIST)
        return
    for i, item in enumerate(raw):
        intent_id = item.get("id") if isinstance(item, dict) else None
        where = msg.DATA_INTENT.format(id=intent_id or f"n° {i + 1}")
        role = _role(item, check, where)
        if role is not None:
            players.append(_Player(role=role, intent=str(intent_id), path=str(check.path)))
        if not check.fields(item, _INTENT, where):
            # "answer" is required, but not of every kind of intent.
            answered = isinstance(item, dict) and item.get("kind") != IntentKind.OUT_OF_SCOPE
            if answered and "answer" not in item:
                check.add(where, msg.DATA_MISSING_FIELD.format(field="answer"))
            continue
        intent = _read_intent(item, check, where, corpus, example_owner)
        if intent is None:
            continue
        if intent.id in intents:
            check.add(where, msg.DATA_DUPLICATE_ID.format(other=intents[intent.id].file))
            continue
        intents[intent.id] = intent


def _role(item: Any, check: _Problems, where: str) -> Role | None:
    """The role an intent declares, if it declares a known one."""
    declared = item.get("role") if isinstance(item, dict) else None
    if not isinstance(declared, str):
        return None  # none declared, or not text: the field check reports it
    if declared in _ROLES:
        return _ROLES[declared]
    check.add(where, msg.DATA_BAD_CHOICE.format(field="role", values=", ".join(_ROLES)))
    return None


_ROLES = {r.value: r for r in Role}


def _read_intent(
    item: dict[str, Any],
    check: _Problems,
    where: str,
    corpus: Corpus,
    example_owner: dict[str, str],
) -> Intent | None:
    ok = True
    if not _ID.match(item["id"]):
        check.add(where, msg.DATA_BAD_ID)
        ok = False
    try:
        kind = IntentKind(item.get("kind") or IntentKind.FAQ)
    except ValueError:
        check.add(where, msg.DATA_BAD_KIND.format(kinds=", ".join(k.value for k in IntentKind)))
        kind, ok = IntentKind.FAQ, False
    answered = kind is not IntentKind.OUT_OF_SCOPE
    for field in ("question", "answer") if answered else ("question",):
        if field not in item:
            check.add(where, msg.DATA_MISSING_FIELD.format(field=field))
            ok = False
        elif not item[field].strip():
            check.add(where, msg.DATA_EMPTY_FIELD.format(field=field))
            ok = False
    if not answered and "answer" in item:
        check.add(where, msg.DATA_UNUSED_ANSWER)
        ok = False
    sources = list(_read_sources(item.get("sources") or [], check, where, corpus))
    if kind is IntentKind.FAQ and not sources:
        check.add(where, msg.DATA_FAQ_NEEDS_SOURCES)
        ok = False
    examples = [e for e in item["examples"] if isinstance(e, str) and e.strip()]
    if len(examples) != len(item["examples"]):
        check.add(where, msg.DATA_EMPTY_EXAMPLE)
        ok = False
    low, high = _EXAMPLE_LIMITS[kind]
    if not low <= len(examples) <= high:
        check.add(where, msg.DATA_EXAMPLE_COUNT.format(n=len(examples), lo=low, hi=high))
        ok = False
    seen_here: set[str] = set()
    for example in examples:
        key = " ".join(tokenize(fold(example)))
        owner = example_owner.setdefault(key, item["id"])
        if owner != item["id"]:
            check.add(where, msg.DATA_DUPLICATE_EXAMPLE.format(example=example, other=owner))
            ok = False
        elif key in seen_here:
            check.add(where, msg.DATA_REPEATED_EXAMPLE.format(example=example))
            ok = False
        seen_here.add(key)
    suggested = bool(item.get("suggested"))
    if suggested and kind is not IntentKind.FAQ:
        check.add(where, msg.DATA_SUGGESTED_NOT_FAQ)
        ok = False
    side, mirror = item.get("side"), item.get("mirror")
    if (side is None) != (mirror is None) or (side is not None and side not in SIDES):
        check.add(where, msg.DATA_BAD_MIRROR.format(sides=", ".join(SIDES)))
        ok = False
    role = _ROLES.get(str(item.get("role")))
    if not ok or (item.get("role") is not None and role is None):
        return None  # an unknown role is reported where roles are read (`_role`)
    return Intent(
        side=side,
        mirror=mirror,
        role=role,
        suggested=suggested,
        id=item["id"],
        kind=kind,
        question=item["question"].strip(),
        answer=item.get("answer", "").strip(),
        sources=tuple(sources),
        examples=tuple(e.strip() for e in examples),
        file=str(check.path),
    )


def _read_sources(
    raw: list[Any], check: _Problems, where: str, corpus: Corpus
) -> Iterator[SourceRef]:
    for item in raw:
        if not check.fields(item, _SOURCE, where):
            continue
        passage = corpus.passages.get(item["passage"])
        if passage is None:
            check.add(where, msg.DATA_UNKNOWN_PASSAGE.format(passage=item["passage"]))
            continue
        excerpt = item.get("excerpt")
        if excerpt is not None and excerpt.strip() not in passage.text:
            check.add(where, msg.DATA_EXCERPT_NOT_VERBATIM.format(passage=passage.id))
            continue
        yield SourceRef(passage=passage.id, excerpt=excerpt.strip() if excerpt else None)


def _read_lexicon(raw: Any, check: _Problems) -> list[Lexicon]:
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
    for field in ("anchors", "project_words"):
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
        )
    ]


def _read_texts(raw: Any, check: _Problems, where: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(t, str) and t.strip() for t in raw):
        check.add(where, msg.DATA_BAD_PHRASES.format(field=where))
        return []
    return [t.strip() for t in raw]


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(tokenize(fold(text)))


def _read_grammar(raw: Any, check: _Problems) -> list[Grammar]:
    where = "grammar"
    if not check.fields(raw, _GRAMMAR, where):
        return []
    ok = True

    def phrases(field: str) -> tuple[tuple[str, ...], ...]:
        nonlocal ok
        values = raw[field]
        found = tuple(_phrase(p) for p in values if isinstance(p, str))
        if len(found) != len(values) or not all(found):
            check.add(where, msg.DATA_BAD_PHRASES.format(field=field))
            ok = False
        return tuple(p for p in found if p)

    def words(field: str) -> frozenset[str]:
        nonlocal ok
        found = phrases(field)
        for phrase in found:
            if len(phrase) != 1:
                check.add(where, msg.DATA_BAD_WORD.format(field=field, word=" ".join(phrase)))
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
            or not all(isinstance(p, str) and _phrase(p) for p in listed)
        ):
            check.add(
                where, msg.DATA_BAD_VERDICTS.format(verdicts=", ".join(v.value for v in Verdict))
            )
            ok = False
            continue
        verdicts[Verdict(verdict)] = tuple(_phrase(p) for p in listed)
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
        alternatives=phrases("alternatives"),
        corrections=phrases("corrections"),
        first_person=phrases("first_person"),
        certainty_before=words("certainty_before"),
        certainty_after=words("certainty_after"),
        focus_markers=phrases("focus_markers"),
        anaphora=words("anaphora"),
        comparatives=phrases("comparatives"),
        avoidance=phrases("avoidance"),
        choosing=phrases("choosing"),
        verdicts=verdicts,
        hedges=words("hedges"),
        acknowledgements=frozenset(phrases("acknowledgements")),
        chat_words=chat_words,
        emoji=emoji,
        choice_words=words("choice_words"),
        ordinals={fold(k): v for k, v in ordinals.items()},
    )
    return [grammar] if ok else []


# q and intent are required; style (how it is written) and oos (domain / other, for
# out-of-scope items) are optional tags.
_EVAL_KEYS = frozenset({"q", "intent", "style", "oos"})


@dataclass(frozen=True, kw_only=True)
class EvalItem:
    """One labelled question: the intents that are right for it (empty: out of scope)."""

    question: str
    expected: frozenset[str]
    line: int
    style: str | None = None  # how it is written: sms, formal, story... (optional)


def load_eval_set(path: Path, known_intents: set[str]) -> list[EvalItem]:
    """Read a labelled set (`- {q: ..., intent: id | null | [ids]}`); DataError names the line."""
    problems: list[DataProblem] = []
    try:
        text = path.read_text(encoding="utf-8")
        # The node tree gives each entry's line, for errors that name it.
        nodes = yaml.compose(text, Loader=_SafeLoader)
        raw = yaml.load(text, Loader=_SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DataError([_unreadable(path, exc)]) from exc
    if not isinstance(raw, list) or nodes is None:
        raise DataError([DataProblem(path=str(path), where="", detail=msg.EVAL_NOT_LIST)])
    items: list[EvalItem] = []
    for node, entry in zip(nodes.value, raw, strict=True):
        line = node.start_mark.line + 1
        where = msg.DATA_LINE.format(line=line)
        if not isinstance(entry, dict) or not {"q", "intent"} <= set(entry) <= _EVAL_KEYS:
            problems.append(DataProblem(path=str(path), where=where, detail=msg.EVAL_BAD_ENTRY))
            continue
        question, intent = entry["q"], entry["intent"]
        expected = [] if intent is None else intent if isinstance(intent, list) else [intent]
        if (
            not isinstance(question, str)
            or not question.strip()
            or not all(isinstance(i, str) for i in expected)
        ):
            problems.append(DataProblem(path=str(path), where=where, detail=msg.EVAL_BAD_ENTRY))
            continue
        unknown = [i for i in expected if i not in known_intents]
        if unknown:
            problems.append(
                DataProblem(
                    path=str(path),
                    where=where,
                    detail=msg.EVAL_UNKNOWN_INTENT.format(intent=", ".join(map(str, unknown))),
                )
            )
            continue
        style = entry.get("style")
        items.append(
            EvalItem(
                question=question,
                expected=frozenset(expected),
                line=line,
                style=str(style) if style is not None else None,
            )
        )
    if problems:
        raise DataError(problems)
    return items
