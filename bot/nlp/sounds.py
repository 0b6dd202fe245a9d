"""How a French word sounds, roughly: the key that catches typos made by ear.

People type what they hear: "ipervizeur", "konteneur", "sekurite". Spelling
distance misses these when the first letter differs, so the typo corrector
compares sound keys as well. The rules are a few of French's
letter-to-sound regularities, not a phonetic transcription: enough to make
"hyperviseur" and "ipervizeur" meet, and cheap to apply to every known form.
"""

from __future__ import annotations

import re

__all__ = ["sound_key"]

# Applied in order; the input is folded (lower case, no accents).
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"ch", "C"),  # kept apart from the hard c and from the silent h
        (r"ph", "f"),
        (r"qu|ck|q", "k"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"h", ""),
        (r"y", "i"),
        (r"z", "s"),
        (r"w", "v"),
        (r"eau|au", "o"),
        (r"ai|ei", "e"),
        (r"(.)\1+", r"\1"),
        (r"(?<=.)(e?[sx]|e)$", ""),  # silent endings: plural, mute e
    )
)


def sound_key(word: str) -> str:
    """A folded word's rough French sound, as letters.

    >>> sound_key("hyperviseur") == sound_key("ipervizeur")
    True
    >>> sound_key("conteneurs"), sound_key("konteneur"), sound_key("kubernetes")
    ('konteneur', 'konteneur', 'kubernet')
    """
    for pattern, replacement in _RULES:
        word = pattern.sub(replacement, word)
    return word
