"""The corpus: one YAML file per source document, its passages addressable by id."""

from __future__ import annotations

from pathlib import Path

from bot import messages as msg
from bot.domain import Corpus, Document, Passage
from bot.errors import DataProblem
from bot.loading.schema import (
    Field,
    Problems,
    data_files,
    raise_if_any,
    read_yaml,
    require_folders,
)

__all__ = ["load_corpus", "read_corpus"]

_DOCUMENT = {
    "id": Field(kind=str),
    "title": Field(kind=str),
    "origin": Field(kind=str),
    "source_file": Field(kind=str, required=False),
    "passages": Field(kind=list),
}
_PASSAGE = {"id": Field(kind=str), "section": Field(kind=str), "text": Field(kind=str)}


def load_corpus(folder: Path) -> Corpus:
    """Load every document of the corpus folder, or raise DataError listing every problem."""
    require_folders(folder)
    problems: list[DataProblem] = []
    corpus = read_corpus(folder, problems)
    raise_if_any(problems)
    return corpus


def read_corpus(folder: Path, problems: list[DataProblem]) -> Corpus:
    """The documents of an existing corpus folder that are valid; the problems of the
    others added to `problems`."""
    documents: list[Document] = []
    seen: dict[str, Path] = {}
    for path in data_files(folder, problems):
        check = Problems(path, problems)
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
    return Corpus(documents=tuple(documents))
