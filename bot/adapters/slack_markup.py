"""Slack's message markup turned back into what the user typed.

Slack sends "c'est quoi <https://www.docker.com|docker> ?" for a link, "<@U0123>" for a
mention, "*gras*" for bold: left as is, the bot reads URLs and ids instead of words.
"""

from __future__ import annotations

import re

__all__ = ["plain_text"]

# <target|label> or <target>: links, mentions of users, channels and groups, specials.
_ANGLE = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
# *gras*, _italique_, ~barré~, `code`: only around words, so that "fr_core_news" or
# "2*3" keep their signs.
_EMPHASIS = re.compile(r"(?<![\w*_~`])([*_~`])(?=\S)(.+?)(?<=\S)\1(?![\w*_~`])")
_CODE_BLOCK = re.compile(r"```(.*?)```", re.DOTALL)


def plain_text(text: str) -> str:
    """The message as typed: mentions of people (the bot's own too) dropped, links shown
    by their label, channels by their name, emphasis and code marks removed, escaping
    undone.

    >>> plain_text("<@UBOT> c'est quoi <https://www.docker.com|docker> ?")
    "c'est quoi docker ?"
    >>> plain_text("*vraiment* sûr ? demande <@U42> sur <#C1|infra> &amp; <!here>")
    'vraiment sûr ? demande sur #infra &'
    """

    def angle(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return ""  # a person (the bot included): no word of the question
        if target.startswith("#"):
            return f"#{label}" if label else ""
        if target.startswith("!"):
            return label or ""  # <!here>, <!subteam^ID|@equipe-infra>
        return label or target  # a link: its label, or the address itself

    text = _CODE_BLOCK.sub(lambda m: m.group(1), text)
    text = _ANGLE.sub(angle, text)
    text = _EMPHASIS.sub(lambda m: m.group(2), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())
