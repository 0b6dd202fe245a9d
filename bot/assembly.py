"""Building what the channels serve from the data: the bot and its conversation, with
their trained models cached on disk. All the load-time I/O lives here (data folders,
environment, cache, spaCy); the engine and the dialogue it builds stay pure."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from bot.dialogue.flow import Conversation
from bot.dialogue.needs import NeedsModel, train_needs
from bot.engine import Bot, EngineSettings, Index
from bot.index_cache import (
    announce,
    cache_key,
    cached,
    code_fingerprint,
    default_cache_dir,
    load,
    store,
    texts_of,
)
from bot.loading import load_catalog, load_corpus
from bot.nlp.dictionary import (
    CommonWords,
    Dictionaries,
    WordLists,
    build_word_lists,
    word_lists_version,
)
from bot.nlp.lemmas import LemmaTable, build_lemma_table, model_version

__all__ = [
    "checkout_root",
    "conversation_for",
    "default_data_root",
    "load_bot",
    "load_conversation",
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
    corpus = load_corpus(root / "corpus")
    catalog = load_catalog(root / "intents", corpus)
    directory = (cache_dir or default_cache_dir()) if use_cache else None
    code = code_fingerprint()
    words = _word_lists(directory)
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
    )

    def build() -> Index:
        return Bot(
            corpus=corpus, catalog=catalog, table=table, words=words, settings=settings
        ).index

    # Keyed by the whole validated data: a field no one thought of is still in it.
    # The matcher's settings weigh words; thresholds and the confidence are no input.
    weighing = (settings or EngineSettings()).matcher
    index_key = cache_key(table_key, catalog, weighing)
    index = cached("index", index_key, Index, build, directory)
    bot = Bot(
        corpus=corpus, catalog=catalog, table=table, words=words, index=index, settings=settings
    )
    bot.cache_dir, bot.index_key = directory, index_key
    return bot


def conversation_for(bot: Bot) -> Conversation:
    """A conversation over this bot, its needs model cached beside the bot's index."""

    def train() -> NeedsModel:
        return train_needs(bot.catalog, bot.analyzer)

    if bot.index_key is None:
        return Conversation(bot)
    model = cached("needs", cache_key(bot.index_key), NeedsModel, train, bot.cache_dir)
    return Conversation(bot, criteria_model=model)


def load_conversation(data_root: Path | None = None) -> Conversation:
    """The bot of `data_root` (or the default data) and its conversation."""
    return conversation_for(load_bot(data_root))


def _word_lists(directory: Path | None) -> WordLists:
    """The common words and the dictionaries, built once together and cached."""
    key = cache_key(code_fingerprint(), word_lists_version())
    common = load("common-words", key, CommonWords, directory)
    found = load("dictionaries", key, Dictionaries, directory)
    if common is None or found is None:
        announce("word-lists")
        common, found = build_word_lists()
        store(directory, "common-words", key, common)
        store(directory, "dictionaries", key, found)
    return WordLists(common=common.common, french=found.french, english=found.english)
