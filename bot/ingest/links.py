"""Read what a person typed: which links they gave, and what they asked for.

Pure functions: they parse a Slack message or a terminal argument, no I/O.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

# Slack wraps links as <https://…> or <https://…|label>; users, channels and
# special mentions use the same brackets (<@U123>, <#C1|general>, <!here>).
_SLACK_TOKEN = re.compile(r"<([^<>|\s]+)(?:\|([^<>]*))?>")
_BARE_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:!?…'\"’”»"
_PAIRS = {")": "(", "]": "[", "}": "{"}
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|$)")

# A message at least this long, in prose, is an article someone pasted, not an instruction.
PASTE_MIN_WORDS = 60

InputKind = Literal["link", "paste", "message", "empty"]


@dataclass(frozen=True, slots=True)
class ParsedInput:
    """What a message asks for.

    kind: "link" (one or more links plus an optional instruction), "paste" (an article
    pasted as text; it may itself contain links), "message" (short text without links:
    a question or a chat turn), "empty".
    """

    kind: InputKind
    urls: tuple[str, ...] = ()
    instruction: str = ""  # what the user asked, with the links taken out
    text: str = ""  # the pasted article (kind == "paste") or the whole message


def _trim_url(url: str) -> str:
    """Drop punctuation that ends the sentence rather than the URL, and unbalanced brackets."""
    while url:
        last = url[-1]
        if last in _TRAILING_PUNCT or (
            last in _PAIRS and url.count(last) > url.count(_PAIRS[last])
        ):
            url = url[:-1]
        else:
            break
    return url


def _normalize(url: str) -> str:
    url = html.unescape(url)  # Slack sends &amp; inside links
    if url.lower().startswith("www."):
        url = "https://" + url
    return url


def _is_web_link(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


def _scan(text: str) -> tuple[list[str], str]:
    """Find the links in `text`; return them (in order, unique) and the text without them."""
    urls: list[str] = []
    pieces: list[str] = []
    pos = 0

    def add(url: str) -> None:
        url = _normalize(url)
        if url not in urls:
            urls.append(url)

    # Slack's bracketed tokens first; what lies between them may hold bare URLs.
    for match in _SLACK_TOKEN.finditer(text):
        pieces.append(text[pos : match.start()])
        target, label = match.group(1), match.group(2)
        if _is_web_link(target):
            add(target)
        elif target.startswith(("@", "!")):
            pass  # mentions are addressing, not content
        elif target.startswith("#"):
            pieces.append(f"#{label}" if label else "")
        else:
            pieces.append(label or target)  # mailto: and the like read as their label
        pos = match.end()
    pieces.append(text[pos:])

    remainder: list[str] = []
    for piece in pieces:
        last = 0
        for match in _BARE_URL.finditer(piece):
            url = _trim_url(match.group(0))
            remainder.append(piece[last : match.start()])
            add(url)
            last = match.start() + len(url)
        remainder.append(piece[last:])
    return urls, "".join(remainder)


def find_urls(text: str) -> list[str]:
    """Every http(s) link in `text`, in order, without duplicates."""
    return _scan(text)[0]


def _squash(text: str) -> str:
    return " ".join(html.unescape(text).split())


def looks_like_article(text: str) -> bool:
    """Long prose (several sentences or lines) rather than a request."""
    words = len(_WORD.findall(text))
    if words < PASTE_MIN_WORDS:
        return False
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 2 or len(_SENTENCE_END.findall(text)) >= 3


def parse_input(text: str) -> ParsedInput:
    """Tell a link plus an instruction from a pasted article, and split them apart."""
    urls, remainder = _scan(text or "")
    if looks_like_article(remainder):
        # Links inside a pasted article belong to the article: keep them in its text.
        return ParsedInput("paste", tuple(urls), "", slack_to_plain(text).strip())
    instruction = _squash(remainder).strip(" :,-–—")
    if not _WORD.search(instruction):
        instruction = ""  # only punctuation was left around the link
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
    return html.unescape(_SLACK_TOKEN.sub(_plain_token, text))


_QUESTION_START = re.compile(
    r"^(what|who|whom|whose|when|where|why|how|which|is|are|was|were|do|does|did|can|could|"
    r"should|would|will|has|have|had|tell me|explain|list|give me|summari[sz]e)\b",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """A short message that asks something (rather than, say, "thanks!")."""
    text = text.strip()
    return text.endswith(("?", "？")) or bool(_QUESTION_START.match(text))
