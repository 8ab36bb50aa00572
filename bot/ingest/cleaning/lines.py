"""Per-line features and the verdict on each line: prose, furniture, or undecided."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from bot.ingest.cleaning.boilerplate import (
    CAPTION,
    COMMENTS,
    COPYRIGHT,
    CTA,
    END_MARKER,
    IMPERATIVE,
    LEGAL_FOOTER,
    MORE_ELSEWHERE,
    PRICE,
    QUOTED,
    RIGHTS_RESERVED,
    SECOND_PERSON,
    TOPIC,
    WIDGET,
    template_field,
)
from bot.ingest.cleaning.stopwords import count_words, words_of

# Scripts written without spaces: a "word" there is about two characters.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_BULLET = re.compile(r"^(?:[*+•·▪►»\-–—o]|\d{1,2}[.)])(?:\s+|$)")
# Sentence-final punctuation, allowing closing quotes/brackets after it.
_TERMINAL = re.compile(r"[.!?。！？…:;]['\"”’»)\]」』]*$")
_INNER_PUNCT = re.compile(r"[,;:，、。]\s?")
_DIGIT = re.compile(r"\d")
_ROW_SEPARATOR = re.compile(r"\S(?: [-–—@|] | -- |: |\t| {2,}|, )\S")
_WORDS = re.compile(r"[^\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")
_LINK = re.compile(r"https?://|www\.", re.I)
_DOT_WORD = re.compile(r"\.\w")
_LONG_ITEM = 20  # words: a list item this long that ends a sentence may be prose
# Lines shorter than these (in words) may be calls to action, or furniture by topic.
_CTA_MAX = 30
_TOPIC_MAX = 25
# Every cue above judges lines of under 40 words. One that long in characters averages
# 25+ characters a word: a token of minified code, base64 or a hash, not prose. It is
# decided without the cues, which would scan it at every position.
_CUE_MAX_WORDS = 40
_ABSURD_CHARS = 1000


class Kind(IntEnum):
    STOP = 0  # the comments start here: nothing after is article
    WALL = 1  # the site's legal footer: the article doesn't run across it
    END = 2  # a list of other stories or an author box starts here
    FURNITURE = 3
    UNDECIDED = 4
    PROSE = 5


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    size: float  # length in words (unspaced scripts: characters / 2)
    kind: Kind
    wordy: float = 1.0  # share of tokens that are words, not numbers
    item: bool = False  # a list item (bullet or number)
    row: bool = False  # short, with a field separator: maybe a row of data
    digits: bool = False
    caption: bool = False  # a photo caption or credit: sits inside articles, costs little


def _unspaced_share(text: str) -> float:
    letters = len(_LETTER.findall(text))
    return len(_UNSPACED.findall(text)) / letters if letters else 0.0


def size_of(text: str) -> float:
    # Counted, not collected: no word is casefolded, and a text without unspaced script
    # (any ASCII text, known without a scan) is not rewritten first.
    if text.isascii():
        return float(count_words(text))
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return float(count_words(text))
    return count_words(_UNSPACED.sub(" ", text)) + unspaced / 2


def _has_email(text: str) -> bool:
    """An e-mail address (`\\S+@\\S+\\.\\w+`) in one pass; the regex rescans a spaceless line."""
    for token in text.split():
        at = token.find("@", 1)
        if at > 0 and _DOT_WORD.search(token, at + 2):
            return True
    return False


def _has_contact(text: str) -> bool:
    return bool(_LINK.search(text)) or _has_email(text)


def absurd(text: str, size: float) -> bool:
    """Too few words for its length to be prose (see `_ABSURD_CHARS`)."""
    return size < _CUE_MAX_WORDS and len(text) > _ABSURD_CHARS


def _is_row(text: str, size: float) -> bool:
    return 2 <= size <= 25 and bool(_ROW_SEPARATOR.search(text))


def _title_case(text: str) -> bool:
    """Headline Style: most words of four letters or more are capitalised."""
    long_words = [w for w in _WORDS.findall(text) if len(w) >= 4]
    if len(long_words) < 2:
        return False
    return sum(w[0].isupper() for w in long_words) >= 0.7 * len(long_words)


def judge(text: str, stopwords: frozenset[str], repeated: bool) -> Line:
    """Classify one stripped, non-empty line."""
    size = size_of(text)
    if _unspaced_share(text) > 0.5:
        # Stop-word lists cover spaced scripts only; a Japanese line can't be judged by one.
        stopwords = frozenset()
    bullet = bool(_BULLET.match(text))
    body = _BULLET.sub("", text) if bullet else text
    terminal = bool(_TERMINAL.search(body))
    words = words_of(body)
    wordy = sum(not w.isdigit() for w in words) / len(words) if words else 0.0
    stop = sum(w in stopwords for w in words) / len(words) if words and stopwords else 0.0
    # Comma lists of keywords are not prose; in a language we know, prose has stop words.
    enough_stop = stop >= 0.1 or not stopwords
    prose_like = terminal or (
        not _title_case(body)
        and (stop >= 0.25 or (len(_INNER_PUNCT.findall(body)) >= 2 and enough_stop))
    )

    def verdict(kind: Kind, caption: bool = False) -> Line:
        return Line(
            text,
            size,
            kind,
            wordy=wordy,
            item=bullet,
            row=_is_row(body, size),
            digits=bool(_DIGIT.search(body)),
            caption=caption,
        )

    if absurd(text, size):
        return verdict(Kind.FURNITURE)
    if size < 12 and not bullet and COMMENTS.search(body):
        return verdict(Kind.STOP)
    if size < 25 and RIGHTS_RESERVED.search(body):
        return verdict(Kind.WALL)
    if (size < 10 and (END_MARKER.search(body) or MORE_ELSEWHERE.search(body))) or (
        size < 25 and LEGAL_FOOTER.search(body)
    ):
        return verdict(Kind.END)
    short_sentence = _reads_as_sentence(body, size, terminal, stop, stopwords)
    if (size < 25 and template_field(text)) or not _LETTER.search(text):
        return verdict(Kind.FURNITURE)
    # "$15.49 a month." in a story is a sentence; "$4.99/month" in a plan table is not.
    if size < 25 and (COPYRIGHT.search(text) or (PRICE.search(body) and not short_sentence)):
        return verdict(Kind.FURNITURE)
    if call_to_action(body, size, short_sentence):
        return verdict(Kind.FURNITURE)
    if size < 20 and not short_sentence and WIDGET.search(body):
        return verdict(Kind.FURNITURE)
    if size < 40 and CAPTION.search(body):
        return verdict(Kind.FURNITURE, caption=True)
    if (size < 12 and _has_contact(body)) or (size < 30 and _has_email(body)):
        return verdict(Kind.FURNITURE)
    if repeated and size < 20:
        return verdict(Kind.UNDECIDED)
    if bullet and not (size >= _LONG_ITEM and terminal):
        # List items: menus and teaser lists far more often than article text.
        return verdict(Kind.UNDECIDED)
    if (size >= 15 and prose_like) or short_sentence:
        return verdict(Kind.PROSE)
    return verdict(Kind.UNDECIDED)


def call_to_action(body: str, size: float, sentence: bool) -> bool:
    """A prompt to subscribe, log in, sign up, donate or accept cookies.

    Phrase-level cues count in any short line. Topic words ("subscribers", "cookies",
    "log in") count only in lines that are not sentences, or that address the reader
    outside quotation marks: "She baked cookies for the engineers." is the story.
    """
    if size >= _CTA_MAX:
        return False
    if CTA.search(body):
        return True
    if size >= _TOPIC_MAX or not TOPIC.search(body):
        return False
    if not sentence or IMPERATIVE.search(body):
        return True
    return bool(SECOND_PERSON.search(body) and not QUOTED.search(body))


def _reads_as_sentence(
    body: str, size: float, terminal: bool, stop_share: float, stopwords: frozenset[str]
) -> bool:
    """A short declarative sentence: ends like one, has stop words, isn't Headline Style."""
    return (
        size >= 4 and terminal and (stop_share >= 0.15 or not stopwords) and not (_title_case(body))
    )


def is_sentence(body: str, size: float, stopwords: frozenset[str]) -> bool:
    """`judge`'s short-sentence test, for a line judged on its own."""
    if _unspaced_share(body) > 0.5:
        stopwords = frozenset()  # as in `judge`: no stop-word list fits unspaced scripts
    words = words_of(body)
    share = sum(w in stopwords for w in words) / len(words) if words and stopwords else 0.0
    return _reads_as_sentence(body, size, bool(_TERMINAL.search(body)), share, stopwords)


def is_furniture(text: str, stopwords: Callable[[], frozenset[str]]) -> bool:
    """Furniture by the surest cues only: for text an HTML extractor already chose.

    `stopwords` gives the page's stop-word list; it is called only when a line needs it.
    """
    size = size_of(text)
    if absurd(text, size):
        return True
    if size < 25 and template_field(text):
        return True
    if size < 15 and (COPYRIGHT.search(text) or RIGHTS_RESERVED.search(text)):
        return True
    if size >= _CTA_MAX or not (CTA.search(text) or TOPIC.search(text)):
        return False
    return call_to_action(text, size, is_sentence(text, size, stopwords()))
