"""Accuracy reports: a bot against a labelled set, or against its own examples by K folds."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.domain import Answer, IntentKind
from bot.engine import Bot
from bot.loading import EvalItem
from bot.training import cv_splits

__all__ = ["IntentScore", "Miss", "Report", "StyleScore", "cross_validate", "evaluate"]


@dataclass(frozen=True, kw_only=True)
class IntentScore:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, kw_only=True)
class StyleScore:
    """How the bot does on the questions written in one style (sms, formal, story...)."""

    style: str
    in_scope: int
    accuracy: float
    out_of_scope: int
    rejection: float


@dataclass(frozen=True, kw_only=True)
class Miss:
    question: str
    expected: tuple[str, ...]  # empty: out of scope
    got: str | None
    confidence: float
    line: int


@dataclass(frozen=True, kw_only=True)
class Report:
    """What `vmbot eval` prints."""

    accuracy: float
    out_of_scope_rejection: float
    macro_f1: float
    in_scope: int
    out_of_scope: int
    per_intent: tuple[IntentScore, ...]
    confusions: tuple[tuple[str, str, int], ...]  # expected, got ("null": fallback), count
    errors: tuple[Miss, ...]
    latency_ms: dict[str, float]
    per_style: tuple[StyleScore, ...] = ()


def evaluate(
    ask: Callable[[str], Answer],
    items: Sequence[EvalItem],
    *,
    progress: Callable[[], None] | None = None,
) -> Report:
    """Ask every question once and score the answers (an answer's intent null = rejected)."""
    timings: list[float] = []
    answers: list[Answer] = []
    for item in items:
        start = time.perf_counter()
        answers.append(ask(item.question))
        timings.append((time.perf_counter() - start) * 1000)
        if progress is not None:
            progress()
    return _report(items, answers, timings)


def _report(items: Sequence[EvalItem], answers: Sequence[Answer], timings: list[float]) -> Report:
    in_scope = [(i, a) for i, a in zip(items, answers, strict=True) if i.expected]
    oos = [(i, a) for i, a in zip(items, answers, strict=True) if not i.expected]
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    support: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    errors: list[Miss] = []
    for item, answer in [*in_scope, *oos]:
        gold = min(item.expected) if item.expected else None
        # Where several intents are right, any of them counts as the one expected.
        hit = answer.intent in item.expected if item.expected else answer.intent is None
        if gold is not None:
            support[gold] += 1
        if hit:
            if answer.intent is not None:
                tp[answer.intent] += 1
            continue
        if gold is not None:
            fn[gold] += 1
        if answer.intent is not None:
            fp[answer.intent] += 1
        confusions[(gold or "null", answer.intent or "null")] += 1
        errors.append(
            Miss(
                question=item.question,
                expected=tuple(sorted(item.expected)),
                got=answer.intent,
                confidence=answer.confidence,
                line=item.line,
            )
        )
    scores = []
    for intent in sorted(set(support) | set(fp)):
        p = _ratio(tp[intent], tp[intent] + fp[intent])
        r = _ratio(tp[intent], tp[intent] + fn[intent])
        f1 = _ratio(2 * p * r, p + r)
        scores.append(
            IntentScore(intent=intent, precision=p, recall=r, f1=f1, support=support[intent])
        )
    scored = [s for s in scores if s.support]
    ordered = sorted(timings)
    styles: dict[str, list[bool]] = {}
    rejections: dict[str, list[bool]] = {}
    for item, answer in zip(items, answers, strict=True):
        if item.style is None:
            continue
        if item.expected:
            styles.setdefault(item.style, []).append(answer.intent in item.expected)
        else:
            rejections.setdefault(item.style, []).append(answer.intent is None)
    per_style = tuple(
        StyleScore(
            style=style,
            in_scope=len(styles.get(style, [])),
            accuracy=_ratio(sum(styles.get(style, [])), len(styles.get(style, []))),
            out_of_scope=len(rejections.get(style, [])),
            rejection=_ratio(sum(rejections.get(style, [])), len(rejections.get(style, []))),
        )
        for style in sorted(styles.keys() | rejections.keys())
    )
    return Report(
        per_style=per_style,
        accuracy=_ratio(sum(a.intent in i.expected for i, a in in_scope), len(in_scope)),
        out_of_scope_rejection=_ratio(sum(a.intent is None for _, a in oos), len(oos)),
        macro_f1=_ratio(sum(s.f1 for s in scored), len(scored)),
        in_scope=len(in_scope),
        out_of_scope=len(oos),
        per_intent=tuple(scores),
        confusions=tuple((e, g, n) for (e, g), n in confusions.most_common()),
        errors=tuple(errors),
        latency_ms={"p50": _quantile(ordered, 0.5), "p99": _quantile(ordered, 0.99)},
    )


def cross_validate(bot: Bot, k: int, *, seed: int = 0) -> Report:
    """Train on K-1 folds of the intent examples and test on the rest, K times."""
    # Examples of what to reject are expected to be rejected, as in an eval file.
    rejecting = {i.id for i in bot.catalog.intents.values() if i.kind is IntentKind.OUT_OF_SCOPE}
    items: list[EvalItem] = []
    answers: list[Answer] = []
    timings: list[float] = []
    for training, held in cv_splits(bot.catalog, k, seed=seed):
        trained = bot.retrained(training)
        for intent, text in held:
            start = time.perf_counter()
            answers.append(trained.ask(text))
            timings.append((time.perf_counter() - start) * 1000)
            expected = frozenset() if intent in rejecting else frozenset([intent])
            items.append(EvalItem(question=text, expected=expected, line=0))
    return _report(items, answers, timings)


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def _quantile(ordered: Iterable[float], q: float) -> float:
    values = list(ordered)
    if not values:
        return 0.0
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]
