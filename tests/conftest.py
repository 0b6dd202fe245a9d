"""Shared fixtures: one real bot (real spaCy model, real data) for the whole session."""

from __future__ import annotations

import compileall
import copy
import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.assembly import conversation_for, load_bot, needs_reader
from bot.dialogue.flow import Conversation
from bot.engine import Bot
from tests.redis_server import RedisServer, running
from tests.teardowns import Teardowns

ROOT = Path(__file__).resolve().parent.parent


def _index_cache(config: pytest.Config) -> Path:
    """Tests never touch the user's cache: they get one of their own, kept between runs
    in pytest's cache folder (every artefact is checked against its key, like the
    user's: a change of the data or the code rebuilds it)."""
    assert config.cache is not None
    return config.cache.mkdir("vmbot-index")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Build the index once, before any test (and before pytest-xdist starts its
    workers): otherwise each worker, and each vmbot process a test starts on a cold
    cache, would build it at the same time."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the controller has built it
    needs_reader(load_bot(ROOT, cache_dir=_index_cache(session.config)))
    # The vmbot processes tests start read bytecode, as an installed vmbot does: under
    # PYTHONDONTWRITEBYTECODE (.ci/run) each would otherwise compile the package again,
    # a third of its start-up.
    compileall.compile_dir(ROOT / "bot", quiet=1)


# --- Two workers that finish together --------------------------------------------------
# `-n 2 --dist loadfile` runs each file on one worker, handing the next file to whichever
# is free; xdist's order (most tests first) can leave a slow file last, on one worker
# while the other idles. Each run keeps its seconds per file in pytest's cache, and the
# next run hands out the files that took longest first.

_SECONDS_PER_FILE = "vmbot/seconds-per-file"
_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    file = report.nodeid.partition("::")[0]
    _seconds[file] = _seconds.get(file, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    cache = session.config.cache
    if os.environ.get("PYTEST_XDIST_WORKER") or cache is None or not _seconds:
        return  # the controller records what every worker reported
    cache.set(_SECONDS_PER_FILE, cache.get(_SECONDS_PER_FILE, {}) | _seconds)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadfile" or config.cache is None:
        return None  # xdist's own
    from xdist.scheduler import LoadFileScheduling

    seconds: dict[str, float] = config.cache.get(_SECONDS_PER_FILE, {})

    class LongestFirst(LoadFileScheduling):  # type: ignore[misc]
        def _assign_work_unit(self, node: Any) -> None:
            # xdist gives a free worker the first file of its queue: the longest, here.
            longest = max(self.workqueue, key=lambda file: seconds.get(file, 0.0))
            self.workqueue.move_to_end(longest, last=False)
            super()._assign_work_unit(node)

    return LongestFirst(config, log)


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(pytestconfig: pytest.Config) -> Iterator[Path]:
    """The tests' own index cache, for this process and the processes tests start."""
    path = _index_cache(pytestconfig)
    previous = os.environ.get("VMBOT_CACHE_DIR")
    os.environ["VMBOT_CACHE_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("VMBOT_CACHE_DIR", None)
    else:
        os.environ["VMBOT_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def bot(_cache_dir: Path) -> Bot:
    return load_bot(ROOT, cache_dir=_cache_dir)


@pytest.fixture(scope="session")
def small_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data with the fewest examples each intent may have: its index trains in a
    tenth of a second where the real one takes seconds."""
    root = tmp_path_factory.mktemp("small-data")
    for name in ("intents", "corpus"):
        shutil.copytree(ROOT / name, root / name)
    for path in (root / "intents").glob("*.yaml"):
        text = path.read_text("utf-8")
        if text.startswith("intents:"):  # the files of intents (the others: long, and kept)
            data = yaml.load(text, Loader=yaml.CSafeLoader)
            fewest = 20 if path.name == "hors_sujet.yaml" else 10
            for intent in data["intents"]:
                del intent["examples"][fewest:]
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return root


def _seeded(cache: Path, folder: Path) -> Path:
    """`folder`, holding spaCy's readings and the word lists of `cache`: a bot of
    `small_data` (whose texts spaCy has all read) builds there without spaCy."""
    for name in ("parses", "common-words", "dictionaries"):
        for path in cache.glob(f"{name}-*.vmbot"):
            shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def small_cache(_cache_dir: Path, tmp_path: Path) -> Path:
    """A cache of the test's own, where a bot of `small_data` builds in a second."""
    return _seeded(_cache_dir, tmp_path)


@pytest.fixture(scope="session")
def small_bot(small_data: Path, _cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Bot:
    """The bot of `small_data`, for tests that train it again (cross-validation)."""
    return load_bot(small_data, cache_dir=_seeded(_cache_dir, tmp_path_factory.mktemp("small")))


@pytest.fixture(scope="session")
def hesitant_bot(bot: Bot) -> Bot:
    """The same bot, never sure enough to answer: every question gets a clarifying one."""
    hesitant = copy.copy(bot)
    hesitant.settings = replace(bot.settings, threshold=0.999, clarify_threshold=0.0)
    return hesitant


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of intents/ and corpus/, for tests that break the data."""
    for name in ("intents", "corpus"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


@pytest.fixture(scope="session")
def conversation(bot: Bot) -> Conversation:
    """The real bot's conversation (building it also warms the cache that the processes
    the Slack tests start will read)."""
    return conversation_for(bot)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the session; tests keep apart by key prefix."""
    with running(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A real redis-server of the test's own, which it may stop and start."""
    with running(tmp_path) as server:
        yield server


@pytest.fixture(scope="session")
def teardowns() -> Iterator[Teardowns]:
    """Teardowns in the background, all finished (or raising) when the session ends."""
    pending = Teardowns()
    yield pending
    pending.finish()
