"""Is this input an article? If not, what is it: a sign-in form, a cookie wall, a shop...

Pure: the cleaned paragraphs (and, when they leave it open, what else the page showed) in,
a `Verdict` (a kind and the reasons) out. No I/O.

The first question is what the cleaned text is: running prose (sentences of several words
with the stop words every language's prose has, from jusText's lists), a list of prices, a
cookie notice, or headlines. A text with some prose is an article, whatever the page's menus
and banners say: real news briefs run to 60 words. Only a text with almost no prose is
looked at further, for what the page is instead: its title, headings and short lines ("page
not found", "sign in", "subscribe to continue" in many languages, `bot.ingest.page_cues`),
a password field, prices down the page. A few words alone are not an article either.
One cue decides over some prose: a short text (a 404 page's apology and advice) under a title
that says "page not found".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.ingest.cleaning.lines import size_of as count_words
from bot.ingest.cleaning.stopwords import best_stoplist, words_of
from bot.ingest.page_cues import (
    CONSENT,
    CONSENT_NOTICE,
    COOKIE,
    LOGIN,
    NOT_FOUND,
    PASSWORD,
    PAYWALL,
    PRICE,
    matches,
)
from bot.ingest.scripts import CJK_RANGES, THAI_RANGES
from bot.text.clip import clipped


class Kind(StrEnum):
    ARTICLE = "article"
    TOO_SHORT = "too_short"  # a few words ("hello", "asdf"): nothing to summarize
    NOT_FOUND = "not_found"
    LOGIN = "login"
    COOKIE_WALL = "cookie_wall"
    PAYWALL = "paywall"
    PRODUCT_LIST = "product_list"
    LINK_LIST = "link_list"  # a home or section page: headlines that lead elsewhere
    CODE_OR_DATA = "code_or_data"  # source code, a config, a CSV, a log: lines, not prose


@dataclass(frozen=True, slots=True)
class PageText:
    """What a page showed besides the article text: everything is optional.

    lines: the whole input's text, line by line, before cleaning (a paste as typed, a web
    page's visible text): the prompts and buttons the cleaner drops are here.
    link_texts: every link's text, `text_key`-normalized (web pages only).
    """

    lines: tuple[str, ...] = ()
    title: str | None = None
    # Every other title the page gives itself (<title>, og:title) when `title` is the
    # extractor's choice: a 404 page's <h1> may apologize while only its <title> says 404.
    titles: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    link_texts: frozenset[str] = frozenset()
    password_fields: int = 0


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: Kind
    reasons: tuple[str, ...] = ()  # plain words, for logs and benchmarks

    @property
    def is_article(self) -> bool:
        return self.kind is Kind.ARTICLE


# Fewer words than this is "a few words": no note, headline or message worth summarizing.
# A tweet-length note (20-50 words) is summarized.
MIN_WORDS = 12
# Under this much prose, a text is not known to be an article by its prose alone: the page
# around it decides. The shortest article of the extraction benchmark's 181 comes out of
# cleaning with 24 words of prose in 3 sentences (a page of sports scores), the next with
# 26 in 2: the cues that decide below are specific enough for those (bench/README.md).
LITTLE_PROSE_WORDS = 40
LITTLE_PROSE_SENTENCES = 2
# A "page not found" page may say so only in its title, above a few sentences of apology
# and advice (60-100 words): under this many words of text, a title that says so decides.
# Articles are longer, and their titles don't say it (bench/README.md).
NOT_FOUND_TEXT_WORDS = 120
# A sentence of prose: at least this many words, and stop words if the language has a list.
_SENTENCE_WORDS = 5
_MIN_STOP_SHARE = 0.1
# A line this short (in words) is a button, a label, a headline or a price tag.
_SHORT_LINE = 12
# Cues are looked for in lines up to this long (prompts are short; a story's sentences that
# mention cookies or passwords are not cues) and in this many lines (a hostile page's
# millionth line says nothing new).
_CUE_LINE_WORDS = 40
_CUE_LINE_CHARS = 400
_MAX_LINES = 2_000
# A paywall prompt or a shop's price tags sit this close to the text (in lines).
_BEFORE_TEXT = 5
_AFTER_TEXT = 15
# A shop: this many price tags (short lines with a price, at most this many characters),
# and more of them than sentences of prose.
_MIN_PRICE_LINES = 5
_PRICE_LINE_CHARS = 120
# A cookie wall: this share of the text is a consent notice.
_CONSENT_SHARE = 0.4
# A list of links: this share of the text is link text or a teaser under a link, over at
# least this many paragraphs; for a paste (no links known), this many paragraphs and no prose.
_LINK_SHARE = 0.5
_MIN_LINKED = 4
_MIN_LABELS = 8

# A language is told from this much of the text.
_LANGUAGE_SAMPLE = 2_000
# A headline or a one-sentence teaser is shorter than this (in characters).
_TEASER_CHARS = 300
# A link to another story says at least this many words (not "More", not a bare URL).
_HEADLINE_WORDS = 3
_URL = re.compile(r"://|www\.")

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+|(?<=[。！？])")
_TERMINAL = re.compile(r"[.!?…。！？:]['\"”’»)\]」』]*$")
_SPACES = re.compile(r"\s+")

PageSource = PageText | Callable[[], PageText] | None

# Code or data: a line of program syntax (a definition, an assignment, a call, a brace), or
# a short line of several fields (CSV, a log, /etc/passwd). Articles pasted whole, menus and
# all, have at most a few percent of such lines; source files, configs and logs most.
_CODE_LINE = re.compile(
    r"^\s*(?:def |class |import |from \S+ import|return\b|(?:if|for|while) .*:$|var |let |"
    r"const |function\b|#include|public |private |[{}]|//|/\*|\*/|<\?|"
    r"[A-Za-z_][\w.]*\s*(?:=|\+=|:=)\s*\S|[A-Za-z_][\w.]*\(.*\)\s*;?$|"
    # Python's other block lines, decorators, a call's closing bracket, a docstring's quotes
    r"(?:try|else|finally):$|(?:elif|except|with|async) .*:$|raise\b|"
    r"@[A-Za-z_][\w.]*(?:\(.*\))?$|"  # a decorator line; "@jack said …" is prose
    r"[)\]]+[,:;]?$|\"\"\"|"
    # a log line: an ISO date and a time to the second or a level ("2026-12-08 00:12:11 …",
    # "[2026-12-08T00:12Z] ERROR …"); a chat's "[2026-12-08 09:02] alice: …" is prose
    r"\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d|\S*\s+\[?(?i:trace|debug|info|notice|warn|"
    r"warning|error|err|critical|crit|fatal|severe)\b)|"
    # a setting: a key, a colon or tab, one value ("VmRSS:\t 1234 kB", "port: 8080", "debug:
    # true"); not "Alice: sounds good", a line of a chat, nor "A: No.", an interview's
    r"[\w.()/-]+:\t|[\w.-]+:\s+(?:\S+|\S*\d\S*\s+\S+)(?<![.!?])$)"
)
_FIELD_SEPARATOR = re.compile(r"[,;:|\t]")
_SPACELESS_CHAR = re.compile(f"[{CJK_RANGES}{THAI_RANGES}]")
_DATA_LINE_WORDS = 6
CODE_SHARE = 0.6  # of the lines (and at least _MIN_CODE_LINES of them)
_MIN_CODE_LINES = 8
_CODE_SAMPLE = 20_000  # characters: the start of a file says what it is


def text_key(text: str) -> str:
    """A line's text, compared blind to case and spacing."""
    return _SPACES.sub(" ", text).strip().casefold()


def page_kind(paragraphs: Sequence[str], page: PageSource = None) -> Verdict:
    """What the input whose cleaned text is `paragraphs` is, and why.

    `page` is what else it showed, or a function that works it out: it is called only when
    the paragraphs leave the question open (most articles never need it).
    """
    paragraphs = [p for p in paragraphs if p.strip()]
    text = "\n".join(paragraphs)
    lowered = text.lower()
    priced = _priced(paragraphs)
    # Counted only as far as the questions below need (a long article stops early), and
    # without stop words first: a text with twice the prose needed is not close to a call.
    enough = max(priced + 1, LITTLE_PROSE_SENTENCES)
    prose = _Prose.of(paragraphs, frozenset(), 2 * enough, 2 * LITTLE_PROSE_WORDS)
    if not prose.capped:
        stopwords = best_stoplist(text[:_LANGUAGE_SAMPLE])
        prose = _Prose.of(paragraphs, stopwords, enough, LITTLE_PROSE_WORDS)
    amount = f"{prose.words:.0f}{'+' if prose.capped else ''} words of prose"

    if priced >= _MIN_PRICE_LINES and priced > prose.sentences:
        return Verdict(Kind.PRODUCT_LIST, (f"{priced} lines with prices", amount))
    consent = _consent_share(paragraphs, text) if CONSENT_NOTICE.may_match(lowered) else 0.0
    if consent >= _CONSENT_SHARE:
        return Verdict(Kind.COOKIE_WALL, (f"{consent:.0%} of the text is a cookie notice",))
    little = prose.words < LITTLE_PROSE_WORDS or prose.sentences < LITTLE_PROSE_SENTENCES
    seen: PageText | None = None
    if not little and _short_text(text):
        seen = _resolve(page)
        titled = _says_not_found(_titles(seen))
        if titled:
            return Verdict(Kind.NOT_FOUND, (f"its title says “{_clip(titled)}”", amount))
    if not little and not _listy(paragraphs):
        return Verdict(Kind.ARTICLE, (amount,))

    seen = seen or _resolve(page)
    listed = _link_list(paragraphs, seen, prose)
    if listed:
        return Verdict(Kind.LINK_LIST, (listed, amount))
    if not little:
        return Verdict(Kind.ARTICLE, (amount,))
    why = _what_else(paragraphs, seen, prose)
    if why:
        return Verdict(why[0], (why[1], amount))
    # With no text left after cleaning, the input's own words: "asdf" is a few words, a
    # page of menus isn't (it is just not an article, which ingest already says).
    words = count_words(text) if paragraphs else sum(count_words(t) for t in seen.lines)
    if words < MIN_WORDS:
        return Verdict(Kind.TOO_SHORT, (f"{words:.0f} words",))
    return Verdict(Kind.ARTICLE, (amount,))


def _spaced_words(line: str) -> float:
    """Words between spaces, a run of unspaced script counting two characters a word (a line
    of Chinese prose is long, not one word; "01.03.2026;Nordhafen;2,4" is one)."""
    if line.isascii():
        return len(line.split())
    unspaced = len(_SPACELESS_CHAR.findall(line))
    return len(_SPACELESS_CHAR.sub(" ", line).split()) + unspaced / 2


def code_or_data(text: str) -> Verdict | None:
    """For pasted text (or a text file): a verdict when most of its lines are code or data,
    which the cleaner would otherwise pare down to its comments and summarize."""
    lines = [line for line in text[:_CODE_SAMPLE].splitlines() if line.strip()]
    if len(lines) < _MIN_CODE_LINES:
        return None
    coded = sum(
        1
        for line in lines
        if _CODE_LINE.search(line)
        or (len(_FIELD_SEPARATOR.findall(line)) >= 3 and _spaced_words(line) <= _DATA_LINE_WORDS)
    )
    share = coded / len(lines)
    if share < CODE_SHARE:
        return None
    return Verdict(Kind.CODE_OR_DATA, (f"{share:.0%} of its lines are code or data",))


def text_page(text: str) -> PageText:
    """A paste (or a PDF's text): its lines as typed; its first line is its title when it is
    short enough for one (the cleaner may have dropped it: "Page not found" is no prose)."""
    lines = tuple(line.strip() for line in text.splitlines()[:_MAX_LINES] if line.strip())
    first = lines[0] if lines else ""
    title = first if first and count_words(first) <= _SHORT_LINE else None
    return PageText(lines=lines, title=title)


# --- what the text is -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Prose:
    words: float  # unspaced scripts count two characters a word
    sentences: int
    capped: bool = False  # counting stopped once there was enough

    @classmethod
    def of(
        cls, paragraphs: Sequence[str], stopwords: frozenset[str], enough: int, enough_words: int
    ) -> _Prose:
        """Sentences of several words, with the language's stop words (if it has a list),
        counted until there are `enough` of them and `enough_words` words."""
        words = 0.0
        sentences = 0
        for paragraph in paragraphs:
            if sentences >= enough and words >= enough_words:
                return cls(words, sentences, capped=True)
            for sentence in _SENTENCE_SPLIT.split(paragraph):
                size = count_words(sentence)
                if size < _SENTENCE_WORDS or not (_TERMINAL.search(sentence) or size >= 15):
                    continue
                if stopwords:
                    tokens = words_of(sentence)
                    if sum(t in stopwords for t in tokens) < _MIN_STOP_SHARE * len(tokens):
                        continue
                words += size
                sentences += 1
        return cls(words, sentences)


def _priced(lines: Sequence[str]) -> int:
    """Short lines with a price in them: a shop's tiles."""
    return sum(
        1
        for line in lines
        if len(line) <= _PRICE_LINE_CHARS
        and PRICE.pattern.search(line.lower())
        and count_words(line) <= _SHORT_LINE
    )


def _consent_share(paragraphs: Sequence[str], text: str) -> float:
    """How much of the text is a cookie notice; none unless the site speaks of its cookies."""
    if not any(matches(CONSENT_NOTICE, p) for p in paragraphs):
        return 0.0
    # A notice's other paragraphs ("Some partners claim a legitimate interest...") may not
    # say "cookie": any paragraph about consent counts, beside one that does.
    notice = sum(count_words(p) for p in paragraphs if _is_consent(p) or matches(CONSENT, p))
    words = count_words(text)
    return notice / words if words else 0.0


def _listy(paragraphs: Sequence[str]) -> bool:
    """Whether most of the text is in short paragraphs of one sentence or none (headlines
    and teasers, maybe): what a list of links would have to be."""
    if len(paragraphs) < _MIN_LINKED:
        return False
    short = sum(
        len(p) for p in paragraphs if len(p) < _TEASER_CHARS and not _SENTENCE_SPLIT.search(p)
    )
    return short >= _LINK_SHARE * sum(len(p) for p in paragraphs)


# --- what the page is instead -------------------------------------------------------------


def _resolve(page: PageSource) -> PageText:
    if page is None:
        return PageText()
    return page() if callable(page) else page


def _link_list(paragraphs: Sequence[str], page: PageText, prose: _Prose) -> str | None:
    """Why the text is headlines that lead elsewhere (a home or section page), if it is."""
    if page.link_texts:
        after = _line_after_link(page)
        sizes = [count_words(p) for p in paragraphs]
        linked = [
            size
            for p, size in zip(paragraphs, sizes, strict=True)
            if _is_headline(text_key(p), page) or after.get(text_key(p), False)
        ]
        share = sum(linked) / max(sum(sizes), 1)
        if len(linked) >= _MIN_LINKED and share >= _LINK_SHARE:
            return f"{share:.0%} of the text is links or the line under one"
        return None
    labels = sum(not _TERMINAL.search(p) and count_words(p) < _SHORT_LINE for p in paragraphs)
    if prose.sentences == 0 and labels >= _MIN_LABELS:
        return f"{labels} headlines or labels and no sentences"
    return None


def _is_headline(key: str, page: PageText) -> bool:
    return key in page.link_texts and not _URL.search(key)


def _line_after_link(page: PageText) -> dict[str, bool]:
    """For each line of the page: whether it is a teaser, a sentence right under a headline
    that links elsewhere."""
    after: dict[str, bool] = {}
    headline = False
    for line in page.lines:
        key = text_key(line)
        linked = key in page.link_texts
        after.setdefault(key, headline and not linked and bool(_TERMINAL.search(key)))
        headline = linked and count_words(key) >= _HEADLINE_WORDS and not _URL.search(key)
    return after


def _short_text(text: str) -> bool:
    """Whether `text` is under NOT_FOUND_TEXT_WORDS words; an article's length is told from
    its characters alone (even unspaced scripts count two characters a word)."""
    return len(text) < 20 * NOT_FOUND_TEXT_WORDS and count_words(text) < NOT_FOUND_TEXT_WORDS


def _titles(page: PageText) -> list[str]:
    return [t for t in dict.fromkeys((page.title, *page.titles)) if t]


def _says_not_found(texts: Sequence[str]) -> str | None:
    return next((t for t in texts if len(t) <= _CUE_LINE_CHARS and matches(NOT_FOUND, t)), None)


def _what_else(paragraphs: Sequence[str], page: PageText, prose: _Prose) -> tuple[Kind, str] | None:
    """For a text with almost no prose: what the page shows instead of an article."""
    named = [*_titles(page), *page.headings]
    lines = [
        line
        for line in page.lines[:_MAX_LINES]
        if len(line) <= _CUE_LINE_CHARS and count_words(line) <= _CUE_LINE_WORDS
    ]
    found = _says_not_found([*named, *paragraphs[:2]])
    if found:
        return Kind.NOT_FOUND, f"says “{_clip(found)}”"
    # A password field or a "Sign in" link can be in any page's header: the page itself (its
    # title, headings and text, or all its lines when no text is left) must be about
    # signing in, and have a password field or say "password".
    main = [*named, *(paragraphs or lines)]
    prompt = next((t for t in main if matches(LOGIN, t)), None)
    if prompt and (page.password_fields or any(matches(PASSWORD, t) for t in main)):
        field = "has a password field" if page.password_fields else "asks for a password"
        return Kind.LOGIN, f"says “{_clip(prompt)}” and {field}"
    # Prompts and price tags count beside the text, not in a sidebar or a footer.
    near = _around(paragraphs, lines)
    paywall = next((t for t in near if matches(PAYWALL, t)), None)
    if paywall:
        return Kind.PAYWALL, f"says “{_clip(paywall)}”"
    priced = _priced(near)
    if priced >= _MIN_PRICE_LINES:
        return Kind.PRODUCT_LIST, f"{priced} lines with prices"
    if prose.words == 0:  # nothing else left: a banner is all there was
        notice = next((t for t in lines if _is_consent(t)), None)
        if notice:
            return Kind.COOKIE_WALL, f"says “{_clip(notice)}”"
    return None


def _around(paragraphs: Sequence[str], lines: Sequence[str]) -> Sequence[str]:
    """The page's lines from a few before the text to some after it; all of them when the
    text isn't found among them (or there is none)."""
    keys = {text_key(p) for p in paragraphs}
    at = [i for i, line in enumerate(lines) if text_key(line) in keys]
    if not at:
        return lines
    return lines[max(0, at[0] - _BEFORE_TEXT) : at[-1] + 1 + _AFTER_TEXT]


def _is_consent(line: str) -> bool:
    return matches(CONSENT_NOTICE, line) or (matches(COOKIE, line) and matches(CONSENT, line))


def _clip(text: str, limit: int = 60) -> str:
    return clipped(_SPACES.sub(" ", text).strip(), limit)
