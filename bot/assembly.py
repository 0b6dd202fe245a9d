"""Building what the channels serve from the data: the bot and its conversation, with
their trained models cached on disk. Load-time I/O, like `Bot.from_paths`; the
dialogue itself stays pure."""

from __future__ import annotations

from pathlib import Path

from bot.dialogue.flow import Conversation
from bot.dialogue.needs import NeedsModel, train_needs
from bot.engine import Bot
from bot.index_cache import cache_key, cached

__all__ = ["conversation_for", "load_conversation"]


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
    return conversation_for(Bot.from_paths(data_root))
