"""Data files -> domain objects, validated: every problem is gathered, nothing is printed.

`intents/` holds YAML files whose one top-level key says what they hold:
`intents` (a list of intents), `lexicon` (the analyzer's language data), `grammar`,
`neutral`, `criteria` (the advisor's criteria) or `outcomes` (how recommendations are
worded). `corpus/` holds one YAML file per source document. Split along its seams:
`schema` (reading YAML, checking shapes), `corpus`, `language`, `catalog`, `eval_sets`.
"""

from __future__ import annotations

from pathlib import Path

from bot.domain import Catalog, Corpus, LoadedData
from bot.errors import DataProblem
from bot.loading.catalog import OUTCOMES, REQUIRED_CRITERIA, load_catalog, read_catalog
from bot.loading.corpus import load_corpus, read_corpus
from bot.loading.eval_sets import EvalItem, load_eval_set
from bot.loading.language import SIDES
from bot.loading.schema import raise_if_any, read_yaml, require_folders

__all__ = [
    "OUTCOMES",
    "REQUIRED_CRITERIA",
    "SIDES",
    "EvalItem",
    "LoadedData",
    "load_catalog",
    "load_corpus",
    "load_data",
    "load_eval_set",
    "read_yaml",
]


def load_data(root: Path) -> tuple[Corpus, Catalog]:
    """The corpus and the catalog under `root`, checked together: DataMissingError names
    every missing folder, DataError every problem of both (a broken corpus does not stop
    the catalog's checks)."""
    corpus_folder, intents_folder = root / "corpus", root / "intents"
    require_folders(corpus_folder, intents_folder)
    problems: list[DataProblem] = []
    corpus = read_corpus(corpus_folder, problems)
    catalog = read_catalog(intents_folder, corpus, problems, corpus_complete=not problems)
    raise_if_any(problems)
    assert catalog is not None  # no problem: the catalog is whole
    return corpus, catalog
