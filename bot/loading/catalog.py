"""The catalog: intents (with their roles), the advisor's criteria and outcomes, and
the language data, checked one by one, against the corpus and across files."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import messages as msg
from bot.domain import (
    Catalog,
    Corpus,
    Criterion,
    Grammar,
    Intent,
    IntentKind,
    Lexicon,
    OutcomeText,
    Role,
    Roles,
    SourceRef,
)
from bot.errors import DataProblem
from bot.loading.language import SIDES, read_grammar, read_lexicon, read_texts
from bot.loading.schema import (
    Field,
    Problems,
    data_files,
    items,
    raise_if_any,
    read_yaml,
    require_folders,
)
from bot.nlp.text import fold, tokenize

__all__ = ["OUTCOMES", "REQUIRED_CRITERIA", "load_catalog", "read_catalog"]

_EXAMPLE_LIMITS = {
    IntentKind.FAQ: (10, 120),
    IntentKind.CONVERSATION: (10, 200),
    IntentKind.OUT_OF_SCOPE: (20, 400),
}
_ID = re.compile(r"^[a-z0-9_.-]+$")

_INTENT = {
    "id": Field(kind=str),
    "kind": Field(kind=str, required=False),
    "question": Field(kind=str),
    # Out-of-scope intents have none: the fallback says why (bot/messages.py).
    "answer": Field(kind=str, required=False),
    "sources": Field(kind=list, required=False),
    "examples": Field(kind=list),
    "side": Field(kind=str, required=False),
    "mirror": Field(kind=str, required=False),
    "role": Field(kind=str, required=False),
    "suggested": Field(kind=bool, required=False),
}
_SOURCE = {"passage": Field(kind=str), "excerpt": Field(kind=str, required=False)}
_CRITERION = {
    "id": Field(kind=str),
    "favours": Field(kind=str),
    "weight": Field(kind=int),
    "prevalence": Field(kind=float),
    "question": Field(kind=str),
    "reason": Field(kind=str),
    "absent": Field(kind=str),
    "sources": Field(kind=list),
    "examples": Field(kind=list),
    "counter_examples": Field(kind=list),
    "unsure_examples": Field(kind=list),
}
_OUTCOME = {"id": Field(kind=str), "answer": Field(kind=str), "sources": Field(kind=list)}
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
OUTCOMES = ("vm", "conteneur", "conteneur_sur_vm")


def load_catalog(folder: Path, corpus: Corpus) -> Catalog:
    """Load the intents and the lexicon, checked against the corpus; raise DataError if invalid."""
    require_folders(folder)
    problems: list[DataProblem] = []
    catalog = read_catalog(folder, corpus, problems)
    raise_if_any(problems)
    assert catalog is not None  # no problem: the catalog is whole
    return catalog


@dataclass(kw_only=True)
class _Declared:
    """What the files declare, valid or not: the checks across files run on it, so
    that an entry with a problem of its own is not also reported missing elsewhere."""

    files: Counter[str] = dataclasses.field(default_factory=Counter)  # top-level key -> files
    intents: set[str] = dataclasses.field(default_factory=set)
    criteria: set[str] = dataclasses.field(default_factory=set)
    outcomes: set[str] = dataclasses.field(default_factory=set)
    players: list[_Player] = dataclasses.field(default_factory=list)


def read_catalog(
    folder: Path, corpus: Corpus, problems: list[DataProblem], *, corpus_complete: bool = True
) -> Catalog | None:
    """The catalog of an existing intents folder, or None; every problem, of each file
    and across files, added to `problems`. With an incomplete corpus (a file of it
    could not be read), a citation of an unknown passage is not reported: it may be
    in the part that could not be read."""
    declared = _Declared()
    sources = _Sources(corpus=corpus, complete=corpus_complete)
    intents: dict[str, Intent] = {}
    lexicons: list[Lexicon] = []
    grammars: list[Grammar] = []
    neutral: list[str] = []
    criteria: dict[str, Criterion] = {}
    outcomes: dict[str, OutcomeText] = {}
    example_owner: dict[str, str] = {}
    readers: dict[str, Callable[[Any, Problems], None]] = {
        "intents": lambda raw, check: _read_intents(
            raw, check, sources, intents, example_owner, declared
        ),
        "lexicon": lambda raw, check: lexicons.extend(read_lexicon(raw, check)),
        "grammar": lambda raw, check: grammars.extend(read_grammar(raw, check)),
        "neutral": lambda raw, check: neutral.extend(read_texts(raw, check, "neutral")),
        "criteria": lambda raw, check: _read_criteria(raw, check, sources, criteria, declared),
        "outcomes": lambda raw, check: _read_outcomes(raw, check, sources, outcomes, declared),
    }
    for path in data_files(folder, problems):
        check = Problems(path, problems)
        raw = read_yaml(path, problems)
        if raw is None:
            continue
        if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in readers:
            check.add("", msg.DATA_BAD_TOP_LEVEL.format(keys=", ".join(readers)))
            continue
        key, value = next(iter(raw.items()))
        declared.files[key] += 1
        readers[key](value, check)
    roles = _check_across_files(folder, declared, intents, problems)
    if roles is None or len(lexicons) != 1 or len(grammars) != 1 or problems:
        return None
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


def _check_across_files(
    folder: Path, declared: _Declared, intents: dict[str, Intent], problems: list[DataProblem]
) -> dict[Role, str] | None:
    """The checks that span files; they run whatever else is wrong. Returns the roles."""

    def add(detail: str) -> None:
        problems.append(DataProblem(path=str(folder), where="", detail=detail))

    for key in ("lexicon", "grammar"):
        if declared.files[key] != 1:
            add(msg.DATA_ONE_FILE.format(key=key, n=declared.files[key]))
    roles = _resolve_roles(declared.players, folder, problems)
    missing = sorted(REQUIRED_CRITERIA - declared.criteria)
    if missing:
        add(msg.DATA_MISSING_CRITERIA.format(ids=", ".join(missing)))
    for intent in intents.values():
        if intent.mirror is None:
            continue
        mirror = intents.get(intent.mirror)
        # A mirror declared with problems of its own is reported for them only.
        if intent.mirror not in declared.intents or (
            mirror is not None and mirror.side == intent.side
        ):
            where = msg.DATA_INTENT.format(id=intent.id)
            problems.append(
                DataProblem(
                    path=str(folder / intent.file), where=where, detail=msg.DATA_UNKNOWN_MIRROR
                )
            )
    if declared.files["criteria"] and not set(OUTCOMES) <= declared.outcomes:
        add(msg.DATA_OUTCOMES.format(ids=", ".join(OUTCOMES)))
    return roles


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


def _read_criteria(
    raw: Any,
    check: Problems,
    sources: _Sources,
    criteria: dict[str, Criterion],
    declared: _Declared,
) -> None:
    for where, item in items(raw, check, "critère"):
        declared.criteria.add(_declared_id(item))
        if not check.fields(item, _CRITERION, where):
            continue
        ok = True
        if item["favours"] not in SIDES:
            check.add(where, msg.DATA_BAD_CHOICE.format(field="favours", values=", ".join(SIDES)))
            ok = False
        if not 1 <= item["weight"] <= 3:
            check.add(where, msg.DATA_BAD_WEIGHT)
            ok = False
        if not 0 < item["prevalence"] < 1:
            check.add(where, msg.DATA_BAD_PREVALENCE)
            ok = False
        cited = list(sources.read(item["sources"], check, where))
        said: dict[str, list[str]] = {}
        for field in ("examples", "counter_examples", "unsure_examples"):
            said[field] = [e.strip() for e in item[field] if isinstance(e, str) and e.strip()]
            if not said[field] or len(said[field]) != len(item[field]):
                check.add(where, msg.DATA_EMPTY_EXAMPLE)
                ok = False
        if item["id"] in criteria:
            check.add(where, msg.DATA_DUPLICATE_ID.format(other=check.path))
            ok = False
        if ok and cited:
            criteria[item["id"]] = Criterion(
                id=item["id"],
                favours=item["favours"],
                weight=item["weight"],
                prevalence=item["prevalence"],
                question=item["question"].strip(),
                reason=item["reason"].strip(),
                absent=item["absent"].strip(),
                sources=tuple(cited),
                examples=tuple(said["examples"]),
                counter_examples=tuple(said["counter_examples"]),
                unsure_examples=tuple(said["unsure_examples"]),
            )


def _read_outcomes(
    raw: Any,
    check: Problems,
    sources: _Sources,
    outcomes: dict[str, OutcomeText],
    declared: _Declared,
) -> None:
    for where, item in items(raw, check, "recommandation"):
        declared.outcomes.add(_declared_id(item))
        if not check.fields(item, _OUTCOME, where):
            continue
        if item["id"] not in OUTCOMES:
            check.add(where, msg.DATA_BAD_CHOICE.format(field="id", values=", ".join(OUTCOMES)))
            continue
        cited = list(sources.read(item["sources"], check, where))
        if cited:
            outcomes[item["id"]] = OutcomeText(
                id=item["id"], answer=item["answer"].strip(), sources=tuple(cited)
            )


def _read_intents(
    raw: Any,
    check: Problems,
    sources: _Sources,
    intents: dict[str, Intent],
    example_owner: dict[str, str],
    declared: _Declared,
) -> None:
    if not isinstance(raw, list):
        check.add("intents", msg.DATA_NOT_LIST)
        return
    for i, item in enumerate(raw):
        intent_id = item.get("id") if isinstance(item, dict) else None
        where = msg.DATA_INTENT.format(id=intent_id or f"n° {i + 1}")
        declared.intents.add(_declared_id(item))
        role = _role(item, check, where)
        if role is not None:
            player = _Player(role=role, intent=str(intent_id), path=str(check.path))
            declared.players.append(player)
        if not check.fields(item, _INTENT, where):
            # "answer" is required, but not of every kind of intent.
            answered = isinstance(item, dict) and item.get("kind") != IntentKind.OUT_OF_SCOPE
            if answered and "answer" not in item:
                check.add(where, msg.DATA_MISSING_FIELD.format(field="answer"))
            continue
        intent = _read_intent(item, check, where, sources, example_owner)
        if intent is None:
            continue
        if intent.id in intents:
            check.add(where, msg.DATA_DUPLICATE_ID.format(other=intents[intent.id].file))
            continue
        intents[intent.id] = intent


def _role(item: Any, check: Problems, where: str) -> Role | None:
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
    check: Problems,
    where: str,
    sources: _Sources,
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
    cited = list(sources.read(item.get("sources") or [], check, where))
    if kind is IntentKind.FAQ and not cited:
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
        sources=tuple(cited),
        examples=tuple(e.strip() for e in examples),
        file=check.path.name,  # not its place on disk: the index key holds the catalog
    )


def _declared_id(item: Any) -> str:
    found = item.get("id") if isinstance(item, dict) else None
    return found if isinstance(found, str) else ""


@dataclass(frozen=True, kw_only=True)
class _Sources:
    """Citations checked against the corpus: the passage exists, the excerpt is verbatim."""

    corpus: Corpus
    complete: bool  # False: an unknown passage may be in a corpus file that was not read

    def read(self, raw: list[Any], check: Problems, where: str) -> Iterator[SourceRef]:
        for item in raw:
            if not check.fields(item, _SOURCE, where):
                continue
            passage = self.corpus.passages.get(item["passage"])
            if passage is None:
                if self.complete:
                    check.add(where, msg.DATA_UNKNOWN_PASSAGE.format(passage=item["passage"]))
                continue
            excerpt = item.get("excerpt")
            if excerpt is not None and excerpt.strip() not in passage.text:
                check.add(where, msg.DATA_EXCERPT_NOT_VERBATIM.format(passage=passage.id))
                continue
            yield SourceRef(passage=passage.id, excerpt=excerpt.strip() if excerpt else None)
