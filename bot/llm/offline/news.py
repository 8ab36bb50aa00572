"""News-page furniture that is not article prose: bylines, timestamps, credits, prompts.

Cleaning upstream removes most page chrome; these are the bits that survive inside the
text because they look like short sentences ("By . Jane Doe .", "PUBLISHED: 10:02 EST").
"""

from __future__ import annotations

import re

from bot.llm.sentences import count_words

_NAME = r"(?:[A-Z][\w'’.-]*\s*){1,4}"
_BYLINE = re.compile(rf"^\W*(?:By|BY)\s*\.?\s*{_NAME}(?:(?:and|,)\s*{_NAME})?\.?\s*(?:\||$)")
_FURNITURE = re.compile(
    r"""^\W*(?:
        (?:published|updated|last\ updated|posted|modified)\s*(?::|(?:at|on)\s+\d)  # timestamps
      | (?:photo|picture|image|video|graphic|source)s?\s*(?:credit)?\s*:      # credits
      | (?:scroll\ down|click\ here|read\ more|follow\ us|share\ this|sign\ up\ for)
      | (?:related(?:\ articles|\ stories|\ coverage)?|see\ also)\s*:
      | (?:advertisement|sponsored)\W*$
      | (?:copyright|©)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_CLOCK = re.compile(r"^\W*\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?|[A-Z]{2,4})?\b", re.IGNORECASE)
_MAX_FURNITURE_WORDS = 25  # longer than this it is prose that happens to start alike
# "LONDON (Reuters) -", "WASHINGTON —", "(CNN)": a dateline before the first sentence.
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .,'-]{1,40}\s*)?\((?:[A-Z][\w .&-]{0,30})\)\s*(?:[-—–]+\s*)?"
    r"|^[A-Z][A-Z .,'-]{2,40}\s*[-—–]+\s+"
)


def is_chrome(sentence: str) -> bool:
    """True for bylines, timestamps, credits and calls to action."""
    return count_words(sentence) <= _MAX_FURNITURE_WORDS and bool(
        _BYLINE.match(sentence) or _FURNITURE.match(sentence) or _CLOCK.match(sentence)
    )


def is_furniture(sentence: str) -> bool:
    """Page chrome, or a fragment: "| ." or "12 March ." has nothing that reads as a clause."""
    if is_chrome(sentence):
        return True
    return count_words(sentence) < 3 and not sentence.rstrip().endswith(("!", "?"))


def strip_dateline(sentence: str) -> str:
    """The sentence without a leading dateline; unchanged if none (or nothing would remain)."""
    match = _DATELINE.match(sentence)
    rest = sentence[match.end() :].lstrip() if match else sentence
    return rest if count_words(rest) >= 3 else sentence
