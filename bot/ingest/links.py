"""Read what a person typed: which links they gave, and what they asked for.

Pure functions: they parse a Slack message or a terminal argument, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import SplitResult, urlsplit

from bot.ingest.scripts import CJK_RANGES, THAI_RANGES
from bot.text.counts import INTRO_PATTERN, NUMBER_WORD_PATTERN, UNIT_PATTERN

# Slack wraps links as <https://…> or <https://…|label>; users, channels and
# special mentions use the same brackets (<@U123>, <#C1|general>, <!here>).
_SLACK_TOKEN = re.compile(r"<([^<>|\s]+)(?:\|([^<>]*))?>")
# A bare URL ends at whitespace, quotes, brackets of markup, dashes between words (—, –)
# and CJK punctuation (。、，！？「」…), which never appear unescaped inside a real link.
# (?=[hw]): the first letter alone, tried before the alternatives, makes a search through a
# pasted article (on Slack's ack path) a third cheaper; every match starts with one.
_URL_CHAR = r"[^\s<>\"'`—–。、，！？；：「」『』（）【】〈〉《》]"
_BARE_URL = re.compile(rf"(?=[hw])(?:https?://|www\.){_URL_CHAR}+", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:!?…'\"’”»"
_PAIRS = {")": "(", "]": "[", "}": "{"}
_WORD = re.compile(r"\w+")
# Latin sentences end in punctuation plus a space; CJK ones need no space after "。".
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|[。！？]")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n+")
# Scripts written without spaces: \w+ would count a whole sentence as one "word".
_CJK_CHAR = re.compile(f"[{CJK_RANGES}]")
_THAI_CHAR = re.compile(f"[{THAI_RANGES}]")
_SPACELESS_CHAR = re.compile(f"[{CJK_RANGES}{THAI_RANGES}]")  # either kind
# Slack escapes only these three in message text; other "&name" sequences are literal
# (a bare "&section=" in a query string is not "§ion=").
_SLACK_ENTITY = re.compile(r"&(amp|lt|gt);")
_SLACK_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
# Where a link was cut out of the text (a control character no one types).
_CUT = "\x00"

# A message at least this long, in prose, is an article someone pasted, not an instruction.
PASTE_MIN_WORDS = 60
# Requests longer than this are rare; longer text is an article even if it gives orders.
_REQUEST_MAX_WORDS = 200
# A text this long with more than _REQUEST_MAX_WORDS words in it is counted no further.
_CAP_PREFIX_CHARS = 4096
# A leading instruction line above a pasted article is at most this long.
_LEAD_MAX_WORDS = 30

# "tldr", "tl;dr", "tl/dr", "TL; DR": how people spell it, for every parser that looks for it
# (the paste lead here, "summarize it" in bot.llm.followups).
TLDR = r"tl[;/]?\s?dr"
TLDR_WORD = re.compile(rf"\b{TLDR}\b", re.IGNORECASE)

# How requests to the bot start, and words that talk about the article rather than tell it.
_REQUEST_START = re.compile(
    r"^\W*(?:hey\b\W*|hi\b\W*|ok\b\W*|so\b\W*)?(?:please|pls|plz|kindly|can you|could you|"
    r"would you|will you|i want|i'd like|i would like|i need|we need|i'm looking|make sure|"
    r"summari[sz]e|sum up|" + TLDR + r"|recap|explain|list|give|tell|focus|include|mention|keep|"
    r"write|translate|highlight|compare|skip|ignore|use|don'?t|do not|also|add|avoid|"
    r"extract|pull out|point out|note|emphasi[sz]e|answer|describe|outline|break down|"
    r"rewrite|shorten|condense|bullet)\b",
    re.IGNORECASE,
)
# (?=[bfikmst]) is each alternative's first letter: it halves a search through an article.
_META_WORDS = re.compile(
    r"(?=[bfikmst])\b(?:summar\w*|bullets?|" + TLDR + r"|translat\w*|key points|"
    r"(?:this|that|the|these) (?:article|piece|story|link|post|paper|page|report|text|one)s?|"
    r"for me|for my|my team|in english|in \d+ (?:bullets?|points|sentences|words|lines))\b",
    re.IGNORECASE,
)

# How a question ends: Latin, full-width (Chinese, Japanese) and Arabic question marks.
QUESTION_MARKS = "?？؟"


def ends_with_question_mark(text: str) -> bool:
    """Whether `text` ends with a question mark, inside a closing quote or bracket or not:
    'Who paid for it?', '“Who paid?”', '(who paid?)'."""
    return text.rstrip(" \"'”’»)").endswith(tuple(QUESTION_MARKS))


InputKind = Literal["link", "paste", "message", "empty"]


@dataclass(frozen=True, slots=True)
class ParsedInput:
    """What a message asks for.

    kind: "link" (one or more links plus an optional instruction), "paste" (an article
    pasted as text; it may itself contain links, and may follow an instruction line),
    "message" (text without links that is not an article: a question or a chat turn),
    "empty".
    """

    kind: InputKind
    urls: tuple[str, ...] = ()
    instruction: str = ""  # what the user asked, with the links (or the article) taken out
    text: str = ""  # the pasted article (kind == "paste") or the whole message
    style: str | None = None  # a summary style named before a paste ("tldr <article>")


def slack_unescape(text: str) -> str:
    """Undo Slack's escaping (&amp; &lt; &gt;) and nothing else."""
    return _SLACK_ENTITY.sub(lambda m: _SLACK_ENTITIES[m.group(1)], text)


def _trim_url(url: str) -> str:
    """Drop punctuation that ends the sentence rather than the URL, and unbalanced brackets.

    Read from the end, each trailing punctuation mark goes, and each closing bracket goes
    while the URL up to it has more of them than of its opener; the first one that
    balances stays, with everything before it. Done with string methods rather than a
    step per character: a link followed by 40,000 ")" sits on Slack's ack path.
    """
    kept = url.rstrip(_TRAILING_PUNCT + "".join(_PAIRS))
    tail = url[len(kept) :]  # only punctuation and closers: every opener is in `kept`
    end = len(kept)
    for closer, opener in _PAIRS.items():
        in_tail = tail.count(closer)
        before = url.count(closer) - in_tail
        # The k-th `closer` of the URL balances when k <= the number of openers; the
        # last such one, counted among the tail's closers:
        nth = min(url.count(opener) - before, in_tail)
        if nth > 0:
            at = len(closer.join(tail.split(closer, nth)[:nth]))  # index of the nth one
            end = max(end, len(kept) + at + 1)
    return url[:end]


def _normalize(url: str) -> str:
    url = slack_unescape(url)  # Slack sends &amp; inside links
    if url.lower().startswith("www."):
        url = "https://" + url
    return url


def _is_web_link(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


def _scan(text: str, *, labels: bool = False) -> tuple[list[str], str]:
    """Find the links in `text`; return them (in order, unique) and the text without them.

    Each link is replaced by _CUT in the returned text, so the instruction can be tidied
    where it was. With `labels`, a link inside a sentence is replaced by its label instead
    when it has one of words ("Who paid for <url|the new bridge>?"), not a link's text.
    """
    urls: dict[str, None] = {}  # ordered and unique (a list's `in` was quadratic)
    remainder: list[str] = []

    def add(url: str) -> None:
        urls.setdefault(_normalize(url))

    def bare(piece: str) -> None:
        last = 0
        for match in _BARE_URL.finditer(piece):
            url = _trim_url(match.group(0))
            remainder.append(piece[last : match.start()] + _CUT)
            add(url)
            last = match.start() + len(url)
        remainder.append(piece[last:])

    # Slack's bracketed tokens and the bare URLs between them, in the order they appear.
    pos = 0
    for match in _SLACK_TOKEN.finditer(text):
        bare(text[pos : match.start()])
        target, label = match.group(1), match.group(2)
        if _is_web_link(target):
            add(target)
            inside = labels and label and _WORD.search("".join(remainder[-2:]))
            if inside and typed_link(label) is None and "://" not in label:
                remainder.append(label)
            else:
                remainder.append(_CUT)
        elif target.startswith(("@", "!")):
            pass  # mentions are addressing, not content
        elif target.startswith("#"):
            remainder.append(f"#{label}" if label else "")
        else:
            remainder.append(label or target)  # mailto: and the like read as their label
        pos = match.end()
    bare(text[pos:])
    return list(urls), "".join(remainder)


def question_text(text: str) -> str:
    """A message's words beside its links, as a question to ask about them: a link inside a
    sentence keeps its label ("Who paid for <url|the new bridge>?" asks "Who paid for the new
    bridge?"); `parse_input`'s instruction drops every link."""
    return _tidy_instruction(_scan(text, labels=True)[1])


def _parts(url: str) -> SplitResult | None:
    """The link split up; None for one urllib can't read ("https://[::1" or "http://[abc]/",
    which it raises ValueError on: the fetcher calls them invalid)."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def _host(url: str) -> str:
    """The link's host in lower case; "" for none, or for one urllib can't read."""
    parts = _parts(url)
    return (parts.hostname or "").lower() if parts is not None else ""


def is_slack_link(url: str, own_host: str = "") -> bool:
    """A link to Slack itself (a message's permalink, a channel): not an article, and only
    a sign-in page to the fetcher. `own_host`: the workspace's own host (auth.test's url)."""
    host = _host(url)
    if not host:  # file:///…, javascript:…, "https://[::1" — not Slack (nor any site)
        return False
    return host == "slack.com" or host.endswith(".slack.com") or host == own_host.lower()


# Files a link may name that are never an article the bot reads (it reads pages, text, PDFs).
_NOT_ARTICLE_FILES = frozenset(
    {
        *("png", "jpg", "jpeg", "gif", "webp", "svg", "bmp", "ico", "tif", "tiff", "heic"),
        *("avif", "mp4", "mov", "webm", "mkv", "avi", "mp3", "wav", "m4a", "ogg", "flac"),
        *("zip", "gz", "tgz", "tar", "rar", "7z", "dmg", "exe", "msi", "apk", "iso"),
        *("doc", "docx", "xls", "xlsx", "ppt", "pptx", "key"),
    }
)


def names_a_file_not_article(url: str) -> bool:
    """A link whose path ends in an image, video, audio, archive, program or office file
    ("…/chart.png"): worth no "Summarize?" offer."""
    parts = _parts(url)
    if parts is None:  # the fetcher says it is invalid
        return False
    name = parts.path.rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[-1].lower() in _NOT_ARTICLE_FILES


def find_urls(text: str) -> list[str]:
    """Every http(s) link in `text`, in order, without duplicates."""
    return _scan(text)[0]


# --- a link as a person types it -----------------------------------------------------------
#
# A slash command's text and a terminal argument arrive raw: nobody turned "example.com/story"
# into a link (Slack's clients do that only in messages). `typed_link` is the one place that
# decides what such a word is, for /summarize, /ask and the CLI alike.

# Where a word starts (after opening brackets or quotes) that may be a link: a Slack token, a
# scheme, "www." or a dotted name followed by a port or a path. Possessive and anchored at
# word starts, so the search is one pass; `typed_link` reads each match in Python.
_CANDIDATE = re.compile(
    r"(?<!\S)[(\[{\"'“‘«]*+(?=<[^<>\s]|[a-z][a-z0-9+.-]{0,31}://\S"
    r"|(?:javascript|vbscript|data|file|mailto|about|blob):\S"
    r"|www\.[^\W_]|[^\W_][\w-]*+\.[\w.-]*+[:/?#])",
    re.IGNORECASE,
)
# Words that look like links but aren't ("main.py:12", "Mr.Smith/Jones") read before giving
# up: a typed command has a few; a text of thousands is junk, not read to its end.
_MAX_CANDIDATES = 32
_URL_WORD = re.compile(f"{_URL_CHAR}+")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]{0,31}):(//)?", re.IGNORECASE)
# Schemes written without "//" that are still clearly not prose ("javascript:alert(1)").
_OPAQUE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file", "mailto", "about", "blob"})
# A host: a dotted IPv4 address, or labels and a top-level domain of letters ("co.uk", "рф").
_HOST = re.compile(
    r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}|(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?P<tld>[^\W\d_]{2,63})"
)
_HOST_END = re.compile(r"[:/?#]")
_PORT_AND_PATH = re.compile(r"(?P<port>:[0-9]{1,5})?(?P<path>[/?#].*)?", re.DOTALL)
_MAX_HOST = 253  # the longest DNS name: a longer "host" is junk, not read any further
# File name endings: "notes.md" alone is a file someone mistyped, not the Moldovan site, and
# "main.py:12" a line of code. Those that are also top-level domains (.md, .py, .sh, .rs,
# .zip) are sites when a path follows ("docs.rs/serde"); the others never are ("Node.js/x").
_FILE_ENDINGS = frozenset(
    {"html", "htm", "xhtml", "txt", "text", "md", "markdown", "pdf", "json", "xml", "svg", "csv",
     "rtf", "doc", "docx", "odt", "epub", "png", "jpg", "jpeg", "gif", "webp", "zip", "gz", "py",
     "sh", "rs", "js", "ts", "log"}
)  # fmt: skip
_ALSO_TLDS = frozenset({"md", "py", "sh", "rs", "zip"})
# What may surround a bare domain typed alone: brackets, quotes, a full stop ("example.com.").
# Not "?": "ASP.NET?" is a question.
_AROUND_CHARS = "()[]{}\"'“”‘’«».,;:!…"
_AROUND = re.compile(rf"[\s{re.escape(_AROUND_CHARS)}]*")


@dataclass(frozen=True, slots=True)
class TypedLink:
    """A link found in typed text, and the text around it."""

    url: str  # what to open: a bare host gets https://; other schemes are kept as typed
    web: bool  # http(s); False for ftp://, file://, javascript: and the like
    before: str
    after: str
    bare: bool = False  # a domain and nothing else ("example.com"): a link only when alone

    @property
    def alone(self) -> bool:
        """Nothing but brackets, quotes or a full stop around the link."""
        return bool(_AROUND.fullmatch(self.before) and _AROUND.fullmatch(self.after))

    def spelled_out(self) -> str:
        """The text with the link as a message would carry it ("https://example.com/x tldr")."""
        return f"{self.before}{self.url}{self.after}"


def typed_link(text: str) -> TypedLink | None:
    """The first word of `text` that is a link as people type one, scheme or not.

    A link: "https://…" or "www.…" (https added), Slack's "<https://…|label>", a host with a
    path or a port ("example.com/story", "127.0.0.1:8080/x"; https added), or a bare domain
    typed alone ("news.example.co.uk", "example.com."). Also, with `web` False, a link with
    another scheme ("ftp://…", "file:///…", "javascript:…"), so the caller can say which
    links work. Prose stays prose: "e.g.", "Mr.Smith", "3.5/5", "version 2.0/3", "notes.md",
    "main.py:12", and a domain inside a sentence ("I read it on example.com.").

    Pure and linear in the length of `text` (it runs in Slack's 3-second ack); past the
    first _MAX_CANDIDATES words that look like links but aren't, it looks no further."""
    if "." not in text and ":" not in text and "<" not in text:
        return None  # every link has one of these: a C-speed test spares the searches
    lead = text.lstrip().lstrip(_AROUND_CHARS)
    if lead and len(lead.split(None, 1)) == 1:  # one word: a bare domain may be all there is
        link = _link_at(text, len(text) - len(lead), bare=True)
        if link is not None and (link.alone or not link.bare):
            return link
    for count, start in enumerate(_CANDIDATE.finditer(text)):
        if count == _MAX_CANDIDATES:
            break
        link = _link_at(text, start.end(), bare=False)
        if link is not None:
            return link
    return None


def _link_at(text: str, pos: int, *, bare: bool) -> TypedLink | None:
    """The link the word at `pos` is; a bare domain only if `bare` (it then says so)."""
    if text.startswith("<", pos):
        token = _SLACK_TOKEN.match(text, pos)
        if token is None or token.group(1).startswith(("@", "#", "!")):
            return None
        target = token.group(1)
        web = _is_web_link(target)
        url = _normalize(target) if web else target
        return TypedLink(url, web, text[:pos], text[token.end() :])
    word = _URL_WORD.match(text, pos)
    if word is None:
        return None
    typed = _trim_url(word.group(0))
    found = _read_word(typed)
    if found is None or (found[2] and not bare):
        return None
    url, web, only_domain = found
    return TypedLink(url, web, text[:pos], text[pos + len(typed) :], bare=only_domain)


def _read_word(word: str) -> tuple[str, bool, bool] | None:
    """(url, web, a bare domain) for a word that is a link, else None."""
    if scheme := _SCHEME.match(word):
        name = scheme.group(1).lower()
        has_more = len(word) > scheme.end()
        if scheme.group(2):  # "name://…"
            if not has_more:
                return None
            web = name in ("http", "https")
            return (_normalize(word) if web else word), web, False
        if name in _OPAQUE_SCHEMES and has_more:
            return word, False, False
    split = _HOST_END.search(word, 0, _MAX_HOST + 1)
    host = word[: split.start()] if split else word
    if len(host) > _MAX_HOST:
        return None
    rest = word[len(host) :]
    named = _HOST.fullmatch(host)
    tail = _PORT_AND_PATH.fullmatch(rest)
    if named is None or tail is None:
        return None
    tld = named.group("tld")
    if tld is None:  # an IPv4 address
        if any(int(part) > 255 for part in host.split(".")):
            return None
    elif tld not in (tld.lower(), tld.upper()):
        return None  # "Mr.Smith", "St.Louis": a typed domain is not in title case
    elif tld.lower() in _FILE_ENDINGS and not (tail.group("path") and tld.lower() in _ALSO_TLDS):
        return None
    www = host.lower().startswith("www.")
    return _normalize(word if www else "https://" + word), True, not (rest or www)


def _squash(text: str) -> str:
    return " ".join(slack_unescape(text).replace(_CUT, " ").split())


# Sentence punctuation left right after a cut link ("see <link>." -> "see"), then
# brackets or quotes left empty, then spaces before punctuation.
_CUT_PUNCT = re.compile(_CUT + r"(?:[.,;:!…]+(?=\s|$|" + _CUT + r")|[。、，；：！]+)")
_EMPTY_PAIR = re.compile(r"\(\s*\)|\[\s*\]|\{\s*\}|“\s*”|\"\s*\"|'\s*'|«\s*»")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?…)\]])")


def _tidy_instruction(remainder: str) -> str:
    text = _CUT_PUNCT.sub(_CUT, remainder)
    text = _squash(text)
    text = _EMPTY_PAIR.sub(" ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(text.split()))
    text = text.strip(" :,;-–—、，：；")
    return text if _WORD.search(text) else ""  # only punctuation was left around the link


def word_weight(text: str) -> float:
    """Words in `text`, counting scripts written without spaces by their characters.

    A Chinese or Japanese word is about one and a half characters, a Thai one about four.
    """
    if not _SPACELESS_CHAR.search(text):  # one scan instead of two lists of characters
        return float(len(_WORD.findall(text)))
    cjk = len(_CJK_CHAR.findall(text))
    thai = len(_THAI_CHAR.findall(text))
    spaced = _WORD.findall(_THAI_CHAR.sub(" ", _CJK_CHAR.sub(" ", text)))
    return len(spaced) + cjk / 1.5 + thai / 4


def _capped_weight(text: str) -> float:
    """`word_weight(text)`, or a number above _REQUEST_MAX_WORDS when it is: every threshold
    the parsing compares with is at most that, and a pasted article on Slack's ack path
    need not have all its words listed to tell it is long. Words of a prefix are never more
    than the whole text's, so a prefix already over the cap decides."""
    if (
        len(text) > _CAP_PREFIX_CHARS
        and not _SPACELESS_CHAR.search(text, 0, _CAP_PREFIX_CHARS)
        and len(_WORD.findall(text, 0, _CAP_PREFIX_CHARS)) > _REQUEST_MAX_WORDS
    ):
        return _REQUEST_MAX_WORDS + 1
    return word_weight(text)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s and _WORD.search(s)]


def _is_request_sentence(sentence: str) -> bool:
    return bool(_REQUEST_START.match(sentence) or _META_WORDS.search(sentence))


def looks_like_request(text: str) -> bool:
    """Text addressed to the bot: mostly sentences that ask or tell it something, and at
    least one that speaks about the article ("summarize this", "in 5 bullets")."""
    text = text.replace(_CUT, " ")
    return _looks_like_request(text, _capped_weight(text))


def _looks_like_request(text: str, weight: float) -> bool:
    if weight > _REQUEST_MAX_WORDS or not _META_WORDS.search(text):
        return False
    sentences = _sentences(text)
    asking = sum(1 for s in sentences if _is_request_sentence(s))
    return bool(sentences) and asking * 2 >= len(sentences)


def looks_like_article(text: str) -> bool:
    """Long prose (several sentences or lines) rather than a request."""
    plain = text.replace(_CUT, " ")
    weight = _capped_weight(plain)  # once, for both questions
    if weight < PASTE_MIN_WORDS:
        return False
    if _lines_under_two(text) and len(_SENTENCE_END.findall(text)) < 3:
        return False
    return not _looks_like_request(plain, weight)


def _lines_under_two(text: str) -> bool:
    """Fewer than two lines with something on them (besides cut links)."""
    lines = (line for line in text.splitlines() if line.replace(_CUT, "").strip())
    return next(lines, None) is None or next(lines, None) is None


# --- an instruction typed before a pasted article -------------------------------------------
#
# "/summarize tldr " and a paste make one line of "tldr City council approves…": the
# instruction is peeled off the headline when it is made only of instruction parts (a style,
# a count of bullets, "summarize", "in Spanish") and either punctuation or a change of case
# marks where the headline starts. "Detailed plans for the bridge" and "In 3 years, …" keep
# their first words: capitalised like the rest of a sentence, or no instruction at all.

_NUMBER = rf"(?:\d{{1,2}}|{NUMBER_WORD_PATTERN})"
# A count names its unit ("in 3 years", "in 3 Jahren" are no instruction); the words are
# `bot.text.counts`' (English, German, French, Spanish, Italian, Portuguese, Dutch).
_COUNT_PART = re.compile(
    rf"(?:(?:{INTRO_PATTERN})\s+)?(?:a\s+)?{_NUMBER}\s+(?:short\s+|key\s+|main\s+)?"
    rf"(?:{UNIT_PATTERN}|paragraphs?|words?)(?![\w;/])",
    re.IGNORECASE,
)
_ASK_PART = re.compile(
    r"(?:please|pls|plz|kindly|summari[sz]e(?:\s+(?:this|it))?|sum\s+(?:this\s+|it\s+)?up|"
    + TLDR
    + r")(?![\w;/])",
    re.IGNORECASE,
)
_LANGUAGE_PART = re.compile(r"(?:in|into)\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?(?!\w)", re.IGNORECASE)
_JOINER = re.compile(r"\s*,\s*(?:and\s+)?|\s+(?:and\s+|&\s+)?", re.IGNORECASE)
# Punctuation that ends an instruction whatever the case of what follows ("Detailed: …").
_STRONG_END = re.compile(r"\s*[:：|]\s*|\s+[-–—]\s+|\s*[–—]\s*")
_WEAK_END = re.compile(r"\s*,\s*|\s+")
_OPENING_QUOTES = "\"'“‘«„‚「『"
# Verbs that start requests and headlines alike ("Use of force…", "Keep calm…"): a line
# starting with one is a request only when something else says so.
_ASKING = re.compile(
    r"^\W*(?:hey\b\W*|hi\b\W*|ok\b\W*|so\b\W*)?(?:please|pls|plz|kindly|can you|could you|"
    r"would you|will you|i want|i'd like|i would like|i need|we need|summari[sz]e|sum up|"
    + TLDR
    + r")\b",
    re.IGNORECASE,
)
_COLON_BREAK = re.compile(r"[:：](?=\s)")


@dataclass(frozen=True, slots=True)
class _Part:
    end: int
    asks: bool  # only asks ("please", "summarize"), which a named style says already
    style: str | None  # the summary style this part names
    plain: bool  # only words a headline may also start with ("Detailed", "In Spanish")
    language: bool = False  # "in Spanish": a capital that says nothing about the lead's case


@dataclass(frozen=True, slots=True)
class _Lead:
    instruction: str
    style: str | None
    article: str


def _builtin_styles() -> tuple[str, ...]:
    # Imported here: the CLI's quick commands read links without the prompt machinery.
    from bot.llm.templates import builtin_styles

    return builtin_styles()


@lru_cache(maxsize=16)
def _style_part(styles: tuple[str, ...]) -> re.Pattern[str] | None:
    """A style's name ("tldr", "as bullets", "detailed"); "_" in a name matches a space."""
    names = sorted({s.lower() for s in styles if s}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(re.escape(n).replace("_", "[_ -]") for n in names)
    return re.compile(rf"(?:(?:as|in)\s+(?:an?\s+)?)?({alternatives})(?![\w;/])", re.IGNORECASE)


@lru_cache(maxsize=1)
def language_names() -> frozenset[str]:
    """Every language's English name, lower-cased ("spanish", "simplified chinese"), from
    CLDR (through Babel): "in Spanish" is an instruction, "in Europe" or "in Brazil" is not."""
    from babel import Locale

    return frozenset(name.lower() for name in Locale("en").languages.values())


def warm_up() -> None:
    """Load the language names now (Babel's CLDR data, ~0.3 s): a Slack process calls this
    at start-up so its first "/summarize in Spanish …" ack doesn't pay for it. Not done at
    import: the CLI's quick commands import this module and never need them."""
    language_names()


def _style_named(word: str, styles: tuple[str, ...]) -> str | None:
    key = re.sub(r"[\s-]+", "_", word.strip().lower())
    if TLDR_WORD.fullmatch(word.strip()):
        key = "tldr"
    return next((s for s in styles if s.lower() == key), None)


def _lead_part(line: str, at: int, styles: tuple[str, ...]) -> _Part | None:
    if match := _COUNT_PART.match(line, at):
        return _Part(match.end(), False, None, not any(c.isdigit() for c in match.group(0)))
    style_part = _style_part(styles)
    if style_part and (match := style_part.match(line, at)):
        name = match.group(1)
        plain = name.replace(" ", "").isalpha() and not TLDR_WORD.fullmatch(name)
        return _Part(match.end(), False, _style_named(name, styles), plain)
    if match := _ASK_PART.match(line, at):
        return _Part(match.end(), True, _style_named(match.group(0), styles), False)
    if (match := _LANGUAGE_PART.match(line, at)) and (first := match.group(1)):
        names = language_names()
        if match.group(2) and f"{first} {match.group(2)}".lower() in names:
            return _Part(match.end(), False, None, True, language=True)
        if first.lower() in names:
            return _Part(match.end(1), False, None, True, language=True)
    return None


def _lead_parts(line: str, styles: tuple[str, ...]) -> list[tuple[int, _Part]]:
    """The instruction parts `line` starts with, each with where it starts."""
    parts: list[tuple[int, _Part]] = []
    pos = 0
    while True:
        start = pos
        if parts:
            joiner = _JOINER.match(line, pos)
            if joiner is None:
                break
            start = joiner.end()
        part = _lead_part(line, start, styles)
        if part is None:
            break
        parts.append((start, part))
        pos = part.end
        # Each part is a word or more: past the cap the lead is refused anyway, so a line of
        # "please please …" is not walked to its end.
        if len(parts) > _LEAD_MAX_WORDS:
            break
    return parts


def _headline_starts(line: str, rest: str, parts: list[tuple[int, _Part]]) -> bool:
    """With only a space between them, whether `rest` starts a headline after the typed
    instruction `line[:parts[-1].end]`: `rest` starts with a capital (or a digit, or a script
    without case) and the lead looks typed, not like the headline's own start."""
    first = rest.lstrip(_OPENING_QUOTES)[:1]
    if not first or not first.isalnum() or first.islower():
        return False
    lead = line[: parts[-1][1].end]
    if lead[:1].islower():
        return True
    only = parts[0][1] if len(parts) == 1 else None
    if only is not None and only.style and not only.plain:  # "TLDR", "TL;DR", "Eli5"
        return True
    if not all(part.plain for _, part in parts) and _sentence_cased(line, parts):
        return True  # "In 3 bullets City…", not "5 Key Takeaways From…" nor "Please Like Me…"
    letters = [c for c in lead if c.isalpha()]
    return all(part.plain for _, part in parts) and (
        all(c.isupper() for c in letters) and not rest.split(None, 1)[0].isupper()
    )


def _sentence_cased(line: str, parts: list[tuple[int, _Part]]) -> bool:
    """Whether the lead's words after its first are there and all lower-case (a language's
    name aside): typed like a sentence, where a headline's title case capitalises them."""
    words: list[str] = []
    for start, part in parts:
        text = line[start : part.end]
        words += text.split()[:1] if part.language else text.split()  # "in", not "Spanish"
    later = words[1:]
    return bool(later) and not any(c.isupper() for word in later for c in word)


def _peel_lead(head: str, styles: tuple[str, ...]) -> tuple[str, str | None, str] | None:
    """(instruction, style, rest of the line) when `head` starts with an instruction."""
    parts = _lead_parts(head, styles)
    if not parts:
        return None
    end = parts[-1][1].end
    lead, rest = head[:end], head[end:]
    if strong := _STRONG_END.match(rest):
        rest = rest[strong.end() :]
    elif rest:
        weak = _WEAK_END.match(rest)
        if weak is None:
            return None
        rest = rest[weak.end() :]
        if rest and not _headline_starts(head, rest, parts):
            return None
    if word_weight(lead) > _LEAD_MAX_WORDS:
        return None
    # The first style named becomes the style; the rest of the lead is what else was asked.
    named = next((i for i, (_, part) in enumerate(parts) if part.style), None)
    if named is None:
        return _tidy_instruction(lead), None, rest.strip()
    kept = [(start, part) for i, (start, part) in enumerate(parts) if i != named]
    if all(part.asks for _, part in kept):  # "tl;dr please": the style is the whole wish
        kept = []
    instruction = ", ".join(head[start : part.end] for start, part in kept)
    return _tidy_instruction(instruction), parts[named][1].style, rest.strip()


def only_wishes(text: str, styles: Iterable[str] | None = None) -> bool:
    """Whether `text` is made only of what a summary may be asked to be ("tldr", "in 3
    bullets", "detailed, in Spanish"), a trailing question mark aside: "in Spanish?" asks
    for a summary in Spanish, not a question about the article."""
    line = text.strip().rstrip(" .!:" + QUESTION_MARKS).strip()
    if not line:
        return False
    known = tuple(styles) if styles is not None else _builtin_styles()
    parts = _lead_parts(line, known)
    return bool(parts) and not line[parts[-1][1].end :].strip(" ,.;:!")


def _line_is_request(head: str) -> bool:
    """A whole first line that asks something of the bot, not a headline."""
    if head.endswith((":", "：")) and _META_WORDS.search(head):
        return True
    if not _REQUEST_START.match(head):
        return False
    # "Use of force…", "Keep calm…": verbs that start headlines too need another sign.
    if head[:1].islower() or head.endswith(("?", "？", ":", "：")) or _META_WORDS.search(head):
        return True
    # "Please summarize…" asks; "Please Like Me renewed…" is a title-cased headline.
    asking = _ASKING.match(head)
    following = head[asking.end() :].split(None, 1)[:1] if asking else []
    return asking is not None and not (following and following[0][:1].isupper())


def _split_lead(plain: str, styles: tuple[str, ...]) -> _Lead | None:
    """The instruction above (or at the start of) a pasted article: "tldr <article>",
    "in 3 bullets: <article>", "summarize this for my team:\\n\\n<article>"."""
    head, sep, body = plain.strip().partition("\n")
    head = head.strip()
    if not head:
        return None
    found: tuple[str, str | None, str] | None = _peel_lead(head, styles)
    if found is None and sep and word_weight(head) <= _LEAD_MAX_WORDS:
        colon = _COLON_BREAK.search(head)
        before = head[: colon.start()] if colon else ""
        if colon and _REQUEST_START.match(before) and _META_WORDS.search(before):
            found = (before.strip(), None, head[colon.end() :].strip())
        elif _line_is_request(head):
            found = (head.rstrip(" :：").strip(), None, "")
    if found is None:
        return None
    instruction, style, rest = found
    article = f"{rest}{sep}{body}".strip() if rest else body.strip()
    if not looks_like_article(_scan(article)[1]):
        return None
    return _Lead(instruction, style, article)


def parse_input(text: str, styles: Iterable[str] | None = None) -> ParsedInput:
    """Tell a link plus an instruction from a pasted article, and split them apart.

    `styles`: the summary styles an instruction before a paste may name ("tldr <article>");
    by default the built-in ones (a caller with the prompt registry passes its styles)."""
    urls, remainder = _scan(text or "")
    if looks_like_article(remainder):
        # Links inside a pasted article belong to the article: keep them in its text.
        plain = slack_to_plain(text).strip()
        known = tuple(styles) if styles is not None else _builtin_styles()
        lead = _split_lead(plain, known)
        if lead is not None:
            return ParsedInput("paste", tuple(urls), lead.instruction, lead.article, lead.style)
        return ParsedInput("paste", tuple(urls), "", plain)
    instruction = _tidy_instruction(remainder)
    if urls:
        return ParsedInput("link", tuple(urls), instruction, _squash(text))
    if instruction:
        return ParsedInput("message", (), instruction, instruction)
    return ParsedInput("empty")


def _plain_token(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith(("@", "!")):
        return ""
    if target.startswith("#"):
        return f"#{label}" if label else ""
    return label or target


def slack_to_plain(text: str) -> str:
    """Slack's message markup to plain text: links become their label, mentions go."""
    return slack_unescape(_SLACK_TOKEN.sub(_plain_token, text))


def _alternatives(words: str) -> str:
    """Space-separated words (a "_" inside one stands for a space) as a regex alternation,
    longest first so "what's" wins over "what"."""
    listed = sorted({w.replace("_", r"\s+") for w in words.split()}, key=len, reverse=True)
    return "|".join(listed)


# Question words that start a question without a question mark. Words that also start
# requests or plain phrases in another language ("comment", "come", "como", "que", "wat" =
# "somewhat") count only with a question mark, which makes anything a question anyway.
_QUESTION_WORD_TEXT = """
    what what's whats who who's whom whose when where why how how's which
    is isn't are aren't was wasn't were weren't do does doesn't did didn't has have had
    should shall can could would will may might must
    wer wen wem wessen wann wo woher wohin warum wieso weshalb weswegen wie welche welcher
    welches welchen welchem wofür womit wozu wodurch woran worauf worüber wovon wieviel
    wie_viel wie_viele gibt_es ist sind hat haben war waren wird werden stimmt
    qui quoi quand où pourquoi combien quel quelle quels quelles lequel laquelle est-ce
    qu'est-ce
    qué quién quiénes cuándo dónde por_qué cómo cuánto cuánta cuántos cuántas cuál cuáles
    chi cosa che_cosa quando dove perché quanto quanti quanta quante quale quali
    quem onde por_que o_que quantos quantas qual quais
    wie wanneer waar waarom hoe hoeveel welke welk wiens
"""
QUESTION_WORDS = _alternatives(_QUESTION_WORD_TEXT)
# Of them, English auxiliaries start statements too: "Could be worse", "Will do", "Would love
# your take", "Should be fun"; before such a verb they ask nothing without a question mark.
_AUXILIARY_TEXT = """
    is isn't are aren't wasn't were weren't do does doesn't did didn't has have had
    should can could would will
"""
_AUXILIARIES = frozenset(_AUXILIARY_TEXT.split())
_STATEMENT_VERB = r"(?:be|been|do|love|like|need|want|read|say|matter|help)(?![\w'’-])"
# And these start one more often than not ("Must read!", "May be useful", "Might help",
# "War in Sudan, worth a read", "Hat tip to Ann"): they ask only when a subject follows
# ("May I …", "Shall we …", "War es …", "Hat Apple …").
_MODALS = frozenset({"may", "might", "must", "shall", "war", "hat"})
_SUBJECT = (
    r"(?:(?:i|you|we|they|he|she|it|this|that|these|those|there|anyone|anybody|anything|"
    r"someone|somebody|something|everyone|everybody|everything|any|some|all|both|each|"
    r"either|neither|many|much|most|no|none|nobody|nothing|the|my|our|your|his|her|its|their|"
    r"es|er|sie|wir|ihr|du|ich|man|das|der|die|den|dem|des|ein|eine|einer|einem|einen|"
    r"kein|keine|jemand)(?![\w'’-])|(?-i:[A-Z0-9]))"
)
_PLAIN_WORDS = " ".join(w for w in _QUESTION_WORD_TEXT.split() if w not in _AUXILIARIES | _MODALS)
# QUESTION_WORDS as the first words of a question with no question mark.
QUESTION_START_WORDS = (
    rf"(?:{_alternatives(_PLAIN_WORDS)}"
    rf"|(?:{_alternatives(' '.join(_AUXILIARIES))})(?!\s+{_STATEMENT_VERB})"
    rf"|(?:{_alternatives(' '.join(_MODALS))})(?=\s+{_SUBJECT}))"
)
# A question starts with one of them, or asks for something ("tell me …", "explain …").
_QUESTION_START = re.compile(
    rf"^[\W_]*(?:{QUESTION_START_WORDS}|tell\s+me|explain|list|give\s+me|summari[sz]e)"
    r"(?![\w'’-])",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """A short message that asks something (rather than, say, "thanks!")."""
    text = text.strip()
    return text.endswith(tuple(QUESTION_MARKS)) or bool(_QUESTION_START.match(text))
