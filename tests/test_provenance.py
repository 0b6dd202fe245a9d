"""Everything the bot states is drawn from the sources: passages and excerpts are verbatim."""

import re
from pathlib import Path

import yaml

from bot.engine import Bot

ROOT = Path(__file__).resolve().parent.parent


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_passage_stands_verbatim_in_its_raw_source() -> None:
    for path in sorted((ROOT / "corpus").glob("*.yaml")):
        document = yaml.safe_load(path.read_text("utf-8"))
        raw = _squash((ROOT / "corpus" / document["source_file"]).read_text("utf-8"))
        raw = raw.replace("• ", "")
        for passage in document["passages"]:
            for part in passage["text"].split("\n"):
                assert _squash(part) in raw, passage["id"]


def test_every_cited_passage_exists_and_every_excerpt_is_verbatim(bot: Bot) -> None:
    for intent in bot.catalog.intents.values():
        for source in bot.sources(intent.id):
            assert source.excerpt in bot.corpus.passages[source.passage].text


def test_every_faq_intent_cites_at_least_one_passage(bot: Bot) -> None:
    faq = [i for i in bot.catalog.intents.values() if i.kind.value == "faq"]
    assert faq and all(bot.sources(i.id) for i in faq)


def test_page_furniture_is_not_in_the_corpus(bot: Bot) -> None:
    text = " ".join(p.text for p in bot.corpus.passages.values())
    for furniture in ("Facebook", "Copyright", "En savoir plus", "créant un compte"):
        assert furniture not in text
