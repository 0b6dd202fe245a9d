"""The index cache holds data only, for its own key, and says when it cannot be written."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from bot.artefact_format import FormatError, dumps, loads, pack
from bot.assembly import load_bot
from bot.engine import Bot, Index
from bot.index_cache import cached, load, store
from bot.loading import LoadedData, load_data
from bot.nlp.classifier import SoftmaxModel
from bot.nlp.lemmas import LemmaTable

ROOT = Path(__file__).resolve().parent.parent


def _table() -> LemmaTable:
    return LemmaTable(lemmas={"conteneurs": "conteneur"}, french_words=frozenset({"conteneur"}))


def _model() -> SoftmaxModel:
    return SoftmaxModel(
        classes=("a", "b"),
        index={"docker": 0},
        idf=np.ones(1, dtype=np.float32),
        weights=np.eye(1, 2, dtype=np.float32),
        bias=np.zeros(2, dtype=np.float32),
    )


class _RunsCode:
    """What an attacker would plant: unpickling it calls os.system."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_an_artefact_comes_back_equal(tmp_path: Path) -> None:
    store(tmp_path, "lemmas", "k1", _table())
    assert load("lemmas", "k1", LemmaTable, tmp_path) == _table()


def test_numpy_arrays_come_back(tmp_path: Path) -> None:
    store(tmp_path, "model", "k1", _model())
    found = load("model", "k1", SoftmaxModel, tmp_path)
    assert found is not None and np.array_equal(found.weights, _model().weights)


def test_a_planted_file_cannot_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    store(tmp_path, "lemmas", "k1", _table())
    (path,) = tmp_path.glob("lemmas-*")
    # The attacker writes a header that matches their payload: only the payload can stop it.
    payload = pickle.dumps(_RunsCode(marker))
    first, _, rest = path.read_bytes().partition(b"\n")
    header = json.loads(rest.partition(b"\n")[0]) | {"sha256": hashlib.sha256(payload).hexdigest()}
    path.write_bytes(first + b"\n" + json.dumps(header).encode() + b"\n" + payload)
    assert load("lemmas", "k1", LemmaTable, tmp_path) is None
    assert not marker.exists()


def test_a_file_of_another_key_is_not_trusted(tmp_path: Path) -> None:
    store(tmp_path, "lemmas", "old", _table())
    (old,) = tmp_path.glob("lemmas-*")
    old.rename(old.with_name(old.name.replace("old", "new")))
    assert load("lemmas", "new", LemmaTable, tmp_path) is None


def test_an_altered_file_is_rebuilt(tmp_path: Path) -> None:
    store(tmp_path, "lemmas", "k1", _table())
    (path,) = tmp_path.glob("lemmas-*")
    path.write_bytes(path.read_bytes()[:-3] + b"xyz")
    rebuilt = cached("lemmas", "k1", LemmaTable, _table, tmp_path)
    assert rebuilt == _table()
    assert load("lemmas", "k1", LemmaTable, tmp_path) == _table()


def test_old_versions_are_pruned(tmp_path: Path) -> None:
    for key in ("k1", "k2", "k3", "k4", "k5"):
        store(tmp_path, "lemmas", key, _table())
    assert len(list(tmp_path.glob("lemmas-*"))) == 3


def test_an_unwritable_cache_is_reported_once_in_french(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A file where the folder should be: no user, root included, can write there.
    blocked = tmp_path / "cache"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="bot.index_cache"):
        store(blocked, "lemmas", "k1", _table())
        store(blocked, "index", "k1", _table())
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert "ne peut pas être écrit" in warnings[0] and "VMBOT_CACHE_DIR" in warnings[0]


def test_a_build_is_announced_and_a_load_is_silent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.index_cache"):
        cached("lemmas", "k1", LemmaTable, _table, tmp_path)
        cached("lemmas", "k1", LemmaTable, _table, tmp_path)
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and "prépare les lemmes" in said[0]


def _planted(tmp_path: Path, payload: bytes) -> None:
    """Replace the stored artefact's payload, with a header that matches it."""
    store(tmp_path, "lemmas", "k1", _table())
    (path,) = tmp_path.glob("lemmas-*")
    first, _, rest = path.read_bytes().partition(b"\n")
    header = json.loads(rest.partition(b"\n")[0]) | {"sha256": hashlib.sha256(payload).hexdigest()}
    path.write_bytes(first + b"\n" + json.dumps(header).encode() + b"\n" + payload)


@pytest.mark.parametrize("name", ["os:system", "subprocess:Popen", "bot.__main__:main"])
def test_an_archive_naming_another_type_is_refused(tmp_path: Path, name: str) -> None:
    _planted(tmp_path, pack({"$data": name, "fields": {}}, []))
    assert load("lemmas", "k1", LemmaTable, tmp_path) is None


def test_an_array_of_python_objects_is_refused() -> None:
    # Whoever writes the head, numpy never builds objects (pickles) from the bytes.
    planted = pack({"$array": 0}, [np.zeros(2, dtype=np.int64)]).replace(b"<i8", b"|O8", 1)
    with pytest.raises(FormatError):
        loads(planted, np.ndarray)


def test_an_array_beyond_the_end_of_the_file_is_refused() -> None:
    whole = pack({"$array": 0}, [np.arange(1000, dtype=np.int64)])
    with pytest.raises(FormatError):
        loads(whole[:-8], np.ndarray)


def test_an_artefact_of_another_type_is_refused() -> None:
    with pytest.raises(FormatError):
        loads(dumps(_table()), SoftmaxModel)


def test_an_artefact_missing_a_field_is_refused() -> None:
    tree = {"$data": "bot.nlp.lemmas:LemmaTable", "fields": {"lemmas": {"$dict": []}}}
    with pytest.raises(FormatError):
        loads(pack(tree, []), LemmaTable)


def test_sparse_matrices_come_back_sparse() -> None:
    matrix = sparse.csr_matrix(np.array([[0, 1.5], [2.0, 0]], dtype=np.float32))
    found = loads(dumps({"m": matrix, "s": np.float32(2.5)}), dict)
    assert sparse.issparse(found["m"]) and (found["m"] != matrix).nnz == 0
    assert found["s"] == np.float32(2.5) and isinstance(found["s"], np.float32)


def test_files_of_the_pickle_era_are_removed(tmp_path: Path) -> None:
    (tmp_path / "index-0123.pickle").write_bytes(b"old")
    store(tmp_path, "lemmas", "k1", _table())
    assert not list(tmp_path.glob("*.pickle"))


def test_large_word_tables_come_back_exactly() -> None:
    words = {f"mot{i}": f"lemme{i}" for i in range(200)} | {"deux\nlignes": "x"}
    value = {
        "table": words,
        "counts": {f"mot{i}": i for i in range(100)},
        "weights": {f"mot{i}": i / 7 for i in range(100)},
        "set": frozenset(f"mot{i}" for i in range(100)),
        "tuple": tuple(f"mot{i}" for i in range(100)),
    }
    assert loads(dumps(value), dict) == value


def test_a_corrupt_index_in_the_cache_is_rebuilt_and_answers(
    small_data: Path, small_cache: Path
) -> None:
    # Given a small catalog's artefacts, the trained index among them corrupted: only the
    # index is rebuilt, in this process (the lemma table and word lists are read).
    load_bot(small_data, cache_dir=small_cache)
    for path in small_cache.glob("index-*.vmbot"):
        path.write_bytes(b"not an artefact")
    rebuilt = load_bot(small_data, cache_dir=small_cache)
    assert rebuilt.ask("c'est quoi docker").intent == "definition_docker"
    assert rebuilt.index_key is not None
    assert load("index", rebuilt.index_key, Index, small_cache) is not None


def test_the_validated_data_comes_back_from_the_cache_equal(bot: Bot, _cache_dir: Path) -> None:
    stored = load("data", bot.artefacts["data"], LoadedData, _cache_dir)
    corpus, catalog = load_data(ROOT)
    assert stored == LoadedData(corpus=corpus, catalog=catalog)


def test_arrays_read_from_the_cache_are_writable(tmp_path: Path) -> None:
    # Read in place from the file's bytes, yet as free to change as numpy's own.
    store(tmp_path, "model", "k1", _model())
    found = load("model", "k1", SoftmaxModel, tmp_path)
    assert found is not None and found.weights.flags.writeable


def _session_cache_copy(cache: Path, into: Path) -> Path:
    for path in cache.glob("*.vmbot"):
        shutil.copy(path, into / path.name)
    return into


def test_a_warm_start_reads_the_artefacts_a_build_arrives_at(
    bot: Bot, _cache_dir: Path, tmp_path: Path
) -> None:
    # Given the session's artefacts, the start record among them: the artefacts are
    # read by the keys it keeps, and they are the ones a build arrives at.
    warm = load_bot(ROOT, cache_dir=_session_cache_copy(_cache_dir, tmp_path))
    assert list(tmp_path.glob("start-*.vmbot"))
    assert warm.artefacts == bot.artefacts
    assert warm.ask("c'est quoi un hyperviseur").intent == "definition_hyperviseur"


def test_a_start_record_naming_a_lost_artefact_builds_it_again(
    bot: Bot, _cache_dir: Path, tmp_path: Path
) -> None:
    _session_cache_copy(_cache_dir, tmp_path)
    for path in tmp_path.glob("data-*.vmbot"):
        path.unlink()
    again = load_bot(ROOT, cache_dir=tmp_path)
    assert again.ask("c'est quoi docker").intent == "definition_docker"
    assert load("data", again.artefacts["data"], LoadedData, tmp_path) is not None
