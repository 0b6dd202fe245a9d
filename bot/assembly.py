"""Building what the channels serve from the data: the bot and its conversation, with
their trained models cached on disk. All the load-time I/O lives here (data folders,
environment, cache, spaCy); the engine and the dialogue it builds stay pure."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.assistant import Assistant
from bot.domain import LoadedData
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
from bot.nlp.dictionary import (
    CommonWords,
    Dictionaries,
    WordLists,
    build_word_lists,
    word_lists_version,
)
from bot.nlp.lemmas import (
    LemmaTable,
    Parses,
    build_lemma_table,
    model_version,
    parse,
    parser_version,
)

if TYPE_CHECKING:
    # Imported where they are used: a one-shot question loads neither the dialogue
    # nor the YAML reader (a warm start reads the validated data from the cache).
    from bot.dialogue.flow import Conversation
    from bot.dialogue.reading import CriteriaReader

T = TypeVar("T")
__all__ = [
    "BotArtefacts",
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
    shipped = _package_data()
    if (shipped / "intents").is_dir():
        return shipped
    return checkout_root()


def checkout_root() -> Path:
    """The folder above the package: the repository, when vmbot runs from a checkout."""
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True, kw_only=True)
class BotArtefacts:
    """The key of every artefact a bot is built from, kept under the key of all that
    decides them (the data files' bytes, the code, the spaCy model, the word lists, the
    matcher's settings): a warm start reads each artefact by its key at once, without
    walking the validated data to compute the keys again."""

    keys: dict[str, str]


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
    # The matcher's settings weigh words; thresholds and the confidence are no input.
    weighing = (settings or EngineSettings()).matcher
    data_key = _data_key(root)
    start_key = None
    if data_key is not None:
        start_key = cache_key(data_key, model_version(), word_lists_version(), weighing)
        found = _read("start", start_key, BotArtefacts, shipped, directory)
        warm = _warm(found.keys, directory, shipped, settings) if found else None
        if warm is not None:
            return warm
    bot = _built(root, data_key, directory, shipped, settings)
    if start_key is not None:
        bot.artefacts["start"] = start_key
        store(directory, "start", start_key, BotArtefacts(keys=bot.artefacts))
    return bot


def _warm(
    keys: dict[str, str],
    directory: Path | None,
    shipped: Path | None,
    settings: EngineSettings | None,
) -> Bot | None:
    """The bot of these artefacts, if every one of them is there and whole."""

    def read(name: str, kind: type[T]) -> T | None:
        return _read(name, keys.get(name, ""), kind, shipped, directory)

    data = read("data", LoadedData)
    common = read("common-words", CommonWords)
    table = read("lemmas", LemmaTable)
    index = read("index", Index)
    if data is None or common is None or table is None or index is None:
        return None

    def dictionaries() -> Dictionaries:
        # Read when a word must first be judged; rebuilt if it went missing meanwhile.
        found = read("dictionaries", Dictionaries)
        if found is None:
            announce("word-lists")
            found = build_word_lists()[1]
            if "dictionaries" in keys:
                store(directory, "dictionaries", keys["dictionaries"], found)
        return found

    words = WordLists(common=common.common, later=dictionaries)
    bot = Bot(
        corpus=data.corpus,
        catalog=data.catalog,
        table=table,
        words=words,
        index=index,
        settings=settings,
    )
    bot.cache_dir, bot.index_key, bot.artefacts = directory, keys["index"], dict(keys)
    return bot


def _read(name: str, key: str, kind: type[T], *folders: Path | None) -> T | None:
    """The artefact (name, key) from the first folder that holds it whole."""
    for folder in folders:
        found = load(name, key, kind, folder)
        if found is not None:
            return found
    return None


def _built(
    root: Path,
    data_key: str | None,
    directory: Path | None,
    shipped: Path | None,
    settings: EngineSettings | None,
) -> Bot:
    """The bot built step by step, each artefact read from the cache or built."""
    code = code_fingerprint()
    data = _validated_data(root, data_key, directory, shipped)
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
        lambda: _lemma_table(texts, fixes, words, directory),
        directory,
        shipped=shipped,
    )

    def build() -> Index:
        return Bot(
            corpus=corpus, catalog=catalog, table=table, words=words, settings=settings
        ).index

    # Keyed by the whole validated data: a field no one thought of is still in it.
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


def _lemma_table(
    texts: list[str], fixes: dict[str, str], words: WordLists, directory: Path | None
) -> LemmaTable:
    """The lemma table of these texts, spaCy reading only those it has not read before
    (its readings are kept in the cache under the model and the parsing code: a change
    of the data or of the rest of the code reads again only the new texts)."""
    key = cache_key(parser_version())
    known = load("parses", key, Parses, directory)
    parses = parse(texts, known)
    if parses != known:
        store(directory, "parses", key, parses)
    return build_lemma_table(texts, fixes, words.is_word, parses)


def needs_reader(bot: Bot) -> CriteriaReader:
    """The reader of a project's needs over this bot, its model cached beside the index."""
    from bot.dialogue.needs import NeedsModel, train_needs
    from bot.dialogue.reading import CriteriaReader

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
    from bot.dialogue.flow import Conversation, Dialogue

    return Conversation(Dialogue(bot, needs=needs_reader(bot)))


def load_conversation(data_root: Path | None = None) -> Conversation:
    """The bot of `data_root` (or the default data) and its text-only conversation."""
    return conversation_for(load_bot(data_root))


def _data_key(root: Path) -> str | None:
    """The key of the data under `root`: its files' bytes and the code. None when a
    data folder is missing (loading it says which)."""
    if not ((root / "corpus").is_dir() and (root / "intents").is_dir()):
        return None
    files = [f for name in ("corpus", "intents") for f in sorted((root / name).glob("*.yaml"))]
    contents = [(f.relative_to(root).as_posix(), _digest(f)) for f in files]
    return cache_key(code_fingerprint(), contents)


def _validated_data(
    root: Path, key: str | None, directory: Path | None, shipped: Path | None
) -> LoadedData:
    """The data under `root`, validated: read back from the cache when its files hold
    the same bytes (and the code is the same), else parsed and checked."""
    if key is None:
        return _parsed(root)  # DataMissingError names what is missing
    # Half a second of YAML on every start otherwise; quick to redo, so not announced.
    found = _read("data", key, LoadedData, shipped, directory)
    if found is None:
        found = _parsed(root)
        store(directory, "data", key, found)
    return found


def _parsed(root: Path) -> LoadedData:
    from bot.loading import load_data  # the YAML reader: only when the data changed

    corpus, catalog = load_data(root)
    return LoadedData(corpus=corpus, catalog=catalog)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shipped_index_dir() -> Path | None:
    """The index built with the distribution (bot/data/index), if it has one: read only,
    used when its keys match (same data, same code, same model)."""
    shipped = _package_data() / "index"
    return shipped if shipped.is_dir() else None


def _package_data() -> Path:
    """bot/data, where an installed package keeps its data and index. The package's own
    folder, as importlib.resources.files("bot") gives it for an installed (unzipped)
    package, without importing importlib.resources: it brings tempfile, shutil, bz2
    and lzma into every start. vmbot reads its data as files: a zipped install, which
    only importlib.resources could read, would not run anyway."""
    return Path(__file__).resolve().parent / "data"


def prebuild(data_root: Path, out: Path) -> None:
    """Build every artefact of the data under `data_root` into `out`: the index a
    distribution ships (run at build time by setup.py). Artefacts the build machine's
    cache already holds for the same keys are copied, not built again."""
    import shutil

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
    common = _read("common-words", key, CommonWords, shipped, directory)
    found = _read("dictionaries", key, Dictionaries, shipped, directory)
    if common is None or found is None:
        announce("word-lists")
        common, found = build_word_lists()
        store(directory, "common-words", key, common)
        store(directory, "dictionaries", key, found)
    return WordLists(common=common.common, french=found.french, english=found.english), key
