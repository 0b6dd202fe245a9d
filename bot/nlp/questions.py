"""Whether a message asks something: the form of a sentence, whatever its topic.

These are closed grammatical classes (fillers, interrogative openings), not
domain data: they do not change with the intents or the corpus.
"""

from __future__ import annotations

from bot.nlp.text import fold, tokenize

__all__ = ["FILLERS", "asks_something", "without_fillers"]

# Words that open a message without meaning anything ("euh non", "bah oui").
FILLERS = frozenset({"euh", "bah", "ben", "bon", "alors", "hmm", "hum", "mmh", "eh", "ah", "oh"})
# How a question opens when it has no question mark ("ça veut dire quoi microservices").
# Not "quand", "qui" or "quel": "quand même oui", "qui sait", "quelle question !".
_OPENINGS = (
    ("c", "est", "quoi"),
    ("c", "quoi"),
    ("c", "koi"),
    ("ca", "veut", "dire"),
    ("que", "veut", "dire"),
    ("qu", "est", "ce"),
    ("est", "ce", "que"),
    ("a", "quoi"),
    ("comment",),
    ("kesako",),
    ("pourquoi",),
    ("pq",),
    ("combien",),
)


def without_fillers(text: str) -> list[str]:
    """The folded tokens of a message, opening fillers dropped."""
    tokens = tokenize(fold(text))
    while tokens and tokens[0] in FILLERS:
        tokens = tokens[1:]
    return tokens


def asks_something(text: str) -> bool:
    """Whether the message is a question rather than a statement or an answer.

    >>> asks_something("ça veut dire quoi microservices"), asks_something("on a des microservices")
    (True, False)
    >>> asks_something("euh comment ça marche"), asks_something("quand même oui")
    (True, False)
    """
    if "?" in text:
        return True
    tokens = without_fillers(text)
    return any(tuple(tokens[: len(opening)]) == opening for opening in _OPENINGS)
