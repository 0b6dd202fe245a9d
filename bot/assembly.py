"""Building what the channels serve from the data: the bot and its conversation, with
their trained models cached on disk. All the load-time I/O lives here (data folders,
environment, cache, spaCy); the engine and the dialogue it builds stay pure."""

from __future__ import annotations

import hashlib
import os
import shutil
from importlib import resources
from pathlib import Path

from bot.assistant import Assistant
from bot.dialogue.flow import Conversation, Dialogue
from bot.dialogue.needs import NeedsModel, train_needs
from bot.dialogue.reading import CriteriaReader
from bot.engine import Bot, EngineSettings, Index
from bot.index_cache import (
    announce,
    artefact_path,
    cache_key,
    cached,
    code_fingerprint,
    default_cache_dir,
    load,
    store,
    texts_of,
)
from bot.loading import LoadedData, data_files_of, load_data
from bot.nlp.dictionary import (
    CommonWords,
    Dictionaries,
    WordLists,
    build_word_lists,
    word_lists_version,
)
from bot.nlp.lemmas import LemmaTable, build_lemma_table, model_version

__all__ = [
    "assistant_for",
    "checkout_root",
    "conversation_for",
    "default_data_root",
    "load_assistant",
    "load_bot",
    "load_conversation",
    "needs_reader",
    "prebuild",
    "shipped_index_dir",
]


def default_data_root() -> Path:
    """`$VMBOT_DATA`, else the data installed with the package (bot/data), else the
    checkout this package lives in (holding intents/ and corpus/)."""
    configured = os.environ.get("VMBOT_DATA")
    if configured:
        return Path(configured)
    shipped = resources.files("bot").joinpath("data")
    if isinstance(shipped, Path) and (shipped / "intents").is_dir():
        return shipped
    return checkout_root()


def checkout_root() -> Path:
    """The folder above the package: the repository, when vmbot runs from a checkout."""
    return Path(__file__).resolve().parent.parent


def load_bot(
    data_root: Path | None = None,
    *,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    settings: EngineSettings | None = None,
) -> Bot:
    """The bot of corpus/ and intents/ under `data_root` (default: `default_data_root()`),
    its index read from the cache or built; raise DataError or NlpModelError."""
    root = data_root or default_data_root()
    directory = (cache_dir or default_cache_dir()) if use_cache else None
    shipped = shipped_index_dir() if use_cache else None
    code = code_fingerprint()
    data, data_key = _validated_data(root, code, directory, shipped)
    corpus, catalog = data.corpus, data.catalog
    words, words_key = _word_lists(directory, shipped)
    # Every text the analyzer will see, so that each word has its real lemma.
    texts = texts_of((corpus, catalog))
    fixes = catalog.lexicon.lemma_fixes
    table_key = cache_key(code, model_version(), word_lists_version(), texts, fixes)
    table = cached(
        "lemmas",
        table_key,
        LemmaTable,
        lambda: build_lemma_table(texts, fixes, words.is_word),
        directory,
        shipped=shipped,
    )

    def build() -> Index:
        return Bot(
            corpus=corpus, catalog=catalog, table=table, words=words, settings=settings
        ).index

    # Keyed by the whole validated data: a field no one thought of is still in it.
    # The matcher's settings weigh words; thresholds and the confidence are no input.
    weighing = (settings or EngineSettings()).matcher
    index_key = cache_key(table_key, catalog, weighing)
    index = cached("index", index_key, Index, build, directory, shipped=shipped)
    bot = Bot(
        corpus=corpus, catalog=catalog, table=table, words=words, index=index, settings=settings
    )
    bot.cache_dir, bot.index_key = directory, index_key
    bot.artefacts = {
        **({"data": data_key} if data_key is not None else {}),
        "common-words": words_key,
        "dictionaries": words_key,
        "lemmas": table_key,
        "index": index_key,
        "needs": cache_key(index_key),
    }
    return bot


def needs_reader(bot: Bot) -> CriteriaReader:
    """The reader of a project's needs over this bot, its model cached beside the index."""

    def train() -> NeedsModel:
        return train_needs(bot.catalog, bot.analyzer)

    if bot.index_key is None:
        model = train()
    else:
        key = bot.artefacts["needs"]
        model = cached("needs", key, NeedsModel, train, bot.cache_dir, shipped=shipped_index_dir())
    criteria = list(bot.catalog.criteria.values())
    return CriteriaReader(criteria, bot.analyzer, bot.forms, model=model)


def assistant_for(bot: Bot) -> Assistant:
    """The facade over this bot; its conversation's needs model is loaded at first use."""
    return Assistant(bot, needs=lambda: needs_reader(bot))


def load_assistant(data_root: Path | None = None) -> Assistant:
    """The facade over the bot of `data_root` (or the default data)."""
    return assistant_for(load_bot(data_root))


def conversation_for(bot: Bot) -> Conversation:
    """Text-only conversation steps over this bot, for Slack until it types its inputs."""
    return Conversation(Dialogue(bot, needs=needs_reader(bot)))


def load_conversation(data_root: Path | None = None) -> Conversation:
    """The bot of `data_root` (or the default data) and its text-only conversation."""
    return conversation_for(load_bot(data_root))


def _validated_data(
    root: Path, code: str, directory: Path | None, shipped: Path | None
) -> tuple[LoadedData, str | None]:
    """The data under `root`, validated, and its key: read back from the cache when its
    files hold the same bytes (and the code is the same), else parsed and checked."""
    if not ((root / "corpus").is_dir() and (root / "intents").is_dir()):
        return _parsed(root), None  # DataMissingError names what is missing
    files = data_files_of(root)
    contents = [(f.relative_to(root).as_posix(), _digest(f)) for f in files]
    key = cache_key(code, contents)
    # Half a second of YAML on every start otherwise; quick to redo, so not announced.
    found = load("data", key, LoadedData, shipped) or load("data", key, LoadedData, directory)
    if found is None:
        found = _parsed(root)
        store(directory, "data", key, found)
    return found, key


def _parsed(root: Path) -> LoadedData:
    corpus, catalog = load_data(root)
    return LoadedData(corpus=corpus, catalog=catalog)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shipped_index_dir() -> Path | None:
    """The index built with the distribution (bot/data/index), if it has one: read only,
    used when its keys match (same data, same code, same model)."""
    shipped = resources.files("bot").joinpath("data", "index")
    return shipped if isinstance(shipped, Path) and shipped.is_dir() else None


def prebuild(data_root: Path, out: Path) -> None:
    """Build every artefact of the data under `data_root` into `out`: the index a
    distribution ships (run at build time by setup.py). Artefacts the build machine's
    cache already holds for the same keys are copied, not built again."""
    bot = load_bot(data_root)
    needs_reader(bot)
    out.mkdir(parents=True, exist_ok=True)
    for name, key in bot.artefacts.items():
        found = artefact_path(bot.cache_dir, name, key)
        if found is None or not found.is_file():
            break  # an unwritable cache: build them where they go
        shutil.copyfile(found, out / found.name)
    else:
        return
    needs_reader(load_bot(data_root, cache_dir=out))


def _word_lists(directory: Path | None, shipped: Path | None) -> tuple[WordLists, str]:
    """The common words and the dictionaries, built once together and cached."""
    key = cache_key(code_fingerprint(), word_lists_version())
    common = load("common-words", key, CommonWords, shipped) or load(
        "common-words", key, CommonWords, directory
    )
    found = load("dictionaries", key, Dictionaries, shipped) or load(
        "dictionaries", key, Dictionaries, directory
    )
    if common is None or found is None:
        announce("word-lists")
        common, found = build_word_lists()
        store(directory, "common-words", key, common)
        store(directory, "dictionaries", key, found)
    return WordLists(common=common.common, french=found.french, english=found.english), key
