"""Analyses as TF-IDF rows over a model's features, read without building feature names.

The features of a message (bot/nlp/classifier.py `features`) are its terms, their
bigrams, the character n-grams of its words and its cues. Building those strings and
looking each up costs more than the model's product: a word's n-grams are the same in
every message, so their columns are looked up once per distinct word and kept. A row
is then a merge of a few short column lists, in the order `features` lists the names,
so that it sums the same counts in the same order and gives the same floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property, lru_cache
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from bot.nlp.analyzer import Analysis

__all__ = ["CHAR_SIZES", "CHAR_WEIGHT", "Row", "RowReader", "Rows", "char_grams"]

# Character n-grams of the words as typed absorb typos, inflections and words the
# lemma table does not know; lemma n-grams carry meaning across phrasings. Sizes and
# weight chosen by 5-fold cross-validation on the intent examples.
CHAR_SIZES = range(2, 5)
CHAR_WEIGHT = 0.6
# Distinct words whose columns are kept; emptied when full (a flood of gibberish).
_WORDS_KEPT = 50_000
# Counts of a feature in a message whose values are computed ahead for every feature
# (0 to 15: all but the longest messages, whose short words share n-grams such as
# "#e "), for models of up to this many features (64 MB).
_SCALED_COUNTS = 16
_SCALED_UP_TO = 500_000

# A row: its columns and their values (unit length).
Row = tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]
# Many rows: where each starts (and the last ends), their columns and their values.
Rows = tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float64]]


@lru_cache(maxsize=50_000)
def char_grams(token: str) -> tuple[str, ...]:
    """The character 2-4-grams of a word, padded with a space each side.

    >>> char_grams("vm")
    ('# v', '#vm', '#m ', '# vm', '#vm ', '# vm ')
    """
    padded = f" {token} "
    return tuple(
        "#" + padded[i : i + size] for size in CHAR_SIZES for i in range(len(padded) - size + 1)
    )


class RowReader:
    """Reads analyses as rows over one feature index; built once per model."""

    def __init__(self, index: dict[str, int], idf: npt.NDArray[np.float32]) -> None:
        self._column = index.get
        self._idf = idf.astype(np.float64)
        # Whether each column is a character n-gram (their names start with "#").
        self._is_gram = np.zeros(len(idf), dtype=np.intp)
        self._is_gram[[c for name, c in index.items() if name.startswith("#")]] = 1
        self._tf = np.zeros((2, 0))
        self._words: dict[str, npt.NDArray[np.intp]] = {}

    def _word_columns(self, word: str) -> npt.NDArray[np.intp]:
        """The known columns of a word's n-grams, one per occurrence, in order."""
        columns = self._words.get(word)
        if columns is None:
            if len(self._words) >= _WORDS_KEPT:
                self._words.clear()
            found = [c for c in map(self._column, char_grams(word)) if c is not None]
            columns = self._words[word] = np.array(found, dtype=np.intp)
        return columns

    def _whole_columns(self, analysis: Analysis) -> list[int]:
        """The known columns of the terms, their bigrams and the cues: whole words,
        counted 1 each (none shares a column with an n-gram)."""
        terms = analysis.terms
        names = [*terms, *(f"{a}_{b}" for a, b in pairwise(terms))]
        names += ["~" + cue for cue in analysis.cues]
        return [c for c in map(self._column, names) if c is not None]

    def row(self, analysis: Analysis) -> Row:
        """The analysis's TF-IDF row, unit length: sublinear counts times idf.

        The features' columns are listed as often as they occur and counted; every
        occurrence of a column weighs alike (1 for a whole word, `CHAR_WEIGHT` for an
        n-gram), so a column's value is a function of its count (`_frequencies`).
        """
        whole = self._whole_columns(analysis)
        known = self._words.get  # most words were seen before: no call for them
        listed = np.concatenate(
            [
                np.array(whole, dtype=np.intp),
                *[
                    c if (c := known(w)) is not None else self._word_columns(w)
                    for w in analysis.words
                ],
            ]
        )
        n = len(listed)
        if not n:
            return listed, np.zeros(0)
        # np.unique(listed, return_counts=True), without its wrapper's cost (a third
        # of a row): the same sort, so the same columns in the same order.
        listed.sort()
        first = np.empty(n + 1, dtype=bool)
        first[0] = first[n] = True
        np.not_equal(listed[1:], listed[:-1], out=first[1:n])
        bounds = first.nonzero()[0]
        starts = bounds[:-1]
        cols = listed[starts]
        counts = bounds[1:] - starts
        scaled = self._scaled
        try:
            # The products `_values` makes, made once per column and count.
            vals = scaled[cols, counts] if scaled is not None else self._values(cols, counts)
        except IndexError:  # a count past the table: a long message
            vals = self._values(cols, counts)
        norm = math.sqrt(float(vals @ vals)) or 1.0
        return cols, vals / norm

    def _values(
        self, cols: npt.NDArray[np.intp], counts: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.float64]:
        """Each column's sublinear count times its idf."""
        tf = self._frequencies(int(counts.max()))[self._is_gram[cols], counts]
        return tf * self._idf[cols]

    @cached_property
    def _scaled(self) -> npt.NDArray[np.float64] | None:
        """`_values` for every column and the counts most rows hold, as (column,
        count): one look-up per column instead of four array operations."""
        if len(self._idf) > _SCALED_UP_TO:
            return None
        table = self._frequencies(_SCALED_COUNTS - 1)[:, :_SCALED_COUNTS]
        return table[self._is_gram] * self._idf[:, None]

    def _frequencies(self, most: int) -> npt.NDArray[np.float64]:
        """The sublinear term frequency of a feature by kind (row 0: whole words, 1:
        n-grams) and count, up to `most`: summed and logged by numpy, as the rows of a
        batch are, so that a row reads the same floats either way."""
        table = self._tf
        if most >= table.shape[1]:
            size = max(2 * table.shape[1], most + 1)
            counts = np.arange(size)
            weights = np.repeat([[1.0], [CHAR_WEIGHT]], counts.sum(), axis=1)
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
            table = np.zeros((2, size))
            for kind in (0, 1):
                summed = np.add.reduceat(weights[kind], starts[1:])
                repeated = summed > 1.0
                summed[repeated] = 1.0 + np.log(summed[repeated])
                table[kind, 1:] = summed
            self._tf = table
        return table

    def rows(self, analyses: Sequence[Analysis]) -> Rows:
        """The rows of many analyses as one sparse matrix (CSR: row starts, columns,
        values), merged and normalised in a few array operations over them all."""
        wholes = [self._whole_columns(a) for a in analyses]
        known, read = self._words.get, self._word_columns
        grams = [[c if (c := known(w)) is not None else read(w) for w in a.words] for a in analyses]
        whole_lengths = np.array([len(w) for w in wholes], dtype=np.intp)
        gram_lengths = np.array([sum(map(len, g)) for g in grams], dtype=np.intp)
        listed = np.concatenate(
            [
                np.array([c for w in wholes for c in w], dtype=np.intp),
                *(cols for g in grams for cols in g),
            ]
        )
        n, width = len(analyses), len(self._idf)
        numbers = np.arange(n, dtype=np.intp)
        owners = np.concatenate(
            [np.repeat(numbers, whole_lengths), np.repeat(numbers, gram_lengths)]
        )
        weights = np.full(len(listed), CHAR_WEIGHT)
        weights[: int(whole_lengths.sum())] = 1.0
        # One key per (message, column); a stable sort keeps occurrences in order.
        keys = owners * width + listed
        order = keys.argsort(kind="stable")
        ranked = keys[order]
        first = np.ones(len(ranked), dtype=bool)
        np.not_equal(ranked[1:], ranked[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        counts = np.add.reduceat(weights[order], starts) if len(starts) else weights[:0]
        repeated = counts > 1.0
        counts[repeated] = 1.0 + np.log(counts[repeated])
        rows, cols = np.divmod(ranked[starts], width)
        vals = counts * self._idf[cols]
        norms = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n))
        norms[norms == 0.0] = 1.0
        indptr = np.zeros(n + 1, dtype=np.intp)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        return indptr, cols, vals / norms[rows]
