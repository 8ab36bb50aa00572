"""Links in what the bot posts never hide where they go, and never embed a remote image.

Text from articles and from the model may carry links whose label names one site and whose
target is another: markdown `[bank.com](https://evil.example)`, Slack's
`<https://evil.example|bank.com>`, HTML `<a href>`, images `![x](url)`. Every outbound
payload passes through `sanitize_payload` (see bot.slack.outbound) and each such link is
rewritten to show its real domain:

    [Read this](https://evil.example/x)      ->  Read this ([evil.example](https://evil.example/x))
    <https://evil.example/x|bank.com>        ->  bank.com (<https://evil.example/x|evil.example>)
    ![chart](https://evil.example/c.png)     ->  chart ([evil.example](https://evil.example/c.png))
    [click](javascript:alert(1))             ->  click (link removed)

A link stays as it is when its label already is its URL or its domain (the rewritten form
above is one, so sanitizing twice changes nothing). The domain shown is the ASCII (punycode)
host, so a look-alike Unicode domain can't pass for the real one; URLs a browser could read
differently from us (user info, backslashes, blanks, `%` in the host) and schemes other
than http(s) and mailto lose their link. Bidi override characters, which could show the
domain mirrored, are dropped from prose. Code is left as written, except for a zero-width
space after a `<` that would start a Slack link or mention there: invisible, and inert.

What can't be matched as a whole link is made inert where it could join up with text
around it: a zero-width space goes after a `]` followed by `(`, `[` or `:` (an inline link,
a reference, a reference definition) and after a `<` that starts a word. That is what makes
streaming safe: a link split across two appends can't form in the reader's view, because
`StreamSanitizer` holds an unfinished construct back (up to HOLD_LIMIT characters) until it
can be rewritten whole, and past that bound it is released made inert.

Two dialects: "markdown" (markdown blocks, markdown_text: mentions are neutralized too,
as bot.slack.format does) and "mrkdwn" (text fields the bot writes itself: its own
`<@U…>` mentions keep working, links come out as `<url|domain>`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from bot.slack.text import FENCE, closes_fence

Dialect = Literal["markdown", "mrkdwn"]

ZWSP = "\u200b"  # breaks Slack's and markdown's link syntax, and looks like nothing
HOLD_LIMIT = 1_000  # the longest unfinished construct a stream holds back (and a link's span)
REMOVED = "(link removed)"
_MAX_DEPTH = 3  # links inside link labels (badges); deeper labels are just made inert

_SPECIAL = re.compile(r"[\[\]!<`\n]")
# Bidi embeddings, overrides and isolates: "\u202e" before a link would show the domain
# we print after it mirrored ("evil.example" read as "elpmaxe.live"). Dropped from prose.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_TICKS = re.compile(r"`+")
# A partial last line that could still turn into a fence line once the rest arrives.
_FENCE_SO_FAR = re.compile(r" {0,3}(?:`+|~+)?")
# An inline link's destination and optional title, after the `(` (one level of parentheses
# inside the URL, as in Wikipedia's links); and what could still become one.
_DEST = re.compile(
    r"[ \t]*(?:<(?P<angle>[^<>\n]*)>|(?P<bare>(?:[^\s()<>]|\([^\s()<>]*\))+))"
    r"(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\)"
)
_DEST_SO_FAR = re.compile(
    r"[ \t]*(?:<[^<>\n]*>?|(?:[^\s()<>]|\([^\s()<>]*\))*(?:\([^\s()<>]*)?)"
    r"(?:[ \t]+(?:\"[^\"\n]*\"?|'[^'\n]*'?|\([^()\n]*\)?)?)?[ \t]*"
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,31}:")
_TAG = re.compile(r"(?P<name>/?[A-Za-z][A-Za-z0-9-]*)(?:[\s/]|$)")
_ATTR = r"""\b{}\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'>]+))"""
_HREF = re.compile(_ATTR.format("href"), re.I)
_SRC = re.compile(_ATTR.format("src"), re.I)
_ALT = re.compile(_ATTR.format("alt"), re.I)
_CLOSE_A = re.compile(r"</a\s*>", re.I)
# A `<` that opens a word: what Slack or HTML could read as a link, mention or tag.
_WORDY = re.compile(r"[A-Za-z!@#/?]")
# In code: a `<` before a scheme (or, in markdown, a mention) would still be a live link.
_CODE_LT = {
    "markdown": re.compile(r"<(?=[!@#]|[A-Za-z][A-Za-z0-9+.-]*:)"),
    "mrkdwn": re.compile(r"<(?=[A-Za-z][A-Za-z0-9+.-]*:)"),
}
# Characters no clean URL has: a browser may drop or reinterpret them (tabs and newlines
# vanish, `\` is `/`), so what we would show and where it goes could differ.
_BAD_URL = re.compile(r"[\s\x00-\x1f\x7f\\\"<>|`{}^]")
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?")
_IPV6 = re.compile(r"\[[0-9a-f:.]+\]")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


# --- targets --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """Where a link goes: `shown` is what a reader must see (ASCII host, or mail address)."""

    href: str
    shown: str


def _unescape_mrkdwn(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def link_target(url: str, dialect: Dialect = "markdown") -> Target | None:
    """The target of a link we are willing to keep live, or None (unsafe or unclear)."""
    raw = (_unescape_mrkdwn(url) if dialect == "mrkdwn" else url).strip()
    if not raw or _BAD_URL.search(raw):
        return None
    scheme, _, rest = raw.partition(":")
    scheme = scheme.lower()
    if scheme == "mailto":
        match = _EMAIL.fullmatch(rest.split("?", 1)[0])
        if match is None or not match[1].isascii():
            return None
        return Target(url.strip(), match[0])
    if scheme not in ("http", "https") or not rest.startswith("//"):
        return None
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 (raises on a malformed port)
    except ValueError:
        return None
    host = parts.hostname or ""
    if not host or "@" in parts.netloc or "%" in parts.netloc:
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    if not (_HOST.fullmatch(ascii_host) or _IPV6.fullmatch(f"[{ascii_host}]")):
        return None
    return Target(url.strip(), ascii_host)


def label_shows_target(label: str, url: str, target: Target) -> bool:
    """A label that is the link's own URL or domain hides nothing."""
    plain = label.strip().lower().rstrip("/")
    if not plain or not plain.isascii():
        return False
    shown = target.shown.lower()
    allowed = {shown, shown.removeprefix("www."), f"www.{shown}", f"mailto:{shown}"}
    address = url.strip().lower().rstrip("/")
    if address.isascii():
        allowed |= {address, address.split("://", 1)[-1]}
    return plain in allowed


def _markdown_href(href: str) -> str:
    return href.replace("(", "%28").replace(")", "%29")


def _link(target: Target, dialect: Dialect, label: str | None = None) -> str:
    text = label if label is not None else target.shown
    if dialect == "mrkdwn":
        return f"<{target.href}|{text}>"
    return f"[{text}]({_markdown_href(target.href)})"


# --- the scanner ----------------------------------------------------------------------------


@dataclass(slots=True)
class _State:
    """What a stream has seen so far that changes how the next text reads."""

    fence: str | None = None  # the opening fence while inside a fenced code block
    line_start: bool = True


class _Pending(Exception):
    """An unfinished construct at the end of streamed text: wait for more."""


@dataclass(slots=True)
class _Scanner:
    text: str
    dialect: Dialect
    final: bool
    state: _State = field(default_factory=_State)
    depth: int = 0
    limit: int = HOLD_LIMIT
    _pairs: dict[int, int] = field(default_factory=dict)
    _last_blank: int = -1

    def run(self) -> tuple[str, int]:
        """(sanitized output, how much of the text it covers): all of it when final."""
        text, n = self.text, len(self.text)
        self._pairs = _bracket_pairs(text, self.limit)
        blanks = [m.start() for m in _BLANK_LINE.finditer(text)]
        self._last_blank = blanks[-1] if blanks else -1
        out: list[str] = []
        i = 0
        while i < n:
            if self.state.fence is not None:
                step = self._code_line(i)
            elif self.state.line_start:
                step = self._line_start(i)
            else:
                step = self._inline(i)
            if step is None:
                break
            emitted, i = step
            out.append(emitted)
        return "".join(out), i

    def _holds(self, start: int) -> bool:
        """Whether a construct begun at `start` may still complete: more text is coming,
        no blank line ended its paragraph, and it isn't longer than the hold limit."""
        return not self.final and len(self.text) - start <= self.limit and self._last_blank < start

    # --- fenced code ----------------------------------------------------------------------

    def _code_line(self, i: int) -> tuple[str, int] | None:
        text = self.text
        end = text.find("\n", i)
        if end < 0:
            if self._holds(i):
                return None  # a partial line may still be the closing fence
            return _defang_code(text[i:], self.dialect), len(text)
        line = text[i:end]
        assert self.state.fence is not None
        if closes_fence(self.state.fence, line):
            self.state.fence = None
        self.state.line_start = True
        return _defang_code(text[i : end + 1], self.dialect), end + 1

    def _line_start(self, i: int) -> tuple[str, int] | None:
        text = self.text
        end = text.find("\n", i)
        line = text[i:] if end < 0 else text[i:end]
        if end < 0 and self._holds(i) and (_FENCE_SO_FAR.fullmatch(line) or FENCE.match(line)):
            return None
        self.state.line_start = False
        match = FENCE.match(line)
        if match is None:
            return self._inline(i)
        self.state.fence = match["fence"]
        self.state.line_start = True
        stop = len(text) if end < 0 else end + 1
        return text[i:stop], stop

    # --- inline ---------------------------------------------------------------------------

    def _inline(self, i: int) -> tuple[str, int] | None:
        text = self.text
        found = _SPECIAL.search(text, i)
        if found is None:
            return _BIDI.sub("", text[i:]), len(text)
        j = found.start()
        if j > i:
            return _BIDI.sub("", text[i:j]), j
        try:
            return self._special(j)
        except _Pending:
            return None

    def _special(self, j: int) -> tuple[str, int]:
        char = self.text[j]
        if char == "\n":
            self.state.line_start = True
            return "\n", j + 1
        if char == "`":
            return self._code_span(j)
        if char == "[":
            return self._bracket(j, j, image=False) or ("[", j + 1)
        if char == "]":
            return self._close_bracket(j)
        if char == "!":
            return self._bang(j)
        return self._angle(j)

    def _code_span(self, j: int) -> tuple[str, int]:
        text = self.text
        run = _TICKS.match(text, j)
        assert run is not None
        ticks, after = run.group(), run.end()
        stop = min(len(text), j + self.limit)
        for candidate in _TICKS.finditer(text, after, stop):
            if candidate.group() == ticks:
                if _BLANK_LINE.search(text, after, candidate.start()):
                    break
                return _defang_code(text[j : candidate.end()], self.dialect), candidate.end()
        if self._holds(j):
            raise _Pending
        return ticks, after  # no closing run: literal backticks

    def _bang(self, j: int) -> tuple[str, int]:
        text = self.text
        if j + 1 == len(text) and self._holds(j):
            raise _Pending  # may be an image's "!["
        if text.startswith("[", j + 1):
            found = self._bracket(j, j + 1, image=True)
            if found:
                return found
        return "!", j + 1

    def _bracket(self, start: int, open_: int, *, image: bool) -> tuple[str, int] | None:
        """An inline link or image starting at `start` (its `[` at `open_`), rewritten; None
        when it isn't one (the `[` is then literal)."""
        text = self.text
        close = self._pairs.get(open_)
        if close is None:
            if self._holds(start):
                raise _Pending
            return None
        after = close + 1
        if after == len(text):
            if self._holds(start):
                raise _Pending
            return None
        if text[after] != "(":
            return None
        dest = _DEST.match(text, after + 1, min(len(text), after + 1 + self.limit))
        if dest is None:
            if self._holds(start) and _DEST_SO_FAR.fullmatch(text, after + 1):
                raise _Pending
            return None
        url = dest["angle"] if dest["angle"] is not None else dest["bare"]
        return self._rewrite(text[open_ + 1 : close], url, image=image), dest.end()

    def _close_bracket(self, j: int) -> tuple[str, int]:
        text = self.text
        if j + 1 == len(text):
            if self._holds(j):
                raise _Pending
            return ("]" if self.final else "]" + ZWSP), j + 1
        return ("]" + ZWSP if text[j + 1] in "([:" else "]"), j + 1

    def _angle(self, j: int) -> tuple[str, int]:
        text = self.text
        stop = min(len(text), j + 1 + self.limit)
        close = text.find(">", j + 1, stop)
        newline = text.find("\n", j + 1, close if close >= 0 else stop)
        if close < 0 or newline >= 0:
            if close < 0 and newline < 0 and self._holds(j):
                raise _Pending
            return self._lone_angle(j)
        inner = text[j + 1 : close]
        if inner[:1] in ("@", "#", "!"):
            if self.dialect == "markdown" or "://" in inner or "mailto:" in inner.lower():
                return "<" + ZWSP, j + 1  # a mention in model text, or a link inside one
            return text[j : close + 1], close + 1  # the bot's own mention
        tag = _TAG.match(inner)
        if tag:
            return self._html(j, close, inner, tag["name"].lower())
        if _SCHEME.match(inner):
            url, bar, label = inner.partition("|")
            if not bar:  # <https://…>: it shows its own URL
                if link_target(url, self.dialect):
                    return text[j : close + 1], close + 1
                return "<" + ZWSP, j + 1
            return self._rewrite(label, url, image=False), close + 1
        return self._lone_angle(j)

    def _lone_angle(self, j: int) -> tuple[str, int]:
        text = self.text
        if j + 1 == len(text):
            return ("<" if self.final else "<" + ZWSP), j + 1
        return ("<" + ZWSP if _WORDY.match(text, j + 1) else "<"), j + 1

    def _html(self, j: int, close: int, inner: str, name: str) -> tuple[str, int]:
        text = self.text
        if name == "img":
            src = _attr(_SRC, inner)
            return self._rewrite(_attr(_ALT, inner) or "", src or "", image=True), close + 1
        if name == "a" and (href := _attr(_HREF, inner)) is not None:
            end = _CLOSE_A.search(text, close + 1, min(len(text), j + self.limit))
            blank = end and _BLANK_LINE.search(text, close + 1, end.start())
            if end and not blank:
                label = text[close + 1 : end.start()]
                return self._rewrite(label, href, image=False), end.end()
            if not end and self._holds(j):
                raise _Pending
        return "<" + ZWSP, j + 1  # any other tag: shown as text, never rendered

    def _rewrite(self, label: str, url: str, *, image: bool) -> str:
        """A link or image as text that shows where it goes."""
        if self.depth < _MAX_DEPTH:
            shown_label = _Scanner(label, self.dialect, True, depth=self.depth + 1).run()[0]
        else:
            shown_label = _BIDI.sub("", label.replace("]", "]" + ZWSP).replace("<", "<" + ZWSP))
        shown_label = shown_label.replace("\n", " ")
        target = link_target(url, self.dialect)
        if target is None:
            return f"{shown_label} {REMOVED}" if shown_label.strip() else REMOVED
        if not image and label_shows_target(label, url, target):
            return _link(target, self.dialect, label.strip())
        if image and not shown_label.strip():
            shown_label = "image"
        return f"{shown_label} ({_link(target, self.dialect)})"


def _attr(pattern: re.Pattern[str], inner: str) -> str | None:
    match = pattern.search(inner)
    if match is None:
        return None
    return next(value for value in match.group("dq", "sq", "bare") if value is not None)


def _bracket_pairs(text: str, limit: int) -> dict[int, int]:
    """Each `[` and its matching `]` (nesting counted; a blank line ends a paragraph and
    every bracket open in it), in one pass. Pairs further apart than `limit` are dropped."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for match in re.finditer(r"[\[\]]|\n[ \t]*\n", text):
        token = match.group()
        if token == "[":
            stack.append(match.start())
        elif token == "]":
            if stack:
                start = stack.pop()
                if match.start() - start <= limit:
                    pairs[start] = match.start()
        else:
            stack.clear()
    return pairs


def _defang_code(code: str, dialect: Dialect) -> str:
    return _CODE_LT[dialect].sub("<" + ZWSP, code)


# --- public API -----------------------------------------------------------------------------


def sanitize(text: str, dialect: Dialect = "markdown") -> str:
    """A whole message's text with every link showing its real domain (see module doc)."""
    if not text:
        return text
    return _Scanner(text, dialect, final=True).run()[0]


class StreamSanitizer:
    """`sanitize` for text that arrives in pieces (chat.startStream / appendStream).

    `feed` returns what can be shown now: an unfinished link (or code span, fence line,
    `<…`) at the end is held back until it completes, or until HOLD_LIMIT characters, when
    it is released made inert. `close` returns the rest, once no more text will come.
    """

    def __init__(self, dialect: Dialect = "markdown", *, limit: int = HOLD_LIMIT) -> None:
        self._dialect: Dialect = dialect
        self._limit = limit
        self._state = _State()
        self._held = ""

    @property
    def held(self) -> str:
        return self._held

    def feed(self, text: str) -> str:
        self._held += text
        scanner = _Scanner(self._held, self._dialect, False, self._state, limit=self._limit)
        out, used = scanner.run()
        self._held = self._held[used:]
        return out

    def close(self) -> str:
        scanner = _Scanner(self._held, self._dialect, True, self._state, limit=self._limit)
        out, _ = scanner.run()
        self._held = ""
        return out


# --- payloads -------------------------------------------------------------------------------

_REMOTE_MEDIA = frozenset({"image", "video"})
_ATTACHMENT_TEXT = ("text", "pretext", "fallback", "footer")
_ATTACHMENT_MEDIA = ("image_url", "thumb_url", "author_icon", "footer_icon", "video_html")


def sanitize_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A message payload (chat.*, views.*, response_url) made safe: `text` as mrkdwn,
    `markdown_text` and markdown blocks as markdown, every mrkdwn text object, rich-text
    links, attachments and views; remote images and videos are dropped."""
    out = dict(payload)
    if isinstance(out.get("text"), str):
        out["text"] = sanitize(out["text"], "mrkdwn")
    if isinstance(out.get("markdown_text"), str):
        out["markdown_text"] = sanitize(out["markdown_text"], "markdown")
    for key in ("blocks", "chunks", "view", "unfurls"):
        if key in out:
            out[key] = _maybe_json(out[key], _element)
    if "attachments" in out:
        out["attachments"] = _maybe_json(out["attachments"], _attachments)
    return out


def _maybe_json(value: Any, clean: Any) -> Any:
    """Form-encoded calls carry blocks as a JSON string: clean the decoded value."""
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        return json.dumps(clean(decoded))
    return clean(value)


def _element(value: Any) -> Any:
    if isinstance(value, list):
        cleaned = [_element(item) for item in value]
        return [item for item in cleaned if item is not None]
    if not isinstance(value, dict):
        return value
    kind = value.get("type")
    if kind in _REMOTE_MEDIA and ("image_url" in value or "video_url" in value):
        return None  # a remote image or video: never embedded
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in ("accessory", "element") and _element(item) is None:
            continue
        out[key] = _element(item) if isinstance(item, (dict, list)) else item
    if kind in ("markdown", "markdown_text") and isinstance(out.get("text"), str):
        out["text"] = sanitize(out["text"], "markdown")
    elif kind == "mrkdwn" and isinstance(out.get("text"), str):
        out["text"] = sanitize(out["text"], "mrkdwn")
    elif kind == "link" and isinstance(out.get("url"), str):  # a rich_text link
        return _rich_link(out)
    elif kind == "url" and isinstance(out.get("url"), str):  # a stream task's URL source
        return _url_source(out)
    return out


def _url_source(element: dict[str, Any]) -> dict[str, Any] | None:
    """A URL source element shows its real domain as its label; an unsafe URL is dropped."""
    url = element["url"]
    target = link_target(url)
    if target is None:
        return None
    label = element.get("text")
    if isinstance(label, str) and label_shows_target(label, url, target):
        return element
    return {**element, "text": target.shown}


def _rich_link(element: dict[str, Any]) -> dict[str, Any]:
    url, label = element["url"], element.get("text")
    target = link_target(url)
    if target is None:
        return {"type": "text", "text": f"{label or url} {REMOVED}"}
    if label is not None and not label_shows_target(label, url, target):
        return {key: item for key, item in element.items() if key != "text"}  # shows the URL
    return element


def _attachments(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return [_attachment(item) if isinstance(item, dict) else item for item in value]


def _attachment(attachment: dict[str, Any]) -> dict[str, Any]:
    out = {key: item for key, item in attachment.items() if key not in _ATTACHMENT_MEDIA}
    if "blocks" in out:
        out["blocks"] = _element(out["blocks"])
    for key in _ATTACHMENT_TEXT:
        if isinstance(out.get(key), str):
            out[key] = sanitize(out[key], "mrkdwn")
    if isinstance(out.get("fields"), list):
        out["fields"] = [
            {**item, "value": sanitize(item["value"], "mrkdwn")}
            if isinstance(item, dict) and isinstance(item.get("value"), str)
            else item
            for item in out["fields"]
        ]
    for label_key, link_key in (("title", "title_link"), ("author_name", "author_link")):
        url = out.get(link_key)
        if isinstance(url, str):
            target = link_target(url)
            if target is None or not label_shows_target(str(out.get(label_key)), url, target):
                out.pop(link_key)
    return out
