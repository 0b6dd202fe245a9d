"""A softmax regression over lemma and character n-gram features, trained with numpy.

Similarity to examples ranks paraphrases poorly when words are shared between
intents ("quoi", "docker"); a discriminative model learns which words tell intents
apart. The design matrix is sparse (a message holds a few hundred of the tens of
thousands of features), so training takes about a second and grows with the
examples, not with their product by the vocabulary; it is cached on disk.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from bot.nlp.analyzer import Analysis
from bot.nlp.rows import CHAR_WEIGHT, Row, RowReader, char_grams

__all__ = [
    "SPARSE_FROM",
    "SoftmaxModel",
    "Vocabulary",
    "features",
    "sparse_row",
    "train_softmax",
    "vocabulary",
]

# The classes, the feature index and the idf of each feature.
Vocabulary = tuple[tuple[str, ...], dict[str, int], npt.NDArray[np.float32]]
# From this many messages, a batch's probabilities are one sparse product (scipy),
# whose import costs as much as reading about 5,000 messages one by one.
SPARSE_FROM = 2_000
_KEPT = 8_192
# Elements of a block of weights updated at once by training: six such blocks (weights,
# gradient, two moments, two scratch) fit in a core's cache.
_BLOCK = 16_384


def features(analysis: Analysis) -> dict[str, float]:
    """Term unigrams and bigrams, and character 2-4-grams of each word as spelled.

    >>> sorted(features(Analysis(tokens=("vm",), terms=("vm",))))
    ['# v', '# vm', '# vm ', '#m ', '#vm', '#vm ', 'vm']
    """
    out: dict[str, float] = defaultdict(float)
    terms = analysis.terms
    for term in terms:
        out[term] += 1.0
    for a, b in pairwise(terms):
        out[f"{a}_{b}"] += 1.0
    for token in analysis.words:
        for gram in char_grams(token):
            out[gram] += CHAR_WEIGHT
    for cue in analysis.cues:
        out["~" + cue] += 1.0
    return dict(out)


@dataclass(frozen=True, kw_only=True)
class SoftmaxModel:
    """Feature index and idf, a weight matrix (features x classes) and the class names."""

    classes: tuple[str, ...]
    index: dict[str, int]
    idf: npt.NDArray[np.float32]
    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]

    def vector(self, analysis: Analysis) -> tuple[list[int], list[float]]:
        cols, vals = self._reader.row(analysis)
        return cols.tolist(), vals.tolist()

    @cached_property
    def _reader(self) -> RowReader:
        return RowReader(self.index, self.idf)

    def _weights64(self, cols: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        # The rows read, in double precision: a whole float64 copy of the weights
        # would double their memory (45 GB at 100x the examples, scaling.py).
        return self.weights[cols].astype(np.float64)

    @cached_property
    def _bias64(self) -> npt.NDArray[np.float64]:
        return self.bias.astype(np.float64)

    def probabilities(self, analysis: Analysis) -> npt.NDArray[np.float64]:
        """The probability of each class (in `classes` order); read-only (remembered)."""
        known = self._known
        found = known.get(analysis)
        if found is None:
            if len(known) >= _KEPT:
                known.clear()
            found = known[analysis] = self.probabilities_of_row(*self._reader.row(analysis))
            found.flags.writeable = False
        return found

    def preload(self, analyses: Sequence[Analysis]) -> None:
        """Computes the probabilities of these analyses ahead, in one sparse product:
        `probabilities` then finds them."""
        if len(analyses) < SPARSE_FROM:
            for analysis in analyses:
                self.probabilities(analysis)  # each alone, remembered
            return
        known = self._known
        if len(known) + len(analyses) > _KEPT:
            known.clear()
        computed = self.probabilities_of(analyses)
        computed.flags.writeable = False
        known.update(zip(analyses, computed, strict=True))

    @cached_property
    def _known(self) -> dict[Analysis, npt.NDArray[np.float64]]:
        # The probabilities of the analyses read so far: a dialogue reads the same
        # statements with several models, and again at each turn. Emptied when full.
        return {}

    def row(self, analysis: Analysis) -> Row:
        """The analysis's TF-IDF row over this model's features, unit length, as
        (columns, values): models that share their features (`index`) share it."""
        return self._reader.row(analysis)

    def probabilities_of_row(
        self, cols: npt.NDArray[np.intp], vals: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """The probability of each class, for a row of `row`."""
        logits = self._bias64 + vals @ self._weights64(cols) if len(cols) else self._bias64.copy()
        return _softmax(logits)

    def probabilities_of(self, analyses: Sequence[Analysis]) -> npt.NDArray[np.float64]:
        """The probabilities of many analyses at once (one row each): one sparse product
        of their rows with the weights.

        scipy's compiled product is ten times faster than gathering the weights with
        numpy, but takes about 0.1 s to import: a few messages are read one by one.
        """
        if len(analyses) < SPARSE_FROM:
            out = np.empty((len(analyses), len(self.classes)))
            for i, analysis in enumerate(analyses):
                out[i] = self.probabilities(analysis)
            return out
        from scipy import sparse

        indptr, cols, vals = self._reader.rows(analyses)
        rows = sparse.csr_matrix((vals, cols, indptr), shape=(len(analyses), len(self.index)))
        # The float32 weights are read in double precision, as `probabilities` reads them.
        logits: npt.NDArray[np.float64] = rows @ self.weights + self._bias64
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def _softmax(logits: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # The reductions `max()` and `sum()` make, without their Python wrappers, in place.
    logits -= np.maximum.reduce(logits)
    exp = np.exp(logits, out=logits)
    exp /= np.add.reduce(exp)
    return exp


def _tf(count: float) -> float:
    # Sublinear term frequency, as TF-IDF does; character n-grams count fractions.
    return 1.0 + math.log(count) if count >= 1 else count


def train_softmax(
    samples: Sequence[tuple[str, Analysis]],
    *,
    epochs: int = 150,
    learning_rate: float = 0.2,
    l2: float = 1e-5,
    sample_weights: Sequence[float] | None = None,
    features_of: Vocabulary | None = None,
) -> SoftmaxModel:
    """Fit the model on (class, analysis) pairs by full-batch Adam; deterministic.

    `sample_weights` weigh each pair (default: all alike), as repeating it would.
    `features_of`: the samples' `vocabulary`, when already computed (models trained
    on the same samples then share their features).
    """
    from scipy import sparse  # only training needs it: answering starts faster without

    classes, index, idf = vocabulary(samples) if features_of is None else features_of
    class_index = {c: i for i, c in enumerate(classes)}
    n = len(samples)
    # The design matrix, read like a batch of questions: the same rows, in a few
    # array operations over all the samples.
    indptr, columns, values = RowReader(index, idf).rows([a for _, a in samples])
    x = sparse.csr_matrix(
        (values.astype(np.float32), columns, indptr), shape=(n, len(index)), dtype=np.float32
    )
    x_t = x.T.tocsr()
    y = np.zeros((n, len(classes)), dtype=np.float32)
    for row, (name, _) in enumerate(samples):
        y[row, class_index[name]] = 1.0
    weight = np.ones((n, 1), dtype=np.float32)
    if sample_weights is not None:
        weight[:, 0] = sample_weights
    total = float(weight.sum())
    w = np.zeros((len(index), len(classes)), dtype=np.float32)
    b = np.zeros(len(classes), dtype=np.float32)
    m_w, v_w = np.zeros_like(w), np.zeros_like(w)
    m_b, v_b = np.zeros_like(b), np.zeros_like(b)
    adam = _Adam(learning_rate=learning_rate, beta1=0.9, beta2=0.999, eps=1e-8)
    for step in range(1, epochs + 1):
        logits = x @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        grad = (p - y) * weight / total
        g_w = x_t @ grad
        g_b = grad.sum(axis=0)
        adam.update_weights(w, g_w, m_w, v_w, step=step, l2=l2)
        adam.update(b, g_b, m_b, v_b, step=step)
    return SoftmaxModel(classes=classes, index=index, idf=idf, weights=w, bias=b)


@dataclass(frozen=True, kw_only=True)
class _Adam:
    """One Adam step on a parameter array, in place."""

    learning_rate: float
    beta1: float
    beta2: float
    eps: float

    def update(
        self,
        param: npt.NDArray[np.float32],
        g: npt.NDArray[np.float32],
        m: npt.NDArray[np.float32],
        v: npt.NDArray[np.float32],
        *,
        step: int,
    ) -> None:
        """The textbook step, array by array (for the small bias)."""
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1**step)
        v_hat = v / (1 - self.beta2**step)
        param -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)

    def update_weights(
        self,
        w: npt.NDArray[np.float32],
        g: npt.NDArray[np.float32],
        m: npt.NDArray[np.float32],
        v: npt.NDArray[np.float32],
        *,
        step: int,
        l2: float,
    ) -> None:
        """`update` with the L2 term added to the gradient (`g` is overwritten), over
        blocks of rows that stay in the processor's cache, into two scratch blocks.

        The weights are a million numbers: `update` makes a dozen passes over them
        and allocates a new array at each, which cost as much as the gradient itself.
        Each element goes through the same float32 operations in the same order, so
        the weights are bit for bit those of `update`.
        """
        c1, c2 = 1 - self.beta1**step, 1 - self.beta2**step
        rows = max(1, _BLOCK // max(1, w.shape[1]))
        t1 = np.empty((min(rows, len(w)), w.shape[1]), dtype=w.dtype)
        t2 = np.empty_like(t1)
        for start in range(0, len(w), rows):
            ws, gs, ms, vs = (a[start : start + rows] for a in (w, g, m, v))
            a, d = t1[: len(ws)], t2[: len(ws)]
            np.multiply(ws, l2, out=a)
            np.add(gs, a, out=gs)  # g + l2 * w
            np.multiply(ms, self.beta1, out=ms)
            np.multiply(gs, 1 - self.beta1, out=a)
            np.add(ms, a, out=ms)
            np.multiply(vs, self.beta2, out=vs)
            np.multiply(gs, 1 - self.beta2, out=a)
            np.multiply(a, gs, out=a)
            np.add(vs, a, out=vs)
            np.divide(ms, c1, out=a)  # m_hat
            np.divide(vs, c2, out=d)  # v_hat
            np.sqrt(d, out=d)
            np.add(d, self.eps, out=d)
            np.multiply(a, self.learning_rate, out=a)
            np.divide(a, d, out=a)
            np.subtract(ws, a, out=ws)


def vocabulary(samples: Sequence[tuple[str, Analysis]]) -> Vocabulary:
    """The classes, the feature index and the smoothed idf of each feature."""
    classes = tuple(sorted({c for c, _ in samples}))
    df: Counter[str] = Counter(name for _, a in samples for name in features(a))
    names = sorted(df)
    n = len(samples)
    idf = np.array([math.log((1 + n) / (1 + df[name])) + 1.0 for name in names], dtype=np.float32)
    return classes, {name: i for i, name in enumerate(names)}, idf


def sparse_row(
    counts: dict[str, float],
    index: dict[str, int],
    idf: Sequence[float] | npt.NDArray[np.float32],
) -> tuple[list[int], list[float]]:
    """A text's TF-IDF row, unit length, as (columns, values); unknown features dropped."""
    cols, vals = [], []
    find = index.get
    for name, count in counts.items():
        col = find(name)
        if col is not None:
            cols.append(col)
            vals.append(_tf(count) * float(idf[col]))
    norm = math.sqrt(sum(v * v for v in vals)) or 1.0
    return cols, [v / norm for v in vals]
